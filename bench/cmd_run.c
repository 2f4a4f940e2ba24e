/* cmd_run.c - `edgebench run`: measure models on a target and write one JSON report. */
#if defined(EB_MODELS_AVAILABLE) /* needs the model library */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "eb_model.h"
#include "eb_report.h"
#include "eb_target.h"
#include "run_remote.h"
#include "engine.h"
#include "env.h"
#include "run_local.h"

#define MAX_MODELS 32

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: edgebench run --model NAME[,NAME...] [options]\n\n"
        "Measures each model on the target and writes one JSON report with a result per\n"
        "model (latency statistics and raw samples, throughput, memory, energy, counters,\n"
        "fidelity, environment, warnings).\n\n"
        "  --model A,B,...      zoo variants (e.g. mobilenet_int8, ds_cnn_int8_p75), .ebm or\n"
        "                       .tflite files\n"
        "  --target NAME|FILE   target description (default host; names: targets/*.json)\n"
        "  --scenario S         single-stream (default: one inference at a time) or offline\n"
        "                       (--streams inferences at once)\n"
        "  --threads N          threads each inference is split over (1..64, default 1):\n"
        "                       a pool made before measuring; outputs equal 1 thread's\n"
        "  --streams S          offline: inferences at once, each with its own context and\n"
        "                       --threads threads (default: the target's cores / threads)\n"
        "  --kernels K          %s (default auto)\n"
        "  --warmup N           at least N warm-up inferences (default 5) ...\n"
        "  --warmup-time S      ... and at least S seconds of warm-up (default 0.5)\n"
        "  --min-iterations N   timed inferences per repetition, at least (default 20)\n"
        "  --min-time S         seconds per repetition, at least (default 1)\n"
        "  --max-iterations N   timed inferences per repetition, at most (default 100000)\n"
        "  --repetitions N      repetitions (default 3)\n"
        "  --counters           hardware counters when available (default)\n"
        "  --no-counters        do not try hardware counters\n"
        "  --profile            per-layer profile: median time per op, GMAC/s, share\n"
        "  --calib DIR          int8 calibration inputs (raw tensors); default: generated\n"
        "  --out FILE           report path (default reports/out/<target>_<model>_<time>.json)\n"
        "  --json               print the report to stdout (no file unless --out is given);\n"
        "                       the summary then goes to stderr\n"
        "  --quiet              no progress line and no summary\n\n"
        "Remote targets (serial edgebench-agent, MLPerf Tiny devices, emulation):\n"
        "  --port DEV           serial device of the board (default: the target file's)\n"
        "  --baud N             line speed (default: the target file's, else 115200)\n"
        "  --emulate            run the target's agent build under qemu-user on a\n"
        "                       pseudo-terminal instead of a board (timings not representative)\n"
        "  --agent PATH         the agent binary for --emulate (default: the target file's,\n"
        "                       e.g. build-aarch64/targets/agent/edgebench-agent)\n"
        "  --protocol P         edgebench (the agent, default) or mlperf-tiny (a board with the\n"
        "                       MLPerf Tiny performance-mode firmware; latency per window)\n"
        "  --timeout S          silence allowed while a board streams samples (default 120)\n"
        "  --trace              print the protocol lines to stderr\n\n"
        "Exit status: 0 ok, 2 bad input (nothing written), 130 interrupted (the report is\n"
        "written with \"complete\": false).\n",
        eb_kset_choices());
}

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
} progress_state;

static void progress(void *user, const char *phase, int32_t rep, int32_t reps, size_t iters,
                     double last_ms)
{
    progress_state *p = user;
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

/* ---- option helpers ---- */

static const char *need_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        eb_error("%s needs a value; see 'edgebench run --help'", argv[*i]);
        return NULL;
    }
    return argv[++*i];
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

static size_t split_models(char *list, char **out, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len && t[len - 1] == ' ')
            t[--len] = 0;
        if (!*t)
            continue;
        if (n == max)
            return max + 1;
        out[n++] = t;
    }
    return n;
}

static bool mkdirs(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return false;
        *s = '/';
    }
    return mkdir(p, 0755) == 0 || errno == EEXIST;
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

/* ---- console summary ---- */

static void fmt_bytes(char *b, size_t n, double v)
{
    if (v < 0)
        snprintf(b, n, "n/a");
    else if (v >= 1024.0 * 1024 * 1024)
        snprintf(b, n, "%.2f GiB", v / (1024.0 * 1024 * 1024));
    else if (v >= 1024.0 * 1024)
        snprintf(b, n, "%.2f MiB", v / (1024.0 * 1024));
    else if (v >= 1024)
        snprintf(b, n, "%.1f KiB", v / 1024);
    else
        snprintf(b, n, "%.0f B", v);
}

static void fmt_ms(char *b, size_t n, double ms)
{
    if (ms >= 100)
        snprintf(b, n, "%.1f ms", ms);
    else if (ms >= 1)
        snprintf(b, n, "%.3f ms", ms);
    else
        snprintf(b, n, "%.2f us", ms * 1000);
}

static void print_result(FILE *f, const eb_report *r, const eb_report_result *x,
                         const char *power_file)
{
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(f, "\n%s  (model %s, variant %s) on %s [%s, %d cores, %s]%s\n", x->name, x->model,
            x->variant, r->target.name, r->target.arch, (int)r->target.cores, r->target.transport,
            x->complete ? "" : "  INTERRUPTED");
    fprintf(f, "  %-11s %s, %d thread%s per inference", "scenario", x->scenario,
            (int)x->threads, x->threads == 1 ? "" : "s");
    if (x->streams > 1)
        fprintf(f, ", %d streams", (int)x->streams);
    fprintf(f, ", %.1f MMAC, %.2f M params\n", (double)x->macs / 1e6, (double)x->params / 1e6);
    fprintf(f, "  %-11s set %s:", "kernels", r->settings.kernels);
    for (size_t i = 0; i < x->n_kernels; i++)
        fprintf(f, "%s %s", i ? "," : "", x->kernels[i].name);
    fputc('\n', f);
    fmt_ms(a, sizeof a, x->latency.median);
    fmt_ms(b, sizeof b, x->latency.p90);
    fmt_ms(c, sizeof c, x->latency.p99);
    fmt_ms(d, sizeof d, x->latency.ci95_lo);
    fmt_ms(e, sizeof e, x->latency.ci95_hi);
    fprintf(f, "  %-11s p50 %s  p90 %s  p99 %s\n", "latency", a, b, c);
    fmt_ms(a, sizeof a, x->latency.min);
    fmt_ms(b, sizeof b, x->latency.mean);
    fprintf(f, "  %-11s n=%zu in %zu repetitions, min %s, mean %s, CV %.1f %%, 95 %% CI of "
               "median %s .. %s\n", "", x->latency.n, x->n_repetitions, a, b,
            x->latency.cv * 100, d, e);
    fprintf(f, "  %-11s %.2f inferences/s (%d stream%s x %d thread%s)\n", "throughput",
            x->throughput_ips, (int)x->streams, x->streams == 1 ? "" : "s", (int)x->threads,
            x->threads == 1 ? "" : "s");
    if (x->per_thread_latency_ms) {
        fprintf(f, "  %-11s per-stream median:", "");
        for (size_t i = 0; i < x->n_threads_latency; i++) {
            fmt_ms(a, sizeof a, x->per_thread_latency_ms[i]);
            fprintf(f, "%s %s", i ? "," : "", a);
        }
        fputc('\n', f);
    }
    const eb_report_memory *m = &x->memory;
    fmt_bytes(a, sizeof a, (double)m->planned_total_bytes);
    fmt_bytes(b, sizeof b, (double)m->weights_bytes);
    fmt_bytes(c, sizeof c, (double)m->packed_bytes);
    fmt_bytes(d, sizeof d, (double)m->arena_bytes);
    fmt_bytes(e, sizeof e, (double)m->scratch_bytes);
    fprintf(f, "  %-11s planned %s: weights %s, packed %s, arena %s%s, scratch %s%s\n",
            "memory", a, b, c, d, x->streams > 1 ? " per stream" : "", e,
            x->streams > 1 || x->threads > 1 ? " (all its threads')" : "");
    fmt_bytes(a, sizeof a, (double)m->peak_rss_bytes);
    fprintf(f, "  %-11s peak RSS %s (%s)\n", "", a, m->rss_method);
    double j = x->energy.joules_per_inference;
    if (j < 1e-3)
        fprintf(f, "  %-11s %.3f uJ/inference, %s", "energy", j * 1e6, x->energy.method);
    else
        fprintf(f, "  %-11s %.3f mJ/inference, %s", "energy", j * 1e3, x->energy.method);
    if (!strcmp(x->energy.method, "estimated"))
        fprintf(f, ": %.3g W active x %s (power model: %s)\n", x->energy.average_power_w,
                x->streams > 1 ? "1/throughput" : "median latency", power_file);
    else
        fprintf(f, " (%.3g W average)\n", x->energy.average_power_w);
    if (x->counters.available)
        fprintf(f, "  %-11s %.3g cycles, %.3g instructions, IPC %.2f per inference (%s)\n",
                "counters", x->counters.cycles, x->counters.instructions, x->counters.ipc,
                x->counters.source);
    else
        fprintf(f, "  %-11s unavailable: %s\n", "counters", x->counters.reason);
    if (x->has_fidelity)
        fprintf(f, "  %-11s vs %s_fp32: SQNR %.2f dB, cosine %.5f, top-1 agreement %.0f %% "
                   "(%d inputs), max |err| %.4g\n", "fidelity", x->model, x->fidelity.sqnr_db,
                x->fidelity.cosine, x->fidelity.top1_agreement * 100, (int)x->fidelity.inputs,
                x->fidelity.max_abs_err);
    else if (!strcmp(x->model, "tflite"))
        fprintf(f, "  %-11s none (an imported model has no fp32 reference yet)\n", "fidelity");
    else
        fprintf(f, "  %-11s reference (fp32 dense)\n", "fidelity");
    if (x->profile) {
        fprintf(f, "  profile (median per op over the profiled inferences):\n");
        fprintf(f, "    %-20s %-10s %-28s %10s %10s %8s %6s\n", "op", "type", "kernel", "MMAC",
                "time", "GMAC/s", "share");
        for (size_t i = 0; i < x->n_profile; i++) {
            const eb_report_profile_op *p = &x->profile[i];
            fmt_ms(a, sizeof a, p->median_ms);
            fprintf(f, "    %-20s %-10s %-28s %10.3f %10s %8.2f %5.1f%%\n", p->op, p->type,
                    p->kernel, (double)p->macs / 1e6, a, p->gmacs, p->share * 100);
        }
    }
}

static void print_summary(FILE *f, const eb_report *r, const char *out_path,
                          const char *power_file)
{
    for (size_t i = 0; i < r->n_results; i++)
        print_result(f, r, &r->results[i], power_file);
    if (r->n_warnings) {
        fprintf(f, "\nwarnings:\n");
        for (size_t i = 0; i < r->n_warnings; i++)
            fprintf(f, "  - %s\n", r->warnings[i]);
    }
    if (out_path)
        fprintf(f, "\nreport: %s\n", out_path);
}

/* ---- the command ---- */

typedef struct {
    eb_measure_settings m;
    const char *target, *out, *calib;
    char *models[MAX_MODELS];
    size_t n_models;
    char model_buf[4096];
    bool offline, json, quiet, counters, profile;
    long threads; /* per inference; 0: default (1) */
    long streams; /* offline; 0: default */
    eb_kset kset;
    /* remote targets */
    const char *port, *agent, *protocol;
    long baud, timeout_s;
    bool emulate, trace;
} run_args;

static int parse_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    eb_measure_defaults(&a->m);
    a->target = "host";
    a->counters = true;
    a->kset = EB_KSET_AUTO;
    bool have_model = false;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v;
        long n;
        double d;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            run_usage(stdout);
            return -1;
        } else if (!strcmp(o, "--model")) {
            if (!(v = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            snprintf(a->model_buf, sizeof a->model_buf, "%s", v);
            a->n_models = split_models(a->model_buf, a->models, MAX_MODELS);
            if (a->n_models == 0) {
                eb_error("--model expects one or more model names separated by commas");
                return EB_EXIT_USAGE;
            }
            if (a->n_models > MAX_MODELS) {
                eb_error("--model takes at most %d models in one run", MAX_MODELS);
                return EB_EXIT_USAGE;
            }
            have_model = true;
        } else if (!strcmp(o, "--target")) {
            if (!(a->target = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--scenario")) {
            if (!(v = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (!strcmp(v, "offline"))
                a->offline = true;
            else if (!strcmp(v, "single-stream"))
                a->offline = false;
            else {
                eb_error("--scenario expects single-stream or offline, got '%s'", v);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--threads")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 64, &a->threads))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--streams")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 256, &a->streams))
                return EB_EXIT_USAGE;
            a->offline = true;
        } else if (!strcmp(o, "--kernels")) {
            if (!(v = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (eb_kset_parse(v, &a->kset) != EB_OK) {
                eb_error("--kernels expects one of %s, got '%s'", eb_kset_choices(), v);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--warmup")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 0, 1000000, &n))
                return EB_EXIT_USAGE;
            a->m.warmup = (int32_t)n;
        } else if (!strcmp(o, "--warmup-time")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_double(o, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            a->m.warmup_min_time_s = d;
        } else if (!strcmp(o, "--min-iterations")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 10000000, &n))
                return EB_EXIT_USAGE;
            a->m.min_iterations = (int32_t)n;
        } else if (!strcmp(o, "--max-iterations")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 10000000, &n))
                return EB_EXIT_USAGE;
            a->m.max_iterations = (int32_t)n;
        } else if (!strcmp(o, "--min-time")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_double(o, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            a->m.min_time_s = d;
        } else if (!strcmp(o, "--repetitions")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 1000, &n))
                return EB_EXIT_USAGE;
            a->m.repetitions = (int32_t)n;
        } else if (!strcmp(o, "--counters")) {
            a->counters = true;
        } else if (!strcmp(o, "--no-counters")) {
            a->counters = false;
        } else if (!strcmp(o, "--profile")) {
            a->profile = true;
        } else if (!strcmp(o, "--calib")) {
            if (!(a->calib = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            struct stat st;
            if (stat(a->calib, &st) != 0 || !S_ISDIR(st.st_mode)) {
                eb_error("--calib '%s' is not a readable folder", a->calib);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--out")) {
            if (!(a->out = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (!*a->out) {
                eb_error("--out needs a file name");
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--json")) {
            a->json = true;
        } else if (!strcmp(o, "--quiet") || !strcmp(o, "-q")) {
            a->quiet = true;
        } else if (!strcmp(o, "--port")) {
            if (!(a->port = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--baud")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 300, 4000000, &a->baud))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--emulate")) {
            a->emulate = true;
        } else if (!strcmp(o, "--agent")) {
            if (!(a->agent = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--protocol")) {
            if (!(a->protocol = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (strcmp(a->protocol, "edgebench") && strcmp(a->protocol, "mlperf-tiny")) {
                eb_error("--protocol expects edgebench or mlperf-tiny, got '%s'", a->protocol);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--timeout")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 86400, &a->timeout_s))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--trace")) {
            a->trace = true;
        } else {
            eb_error("unknown option '%s' for 'run'; see 'edgebench run --help'", o);
            return EB_EXIT_USAGE;
        }
    }
    if (!have_model) {
        eb_error("run needs --model NAME (e.g. --model mobilenet_int8); see 'edgebench run "
                 "--help'");
        return EB_EXIT_USAGE;
    }
    if (a->m.max_iterations < a->m.min_iterations) {
        eb_error("--max-iterations (%d) is below --min-iterations (%d)",
                 (int)a->m.max_iterations, (int)a->m.min_iterations);
        return EB_EXIT_USAGE;
    }
    if (a->offline && a->threads > 1 && !a->streams) {
        /* before streams existed, offline --threads N meant N inferences at once */
        eb_warn("--scenario offline --threads %ld runs %ld streams of 1 thread, as before; "
                "--threads now splits each inference, say --streams %ld for the old meaning",
                a->threads, a->threads, a->threads);
        a->streams = a->threads;
        a->threads = 1;
    }
    return EB_EXIT_OK;
}

int eb_cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EB_EXIT_OK)
        return rc < 0 ? EB_EXIT_OK : rc;

    char err[1024] = "";
    eb_target target;
    if (eb_target_load(a.target, &target, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    /* Local targets run in this process (run_local.c); the others through the remote
     * runner (run_remote.c), which fills the same results from the samples a board (or
     * an emulated one) streams back. */
    bool remote = strcmp(target.desc.transport, "local") || a.emulate;
    if (!remote && (a.port || a.baud || a.agent || a.protocol)) {
        eb_error("--port, --baud, --agent and --protocol are for remote targets; target '%s' "
                 "runs locally", target.desc.name);
        return EB_EXIT_USAGE;
    }
    if (a.emulate && !strcmp(target.desc.transport, "local")) {
        eb_error("--emulate needs a board target (e.g. --target rpi4); '%s' runs locally",
                 target.desc.name);
        return EB_EXIT_USAGE;
    }
    if (remote && (a.offline || a.profile)) {
        eb_error("remote targets run the single-stream scenario without --profile; drop %s",
                 a.offline ? "--scenario offline" : "--profile");
        return EB_EXIT_USAGE;
    }
    eb_kernel_set probe;
    if (!remote && eb_kernels_select(a.kset, &probe) != EB_OK) {
        char why[256];
        eb_error("kernel set '%s' cannot run here: %s; try --kernels auto", eb_kset_name(a.kset),
                 eb_kset_why_not(a.kset, why, sizeof why));
        return EB_EXIT_USAGE;
    }
    for (size_t i = 0; i < a.n_models && !remote; i++)
        if (!model_valid(a.models[i], a.kset))
            return EB_EXIT_USAGE;

    eb_report *rep = calloc(1, sizeof *rep);
    if (!rep) {
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    eb_report_init(rep);
    eb_utc_now(rep->created_utc, sizeof rep->created_utc);

    char out_path[1024] = "";
    if (a.out)
        snprintf(out_path, sizeof out_path, "%s", a.out);
    else if (!a.json)
        default_out_path(out_path, sizeof out_path, target.desc.name, a.models, a.n_models,
                         rep->created_utc);
    if (*out_path) {
        if (!a.out && !mkdirs("reports/out")) {
            eb_error("cannot create the folder reports/out for the report: %s; give --out FILE",
                     strerror(errno));
            free(rep);
            return EB_EXIT_USAGE;
        }
        if (!out_dir_writable(out_path)) {
            free(rep);
            return EB_EXIT_USAGE;
        }
    }

    /* report header */
    snprintf(rep->edgebench.version, sizeof rep->edgebench.version, "%s", eb_version());
    snprintf(rep->edgebench.git, sizeof rep->edgebench.git, "%s", eb_git_revision());
    snprintf(rep->edgebench.build_type, sizeof rep->edgebench.build_type, "%s", eb_build_type());
    snprintf(rep->edgebench.compiler, sizeof rep->edgebench.compiler, "%s", eb_compiler());
    snprintf(rep->edgebench.cflags, sizeof rep->edgebench.cflags, "%s", eb_cflags());
    rep->edgebench.sanitized = eb_sanitized_build();
    int32_t threads = a.threads ? (int32_t)a.threads : 1;
    int32_t streams = 1;
    if (a.offline) {
        int32_t cores = target.desc.cores > 0 ? target.desc.cores : 1;
        streams = a.streams ? (int32_t)a.streams : (cores / threads > 0 ? cores / threads : 1);
    }
    eb_report_settings *s = &rep->settings;
    s->warmup = a.m.warmup;
    s->warmup_min_time_s = a.m.warmup_min_time_s;
    s->min_iterations = a.m.min_iterations;
    s->min_time_s = a.m.min_time_s;
    s->max_iterations = a.m.max_iterations;
    s->repetitions = a.m.repetitions;
    snprintf(s->kernels, sizeof s->kernels, "%s", eb_kset_name(a.kset));
    snprintf(s->scenario, sizeof s->scenario, "%s", a.offline ? "offline" : "single-stream");
    s->threads = threads;
    s->streams = streams;
    s->profile = a.profile;
    s->counters = a.counters;
    rep->target = target.desc;

    rep->results = calloc(a.n_models, sizeof *rep->results);
    if (!rep->results) {
        eb_error("out of memory");
        free(rep);
        return EB_EXIT_USAGE;
    }

    eb_env_snapshot before, after;
    eb_env_snapshot_take(&before);
    eb_remote_options ro = {
        .target = &target,
        .port = a.port,
        .baud = (int)a.baud,
        .emulate = a.emulate,
        .agent = a.agent,
        .protocol = a.protocol,
        .measure = a.m,
        .kernels = a.kset,
        .timeout_s = (int)a.timeout_s,
        .progress = !a.quiet && isatty(STDERR_FILENO),
        .stop = &g_stop,
        .trace = a.trace ? stderr : NULL,
    };
    eb_remote_session session;
    memset(&session, 0, sizeof session);
    if (remote) {
        g_stop = 0;
        eb_status st = eb_remote_open(&session, &ro, rep, err, sizeof err);
        if (st != EB_OK) {
            eb_error("%s", err);
            free(rep->results);
            free(rep);
            return EB_EXIT_USAGE;
        }
    } else {
        eb_env_capture(&rep->environment, a.kset, &before);
    }

    g_stop = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    bool show_progress = !a.quiet && isatty(STDERR_FILENO);
    progress_state ps = {NULL, 0, a.n_models, false};
    eb_fidelity_cache fidelity = {NULL, ""};
    eb_local_options lo = {
        .measure = a.m,
        .offline = a.offline,
        .threads = threads,
        .streams = streams,
        .kernels = a.kset,
        .calib_dir = a.calib,
        .counters = a.counters,
        .profile = a.profile,
        .power = &target.desc.power_model,
        .progress = show_progress ? progress : NULL,
        .progress_user = &ps,
        .stop = &g_stop,
        .fidelity = &fidelity,
    };
    int exit_code = EB_EXIT_OK;
    for (size_t i = 0; i < a.n_models && !g_stop; i++) {
        ps.model = a.models[i];
        ps.index = i;
        err[0] = 0;
        eb_report_result *res = &rep->results[rep->n_results];
        eb_status st = remote ? eb_remote_measure(&session, a.models[i], res, rep, err, sizeof err)
                              : eb_run_local(a.models[i], &lo, res, rep, err, sizeof err);
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
    if (remote)
        eb_remote_close(&session);

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
        if (a.json) {
            char *text = eb_report_to_string(rep);
            if (text) {
                fputs(text, stdout);
                fflush(stdout);
                free(text);
            } else {
                eb_error("out of memory while formatting the report");
                exit_code = EB_EXIT_USAGE;
            }
        }
        if (!a.quiet)
            print_summary(a.json ? stderr : stdout, rep, *out_path ? out_path : NULL,
                          target.path);
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
#endif
