/* eb_ab.h - the statistics of an interleaved A/B run (`edgebench ab`).
 *
 * Each round measures A and B back to back, so both see the same machine state; the
 * per-round ratio r_i = median_B,i / median_A,i cancels the state. The decision uses the
 * paired rounds: change = median(r_i) - 1, its percentile-bootstrap interval over rounds,
 * and a Wilcoxon signed-rank test of log r_i against 0; regression / improvement by the
 * same threshold and alpha as `compare`. The unpaired view (Mann-Whitney U on the round
 * medians, exactly compare's test) is reported beside it. */
#ifndef EB_AB_H
#define EB_AB_H

#include <stddef.h>

#include "eb_compare.h"

/* Fewest rounds whose signed-rank test can reach alpha (2 / 2^n < alpha). */
size_t eb_ab_min_rounds(double alpha);

/* a[i], b[i]: the medians of round i. Fills `paired` (the decision) and `unpaired`
 * (Mann-Whitney U on the two sets of round medians); pair and metric names are the
 * caller's. EB_ERR_ARG on fewer than 2 rounds or non-positive medians. */
eb_status eb_ab_decide(const double *a, const double *b, size_t rounds, const eb_cmp_options *o,
                       eb_cmp_row *paired, eb_cmp_row *unpaired);

#endif
