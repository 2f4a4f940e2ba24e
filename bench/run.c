/* run.c - one `edgebench run` (run.h): checks the options against the target, then
 * measures each model in this process (run_local.c) or on the board (run_remote.c),
 * which fill the same report results, and writes the report. */
#include "run.h"

#include "eb_dataset.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "eb_model.h"
#include "eb_outfile.h"
#include "env.h"
#include "run_local.h"
#include "boards.h"
#include "run_remote.h"

/* ---- interruption ---- */

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* ---- progress line (stderr, terminals only) ---- */

typedef struct {
    const char *model;
    size_t index, count;
    bool shown;
    bool lines; /* "@progress" lines for a parent run (boards.h) */
} progress_state;

static void progress(void *user, const char *phase, int32_t rep, int32_t reps, size_t iters,
                     double last_ms)
{
    progress_state *p = user;
    if (p->lines) {
        eb_progress_line(false, "[%zu/%zu] %s: %s, repetition %d/%d, %zu inferences",
                         p->index + 1, p->count, p->model, phase, (int)rep, (int)reps, iters);
        return;
    }
    if (rep > 0)
        fprintf(stderr, "\r\033[K[%zu/%zu] %s: %s, repetition %d/%d, %zu inferences, last %.3f ms",
                p->index + 1, p->count, p->model, phase, (int)rep, (int)reps, iters, last_ms);
    else
        fprintf(stderr, "\r\033[K[%zu/%zu] %s: %s, %zu inferences, last %.3f ms", p->index + 1,
                p->count, p->model, phase, iters, last_ms);
    fflush(stderr);
    p->shown = true;
}

static void progress_clear(progress_state *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
}

/* Checked before anything is measured, so that a typo in the third model does not cost
 * the first two runs: eb_model_describe parses the name (or loads the .ebm file) and
 * builds the graph without calibrating. */
static bool model_valid(const char *name, eb_kset kset)
{
    eb_model_options mo = {kset, NULL};
    eb_model_info info;
    char err[1024] = "";
    if (eb_model_describe(name, &mo, &info, err, sizeof err) != EB_OK) {
        eb_error("%s", err[0] ? err : "model cannot be built");
        return false;
    }
    return true;
}

/* The folder the report goes to must exist and be writable before anything is run. */
static bool out_dir_writable(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        eb_error("--out '%s' is a directory; give a file name", path);
        return false;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        eb_error("cannot write the report to '%s': folder '%s' does not exist", path, dir);
        return false;
    }
    if (access(dir, W_OK) != 0) {
        eb_error("cannot write the report to '%s': folder '%s' is not writable (%s)", path, dir,
                 strerror(errno));
        return false;
    }
    return true;
}

static void default_out_path(char *buf, size_t len, const char *target, char **models,
                             size_t n, const char *created_utc)
{
    char stamp[32], what[128];
    size_t j = 0;
    for (const char *s = created_utc; *s && j + 1 < sizeof stamp; s++)
        if (*s != '-' && *s != ':')
            stamp[j++] = *s;
    stamp[j] = 0;
    /* a model file is named by its base name without ".ebm", ".tflite" or ".onnx" */
    const char *first = models[0];
    size_t flen = strlen(first);
    if (eb_model_is_file(first))
        flen = eb_model_file_stem(models[0], &first);
    if (n == 1)
        snprintf(what, sizeof what, "%.*s", (int)(flen > 80 ? 80 : flen), first);
    else
        snprintf(what, sizeof what, "%.*s+%zu_more", (int)(flen > 80 ? 80 : flen), first, n - 1);
    for (char *c = what; *c; c++)
        if (*c == ' ' || *c == ',')
            *c = '_';
    snprintf(buf, len, "reports/out/%s_%s_%s.json", target, what, stamp);
}

void eb_run_report_target(eb_report_target *dst, const eb_target_desc *src)
{
    snprintf(dst->name, sizeof dst->name, "%s", src->name);
    snprintf(dst->arch, sizeof dst->arch, "%s", src->arch);
    snprintf(dst->transport, sizeof dst->transport, "%s", src->transport);
    dst->emulated = src->emulated;
    dst->cores = src->cores;
    dst->clock_mhz = src->clock_mhz;
    dst->memory_bytes = src->memory_bytes;
    dst->price_usd = src->price_usd;
    dst->power_model.idle_w = src->power_model.idle_w;
    dst->power_model.active_w = src->power_model.active_w;
    snprintf(dst->power_model.source, sizeof dst->power_model.source, "%s",
             src->power_model.source);
}

/* The options that do not fit the target, said in one sentence; false on the first. */
static bool options_fit(const eb_run_options *o, const eb_target *t, bool remote)
{
    if (!remote && (o->port || o->host || o->baud || o->agent || o->protocol)) {
        eb_error("--port, --host, --baud, --agent and --protocol are for remote targets; target '%s' "
                 "runs locally", t->desc.name);
        return false;
    }
    bool ssh = o->host || !strcmp(t->desc.transport, "ssh");
    if (ssh && (o->port || o->baud || o->emulate)) {
        eb_error("%s is for serial lines; %s is reached over SSH", o->emulate ? "--emulate"
                 : o->port ? "--port" : "--baud", o->host ? o->host : t->desc.name);
        return false;
    }
    const char *proto = o->protocol ? o->protocol : t->protocol[0] ? t->protocol : "edgebench";
    /* --input: a local run's input tensor, or the bytes an MLPerf Tiny device loads */
    if ((o->window_s > 0 || (o->input && remote)) && (!remote || strcmp(proto, "mlperf-tiny"))) {
        eb_error("%s is for MLPerf Tiny devices (--protocol mlperf-tiny)%s; target '%s' runs %s",
                 o->input ? "--input" : "--window", o->input ? " and local runs" : "",
                 t->desc.name, remote ? "edgebench-agent" : "locally");
        return false;
    }
    if (remote && (o->dataset || o->save_outputs)) {
        eb_error("%s runs on local targets only for now; target '%s' is remote",
                 o->dataset ? "--dataset" : "--save-outputs", t->desc.name);
        return false;
    }
    if (remote && o->input && eb_path_is_dir(o->input)) {
        eb_error("--input '%s' is a folder; a remote target takes one input file", o->input);
        return false;
    }
    if (o->emulate && !strcmp(t->desc.transport, "local")) {
        eb_error("--emulate needs a board target (e.g. --target rpi4); '%s' runs locally",
                 t->desc.name);
        return false;
    }
    long most = o->threads;
    for (size_t i = 0; i < o->n_thread_counts; i++)
        most = o->thread_counts[i] > most ? o->thread_counts[i] : most;
    if (remote && most > 1 && !strcmp(proto, "mlperf-tiny")) {
        eb_error("an MLPerf Tiny device runs its firmware's inference as it is; --threads is "
                 "for edgebench-agent and local runs (drop --threads)");
        return false;
    }
    if (remote && (o->offline || o->profile)) {
        eb_error("remote targets run the single-stream scenario without --profile; drop %s",
                 o->offline ? "--scenario offline" : "--profile");
        return false;
    }
    eb_kernel_set probe;
    if (!remote && eb_kernels_select(o->kernels, &probe) != EB_OK) {
        char why[256];
        eb_error("kernel set '%s' cannot run here: %s; try --kernels auto",
                 eb_kset_name(o->kernels), eb_kset_why_not(o->kernels, why, sizeof why));
        return false;
    }
    /* a board's kernels are its own; a .tflite is imported here (and shipped as .ebm),
     * so it is checked here too */
    for (size_t i = 0; i < o->n_models; i++)
        if ((!remote || eb_model_is_tflite(o->models[i])) &&
            !model_valid(o->models[i], remote ? EB_KSET_REF : o->kernels))
            return false;
    return true;
}

/* Where the report goes ("" for --json alone); its folder is made and checked before
 * anything runs. */
static bool out_path_ready(const eb_run_options *o, const eb_target *t, const char *created_utc,
                           char *path, size_t cap)
{
    path[0] = 0;
    if (o->out)
        snprintf(path, cap, "%s", o->out);
    else if (!o->json)
        default_out_path(path, cap, t->desc.name, o->models, o->n_models, created_utc);
    if (!*path)
        return true;
    /* a reports/out that is not a folder is out_dir_writable's to report */
    char mkerr[256];
    if (!o->out && eb_mkdirs("reports/out", 0755, mkerr, sizeof mkerr) == EB_ERR_IO) {
        eb_error("cannot create the folder reports/out for the report: %s; give --out FILE",
                 strerror(errno));
        return false;
    }
    if (!out_dir_writable(path))
        return false;
    struct stat st;
    if (o->out && !o->force && stat(path, &st) == 0) {
        eb_error("--out '%s' already exists; remove it, give another name, or add --force to "
                 "replace it", path);
        return false;
    }
    return true;
}

/* The report's header: the binary, the settings, the target. */
static void fill_header(eb_report *rep, const eb_run_options *o, const eb_target *t,
                        int32_t threads, int32_t streams)
{
    snprintf(rep->edgebench.version, sizeof rep->edgebench.version, "%s", eb_version());
    snprintf(rep->edgebench.git, sizeof rep->edgebench.git, "%s", eb_git_revision());
    snprintf(rep->edgebench.build_type, sizeof rep->edgebench.build_type, "%s", eb_build_type());
    snprintf(rep->edgebench.compiler, sizeof rep->edgebench.compiler, "%s", eb_compiler());
    snprintf(rep->edgebench.cflags, sizeof rep->edgebench.cflags, "%s", eb_cflags());
    rep->edgebench.sanitized = eb_sanitized_build();
    eb_report_settings *s = &rep->settings;
    s->warmup = o->measure.warmup;
    s->warmup_min_time_s = o->measure.warmup_min_time_s;
    s->min_iterations = o->measure.min_iterations;
    s->min_time_s = o->measure.min_time_s;
    s->max_iterations = o->measure.max_iterations;
    s->repetitions = o->measure.repetitions;
    snprintf(s->kernels, sizeof s->kernels, "%s", eb_kset_name(o->kernels));
    snprintf(s->scenario, sizeof s->scenario, "%s", o->offline ? "offline" : "single-stream");
    s->threads = threads;
    s->streams = streams;
    s->n_thread_counts = 0;
    for (size_t i = 0; o->n_thread_counts > 1 && i < o->n_thread_counts; i++)
        s->thread_counts[s->n_thread_counts++] = (int32_t)o->thread_counts[i];
    s->profile = o->profile;
    s->counters = o->counters;
    eb_run_report_target(&rep->target, &t->desc);
}

/* Reads --dataset's y_labels.csv (every file it names must exist) and checks that each
 * model has one output per class. */
static bool dataset_ready(const eb_run_options *o, eb_labels *l)
{
    char err[1024] = "";
    if (eb_labels_load(o->dataset, l, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return false;
    }
    for (size_t i = 0; i < o->n_models; i++) {
        eb_model_options mo = {o->kernels, NULL};
        eb_model_info info;
        if (eb_model_describe(o->models[i], &mo, &info, err, sizeof err) != EB_OK)
            continue; /* options_fit said why */
        if (info.out_size != l->classes) {
            eb_error("dataset '%s' has %d classes but model '%s' has %d outputs; the accuracy "
                     "needs one output per class", o->dataset, (int)l->classes, o->models[i],
                     (int)info.out_size);
            return false;
        }
    }
    return true;
}

/* ---- the measuring thread ---- */

/* After a stop signal, how long the measuring thread may take to notice it (the engine
 * checks after every inference) before the report is written without it. */
#define STOP_GRACE_MS 500

/* Everything the measuring thread uses, owned here and on the heap: when a kernel does
 * not return after Ctrl-C, eb_run writes the partial report and returns while the thread
 * is still inside it (the job is then never freed). */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;      /* the thread went through the models (or failed on one) */
    bool abandoned; /* eb_run stopped waiting: rep is no longer the thread's */
    int exit_code;  /* EB_EXIT_OK, or EB_EXIT_USAGE with err */
    char err[1024];
    char **models;
    size_t n_models;
    int32_t counts[EB_REPORT_MAX_THREAD_COUNTS]; /* threads per inference, each measured */
    size_t n_counts;
    bool remote;
    eb_target target;
    eb_run_remote_options ro;
    eb_run_remote_session session;
    eb_run_local_options lo;
    progress_state ps;
    eb_fidelity_cache fidelity;
    eb_run_live live;
    eb_labels labels;      /* --dataset's y_labels.csv (n == 0: none) */
    eb_report scratch;     /* the thread's own warnings, moved into rep under mu */
    eb_report_result res;  /* the model being measured */
    eb_report *rep;        /* the report: touched only under mu, never once abandoned */
} run_job;

static run_job *job_new(const eb_run_options *o, const eb_target *t, bool remote,
                        eb_report *rep)
{
    run_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->models = calloc(o->n_models, sizeof *j->models);
    for (size_t i = 0; j->models && i < o->n_models; i++)
        j->models[i] = strdup(o->models[i]);
    if (!j->models) {
        free(j);
        return NULL;
    }
    j->n_models = o->n_models;
    j->n_counts = o->n_thread_counts > 1 ? o->n_thread_counts : 1;
    for (size_t i = 0; i < j->n_counts; i++)
        j->counts[i] = o->n_thread_counts > 1 ? (int32_t)o->thread_counts[i]
                                               : o->threads ? (int32_t)o->threads : 1;
    j->target = *t;
    j->remote = remote;
    j->rep = rep;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    eb_run_live_init(&j->live);
    eb_report_init(&j->scratch);
    return j;
}

static void job_free(run_job *j)
{
    for (size_t i = 0; i < j->n_models; i++)
        free(j->models[i]);
    free(j->models);
    eb_run_live_free(&j->live);
    eb_labels_free(&j->labels);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* Measures every model; each finished result (and the warnings found on the way) is
 * moved into the report under the lock. */
static void *measure_main(void *arg)
{
    run_job *j = arg;
    int code = EB_EXIT_OK;
    /* every model at every thread count (--threads 1,2,4), counts inside models */
    for (size_t k = 0; k < j->n_models * j->n_counts && !g_stop; k++) {
        size_t i = k / j->n_counts;
        j->lo.threads = j->ro.threads = j->counts[k % j->n_counts];
        j->ps.model = j->models[i];
        j->ps.index = k;
        char err[1024] = "";
        j->scratch.n_warnings = 0;
        j->scratch.complete = true;
        eb_status st = j->remote ? eb_run_remote_measure(&j->session, j->models[i], &j->res,
                                                         &j->scratch, err, sizeof err)
                                 : eb_run_local(j->models[i], &j->lo, &j->res, &j->scratch,
                                                err, sizeof err);
        progress_clear(&j->ps);
        pthread_mutex_lock(&j->mu);
        bool gone = j->abandoned;
        if (!gone) {
            eb_report *rep = j->rep;
            for (size_t w = 0; w < j->scratch.n_warnings; w++)
                eb_report_warn(rep, "%s", j->scratch.warnings[w]);
            if (!j->scratch.complete)
                rep->complete = false;
            if (st != EB_OK) {
                snprintf(j->err, sizeof j->err, "%s", err[0] ? err : eb_status_str(st));
                code = EB_EXIT_USAGE;
            } else {
                rep->results[rep->n_results] = j->res;
                eb_result_warnings(rep, &rep->results[rep->n_results]);
                rep->n_results++;
                eb_run_live_reset(&j->live, NULL); /* the result is in the report now */
            }
        }
        pthread_mutex_unlock(&j->mu);
        if (gone || st != EB_OK) {
            eb_report_result_free(&j->res);
            break;
        }
        memset(&j->res, 0, sizeof j->res);
    }
    pthread_mutex_lock(&j->mu);
    j->exit_code = code;
    j->done = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Waits for the measuring thread. After a stop signal it gets STOP_GRACE_MS to finish;
 * true when it did not (it is abandoned: it must not touch the report any more). */
static bool wait_for_job(run_job *j)
{
    int64_t stop_at = 0;
    pthread_mutex_lock(&j->mu);
    while (!j->done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        if (j->done)
            break;
        if (g_stop && !stop_at)
            stop_at = eb_now_ns();
        if (stop_at && eb_now_ns() - stop_at > (int64_t)STOP_GRACE_MS * 1000000) {
            j->abandoned = true;
            break;
        }
    }
    bool gone = j->abandoned;
    pthread_mutex_unlock(&j->mu);
    return gone;
}

/* Measures the models in a thread into rep until one fails or a signal stops the run
 * (g_stop). From here on a report exists: Ctrl-C and SIGTERM stop the run and write it.
 * The first signal sets g_stop (the engine checks it after every inference; a second one
 * takes the default action); if the thread has not finished STOP_GRACE_MS later (model
 * building, a kernel that does not return), *abandoned is set and the report gets what
 * the thread had, without waiting for it. EB_EXIT_USAGE when a model failed. */
static int measure_models(const eb_run_options *o, run_job *j, int32_t threads,
                          int32_t streams, bool *abandoned)
{
    g_stop = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    bool show_progress = (!o->quiet && isatty(STDERR_FILENO)) || o->progress_lines;
    j->ps = (progress_state){NULL, 0, o->n_models * j->n_counts, false, o->progress_lines};
    j->lo = (eb_run_local_options){
        .measure = o->measure,
        .offline = o->offline,
        .threads = threads,
        .streams = streams,
        .kernels = o->kernels,
        .calib_dir = o->calib,
        .input = o->input,
        .labels = j->labels.n ? &j->labels : NULL,
        .dataset = o->dataset,
        .save_outputs = o->save_outputs,
        .save_per_model = o->n_models > 1,
        .counters = o->counters,
        .profile = o->profile,
        .power = &j->target.desc.power_model,
        .progress = show_progress ? progress : NULL,
        .progress_user = &j->ps,
        .stop = &g_stop,
        .fidelity = &j->fidelity,
        .live = &j->live,
    };
    pthread_t th;
    *abandoned = false;
    if (pthread_create(&th, NULL, measure_main, j) != 0) {
        measure_main(j); /* no thread: measure here, without the stop guarantee */
    } else {
        *abandoned = wait_for_job(j);
        if (*abandoned)
            pthread_detach(th);
        else
            pthread_join(th, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    eb_report *rep = j->rep;
    if (*abandoned) {
        pthread_mutex_lock(&j->live.mu);
        const char *phase = j->live.phase ? j->live.phase : "running";
        const char *model = j->live.model ? j->live.model : "a model";
        pthread_mutex_unlock(&j->live.mu);
        eb_report_result *res = &rep->results[rep->n_results];
        if (!j->remote &&
            eb_run_live_result(&j->live, &j->target.desc.power_model, res)) {
            rep->n_results++;
            eb_result_warnings(rep, res);
        }
        eb_report_warn(rep, "interrupted while %s '%s': it had not stopped %.1f s after the "
                       "signal, so edgebench stopped without waiting for it", phase, model,
                       STOP_GRACE_MS / 1000.0);
        rep->complete = false;
        return EB_EXIT_OK;
    }
    if (j->exit_code != EB_EXIT_OK)
        eb_error("%s", j->err);
    eb_fidelity_cache_free(&j->fidelity);
    return j->exit_code;
}

/* The report to stdout (--json), checked like a written one; EB_EXIT_USAGE when it
 * cannot be formatted or does not validate. */
static int print_json(const eb_report *rep)
{
    char *text = NULL, err[1024];
    if (eb_report_render(rep, &text, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    fputs(text, stdout);
    fflush(stdout);
    free(text);
    return EB_EXIT_OK;
}

int eb_run(const eb_run_options *o)
{
    char err[1024] = "";
    eb_target target;
    if (eb_target_load(o->target, &target, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    /* Local targets run in this process (run_local.c); the others through the remote
     * runner (run_remote.c), which fills the same results from the samples a board (or
     * an emulated one) streams back. */
    bool remote = strcmp(target.desc.transport, "local") || o->emulate;
    if (!options_fit(o, &target, remote))
        return EB_EXIT_USAGE;

    eb_report *rep = calloc(1, sizeof *rep);
    if (!rep) {
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    eb_report_init(rep);
    eb_utc_now(rep->created_utc, sizeof rep->created_utc);
    char out_path[1024];
    if (!out_path_ready(o, &target, rep->created_utc, out_path, sizeof out_path)) {
        free(rep);
        return EB_EXIT_USAGE;
    }
    int32_t threads = o->threads ? (int32_t)o->threads : 1;
    int32_t streams = 1;
    if (o->offline) {
        int32_t cores = target.desc.cores > 0 ? target.desc.cores : 1;
        streams = o->streams ? (int32_t)o->streams : (cores / threads > 0 ? cores / threads : 1);
    }
    fill_header(rep, o, &target, threads, streams);
    size_t n_counts = o->n_thread_counts > 1 ? o->n_thread_counts : 1;
    rep->results = calloc(o->n_models * n_counts, sizeof *rep->results);
    if (!rep->results) {
        eb_error("out of memory");
        free(rep);
        return EB_EXIT_USAGE;
    }

    eb_env_snapshot before, after;
    eb_env_snapshot_take(&before);
    run_job *job = job_new(o, &target, remote, rep);
    if (!job) {
        eb_error("out of memory");
        free(rep->results);
        free(rep);
        return EB_EXIT_USAGE;
    }
    job->ro = (eb_run_remote_options){
        .target = &job->target,
        .port = o->port,
        .host = o->host,
        .baud = (int)o->baud,
        .emulate = o->emulate,
        .agent = o->agent,
        .protocol = o->protocol,
        .measure = o->measure,
        .kernels = o->kernels,
        .threads = (int)threads,
        .timeout_s = (int)o->timeout_s,
        .window_s = o->window_s,
        .input = o->input,
        .progress = !o->quiet && isatty(STDERR_FILENO),
        .progress_lines = o->progress_lines,
        .stop = &g_stop,
        .trace = o->trace ? stderr : NULL,
    };
    /* --dataset and --save-outputs are checked before anything runs */
    if (o->dataset && !dataset_ready(o, &job->labels)) {
        job_free(job);
        free(rep->results);
        free(rep);
        return EB_EXIT_USAGE;
    }
    if (o->save_outputs && eb_mkdirs(o->save_outputs, 0777, err, sizeof err) != EB_OK) {
        eb_error("--save-outputs: %s", err);
        job_free(job);
        free(rep->results);
        free(rep);
        return EB_EXIT_USAGE;
    }
    if (remote) {
        g_stop = 0;
        if (eb_run_remote_open(&job->session, &job->ro, rep, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            job_free(job);
            free(rep->results);
            free(rep);
            return EB_EXIT_USAGE;
        }
    } else {
        eb_env_capture(&rep->environment, o->kernels, &before);
    }

    bool abandoned = false;
    int exit_code = measure_models(o, job, threads, streams, &abandoned);
    if (remote && !abandoned)
        eb_run_remote_close(&job->session);

    if (exit_code == EB_EXIT_OK) {
        if (g_stop || abandoned) {
            rep->complete = false;
            exit_code = 130;
        }
        if (!remote) { /* a board's environment is what its agent reported */
            eb_env_snapshot_take(&after);
            eb_env_finish(&rep->environment, &after);
            eb_env_warnings(rep, &before, &after);
        }
        if (*out_path) {
            /* never replaces a file unless --force: one that appeared while this run
             * measured (another run with the same path) keeps its report */
            char written[1100] = "";
            eb_status st = o->force ? eb_report_write_file(rep, out_path, err, sizeof err)
                                    : eb_report_write_new(rep, out_path, written,
                                                          sizeof written, err, sizeof err);
            if (st != EB_OK) {
                eb_error("%s", err);
                exit_code = EB_EXIT_USAGE;
            } else if (*written && strcmp(written, out_path)) {
                eb_warn("'%s' was written by another run while this one measured; this "
                        "report is '%s'", out_path, written);
                snprintf(out_path, sizeof out_path, "%s", written);
            }
        }
    }
    if (exit_code != EB_EXIT_USAGE) {
        if (o->json && print_json(rep) != EB_EXIT_OK)
            exit_code = EB_EXIT_USAGE;
        if (!o->quiet)
            eb_report_print_summary(o->json ? stderr : stdout, rep,
                                    *out_path ? out_path : NULL, target.path);
    }
    if (remote && !abandoned && !g_stop && job->session.incomplete[0] &&
        exit_code == EB_EXIT_OK) {
        eb_error("the run on %s did not finish: %s; the report keeps the samples received "
                 "(\"complete\": false)", target.desc.name, job->session.incomplete);
        exit_code = EB_EXIT_USAGE;
    }
    if (!abandoned)
        job_free(job);
    eb_report_free(rep);
    free(rep);
    return exit_code;
}
