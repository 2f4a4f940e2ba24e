/* stats.c - summary statistics, selection and quantiles; definitions are stated in
 * eb_stats.h. */
#include "eb_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void eb_sort_doubles(double *x, size_t n)
{
    if (n > 1)
        qsort(x, n, sizeof *x, cmp_double);
}

double eb_quantile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 1 || p <= 0)
        return sorted[0];
    if (p >= 1)
        return sorted[n - 1];
    double h = (double)(n - 1) * p;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

static void swap_doubles(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

double eb_select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo])
            swap_doubles(&x[mid], &x[lo]);
        if (x[hi] < x[lo])
            swap_doubles(&x[hi], &x[lo]);
        if (x[hi] < x[mid])
            swap_doubles(&x[hi], &x[mid]);
        double pivot = x[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                swap_doubles(&x[i], &x[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

double eb_quantile_inplace(double *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    double h = (double)(n - 1) * q;
    size_t k = (size_t)floor(h);
    double lo = eb_select_kth(x, n, k);
    if (k + 1 >= n || h == (double)k)
        return lo;
    /* after selecting k, the (k+1)-th smallest is the minimum of x[k+1..n) */
    double hi = x[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (x[i] < hi)
            hi = x[i];
    return lo + (h - (double)k) * (hi - lo);
}

double eb_binom_half_cdf(size_t n, size_t k)
{
    if (k >= n)
        return 1.0;
    /* Terms C(n,i) 2^-n in log space: 2^-n underflows for n > 1074. */
    double lt = -(double)n * log(2.0), sum = 0;
    for (size_t i = 0; i <= k; i++) {
        sum += exp(lt);
        lt += log((double)(n - i) / (double)(i + 1));
    }
    return sum > 1 ? 1 : sum;
}

void eb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *coverage)
{
    double tail = (1 - level) / 2;
    size_t l = 0; /* largest l with P(B <= l-1) <= tail; 0 = none */
    double lt = -(double)n * log(2.0), cdf = 0, cdf_at_l = 0;
    for (size_t i = 0; i < n; i++) {
        double next = cdf + exp(lt);
        if (next > tail)
            break;
        cdf = next;
        l = i + 1;
        cdf_at_l = cdf;
        lt += log((double)(n - i) / (double)(i + 1));
    }
    if (n == 0) {
        *lo = *hi = 0;
        *coverage = 0;
        return;
    }
    if (l == 0) { /* too few samples for the level: widest interval */
        *lo = 1;
        *hi = n;
        *coverage = n > 1 ? 1 - 2 * pow(0.5, (double)n) : 0;
        return;
    }
    *lo = l;
    *hi = n + 1 - l;
    *coverage = 1 - 2 * cdf_at_l;
}

void eb_stats_sorted(const double *x, size_t n, eb_stats *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    out->min = x[0];
    out->max = x[n - 1];
    out->mean = mean;
    out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    out->cv = mean != 0 ? out->stddev / mean : 0;
    out->median = eb_quantile_sorted(x, n, 0.5);
    out->p90 = eb_quantile_sorted(x, n, 0.90);
    out->p95 = eb_quantile_sorted(x, n, 0.95);
    out->p99 = eb_quantile_sorted(x, n, 0.99);
    size_t lo, hi;
    eb_median_ci_ranks(n, 0.95, &lo, &hi, &out->ci95_coverage);
    out->ci95_lo = x[lo - 1];
    out->ci95_hi = x[hi - 1];
}

int eb_stats_compute(const double *x, size_t n, eb_stats *out)
{
    if (n == 0) {
        eb_stats_sorted(x, 0, out);
        return 0;
    }
    double *s = malloc(n * sizeof *s);
    if (!s) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    memcpy(s, x, n * sizeof *s);
    eb_sort_doubles(s, n);
    eb_stats_sorted(s, n, out);
    free(s);
    return 0;
}

double eb_median(const double *x, size_t n)
{
    eb_stats st;
    if (n == 0 || eb_stats_compute(x, n, &st) != 0)
        return 0;
    return st.median;
}
