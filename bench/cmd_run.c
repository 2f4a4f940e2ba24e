/* cmd_run.c - `edgebench run`: its command line; the run itself is run.c's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boards.h"
#include "cli.h"
#include "run.h"
#include "run_many.h"

#define MAX_MODELS 32

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: edgebench run --model NAME[,NAME...] [options]\n\n"
        "Measures each model on the target and writes one JSON report with a result per\n"
        "model (latency statistics and raw samples, throughput, memory, energy, counters,\n"
        "fidelity, environment, warnings).\n\n"
        "  --model A,B,...      zoo variants (e.g. mobilenet_int8, ds_cnn_int8_p75), .ebm,\n"
        "                       .tflite or .onnx files (fp32 or QDQ int8)\n"
        "  --target NAME|FILE   target description (default host; names: targets/*.json);\n"
        "                       A,B,C measures every board at once (one worker each), then\n"
        "                       the local targets alone, one report per target (--out then\n"
        "                       names a folder: DIR/<target>.json)\n"
        "  --scenario S         single-stream (default: one inference at a time) or offline\n"
        "                       (--streams inferences at once)\n"
        "  --threads N          threads each inference is split over (1..64, default 1):\n"
        "                       a pool made before measuring; outputs equal 1 thread's.\n"
        "                       N,M,...: each count measured in turn (at most 8), one\n"
        "                       result per model and count, and the scaling summarised\n"
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
        "  --dataset DIR        labelled inputs as MLPerf Tiny ships them (DIR/y_labels.csv:\n"
        "                       file,classes,true class; the files raw or .npy): top-1 and\n"
        "                       per-class accuracy and the confusion matrix (local targets)\n"
        "  --save-outputs DIR   each input's output tensor as DIR/<input name>.npy in the\n"
        "                       model's output type (several models: DIR/<model>/)\n"
        "  --out FILE           report path (default reports/out/<target>_<model>_<time>.json);\n"
        "                       an existing FILE is an error unless --force\n"
        "  --force              replace an existing --out FILE\n"
        "  --json               print the report to stdout (no file unless --out is given);\n"
        "                       the summary then goes to stderr\n"
        "  --quiet              no progress line and no summary\n\n"
        "Remote targets (edgebench-agent on a serial line, a serial server or SSH; MLPerf\n"
        "Tiny devices; emulation):\n"
        "  --port DEV|URL       serial device of the board (default: the target file's), or\n"
        "                       its serial line on the network: tcp://HOST:PORT (a raw TCP\n"
        "                       serial server such as ser2net's tcp accepter) or\n"
        "                       rfc2217://HOST:PORT (telnet with RFC 2217, which sets --baud)\n"
        "  --baud N             line speed (default: the target file's, else 115200)\n"
        "  --host USER@HOST     reach the board over SSH instead (default: the target file's\n"
        "                       \"host\" for \"transport\": \"ssh\"); edgebench runs\n"
        "                       'ssh USER@HOST edgebench-agent --stdio' with your ssh config\n"
        "                       and keys (BatchMode: never a password prompt)\n"
        "  --emulate            run the target's agent build under qemu-user on a\n"
        "                       pseudo-terminal instead of a board (timings not representative)\n"
        "  --agent PATH         the agent binary for --emulate (default: the target file's,\n"
        "                       e.g. build-aarch64/targets/agent/edgebench-agent)\n"
        "  --protocol P         edgebench (the agent, default) or mlperf-tiny (a board with the\n"
        "                       MLPerf Tiny performance-mode firmware; latency per window)\n"
        "  --timeout S          silence allowed while a board streams samples (default 120);\n"
        "                       MLPerf Tiny: the wait for each reply line (default 5) and the\n"
        "                       least wait for an infer (default 30; longer windows wait more)\n"
        "  --window S           MLPerf Tiny: seconds per device-timed window (default 10, the\n"
        "                       MLPerf Tiny rule; shorter windows are flagged in the report);\n"
        "                       5 windows per repetition, more when --min-time asks for them\n"
        "  --input FILE|DIR     the input tensor: on the host a raw file in the model's input\n"
        "                       type (int8, or float32; NHWC) or a .npy, of exactly its size,\n"
        "                       or a folder of them (timed inferences cycle through them);\n"
        "                       .onnx models: the file's own form, float32 NCHW [1,C,H,W]\n"
        "                       also for QDQ int8 models;\n"
        "                       MLPerf Tiny: raw bytes to load into the device (its model's\n"
        "                       input type: int8 kws01, uint8 pixels vww01/ic01, float32\n"
        "                       ad01); default: the zoo model's test input in that type\n"
        "  --trace              print the protocol lines to stderr\n\n"
        "Exit status: 0 ok; 2 bad input or a run that could not start (nothing is written),\n"
        "or a remote run that stops part-way (the line hangs up, the board stops answering):\n"
        "then the report is written with \"complete\": false and the samples received;\n"
        "130 interrupted (the report is written with \"complete\": false).\n",
        eb_kset_choices());
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

/* Splits "a,b,c" in place. An empty entry (a trailing, leading or doubled comma) is an
 * error, returned as SIZE_MAX: a list made by a script with a missing name must not
 * quietly run the others. */
static size_t split_models(char *list, char **out, size_t max)
{
    size_t n = 0;
    char *t = list;
    for (;;) {
        char *comma = strchr(t, ',');
        if (comma)
            *comma = 0;
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len && t[len - 1] == ' ')
            t[--len] = 0;
        if (!*t)
            return SIZE_MAX;
        if (n == max)
            return max + 1;
        out[n++] = t;
        if (!comma)
            return n;
        t = comma + 1;
    }
}

/* ---- the command ---- */

typedef struct {
    eb_run_options o;
    char *models[MAX_MODELS];
    char model_buf[4096];
} run_args;

/* --threads N or N,M,...: 1..64 each, at most EB_REPORT_MAX_THREAD_COUNTS, no repeats. */
static bool parse_thread_counts(const char *v, eb_run_options *o)
{
    char buf[256];
    if (strlen(v) >= sizeof buf || !*v || v[strlen(v) - 1] == ',') {
        eb_error("--threads expects N or a list N,M,... of 1..64, got '%.60s'", v);
        return false;
    }
    snprintf(buf, sizeof buf, "%s", v);
    o->n_thread_counts = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long n;
        if (!eb_parse_int("--threads", t, 1, 64, &n))
            return false;
        if (o->n_thread_counts == EB_REPORT_MAX_THREAD_COUNTS) {
            eb_error("--threads takes at most %d counts, got '%.60s'",
                     EB_REPORT_MAX_THREAD_COUNTS, v);
            return false;
        }
        for (size_t k = 0; k < o->n_thread_counts; k++)
            if (o->thread_counts[k] == n) {
                eb_error("--threads names %ld twice in '%.60s'", n, v);
                return false;
            }
        o->thread_counts[o->n_thread_counts++] = n;
    }
    if (strstr(v, ",,") || !o->n_thread_counts) {
        eb_error("--threads expects N or a list N,M,... of 1..64, got '%.60s'", v);
        return false;
    }
    o->threads = o->thread_counts[0];
    if (o->n_thread_counts == 1)
        o->n_thread_counts = 0; /* one count: as before */
    return true;
}

static int parse_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->o.models = a->models;
    eb_measure_defaults(&a->o.measure);
    a->o.target = "host";
    a->o.counters = true;
    a->o.kernels = EB_KSET_AUTO;
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
            a->o.n_models = split_models(a->model_buf, a->models, MAX_MODELS);
            if (a->o.n_models == 0 || a->o.n_models == SIZE_MAX) {
                eb_error("--model '%s' has an empty model name; it expects one or more model "
                         "names separated by single commas", v);
                return EB_EXIT_USAGE;
            }
            if (a->o.n_models > MAX_MODELS) {
                eb_error("--model takes at most %d models in one run", MAX_MODELS);
                return EB_EXIT_USAGE;
            }
            have_model = true;
        } else if (!strcmp(o, "--target")) {
            if (!(a->o.target = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--scenario")) {
            if (!(v = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (!strcmp(v, "offline"))
                a->o.offline = true;
            else if (!strcmp(v, "single-stream"))
                a->o.offline = false;
            else {
                eb_error("--scenario expects single-stream or offline, got '%s'", v);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--threads")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_thread_counts(v, &a->o))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--streams")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 256, &a->o.streams))
                return EB_EXIT_USAGE;
            a->o.offline = true;
        } else if (!strcmp(o, "--kernels")) {
            if (!(v = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (eb_kset_parse(v, &a->o.kernels) != EB_OK) {
                eb_error("--kernels expects one of %s, got '%s'", eb_kset_choices(), v);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--warmup")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 0, 1000000, &n))
                return EB_EXIT_USAGE;
            a->o.measure.warmup = (int32_t)n;
        } else if (!strcmp(o, "--warmup-time")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_double(o, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            a->o.measure.warmup_min_time_s = d;
        } else if (!strcmp(o, "--min-iterations")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 10000000, &n))
                return EB_EXIT_USAGE;
            a->o.measure.min_iterations = (int32_t)n;
        } else if (!strcmp(o, "--max-iterations")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 10000000, &n))
                return EB_EXIT_USAGE;
            a->o.measure.max_iterations = (int32_t)n;
        } else if (!strcmp(o, "--min-time")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_double(o, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            a->o.measure.min_time_s = d;
        } else if (!strcmp(o, "--repetitions")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 1000, &n))
                return EB_EXIT_USAGE;
            a->o.measure.repetitions = (int32_t)n;
        } else if (!strcmp(o, "--counters")) {
            a->o.counters = true;
        } else if (!strcmp(o, "--no-counters")) {
            a->o.counters = false;
        } else if (!strcmp(o, "--profile")) {
            a->o.profile = true;
        } else if (!strcmp(o, "--calib")) {
            if (!(a->o.calib = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            struct stat st;
            if (stat(a->o.calib, &st) != 0 || !S_ISDIR(st.st_mode)) {
                eb_error("--calib '%s' is not a readable folder", a->o.calib);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--out")) {
            if (!(a->o.out = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (!*a->o.out) {
                eb_error("--out needs a file name");
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--force")) {
            a->o.force = true;
        } else if (!strcmp(o, "--json")) {
            a->o.json = true;
        } else if (!strcmp(o, "--quiet") || !strcmp(o, "-q")) {
            a->o.quiet = true;
        } else if (!strcmp(o, "--port")) {
            if (!(a->o.port = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--host")) {
            if (!(a->o.host = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (!*a->o.host || a->o.host[0] == '-' || strpbrk(a->o.host, " \t\n")) {
                eb_error("--host expects an SSH destination such as pi@raspberrypi.local, got "
                         "'%s'", a->o.host);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, EB_PROGRESS_LINES_OPT)) {
            a->o.progress_lines = true;
        } else if (!strcmp(o, "--baud")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 300, 4000000, &a->o.baud))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--emulate")) {
            a->o.emulate = true;
        } else if (!strcmp(o, "--agent")) {
            if (!(a->o.agent = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--protocol")) {
            if (!(a->o.protocol = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            if (strcmp(a->o.protocol, "edgebench") && strcmp(a->o.protocol, "mlperf-tiny")) {
                eb_error("--protocol expects edgebench or mlperf-tiny, got '%s'", a->o.protocol);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--timeout")) {
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_int(o, v, 1, 86400, &a->o.timeout_s))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--window")) {
            double d;
            if (!(v = need_value(argc, argv, &i)) || !eb_parse_double(o, v, 0.001, 3600, &d))
                return EB_EXIT_USAGE;
            a->o.window_s = d;
        } else if (!strcmp(o, "--input")) {
            if (!(a->o.input = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            struct stat st;
            if (stat(a->o.input, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
                eb_error("--input '%s' is not a readable file or folder", a->o.input);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--dataset")) {
            if (!(a->o.dataset = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
            struct stat st;
            if (stat(a->o.dataset, &st) != 0 || !S_ISDIR(st.st_mode)) {
                eb_error("--dataset '%s' is not a readable folder (it expects a folder with "
                         "y_labels.csv and the input files it names)", a->o.dataset);
                return EB_EXIT_USAGE;
            }
        } else if (!strcmp(o, "--save-outputs")) {
            if (!(a->o.save_outputs = need_value(argc, argv, &i)))
                return EB_EXIT_USAGE;
        } else if (!strcmp(o, "--trace")) {
            a->o.trace = true;
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
    if (a->o.measure.max_iterations < a->o.measure.min_iterations) {
        eb_error("--max-iterations (%d) is below --min-iterations (%d)",
                 (int)a->o.measure.max_iterations, (int)a->o.measure.min_iterations);
        return EB_EXIT_USAGE;
    }
    if (a->o.n_thread_counts > 1 && a->o.offline) {
        eb_error("a list of thread counts (--threads %ld,...) is for the single-stream scenario; "
                 "give one count with --streams", a->o.thread_counts[0]);
        return EB_EXIT_USAGE;
    }
    if (a->o.offline && a->o.threads > 1 && !a->o.streams) {
        /* before streams existed, offline --threads N meant N inferences at once */
        eb_warn("--scenario offline --threads %ld runs %ld streams of 1 thread, as before; "
                "--threads now splits each inference, say --streams %ld for the old meaning",
                a->o.threads, a->o.threads, a->o.threads);
        a->o.streams = a->o.threads;
        a->o.threads = 1;
    }
    return EB_EXIT_OK;
}

int eb_cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EB_EXIT_OK)
        return rc < 0 ? EB_EXIT_OK : rc;
    if (strchr(a.o.target, ','))
        return eb_run_many(argc, argv, a.o.target, a.o.out, a.o.json, a.o.quiet, a.o.emulate,
                           a.o.port || a.o.host || a.o.agent);
    return eb_run(&a.o);
}
