/* test_bootstrap.c - quantiles and the bootstrap interval of a ratio. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eb_bootstrap.h"
#include "eb_fixture_reports.h"

Test(bootstrap, quantile_matches_sorted_interpolation)
{
    uint64_t s = 7;
    for (size_t n = 1; n < 40; n += 3) {
        double x[40], y[40];
        for (size_t i = 0; i < n; i++)
            x[i] = y[i] = floor(fx_uniform(&s) * 20); /* ties included */
        qsort(y, n, sizeof *y, fx_cmp);
        const double qs[] = {0, 0.1, 0.5, 0.9, 0.99, 1};
        for (size_t k = 0; k < 6; k++) {
            double t[40];
            memcpy(t, x, n * sizeof *t);
            double got = eb_quantile_inplace(t, n, qs[k]);
            cr_assert_float_eq(got, fx_q(y, n, qs[k]), 1e-12, "n %zu q %g", n, qs[k]);
        }
    }
    double odd[] = {5, 1, 3};
    cr_assert_float_eq(eb_quantile_inplace(odd, 3, 0.5), 3, 1e-12);
    double even[] = {4, 1, 3, 2};
    cr_assert_float_eq(eb_quantile_inplace(even, 4, 0.5), 2.5, 1e-12);
}

Test(bootstrap, ratio_interval_covers_known_shift_and_is_deterministic)
{
    double a[200], b[200];
    fx_samples(a, 200, 10.0, 0.02, 0, 1);
    fx_samples(b, 200, 11.0, 0.02, 0, 2);
    eb_ratio_ci ci, again;
    cr_assert_eq(eb_bootstrap_ratio(a, 200, b, 200, EB_STAT_QUANTILE, 0.5, 2000, 0.95, 99, &ci),
                 EB_OK);
    cr_assert(ci.lo < ci.ratio && ci.ratio < ci.hi);
    cr_assert(ci.lo < 1.1 && 1.1 < ci.hi, "[%g, %g] should hold the true ratio 1.1", ci.lo,
              ci.hi);
    cr_assert(ci.hi - ci.lo < 0.02, "2 %% noise, 200 samples: a narrow interval");
    cr_assert_eq(eb_bootstrap_ratio(a, 200, b, 200, EB_STAT_QUANTILE, 0.5, 2000, 0.95, 99,
                                    &again), EB_OK);
    cr_assert_eq(ci.lo, again.lo);
    cr_assert_eq(ci.hi, again.hi);
}

Test(bootstrap, interval_widens_with_noise)
{
    double a[20], b[20], c[20], d[20];
    fx_samples(a, 20, 10.0, 0.02, 0, 3);
    fx_samples(b, 20, 10.0, 0.02, 0, 4);
    fx_samples(c, 20, 10.0, 0.30, 0, 3);
    fx_samples(d, 20, 10.0, 0.30, 0, 4);
    eb_ratio_ci quiet, noisy;
    cr_assert_eq(eb_bootstrap_ratio(a, 20, b, 20, EB_STAT_QUANTILE, 0.5, 1000, 0.95, 5, &quiet),
                 EB_OK);
    cr_assert_eq(eb_bootstrap_ratio(c, 20, d, 20, EB_STAT_QUANTILE, 0.5, 1000, 0.95, 5, &noisy),
                 EB_OK);
    cr_assert(noisy.hi - noisy.lo > 5 * (quiet.hi - quiet.lo));
    cr_assert(quiet.lo < 1 && 1 < quiet.hi);
}

Test(bootstrap, mean_ratio_and_one_sample_quantile)
{
    double a[] = {1, 1, 1, 1}, b[] = {2, 2, 2, 2};
    eb_ratio_ci ci;
    cr_assert_eq(eb_bootstrap_ratio(a, 4, b, 4, EB_STAT_MEAN, 0, 100, 0.95, 1, &ci), EB_OK);
    cr_assert_float_eq(ci.ratio, 2, 1e-12);
    cr_assert_float_eq(ci.lo, 2, 1e-12);
    cr_assert_float_eq(ci.hi, 2, 1e-12);
    double x[101];
    for (int i = 0; i <= 100; i++)
        x[i] = i;
    eb_value_ci v;
    cr_assert_eq(eb_bootstrap_quantile(x, 101, 0.5, 1000, 0.95, 3, &v), EB_OK);
    cr_assert_float_eq(v.value, 50, 1e-12);
    cr_assert(v.lo < 50 && v.hi > 50 && v.lo > 30 && v.hi < 70);
    cr_assert_eq(eb_bootstrap_ratio(a, 0, b, 4, EB_STAT_MEAN, 0, 100, 0.95, 1, &ci), EB_ERR_ARG);
}
