/* run_local.c - one model measured in this process: single-stream or offline. */
#include "run_local.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model.h"
#include "meters.h"
#include "eb_stats.h"

void eb_fidelity_cache_free(eb_fidelity_cache *c)
{
    eb_fidelity_ref_free(c->ref);
    c->ref = NULL;
    c->arch[0] = 0;
}

/* ---- what a run has so far (eb_run_live) ---- */

void eb_run_live_init(eb_run_live *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
}

void eb_run_live_reset(eb_run_live *l, const char *model)
{
    pthread_mutex_lock(&l->mu);
    l->phase = "building";
    l->model = model;
    l->have_model = false;
    l->n = 0;
    pthread_mutex_unlock(&l->mu);
}

void eb_run_live_free(eb_run_live *l)
{
    free(l->ns);
    pthread_mutex_destroy(&l->mu);
}

static void live_phase(eb_run_live *l, const char *phase)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->phase = phase;
    pthread_mutex_unlock(&l->mu);
}

bool eb_run_live_result(eb_run_live *l, const eb_power_model *pm, eb_report_result *res)
{
    pthread_mutex_lock(&l->mu);
    bool have = l->have_model;
    if (have) {
        *res = l->ident;
        double *ms = malloc((l->n ? l->n : 1) * sizeof *ms);
        for (size_t i = 0; ms && i < l->n; i++)
            ms[i] = (double)l->ns[i] / 1e6;
        eb_rep_info ri = {l->n, 0};
        if (!ms || eb_result_set_samples(res, ms, l->n, &ri, l->n ? 1 : 0) != EB_OK)
            eb_result_set_samples(res, NULL, 0, NULL, 0);
        free(ms);
        eb_result_set_energy(res, pm, NAN, 0, res->n_samples, NULL);
        res->complete = false;
        snprintf(res->counters.reason, sizeof res->counters.reason,
                 "not read: the run was interrupted");
    }
    pthread_mutex_unlock(&l->mu);
    return have;
}

static void live_sample(eb_run_live *l, int64_t ns)
{
    pthread_mutex_lock(&l->mu);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        int64_t *p = realloc(l->ns, cap * sizeof *p);
        if (p) {
            l->ns = p;
            l->cap = cap;
        }
    }
    if (l->n < l->cap)
        l->ns[l->n++] = ns;
    pthread_mutex_unlock(&l->mu);
}

/* ---- single stream ---- */

typedef struct {
    eb_context *ctx;
    const eb_run_local_options *o;
    eb_counters *counters;
    eb_energy_meter *energy;
    double energy_j;
    int64_t energy_ns;
    double e0;
    int64_t t0;
} ss_state;

static void ss_infer(void *user) { eb_context_run(((ss_state *)user)->ctx); }

static void ss_sample(void *user, int64_t ns)
{
    const eb_run_local_options *o = ((ss_state *)user)->o;
    if (o->live)
        live_sample(o->live, ns);
}

static void ss_progress(void *user, const char *phase, int32_t rep, int32_t reps, size_t iters,
                        double last_ms)
{
    const eb_run_local_options *o = ((ss_state *)user)->o;
    if (o->progress)
        o->progress(o->progress_user, phase, rep, reps, iters, last_ms);
}

static void ss_rep_begin(void *user, int32_t rep)
{
    (void)rep;
    ss_state *s = user;
    if (s->energy) {
        s->e0 = eb_energy_joules(s->energy);
        s->t0 = eb_now_ns();
    }
    if (s->counters)
        eb_counters_start(s->counters);
}

static void ss_rep_end(void *user, int32_t rep, size_t iters)
{
    (void)rep;
    (void)iters;
    ss_state *s = user;
    if (s->counters)
        eb_counters_stop(s->counters);
    if (s->energy) {
        s->energy_j += eb_energy_joules(s->energy) - s->e0;
        s->energy_ns += eb_now_ns() - s->t0;
    }
}

/* ---- offline: one worker per thread, each with its own context ---- */

/* Workers wait at this gate until every thread exists (go) or creation failed (abort):
 * the barrier needs all of them, so none may reach it before that is known. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 wait, 1 go, 2 abort */
} gate;

static int gate_wait(gate *g)
{
    pthread_mutex_lock(&g->mu);
    while (g->state == 0)
        pthread_cond_wait(&g->cv, &g->mu);
    int s = g->state;
    pthread_mutex_unlock(&g->mu);
    return s;
}

static void gate_open(gate *g, int state)
{
    pthread_mutex_lock(&g->mu);
    g->state = state;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

typedef struct {
    eb_context *ctx;
    const eb_run_local_options *o;
    gate *gate;
    pthread_barrier_t *bar;
    eb_samples s;
    bool nomem;
    bool report_progress;
} worker;

static bool w_stopped(const worker *w) { return w->o->stop && *w->o->stop; }

static void *worker_main(void *arg)
{
    worker *w = arg;
    if (gate_wait(w->gate) != 1)
        return NULL;
    const eb_measure_settings *set = &w->o->measure;
    int32_t reps = set->repetitions;
    int64_t w0 = eb_now_ns(), t = w0;
    size_t warm = 0;
    while (!w_stopped(w) &&
           (warm < (size_t)set->warmup || (double)(t - w0) < set->warmup_min_time_s * 1e9)) {
        eb_context_run(w->ctx);
        t = eb_now_ns();
        warm++;
    }
    w->s.warmup_runs = warm;
    for (int32_t r = 0; r < reps; r++) {
        pthread_barrier_wait(w->bar); /* all start together */
        int64_t t0 = eb_now_ns(), last = t0;
        size_t iters = 0;
        while (!w_stopped(w) && !w->nomem) {
            int64_t a = eb_now_ns();
            eb_context_run(w->ctx);
            int64_t b = eb_now_ns();
            if (!eb_samples_push(&w->s, b - a)) {
                w->nomem = true;
                break;
            }
            iters++;
            if (eb_measure_rep_done(set, iters, t0, b))
                break;
            if (w->report_progress && w->o->progress && b - last > 200000000) {
                w->o->progress(w->o->progress_user, "measuring", r + 1, reps, iters,
                               (double)(b - a) / 1e6);
                last = b;
            }
        }
        w->s.rep_count[r] = iters;
        w->s.n_reps = r + 1;
        pthread_barrier_wait(w->bar); /* the repetition's wall time ends with the last */
    }
    return NULL;
}

static eb_status run_offline(const eb_run_local_options *o, eb_context **ctx, int32_t nt,
                             eb_energy_meter *energy, eb_report_result *res)
{
    int32_t reps = o->measure.repetitions;
    worker *w = calloc((size_t)nt, sizeof *w);
    pthread_t *tid = calloc((size_t)nt, sizeof *tid);
    int64_t *wall = calloc((size_t)reps, sizeof *wall);
    pthread_barrier_t bar;
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    eb_status st = EB_ERR_NOMEM;
    int32_t started = 0;
    bool bar_ok = false;
    if (!w || !tid || !wall)
        goto done;
    if (pthread_barrier_init(&bar, NULL, (unsigned)nt + 1) != 0)
        goto done;
    bar_ok = true;
    for (int32_t i = 0; i < nt; i++) {
        w[i].ctx = ctx[i];
        w[i].o = o;
        w[i].bar = &bar;
        w[i].gate = &g;
        w[i].report_progress = i == 0;
        w[i].s.rep_count = calloc((size_t)reps, sizeof(size_t));
        if (!w[i].s.rep_count)
            goto done;
    }
    for (; started < nt; started++)
        if (pthread_create(&tid[started], NULL, worker_main, &w[started]) != 0)
            break;
    if (started < nt) {
        /* cannot run the requested threads: release those that wait and give up */
        gate_open(&g, 2);
        for (int32_t i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
        started = 0;
        st = EB_ERR_UNSUPPORTED;
        goto done;
    }
    gate_open(&g, 1);
    double e_total = 0;
    int64_t e_ns = 0;
    for (int32_t r = 0; r < reps; r++) {
        pthread_barrier_wait(&bar);
        int64_t t0 = eb_now_ns();
        double e0 = energy ? eb_energy_joules(energy) : 0;
        pthread_barrier_wait(&bar);
        wall[r] = eb_now_ns() - t0;
        if (energy) {
            e_total += eb_energy_joules(energy) - e0;
            e_ns += wall[r];
        }
    }
    for (int32_t i = 0; i < nt; i++)
        pthread_join(tid[i], NULL);

    size_t total = 0;
    for (int32_t i = 0; i < nt; i++) {
        if (w[i].nomem)
            goto done;
        total += w[i].s.n;
    }
    double *ms = malloc((total ? total : 1) * sizeof *ms);
    eb_rep_info *ri = calloc((size_t)reps, sizeof *ri);
    res->per_thread_latency_ms = malloc((size_t)nt * sizeof(double));
    if (!ms || !ri || !res->per_thread_latency_ms) {
        free(ms);
        free(ri);
        goto done;
    }
    /* samples grouped by repetition, then by thread */
    size_t at = 0;
    size_t *off = calloc((size_t)nt, sizeof *off);
    if (!off) {
        free(ms);
        free(ri);
        goto done;
    }
    for (int32_t r = 0; r < reps; r++) {
        for (int32_t i = 0; i < nt; i++) {
            size_t c = w[i].s.rep_count[r];
            for (size_t k = 0; k < c; k++)
                ms[at++] = (double)w[i].s.ns[off[i] + k] / 1e6;
            off[i] += c;
            ri[r].count += c;
        }
        ri[r].wall_s = (double)wall[r] / 1e9;
    }
    free(off);
    for (int32_t i = 0; i < nt; i++) {
        double *x = malloc((w[i].s.n ? w[i].s.n : 1) * sizeof *x);
        if (!x) {
            free(ms);
            free(ri);
            goto done;
        }
        for (size_t k = 0; k < w[i].s.n; k++)
            x[k] = (double)w[i].s.ns[k] / 1e6;
        res->per_thread_latency_ms[i] = eb_median(x, w[i].s.n);
        free(x);
    }
    res->n_threads_latency = (size_t)nt;
    st = eb_result_set_samples(res, ms, total, ri, (size_t)reps);
    free(ms);
    free(ri);
    if (st == EB_OK)
        eb_result_set_energy(res, o->power, energy ? e_total : NAN, (double)e_ns / 1e9, total,
                             energy ? eb_energy_source(energy) : NULL);
done:
    if (bar_ok)
        pthread_barrier_destroy(&bar);
    if (w)
        for (int32_t i = 0; i < nt; i++)
            eb_samples_free(&w[i].s);
    free(w);
    free(tid);
    free(wall);
    return st;
}

/* ---- per-layer profile ---- */

typedef struct {
    int64_t *t; /* ops x iters */
    int32_t ops;
    size_t iter;
    int64_t start;
} prof_state;

static void prof_hook(void *user, int32_t op, int phase)
{
    prof_state *p = user;
    int64_t now = eb_now_ns();
    if (phase == 0)
        p->start = now;
    else if (op >= 0 && op < p->ops)
        p->t[p->iter * (size_t)p->ops + (size_t)op] = now - p->start;
}

static eb_status run_profile(const eb_model *m, eb_context *ctx,
                             const eb_run_local_options *o, eb_report_result *res)
{
    const eb_model_info *info = eb_model_get_info(m);
    int32_t ops = info->num_ops;
    size_t iters = (size_t)(o->measure.min_iterations > 5 ? o->measure.min_iterations : 5);
    prof_state p = {calloc(iters * (size_t)(ops > 0 ? ops : 1), sizeof(int64_t)), ops, 0, 0};
    double *col = malloc(iters * sizeof *col);
    res->profile = calloc(ops > 0 ? (size_t)ops : 1, sizeof *res->profile);
    if (!p.t || !col || !res->profile) {
        free(p.t);
        free(col);
        free(res->profile);
        res->profile = NULL;
        return EB_ERR_NOMEM;
    }
    eb_context_run_hooked(ctx, prof_hook, &p); /* one untimed pass: warm */
    for (p.iter = 0; p.iter < iters; p.iter++) {
        if (o->stop && *o->stop)
            break;
        eb_context_run_hooked(ctx, prof_hook, &p);
    }
    size_t done = p.iter ? p.iter : 1;
    double total = 0;
    for (int32_t i = 0; i < ops; i++) {
        eb_op_info oi;
        memset(&oi, 0, sizeof oi);
        eb_model_op_info(m, i, &oi);
        eb_report_profile_op *d = &res->profile[i];
        snprintf(d->op, sizeof d->op, "%s", oi.name ? oi.name : "?");
        snprintf(d->type, sizeof d->type, "%s", oi.type ? oi.type : "?");
        snprintf(d->kernel, sizeof d->kernel, "%s", oi.kernel ? oi.kernel : "");
        d->macs = oi.macs;
        for (size_t k = 0; k < done; k++)
            col[k] = (double)p.t[k * (size_t)ops + (size_t)i] / 1e6;
        d->median_ms = eb_median(col, done);
        d->gmacs = d->median_ms > 0 ? (double)oi.macs / (d->median_ms * 1e6) : 0;
        total += d->median_ms;
    }
    for (int32_t i = 0; i < ops; i++)
        res->profile[i].share = total > 0 ? res->profile[i].median_ms / total : 0;
    res->n_profile = (size_t)ops;
    free(p.t);
    free(col);
    return EB_OK;
}

/* The kernels the model's ops actually run, keyed "<op>_<dtype>" of the table entry. */
static void fill_kernels(const eb_model *m, eb_report_result *res)
{
    eb_kernel_info tab[64];
    size_t nt = eb_kernel_set_describe(eb_model_kernels(m), tab, 64);
    const eb_model_info *info = eb_model_get_info(m);
    for (int32_t i = 0; i < info->num_ops; i++) {
        eb_op_info oi;
        if (eb_model_op_info(m, i, &oi) != EB_OK || !oi.kernel)
            continue;
        for (size_t k = 0; k < nt; k++) {
            if (strcmp(tab[k].name, oi.kernel))
                continue;
            char key[32];
            snprintf(key, sizeof key, "%s_%s", tab[k].op, tab[k].dtype);
            bool seen = false;
            for (size_t j = 0; j < res->n_kernels; j++)
                seen = seen || !strcmp(res->kernels[j].op, key);
            if (!seen && res->n_kernels < EB_REPORT_MAX_KERNELS) {
                snprintf(res->kernels[res->n_kernels].op, sizeof res->kernels[0].op, "%s", key);
                snprintf(res->kernels[res->n_kernels].name, sizeof res->kernels[0].name, "%s",
                         oi.kernel);
                res->n_kernels++;
            }
            break;
        }
    }
}

eb_status eb_run_local(const char *name, const eb_run_local_options *o,
                       eb_report_result *res, eb_report *warn, char *err, size_t errlen)
{
    eb_report_result_init(res);
    int32_t nt = o->offline ? (o->streams > 0 ? o->streams : 1) : 1; /* contexts */
    int32_t per = o->threads > 0 ? o->threads : 1;
    res->threads = per;
    res->streams = nt;
    snprintf(res->scenario, sizeof res->scenario, "%s", o->offline ? "offline" : "single-stream");

    bool rss_reset = eb_rss_reset_peak();
    eb_model_options mo = {o->kernels, o->calib_dir};
    eb_model *m = NULL;
    eb_context **ctx = NULL;
    eb_counters *counters = NULL;
    eb_energy_meter *energy = NULL;
    eb_samples samples = {0};
    if (o->live)
        eb_run_live_reset(o->live, name);
    eb_status st = eb_model_build(name, &mo, &m, err, errlen);
    if (st != EB_OK)
        return st;
    const eb_model_info *info = eb_model_get_info(m);
    snprintf(res->model, sizeof res->model, "%s", info->arch);
    snprintf(res->variant, sizeof res->variant, "%s", info->variant);
    snprintf(res->import_note, sizeof res->import_note, "%s", info->import_note);
    snprintf(res->name, sizeof res->name, "%s", info->name);
    res->macs = info->macs;
    res->params = info->params;
    fill_kernels(m, res);
    if (o->live) {
        pthread_mutex_lock(&o->live->mu);
        eb_report_result *id = &o->live->ident;
        *id = *res; /* no arrays yet: a shallow copy owns nothing */
        id->memory.weights_bytes = info->weights_bytes;
        id->memory.packed_bytes = info->packed_bytes;
        id->memory.arena_bytes = info->arena_bytes;
        id->memory.scratch_bytes = info->scratch_bytes * (uint64_t)per;
        id->memory.arena_lower_bound_bytes = info->arena_lower_bound;
        id->memory.planned_total_bytes = info->weights_bytes + info->packed_bytes +
                                         (uint64_t)nt * (info->arena_bytes + info->scratch_bytes);
        o->live->have_model = true;
        o->live->phase = "measuring";
        pthread_mutex_unlock(&o->live->mu);
    }

    ctx = calloc((size_t)nt, sizeof *ctx);
    if (!ctx) {
        st = EB_ERR_NOMEM;
        goto fail;
    }
    for (int32_t i = 0; i < nt; i++) {
        st = eb_context_create_threads(m, per, &ctx[i]);
        if (st != EB_OK)
            goto fail;
        if (!o->input) {
            eb_context_fill_input(ctx[i], 0);
        } else if ((st = eb_model_read_input(m, o->input, eb_context_input(ctx[i]), err,
                                             errlen)) != EB_OK) {
            goto fail;
        }
    }

    char why[400];
    energy = eb_energy_open(why, sizeof why);
    if (!o->counters) {
        snprintf(res->counters.reason, sizeof res->counters.reason, "not requested (--no-counters)");
    } else if (o->offline) {
        snprintf(res->counters.reason, sizeof res->counters.reason,
                 "counters are collected in the single-stream scenario only");
    } else {
        counters = eb_counters_open(res->counters.reason, sizeof res->counters.reason);
    }

    if (o->offline) {
        st = run_offline(o, ctx, nt, energy, res);
        if (st != EB_OK)
            goto fail;
        res->complete = !(o->stop && *o->stop);
    } else {
        ss_state ss = {ctx[0], o, counters, energy, 0, 0, 0, 0};
        eb_measure_hooks h = {ss_rep_begin, ss_rep_end, ss_progress, &ss, o->stop, ss_sample};
        st = eb_measure_run(&o->measure, ss_infer, &ss, &h, &samples);
        if (st != EB_OK)
            goto fail;
        st = eb_result_set_samples_ns(res, &samples);
        if (st != EB_OK)
            goto fail;
        res->complete = !samples.interrupted;
        if (counters)
            eb_counters_result(counters, samples.n, &res->counters);
        eb_result_set_energy(res, o->power, energy ? ss.energy_j : NAN,
                             (double)ss.energy_ns / 1e9, samples.n,
                             energy ? eb_energy_source(energy) : NULL);
    }

    if (o->profile && !(o->stop && *o->stop)) {
        live_phase(o->live, "profiling");
        st = run_profile(m, ctx[0], o, res);
        if (st != EB_OK)
            goto fail;
    }

    /* memory: exact from the planner, measured from the kernel */
    eb_report_memory *mem = &res->memory;
    mem->weights_bytes = info->weights_bytes;
    mem->packed_bytes = info->packed_bytes;
    mem->arena_bytes = info->arena_bytes;
    mem->scratch_bytes = info->scratch_bytes * (uint64_t)per; /* one per thread */
    mem->arena_lower_bound_bytes = info->arena_lower_bound;
    mem->planned_total_bytes = info->weights_bytes + info->packed_bytes +
                               (uint64_t)nt * (info->arena_bytes + info->scratch_bytes);
    mem->rusage_maxrss_bytes = eb_rusage_maxrss_bytes();
    if (rss_reset && (mem->peak_rss_bytes = eb_rss_peak_bytes()) >= 0) {
        snprintf(mem->rss_method, sizeof mem->rss_method,
                 "VmHWM after clear_refs");
    } else {
        mem->peak_rss_bytes = mem->rusage_maxrss_bytes;
        snprintf(mem->rss_method, sizeof mem->rss_method,
                 "getrusage ru_maxrss (whole process; clear_refs unavailable)");
        if (warn)
            eb_report_warn(warn, "peak RSS could not be reset: it is the process's lifetime peak");
    }

    /* fidelity against the fp32 dense model (which is itself the reference); an
     * imported model (arch "tflite", "onnx") has no zoo fp32 model */
    if (strcmp(info->variant, "fp32") != 0 && strcmp(info->arch, "tflite") != 0 &&
        strcmp(info->arch, "onnx") != 0 &&
        !(o->stop && *o->stop)) {
        live_phase(o->live, "computing the fidelity of");
        eb_fidelity f;
        eb_status fs = EB_ERR_ARG;
        eb_fidelity_cache *fc = o->fidelity;
        if (fc && strcmp(fc->arch, info->arch)) {
            eb_fidelity_cache_free(fc);
            char ferr[256];
            if (eb_fidelity_ref_create(info->arch, &mo, &fc->ref, ferr, sizeof ferr) == EB_OK)
                snprintf(fc->arch, sizeof fc->arch, "%s", info->arch);
            else
                fc->ref = NULL;
        }
        if (fc && fc->ref)
            fs = eb_model_fidelity_vs(m, fc->ref, &f);
        else
            fs = eb_model_fidelity(m, &f);
        if (fs == EB_OK) {
            res->has_fidelity = true;
            res->fidelity.sqnr_db = f.sqnr_db;
            res->fidelity.cosine = f.cosine;
            res->fidelity.top1_agreement = f.top1_agreement;
            res->fidelity.max_abs_err = f.max_abs_err;
            res->fidelity.inputs = f.inputs;
        } else if (warn) {
            eb_report_warn(warn, "%s: fidelity against fp32 could not be computed", res->name);
        }
    }
    st = EB_OK;
fail:
    if (st != EB_OK && err && !err[0])
        snprintf(err, errlen, "measuring '%s' failed: %s", name, eb_status_str(st));
    eb_samples_free(&samples);
    eb_counters_close(counters);
    eb_energy_close(energy);
    if (ctx)
        for (int32_t i = 0; i < nt; i++)
            eb_context_free(ctx[i]);
    free(ctx);
    eb_model_free(m);
    return st;
}
