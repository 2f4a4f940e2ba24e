/* eb_compare.h - the regression gate: pairs the results of two reports and decides,
 * per pair and metric, regression / improvement / no significant change.
 *
 * Pairing key: (target name, model, variant, scenario, threads). Sample metrics (p50,
 * p90, p99, throughput, energy) get the relative change, a bootstrap 95 % interval of
 * the ratio current / baseline, and a Mann-Whitney U test on the raw latency samples;
 * exact metrics (memory, size) are compared as numbers. A regression is a change worse
 * than the threshold that is also significant at alpha (exact metrics: any change is
 * certain, so only the threshold applies). */
#ifndef EB_COMPARE_H
#define EB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "eb_report.h"
#include "eb_status.h"

typedef enum {
    EB_METRIC_P50 = 1 << 0,
    EB_METRIC_P90 = 1 << 1,
    EB_METRIC_P99 = 1 << 2,
    EB_METRIC_THROUGHPUT = 1 << 3,
    EB_METRIC_MEMORY = 1 << 4, /* planned total (exact) and peak RSS (one measurement) */
    EB_METRIC_SIZE = 1 << 5,   /* weights + packed bytes (exact) */
    EB_METRIC_ENERGY = 1 << 6,
} eb_metric;

/* Parses "p50,p90,..." (also "all"); false on an unknown name (written to bad). */
bool eb_metrics_parse(const char *list, unsigned *mask, char *bad, size_t badlen);

typedef enum {
    EB_VERDICT_SAME = 0,
    EB_VERDICT_REGRESSION,
    EB_VERDICT_IMPROVEMENT,
} eb_verdict;
const char *eb_verdict_name(eb_verdict v); /* "no significant change", ... */

typedef struct {
    double threshold;  /* relative, e.g. 0.05 */
    double alpha;      /* significance level of the U test, e.g. 0.01 */
    double cv_warn;    /* warn when a side's CV exceeds this, e.g. 0.10 */
    double level;      /* confidence level of the ratio interval, 0.95 */
    int resamples;     /* bootstrap resamples */
    unsigned metrics;  /* eb_metric mask */
    bool allow_missing; /* a result without a partner is a warning, not an error */
    const char *method; /* how p and the interval were obtained, for the outputs' header;
                           NULL: compare's (bootstrap + Mann-Whitney on raw samples) */
} eb_cmp_options;

void eb_cmp_options_default(eb_cmp_options *o);

typedef struct {
    char pair[256];      /* "host/mobilenet_v1_int8" (+ " offline x4" when not 1-thread SS) */
    const char *metric;  /* "p50", "p90", "p99", "throughput", "memory", "rss", "size", "energy" */
    const char *unit;    /* "ms", "inf/s", "bytes", "J" */
    bool lower_is_better;
    bool exact;          /* compared as numbers, no test */
    double base, cur;
    double change;       /* cur / base - 1 */
    double ci_lo, ci_hi; /* interval of cur / base (NAN when exact) */
    double p, u, effect; /* Mann-Whitney on the latency samples (NAN when exact) */
    size_t n_base, n_cur;
    eb_verdict verdict;
    char note[160];      /* why, in a few words */
} eb_cmp_row;

typedef struct {
    eb_cmp_row *rows;
    size_t n_rows;
    char **warnings;
    size_t n_warnings;
    int regressions, improvements;
} eb_cmp_outcome;

/* Compares two loaded reports. Errors (EB_ERR_ARG with one sentence in err): a result
 * without a partner (unless allow_missing), two results with the same key, too few
 * samples for the U test to reach alpha, a metric neither side carries. */
eb_status eb_compare_reports(const eb_report *base, const eb_report *cur,
                             const eb_cmp_options *o, eb_cmp_outcome *out, char *err,
                             size_t errlen);
void eb_cmp_outcome_free(eb_cmp_outcome *o);

/* One sample metric on raw samples (lower is better, e.g. latencies): the change of the
 * q-quantile, its bootstrap interval, the U test and the verdict. Used by compare for
 * every quantile row and by `ab` on its round medians. */
eb_status eb_compare_samples(const double *base, size_t nb, const double *cur, size_t nc,
                             double q, const eb_cmp_options *o, eb_cmp_row *row);

/* Decides the verdict of a filled row from change, p (or exact) and the options. */
void eb_cmp_decide(eb_cmp_row *row, const eb_cmp_options *o);

/* Outputs. The files are written atomically (temp file + rename). */
void eb_cmp_print_table(FILE *f, const eb_cmp_outcome *out, const eb_cmp_options *o);
eb_status eb_cmp_write_junit(const char *path, const eb_cmp_outcome *out,
                             const eb_cmp_options *o, const char *suite, char *err,
                             size_t errlen);
eb_status eb_cmp_write_markdown(const char *path, const eb_cmp_outcome *out,
                                const eb_cmp_options *o, const char *title, char *err,
                                size_t errlen);

#endif
