/* meter_energy.c - measured energy where the platform exposes it: the powercap sysfs
 * package zone (intel-rapl, also used for AMD), then PAPI's powercap or rapl component.
 * These VMs have neither; the caller then estimates from the target's power model. */
#include "meters.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(EB_HAVE_PAPI)
#include <papi.h>
#endif

struct eb_energy_meter {
    char source[160];
    /* sysfs */
    char path[256];
    double range_j; /* counter wraps here */
    double last_raw_j, total_j;
    /* PAPI */
    int papi_set;
    double papi_scale; /* joules per count */
    long long papi_last;
};

static bool read_u64_file(const char *path, unsigned long long *v)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fscanf(f, "%llu", v) == 1;
    fclose(f);
    return ok;
}

static bool open_powercap(eb_energy_meter *m, char *why, size_t whylen)
{
    const char *base = "/sys/class/powercap";
    DIR *d = opendir(base);
    if (!d) {
        snprintf(why, whylen, "no %s", base);
        return false;
    }
    struct dirent *e;
    bool found = false, unreadable = false;
    while (!found && (e = readdir(d))) {
        /* top-level package zones are "<vendor>-rapl:<n>" without a second ':' */
        const char *colon = strchr(e->d_name, ':');
        if (!strstr(e->d_name, "rapl:") || !colon || strchr(colon + 1, ':'))
            continue;
        char p[sizeof m->path];
        unsigned long long v, range = 0;
        snprintf(p, sizeof p, "%s/%.64s/energy_uj", base, e->d_name);
        if (!read_u64_file(p, &v)) {
            unreadable = true;
            continue;
        }
        snprintf(m->path, sizeof m->path, "%s", p);
        snprintf(p, sizeof p, "%s/%.64s/max_energy_range_uj", base, e->d_name);
        read_u64_file(p, &range);
        m->range_j = (double)range / 1e6;
        m->last_raw_j = (double)v / 1e6;
        snprintf(m->source, sizeof m->source, "powercap sysfs %.64s (package)", e->d_name);
        found = true;
    }
    closedir(d);
    if (!found)
        snprintf(why, whylen, "%s", unreadable ? "powercap energy_uj not readable (root only)"
                                               : "no RAPL zone in /sys/class/powercap");
    return found;
}

#if defined(EB_HAVE_PAPI)
static bool open_papi(eb_energy_meter *m, char *why, size_t whylen)
{
    int v = PAPI_is_initialized() ? (int)PAPI_VER_CURRENT : PAPI_library_init(PAPI_VER_CURRENT);
    if (v != (int)PAPI_VER_CURRENT) {
        snprintf(why, whylen, "PAPI init failed (%d)", v);
        return false;
    }
    /* native event names, energy unit per count */
    static const struct { const char *comp, *event; double scale; } cand[] = {
        {"powercap", "powercap:::ENERGY_UJ:ZONE0", 1e-6},
        {"rapl", "rapl:::PACKAGE_ENERGY:PACKAGE0", 1e-9},
    };
    char reasons[256] = "";
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        int n = PAPI_num_components();
        const PAPI_component_info_t *ci = NULL;
        for (int c = 0; c < n; c++) {
            const PAPI_component_info_t *x = PAPI_get_component_info(c);
            if (x && !strcmp(x->name, cand[i].comp))
                ci = x;
        }
        size_t used = strlen(reasons);
        if (!ci) {
            snprintf(reasons + used, sizeof reasons - used, "%s%s component absent",
                     used ? ", " : "", cand[i].comp);
            continue;
        }
        if (ci->disabled) {
            snprintf(reasons + used, sizeof reasons - used, "%s%s disabled (%.80s)",
                     used ? ", " : "", cand[i].comp, ci->disabled_reason);
            continue;
        }
        int code, set = PAPI_NULL;
        if (PAPI_event_name_to_code(cand[i].event, &code) != PAPI_OK ||
            PAPI_create_eventset(&set) != PAPI_OK || PAPI_add_event(set, code) != PAPI_OK ||
            PAPI_start(set) != PAPI_OK) {
            if (set != PAPI_NULL) {
                PAPI_cleanup_eventset(set);
                PAPI_destroy_eventset(&set);
            }
            snprintf(reasons + used, sizeof reasons - used, "%s%s unusable", used ? ", " : "",
                     cand[i].event);
            continue;
        }
        m->papi_set = set;
        m->papi_scale = cand[i].scale;
        m->papi_last = 0;
        snprintf(m->source, sizeof m->source, "PAPI %s", cand[i].event);
        return true;
    }
    snprintf(why, whylen, "PAPI: %s", reasons);
    return false;
}
#endif

eb_energy_meter *eb_energy_open(char *why, size_t whylen)
{
    eb_energy_meter *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
#if defined(EB_HAVE_PAPI)
    m->papi_set = PAPI_NULL;
#else
    m->papi_set = -1;
#endif
    char w1[160] = "", w2[300] = "PAPI not built in";
    if (open_powercap(m, w1, sizeof w1))
        return m;
#if defined(EB_HAVE_PAPI)
    if (open_papi(m, w2, sizeof w2))
        return m;
#endif
    snprintf(why, whylen, "%s; %s", w1, w2);
    free(m);
    return NULL;
}

double eb_energy_joules(eb_energy_meter *m)
{
#if defined(EB_HAVE_PAPI)
    if (m->papi_set != PAPI_NULL) {
        long long v = 0;
        if (PAPI_read(m->papi_set, &v) == PAPI_OK)
            m->papi_last = v;
        return (double)m->papi_last * m->papi_scale;
    }
#endif
    unsigned long long raw;
    if (read_u64_file(m->path, &raw)) {
        double j = (double)raw / 1e6;
        double d = j - m->last_raw_j;
        if (d < 0 && m->range_j > 0)
            d += m->range_j;
        if (d > 0)
            m->total_j += d;
        m->last_raw_j = j;
    }
    return m->total_j;
}

const char *eb_energy_source(const eb_energy_meter *m) { return m->source; }

void eb_energy_close(eb_energy_meter *m)
{
    if (!m)
        return;
#if defined(EB_HAVE_PAPI)
    if (m->papi_set != PAPI_NULL) {
        long long v;
        PAPI_stop(m->papi_set, &v);
        PAPI_cleanup_eventset(m->papi_set);
        PAPI_destroy_eventset(&m->papi_set);
    }
#endif
    free(m);
}
