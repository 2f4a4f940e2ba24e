/* meters.h - what is measured besides time: peak memory, energy, hardware counters.
 * Every meter is optional: when the platform does not offer it, the meter says why in
 * one phrase and the run goes on. */
#ifndef EB_METERS_H
#define EB_METERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- memory (meter_memory.c) ---- */

/* Resets the peak resident set size (writes "5" to /proc/self/clear_refs, Linux >= 4.0).
 * Returns false when that is not possible. */
bool eb_rss_reset_peak(void);
/* VmHWM of /proc/self/status in bytes; -1 when unreadable. */
int64_t eb_rss_peak_bytes(void);
/* VmRSS in bytes; -1 when unreadable. */
int64_t eb_rss_current_bytes(void);
/* getrusage(RUSAGE_SELF) ru_maxrss in bytes (lifetime peak of the process); -1 on error. */
int64_t eb_rusage_maxrss_bytes(void);

/* ---- energy (meter_energy.c) ---- */

typedef struct eb_energy_meter eb_energy_meter;

/* Opens the first energy counter the platform offers: powercap sysfs package zone,
 * then PAPI's powercap/rapl components. NULL when none: why says what was tried. */
eb_energy_meter *eb_energy_open(char *why, size_t whylen);
/* Cumulative joules since open (wrap-around handled when read often enough). */
double eb_energy_joules(eb_energy_meter *m);
const char *eb_energy_source(const eb_energy_meter *m);
void eb_energy_close(eb_energy_meter *m);

/* ---- hardware counters (meter_counters.c) ---- */

typedef struct eb_counters eb_counters;

/* Opens cycles, instructions, cache misses and branch misses for this thread: PAPI
 * first, libpfm4 + perf_event_open second. NULL when neither can count cycles and
 * instructions: reason gets what each route said (e.g. "PAPI: PAPI_TOT_CYC: ...
 * (-25); perf_event: cycles: No such file or directory"). */
eb_counters *eb_counters_open(char *reason, size_t reasonlen);
void eb_counters_start(eb_counters *c);
void eb_counters_stop(eb_counters *c); /* accumulates since the matching start */
/* Per-inference figures from the accumulated counts. */
void eb_counters_result(const eb_counters *c, size_t inferences, eb_report_counters *out);
void eb_counters_close(eb_counters *c);

#ifdef __cplusplus
}
#endif
#endif
