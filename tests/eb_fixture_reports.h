/* eb_fixture_reports.h - synthetic schema_version 1 reports for the report tests:
 * sample sets of known shape written as the harness would write them. Header-only
 * (static functions) so each test file stays one executable. */
#ifndef EB_FIXTURE_REPORTS_H
#define EB_FIXTURE_REPORTS_H

#include <cjson/cJSON.h>
#include "eb_report.h"
#include "eb_stats.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline uint64_t fx_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline double fx_uniform(uint64_t *s) { return ((double)(fx_next(s) >> 11) + 0.5) / 9007199254740992.0; }

static inline double fx_normal(uint64_t *s)
{
    double u1 = fx_uniform(s), u2 = fx_uniform(s);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* n latencies around `center` ms: center * (1 + rel_noise * N(0,1)) with a floor at
 * 20 % of center (a latency is never negative), plus a right tail from `rel_tail`
 * (exponential, mean rel_tail * center), the usual shape of timing noise. */
static inline void fx_samples(double *out, size_t n, double center, double rel_noise, double rel_tail,
                       uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double v = center * (1 + rel_noise * fx_normal(&s));
        if (rel_tail > 0)
            v += -log(fx_uniform(&s)) * rel_tail * center;
        out[i] = v < 0.2 * center ? 0.2 * center : v;
    }
}

typedef struct {
    const char *target, *model, *variant, *scenario;
    int threads;
    const double *samples;
    size_t n;
    double planned_total_bytes, peak_rss_bytes, weights_bytes; /* 0: left out */
    double energy_j;                                          /* 0: left out */
    const char *kernel;                                       /* conv2d kernel name */
    const char *profile_json;                                 /* raw JSON array or NULL */
    int accuracy_classes; /* > 0: an accuracy block of that many classes (a fixed matrix) */
    double sqnr_db;                                           /* 0: fidelity null */
} fx_result;

static inline int fx_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline double fx_q(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t k = (size_t)h;
    return k + 1 < n ? sorted[k] + (h - (double)k) * (sorted[k + 1] - sorted[k]) : sorted[n - 1];
}

/* The report as JSON text (free() it), made by the harness's own writer so it is
 * schema-valid. cpu / kernel_set name the environment. schema_version != 1 is patched
 * into the text afterwards (for the mismatch tests). */
static inline char *fx_report(const fx_result *res, size_t nres, const char *cpu,
                              const char *kernel_set, int schema_version)
{
    eb_report rep;
    eb_report_init(&rep);
    snprintf(rep.created_utc, sizeof rep.created_utc, "2026-11-22T03:04:05Z");
    snprintf(rep.edgebench.version, sizeof rep.edgebench.version, "0.1.0");
    snprintf(rep.edgebench.git, sizeof rep.edgebench.git, "fixture");
    snprintf(rep.edgebench.build_type, sizeof rep.edgebench.build_type, "Release");
    snprintf(rep.edgebench.compiler, sizeof rep.edgebench.compiler, "GNU 12");
    snprintf(rep.edgebench.cflags, sizeof rep.edgebench.cflags, "-O3");
    rep.settings.warmup = 1;
    rep.settings.min_iterations = 1;
    rep.settings.repetitions = 1;
    rep.settings.min_time_s = 0.1;
    rep.settings.max_iterations = 1000000;
    snprintf(rep.settings.kernels, sizeof rep.settings.kernels, "%s", kernel_set);
    snprintf(rep.settings.scenario, sizeof rep.settings.scenario, "single-stream");
    snprintf(rep.target.name, sizeof rep.target.name, "%s", nres ? res[0].target : "host");
    snprintf(rep.target.arch, sizeof rep.target.arch, "x86_64");
    snprintf(rep.target.transport, sizeof rep.target.transport, "local");
    rep.target.cores = 2;
    rep.target.memory_bytes = 8LL << 30;
    rep.target.power_model.idle_w = 3;
    rep.target.power_model.active_w = 15;
    snprintf(rep.target.power_model.source, sizeof rep.target.power_model.source, "fixture");
    eb_report_env *env = &rep.environment;
    env->cpu_known = true;
    snprintf(env->vendor, sizeof env->vendor, "Fixture");
    snprintf(env->brand, sizeof env->brand, "%s", cpu);
    snprintf(env->codename, sizeof env->codename, "none");
    env->cores = env->threads = 2;
    snprintf(env->kernel_set, sizeof env->kernel_set, "%s", kernel_set);
    snprintf(env->os_kernel, sizeof env->os_kernel, "Linux");
    snprintf(env->hostname, sizeof env->hostname, "fixture");
    rep.results = calloc(nres ? nres : 1, sizeof *rep.results);
    rep.n_results = nres;
    for (size_t i = 0; i < nres; i++) {
        const fx_result *r = &res[i];
        eb_report_result *o = &rep.results[i];
        eb_report_result_init(o);
        snprintf(o->model, sizeof o->model, "%s", r->model);
        snprintf(o->variant, sizeof o->variant, "%s", r->variant);
        snprintf(o->name, sizeof o->name, "%s_%s", r->model, r->variant);
        snprintf(o->scenario, sizeof o->scenario, "%s", r->scenario ? r->scenario : "single-stream");
        o->threads = r->threads ? r->threads : 1;
        o->n_kernels = 1;
        snprintf(o->kernels[0].op, sizeof o->kernels[0].op, "conv2d_s8");
        snprintf(o->kernels[0].name, sizeof o->kernels[0].name, "%s",
                 r->kernel ? r->kernel : "eb_conv2d_s8_avx2");
        o->macs = 1000000;
        o->params = 1000;
        o->samples_ms = malloc(r->n * sizeof *o->samples_ms);
        memcpy(o->samples_ms, r->samples, r->n * sizeof *o->samples_ms);
        o->n_samples = r->n;
        eb_stats_compute(r->samples, r->n, &o->latency);
        o->throughput_ips = 1000.0 * o->threads / o->latency.mean;
        o->memory.weights_bytes = (uint64_t)r->weights_bytes;
        o->memory.planned_total_bytes = (uint64_t)r->planned_total_bytes;
        o->memory.peak_rss_bytes = r->peak_rss_bytes ? (int64_t)r->peak_rss_bytes : -1;
        snprintf(o->energy.method, sizeof o->energy.method, "estimated");
        o->energy.joules_per_inference = r->energy_j ? r->energy_j : 15 * o->latency.median / 1000;
        o->energy.average_power_w = 15;
        snprintf(o->energy.detail, sizeof o->energy.detail, "fixture");
        if (r->sqnr_db) {
            o->has_fidelity = true;
            o->fidelity.sqnr_db = r->sqnr_db;
            o->fidelity.cosine = 0.999;
            o->fidelity.top1_agreement = 0.97;
            o->fidelity.max_abs_err = 0.01;
            o->fidelity.inputs = 8;
        }
        if (r->accuracy_classes > 0) {
            eb_report_accuracy *a = eb_report_accuracy_new(r->accuracy_classes);
            if (a) {
                int k = r->accuracy_classes;
                snprintf(a->dataset, sizeof a->dataset, "datasets/fixture");
                for (int t = 0; t < k; t++) {
                    if (t % 2 == 0)
                        snprintf(a->names[t], sizeof a->names[t], "class-%d", t);
                    for (int p = 0; p < k; p++) {
                        uint64_t v = p == t ? (uint64_t)(10 + t) : (uint64_t)((t * 7 + p * 3) % 4 == 0);
                        a->confusion[t * k + p] = v;
                        a->inputs += v;
                        a->correct += p == t ? v : 0;
                    }
                }
                o->accuracy = a;
            }
        }
        if (r->profile_json) {
            cJSON *p = cJSON_Parse(r->profile_json);
            size_t n = (size_t)cJSON_GetArraySize(p);
            o->profile = calloc(n, sizeof *o->profile);
            const cJSON *op;
            cJSON_ArrayForEach(op, p) {
                eb_report_profile_op *d = &o->profile[o->n_profile++];
                snprintf(d->op, sizeof d->op, "%s", cJSON_GetObjectItem(op, "op")->valuestring);
                snprintf(d->type, sizeof d->type, "%s", cJSON_GetObjectItem(op, "type")->valuestring);
                snprintf(d->kernel, sizeof d->kernel, "%s", cJSON_GetObjectItem(op, "kernel")->valuestring);
                d->macs = (uint64_t)cJSON_GetObjectItem(op, "macs")->valuedouble;
                d->median_ms = cJSON_GetObjectItem(op, "median_ms")->valuedouble;
                d->gmacs = cJSON_GetObjectItem(op, "gmacs")->valuedouble;
                d->share = cJSON_GetObjectItem(op, "share")->valuedouble;
            }
            cJSON_Delete(p);
        }
    }
    char *txt = eb_report_to_string(&rep);
    eb_report_free(&rep);
    if (txt && schema_version != 1) {
        char *at = strstr(txt, "\"schema_version\":");
        if (at) {
            at += strlen("\"schema_version\":");
            while (*at == ' ' || *at == '\t')
                at++;
            *at = (char)('0' + schema_version % 10);
        }
    }
    return txt;
}

static inline void fx_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A fresh temporary directory (mkdtemp); the caller removes it with fx_rmdir. */
static inline void fx_tmpdir(char *dir, size_t cap, const char *tag)
{
    snprintf(dir, cap, "/tmp/eb_%s_XXXXXX", tag);
    if (!mkdtemp(dir))
        dir[0] = 0;
}

static inline void fx_rmdir(const char *dir)
{
    char cmd[600];
    if (dir[0] && !strncmp(dir, "/tmp/eb_", 8)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

/* Whole file (free() it) or NULL. */
static inline char *fx_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = 0;
    fclose(f);
    return b;
}

#endif
