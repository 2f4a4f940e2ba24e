/* report_write.c - eb_report structs to JSON (schema_version 2), written atomically. */
#include "eb_report.h"

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void eb_report_result_init(eb_report_result *res)
{
    memset(res, 0, sizeof *res);
    /* unknown until samples are set: written as nulls, never as 0 ms */
    eb_stats *l = &res->latency;
    l->min = l->max = l->mean = l->median = l->stddev = l->cv = NAN;
    l->p90 = l->p95 = l->p99 = l->ci95_lo = l->ci95_hi = l->ci95_coverage = NAN;
    res->throughput_ips = NAN;
    res->threads = 1;
    res->streams = 1;
    res->complete = true;
    res->memory.peak_rss_bytes = -1;
    res->memory.rusage_maxrss_bytes = -1;
    snprintf(res->memory.rss_method, sizeof res->memory.rss_method, "not measured");
    res->counters.available = false;
    snprintf(res->counters.reason, sizeof res->counters.reason, "not requested");
    res->fidelity.sqnr_db = NAN;
    res->fidelity.cosine = NAN;
    res->fidelity.max_abs_err = NAN;
    res->device_windows.lap_overhead_us = NAN;
}

void eb_report_init(eb_report *r)
{
    memset(r, 0, sizeof *r);
    r->complete = true;
    r->target.clock_mhz = NAN;
    r->target.memory_bytes = -1;
    r->target.price_usd = NAN;
    r->target.cores = 1;
    eb_report_env *e = &r->environment;
    e->l1d_kb = e->l2_kb = e->l3_kb = -1;
    e->frequency_mhz = NAN;
    e->temperature_c = NAN;
    for (int i = 0; i < 3; i++)
        e->load_before[i] = e->load_after[i] = NAN;
    r->settings.threads = 1;
    r->settings.streams = 1;
}

void eb_report_result_free(eb_report_result *res)
{
    free(res->samples_ms);
    free(res->repetition_medians_ms);
    free(res->repetition_throughput_ips);
    free(res->per_thread_latency_ms);
    free(res->profile);
    eb_report_accuracy_free(res->accuracy);
    res->accuracy = NULL;
    res->samples_ms = res->repetition_medians_ms = NULL;
    res->repetition_throughput_ips = res->per_thread_latency_ms = NULL;
    res->profile = NULL;
    res->n_samples = res->n_repetitions = res->n_threads_latency = res->n_profile = 0;
}

eb_report_accuracy *eb_report_accuracy_new(int32_t classes)
{
    if (classes < 1 || classes > EB_REPORT_MAX_CLASSES)
        return NULL;
    eb_report_accuracy *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->classes = classes;
    a->confusion = calloc((size_t)classes * (size_t)classes, sizeof *a->confusion);
    a->names = calloc((size_t)classes, sizeof *a->names);
    if (!a->confusion || !a->names) {
        eb_report_accuracy_free(a);
        return NULL;
    }
    return a;
}

void eb_report_accuracy_free(eb_report_accuracy *a)
{
    if (!a)
        return;
    free(a->confusion);
    free(a->names);
    free(a);
}

void eb_report_free(eb_report *r)
{
    for (size_t i = 0; i < r->n_results; i++)
        eb_report_result_free(&r->results[i]);
    free(r->results);
    r->results = NULL;
    r->n_results = 0;
}

void eb_report_warn(eb_report *r, const char *fmt, ...)
{
    char w[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w, sizeof w, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->n_warnings; i++)
        if (!strcmp(r->warnings[i], w))
            return;
    if (r->n_warnings < EB_REPORT_MAX_WARNINGS)
        memcpy(r->warnings[r->n_warnings++], w, sizeof w);
}

/* ---- JSON helpers: every add checks nothing; cJSON_Print fails later if one did ---- */

#if defined(EB_HAVE_CJSON)
static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRIu64, v);
    cJSON_AddRawToObject(o, k, b);
}

static void add_i64_or_null(cJSON *o, const char *k, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, k);
    else
        add_u64(o, k, (uint64_t)v);
}

static void add_str_or_null(cJSON *o, const char *k, const char *s)
{
    if (s && *s)
        cJSON_AddStringToObject(o, k, s);
    else
        cJSON_AddNullToObject(o, k);
}

/* A millisecond value with nanosecond resolution: "%.6f" with trailing zeros trimmed.
 * Samples come from integer nanosecond clocks, so this is exact and compact. */
static int fmt_ms(char *b, size_t n, double v)
{
    if (!isfinite(v))
        return snprintf(b, n, "null");
    int len = snprintf(b, n, "%.6f", v);
    if (len <= 0 || (size_t)len >= n)
        return len;
    while (len > 1 && b[len - 1] == '0')
        b[--len] = 0;
    if (b[len - 1] == '.')
        b[--len] = 0;
    return len;
}

/* Adds an array of milliseconds as one raw JSON text (fast for 10^5 samples). */
static void add_ms_array(cJSON *o, const char *k, const double *x, size_t n)
{
    size_t cap = 2 + n * 24 + 1;
    char *b = malloc(cap);
    if (!b) {
        cJSON_AddItemToObject(o, k, cJSON_CreateRaw(NULL)); /* makes printing fail */
        return;
    }
    size_t len = 0;
    b[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            b[len++] = ',';
        len += (size_t)fmt_ms(b + len, cap - len, x[i]);
    }
    b[len++] = ']';
    b[len] = 0;
    cJSON_AddRawToObject(o, k, b);
    free(b);
}

static void add_ms(cJSON *o, const char *k, double v)
{
    char b[48];
    fmt_ms(b, sizeof b, v);
    cJSON_AddRawToObject(o, k, b);
}

static void add_loadavg(cJSON *o, const char *k, const double *l)
{
    if (!isfinite(l[0]) || !isfinite(l[1]) || !isfinite(l[2])) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    cJSON *a = cJSON_AddArrayToObject(o, k);
    for (int i = 0; i < 3; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(l[i]));
}

static cJSON *latency_json(const eb_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    add_u64(o, "n", s->n);
    add_ms(o, "min", s->min);
    add_ms(o, "max", s->max);
    add_ms(o, "mean", s->mean);
    add_ms(o, "median", s->median);
    add_ms(o, "stddev", s->stddev);
    add_num(o, "cv", s->cv);
    add_ms(o, "p90", s->p90);
    add_ms(o, "p95", s->p95);
    add_ms(o, "p99", s->p99);
    double ci[2] = {s->ci95_lo, s->ci95_hi};
    add_ms_array(o, "ci95_median", ci, 2);
    add_num(o, "ci95_coverage", s->ci95_coverage);
    return o;
}

static cJSON *result_json(const eb_report_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", r->model);
    cJSON_AddStringToObject(o, "variant", r->variant);
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON_AddStringToObject(o, "scenario", r->scenario);
    if (r->import_note[0])
        cJSON_AddStringToObject(o, "import", r->import_note);
    cJSON_AddNumberToObject(o, "threads", r->threads);
    cJSON_AddNumberToObject(o, "streams", r->streams > 0 ? r->streams : 1);
    cJSON_AddBoolToObject(o, "complete", r->complete);
    cJSON *k = cJSON_AddObjectToObject(o, "kernels");
    for (size_t i = 0; i < r->n_kernels; i++)
        cJSON_AddStringToObject(k, r->kernels[i].op, r->kernels[i].name);
    add_u64(o, "macs", r->macs);
    add_u64(o, "params", r->params);
    cJSON_AddItemToObject(o, "latency_ms", latency_json(&r->latency));
    add_ms_array(o, "samples_ms", r->samples_ms, r->n_samples);
    add_ms_array(o, "repetition_medians_ms", r->repetition_medians_ms, r->n_repetitions);
    if (r->repetition_throughput_ips) {
        cJSON *a = cJSON_AddArrayToObject(o, "repetition_throughput_ips");
        for (size_t i = 0; i < r->n_repetitions; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(r->repetition_throughput_ips[i]));
    }
    add_num(o, "throughput_ips", r->throughput_ips);
    if (r->per_thread_latency_ms)
        add_ms_array(o, "per_thread_latency_ms", r->per_thread_latency_ms,
                     r->n_threads_latency);

    const eb_report_memory *m = &r->memory;
    cJSON *mo = cJSON_AddObjectToObject(o, "memory");
    add_u64(mo, "weights_bytes", m->weights_bytes);
    add_u64(mo, "packed_bytes", m->packed_bytes);
    add_u64(mo, "arena_bytes", m->arena_bytes);
    add_u64(mo, "scratch_bytes", m->scratch_bytes);
    add_u64(mo, "arena_lower_bound_bytes", m->arena_lower_bound_bytes);
    add_u64(mo, "planned_total_bytes", m->planned_total_bytes);
    add_i64_or_null(mo, "peak_rss_bytes", m->peak_rss_bytes);
    add_i64_or_null(mo, "rusage_maxrss_bytes", m->rusage_maxrss_bytes);
    cJSON_AddStringToObject(mo, "rss_method", m->rss_method);

    cJSON *eo = cJSON_AddObjectToObject(o, "energy");
    cJSON_AddStringToObject(eo, "method", r->energy.method);
    add_num(eo, "joules_per_inference", r->energy.joules_per_inference);
    cJSON_AddStringToObject(eo, "detail", r->energy.detail);
    add_num(eo, "average_power_w", r->energy.average_power_w);

    cJSON *co = cJSON_AddObjectToObject(o, "counters");
    cJSON_AddBoolToObject(co, "available", r->counters.available);
    if (!r->counters.available) {
        cJSON_AddStringToObject(co, "reason", r->counters.reason);
    } else {
        cJSON_AddStringToObject(co, "source", r->counters.source);
        add_num(co, "cycles", r->counters.cycles);
        add_num(co, "instructions", r->counters.instructions);
        add_num(co, "ipc", r->counters.ipc);
        add_num(co, "cache_misses", r->counters.cache_misses);
        add_num(co, "branch_misses", r->counters.branch_misses);
    }

    if (r->has_fidelity) {
        cJSON *fo = cJSON_AddObjectToObject(o, "fidelity");
        add_num(fo, "sqnr_db", r->fidelity.sqnr_db);
        add_num(fo, "cosine", r->fidelity.cosine);
        add_num(fo, "top1_agreement", r->fidelity.top1_agreement);
        add_num(fo, "max_abs_err", r->fidelity.max_abs_err);
        cJSON_AddNumberToObject(fo, "inputs", r->fidelity.inputs);
    } else {
        cJSON_AddNullToObject(o, "fidelity");
    }

    if (r->profile) {
        cJSON *pa = cJSON_AddArrayToObject(o, "profile");
        for (size_t i = 0; i < r->n_profile; i++) {
            const eb_report_profile_op *p = &r->profile[i];
            cJSON *po = cJSON_CreateObject();
            cJSON_AddStringToObject(po, "op", p->op);
            cJSON_AddStringToObject(po, "type", p->type);
            cJSON_AddStringToObject(po, "kernel", p->kernel);
            add_u64(po, "macs", p->macs);
            add_ms(po, "median_ms", p->median_ms);
            add_num(po, "gmacs", p->gmacs);
            add_num(po, "share", p->share);
            cJSON_AddItemToArray(pa, po);
        }
    } else {
        cJSON_AddNullToObject(o, "profile");
    }
    cJSON_AddBoolToObject(o, "window_latency", r->window_latency);
    if (r->input[0])
        cJSON_AddStringToObject(o, "input", r->input);
    const eb_report_accuracy *ac = r->accuracy;
    if (ac) {
        cJSON *ao = cJSON_AddObjectToObject(o, "accuracy");
        cJSON_AddStringToObject(ao, "dataset", ac->dataset);
        add_u64(ao, "inputs", ac->inputs);
        cJSON_AddNumberToObject(ao, "classes", ac->classes);
        add_u64(ao, "correct", ac->correct);
        add_num(ao, "top1", ac->inputs ? (double)ac->correct / (double)ac->inputs : NAN);
        cJSON *pc = cJSON_AddArrayToObject(ao, "per_class");
        cJSON *cm = cJSON_AddArrayToObject(ao, "confusion");
        for (int32_t t = 0; t < ac->classes; t++) {
            const uint64_t *row = &ac->confusion[(size_t)t * (size_t)ac->classes];
            uint64_t n = 0;
            cJSON *ra = cJSON_CreateArray();
            for (int32_t p = 0; p < ac->classes; p++) {
                n += row[p];
                cJSON_AddItemToArray(ra, cJSON_CreateNumber((double)row[p]));
            }
            cJSON_AddItemToArray(cm, ra);
            cJSON *co = cJSON_CreateObject();
            cJSON_AddNumberToObject(co, "class", t);
            cJSON_AddStringToObject(co, "name", ac->names ? ac->names[t] : "");
            add_u64(co, "inputs", n);
            add_u64(co, "correct", row[t]);
            add_num(co, "accuracy", n ? (double)row[t] / (double)n : NAN);
            cJSON_AddItemToArray(pc, co);
        }
    }
    const eb_report_device_windows *w = &r->device_windows;
    if (w->present) {
        cJSON *wo = cJSON_AddObjectToObject(o, "device_windows");
        cJSON_AddNumberToObject(wo, "inferences", w->inferences);
        cJSON_AddNumberToObject(wo, "warmup", w->warmup);
        add_num(wo, "target_s", w->target_s);
        add_num(wo, "shortest_s", w->shortest_s);
        add_num(wo, "minimum_s", w->minimum_s);
        cJSON_AddBoolToObject(wo, "below_minimum", w->below_minimum);
        cJSON_AddNumberToObject(wo, "resets", w->resets);
        cJSON_AddNumberToObject(wo, "dropped", w->dropped);
        cJSON_AddNumberToObject(wo, "counter_wraps", w->counter_wraps);
        add_num(wo, "lap_overhead_us", w->lap_overhead_us);
        cJSON_AddStringToObject(wo, "input", w->input);
    }
    return o;
}

static cJSON *report_json(const eb_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "schema_version", EB_REPORT_SCHEMA_VERSION);
    cJSON_AddBoolToObject(o, "complete", r->complete);
    cJSON_AddStringToObject(o, "created_utc", r->created_utc);

    cJSON *eb = cJSON_AddObjectToObject(o, "edgebench");
    cJSON_AddStringToObject(eb, "version", r->edgebench.version);
    cJSON_AddStringToObject(eb, "git", r->edgebench.git);
    cJSON_AddStringToObject(eb, "build_type", r->edgebench.build_type);
    cJSON_AddStringToObject(eb, "compiler", r->edgebench.compiler);
    cJSON_AddStringToObject(eb, "cflags", r->edgebench.cflags);
    cJSON_AddBoolToObject(eb, "sanitized", r->edgebench.sanitized);

    const eb_report_settings *s = &r->settings;
    cJSON *so = cJSON_AddObjectToObject(o, "settings");
    cJSON_AddNumberToObject(so, "warmup", s->warmup);
    cJSON_AddNumberToObject(so, "warmup_min_time_s", s->warmup_min_time_s);
    cJSON_AddNumberToObject(so, "min_iterations", s->min_iterations);
    cJSON_AddNumberToObject(so, "min_time_s", s->min_time_s);
    cJSON_AddNumberToObject(so, "max_iterations", s->max_iterations);
    cJSON_AddNumberToObject(so, "repetitions", s->repetitions);
    cJSON_AddStringToObject(so, "kernels", s->kernels);
    cJSON_AddStringToObject(so, "scenario", s->scenario);
    cJSON_AddNumberToObject(so, "threads", s->threads);
    cJSON_AddNumberToObject(so, "streams", s->streams > 0 ? s->streams : 1);
    if (s->n_thread_counts > 1) {
        cJSON *tc = cJSON_AddArrayToObject(so, "thread_counts");
        for (int i = 0; i < s->n_thread_counts && i < EB_REPORT_MAX_THREAD_COUNTS; i++)
            cJSON_AddItemToArray(tc, cJSON_CreateNumber(s->thread_counts[i]));
    }
    cJSON_AddBoolToObject(so, "profile", s->profile);
    cJSON_AddBoolToObject(so, "counters", s->counters);

    const eb_report_target *t = &r->target;
    cJSON *to = cJSON_AddObjectToObject(o, "target");
    cJSON_AddStringToObject(to, "name", t->name);
    cJSON_AddStringToObject(to, "arch", t->arch);
    cJSON_AddStringToObject(to, "transport", t->transport);
    cJSON_AddBoolToObject(to, "emulated", t->emulated);
    cJSON_AddNumberToObject(to, "cores", t->cores);
    add_num(to, "clock_mhz", t->clock_mhz);
    add_i64_or_null(to, "memory_bytes", t->memory_bytes);
    add_num(to, "price_usd", t->price_usd);
    cJSON *pm = cJSON_AddObjectToObject(to, "power_model");
    add_num(pm, "idle_w", t->power_model.idle_w);
    add_num(pm, "active_w", t->power_model.active_w);
    cJSON_AddStringToObject(pm, "source", t->power_model.source);

    const eb_report_env *e = &r->environment;
    cJSON *en = cJSON_AddObjectToObject(o, "environment");
    cJSON *cpu = cJSON_AddObjectToObject(en, "cpu");
    add_str_or_null(cpu, "vendor", e->cpu_known ? e->vendor : NULL);
    add_str_or_null(cpu, "brand", e->cpu_known ? e->brand : NULL);
    add_str_or_null(cpu, "codename", e->cpu_known ? e->codename : NULL);
    if (e->cpu_known && e->cores > 0)
        cJSON_AddNumberToObject(cpu, "cores", e->cores);
    else
        cJSON_AddNullToObject(cpu, "cores");
    if (e->cpu_known && e->threads > 0)
        cJSON_AddNumberToObject(cpu, "threads", e->threads);
    else
        cJSON_AddNullToObject(cpu, "threads");
    cJSON *ca = cJSON_AddObjectToObject(cpu, "caches");
    add_i64_or_null(ca, "l1d_kb", e->cpu_known ? e->l1d_kb : -1);
    add_i64_or_null(ca, "l2_kb", e->cpu_known ? e->l2_kb : -1);
    add_i64_or_null(ca, "l3_kb", e->cpu_known ? e->l3_kb : -1);
    cJSON *isa = cJSON_AddArrayToObject(en, "isa_features");
    for (size_t i = 0; i < e->n_isa_features; i++)
        cJSON_AddItemToArray(isa, cJSON_CreateString(e->isa_features[i]));
    cJSON_AddStringToObject(en, "kernel_set", e->kernel_set);
    cJSON *os = cJSON_AddObjectToObject(en, "os");
    add_str_or_null(os, "kernel", e->os_kernel);
    add_str_or_null(os, "hostname", e->hostname);
    add_str_or_null(en, "governor", e->governor);
    add_num(en, "frequency_mhz", e->frequency_mhz);
    add_num(en, "temperature_c", e->temperature_c);
    add_loadavg(en, "load_before", e->load_before);
    add_loadavg(en, "load_after", e->load_after);

    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; i < r->n_warnings; i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(r->warnings[i]));
    cJSON *res = cJSON_AddArrayToObject(o, "results");
    for (size_t i = 0; i < r->n_results; i++)
        cJSON_AddItemToArray(res, result_json(&r->results[i]));
    return o;
}

char *eb_report_to_string(const eb_report *r)
{
    cJSON *o = report_json(r);
    if (!o)
        return NULL;
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return NULL;
    /* cJSON's allocator is malloc unless hooks are installed; hand back a plain malloc'd
     * copy with a trailing newline so callers can free() it. */
    size_t n = strlen(text);
    char *out = malloc(n + 2);
    if (out) {
        memcpy(out, text, n);
        out[n] = '\n';
        out[n + 1] = 0;
    }
    cJSON_free(text);
    return out;
}

#else /* no cJSON (cross builds): the structs work, the JSON text does not exist */
char *eb_report_to_string(const eb_report *r)
{
    (void)r;
    return NULL;
}
#endif

/* Writes text to a new temporary file beside path (tmp receives its name). */
static eb_status write_temp(const char *path, const char *text, char *tmp, size_t tmpcap,
                            char *err, size_t errlen)
{
    if (snprintf(tmp, tmpcap, "%s.tmp.XXXXXX", path) >= (int)tmpcap) {
        snprintf(err, errlen, "output path '%s' is too long", path);
        return EB_ERR_ARG;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 && errno != EINVAL)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    /* mkstemp makes 0600; a report is an ordinary file */
    (void)chmod(tmp, 0644);
    return EB_OK;
fail:;
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    snprintf(err, errlen, "cannot write '%s': %s", path, strerror(e));
    return EB_ERR_IO;
}

eb_status eb_write_file_atomic(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[4096];
    eb_status st = write_temp(path, text, tmp, sizeof tmp, err, errlen);
    if (st != EB_OK)
        return st;
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(e));
        return EB_ERR_IO;
    }
    return EB_OK;
}

/* Moves tmp to path only if path does not exist (a hard link fails with EEXIST; where
 * the file system has none, rename with RENAME_NOREPLACE). 1 done, 0 path exists,
 * -1 other error (errno). */
static int move_new(const char *tmp, const char *path)
{
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 1;
    }
    if (errno == EEXIST)
        return 0;
#if defined(RENAME_NOREPLACE)
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 1;
    if (errno == EEXIST)
        return 0;
#endif
    return -1;
}

eb_status eb_write_file_new(const char *path, const char *text, char *written, size_t wcap,
                            char *err, size_t errlen)
{
    char tmp[4096];
    eb_status st = write_temp(path, text, tmp, sizeof tmp, err, errlen);
    if (st != EB_OK)
        return st;
    /* path, then path with .1, .2 ... before its extension */
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) && dot != (slash ? slash + 1 : path)
                      ? (size_t)(dot - path) : strlen(path);
    for (int k = 0; k < 100; k++) {
        char cand[4096];
        if (k == 0)
            snprintf(cand, sizeof cand, "%s", path);
        else if (snprintf(cand, sizeof cand, "%.*s.%d%s", (int)stem, path, k, path + stem) >=
                 (int)sizeof cand)
            break;
        int r = move_new(tmp, cand);
        if (r == 1) {
            snprintf(written, wcap, "%s", cand);
            return EB_OK;
        }
        if (r < 0) {
            int e = errno;
            unlink(tmp);
            snprintf(err, errlen, "cannot write '%s': %s", cand, strerror(e));
            return EB_ERR_IO;
        }
    }
    unlink(tmp);
    snprintf(err, errlen, "cannot write '%s': it and 99 numbered alternatives exist", path);
    return EB_ERR_IO;
}

eb_status eb_report_render(const eb_report *r, char **out, char *err, size_t errlen)
{
    *out = NULL;
    char *text = eb_report_to_string(r);
    if (!text) {
#if defined(EB_HAVE_CJSON)
        snprintf(err, errlen, "out of memory while formatting the report");
        return EB_ERR_NOMEM;
#else
        snprintf(err, errlen, "this build has no cJSON: it cannot write JSON reports");
        return EB_ERR_UNSUPPORTED;
#endif
    }
#if defined(EB_HAVE_CJSON)
    /* what edgebench writes, edgebench must read: a report its own reader refuses is a
     * bug here, and is never handed to compare or plot */
    cJSON *tree = NULL;
    char why[768];
    if (eb_report_parse(text, &tree, why, sizeof why) != EB_OK) {
        snprintf(err, errlen, "edgebench made a report that its own reader refuses (%s); "
                 "this is a bug in edgebench, please report it; no report was written", why);
        free(text);
        return EB_ERR_FORMAT;
    }
    cJSON_Delete(tree);
#endif
    *out = text;
    return EB_OK;
}

eb_status eb_report_write_file(const eb_report *r, const char *path, char *err, size_t errlen)
{
    char *text;
    eb_status st = eb_report_render(r, &text, err, errlen);
    if (st != EB_OK)
        return st;
    st = eb_write_file_atomic(path, text, err, errlen);
    free(text);
    return st;
}

eb_status eb_report_write_new(const eb_report *r, const char *path, char *written,
                              size_t wcap, char *err, size_t errlen)
{
    char *text;
    eb_status st = eb_report_render(r, &text, err, errlen);
    if (st != EB_OK)
        return st;
    st = eb_write_file_new(path, text, written, wcap, err, errlen);
    free(text);
    return st;
}
