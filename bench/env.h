/* env.h - environment capture (CPU identity and caches, ISA features, OS, governor,
 * frequency, temperature, load) and the warnings that make numbers untrustworthy. */
#ifndef EB_ENV_H
#define EB_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_dispatch.h"
#include "eb_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CV of a result above this fraction gets a warning. */
#define EB_CV_WARN 0.05
/* 1-minute load average above this before the run gets a warning. */
#define EB_LOAD_WARN 0.5
/* CPU time of other processes during the run, in cores, above this gets a warning. */
#define EB_OTHER_LOAD_WARN 0.25

/* Readings taken before and after measuring, compared for warnings. */
typedef struct {
    double load[3];
    double freq_mhz;
    double temp_c;
    int64_t throttle_count;   /* sum of thermal_throttle counters; -1 unreadable */
    uint64_t cpu_busy_ticks;  /* /proc/stat: all CPUs, non-idle */
    uint64_t cpu_total_ticks;
    uint64_t self_ticks;      /* this process's user+system ticks */
    bool stat_ok;
} eb_env_snapshot;

void eb_env_snapshot_take(eb_env_snapshot *s);

/* The codename to report for a CPU: libcpuid's guess where its database knows the
 * (vendor, display family, display model), else "unknown (<vendor> family F model M)". */
void eb_cpu_codename(const char *vendor, int family, int model, const char *guess, char *out,
                     size_t n);

/* Fills the static parts of env (CPU, ISA, OS, governor) and the "before" readings. */
void eb_env_capture(eb_report_env *env, eb_kset kernels, const eb_env_snapshot *before);
/* Fills the "after" readings. */
void eb_env_finish(eb_report_env *env, const eb_env_snapshot *after);

/* Adds the build, environment and comparison warnings (debug/sanitizer build, frequency
 * scaling, throttling, other load, virtual machine, emulation) to r. */
void eb_env_warnings(eb_report *r, const eb_env_snapshot *before, const eb_env_snapshot *after);

/* Adds per-result warnings (CV above EB_CV_WARN, interrupted). */
void eb_result_warnings(eb_report *r, const eb_report_result *res);

/* "2026-11-22T03:04:05Z" for now. */
void eb_utc_now(char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
