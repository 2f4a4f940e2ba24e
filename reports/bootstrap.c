/* bootstrap.c - quantiles and percentile-bootstrap intervals (see eb_bootstrap.h). */
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

/* k-th smallest (0-based) of x[0..n), partially reordering x (Hoare selection). */
static double select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = x[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
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
    double lo = select_kth(x, n, k);
    if (k + 1 >= n || h == (double)k)
        return lo;
    /* after selecting k, the (k+1)-th smallest is the minimum of x[k+1..n) */
    double hi = x[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (x[i] < hi)
            hi = x[i];
    return lo + (h - (double)k) * (hi - lo);
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

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static double sorted_quantile(const double *r, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t k = (size_t)floor(h);
    if (k + 1 >= n)
        return r[n - 1];
    return r[k] + (h - (double)k) * (r[k + 1] - r[k]);
}

/* The central `level` interval of r[0..n) (sorts r). */
static void percentile_interval(double *r, size_t n, double level, double *lo, double *hi)
{
    qsort(r, n, sizeof *r, cmp_double);
    double tail = (1 - level) / 2;
    *lo = sorted_quantile(r, n, tail);
    *hi = sorted_quantile(r, n, 1 - tail);
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
