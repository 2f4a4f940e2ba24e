/* engine.h - the measurement engine: warm-up, iteration control and repetitions around
 * any "run one inference" function, and the step that turns raw samples (from this
 * process or streamed from a board) into a report result.
 *
 * Iteration control: warm-up runs at least `warmup` inferences and at least
 * `warmup_min_time_s`; each of `repetitions` repetitions then times inferences one by
 * one until both `min_iterations` and `min_time_s` are reached (or `max_iterations`, a
 * bound on memory and report size for very fast models). The timed region holds only
 * the inference and two clock reads (CLOCK_MONOTONIC, vDSO: no syscall).
 */
#ifndef EB_ENGINE_H
#define EB_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_report.h"
#include "eb_status.h"
#include "eb_target.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t warmup;           /* at least this many warm-up inferences */
    double warmup_min_time_s; /* ... and at least this long */
    int32_t min_iterations;   /* per repetition */
    double min_time_s;        /* per repetition */
    int32_t max_iterations;   /* per repetition, upper bound */
    int32_t repetitions;
} eb_measure_settings;

/* Defaults: 5 warm-up runs and >= 0.5 s; 20 iterations and >= 1 s per repetition;
 * at most 100000 per repetition; 3 repetitions. */
void eb_measure_defaults(eb_measure_settings *s);

/* Monotonic clock in nanoseconds. */
int64_t eb_now_ns(void);

typedef void (*eb_infer_fn)(void *user);

/* Called between inferences (never inside the timed region), at most every 0.2 s:
 * phase "warm-up" (rep = 0) or "measuring" (rep counts from 1). */
typedef void (*eb_progress_fn)(void *user, const char *phase, int32_t rep, int32_t reps,
                               size_t iterations, double last_ms);

typedef struct {
    void (*rep_begin)(void *user, int32_t rep); /* before a repetition's first inference */
    void (*rep_end)(void *user, int32_t rep, size_t iterations); /* after its last */
    eb_progress_fn progress;
    void *user;
    const volatile sig_atomic_t *stop; /* set (e.g. by SIGINT): finish now, keep samples */
} eb_measure_hooks;

typedef struct {
    int64_t *ns;        /* every timed inference, in order */
    size_t n, cap;
    size_t *rep_count;  /* samples of each repetition */
    int64_t *rep_wall_ns; /* wall time of each repetition */
    int32_t n_reps;     /* repetitions completed (or begun, when interrupted) */
    size_t warmup_runs;
    bool interrupted;
} eb_samples;

void eb_samples_free(eb_samples *s);
/* Appends one sample (grows the buffer; never called inside a timed region). */
bool eb_samples_push(eb_samples *s, int64_t ns);

/* Warm-up + repetitions of fn(user). hooks may be NULL. EB_ERR_NOMEM when the sample
 * buffer cannot grow. */
eb_status eb_measure_run(const eb_measure_settings *set, eb_infer_fn fn, void *user,
                         const eb_measure_hooks *hooks, eb_samples *out);

/* True when a repetition with `iters` inferences started at t0 may stop at t. */
bool eb_measure_rep_done(const eb_measure_settings *set, size_t iters, int64_t t0_ns,
                         int64_t t_ns);

/* ---- results from raw samples (used by local and remote runners alike) ---- */

typedef struct {
    size_t count;  /* inferences in this repetition (all threads) */
    double wall_s; /* its wall time; <= 0: the sum of its samples (one stream) */
} eb_rep_info;

/* Copies the samples (milliseconds, grouped by repetition in order) into res and fills
 * latency_ms, samples_ms, repetition_medians_ms, repetition_throughput_ips and
 * throughput_ips (the median over repetitions of count / wall time). */
eb_status eb_result_set_samples(eb_report_result *res, const double *samples_ms, size_t n,
                                const eb_rep_info *reps, size_t n_reps);

/* Same from nanosecond samples as eb_measure_run() gives them. */
eb_status eb_result_set_samples_ns(eb_report_result *res, const eb_samples *s);

/* Energy per inference. measured_j finite and >= 0: "measured" over measured_s seconds
 * and `inferences` inferences, source names the meter. Otherwise "estimated" from the
 * power model: single stream active_w x median latency; several threads active_w /
 * throughput. Needs the latency/throughput already set. */
void eb_result_set_energy(eb_report_result *res, const eb_power_model *pm, double measured_j,
                          double measured_s, size_t inferences, const char *source);

#ifdef __cplusplus
}
#endif
#endif
