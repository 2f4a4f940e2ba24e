/* signedrank.c - the Wilcoxon signed-rank test (see eb_rank_tests.h), used by `ab` on
 * the per-round log ratios of paired rounds. Zero differences are dropped (Wilcoxon's
 * convention); tied |d| share midranks. The exact route counts, over all 2^n sign
 * assignments, the sums of the observed doubled ranks. */
#include <math.h>
#include <stdlib.h>

#include "eb_rank_tests.h"
#include "ranks.h"

eb_status eb_wilcoxon_signed_rank(const double *d, size_t n, eb_signed_rank *out)
{
    if (!d || !out)
        return EB_ERR_ARG;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(d[i]))
            return EB_ERR_ARG;
    *out = (eb_signed_rank){.p = 1};
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += d[i] != 0;
    out->n = m;
    if (m == 0)
        return EB_OK;
    double *absd = malloc(m * sizeof *absd);
    long *rank2 = malloc(m * sizeof *rank2);
    int *pos = malloc(m * sizeof *pos);
    double *cnt = NULL;
    eb_status st = EB_OK;
    if (!absd || !rank2 || !pos) {
        st = EB_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0, k = 0; i < n; i++)
        if (d[i] != 0) {
            absd[k] = fabs(d[i]);
            pos[k++] = d[i] > 0;
        }
    double ties = eb_midranks2(absd, m, rank2);
    if (ties < 0) {
        st = EB_ERR_NOMEM;
        goto done;
    }
    long w2 = 0, total2 = 0;
    for (size_t k = 0; k < m; k++) {
        total2 += rank2[k];
        if (pos[k])
            w2 += rank2[k];
    }
    out->w_plus = (double)w2 / 2;
    double dm = (double)m;
    if (m <= EB_RANK_EXACT_MAX) {
        out->exact = true;
        size_t width = (size_t)total2 + 1;
        cnt = calloc(width, sizeof *cnt);
        if (!cnt) {
            st = EB_ERR_NOMEM;
            goto done;
        }
        cnt[0] = 1;
        for (size_t k = 0; k < m; k++) {
            size_t r = (size_t)rank2[k];
            for (size_t s = width - 1; s >= r; s--)
                cnt[s] += cnt[s - r];
        }
        /* W2 is symmetric around total2 / 2; compare doubled deviations to stay integer */
        long dev = labs(2 * w2 - total2);
        double tail = 0, all = 0;
        for (size_t s = 0; s < width; s++) {
            all += cnt[s];
            if (labs(2 * (long)s - total2) >= dev)
                tail += cnt[s];
        }
        out->p = tail / all > 1 ? 1 : tail / all;
        goto done;
    }
    double mean = dm * (dm + 1) / 4;
    double var = dm * (dm + 1) * (2 * dm + 1) / 24 - ties / 48;
    if (var <= 0)
        goto done;
    double dev = fabs(out->w_plus - mean) - 0.5;
    if (dev < 0)
        dev = 0;
    out->z = (out->w_plus >= mean ? dev : -dev) / sqrt(var);
    out->p = erfc(fabs(out->z) / sqrt(2.0));
    if (out->p > 1)
        out->p = 1;
done:
    free(absd);
    free(rank2);
    free(pos);
    free(cnt);
    return st;
}
