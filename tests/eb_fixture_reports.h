/* eb_fixture_reports.h - synthetic schema_version 1 reports for the report tests:
 * sample sets of known shape written as the harness would write them. Header-only
 * (static functions) so each test file stays one executable. */
#ifndef EB_FIXTURE_REPORTS_H
#define EB_FIXTURE_REPORTS_H

#include <cjson/cJSON.h>
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

/* The report as JSON text (free() it). cpu / kernel_set name the environment. */
static inline char *fx_report(const fx_result *res, size_t nres, const char *cpu, const char *kernel_set,
                       int schema_version)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema_version", schema_version);
    cJSON_AddTrueToObject(root, "complete");
    cJSON_AddStringToObject(root, "created_utc", "2026-11-22T03:04:05Z");
    cJSON *eb = cJSON_AddObjectToObject(root, "edgebench");
    cJSON_AddStringToObject(eb, "version", "0.1.0");
    cJSON_AddStringToObject(eb, "git", "fixture");
    cJSON_AddStringToObject(eb, "build_type", "Release");
    cJSON_AddFalseToObject(eb, "sanitized");
    cJSON *tg = cJSON_AddObjectToObject(root, "target");
    cJSON_AddStringToObject(tg, "name", nres ? res[0].target : "host");
    cJSON_AddStringToObject(tg, "arch", "x86_64");
    cJSON_AddFalseToObject(tg, "emulated");
    cJSON *env = cJSON_AddObjectToObject(root, "environment");
    cJSON *c = cJSON_AddObjectToObject(env, "cpu");
    cJSON_AddStringToObject(c, "brand", cpu);
    cJSON_AddStringToObject(env, "kernel_set", kernel_set);
    cJSON_AddArrayToObject(root, "warnings");
    cJSON *arr = cJSON_AddArrayToObject(root, "results");
    for (size_t i = 0; i < nres; i++) {
        const fx_result *r = &res[i];
        cJSON *o = cJSON_CreateObject();
        char name[160];
        snprintf(name, sizeof name, "%s_%s", r->model, r->variant);
        cJSON_AddStringToObject(o, "model", r->model);
        cJSON_AddStringToObject(o, "variant", r->variant);
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "scenario", r->scenario ? r->scenario : "single-stream");
        cJSON_AddNumberToObject(o, "threads", r->threads ? r->threads : 1);
        cJSON_AddTrueToObject(o, "complete");
        cJSON *k = cJSON_AddObjectToObject(o, "kernels");
        cJSON_AddStringToObject(k, "conv2d_s8", r->kernel ? r->kernel : "eb_conv2d_s8_avx2");
        cJSON_AddNumberToObject(o, "macs", 1000000);
        double *s = malloc(r->n * sizeof *s), mean = 0, var = 0;
        memcpy(s, r->samples, r->n * sizeof *s);
        qsort(s, r->n, sizeof *s, fx_cmp);
        for (size_t j = 0; j < r->n; j++)
            mean += s[j] / (double)r->n;
        for (size_t j = 0; j < r->n; j++)
            var += (s[j] - mean) * (s[j] - mean) / (double)(r->n > 1 ? r->n - 1 : 1);
        cJSON *l = cJSON_AddObjectToObject(o, "latency_ms");
        cJSON_AddNumberToObject(l, "n", (double)r->n);
        cJSON_AddNumberToObject(l, "min", s[0]);
        cJSON_AddNumberToObject(l, "max", s[r->n - 1]);
        cJSON_AddNumberToObject(l, "mean", mean);
        cJSON_AddNumberToObject(l, "median", fx_q(s, r->n, 0.5));
        cJSON_AddNumberToObject(l, "stddev", sqrt(var));
        cJSON_AddNumberToObject(l, "cv", sqrt(var) / mean);
        cJSON_AddNumberToObject(l, "p90", fx_q(s, r->n, 0.9));
        cJSON_AddNumberToObject(l, "p95", fx_q(s, r->n, 0.95));
        cJSON_AddNumberToObject(l, "p99", fx_q(s, r->n, 0.99));
        cJSON *ci = cJSON_AddArrayToObject(l, "ci95_median");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(fx_q(s, r->n, 0.45)));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(fx_q(s, r->n, 0.55)));
        free(s);
        cJSON_AddItemToObject(o, "samples_ms", cJSON_CreateDoubleArray(r->samples, (int)r->n));
        cJSON_AddNumberToObject(o, "throughput_ips", 1000.0 * (r->threads ? r->threads : 1) / mean);
        cJSON *m = cJSON_AddObjectToObject(o, "memory");
        if (r->weights_bytes)
            cJSON_AddNumberToObject(m, "weights_bytes", r->weights_bytes);
        if (r->planned_total_bytes)
            cJSON_AddNumberToObject(m, "planned_total_bytes", r->planned_total_bytes);
        if (r->peak_rss_bytes)
            cJSON_AddNumberToObject(m, "peak_rss_bytes", r->peak_rss_bytes);
        if (r->energy_j) {
            cJSON *e = cJSON_AddObjectToObject(o, "energy");
            cJSON_AddStringToObject(e, "method", "estimated");
            cJSON_AddNumberToObject(e, "joules_per_inference", r->energy_j);
        }
        if (r->sqnr_db) {
            cJSON *f = cJSON_AddObjectToObject(o, "fidelity");
            cJSON_AddNumberToObject(f, "sqnr_db", r->sqnr_db);
            cJSON_AddNumberToObject(f, "cosine", 0.999);
            cJSON_AddNumberToObject(f, "top1_agreement", 0.97);
        } else {
            cJSON_AddNullToObject(o, "fidelity");
        }
        if (r->profile_json)
            cJSON_AddItemToObject(o, "profile", cJSON_Parse(r->profile_json));
        else
            cJSON_AddNullToObject(o, "profile");
        cJSON_AddItemToArray(arr, o);
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
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
