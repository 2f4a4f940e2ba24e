/* meter_counters.c - hardware counters: PAPI first, libpfm4 + perf_event_open second.
 * A machine without a PMU (a VM) gives the reason each route reported; nothing fails. */
#include "meters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(EB_HAVE_PAPI)
#include <papi.h>
#endif
#if defined(EB_HAVE_PFM)
#include <perfmon/pfmlib_perf_event.h>
#else
#include <linux/perf_event.h>
#endif

enum { C_CYC, C_INS, C_CACHE, C_BRANCH, C_N };

struct eb_counters {
    bool papi;
    int papi_set;
    int papi_index[C_N]; /* position in the PAPI event set, -1 absent */
    int fd[C_N];         /* perf_event: -1 absent */
    long long total[C_N];
};

#if defined(EB_HAVE_PAPI)
static bool open_papi(eb_counters *c, char *why, size_t whylen)
{
    int v = PAPI_is_initialized() ? (int)PAPI_VER_CURRENT : PAPI_library_init(PAPI_VER_CURRENT);
    if (v != (int)PAPI_VER_CURRENT) {
        snprintf(why, whylen, "PAPI_library_init: %s (%d)", PAPI_strerror(v), v);
        return false;
    }
    c->papi_set = PAPI_NULL;
    int rc = PAPI_create_eventset(&c->papi_set);
    if (rc != PAPI_OK) {
        snprintf(why, whylen, "PAPI_create_eventset: %s (%d)", PAPI_strerror(rc), rc);
        return false;
    }
    static const struct { int slot; int code; const char *name; } ev[] = {
        {C_CYC, PAPI_TOT_CYC, "PAPI_TOT_CYC"}, {C_INS, PAPI_TOT_INS, "PAPI_TOT_INS"},
        {C_CACHE, PAPI_L3_TCM, "PAPI_L3_TCM"}, {C_CACHE, PAPI_L2_TCM, "PAPI_L2_TCM"},
        {C_BRANCH, PAPI_BR_MSP, "PAPI_BR_MSP"},
    };
    int n = 0;
    for (int i = 0; i < C_N; i++)
        c->papi_index[i] = -1;
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        if (c->papi_index[ev[i].slot] >= 0)
            continue;
        rc = PAPI_add_event(c->papi_set, ev[i].code);
        if (rc == PAPI_OK) {
            c->papi_index[ev[i].slot] = n++;
        } else if (ev[i].slot == C_CYC || ev[i].slot == C_INS) {
            snprintf(why, whylen, "%s: %s (%d)", ev[i].name, PAPI_strerror(rc), rc);
            PAPI_cleanup_eventset(c->papi_set);
            PAPI_destroy_eventset(&c->papi_set);
            return false;
        }
    }
    c->papi = true;
    return true;
}
#endif

static long perf_open(struct perf_event_attr *a)
{
    return syscall(SYS_perf_event_open, a, 0, -1, -1, 0);
}

static bool open_perf(eb_counters *c, char *why, size_t whylen)
{
    static const struct { const char *pfm_name, *label; unsigned long long hw; } ev[C_N] = {
        {"perf::CYCLES", "cycles", PERF_COUNT_HW_CPU_CYCLES},
        {"perf::INSTRUCTIONS", "instructions", PERF_COUNT_HW_INSTRUCTIONS},
        {"perf::CACHE-MISSES", "cache-misses", PERF_COUNT_HW_CACHE_MISSES},
        {"perf::BRANCH-MISSES", "branch-misses", PERF_COUNT_HW_BRANCH_MISSES},
    };
#if defined(EB_HAVE_PFM)
    bool pfm_ok = pfm_initialize() == PFM_SUCCESS;
#endif
    for (int i = 0; i < C_N; i++) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_HARDWARE;
        a.config = ev[i].hw;
#if defined(EB_HAVE_PFM)
        if (pfm_ok) {
            pfm_perf_encode_arg_t arg;
            memset(&arg, 0, sizeof arg);
            arg.attr = &a;
            arg.size = sizeof arg;
            if (pfm_get_os_event_encoding(ev[i].pfm_name, PFM_PLM3, PFM_OS_PERF_EVENT, &arg) !=
                PFM_SUCCESS) {
                a.type = PERF_TYPE_HARDWARE; /* fall back to the generic encoding */
                a.config = ev[i].hw;
            }
            a.size = sizeof a;
        }
#endif
        a.disabled = 1;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        long fd = perf_open(&a);
        if (fd < 0) {
            if (i == C_CYC || i == C_INS) {
                int e = errno;
                snprintf(why, whylen, "%s: %s (%s)", ev[i].label, strerror(e),
                         e == ENOENT ? "ENOENT: no such hardware event, no PMU"
                         : e == EACCES || e == EPERM ? "not permitted: see perf_event_paranoid"
                                                     : "perf_event_open");
                for (int k = 0; k < i; k++)
                    if (c->fd[k] >= 0) {
                        close(c->fd[k]);
                        c->fd[k] = -1;
                    }
                return false;
            }
            continue;
        }
        c->fd[i] = (int)fd;
    }
    return true;
}

eb_counters *eb_counters_open(char *reason, size_t reasonlen)
{
    eb_counters *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(reason, reasonlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < C_N; i++)
        c->fd[i] = -1;
    char w1[200] = "not built with PAPI", w2[200] = "";
#if defined(EB_HAVE_PAPI)
    if (open_papi(c, w1, sizeof w1))
        return c;
#endif
    if (open_perf(c, w2, sizeof w2))
        return c;
    snprintf(reason, reasonlen, "PAPI: %s; perf_event%s: %s", w1,
#if defined(EB_HAVE_PFM)
             " (libpfm4)",
#else
             "",
#endif
             w2);
    free(c);
    return NULL;
}

void eb_counters_start(eb_counters *c)
{
#if defined(EB_HAVE_PAPI)
    if (c->papi) {
        PAPI_start(c->papi_set);
        return;
    }
#endif
    for (int i = 0; i < C_N; i++)
        if (c->fd[i] >= 0) {
            ioctl(c->fd[i], PERF_EVENT_IOC_RESET, 0);
            ioctl(c->fd[i], PERF_EVENT_IOC_ENABLE, 0);
        }
}

void eb_counters_stop(eb_counters *c)
{
#if defined(EB_HAVE_PAPI)
    if (c->papi) {
        long long v[C_N] = {0};
        if (PAPI_stop(c->papi_set, v) == PAPI_OK)
            for (int i = 0; i < C_N; i++)
                if (c->papi_index[i] >= 0)
                    c->total[i] += v[c->papi_index[i]];
        return;
    }
#endif
    for (int i = 0; i < C_N; i++)
        if (c->fd[i] >= 0) {
            ioctl(c->fd[i], PERF_EVENT_IOC_DISABLE, 0);
            unsigned long long v = 0;
            if (read(c->fd[i], &v, sizeof v) == (ssize_t)sizeof v)
                c->total[i] += (long long)v;
        }
}

void eb_counters_result(const eb_counters *c, size_t inferences, eb_report_counters *out)
{
    memset(out, 0, sizeof *out);
    out->available = true;
    snprintf(out->source, sizeof out->source, "%s", c->papi ? "papi" : "perf_event");
    double n = inferences ? (double)inferences : 1;
    bool have_cache = c->papi ? c->papi_index[C_CACHE] >= 0 : c->fd[C_CACHE] >= 0;
    bool have_branch = c->papi ? c->papi_index[C_BRANCH] >= 0 : c->fd[C_BRANCH] >= 0;
    out->cycles = (double)c->total[C_CYC] / n;
    out->instructions = (double)c->total[C_INS] / n;
    out->ipc = c->total[C_CYC] ? (double)c->total[C_INS] / (double)c->total[C_CYC] : 0;
    out->cache_misses = have_cache ? (double)c->total[C_CACHE] / n : __builtin_nan("");
    out->branch_misses = have_branch ? (double)c->total[C_BRANCH] / n : __builtin_nan("");
}

void eb_counters_close(eb_counters *c)
{
    if (!c)
        return;
#if defined(EB_HAVE_PAPI)
    if (c->papi) {
        PAPI_cleanup_eventset(c->papi_set);
        PAPI_destroy_eventset(&c->papi_set);
    }
#endif
    for (int i = 0; i < C_N; i++)
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    free(c);
}
