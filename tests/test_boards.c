/* test_boards.c - several boards at once: `edgebench run --target a,b,c,host` and `study`
 * measure every board concurrently (one worker each; here three agents on pseudo-
 * terminals), the host alone afterwards, a report per target, and a board that fails
 * does not lose the others' results. The real edgebench binary runs, as a user runs it. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "board_fixture.h"
#include "child.h"
#include "eb_report.h"
#include "eb_test_cmd.h"

#define EDGEBENCH EB_BINARY_DIR "/bench/edgebench"
/* about 0.1 ms per inference here: runs of a second without a flood of lines */
#define MODEL "resnet8_int8"
#define NB 3

/* When each board's session began and its measured run ended (its "hello" answer and
 * its second "done"): boards at once all answer before any of them finishes. */
typedef struct {
    int64_t t[2];
    int n;
} window;

static void stamp(void *arg)
{
    window *w = arg;
    if (w->n < 2)
        w->t[w->n++] = eb_mono_ms();
}

typedef struct {
    fx_rig rig[NB];
    window win[NB];
    char dir[64], tfile[NB + 1][160], list[1024];
} boards;

static void boards_start(boards *b)
{
    memset(b, 0, sizeof *b);
    eb_test_tmpdir(b->dir, sizeof b->dir);
    for (int i = 0; i < NB; i++) {
        fx_rule at[] = {{1, "hello ", 1, FX_HOOK, 0, 0}, {1, "done ", 2, FX_HOOK, 0, 0}};
        fx_rig_start_exec(&b->rig[i], BF_HOST_AGENT, at, 2);
        b->rig[i].x.hook = stamp;
        b->rig[i].x.hook_arg = &b->win[i];
        char name[16], extra[200];
        snprintf(name, sizeof name, "board%d", i);
        snprintf(b->tfile[i], sizeof b->tfile[i], "%s/%s.json", b->dir, name);
        snprintf(extra, sizeof extra, "\"transport\": \"serial\", \"device\": \"%s\"",
                 b->rig[i].slave);
        bf_write_target(b->tfile[i], name, "x86_64", extra);
    }
    /* a fourth board nobody answers for */
    snprintf(b->tfile[NB], sizeof b->tfile[NB], "%s/deadboard.json", b->dir);
    bf_write_target(b->tfile[NB], "deadboard", "x86_64",
                    "\"transport\": \"serial\", \"device\": \"/nonexistent/ttyEB3\"");
    snprintf(b->list, sizeof b->list, "%s,%s,%s,%s,host", b->tfile[0], b->tfile[1], b->tfile[2],
             b->tfile[NB]);
}

static void boards_stop(boards *b)
{
    for (int i = 0; i < NB; i++)
        fx_rig_stop(&b->rig[i]);
    bf_rmrf(b->dir);
}

static eb_child_result edgebench(char **argv)
{
    eb_child_result r;
    char err[256];
    cr_assert_eq(eb_child_run(argv, 600, &r, err, sizeof err), EB_OK, "%s", err);
    return r;
}

Test(boards, three_boards_at_once_then_the_host, .timeout = 300)
{
    boards b;
    boards_start(&b);
    char out[128];
    snprintf(out, sizeof out, "%s/reports", b.dir);
    char *argv[] = {EDGEBENCH, "run", "--target", b.list, "--model", MODEL, "--warmup", "2",
                    "--warmup-time", "0", "--min-time", "0.6", "--repetitions", "2", "--out",
                    out, NULL};
    eb_child_result r = edgebench(argv);
    cr_assert_eq(r.exit_code, 2, "one board failed: %s", r.err);
    cr_assert(strstr(r.err, "1 of 5 targets did not give a complete result"), "%s", r.err);
    cr_assert(strstr(r.out, "deadboard") && strstr(r.out, "FAILED") &&
                  strstr(r.out, "/nonexistent/ttyEB3"),
              "the failing board is named with its port: %s", r.out);
    struct stat st[NB + 1];
    for (int i = 0; i <= NB; i++) {
        char path[200], err[256];
        if (i < NB)
            snprintf(path, sizeof path, "%s/board%d.json", out, i);
        else
            snprintf(path, sizeof path, "%s/host.json", out);
        cJSON *rep = NULL;
        cr_assert_eq(eb_report_load(path, &rep, err, sizeof err), EB_OK, "%s: %s", path, err);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")), "%s", path);
        cJSON_Delete(rep);
        cr_assert_eq(stat(path, &st[i]), 0);
        cr_assert(strstr(r.out, path), "the summary names %s: %s", path, r.out);
    }
    char dead[200];
    snprintf(dead, sizeof dead, "%s/deadboard.json", out);
    cr_assert_eq(access(dead, F_OK), -1, "no report for the board that did not answer");
    /* the boards measured at the same time: every measured run began before any ended */
    int64_t last_start = 0, first_end = INT64_MAX;
    for (int i = 0; i < NB; i++) {
        cr_assert_eq(b.win[i].n, 2, "board%d streamed a measured run", i);
        last_start = b.win[i].t[0] > last_start ? b.win[i].t[0] : last_start;
        first_end = b.win[i].t[1] < first_end ? b.win[i].t[1] : first_end;
    }
    cr_assert_lt(last_start, first_end, "every board answered before any finished");
    /* ... and the host after all of them (its report is written last) */
    for (int i = 0; i < NB; i++)
        cr_assert(st[NB].st_mtim.tv_sec > st[i].st_mtim.tv_sec ||
                      (st[NB].st_mtim.tv_sec == st[i].st_mtim.tv_sec &&
                       st[NB].st_mtim.tv_nsec >= st[i].st_mtim.tv_nsec),
                  "host measured after board%d", i);
    free(r.out);
    boards_stop(&b);
}

Test(boards, study_measures_the_boards_at_once, .timeout = 300)
{
    boards b;
    boards_start(&b);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/study", b.dir);
    char *argv[] = {EDGEBENCH, "study", "--targets", b.list, "--models", MODEL, "--min-time",
                    "0.4", "-o", dir, "--no-render", NULL};
    eb_child_result r = edgebench(argv);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    /* deadboard's port does not exist: it is predicted without being tried */
    cr_assert(strstr(r.err, "on 3 boards at once"), "%s", r.err);
    const char *dead = strstr(r.out, "| deadboard | " MODEL " | ");
    cr_assert_not_null(dead, "%s", r.out);
    const char *dead_end = strchr(dead, '\n');
    cr_assert(memmem(dead, (size_t)(dead_end - dead), "[p]", 3), "deadboard predicted: %.*s",
              (int)(dead_end - dead), dead);
    for (int i = 0; i < NB; i++) {
        char row[64];
        snprintf(row, sizeof row, "| board%d | %s | ", i, MODEL);
        const char *at = strstr(r.out, row);
        cr_assert_not_null(at, "row for board%d: %s", i, r.out);
        const char *eol = strchr(at, '\n');
        cr_assert(memmem(at, (size_t)(eol - at), "[m]", 3), "board%d measured: %.*s", i,
                  (int)(eol - at), at);
        cr_assert_eq(b.win[i].n, 2);
    }
    int64_t last_start = 0, first_end = INT64_MAX;
    for (int i = 0; i < NB; i++) {
        last_start = b.win[i].t[0] > last_start ? b.win[i].t[0] : last_start;
        first_end = b.win[i].t[1] < first_end ? b.win[i].t[1] : first_end;
    }
    cr_assert_lt(last_start, first_end, "every board answered before any finished");
    free(r.out);
    boards_stop(&b);
}

Test(boards, several_targets_refuse_what_names_one_board)
{
    char *a1[] = {EDGEBENCH, "run", "--target", "rpi4,rpi5", "--model", MODEL, "--json", NULL};
    eb_child_result r = edgebench(a1);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "--out DIR"), "%s", r.err);
    free(r.out);
    char *a2[] = {EDGEBENCH, "run", "--target", "rpi4,nosuchboard", "--model", MODEL, NULL};
    r = edgebench(a2);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "unknown target 'nosuchboard'"), "nothing runs: %s", r.err);
    free(r.out);
    char *a3[] = {EDGEBENCH, "run", "--target", "rpi4,rpi5", "--model", MODEL, "--port",
                  "/dev/ttyUSB0", NULL};
    r = edgebench(a3);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "name one board"), "%s", r.err);
    free(r.out);
    char *a4[] = {EDGEBENCH, "run", "--target", "rpi4,rpi5", "--model", MODEL, "--out",
                  EB_BINARY_DIR "/CMakeCache.txt", NULL};
    r = edgebench(a4);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "names a folder"), "%s", r.err);
    free(r.out);
}
