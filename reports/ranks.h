/* ranks.h - midranks shared by the rank tests (internal to reports/). */
#ifndef EB_RANKS_H
#define EB_RANKS_H

#include <stddef.h>

/* Ranks v[0..n) from 1 (smallest) to n, tied values sharing the mean of their ranks.
 * Writes twice each midrank (always an integer) to rank2[i] and returns the tie term
 * sum over tie groups of (t^3 - t). Returns -1 when scratch memory fails. */
double eb_midranks2(const double *v, size_t n, long *rank2);

#endif
