/* eb_report.h - the run report (schema_version 2) as C structs, its JSON writer and
 * reader. Field by field documentation: reports/README.md; the shape is fixed by
 * reports/schema.json.
 *
 * Conventions: times in milliseconds, sizes in bytes, energy in joules. A double that
 * is NaN is written as JSON null ("unknown"); an int64 below 0 likewise. Arrays of a
 * result are owned by the report and freed by eb_report_free().
 */
#ifndef EB_REPORT_H
#define EB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_status.h"
#include "eb_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_REPORT_SCHEMA_VERSION 2   /* written; versions 1 .. this one are read */
#define EB_REPORT_MAX_WARNINGS 32
#define EB_REPORT_MAX_KERNELS 32
#define EB_REPORT_MAX_ISA 16

struct cJSON; /* from <cjson/cJSON.h> */

/* The report's copy of the target description (targets/eb_target.h's eb_target_desc,
 * which bench/ copies in; reports/ does not depend on targets/). */
typedef struct {
    double idle_w, active_w;
    char source[512]; /* where the figures come from */
} eb_report_power_model;

typedef struct {
    char name[64];      /* "host", "rpi4" */
    char arch[32];      /* "x86_64", "aarch64", "armhf" */
    char transport[16]; /* "local", "serial", "tcp", "rfc2217", "ssh", "emulated", "lava" */
    bool emulated;
    int32_t cores;
    double clock_mhz;       /* NaN: unknown */
    int64_t memory_bytes;   /* < 0: unknown */
    double price_usd;       /* NaN: unknown */
    eb_report_power_model power_model;
} eb_report_target;

typedef struct {
    bool cpu_known; /* false: the cpu block is written with nulls */
    char vendor[32], brand[96], codename[64];
    int32_t cores, threads;
    int32_t l1d_kb, l2_kb, l3_kb; /* < 0: unknown */
    char isa_features[EB_REPORT_MAX_ISA][16];
    size_t n_isa_features;
    char kernel_set[16];
    char os_kernel[160], hostname[96];
    char governor[32];         /* "": unreadable */
    double frequency_mhz;      /* NaN: unreadable */
    double temperature_c;      /* NaN: unreadable */
    double load_before[3], load_after[3]; /* NaN: unreadable */
} eb_report_env;

typedef struct {
    char op[32];   /* table entry, e.g. "conv2d_s8" */
    char name[64]; /* function, e.g. "eb_conv2d_s8_avx2" */
} eb_report_kernel;

typedef struct {
    char op[64], type[32], kernel[64];
    uint64_t macs;
    double median_ms, gmacs, share;
} eb_report_profile_op;

typedef struct {
    uint64_t weights_bytes, packed_bytes, arena_bytes, scratch_bytes;
    uint64_t arena_lower_bound_bytes, planned_total_bytes;
    int64_t peak_rss_bytes;       /* < 0: not measured */
    int64_t rusage_maxrss_bytes;  /* getrusage ru_maxrss (process lifetime); < 0: none */
    char rss_method[96];
} eb_report_memory;

typedef struct {
    char method[16]; /* "measured" or "estimated" */
    double joules_per_inference, average_power_w;
    char detail[768];
} eb_report_energy;

typedef struct {
    bool available;
    char reason[384]; /* when not available */
    char source[16];  /* "papi" or "perf_event" when available */
    double cycles, instructions, ipc, cache_misses, branch_misses; /* per inference */
} eb_report_counters;

typedef struct {
    double sqnr_db, cosine, top1_agreement, max_abs_err; /* sqnr NaN/inf: null */
    int32_t inputs;
} eb_report_fidelity;

/* How a device that times windows of inferences (MLPerf Tiny) was driven. */
typedef struct {
    bool present;          /* false: not written (every other kind of result) */
    uint32_t inferences;   /* timed inferences per window */
    uint32_t warmup;       /* warm-up inferences the device ran before each window */
    double target_s;       /* window length asked for (--window) */
    double shortest_s;     /* shortest window the device timed */
    double minimum_s;      /* MLPerf Tiny's minimum window (10 s) */
    bool below_minimum;    /* a window was shorter than minimum_s */
    uint32_t resets;       /* device resets seen (each dropped a window, input reloaded) */
    uint32_t dropped;      /* windows dropped */
    uint32_t counter_wraps; /* windows across a 32-bit counter wrap (taken modulo 2^32) */
    double lap_overhead_us; /* the device's own cost inside a window (its m-lap-us printing), from
                             * the calibration; NaN: unknown */
    char input[200];       /* what was loaded with db */
} eb_report_device_windows;

/* Accuracy on a labelled dataset (--dataset): the confusion matrix and what follows
 * from it. Optional in the JSON ("accuracy" absent: not measured). */
#define EB_REPORT_MAX_CLASSES 256
typedef struct {
    char dataset[512];    /* the folder as given */
    int32_t classes;      /* 1 .. EB_REPORT_MAX_CLASSES */
    uint64_t inputs, correct;
    uint64_t *confusion;  /* classes x classes, row = true class, column = predicted */
    char (*names)[32];    /* classes entries ("" unnamed); may be NULL */
} eb_report_accuracy;

typedef struct {
    char model[48], variant[32], name[96], scenario[16];
    char import_note[256]; /* what a model file's importer folded or converted; "" none */
    int32_t threads; /* per inference (the pool one inference is split over) */
    int32_t streams; /* inferences at once (offline); 1 in single-stream */
    bool complete;
    eb_report_kernel kernels[EB_REPORT_MAX_KERNELS];
    size_t n_kernels;
    uint64_t macs, params;
    eb_stats latency; /* of samples_ms */
    double *samples_ms;
    size_t n_samples;
    double *repetition_medians_ms;
    size_t n_repetitions;
    double throughput_ips;
    double *repetition_throughput_ips; /* n_repetitions entries, may be NULL */
    double *per_thread_latency_ms;     /* offline only, one per stream; NULL otherwise */
    size_t n_threads_latency;
    eb_report_memory memory;
    eb_report_energy energy;
    eb_report_counters counters;
    bool has_fidelity; /* false: "fidelity": null */
    eb_report_fidelity fidelity;
    eb_report_profile_op *profile; /* NULL: "profile": null */
    size_t n_profile;
    bool window_latency;
    eb_report_device_windows device_windows;
    eb_report_accuracy *accuracy; /* NULL: not measured ("accuracy" not written) */
    char input[512]; /* what was timed: "" generated input 0, else the --input file or
                        "DIR (N files, cycled)"; written only when not "" */
} eb_report_result;

#define EB_REPORT_MAX_THREAD_COUNTS 8 /* `run --threads a,b,...` */

typedef struct {
    int32_t warmup;
    double warmup_min_time_s;
    int32_t min_iterations;
    double min_time_s;
    int32_t max_iterations; /* per repetition */
    int32_t repetitions;
    char kernels[16], scenario[16];
    int32_t threads; /* per inference (with thread_counts: the first) */
    int32_t streams;
    bool profile, counters;
    /* `run --threads 1,2,4`: every count measured, one result per model and count (0 or 1
     * count: the report has none, "threads" says it) */
    int32_t thread_counts[EB_REPORT_MAX_THREAD_COUNTS];
    int n_thread_counts;
} eb_report_settings;

typedef struct {
    char path[512]; /* the file it was read from ("" when made in memory; not in the JSON) */
    bool complete;
    char created_utc[32]; /* "2026-11-22T03:04:05Z" */
    struct {
        char version[32], git[64], build_type[32], compiler[64], cflags[512];
        bool sanitized;
    } edgebench;
    eb_report_settings settings;
    eb_report_target target;
    eb_report_env environment;
    char warnings[EB_REPORT_MAX_WARNINGS][256];
    size_t n_warnings;
    eb_report_result *results;
    size_t n_results;
} eb_report;

/* Zeroes a report and sets every "unknown" field to its unknown value. */
void eb_report_init(eb_report *r);
void eb_report_result_init(eb_report_result *res);
/* Frees the results and their arrays (not r itself). */
void eb_report_free(eb_report *r);
void eb_report_result_free(eb_report_result *res);
/* A zeroed confusion matrix of `classes` classes (NULL: out of memory or out of range);
 * freed with the result, or by eb_report_accuracy_free. */
eb_report_accuracy *eb_report_accuracy_new(int32_t classes);
void eb_report_accuracy_free(eb_report_accuracy *a);
/* Appends a warning (deduplicated; silently dropped past the maximum). printf format. */
void eb_report_warn(eb_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* JSON text of the report (malloc'd, caller frees); NULL when out of memory. */
char *eb_report_to_string(const eb_report *r);

/* The report's JSON text (malloc'd) after checking it with the report reader (strict
 * JSON and reports/schema.json): a report that does not validate is a bug in edgebench
 * and is refused with EB_ERR_FORMAT and the JSON path of the problem in err. Every
 * report the program writes (file or stdout) goes through this. */
eb_status eb_report_render(const eb_report *r, char **text, char *err, size_t errlen);

/* Writes the (validated) report to path atomically: a temporary file in the same folder,
 * then rename, replacing what is there. On failure nothing is left at path or beside
 * it; err gets one sentence. */
eb_status eb_report_write_file(const eb_report *r, const char *path, char *err, size_t errlen);

/* Same, but never replaces a file: when path exists (another run wrote it meanwhile) the
 * report goes to path with .1, .2, ... before its extension; the name used is copied to
 * written. */
eb_status eb_report_write_new(const eb_report *r, const char *path, char *written,
                              size_t wcap, char *err, size_t errlen);

/* Writes text to path atomically (temporary file in the same folder + rename). */
eb_status eb_write_file_atomic(const char *path, const char *text, char *err, size_t errlen);
/* Same without replacing an existing file (see eb_report_write_new). */
eb_status eb_write_file_new(const char *path, const char *text, char *written, size_t wcap,
                            char *err, size_t errlen);

/* ---- the console summary (report_summary.c) ---- */

/* Every result (latency, throughput, memory, energy, counters, fidelity, profile), the
 * warnings and, when out_path is not NULL, where the report was written. power_file
 * names where the power model of an estimated energy came from. */
void eb_report_print_summary(FILE *f, const eb_report *r, const char *out_path,
                             const char *power_file);

/* ---- reading (report_read.c) ---- */

/* The schema report documents are validated against (reports/schema.json, built in). */
const char *eb_report_schema_text(void);

/* Parses JSON text and validates it against the schema. On success *out is the cJSON
 * tree (free with cJSON_Delete). err: one sentence with the JSON path of the problem. */
eb_status eb_report_parse(const char *text, struct cJSON **out, char *err, size_t errlen);
/* Same on len bytes that need not end with a NUL. Strict: a NUL byte, anything after the
 * document, a key twice in one object, a number beyond double range or a string that
 * is not UTF-8 is refused (other JSON readers would read such a file differently). */
eb_status eb_report_parse_bytes(const char *text, size_t len, struct cJSON **out, char *err,
                                size_t errlen);
/* Validates a tree against the built-in schema; false with the JSON path of the first
 * problem in err. */
bool eb_report_validate(const struct cJSON *doc, char *err, size_t errlen);
/* Same, from a file. */
eb_status eb_report_load(const char *path, struct cJSON **out, char *err, size_t errlen);
/* A validated tree into structs (eb_report_free releases it). */
eb_status eb_report_from_json(const struct cJSON *tree, eb_report *out, char *err,
                              size_t errlen);
/* Load + validate + convert in one step; out->path is set. On failure out is empty (no
 * need to free) and err is one sentence naming the file: unreadable, too large, not
 * JSON, another schema_version, or the JSON path of the first field the schema rejects. */
eb_status eb_report_read(const char *path, eb_report *out, char *err, size_t errlen);
/* Same from JSON text in memory (a child's --json output); `path` names it in messages
 * and in out->path. */
eb_status eb_report_read_text(const char *json, const char *path, eb_report *out, char *err,
                              size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
