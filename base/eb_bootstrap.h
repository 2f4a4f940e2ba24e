/* eb_bootstrap.h - percentile-bootstrap confidence intervals for the gates; quantiles
 * are eb_stats.h's (type 7).
 *
 * Resampling is deterministic: a fixed seed gives the same interval on every machine,
 * so a gate's output does not change between two runs on the same reports. */
#ifndef EB_BOOTSTRAP_H
#define EB_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "eb_stats.h"
#include "eb_status.h"

#define EB_BOOTSTRAP_RESAMPLES 2000
#define EB_BOOTSTRAP_SEED 0x6564676562656e63ull /* "edgebenc" */

typedef enum {
    EB_STAT_QUANTILE, /* the q-quantile (q = 0.5: the median) */
    EB_STAT_MEAN,
} eb_stat_kind;

typedef struct {
    double ratio; /* stat(b) / stat(a) on the data themselves */
    double lo, hi; /* the central `level` percentile interval of the resampled ratios */
} eb_ratio_ci;

/* Two independent samples: resamples a and b (with replacement, each its own size)
 * `resamples` times and takes the ratio stat(b) / stat(a). level e.g. 0.95. */
eb_status eb_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
                             eb_stat_kind kind, double q, int resamples, double level,
                             uint64_t seed, eb_ratio_ci *out);

typedef struct {
    double value;  /* the q-quantile of x */
    double lo, hi;
} eb_value_ci;

/* One sample: the percentile bootstrap interval of its q-quantile. */
eb_status eb_bootstrap_quantile(const double *x, size_t n, double q, int resamples,
                                double level, uint64_t seed, eb_value_ci *out);

#endif
