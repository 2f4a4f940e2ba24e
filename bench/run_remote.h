/* run_remote.h - the remote runner: measures models on a board reached over a serial
 * line, a serial server on the network (edgebench-agent, or an MLPerf Tiny device) or
 * SSH, or on an agent run under qemu-user on a pseudo-terminal (--emulate), and fills the same report results as run_local.c
 * from the per-inference samples the board streams back (engine.h's eb_result_set_*). */
#ifndef EB_RUN_REMOTE_H
#define EB_RUN_REMOTE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "eb_conn.h"
#include "eb_dispatch.h"
#include "eb_mlperf.h"
#include "eb_remote.h"
#include "eb_report.h"
#include "eb_target.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const eb_target *target;
    const char *port;     /* --port, NULL: the target file's device */
    const char *host;     /* --host USER@HOST: over SSH; NULL: the target file's */
    int baud;             /* --baud, 0: the target file's (115200 when absent) */
    bool emulate;         /* --emulate: start the agent under qemu-user on a pty */
    const char *agent;    /* --agent PATH for --emulate, NULL: the target file's */
    const char *protocol; /* --protocol edgebench|mlperf-tiny, NULL: the target file's */
    eb_measure_settings measure;
    eb_kset kernels;
    int threads;          /* agent: threads each inference is split over (0: 1) */
    int timeout_s;        /* silence allowed while a run streams (0: 120 s); MLPerf Tiny:
                           * the wait per reply line and the least for an infer (0: 5, 30 s) */
    double window_s;      /* MLPerf Tiny: seconds per device-timed window (0: 10, the rule) */
    const char *input;    /* MLPerf Tiny: raw bytes to load with db (--input), NULL: the
                           * zoo model's test input in the device's input type */
    bool progress;        /* a progress line on stderr */
    bool progress_lines;  /* ... written as "@progress" lines for a parent (boards.h) */
    const volatile sig_atomic_t *stop;
    FILE *trace;          /* protocol trace (--trace), or NULL */
} eb_run_remote_options;

typedef struct {
    const eb_run_remote_options *o;
    eb_conn conn;
    bool mlperf;
    eb_remote r;
    eb_mlperf m;
    char port[256];
    int baud;
    char incomplete[320]; /* why the last incomplete result stopped ("" when none) */
} eb_run_remote_session;

/* Opens the line (or starts the emulated agent), checks who answers, and fills the
 * report's target, environment and warnings. On failure err holds one sentence (for a
 * silent port: which port was tried, how to start the agent, and --port). */
eb_status eb_run_remote_open(eb_run_remote_session *s, const eb_run_remote_options *o, eb_report *rep,
                         char *err, size_t errlen);

/* Measures one model (zoo name, or a .ebm file that is uploaded first). An interrupted
 * or broken run still fills res with the samples received (res->complete false). */
eb_status eb_run_remote_measure(eb_run_remote_session *s, const char *model, eb_report_result *res,
                            eb_report *rep, char *err, size_t errlen);

void eb_run_remote_close(eb_run_remote_session *s);

/* The pieces of a measurement that do not need the line, shared with `lava collect`
 * (which reads the agent's lines out of a LAVA job's log): */

/* The report's environment from what the agent said about itself (hello, id). */
void eb_remote_fill_env(eb_report *rep, const eb_remote *r, const eb_target *t, eb_kset kset);

/* A result from an agent run of per_rep samples per repetition (the last one may be
 * short): model, kernels, statistics, memory, energy estimated with power. */
eb_status eb_remote_fill_result(const eb_remote_run_result *rr, uint64_t per_rep,
                               const char *run_name, const eb_power_model *power,
                               eb_report_result *res, char *err, size_t errlen);

/* The fidelity of a variant, computed here from its weights (the same everywhere). */
void eb_remote_fidelity(const char *model, eb_report_result *res);

#ifdef __cplusplus
}
#endif
#endif
