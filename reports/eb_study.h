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

typedef struct {
    double macs;  /* multiply-accumulates of one op, one inference */
    double bytes; /* weights + activations it touches */
    bool int8;
} eb_roof_op;

/* The roofline time of ops[0..n) on one core of t, in ms; NAN when the target lacks
 * the peak or bandwidth the ops need. */
double eb_roofline_ms(const eb_roof_op *ops, size_t n, const eb_study_target *t);

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
} eb_study_row;

typedef struct {
    double latency_budget_ms; /* NAN: none */
    double amortize_years;    /* hardware price spread over this many years of use */
    double kwh_usd;           /* electricity price */
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

#endif
