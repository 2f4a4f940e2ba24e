/* engine.c - warm-up, iteration control, repetitions; samples to results. */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eb_stats.h"

void eb_measure_defaults(eb_measure_settings *s)
{
    s->warmup = 5;
    s->warmup_min_time_s = 0.5;
    s->min_iterations = 20;
    s->min_time_s = 1.0;
    s->max_iterations = 100000;
    s->repetitions = 3;
}

int64_t eb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void eb_samples_free(eb_samples *s)
{
    free(s->ns);
    free(s->rep_count);
    free(s->rep_wall_ns);
    memset(s, 0, sizeof *s);
}

static bool samples_reserve(eb_samples *s, size_t want)
{
    if (want <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < want)
        cap *= 2;
    int64_t *p = realloc(s->ns, cap * sizeof *p);
    if (!p)
        return false;
    s->ns = p;
    s->cap = cap;
    return true;
}

bool eb_samples_push(eb_samples *s, int64_t ns)
{
    if (s->n == s->cap && !samples_reserve(s, s->n + 1))
        return false;
    s->ns[s->n++] = ns;
    return true;
}

bool eb_measure_rep_done(const eb_measure_settings *set, size_t iters, int64_t t0_ns,
                         int64_t t_ns)
{
    if (set->max_iterations > 0 && iters >= (size_t)set->max_iterations)
        return true;
    return iters >= (size_t)set->min_iterations &&
           (double)(t_ns - t0_ns) >= set->min_time_s * 1e9;
}

#if defined(EB_TEST_SLOWDOWN_PCT) && EB_TEST_SLOWDOWN_PCT > 0
/* Test knob, compiled in only by `cmake -DEB_TEST_SLOWDOWN_PCT=N`: a deliberately slower
 * build for checking the regression gates (compare, ab). Spins for N % of each timed
 * inference, inside the timed region, so the slowdown follows the machine's speed. Such
 * builds say so in every report's warnings (env.c). */
static void test_slowdown(int64_t start_ns)
{
    int64_t now = eb_now_ns(), end = now + (now - start_ns) * EB_TEST_SLOWDOWN_PCT / 100;
    while (eb_now_ns() < end)
        ;
}
#define EB_TEST_SLOWDOWN(start_ns) test_slowdown(start_ns)
#else
#define EB_TEST_SLOWDOWN(start_ns) ((void)0)
#endif

static bool stopped(const eb_measure_hooks *h)
{
    return h && h->stop && *h->stop;
}

eb_status eb_measure_run(const eb_measure_settings *set, eb_infer_fn fn, void *user,
                         const eb_measure_hooks *h, eb_samples *out)
{
    memset(out, 0, sizeof *out);
    int32_t reps = set->repetitions > 0 ? set->repetitions : 1;
    out->rep_count = calloc((size_t)reps, sizeof *out->rep_count);
    out->rep_wall_ns = calloc((size_t)reps, sizeof *out->rep_wall_ns);
    if (!out->rep_count || !out->rep_wall_ns)
        goto nomem;

    /* Warm-up: caches, page faults of the arena, branch predictors, frequency ramp. */
    int64_t w0 = eb_now_ns(), last_report = w0, t = w0, warm_ns = 0;
    size_t warm = 0;
    while (!stopped(h) && (warm < (size_t)set->warmup ||
                           (double)(t - w0) < set->warmup_min_time_s * 1e9)) {
        int64_t a = eb_now_ns();
        fn(user);
        EB_TEST_SLOWDOWN(a);
        t = eb_now_ns();
        warm_ns += t - a;
        warm++;
        if (h && h->progress && t - last_report > 200000000) {
            h->progress(h->user, "warm-up", 0, reps, warm, (double)(t - a) / 1e6);
            last_report = t;
        }
    }
    out->warmup_runs = warm;

    /* Size the buffer from the warm-up so the loop rarely grows it. */
    double per = warm ? (double)warm_ns / (double)warm : 1e6;
    double expect = fmax((double)set->min_iterations, set->min_time_s * 1e9 / fmax(per, 1.0));
    if (set->max_iterations > 0)
        expect = fmin(expect, (double)set->max_iterations);
    if (!samples_reserve(out, (size_t)(expect * 1.25 + 16) * (size_t)reps))
        goto nomem;

    for (int32_t r = 0; r < reps && !stopped(h); r++) {
        if (h && h->rep_begin)
            h->rep_begin(h->user, r);
        size_t iters = 0;
        int64_t t0 = eb_now_ns(), now = t0;
        last_report = t0;
        out->n_reps = r + 1;
        for (;;) {
            int64_t a = eb_now_ns();
            fn(user);
            EB_TEST_SLOWDOWN(a);
            now = eb_now_ns();
            if (!eb_samples_push(out, now - a))
                goto nomem;
            iters++;
            if (eb_measure_rep_done(set, iters, t0, now) || stopped(h))
                break;
            if (h && h->progress && now - last_report > 200000000) {
                h->progress(h->user, "measuring", r + 1, reps, iters, (double)(now - a) / 1e6);
                last_report = now;
            }
        }
        out->rep_count[r] = iters;
        out->rep_wall_ns[r] = now - t0;
        if (h && h->rep_end)
            h->rep_end(h->user, r, iters);
    }
    out->interrupted = stopped(h);
    return EB_OK;
nomem:
    eb_samples_free(out);
    return EB_ERR_NOMEM;
}

eb_status eb_result_set_samples(eb_report_result *res, const double *x, size_t n,
                                const eb_rep_info *reps, size_t n_reps)
{
    free(res->samples_ms);
    free(res->repetition_medians_ms);
    free(res->repetition_throughput_ips);
    res->samples_ms = malloc((n ? n : 1) * sizeof(double));
    res->repetition_medians_ms = malloc((n_reps ? n_reps : 1) * sizeof(double));
    res->repetition_throughput_ips = malloc((n_reps ? n_reps : 1) * sizeof(double));
    if (!res->samples_ms || !res->repetition_medians_ms || !res->repetition_throughput_ips)
        goto nomem;
    memcpy(res->samples_ms, x, n * sizeof *x);
    res->n_samples = n;
    res->n_repetitions = n_reps;
    if (eb_stats_compute(x, n, &res->latency) != 0)
        goto nomem;
    size_t at = 0;
    for (size_t r = 0; r < n_reps; r++) {
        size_t c = reps[r].count;
        if (at + c > n)
            c = n - at;
        double sum = 0;
        for (size_t i = 0; i < c; i++)
            sum += x[at + i];
        res->repetition_medians_ms[r] = eb_median(x + at, c);
        double wall = reps[r].wall_s > 0 ? reps[r].wall_s : sum / 1e3;
        res->repetition_throughput_ips[r] = wall > 0 ? (double)c / wall : 0;
        at += c;
    }
    res->throughput_ips = eb_median(res->repetition_throughput_ips, n_reps);
    return EB_OK;
nomem:
    free(res->samples_ms);
    free(res->repetition_medians_ms);
    free(res->repetition_throughput_ips);
    res->samples_ms = res->repetition_medians_ms = res->repetition_throughput_ips = NULL;
    res->n_samples = res->n_repetitions = 0;
    return EB_ERR_NOMEM;
}

eb_status eb_result_set_samples_ns(eb_report_result *res, const eb_samples *s)
{
    double *ms = malloc((s->n ? s->n : 1) * sizeof *ms);
    eb_rep_info *reps = calloc(s->n_reps ? (size_t)s->n_reps : 1, sizeof *reps);
    eb_status st = EB_ERR_NOMEM;
    if (ms && reps) {
        for (size_t i = 0; i < s->n; i++)
            ms[i] = (double)s->ns[i] / 1e6;
        for (int32_t r = 0; r < s->n_reps; r++) {
            reps[r].count = s->rep_count[r];
            reps[r].wall_s = 0; /* one stream: throughput from the inference times */
        }
        st = eb_result_set_samples(res, ms, s->n, reps, (size_t)s->n_reps);
    }
    free(ms);
    free(reps);
    return st;
}

void eb_result_set_energy(eb_report_result *res, const eb_power_model *pm, double measured_j,
                          double measured_s, size_t inferences, const char *source)
{
    eb_report_energy *e = &res->energy;
    if (isfinite(measured_j) && measured_j >= 0 && inferences > 0 && measured_s > 0) {
        snprintf(e->method, sizeof e->method, "measured");
        e->joules_per_inference = measured_j / (double)inferences;
        e->average_power_w = measured_j / measured_s;
        snprintf(e->detail, sizeof e->detail,
                 "%s: %.3f J over %.3f s of measurement and %zu inferences (whole package, "
                 "including anything else running)",
                 source ? source : "energy counter", measured_j, measured_s, inferences);
        return;
    }
    snprintf(e->method, sizeof e->method, "estimated");
    e->average_power_w = pm->active_w;
    if (res->streams <= 1) { /* one inference at a time, however many threads it has */
        e->joules_per_inference = pm->active_w * res->latency.median / 1e3;
        snprintf(e->detail, sizeof e->detail,
                 "active_w %.3g W x median latency %.4g ms; power model source: %s",
                 pm->active_w, res->latency.median, pm->source);
    } else {
        e->joules_per_inference = res->throughput_ips > 0 ? pm->active_w / res->throughput_ips : 0;
        snprintf(e->detail, sizeof e->detail,
                 "active_w %.3g W / throughput %.4g inferences/s (%d streams); power model "
                 "source: %s",
                 pm->active_w, res->throughput_ips, (int)res->streams, pm->source);
    }
}
