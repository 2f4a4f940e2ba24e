/* ab.c - paired-rounds decision of `edgebench ab` (eb_ab.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_ab.h"
#include "eb_bootstrap.h"
#include "eb_rank_tests.h"

size_t eb_ab_min_rounds(double alpha)
{
    size_t n = 1;
    while (n < 60 && 2.0 / ldexp(1.0, (int)n) >= alpha)
        n++;
    return n;
}

eb_status eb_ab_decide(const double *a, const double *b, size_t rounds, const eb_cmp_options *o,
                       eb_cmp_row *paired, eb_cmp_row *unpaired)
{
    if (rounds < 2)
        return EB_ERR_ARG;
    for (size_t i = 0; i < rounds; i++)
        if (!(a[i] > 0) || !(b[i] > 0) || !isfinite(a[i]) || !isfinite(b[i]))
            return EB_ERR_ARG;
    double *ratio = malloc(rounds * sizeof *ratio), *logr = malloc(rounds * sizeof *logr);
    double *tmp = malloc(rounds * sizeof *tmp);
    if (!ratio || !logr || !tmp) {
        free(ratio);
        free(logr);
        free(tmp);
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < rounds; i++) {
        ratio[i] = b[i] / a[i];
        logr[i] = log(ratio[i]);
    }
    eb_status st = eb_compare_samples(a, rounds, b, rounds, 0.5, o, unpaired);
    if (st != EB_OK)
        goto done;
    eb_signed_rank w;
    if ((st = eb_wilcoxon_signed_rank(logr, rounds, &w)) != EB_OK)
        goto done;
    eb_value_ci ci;
    st = eb_bootstrap_quantile(ratio, rounds, 0.5, o->resamples, o->level, EB_BOOTSTRAP_SEED,
                               &ci);
    if (st != EB_OK)
        goto done;
    paired->lower_is_better = true;
    paired->exact = false;
    memcpy(tmp, a, rounds * sizeof *tmp);
    paired->base = eb_quantile_inplace(tmp, rounds, 0.5);
    memcpy(tmp, b, rounds * sizeof *tmp);
    paired->cur = eb_quantile_inplace(tmp, rounds, 0.5);
    paired->change = ci.value - 1;
    paired->ci_lo = ci.lo;
    paired->ci_hi = ci.hi;
    paired->p = w.p;
    paired->u = w.w_plus;
    paired->effect = NAN;
    paired->n_base = paired->n_cur = rounds;
    eb_cmp_decide(paired, o);
done:
    free(ratio);
    free(logr);
    free(tmp);
    return st;
}
