/* test_stats.c - summary statistics on sample sets with known answers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eb_stats.h"

#define EPS 1e-12

Test(stats, one_to_ten_exact)
{
    double x[10] = {7, 3, 10, 1, 9, 2, 8, 5, 4, 6}; /* 1..10, shuffled */
    eb_stats s;
    cr_assert_eq(eb_stats_compute(x, 10, &s), 0);
    cr_assert_eq(s.n, 10);
    cr_assert_float_eq(s.min, 1, EPS);
    cr_assert_float_eq(s.max, 10, EPS);
    cr_assert_float_eq(s.mean, 5.5, EPS);
    cr_assert_float_eq(s.median, 5.5, EPS);
    /* sample variance of 1..10 = 55/6 */
    cr_assert_float_eq(s.stddev, sqrt(55.0 / 6.0), EPS);
    cr_assert_float_eq(s.cv, sqrt(55.0 / 6.0) / 5.5, EPS);
    /* type 7: h = 9p; p90 -> x[8] + 0.1 (x[9]-x[8]) = 9.1 */
    cr_assert_float_eq(s.p90, 9.1, EPS);
    cr_assert_float_eq(s.p95, 9.55, EPS);
    cr_assert_float_eq(s.p99, 9.91, EPS);
    /* n = 10: ranks 2 and 9, coverage 1 - 2 * 11/1024 */
    cr_assert_float_eq(s.ci95_lo, 2, EPS);
    cr_assert_float_eq(s.ci95_hi, 9, EPS);
    cr_assert_float_eq(s.ci95_coverage, 1 - 22.0 / 1024, EPS);
    /* input untouched */
    cr_assert_float_eq(x[0], 7, EPS);
}

Test(stats, small_set_with_ties)
{
    double x[5] = {4, 1, 3, 3, 2};
    eb_stats s;
    cr_assert_eq(eb_stats_compute(x, 5, &s), 0);
    cr_assert_float_eq(s.median, 3, EPS);
    cr_assert_float_eq(s.mean, 2.6, EPS);
    cr_assert_float_eq(s.stddev, sqrt(1.3), EPS);
    cr_assert_float_eq(s.p90, 3.6, EPS); /* h = 3.6: 3 + 0.6 (4 - 3) */
    /* n < 6: no rank pair reaches 95 %: [min, max] with coverage 1 - 2^-4 */
    cr_assert_float_eq(s.ci95_lo, 1, EPS);
    cr_assert_float_eq(s.ci95_hi, 4, EPS);
    cr_assert_float_eq(s.ci95_coverage, 0.9375, EPS);
}

Test(stats, single_and_empty)
{
    double x[1] = {7.25};
    eb_stats s;
    eb_stats_compute(x, 1, &s);
    cr_assert_float_eq(s.median, 7.25, EPS);
    cr_assert_float_eq(s.p99, 7.25, EPS);
    cr_assert_float_eq(s.stddev, 0, EPS);
    cr_assert_float_eq(s.ci95_lo, 7.25, EPS);
    cr_assert_float_eq(s.ci95_hi, 7.25, EPS);
    eb_stats_compute(NULL, 0, &s);
    cr_assert_eq(s.n, 0);
    cr_assert_float_eq(s.mean, 0, EPS);
}

Test(stats, even_median_interpolates)
{
    double x[4] = {10, 1, 4, 2};
    cr_assert_float_eq(eb_median(x, 4), 3, EPS);
}

Test(stats, binomial_cdf_exact)
{
    cr_assert_float_eq(eb_binom_half_cdf(10, 0), 1.0 / 1024, EPS);
    cr_assert_float_eq(eb_binom_half_cdf(10, 1), 11.0 / 1024, EPS);
    cr_assert_float_eq(eb_binom_half_cdf(10, 2), 56.0 / 1024, EPS);
    cr_assert_float_eq(eb_binom_half_cdf(10, 10), 1, EPS);
    /* symmetric: P(B <= n/2 - 1) + P(B = n/2)/... : for odd n, P(B <= (n-1)/2) = 1/2 */
    cr_assert_float_eq(eb_binom_half_cdf(101, 50), 0.5, 1e-9);
    /* n well past 1074, where 2^-n underflows a double */
    cr_assert_float_eq(eb_binom_half_cdf(3001, 1500), 0.5, 1e-9);
}

Test(stats, median_ci_ranks_match_tables)
{
    size_t lo, hi;
    double cov;
    /* published order-statistic tables: n=6 -> (1,6), n=20 -> (6,15), n=100 -> (40,61) */
    eb_median_ci_ranks(6, 0.95, &lo, &hi, &cov);
    cr_assert_eq(lo, 1);
    cr_assert_eq(hi, 6);
    cr_assert_float_eq(cov, 1 - 2.0 / 64, EPS);
    eb_median_ci_ranks(20, 0.95, &lo, &hi, &cov);
    cr_assert_eq(lo, 6);
    cr_assert_eq(hi, 15);
    eb_median_ci_ranks(100, 0.95, &lo, &hi, &cov);
    cr_assert_eq(lo, 40);
    cr_assert_eq(hi, 61);
    cr_assert(cov >= 0.95 && cov < 0.97, "coverage %f", cov);
    /* large n: close to the normal approximation n/2 -+ 0.98 sqrt(n) */
    eb_median_ci_ranks(100000, 0.95, &lo, &hi, &cov);
    cr_assert_eq(lo + hi, 100001);
    cr_assert(fabs((double)lo - (50000 - 0.98 * sqrt(100000.0))) < 3, "lo %zu", lo);
    cr_assert(cov >= 0.95 && cov < 0.951, "coverage %f", cov);
}

Test(stats, ci_contains_median_on_large_random_set)
{
    size_t n = 20001;
    double *x = malloc(n * sizeof *x);
    unsigned s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = 1.0 + (double)(s >> 8) / (double)(1u << 24);
    }
    eb_stats st;
    cr_assert_eq(eb_stats_compute(x, n, &st), 0);
    cr_assert(st.ci95_lo <= st.median && st.median <= st.ci95_hi);
    cr_assert(st.ci95_lo < st.ci95_hi);
    cr_assert(st.p90 <= st.p95 && st.p95 <= st.p99 && st.p99 <= st.max);
    free(x);
}
