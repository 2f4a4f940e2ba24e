/* run.h - one `edgebench run`: the report of a list of models measured on one target,
 * in this process (run_local.h) or on a board or its emulation (run_remote.h). */
#ifndef EB_RUN_H
#define EB_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_dispatch.h"
#include "eb_report.h"
#include "eb_target.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to run and where the report goes: everything `edgebench run` takes from its
 * command line. */
typedef struct {
    const char *target;  /* target name or file ("host") */
    char **models;       /* zoo variants or model files, n_models >= 1 */
    size_t n_models;
    eb_measure_settings measure;
    bool offline;        /* false: single-stream */
    long threads;        /* threads each inference is split over; 0: 1 */
    long thread_counts[EB_REPORT_MAX_THREAD_COUNTS]; /* --threads 1,2,4: each measured */
    size_t n_thread_counts;                          /* 0 or 1: threads alone */
    long streams;        /* offline: inferences at once; 0: the target's cores / threads */
    eb_kset kernels;
    const char *calib;   /* int8 calibration inputs; NULL: generated */
    bool counters, profile;
    const char *out;     /* report file; NULL: reports/out/<target>_<model>_<time>.json,
                            or none when json */
    bool force;          /* replace an existing out file (else an error) */
    bool json;           /* the report to stdout (the summary then goes to stderr) */
    bool quiet;          /* no progress line and no summary */
    /* remote targets (NULL / 0: the target file's) */
    const char *port, *host, *agent, *protocol;
    long baud, timeout_s;
    double window_s;     /* MLPerf Tiny: seconds per window; 0: the rule's 10 */
    const char *input;   /* local: the input tensor file or a folder of them (cycled);
                            MLPerf Tiny: raw input bytes for the device; NULL: generated */
    const char *dataset; /* labelled inputs (y_labels.csv + files): accuracy; NULL: none */
    const char *save_outputs; /* folder for one .npy output per input; NULL: none */
    bool emulate, trace;
    bool progress_lines; /* a worker of a several-target run: "@progress" lines (boards.h) */
} eb_run_options;

/* Checks the options against the target, measures every model, writes the report and
 * prints the summary. Errors are one sentence on stderr. Returns the exit status: 0 ok,
 * 2 bad input or a failed model (nothing written), 130 interrupted (the report is written
 * with "complete": false). */
int eb_run(const eb_run_options *o);

/* Copies a target description into a report's target block. */
void eb_run_report_target(eb_report_target *dst, const eb_target_desc *src);

#ifdef __cplusplus
}
#endif
#endif
