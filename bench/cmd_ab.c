/* cmd_ab.c - `edgebench ab`: interleaved A/B measurement of two builds, two kernel sets
 * or two variants, decided on paired rounds (reports/eb_ab.h), alternating the order
 * (ABBA...). Each side is a persistent child `BIN ab-worker` (cmd_abworker.c) that builds
 * the model once and measures on request, so A's and B's windows of a round are a
 * fraction of a second apart; a binary without ab-worker (an older edgebench) is run as
 * one child `BIN run ... --json --repetitions 1` per round instead. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "eb_ab.h"
#include "eb_bootstrap.h"
#include "eb_compare.h"
#include "eb_report.h"

static void ab_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench ab --model M [--baseline BIN] [--candidate BIN] [options]\n\n"
            "Alternates short measurement rounds of A (baseline) and B (candidate) so both see\n"
            "the same machine states, then decides on the paired rounds: the median of the\n"
            "per-round ratios B/A, its bootstrap interval, and a Wilcoxon signed-rank test.\n"
            "Exit status: 0 no regression, 1 regression, 2 usage or input error.\n\n"
            "  --baseline BIN          edgebench binary for A (default: this one)\n"
            "  --candidate BIN         edgebench binary for B (default: this one)\n"
            "  --model M               model variant, both sides (e.g. mobilenet_v1_int8)\n"
            "  --baseline-model M      A's variant (two variants of one binary)\n"
            "  --candidate-model M     B's variant\n"
            "  --kernels K             kernel set for both sides (%s)\n"
            "  --baseline-kernels K    A's kernel set (two kernel sets of one binary)\n"
            "  --candidate-kernels K   B's kernel set\n"
            "  --target T              target (default host)\n"
            "  --rounds N              paired rounds (default 10; at least %zu for alpha 0.01)\n"
            "  --round-time S          measuring time per side and round (default 0.5 s)\n"
            "  --warmup-time S         warm-up per side and round (default 0.2 s)\n"
            "  --threshold PCT         smallest change that counts (default 5)\n"
            "  --alpha A               significance level (default 0.01)\n"
            "  --junit FILE, --markdown FILE   as for compare\n"
            "  --route R               worker (persistent children, default when both binaries\n"
            "                          have ab-worker) or run (a child 'run' per round)\n"
            "  --quiet                 no per-round lines\n",
            eb_kset_choices(), eb_ab_min_rounds(0.01));
}

typedef struct {
    const char *bin, *model, *kernels;
    /* the persistent worker (`BIN ab-worker`), when the binary has one */
    pid_t pid;
    FILE *to, *from;
    char *line;
    size_t cap;
} ab_side;

/* Waits until fd is readable, at most timeout_s. */
static bool readable(int fd, double timeout_s)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r;
    do
        r = poll(&p, 1, (int)(timeout_s * 1000));
    while (r < 0 && errno == EINTR);
    return r > 0;
}

static void worker_stop(ab_side *s)
{
    if (s->to) {
        fputs("quit\n", s->to);
        fclose(s->to);
    }
    if (s->from)
        fclose(s->from);
    if (s->pid > 0) {
        int st;
        for (int i = 0; i < 50 && waitpid(s->pid, &st, WNOHANG) == 0; i++)
            usleep(20000);
        if (waitpid(s->pid, &st, WNOHANG) == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    free(s->line);
    s->to = s->from = NULL;
    s->line = NULL;
    s->pid = 0;
}

/* Reads one line from the worker within timeout_s; false on EOF or timeout. */
static bool worker_line(ab_side *s, double timeout_s)
{
    if (!readable(fileno(s->from), timeout_s))
        return false;
    ssize_t n = getline(&s->line, &s->cap, s->from);
    if (n <= 0)
        return false;
    if (s->line[n - 1] == '\n')
        s->line[n - 1] = 0;
    return true;
}

/* Starts `BIN ab-worker` and waits for "ready". EB_ERR_UNSUPPORTED: the binary has no
 * worker (an older edgebench); other errors: it has one and it failed (err says why). */
static eb_status worker_start(ab_side *s, const char *warmup_time, char *err, size_t errlen)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return EB_ERR_IO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start '%s': %s", s->bin, strerror(errno));
        return EB_ERR_IO;
    }
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) /* an older binary's "unknown command" is not our error */
            dup2(devnull, STDERR_FILENO);
        char *argv[12];
        int n = 0;
        argv[n++] = (char *)s->bin;
        argv[n++] = "ab-worker";
        argv[n++] = "--model";
        argv[n++] = (char *)s->model;
        argv[n++] = "--kernels";
        argv[n++] = (char *)(s->kernels ? s->kernels : "auto");
        argv[n++] = "--warmup-time";
        argv[n++] = (char *)warmup_time;
        argv[n] = NULL;
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->to = fdopen(in[1], "w");
    s->from = fdopen(out[0], "r");
    if (!s->to || !s->from) {
        worker_stop(s);
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    if (!worker_line(s, 900)) { /* no output at all: no worker in this binary */
        int st = 0;
        waitpid(s->pid, &st, 0);
        s->pid = 0;
        worker_stop(s);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
            snprintf(err, errlen, "cannot run '%s'", s->bin);
            return EB_ERR_IO;
        }
        return EB_ERR_UNSUPPORTED;
    }
    if (strncmp(s->line, "ready", 5)) {
        snprintf(err, errlen, "'%s ab-worker --model %s': %s", s->bin, s->model,
                 !strncmp(s->line, "error ", 6) ? s->line + 6 : s->line);
        worker_stop(s);
        return EB_ERR_ARG;
    }
    return EB_OK;
}

static eb_status worker_measure(ab_side *s, double secs, double *median, char *err,
                                size_t errlen)
{
    fprintf(s->to, "measure %.6g\n", secs);
    fflush(s->to);
    if (!worker_line(s, secs * 20 + 120) || strncmp(s->line, "samples ", 8)) {
        snprintf(err, errlen, "the worker of '%s' %s", s->bin,
                 s->line && !strncmp(s->line, "error ", 6) ? s->line + 6
                                                          : "stopped answering");
        return EB_ERR_IO;
    }
    char *p = s->line + 8, *end;
    size_t n = strtoul(p, &end, 10);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    size_t k = 0;
    for (p = end; k < n; k++) {
        x[k] = strtod(p, &end);
        if (end == p)
            break;
        p = end;
    }
    if (k == 0 || k != n) {
        free(x);
        snprintf(err, errlen, "the worker of '%s' sent a malformed samples line", s->bin);
        return EB_ERR_PROTOCOL;
    }
    *median = eb_quantile_inplace(x, n, 0.5);
    free(x);
    return EB_OK;
}

static eb_status run_side(const ab_side *s, const char *target, const char *round_time,
                          const char *warmup_time, double *median, char *err, size_t errlen)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)s->bin;
    argv[n++] = "run";
    argv[n++] = "--target";
    argv[n++] = (char *)target;
    argv[n++] = "--model";
    argv[n++] = (char *)s->model;
    if (s->kernels) {
        argv[n++] = "--kernels";
        argv[n++] = (char *)s->kernels;
    }
    argv[n++] = "--repetitions";
    argv[n++] = "1";
    argv[n++] = "--min-iterations";
    argv[n++] = "5";
    argv[n++] = "--min-time";
    argv[n++] = (char *)round_time;
    argv[n++] = "--warmup-time";
    argv[n++] = (char *)warmup_time;
    argv[n++] = "--no-counters";
    argv[n++] = "--json";
    argv[n++] = "--quiet";
    argv[n] = NULL;
    eb_child_result cr;
    eb_status st = eb_child_run(argv, 600, &cr, err, errlen);
    if (st != EB_OK)
        return st;
    if (cr.exit_code != 0) {
        /* the child's last line is its one-sentence error */
        char *last = cr.err + strlen(cr.err);
        while (last > cr.err && (last[-1] == '\n' || last[-1] == ' '))
            *--last = 0;
        char *line = strrchr(cr.err, '\n');
        line = line ? line + 1 : cr.err;
        if (!strncmp(line, "edgebench: ", 11))
            line += 11;
        snprintf(err, errlen, "'%s run --model %s' %s: %s", s->bin, s->model,
                 cr.timed_out ? "timed out" : "failed", line);
        free(cr.out);
        return EB_ERR_IO;
    }
    eb_report rep;
    st = eb_report_read_text(cr.out, s->bin, &rep, err, errlen);
    free(cr.out);
    if (st != EB_OK)
        return st;
    if (rep.n_results < 1 || rep.results[0].n_samples == 0) {
        snprintf(err, errlen, "'%s run' returned no samples", s->bin);
        eb_report_free(&rep);
        return EB_ERR_FORMAT;
    }
    /* the median of the raw samples, by the same quantile definition as the gates */
    const eb_report_result *r = &rep.results[0];
    *median = eb_quantile_inplace(r->samples_ms, r->n_samples, 0.5);
    eb_report_free(&rep);
    return EB_OK;
}

int eb_cmd_ab(int argc, char **argv)
{
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    ab_side A = {0}, B = {0};
    const char *model = NULL, *kernels = NULL, *target = "host";
    const char *round_time = "0.5", *warmup_time = "0.2", *junit = NULL, *markdown = NULL;
    const char *route = "auto";
    double round_s = 0.5;
    long rounds = 10;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            ab_usage(stdout);
            return EB_EXIT_OK;
        }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
            continue;
        }
        if (a[0] != '-') {
            eb_error("ab takes no positional arguments ('%s'); see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
        if (!v) {
            eb_error("%s needs a value; see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
        i++;
        double d;
        if (!strcmp(a, "--baseline"))
            A.bin = v;
        else if (!strcmp(a, "--candidate"))
            B.bin = v;
        else if (!strcmp(a, "--model"))
            model = v;
        else if (!strcmp(a, "--baseline-model"))
            A.model = v;
        else if (!strcmp(a, "--candidate-model"))
            B.model = v;
        else if (!strcmp(a, "--kernels"))
            kernels = v;
        else if (!strcmp(a, "--baseline-kernels"))
            A.kernels = v;
        else if (!strcmp(a, "--candidate-kernels"))
            B.kernels = v;
        else if (!strcmp(a, "--target"))
            target = v;
        else if (!strcmp(a, "--junit"))
            junit = v;
        else if (!strcmp(a, "--markdown"))
            markdown = v;
        else if (!strcmp(a, "--rounds")) {
            if (!eb_parse_int(a, v, 2, 10000, &rounds))
                return EB_EXIT_USAGE;
        } else if (!strcmp(a, "--round-time")) {
            if (!eb_parse_double(a, v, 0.01, 3600, &round_s))
                return EB_EXIT_USAGE;
            round_time = v;
        } else if (!strcmp(a, "--route")) {
            if (strcmp(v, "worker") && strcmp(v, "run") && strcmp(v, "auto")) {
                eb_error("--route expects worker, run or auto, got '%s'", v);
                return EB_EXIT_USAGE;
            }
            route = v;
        } else if (!strcmp(a, "--warmup-time")) {
            if (!eb_parse_double(a, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            warmup_time = v;
        } else if (!strcmp(a, "--threshold")) {
            if (!eb_parse_percent(a, v, 1000, &o.threshold))
                return EB_EXIT_USAGE;
        } else if (!strcmp(a, "--alpha")) {
            if (!eb_parse_double(a, v, 1e-12, 0.5, &o.alpha))
                return EB_EXIT_USAGE;
        } else {
            eb_error("unknown option '%s' for ab; see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
    }
    if (!A.model)
        A.model = model;
    if (!B.model)
        B.model = model;
    if (!A.model || !B.model) {
        eb_error("ab needs --model (or --baseline-model and --candidate-model)");
        return EB_EXIT_USAGE;
    }
    if (!A.kernels)
        A.kernels = kernels;
    if (!B.kernels)
        B.kernels = kernels;
    if (!A.bin)
        A.bin = eb_self_exe();
    if (!B.bin)
        B.bin = eb_self_exe();
    size_t need = eb_ab_min_rounds(o.alpha);
    if ((size_t)rounds < need) {
        eb_error("--rounds %ld is too few: at alpha %g the signed-rank test needs at least %zu "
                 "paired rounds", rounds, o.alpha, need);
        return EB_EXIT_USAGE;
    }
    double *ma = calloc((size_t)rounds, sizeof *ma), *mb = calloc((size_t)rounds, sizeof *mb);
    if (!ma || !mb) {
        free(ma);
        free(mb);
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    int rc = EB_EXIT_USAGE;
    char err[1024];
    /* a worker that died is an error to report, not a reason for ab to die of SIGPIPE */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    /* persistent workers unless told otherwise or a binary has none */
    bool workers = false;
    if (strcmp(route, "run") && !strcmp(target, "host")) {
        eb_status sa = worker_start(&A, warmup_time, err, sizeof err);
        eb_status sb = sa == EB_OK ? worker_start(&B, warmup_time, err, sizeof err) : EB_OK;
        if (sa == EB_OK && sb == EB_OK) {
            workers = true;
        } else if (sa == EB_ERR_UNSUPPORTED || sb == EB_ERR_UNSUPPORTED) {
            worker_stop(&A);
            worker_stop(&B);
            if (!strcmp(route, "worker")) {
                eb_error("'%s' has no ab-worker command (an older edgebench); use --route run",
                         sa == EB_ERR_UNSUPPORTED ? A.bin : B.bin);
                goto done;
            }
            eb_warn("'%s' has no ab-worker command (an older edgebench): measuring with one "
                    "'run' child per round, whose windows are seconds apart",
                    sa == EB_ERR_UNSUPPORTED ? A.bin : B.bin);
        } else {
            worker_stop(&A);
            worker_stop(&B);
            eb_error("%s", err);
            goto done;
        }
    } else if (!strcmp(route, "worker")) {
        eb_error("--route worker measures on the host only; use --route run for --target %s",
                 target);
        goto done;
    }
    if (!quiet) {
        const char *how = workers ? "ab-worker" : "run";
        printf("A (baseline):  %s %s --model %s%s%s\n", A.bin, how, A.model,
               A.kernels ? " --kernels " : "", A.kernels ? A.kernels : "");
        printf("B (candidate): %s %s --model %s%s%s\n", B.bin, how, B.model,
               B.kernels ? " --kernels " : "", B.kernels ? B.kernels : "");
        if (workers)
            printf("%ld rounds on %s, order ABBA..., each side %s s measured per round "
                   "(persistent workers, warmed up once)\n\n", rounds, target, round_time);
        else
            printf("%ld rounds on %s, order ABBA..., each side a 'run' child: %s s warm-up + "
                   "%s s measured\n\n", rounds, target, warmup_time, round_time);
        printf("round  order  A p50 ms    B p50 ms    B/A\n");
        fflush(stdout);
    }
    for (long r = 0; r < rounds; r++) {
        bool a_first = (r % 2) == 0; /* ABBA: A first in even rounds */
        for (int k = 0; k < 2; k++) {
            bool do_a = (k == 0) == a_first;
            eb_status st = workers ? worker_measure(do_a ? &A : &B, round_s,
                                                    do_a ? &ma[r] : &mb[r], err, sizeof err)
                                   : run_side(do_a ? &A : &B, target, round_time, warmup_time,
                                              do_a ? &ma[r] : &mb[r], err, sizeof err);
            if (st != EB_OK) {
                eb_error("round %ld, %s: %s", r + 1, do_a ? "baseline" : "candidate", err);
                goto done;
            }
        }
        if (!quiet) {
            printf("%5ld  %s     %-10.4g  %-10.4g  %.4f\n", r + 1, a_first ? "AB" : "BA", ma[r],
                   mb[r], mb[r] / ma[r]);
            fflush(stdout);
        }
    }
    eb_cmp_row paired, unpaired;
    memset(&paired, 0, sizeof paired);
    memset(&unpaired, 0, sizeof unpaired);
    if (eb_ab_decide(ma, mb, (size_t)rounds, &o, &paired, &unpaired) != EB_OK) {
        eb_error("cannot decide: a round returned no usable median");
        goto done;
    }
    const char *ka = A.kernels ? A.kernels : "auto", *kb = B.kernels ? B.kernels : "auto";
    char kern[80] = "";
    if (strcmp(ka, kb))
        snprintf(kern, sizeof kern, " (kernels %.30s vs %.30s)", ka, kb);
    snprintf(paired.pair, sizeof paired.pair, "%.60s/%.80s%s%.80s%s", target, A.model,
             strcmp(A.model, B.model) ? " vs " : "", strcmp(A.model, B.model) ? B.model : "",
             kern);
    paired.metric = "p50";
    paired.unit = "ms";
    char method[300];
    snprintf(method, sizeof method,
             "paired rounds: change = median of the per-round ratios B/A, its %.0f %% "
             "bootstrap interval over rounds, p from a two-sided Wilcoxon signed-rank test "
             "of log(B/A)",
             100 * o.level);
    o.method = method;
    eb_cmp_outcome out = {.rows = &paired, .n_rows = 1,
                          .regressions = paired.verdict == EB_VERDICT_REGRESSION,
                          .improvements = paired.verdict == EB_VERDICT_IMPROVEMENT};
    if (!quiet)
        printf("\n");
    eb_cmp_print_table(stdout, &out, &o);
    printf("unpaired view (compare's U test on the %ld round medians of each side): change "
           "%+.2f %%, p %.3g\n",
           rounds, 100 * unpaired.change, unpaired.p);
    if (junit && eb_cmp_write_junit(junit, &out, &o, "edgebench ab", err, sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    if (markdown && eb_cmp_write_markdown(markdown, &out, &o, "edgebench ab", err, sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    rc = out.regressions ? EB_EXIT_GATE : EB_EXIT_OK;
done:
    worker_stop(&A);
    worker_stop(&B);
    signal(SIGPIPE, old_pipe);
    free(ma);
    free(mb);
    return rc;
}
