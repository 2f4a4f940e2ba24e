/* eb_report_data.h - what compare, plot, study and ab read from a schema_version 1
 * report (see reports/README.md): copied out of the JSON into plain structs.
 * Numbers a report does not carry are NAN; strings it does not carry are "". */
#ifndef EB_REPORT_DATA_H
#define EB_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_status.h"

typedef struct {
    char name[48], type[24], kernel[64];
    double macs, median_ms, share, gmacs;
} eb_rop;

typedef struct {
    char target[64], model[64], variant[64], scenario[32], name[128];
    int threads;
    bool complete;
    double *samples_ms; /* owned; every timed inference, in order */
    size_t n_samples;
    double median_ms, p90_ms, p99_ms, mean_ms, cv, ci_lo_ms, ci_hi_ms; /* ci95_median */
    double throughput_ips, macs, params;
    double planned_total_bytes, peak_rss_bytes, weights_bytes;
    double model_bytes; /* weights + packed */
    double energy_j;
    char energy_method[16]; /* "estimated", "measured" or "" */
    bool has_fidelity;      /* false: fidelity null, i.e. the fp32 dense reference */
    double sqnr_db, cosine, top1_agreement;
    char kernels[512];      /* "op=kernel,..." sorted, to tell kernel sets apart */
    eb_rop *profile;        /* owned; NULL when the run had no --profile */
    size_t n_profile;
} eb_rresult;

typedef struct {
    char path[512];
    int schema_version;
    bool complete, sanitized, emulated;
    char created_utc[32], cpu[128], kernel_set[32], build_type[32], git[64];
    char target[64], arch[32], transport[16];
    double target_cores, target_memory_bytes, price_usd, idle_w, active_w;
    char warnings[16][256]; /* the report's own warnings (the first 16) */
    size_t n_warnings;
    eb_rresult *results;
    size_t n_results;
} eb_rdata;

/* Reads a report file. On failure writes one sentence to err naming the file and what
 * is wrong (unreadable, not JSON, wrong schema_version, a field missing). */
eb_status eb_rdata_load(const char *path, eb_rdata *out, char *err, size_t errlen);
/* Same from a JSON text already in memory (`path` only names it in messages). */
eb_status eb_rdata_parse(const char *json, const char *path, eb_rdata *out, char *err,
                         size_t errlen);
void eb_rdata_free(eb_rdata *r);

#endif
