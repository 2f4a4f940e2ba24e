/* run_local.c - one model measured in this process: single-stream or offline. */
#include "run_local.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_dataset.h"
#include "eb_model.h"
#include "eb_outfile.h"
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

/* The inputs of an --input folder, read before measuring: each timed inference takes
 * the next (copied between inferences, outside the timed region), cycled. */
typedef struct {
    uint8_t *bytes; /* n x size */
    size_t n, size;
} input_set;

static void next_input(const input_set *in, size_t *at, eb_context *ctx)
{
    if (!in || in->n < 2)
        return;
    *at = *at + 1 < in->n ? *at + 1 : 0;
    memcpy(eb_context_input(ctx), in->bytes + *at * in->size, in->size);
}

typedef struct {
    eb_context *ctx;
    const eb_run_local_options *o;
    const input_set *in;
    size_t in_at;
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
    ss_state *s = user;
    if (s->o->live)
        live_sample(s->o->live, ns);
    next_input(s->in, &s->in_at, s->ctx);
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
    const input_set *in;
    size_t in_at;
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
            next_input(w->in, &w->in_at, w->ctx);
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
                             const input_set *in, eb_energy_meter *energy, eb_report_result *res)
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
        w[i].in = in;
        w[i].in_at = in && in->n ? (size_t)i % in->n : 0; /* streams start apart */
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


static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- inputs from files, outputs to files, accuracy on a dataset ---- */

/* Largest --input folder held in memory for cycling. */
#define INPUT_SET_MAX_BYTES (UINT64_C(1) << 30)

static eb_status load_input_set(const eb_model *m, const char *dir, eb_file_list *names,
                                input_set *in, char *err, size_t errlen)
{
    const eb_model_info *info = eb_model_get_info(m);
    eb_status st = eb_list_input_dir(dir, names, err, errlen);
    if (st != EB_OK)
        return st;
    if ((uint64_t)names->n * info->input_bytes > INPUT_SET_MAX_BYTES) {
        snprintf(err, errlen, "--input '%s': %zu inputs of %zu bytes are more than the 1 GiB "
                 "edgebench holds in memory for timing", dir, names->n, info->input_bytes);
        return EB_ERR_ARG;
    }
    in->size = info->input_bytes;
    in->n = names->n;
    in->bytes = malloc(in->n * in->size + 1);
    if (!in->bytes) {
        snprintf(err, errlen, "out of memory reading the inputs of '%s'", dir);
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < names->n; i++)
        if ((st = eb_dataset_read_input(m, dir, names->names[i], in->bytes + i * in->size, err,
                                        errlen)) != EB_OK)
            return st;
    return EB_OK;
}

/* Where this model's outputs go ("" none); the folder is made. */
static eb_status outputs_dir(const eb_run_local_options *o, const eb_report_result *res,
                             char *dir, size_t cap, char *err, size_t errlen)
{
    dir[0] = 0;
    if (!o->save_outputs)
        return EB_OK;
    char safe[sizeof res->name];
    size_t j = 0;
    for (const char *c = res->name; *c && j + 1 < sizeof safe; c++)
        safe[j++] = (strchr("-._", *c) || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
                     (*c >= 'A' && *c <= 'Z')) ? *c : '_';
    safe[j] = 0;
    if (o->save_per_model)
        snprintf(dir, cap, "%s/%s", o->save_outputs, safe);
    else
        snprintf(dir, cap, "%s", o->save_outputs);
    return eb_mkdirs(dir, 0777, err, errlen);
}

static eb_status save_output(const eb_model *m, eb_context *ctx, const char *dir,
                             const char *input_name, char *err, size_t errlen)
{
    char name[EB_DATA_NAME_MAX + 8], path[4096 + sizeof name];
    if (!eb_output_name(input_name, name, sizeof name)) {
        snprintf(err, errlen, "cannot name the output of input '%s'", input_name);
        return EB_ERR_ARG;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return eb_model_save_output(m, eb_context_output(ctx), path, err, errlen);
}

/* Two inputs whose names differ only in their extension would write one output file. */
static eb_status outputs_distinct(char **names, size_t n, const char *what, char *err,
                                  size_t errlen)
{
    char **o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return EB_ERR_NOMEM;
    eb_status st = EB_OK;
    size_t k = 0;
    for (size_t i = 0; i < n && st == EB_OK; i++) {
        o[k] = malloc(EB_DATA_NAME_MAX + 8);
        if (!o[k] || !eb_output_name(names[i], o[k], EB_DATA_NAME_MAX + 8))
            st = EB_ERR_NOMEM;
        k++;
    }
    if (st == EB_OK) {
        qsort(o, n, sizeof *o, cmp_names);
        for (size_t i = 1; i < n && st == EB_OK; i++)
            if (!strcmp(o[i], o[i - 1])) {
                snprintf(err, errlen, "--save-outputs: two inputs of %s would both write '%s' "
                         "(their names differ only in the extension)", what, o[i]);
                st = EB_ERR_ARG;
            }
    }
    for (size_t i = 0; i < k; i++)
        free(o[i]);
    free(o);
    return st;
}

typedef struct {
    const eb_run_local_options *o;
    const char *phase;
    size_t done, total;
    int64_t last;
} eval_progress;

static void eval_tick(eval_progress *p, double last_ms)
{
    int64_t now = eb_now_ns();
    p->done++;
    if (!p->o->progress || (now - p->last < 200000000 && p->done < p->total))
        return;
    char phase[96];
    snprintf(phase, sizeof phase, "%s, %zu of %zu inputs", p->phase, p->done, p->total);
    p->o->progress(p->o->progress_user, phase, 0, 0, p->done, last_ms);
    p->last = now;
}

/* One inference per file of the --input folder (outputs saved) and per labelled input of
 * the dataset (outputs saved, top-1 tallied into res->accuracy). */
static eb_status eval_pass(const eb_model *m, eb_context *ctx, const eb_run_local_options *o,
                           const input_set *in, const eb_file_list *in_names,
                           eb_report_result *res, char *err, size_t errlen)
{
    char dir[4096 + 128];
    eb_status st = outputs_dir(o, res, dir, sizeof dir, err, errlen);
    if (st != EB_OK)
        return st;
    bool stop = false;
    if (dir[0] && in && in->n) {
        live_phase(o->live, "saving the outputs of");
        eval_progress p = {o, "saving outputs", 0, in->n, eb_now_ns()};
        for (size_t i = 0; i < in->n && !(stop = o->stop && *o->stop); i++) {
            memcpy(eb_context_input(ctx), in->bytes + i * in->size, in->size);
            int64_t a = eb_now_ns();
            eb_context_run(ctx);
            double ms = (double)(eb_now_ns() - a) / 1e6;
            if ((st = save_output(m, ctx, dir, in_names->names[i], err, errlen)) != EB_OK)
                return st;
            eval_tick(&p, ms);
        }
    } else if (dir[0] && !o->labels) {
        /* one input: the --input file, or the generated one */
        const char *nm = "generated_input_0";
        if (o->input) {
            const char *slash = strrchr(o->input, '/');
            nm = slash ? slash + 1 : o->input;
        }
        if (o->input && !in)
            st = eb_model_read_input(m, o->input, eb_context_input(ctx), err, errlen);
        else
            eb_context_fill_input(ctx, 0);
        if (st != EB_OK)
            return st;
        eb_context_run(ctx);
        if ((st = save_output(m, ctx, dir, nm, err, errlen)) != EB_OK)
            return st;
    }
    const eb_labels *l = o->labels;
    if (!l || stop)
        return EB_OK;
    eb_report_accuracy *ac = eb_report_accuracy_new(l->classes);
    if (!ac)
        return EB_ERR_NOMEM;
    snprintf(ac->dataset, sizeof ac->dataset, "%s", o->dataset);
    for (int32_t c = 0; l->names && c < l->classes; c++)
        snprintf(ac->names[c], sizeof ac->names[c], "%s", l->names[c]);
    res->accuracy = ac;
    live_phase(o->live, "evaluating the dataset with");
    eval_progress p = {o, "accuracy", 0, l->n, eb_now_ns()};
    for (size_t i = 0; i < l->n; i++) {
        if (o->stop && *o->stop) {
            res->complete = false;
            break;
        }
        if ((st = eb_dataset_read_input(m, o->dataset, l->rows[i].file, eb_context_input(ctx),
                                        err, errlen)) != EB_OK)
            return st;
        int64_t a = eb_now_ns();
        eb_context_run(ctx);
        double ms = (double)(eb_now_ns() - a) / 1e6;
        int32_t pred = eb_model_top1(m, eb_context_output(ctx));
        int32_t t = l->rows[i].label;
        ac->confusion[(size_t)t * (size_t)l->classes + (size_t)pred]++;
        ac->inputs++;
        ac->correct += pred == t;
        if (dir[0] && (st = save_output(m, ctx, dir, l->rows[i].file, err, errlen)) != EB_OK)
            return st;
        eval_tick(&p, ms);
    }
    return EB_OK;
}

/* Every labelled input is read once before anything is measured: a bad file is an error
 * before the run, never a report without its accuracy. */
static eb_status check_dataset(const eb_model *m, const eb_run_local_options *o, eb_context *ctx,
                               char *err, size_t errlen)
{
    const eb_labels *l = o->labels;
    const eb_model_info *info = eb_model_get_info(m);
    if (info->out_size != l->classes) {
        snprintf(err, errlen, "dataset '%s' has %d classes but model '%s' has %d outputs",
                 o->dataset, (int)l->classes, info->name, (int)info->out_size);
        return EB_ERR_ARG;
    }
    for (size_t i = 0; i < l->n; i++) {
        eb_status st = eb_dataset_read_input(m, o->dataset, l->rows[i].file,
                                             eb_context_input(ctx), err, errlen);
        if (st != EB_OK)
            return st;
    }
    if (o->save_outputs) {
        char **names = malloc(l->n * sizeof *names);
        if (!names)
            return EB_ERR_NOMEM;
        for (size_t i = 0; i < l->n; i++)
            names[i] = (char *)l->rows[i].file;
        eb_status st = outputs_distinct(names, l->n, o->dataset, err, errlen);
        free(names);
        return st;
    }
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
    /* the int8 variants of a float32 .tflite calibrate on --calib, else on the dataset */
    const char *at = eb_model_is_tflite(name) ? strrchr(name, '@') : NULL;
    eb_model_options mo = {o->kernels, o->calib_dir ? o->calib_dir
                                       : at && o->labels ? o->dataset : NULL};
    eb_model *m = NULL;
    eb_context **ctx = NULL;
    eb_counters *counters = NULL;
    eb_energy_meter *energy = NULL;
    eb_samples samples = {0};
    input_set inputs = {0};
    eb_file_list in_names = {0};
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
    bool input_dir = o->input && eb_path_is_dir(o->input);
    if (input_dir) {
        if ((st = load_input_set(m, o->input, &in_names, &inputs, err, errlen)) != EB_OK)
            goto fail;
        if (o->save_outputs &&
            (st = outputs_distinct(in_names.names, in_names.n, o->input, err, errlen)) != EB_OK)
            goto fail;
    }
    for (int32_t i = 0; i < nt; i++) {
        st = eb_context_create_threads(m, per, &ctx[i]);
        if (st != EB_OK)
            goto fail;
        if (i == 0 && o->labels && (st = check_dataset(m, o, ctx[0], err, errlen)) != EB_OK)
            goto fail;
        if (input_dir) {
            size_t k = (size_t)i % inputs.n;
            memcpy(eb_context_input(ctx[i]), inputs.bytes + k * inputs.size, inputs.size);
        } else if (!o->input) {
            eb_context_fill_input(ctx[i], 0);
        } else if ((st = eb_model_read_input(m, o->input, eb_context_input(ctx[i]), err,
                                             errlen)) != EB_OK) {
            goto fail;
        }
    }
    if (input_dir)
        snprintf(res->input, sizeof res->input, "%.400s (%zu files, cycled)", o->input,
                 inputs.n);
    else if (o->input)
        snprintf(res->input, sizeof res->input, "%.480s", o->input);

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
        st = run_offline(o, ctx, nt, &inputs, energy, res);
        if (st != EB_OK)
            goto fail;
        res->complete = !(o->stop && *o->stop);
    } else {
        ss_state ss = {ctx[0], o, &inputs, 0, counters, energy, 0, 0, 0, 0};
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

    if ((o->labels || o->save_outputs) && !(o->stop && *o->stop)) {
        st = eval_pass(m, ctx[0], o, input_dir ? &inputs : NULL, &in_names, res, err, errlen);
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
    if (at && strcmp(info->variant, "fp32") && !(o->stop && *o->stop)) {
        /* a variant of a float32 .tflite: against that file as it is */
        live_phase(o->live, "computing the fidelity of");
        char ref_name[4200];
        snprintf(ref_name, sizeof ref_name, "%.*s@fp32", (int)(at - name), name);
        eb_fidelity_ref *ref = NULL;
        eb_fidelity f;
        char ferr[256];
        if (eb_fidelity_ref_create_model(ref_name, &mo, &ref, ferr, sizeof ferr) == EB_OK &&
            eb_model_fidelity_vs(m, ref, &f) == EB_OK) {
            res->has_fidelity = true;
            res->fidelity.sqnr_db = f.sqnr_db;
            res->fidelity.cosine = f.cosine;
            res->fidelity.top1_agreement = f.top1_agreement;
            res->fidelity.max_abs_err = f.max_abs_err;
            res->fidelity.inputs = f.inputs;
        } else if (warn) {
            eb_report_warn(warn, "%s: fidelity against the float32 .tflite could not be computed",
                           res->name);
        }
        eb_fidelity_ref_free(ref);
    } else if (strcmp(info->variant, "fp32") != 0 && strcmp(info->arch, "tflite") != 0 &&
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
    free(inputs.bytes);
    eb_file_list_free(&in_names);
    eb_counters_close(counters);
    eb_energy_close(energy);
    if (ctx)
        for (int32_t i = 0; i < nt; i++)
            eb_context_free(ctx[i]);
    free(ctx);
    eb_model_free(m);
    return st;
}
