/* mannwhitney.c - the Mann-Whitney U test with tie correction (see eb_rank_tests.h).
 *
 * Exact route: under the null hypothesis every split of the pooled sample into groups
 * of na and nb is equally likely, so the distribution of the candidate's rank sum is
 * the distribution of sums of nb of the observed (doubled mid-)ranks, counted by a
 * subset-sum table. That keeps the test exact when there are ties, too. */
#include <math.h>
#include <stdlib.h>

#include "eb_rank_tests.h"
#include "ranks.h"

double eb_mann_whitney_min_p(size_t na, size_t nb)
{
    /* log C(na+nb, na) through lgamma keeps large sizes finite */
    double lc = lgamma((double)(na + nb) + 1) - lgamma((double)na + 1) - lgamma((double)nb + 1);
    double p = 2 * exp(-lc);
    return p > 1 ? 1 : p;
}

/* Two-sided exact p of the doubled rank sum s2 of nb items out of rank2[0..n). */
static eb_status exact_p(const long *rank2, size_t n, size_t nb, long s2, double *p)
{
    long max_sum = 0;
    for (size_t i = 0; i < n; i++)
        max_sum += rank2[i];
    size_t width = (size_t)max_sum + 1;
    double *cnt = calloc((nb + 1) * width, sizeof *cnt); /* cnt[k * width + s] */
    if (!cnt)
        return EB_ERR_NOMEM;
    cnt[0] = 1;
    for (size_t m = 0; m < n; m++) {
        size_t r = (size_t)rank2[m];
        size_t kmax = m + 1 < nb ? m + 1 : nb;
        for (size_t k = kmax; k >= 1; k--)
            for (size_t s = width - 1; s >= r; s--)
                cnt[k * width + s] += cnt[(k - 1) * width + s - r];
    }
    /* E[S2] = nb * (n + 1): the mean doubled rank is n + 1 */
    long mean2 = (long)nb * (long)(n + 1);
    long dev = labs(s2 - mean2);
    double tail = 0, total = 0;
    for (size_t s = 0; s < width; s++) {
        double c = cnt[nb * width + s];
        total += c;
        if (labs((long)s - mean2) >= dev)
            tail += c;
    }
    free(cnt);
    *p = total > 0 ? tail / total : 1;
    if (*p > 1)
        *p = 1;
    return EB_OK;
}

eb_status eb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                          eb_mwu *out)
{
    if (!a || !b || !out || na == 0 || nb == 0)
        return EB_ERR_ARG;
    size_t n = na + nb;
    double *v = malloc(n * sizeof *v);
    long *rank2 = malloc(n * sizeof *rank2);
    if (!v || !rank2) {
        free(v);
        free(rank2);
        return EB_ERR_NOMEM;
    }
    eb_status st = EB_OK;
    for (size_t i = 0; i < na; i++)
        v[i] = a[i];
    for (size_t j = 0; j < nb; j++)
        v[na + j] = b[j];
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            st = EB_ERR_ARG;
            goto done;
        }
    double ties = eb_midranks2(v, n, rank2);
    if (ties < 0) {
        st = EB_ERR_NOMEM;
        goto done;
    }
    long s2 = 0; /* doubled rank sum of b */
    for (size_t j = 0; j < nb; j++)
        s2 += rank2[na + j];
    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    double u = (double)s2 / 2 - dnb * (dnb + 1) / 2;
    *out = (eb_mwu){.u = u, .effect = u / (dna * dnb), .ties = ties > 0};
    if (n <= EB_RANK_EXACT_MAX) {
        out->exact = true;
        st = exact_p(rank2, n, nb, s2, &out->p);
        goto done;
    }
    double mean = dna * dnb / 2;
    double var = dna * dnb / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
    if (var <= 0) { /* every value equal: no evidence of a shift */
        out->p = 1;
        goto done;
    }
    double dev = fabs(u - mean) - 0.5;
    if (dev < 0)
        dev = 0;
    out->z = (u >= mean ? dev : -dev) / sqrt(var);
    out->p = erfc(fabs(out->z) / sqrt(2.0));
    if (out->p > 1)
        out->p = 1;
done:
    free(v);
    free(rank2);
    return st;
}
