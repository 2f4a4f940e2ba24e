/* ab_proto.h - the line protocol between `edgebench ab` and its `ab-worker` children
 * (described in cmd_abworker.c), parsed by small bounded functions that both sides and
 * the fuzz target (fuzz/fuzz_ab_proto.c) share. A worker is any binary the user names
 * with --baseline/--candidate, so its lines are untrusted input. */
#ifndef EB_AB_PROTO_H
#define EB_AB_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_status.h"

/* Most samples one "samples" line may carry: the worker's own cap on one measurement
 * (max_iterations in cmd_abworker.c). */
#define EB_AB_MAX_SAMPLES 1000000

/* Parses "samples <n> <ms> ... <ms>" (exactly n values, single spaces, each a finite
 * number >= 0, 1 <= n <= EB_AB_MAX_SAMPLES). On success *x is a malloc'd array of n
 * milliseconds (free it). On failure *x is NULL and err holds one sentence:
 * EB_ERR_PROTOCOL for a malformed line, EB_ERR_NOMEM when out of memory. */
eb_status eb_ab_parse_samples(const char *line, double **x, size_t *n, char *err,
                              size_t errlen);

/* Parses "measure <seconds>" with 0 < seconds < 3600; false when malformed. */
bool eb_ab_parse_measure(const char *line, double *secs);

#endif
