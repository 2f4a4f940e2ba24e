/* eb_rank_tests.h - rank tests used by the regression gates: Mann-Whitney U (two
 * independent samples, `compare`) and Wilcoxon signed-rank (paired rounds, `ab`).
 *
 * Both handle ties with midranks. p-values are two-sided. Small samples get the exact
 * permutation distribution of the rank statistic given the observed ties (so they are
 * exact even with ties); larger ones the normal approximation with the tie-corrected
 * variance and a continuity correction of 1/2.
 */
#ifndef EB_RANK_TESTS_H
#define EB_RANK_TESTS_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_status.h"

/* Pooled sizes up to this use the exact distribution (Mann-Whitney: na + nb; signed
 * rank: non-zero differences). */
#define EB_RANK_EXACT_MAX 60

typedef struct {
    double u;      /* U of sample b: pairs (a_i, b_j) with b_j > a_i, a tie counts 1/2 */
    double effect; /* u / (na * nb): P(b > a) + P(b == a) / 2; 0.5 means no shift */
    double z;      /* normal-approximation z (sign: b larger is positive); 0 if exact */
    double p;      /* two-sided p-value */
    bool exact;    /* p from the exact permutation distribution */
    bool ties;     /* some values occur more than once in the pooled sample */
} eb_mwu;

/* Mann-Whitney U test of a (baseline) against b (candidate). Needs na, nb >= 1 and
 * finite values (EB_ERR_ARG otherwise); EB_ERR_NOMEM if scratch memory fails. */
eb_status eb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                          eb_mwu *out);

/* Smallest two-sided p-value the Mann-Whitney test can give for these sizes without
 * ties: 2 / C(na + nb, na). When it is not below alpha no data can be significant. */
double eb_mann_whitney_min_p(size_t na, size_t nb);

typedef struct {
    double w_plus; /* sum of the ranks of |d| over the positive differences */
    size_t n;      /* differences used (zeros are dropped) */
    double z;      /* normal approximation z; 0 if exact */
    double p;      /* two-sided p-value (1 when n == 0) */
    bool exact;
} eb_signed_rank;

/* Wilcoxon signed-rank test of the differences d[0..n) against a zero median. */
eb_status eb_wilcoxon_signed_rank(const double *d, size_t n, eb_signed_rank *out);

#endif
