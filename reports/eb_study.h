/* eb_study.h - hardware-selection studies: per target and model, latency, throughput,
 * energy, memory and cost, measured where the target can be reached and predicted from
 * its specification elsewhere.
 *
 * The prediction model (stated in every study's output):
 *   roofline(op, T)  = max(macs(op) / peak_T(dtype), bytes(op) / bandwidth_T)
 *   roofline(model)  = sum over the model's ops (one inference, one core: single-stream)
 *   predicted_T(m)   = roofline_T(m) / efficiency(m)
 *   efficiency(m)    = roofline_host(m) / measured_host(m)   (calibration on the host)
 * i.e. a model reaches the same fraction of the roofline on every target as it does on
 * the host. Without a host measurement of m, the median efficiency of the models that
 * were measured is used; with none at all the roofline itself is the prediction
 * (marked uncalibrated). */
#ifndef EB_STUDY_H
#define EB_STUDY_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_plot.h"
#include "eb_report.h"
#include "eb_status.h"

typedef struct {
    char name[64], arch[32];
    int cores;
    double clock_mhz;            /* NAN: unknown */
    double memory_bytes;         /* NAN: unknown */
    double bandwidth_gbs;        /* memory bandwidth; NAN: unknown */
    double core_gmacs_fp32;      /* peak of ONE core, GMAC/s; NAN: unknown */
    double core_gmacs_int8;
    double price_usd;            /* NAN: unknown */
    double idle_w, active_w;     /* power model */
    char peak_source[160];       /* how the peaks were obtained, for the model section */
} eb_study_target;

/* Which inner loop an op spends its MACs in (for the issue-width model of --validate). */
typedef enum {
    EB_ROOF_OTHER = 0, /* pools, adds, softmax: memory traffic only */
    EB_ROOF_GEMM,      /* conv2d and fully connected: the GEMM core */
    EB_ROOF_DW,        /* depthwise conv */
} eb_roof_kind;

typedef struct {
    double macs;  /* multiply-accumulates of one op, one inference */
    double bytes; /* weights + activations it touches */
    bool int8;
    eb_roof_kind kind;
    double units; /* pieces a context with threads divides it into (eb_op_info.split_units):
                   * 1 = one thread always; 0 = unknown, taken as dividing evenly */
} eb_roof_op;

/* The roofline time of ops[0..n) on one core of t, in ms; NAN when the target lacks
 * the peak or bandwidth the ops need. */
double eb_roofline_ms(const eb_roof_op *ops, size_t n, const eb_study_target *t);

/* The thread-scaling model (edgebench's pool, models/executor.c): an op of `units` pieces
 * run by min(threads, cores) threads takes as long as its largest part, ceil(units / p) of
 * the units with p = min(threads, cores, units); an op of one unit (under 200 k MACs or
 * 32 k elements, or nothing to divide) stays on one thread. Returns that fraction of the
 * op's one-thread compute time. Memory traffic is not divided (the threads share the
 * bus). Left out, and so the model's limits: the fork/join cost per op (microseconds),
 * contention in shared caches beyond the bandwidth term, clocks lowered with all cores
 * busy (thermal or power limits), and other load on the cores. */
double eb_thread_share(double units, int threads, int cores);

/* eb_roofline_ms with each op's compute split over threads by eb_thread_share. */
double eb_roofline_threads_ms(const eb_roof_op *ops, size_t n, const eb_study_target *t,
                              int threads);

typedef enum {
    EB_SRC_NONE = 0,   /* unknown: the cell is empty */
    EB_SRC_MEASURED,   /* measured on the target */
    EB_SRC_EMULATED,   /* measured under emulation (not representative of speed) */
    EB_SRC_PREDICTED,  /* predicted by the calibrated roofline */
    EB_SRC_ROOFLINE,   /* predicted by the uncalibrated roofline */
    EB_SRC_SPEC,       /* from the target's specification */
} eb_src;

const char *eb_src_tag(eb_src s);  /* "m", "e", "p", "r", "s", "" */
const char *eb_src_name(eb_src s); /* "measured", ... */

typedef struct {
    double v;
    eb_src src;
} eb_cell;

/* One row of the study: a (target, model) pair. Missing values have src EB_SRC_NONE. */
typedef struct {
    char target[64], model[128];
    eb_cell p50_ms, p90_ms, throughput_ips, energy_j, memory_bytes, target_memory_bytes,
        price_usd, cost_per_m_usd;
    int meets_budget;  /* 1 yes, 0 no, -1 unknown or no budget */
    double roofline_ms; /* raw roofline on this target, NAN when not computable */
    /* one inference over all the target's cores: measured when a result ran with that
     * many threads, else p50 x roofline(threads = cores) / roofline(1) (eb_thread_share) */
    int all_threads;    /* the target's cores */
    eb_cell p50_all_ms;
} eb_study_row;

/* How far a target's predictions are off, from `study --validate`'s leave-one-out table of
 * published figures (study.md states it per target). */
typedef struct {
    char target[64];
    size_t figures;          /* published figures of it (0: unvalidated) */
    double median_abs_error; /* of |predicted / published - 1| */
    double worst_abs_error;
} eb_study_expected;

typedef struct {
    double latency_budget_ms; /* NAN: none */
    double amortize_years;    /* hardware price spread over this many years of use */
    double kwh_usd;           /* electricity price */
    /* per target, its expected error (NULL: not known); after the last, an entry with an
     * empty name holds the totals: figures, median |error|, worst ratio */
    const eb_study_expected *expected;
    size_t n_expected;
} eb_study_options;

void eb_study_options_default(eb_study_options *o);

/* What the study knows about one model (a zoo variant): its ops for the roofline and
 * its planned memory, plus the host measurement used to calibrate. */
typedef struct {
    char name[128];
    eb_roof_op *ops;          /* not owned */
    size_t n_ops;
    double planned_total_bytes; /* NAN: unknown */
} eb_study_model;

/* A measured (or emulated) result to put into the table as it is. */
typedef struct {
    const eb_report_result *result;
    const eb_report *report; /* the report it comes from (target name, emulated) */
} eb_study_measured;

/* The calibration of one model on the host. */
typedef struct {
    char model[128];
    double host_roofline_ms, host_measured_ms; /* NAN when unknown */
    double efficiency;                         /* roofline / measured; NAN when unknown */
} eb_study_calibration;

typedef struct {
    eb_study_row *rows;
    size_t n_rows;
    eb_study_calibration *calibration; /* one per model */
    size_t n_models;
    double efficiency_median; /* NAN when nothing calibrated */
    char host[64];            /* the calibration target ("" when none) */
} eb_study;

/* Builds the table for targets x models. measured[] holds results measured on some of
 * the targets (matched by report target name and result name); everything else is
 * predicted. host is the target the calibration uses (its measured results against its
 * roofline). */
eb_status eb_study_build(const eb_study_target *targets, size_t nt, const eb_study_model *models,
                         size_t nm, const eb_study_measured *measured, size_t nmeas,
                         const eb_study_target *host, const eb_study_options *o, eb_study *out,
                         char *err, size_t errlen);
void eb_study_free(eb_study *s);

/* study.md, study.csv and the plots' data and scripts into dir (rendering: eb_plot_render
 * on *plots, which the caller frees with eb_plot_list_free). */
eb_status eb_study_write(const eb_study *s, const eb_study_target *targets, size_t nt,
                         const eb_study_target *host, const eb_study_options *o,
                         const char *dir, eb_plot_format fmt, eb_plot_list *plots, char *err,
                         size_t errlen);

/* ---- study --validate: predictions against published measurements of real boards ----
 *
 * The model (one inference of m on target T with n threads, code for 32- or 64-bit):
 *   compute(op) = macs(op) x cycles_per_mac_T,bits(kind(op), dtype) / clock_T
 *                 x eb_thread_share(units(op), n, cores)    (the largest part of its split)
 *   memory(op)  = bytes(op) / bandwidth_T                   (shared by all threads)
 *   raw         = sum over ops of max(compute(op), memory(op))
 *   predicted   = k_dtype x raw
 * cycles_per_mac comes from llvm-mca on edgebench's own NEON inner loops for the core
 * (targets/issue/neon_issue.json, scripts/mca_neon.py); k_dtype (one for fp32, one for int8)
 * is how much slower the published runtime was than that issue-bound ideal: the
 * geometric mean of published / raw over the figures of that dtype, and each figure is
 * predicted with k fitted WITHOUT itself (leave-one-out). */

typedef struct {
    double gemm_f32, dwconv_f32, gemm_s8, dwconv_s8, gemm_s8_dot; /* cycles per MAC; NAN */
} eb_issue_cost;

typedef struct {
    char name[64], cpu[32];
    int cores;
    double clock_mhz, bandwidth_gbs; /* NAN: unknown */
    bool dotprod;                    /* SDOT kernels run on 64-bit code */
    eb_issue_cost issue64, issue32;  /* aarch64 and armhf code */
} eb_val_target;

typedef struct {
    size_t target;               /* index into the targets */
    const eb_study_model *model; /* the zoo variant's ops */
    bool int8;
    char runtime[64];
    int threads, os_bits;
    double published_ms;
    char source[640]; /* "title, date, url" */
} eb_val_figure;

typedef struct {
    double raw_ms;       /* the model before k; NAN when the target lacks a number */
    double compute_ms, memory_ms; /* raw split: ops bound by issue / by memory */
    double k;            /* leave-one-out constant used */
    double predicted_ms; /* NAN when not predictable */
    double error;        /* predicted / published - 1 */
} eb_val_result;

typedef struct {
    size_t n;               /* figures predicted */
    double median_abs_error; /* of |error| */
    double worst_ratio;      /* max over figures of max(pred/pub, pub/pred) */
    double k_fp32, k_int8;   /* fitted on all figures (what non-validated predictions use) */
} eb_val_summary;

/* The median and worst |error| of the figures of target t, and how many there are. */
void eb_val_target_error(const eb_val_figure *f, const eb_val_result *r, size_t nf, size_t t,
                         double *median, double *worst, size_t *count);

/* raw model time in ms (see above); NAN when a needed cost is unknown */
double eb_val_raw_ms(const eb_val_target *t, const eb_study_model *m, bool int8, int threads,
                     int os_bits, double *compute_ms, double *memory_ms);

/* Predicts every figure leave-one-out into res[0..nf). */
eb_status eb_validate(const eb_val_target *ts, size_t nt, const eb_val_figure *figs, size_t nf,
                      eb_val_result *res, eb_val_summary *sum, char *err, size_t errlen);

/* validate.md, validate.csv and the predicted-vs-published plot (log-log, 1:1 line) into
 * dir; untested[] names targets without a published figure (said so in validate.md). */
eb_status eb_validate_write(const eb_val_target *ts, size_t nt, const eb_val_figure *figs,
                            size_t nf, const eb_val_result *res, const eb_val_summary *sum,
                            const char *const *untested, size_t nuntested, const char *dir,
                            eb_plot_format fmt, eb_plot_list *plots, char *err, size_t errlen);

#endif
