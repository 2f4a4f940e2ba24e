/* eb_stats.h - summary statistics of a sample set (latencies, throughputs, ...), and the
 * sorting, selection and quantiles they are made of (base layer: used by bench, models
 * and reports alike).
 *
 * Definitions, so that reports from different tools can be compared:
 * - stddev is the sample standard deviation (divisor n-1; 0 when n == 1).
 * - cv = stddev / mean (0 when mean is 0).
 * - median and percentiles use linear interpolation between closest ranks on the sorted
 *   sample x[0..n-1] (Hyndman & Fan type 7, the default of R, NumPy and Excel's
 *   PERCENTILE.INC): h = (n-1) p, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 * - ci95_median is a distribution-free confidence interval of the median from order
 *   statistics: the ranks l and u (1-based, u = n + 1 - l) are the widest pair with
 *   P(l <= B <= u - 1) >= 0.95 for B ~ Binomial(n, 1/2), i.e. the largest l with
 *   P(B <= l - 1) <= 0.025. The interval is [x(l), x(u)]; its exact coverage is stored.
 *   For n < 6 no pair reaches 95 %: the interval is then [min, max] and its coverage
 *   (1 - 2^(1-n)) is below 0.95.
 */
#ifndef EB_STATS_H
#define EB_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t n;
    double min, max, mean, median, stddev, cv;
    double p90, p95, p99;
    double ci95_lo, ci95_hi; /* confidence interval of the median */
    double ci95_coverage;    /* exact coverage of [ci95_lo, ci95_hi] */
} eb_stats;

/* Summary of x[0..n-1] (any order; x is not modified). n == 0 gives all zeros.
 * Allocates a sorted copy; returns -1 when that fails (out is zeroed), else 0. */
int eb_stats_compute(const double *x, size_t n, eb_stats *out);

/* Same on data already sorted ascending (no allocation). */
void eb_stats_sorted(const double *sorted, size_t n, eb_stats *out);

/* Type-7 quantile (p in [0,1]) of sorted data; n must be > 0. */
double eb_quantile_sorted(const double *sorted, size_t n, double p);

/* Median of x (any order, not modified); 0 for n == 0. Allocates a copy. */
double eb_median(const double *x, size_t n);

/* 1-based ranks (lo, hi) of the order-statistic CI of the median at the given level
 * (e.g. 0.95) and its exact coverage. For small n returns (1, n). */
void eb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *coverage);

/* P(B <= k) for B ~ Binomial(n, 1/2). */
double eb_binom_half_cdf(size_t n, size_t k);

/* Sorts doubles ascending in place. */
void eb_sort_doubles(double *x, size_t n);

/* The k-th smallest (0-based, k < n) of x[0..n), partially reordering x so that
 * afterwards x[0..k) <= x[k] <= x[k+1..n) (Hoare selection with median-of-three pivots:
 * deterministic, linear on average). */
double eb_select_kth(double *x, size_t n, size_t k);

/* The type-7 q-quantile (q clamped to [0,1]) of x[0..n) in any order, by selection
 * rather than sorting; reorders x. NAN for n == 0. */
double eb_quantile_inplace(double *x, size_t n, double q);

#ifdef __cplusplus
}
#endif
#endif
