/* run_many.c - `edgebench run --target a,b,c`: every board measured at once by a child
 * `run` each (boards.h), then the local targets one at a time (a measurement on this
 * machine would be disturbed by the others), one report per target, and a table of
 * what each gave. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "child.h"
#include "cli.h"
#include "eb_outfile.h"
#include "eb_plot.h"
#include "eb_report.h"
#include "eb_target.h"
#include "run_many.h"

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
    eb_target t;
    bool board; /* measured at once with the other boards */
    char out[1024];
} one_target;

/* One line per result of a target's report. */
static void summarize(FILE *f, const one_target *x, const eb_board_job *j)
{
    eb_report *rep = calloc(1, sizeof *rep);
    char err[512];
    bool have = rep && access(x->out, F_OK) == 0 &&
                eb_report_read(x->out, rep, err, sizeof err) == EB_OK;
    if (j->exit_code != 0)
        fprintf(f, "  %-14s %s: %s\n", x->t.desc.name,
                j->exit_code == 130 ? "interrupted" : "FAILED",
                j->error[0] ? j->error : "the worker ended without saying why");
    if (have) {
        for (size_t i = 0; i < rep->n_results; i++) {
            const eb_report_result *r = &rep->results[i];
            fprintf(f, "  %-14s %-24s p50 %10.4f ms  p90 %10.4f ms  %10.1f inf/s  %-9s %s%s\n",
                    x->t.desc.name, r->name, r->latency.median, r->latency.p90,
                    r->throughput_ips, rep->target.transport,
                    r->complete ? "" : "INCOMPLETE ", rep->environment.brand);
        }
        fprintf(f, "  %-14s report %s\n", "", x->out);
        eb_report_free(rep);
    }
    free(rep);
}

int eb_run_many(int argc, char **argv, const char *targets, const char *out_dir, bool json,
                bool quiet, bool emulate, bool single_board_option)
{
    (void)emulate; /* passed on to the boards' workers with the rest of argv */
    if (json) {
        eb_error("--json prints one report; with several targets give --out DIR (one report "
                 "per target)");
        return EB_EXIT_USAGE;
    }
    if (single_board_option) {
        eb_error("--port, --host and --agent name one board; with several targets put each "
                 "board's port or host in its target file");
        return EB_EXIT_USAGE;
    }
    char list[1024];
    snprintf(list, sizeof list, "%s", targets);
    static one_target tg[EB_BOARDS_MAX];
    size_t n = 0;
    char err[1024];
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (!*name)
            continue;
        if (n == EB_BOARDS_MAX) {
            eb_error("--target takes at most %d targets in one run", EB_BOARDS_MAX);
            return EB_EXIT_USAGE;
        }
        if (eb_target_load(name, &tg[n].t, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            return EB_EXIT_USAGE;
        }
        for (size_t k = 0; k < n; k++)
            if (!strcmp(tg[k].t.desc.name, tg[n].t.desc.name)) {
                eb_error("target '%s' is named twice in --target", tg[n].t.desc.name);
                return EB_EXIT_USAGE;
            }
        tg[n].board = strcmp(tg[n].t.desc.transport, "local") != 0;
        n++;
    }
    /* where the reports go: DIR/<target>.json, or reports/out/<target>_<models>_<time> */
    char stamp[32] = "";
    if (out_dir) {
        struct stat st;
        if (stat(out_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
            eb_error("--out '%s' is a file; with several targets --out names a folder (one "
                     "report per target goes there)", out_dir);
            return EB_EXIT_USAGE;
        }
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    }
    if (eb_mkdirs(out_dir ? out_dir : "reports/out", 0755, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        if (out_dir)
            snprintf(tg[i].out, sizeof tg[i].out, "%s/%s.json", out_dir, tg[i].t.desc.name);
        else
            snprintf(tg[i].out, sizeof tg[i].out, "reports/out/%s_%s.json", tg[i].t.desc.name,
                     stamp);
        unlink(tg[i].out); /* a report there afterwards is this run's */
    }

    static eb_board_job jobs[EB_BOARDS_MAX];
    memset(jobs, 0, sizeof jobs);
    for (size_t i = 0; i < n; i++) {
        eb_board_job *j = &jobs[i];
        j->label = tg[i].t.desc.name;
        int k = 0;
        j->argv[k++] = (char *)eb_self_exe();
        j->argv[k++] = "run";
        for (int a = 1; a < argc && k < EB_BOARD_MAX_ARGS - 8; a++) {
            const char *o = argv[a];
            if (!strcmp(o, "--target") || !strcmp(o, "--out")) {
                a++;
                continue;
            }
            /* everything else as given (values never start with '-') */
            if (!strcmp(o, "--json") || !strcmp(o, "--quiet") || !strcmp(o, "-q") ||
                (!strcmp(o, "--emulate") && !tg[i].board))
                continue;
            j->argv[k++] = argv[a];
        }
        j->argv[k++] = "--target";
        j->argv[k++] = tg[i].t.path;
        j->argv[k++] = "--out";
        j->argv[k++] = tg[i].out;
        j->argv[k++] = "--quiet";
        j->argv[k++] = EB_PROGRESS_LINES_OPT;
        j->argv[k] = NULL;
    }

    /* boards first, all at once; then each local target alone */
    static eb_board_job boards[EB_BOARDS_MAX], locals[EB_BOARDS_MAX];
    size_t nb = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        if (tg[i].board)
            boards[nb++] = jobs[i];
        else
            locals[nl++] = jobs[i];
    }
    bool tty = !quiet && isatty(STDERR_FILENO);
    FILE *pf = quiet ? NULL : stderr;
    if (pf) {
        fprintf(pf, "edgebench: measuring %zu board%s at once (one worker each)", nb,
                nb == 1 ? "" : "s");
        for (size_t i = 0; i < nl; i++)
            fprintf(pf, "%s%s", i ? ", " : ", then alone: ", locals[i].label);
        fputc('\n', pf);
    }
    g_stop = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int64_t t0 = now_ms();
    if (nb)
        eb_boards_run(boards, nb, pf, tty, 24 * 3600.0, &g_stop);
    int64_t t_boards = now_ms() - t0;
    for (size_t i = 0; i < nl && !g_stop; i++)
        eb_boards_run(&locals[i], 1, pf, tty, 24 * 3600.0, &g_stop);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    size_t ib = 0, il = 0, ok = 0;
    for (size_t i = 0; i < n; i++)
        jobs[i] = tg[i].board ? boards[ib++] : locals[il++];
    FILE *f = stdout;
    if (!quiet)
        fprintf(f, "\n%zu target%s: boards at once in %.1f s, total %.1f s\n", n,
                n == 1 ? "" : "s", (double)t_boards / 1000, (double)(now_ms() - t0) / 1000);
    for (size_t i = 0; i < n; i++) {
        ok += jobs[i].exit_code == 0;
        if (!quiet)
            summarize(f, &tg[i], &jobs[i]);
        else if (jobs[i].exit_code != 0)
            eb_error("%s: %s", tg[i].t.desc.name,
                     jobs[i].error[0] ? jobs[i].error : "the worker ended without saying why");
    }
    if (g_stop)
        return 130;
    if (ok < n) {
        eb_error("%zu of %zu targets did not give a complete result (see above); the others' "
                 "reports are written", n - ok, n);
        return EB_EXIT_USAGE;
    }
    return EB_EXIT_OK;
}
