/* run.c - one `edgebench run` (run.h): checks the options against the target, then
 * measures each model in this process (run_local.c) or on the board (run_remote.c),
 * which fill the same report results, and writes the report. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    /* a model file is named by its base name without ".ebm" or ".tflite" */
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
    if (o->emulate && !strcmp(t->desc.transport, "local")) {
        eb_error("--emulate needs a board target (e.g. --target rpi4); '%s' runs locally",
                 t->desc.name);
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
    for (size_t i = 0; i < o->n_models && !remote; i++)
        if (!model_valid(o->models[i], o->kernels))
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
    return out_dir_writable(path);
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
    s->profile = o->profile;
    s->counters = o->counters;
    eb_run_report_target(&rep->target, &t->desc);
}

/* Measures the models in turn into rep until one fails or a signal stops the run
 * (g_stop); EB_EXIT_USAGE when one failed. */
static int measure_models(const eb_run_options *o, const eb_target *t, bool remote,
                          int32_t threads, int32_t streams, eb_run_remote_session *session,
                          eb_report *rep)
{
    g_stop = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    bool show_progress = (!o->quiet && isatty(STDERR_FILENO)) || o->progress_lines;
    progress_state ps = {NULL, 0, o->n_models, false, o->progress_lines};
    eb_fidelity_cache fidelity = {NULL, ""};
    eb_run_local_options lo = {
        .measure = o->measure,
        .offline = o->offline,
        .threads = threads,
        .streams = streams,
        .kernels = o->kernels,
        .calib_dir = o->calib,
        .input = o->input,
        .counters = o->counters,
        .profile = o->profile,
        .power = &t->desc.power_model,
        .progress = show_progress ? progress : NULL,
        .progress_user = &ps,
        .stop = &g_stop,
        .fidelity = &fidelity,
    };
    int exit_code = EB_EXIT_OK;
    char err[1024];
    for (size_t i = 0; i < o->n_models && !g_stop; i++) {
        ps.model = o->models[i];
        ps.index = i;
        err[0] = 0;
        eb_report_result *res = &rep->results[rep->n_results];
        eb_status st =
            remote ? eb_run_remote_measure(session, o->models[i], res, rep, err, sizeof err)
                   : eb_run_local(o->models[i], &lo, res, rep, err, sizeof err);
        progress_clear(&ps);
        if (st != EB_OK) {
            eb_report_result_free(res);
            eb_error("%s", err[0] ? err : eb_status_str(st));
            exit_code = EB_EXIT_USAGE;
            break;
        }
        rep->n_results++;
        eb_result_warnings(rep, res);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    eb_fidelity_cache_free(&fidelity);
    return exit_code;
}

/* The report to stdout (--json); EB_EXIT_USAGE when it cannot be formatted. */
static int print_json(const eb_report *rep)
{
    char *text = eb_report_to_string(rep);
    if (!text) {
        eb_error("out of memory while formatting the report");
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
    rep->results = calloc(o->n_models, sizeof *rep->results);
    if (!rep->results) {
        eb_error("out of memory");
        free(rep);
        return EB_EXIT_USAGE;
    }

    eb_env_snapshot before, after;
    eb_env_snapshot_take(&before);
    eb_run_remote_options ro = {
        .target = &target,
        .port = o->port,
        .host = o->host,
        .baud = (int)o->baud,
        .emulate = o->emulate,
        .agent = o->agent,
        .protocol = o->protocol,
        .measure = o->measure,
        .kernels = o->kernels,
        .timeout_s = (int)o->timeout_s,
        .window_s = o->window_s,
        .input = o->input,
        .progress = !o->quiet && isatty(STDERR_FILENO),
        .progress_lines = o->progress_lines,
        .stop = &g_stop,
        .trace = o->trace ? stderr : NULL,
    };
    eb_run_remote_session session;
    memset(&session, 0, sizeof session);
    if (remote) {
        g_stop = 0;
        if (eb_run_remote_open(&session, &ro, rep, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            free(rep->results);
            free(rep);
            return EB_EXIT_USAGE;
        }
    } else {
        eb_env_capture(&rep->environment, o->kernels, &before);
    }

    int exit_code = measure_models(o, &target, remote, threads, streams, &session, rep);
    if (remote)
        eb_run_remote_close(&session);

    if (exit_code == EB_EXIT_OK) {
        if (g_stop) {
            rep->complete = false;
            exit_code = 130;
        }
        if (!remote) { /* a board's environment is what its agent reported */
            eb_env_snapshot_take(&after);
            eb_env_finish(&rep->environment, &after);
            eb_env_warnings(rep, &before, &after);
        }
        if (*out_path && eb_report_write_file(rep, out_path, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            exit_code = EB_EXIT_USAGE;
        }
    }
    if (exit_code != EB_EXIT_USAGE) {
        if (o->json && print_json(rep) != EB_EXIT_OK)
            exit_code = EB_EXIT_USAGE;
        if (!o->quiet)
            eb_report_print_summary(o->json ? stderr : stdout, rep,
                                    *out_path ? out_path : NULL, target.path);
    }
    if (remote && !g_stop && session.incomplete[0] && exit_code == EB_EXIT_OK) {
        eb_error("the run on %s did not finish: %s; the report keeps the samples received "
                 "(\"complete\": false)", target.desc.name, session.incomplete);
        exit_code = EB_EXIT_USAGE;
    }
    eb_report_free(rep);
    free(rep);
    return exit_code;
}
