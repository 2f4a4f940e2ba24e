/* bootstrap.c - percentile-bootstrap intervals (see eb_bootstrap.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "eb_bootstrap.h"

/* splitmix64: small, fast, and good enough to pick resampling indices */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform index in [0, n), n < 2^32, by multiply-high on 32 random bits (bias below
 * n / 2^32, negligible for sample counts). */
static size_t pick(uint64_t *s, size_t n)
{
    return (size_t)(((next_u64(s) >> 32) * (uint64_t)n) >> 32);
}

static double stat_of(double *x, size_t n, eb_stat_kind kind, double q)
{
    if (kind == EB_STAT_MEAN) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += x[i];
        return s / (double)n;
    }
    return eb_quantile_inplace(x, n, q);
}

/* The central `level` interval of r[0..n) (sorts r). */
static void percentile_interval(double *r, size_t n, double level, double *lo, double *hi)
{
    eb_sort_doubles(r, n);
    double tail = (1 - level) / 2;
    *lo = eb_quantile_sorted(r, n, tail);
    *hi = eb_quantile_sorted(r, n, 1 - tail);
}

static bool valid_sample(const double *x, size_t n)
{
    if (!x || n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

eb_status eb_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
                             eb_stat_kind kind, double q, int resamples, double level,
                             uint64_t seed, eb_ratio_ci *out)
{
    if (!out || !valid_sample(a, na) || !valid_sample(b, nb) || resamples < 10 ||
        !(level > 0 && level < 1))
        return EB_ERR_ARG;
    double *ra = malloc(na * sizeof *ra);
    double *rb = malloc(nb * sizeof *rb);
    double *ratios = malloc((size_t)resamples * sizeof *ratios);
    if (!ra || !rb || !ratios) {
        free(ra);
        free(rb);
        free(ratios);
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < na; i++)
        ra[i] = a[i];
    for (size_t i = 0; i < nb; i++)
        rb[i] = b[i];
    double sa = stat_of(ra, na, kind, q), sb = stat_of(rb, nb, kind, q);
    out->ratio = sb / sa;
    uint64_t s = seed;
    size_t kept = 0;
    for (int r = 0; r < resamples; r++) {
        for (size_t i = 0; i < na; i++)
            ra[i] = a[pick(&s, na)];
        for (size_t i = 0; i < nb; i++)
            rb[i] = b[pick(&s, nb)];
        double xa = stat_of(ra, na, kind, q), xb = stat_of(rb, nb, kind, q);
        if (xa > 0 && isfinite(xb / xa))
            ratios[kept++] = xb / xa;
    }
    if (kept < 10) { /* the baseline statistic is zero in nearly every resample */
        out->lo = out->hi = NAN;
    } else {
        percentile_interval(ratios, kept, level, &out->lo, &out->hi);
    }
    free(ra);
    free(rb);
    free(ratios);
    return EB_OK;
}

eb_status eb_bootstrap_quantile(const double *x, size_t n, double q, int resamples,
                                double level, uint64_t seed, eb_value_ci *out)
{
    if (!out || !valid_sample(x, n) || resamples < 10 || !(level > 0 && level < 1))
        return EB_ERR_ARG;
    double *rx = malloc(n * sizeof *rx);
    double *vals = malloc((size_t)resamples * sizeof *vals);
    if (!rx || !vals) {
        free(rx);
        free(vals);
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        rx[i] = x[i];
    out->value = eb_quantile_inplace(rx, n, q);
    uint64_t s = seed;
    for (int r = 0; r < resamples; r++) {
        for (size_t i = 0; i < n; i++)
            rx[i] = x[pick(&s, n)];
        vals[r] = eb_quantile_inplace(rx, n, q);
    }
    percentile_interval(vals, (size_t)resamples, level, &out->lo, &out->hi);
    free(rx);
    free(vals);
    return EB_OK;
}
