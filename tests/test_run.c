/* test_run.c - `edgebench run` end to end on a tiny model, through the command function,
 * and its answers to bad input. No wall-time assertions: counts come from
 * --min-iterations with --min-time 0, which makes the number of samples exact. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "eb_dispatch.h"
#include "eb_model_internal.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "eb_stats.h"

#define TINY "fc_autoencoder_int8"
#define FAST "--warmup", "1", "--warmup-time", "0", "--min-time", "0", "--quiet"

static void fx_rmdir_test(const char *dir)
{
    char cmd[200];
    if (!strncmp(dir, "/tmp/eb_test_", 13)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void read_report(const char *path, eb_report *r)
{
    char err[1024];
    eb_status st = eb_report_read(path, r, err, sizeof err);
    cr_assert_eq(st, EB_OK, "report does not load: %s", err);
}

Test(run, tiny_model_end_to_end)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", "host", "--model", TINY,
                                   "--min-iterations", "12", "--repetitions", "2", FAST,
                                   "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    cr_assert_str_eq(c.out, "", "--quiet prints nothing: %s", c.out);
    eb_report r;
    read_report(path, &r);
    cr_assert(r.complete);
    cr_assert_str_eq(r.target.name, "host");
    cr_assert_str_eq(r.target.transport, "local");
    cr_assert(r.target.power_model.active_w > 0);
    cr_assert_eq(r.settings.min_iterations, 12);
    cr_assert_eq(r.settings.repetitions, 2);
    cr_assert_str_eq(r.settings.scenario, "single-stream");
    cr_assert_str_eq(r.edgebench.version, eb_version());
    cr_assert_eq(r.edgebench.sanitized, eb_sanitized_build());
    cr_assert(r.created_utc[0]);
    cr_assert(r.environment.n_isa_features <= EB_REPORT_MAX_ISA);
    cr_assert_str_eq(r.environment.kernel_set, "auto");

    cr_assert_eq(r.n_results, 1);
    eb_report_result *x = &r.results[0];
    cr_assert_str_eq(x->name, TINY);
    cr_assert_str_eq(x->model, "fc_autoencoder");
    cr_assert_str_eq(x->variant, "int8");
    cr_assert_str_eq(x->scenario, "single-stream");
    cr_assert_eq(x->threads, 1);
    cr_assert_eq(x->streams, 1);
    cr_assert(x->complete);
    cr_assert(x->macs > 0 && x->params > 0);
    cr_assert(x->n_kernels > 0, "the kernels used are named");
    /* exactly min_iterations per repetition with --min-time 0 */
    cr_assert_eq(x->n_samples, 24);
    cr_assert_eq(x->latency.n, 24);
    cr_assert_eq(x->n_repetitions, 2);
    /* the statistics are those of the samples in the report */
    eb_stats s;
    eb_stats_compute(x->samples_ms, x->n_samples, &s);
    cr_assert_float_eq(x->latency.median, s.median, 1e-6);
    cr_assert_float_eq(x->latency.min, s.min, 1e-6);
    cr_assert_float_eq(x->latency.max, s.max, 1e-6);
    cr_assert_float_eq(x->latency.p90, s.p90, 1e-6);
    cr_assert_float_eq(x->latency.p99, s.p99, 1e-6);
    cr_assert_float_eq(x->latency.mean, s.mean, 1e-6);
    cr_assert_float_eq(x->latency.ci95_lo, s.ci95_lo, 1e-6);
    cr_assert_float_eq(x->latency.ci95_hi, s.ci95_hi, 1e-6);
    cr_assert_float_eq(x->repetition_medians_ms[0], eb_median(x->samples_ms, 12), 1e-6);
    cr_assert(x->throughput_ips > 0);
    /* single stream: throughput ~ 1 / mean latency (per repetition, median over them) */
    cr_assert(x->throughput_ips < 1e3 / x->latency.min * 1.0001);

    cr_assert(x->memory.weights_bytes > 0);
    cr_assert(x->memory.arena_bytes > 0);
    cr_assert_eq(x->memory.planned_total_bytes,
                 x->memory.weights_bytes + x->memory.packed_bytes + x->memory.arena_bytes +
                     x->memory.scratch_bytes);
    cr_assert(x->memory.peak_rss_bytes > 0);
    cr_assert(x->memory.rss_method[0]);

    cr_assert_str_eq(x->energy.method, "estimated"); /* no RAPL on these machines */
    /* the report rounds the median to the nanosecond: allow 1 ns of active power */
    double want_j = r.target.power_model.active_w * x->latency.median / 1e3;
    cr_assert(fabs(x->energy.joules_per_inference - want_j) <=
                  r.target.power_model.active_w * 1e-9 + 1e-15,
              "%g J vs %g J", x->energy.joules_per_inference, want_j);
    cr_assert(strstr(x->energy.detail, "power model source"));
    if (!x->counters.available)
        cr_assert(x->counters.reason[0], "unavailable counters carry a reason");
    cr_assert(x->has_fidelity, "an int8 variant reports its fidelity");
    cr_assert(x->fidelity.inputs > 0);
    cr_assert_null(x->profile);
    cr_assert(!x->window_latency);
    eb_report_free(&r);
    eb_test_cmd_free(&c);
    unlink(path);
    rmdir(dir);
}

Test(run, several_models_profile_offline)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY ",fc_autoencoder_fp32",
                                   "--scenario", "offline", "--threads", "2", "--profile",
                                   "--min-iterations", "5", "--repetitions", "1",
                                   "--no-counters", FAST, "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    eb_report r;
    read_report(path, &r);
    cr_assert_eq(r.n_results, 2);
    cr_assert_str_eq(r.results[0].name, TINY);
    cr_assert_str_eq(r.results[1].name, "fc_autoencoder_fp32");
    cr_assert(!r.results[1].has_fidelity, "fp32 dense is the reference: fidelity null");
    for (size_t i = 0; i < 2; i++) {
        eb_report_result *x = &r.results[i];
        cr_assert_str_eq(x->scenario, "offline");
        /* the old spelling: --threads 2 with offline is 2 streams of 1 thread, as before */
        cr_assert_eq(x->streams, 2);
        cr_assert_eq(x->threads, 1);
        cr_assert_eq(x->n_samples, 10, "5 per stream");
        cr_assert_eq(x->n_threads_latency, 2);
        cr_assert(x->per_thread_latency_ms[0] > 0 && x->per_thread_latency_ms[1] > 0);
        cr_assert_eq(x->memory.planned_total_bytes,
                     x->memory.weights_bytes + x->memory.packed_bytes +
                         2 * (x->memory.arena_bytes + x->memory.scratch_bytes));
        cr_assert(!x->counters.available);
        cr_assert_not_null(x->profile);
        cr_assert(x->n_profile > 0);
        double share = 0;
        for (size_t k = 0; k < x->n_profile; k++) {
            share += x->profile[k].share;
            cr_assert(x->profile[k].op[0]);
        }
        cr_assert_float_eq(share, 1.0, 1e-6);
    }
    eb_report_free(&r);
    eb_test_cmd_free(&c);
    unlink(path);
    rmdir(dir);
}

static double int8_sqnr(const char *models, size_t index)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", models, "--min-iterations",
                                   "2", "--repetitions", "1", "--json", FAST, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    cJSON *tree;
    char err[512];
    cr_assert_eq(eb_report_parse(c.out, &tree, err, sizeof err), EB_OK, "%s", err);
    eb_report r;
    cr_assert_eq(eb_report_from_json(tree, &r, err, sizeof err), EB_OK);
    cr_assert(r.results[index].has_fidelity);
    double v = r.results[index].fidelity.sqnr_db;
    eb_report_free(&r);
    cJSON_Delete(tree);
    eb_test_cmd_free(&c);
    return v;
}

Test(run, fidelity_reference_reused_across_variants_gives_the_same_figures)
{
    double alone = int8_sqnr(TINY, 0);
    double after_other_variant = int8_sqnr("fc_autoencoder_int8_p50," TINY, 1);
    cr_assert_float_eq(alone, after_other_variant, 1e-12);
}

Test(run, json_to_stdout_writes_no_file)
{
    char dir[64], cwd[1024];
    eb_test_tmpdir(dir, sizeof dir);
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(dir), 0);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations",
                                   "3", "--repetitions", "1", "--json", FAST, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    cr_assert(!exists("reports"), "--json alone writes no file");
    cJSON *tree;
    char err[512];
    cr_assert_eq(eb_report_parse(c.out, &tree, err, sizeof err), EB_OK, "%s", err);
    eb_report r;
    cr_assert_eq(eb_report_from_json(tree, &r, err, sizeof err), EB_OK);
    cr_assert_eq(r.results[0].n_samples, 3);
    eb_report_free(&r);
    cJSON_Delete(tree);
    eb_test_cmd_free(&c);
    cr_assert_eq(chdir(cwd), 0);
    rmdir(dir);
}

Test(run, default_out_is_named_from_target_model_time)
{
    char dir[64], cwd[1024];
    eb_test_tmpdir(dir, sizeof dir);
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(dir), 0);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations",
                                   "3", "--repetitions", "1", "--warmup", "1", "--warmup-time",
                                   "0", "--min-time", "0", NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    /* the summary names the file; it exists and starts as promised */
    const char *p = strstr(c.out, "report: reports/out/host_" TINY "_");
    cr_assert_not_null(p, "summary: %s", c.out);
    char path[256];
    cr_assert_eq(sscanf(p, "report: %255s", path), 1);
    cr_assert(exists(path), "%s", path);
    cr_assert(strstr(c.out, "p50") && strstr(c.out, "throughput") && strstr(c.out, "energy"));
    cr_assert(strstr(c.out, "estimated"));
    eb_report r;
    read_report(path, &r);
    eb_report_free(&r);
    unlink(path);
    rmdir("reports/out");
    rmdir("reports");
    eb_test_cmd_free(&c);
    cr_assert_eq(chdir(cwd), 0);
    rmdir(dir);
}

static void *interrupt_soon(void *arg)
{
    (void)arg;
    usleep(500000);
    kill(getpid(), SIGINT);
    return NULL;
}

Test(run, interrupt_writes_an_incomplete_report)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    pthread_t t;
    pthread_create(&t, NULL, interrupt_soon, NULL);
    /* --min-time 3600: only the interruption ends this run */
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--warmup", "1",
                                   "--warmup-time", "0", "--min-time", "3600",
                                   "--max-iterations", "10000000", "--quiet", "--out", path,
                                   NULL);
    pthread_join(t, NULL);
    cr_assert_eq(c.rc, 130, "rc %d: %s", c.rc, c.err);
    eb_report r;
    read_report(path, &r);
    cr_assert(!r.complete);
    cr_assert_eq(r.n_results, 1);
    cr_assert(!r.results[0].complete);
    cr_assert_eq(r.results[0].latency.n, r.results[0].n_samples);
    bool warned = false;
    for (size_t i = 0; i < r.n_warnings; i++)
        warned = warned || strstr(r.warnings[i], "interrupted");
    cr_assert(warned);
    eb_report_free(&r);
    eb_test_cmd_free(&c);
    unlink(path);
    rmdir(dir);
}


/* ---- bad input: one sentence, exit 2, nothing written ---- */

static void expect_usage_error(eb_cmd_capture *c, const char *needle)
{
    cr_assert_eq(c->rc, EB_EXIT_USAGE, "rc %d, stderr: %s", c->rc, c->err);
    cr_assert(!strncmp(c->err, "edgebench: ", 11), "stderr: %s", c->err);
    cr_assert_not_null(strstr(c->err, needle), "'%s' not in: %s", needle, c->err);
    /* one sentence: one line */
    cr_assert_eq(strchr(c->err, '\n'), c->err + strlen(c->err) - 1, "stderr: %s", c->err);
    cr_assert_str_eq(c->out, "");
}

Test(run_errors, unknown_model_lists_valid_names)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY ",no_such_net_int8",
                                   "--out", path, NULL);
    expect_usage_error(&c, "unknown model 'no_such_net_int8'; valid names");
    cr_assert_not_null(strstr(c.err, "fc_autoencoder"), "%s", c.err);
    cr_assert(!exists(path));
    eb_test_cmd_free(&c);
    rmdir(dir);
}

/* --threads splits each inference; with --streams several run at once, each split */
Test(run, threads_per_inference_and_streams)
{
    char dir[256], path[300];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", "ds_cnn_int8", "--threads",
                                   "2", "--min-iterations", "4", "--repetitions", "1",
                                   "--no-counters", FAST, "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    eb_report r;
    read_report(path, &r);
    cr_assert_str_eq(r.results[0].scenario, "single-stream");
    cr_assert_eq(r.results[0].threads, 2);
    cr_assert_eq(r.results[0].streams, 1);
    cr_assert_eq(r.settings.threads, 2);
    cr_assert_eq(r.results[0].n_samples, 4);
    eb_report_free(&r);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", "ds_cnn_int8", "--threads", "2", "--streams",
                    "2", "--min-iterations", "3", "--repetitions", "1", "--no-counters", FAST,
                    "--out", path, "--force", NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    read_report(path, &r);
    cr_assert_str_eq(r.results[0].scenario, "offline", "--streams implies offline");
    cr_assert_eq(r.results[0].threads, 2);
    cr_assert_eq(r.results[0].streams, 2);
    cr_assert_eq(r.results[0].n_samples, 6, "3 per stream");
    eb_report_free(&r);
    eb_test_cmd_free(&c);
    unlink(path);
    rmdir(dir);
}

Test(run_errors, unknown_target_lists_valid_names)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--target", "nosuch",
                                   NULL);
    expect_usage_error(&c, "unknown target 'nosuch'; valid names:");
    cr_assert_not_null(strstr(c.err, "host"));
    eb_test_cmd_free(&c);
}

Test(run_errors, bad_numbers_and_options)
{
    static const char *const cases[][3] = {
        {"--min-iterations", "abc", "--min-iterations expects a whole number"},
        {"--repetitions", "0", "--repetitions expects a whole number from 1"},
        {"--min-time", "-1", "--min-time expects a number"},
        {"--warmup", "5x", "--warmup expects a whole number"},
        {"--threads", "65", "--threads expects a whole number from 1"},
        {"--streams", "0", "--streams expects a whole number from 1"},
        {"--scenario", "batch", "--scenario expects single-stream or offline"},
        {"--kernels", "sse", "--kernels expects one of"},
        {"--calib", "/nonexistent/calib", "--calib '/nonexistent/calib' is not a readable"},
        {"--bogus", "1", "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, cases[i][0],
                                       cases[i][1], NULL);
        expect_usage_error(&c, cases[i][2]);
        eb_test_cmd_free(&c);
    }
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", NULL);
    expect_usage_error(&c, "needs --model");
    eb_test_cmd_free(&c);
}

Test(run_errors, unwritable_out_leaves_nothing)
{
    /* folder missing: refused before measuring */
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--out",
                                   "/nonexistent/dir/r.json", NULL);
    expect_usage_error(&c, "does not exist");
    eb_test_cmd_free(&c);

    /* a folder where the file cannot be created (even for root): the run happens, the
     * write fails, and neither the report nor a temporary file is left */
    c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations", "2",
                    "--repetitions", "1", FAST, "--out", "/proc/eb_report.json", NULL);
    expect_usage_error(&c, "cannot write '/proc/eb_report.json'");
    cr_assert(!exists("/proc/eb_report.json"));
    eb_test_cmd_free(&c);

    /* a directory given as the file */
    char dir[64];
    eb_test_tmpdir(dir, sizeof dir);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--out", dir, NULL);
    expect_usage_error(&c, "is a directory");
    eb_test_cmd_free(&c);
    rmdir(dir);
}

Test(run_errors, unreadable_model_file)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", "/nonexistent/m.ebm", NULL);
    expect_usage_error(&c, "model file '/nonexistent/m.ebm'");
    eb_test_cmd_free(&c);

    /* a file that is not a model: refused before anything runs, no report */
    char dir[64], model[128], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(model, sizeof model, "%s/bad.ebm", dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    FILE *f = fopen(model, "w");
    fputs("not a model\n", f);
    fclose(f);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", model, "--out", path, NULL);
    cr_assert_eq(c.rc, EB_EXIT_USAGE, "%s", c.err);
    cr_assert_not_null(strstr(c.err, "bad.ebm"), "%s", c.err);
    cr_assert(!exists(path));
    eb_test_cmd_free(&c);
    unlink(model);
    rmdir(dir);
}
/* ---- found by fuzzing and by hand (issue 18) ---- */

/* `--model 'ds_cnn_int8,'` ran ds_cnn_int8 and said nothing about the empty name: a list
 * built by a script with a trailing comma (or two commas) usually means a name is
 * missing. */
Test(run_errors, an_empty_name_in_the_model_list_is_refused)
{
    static const char *const lists[] = {TINY ",", "," TINY, TINY ",," TINY, TINY ", ,x", ","};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char dir[64], path[128];
        eb_test_tmpdir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/r.json", dir);
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", lists[i],
                                       "--min-iterations", "2", "--repetitions", "1", FAST,
                                       "--out", path, NULL);
        expect_usage_error(&c, "empty model name");
        cr_assert(!exists(path), "%s: nothing written", lists[i]);
        eb_test_cmd_free(&c);
        rmdir(dir);
    }
}

/* Two runs with the same --out: the second replaced the first without a word. */
Test(run_errors, a_second_run_does_not_silently_replace_a_report)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations", "2",
                                   "--repetitions", "1", FAST, "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    char *first = NULL;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t cap = 0;
    cr_assert(getdelim(&first, &cap, 0, f) > 0);
    fclose(f);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations", "3",
                    "--repetitions", "1", FAST, "--out", path, NULL);
    expect_usage_error(&c, "already exists");
    cr_assert_not_null(strstr(c.err, "--force"), "%s", c.err);
    eb_test_cmd_free(&c);
    /* the first report is intact */
    eb_report r;
    read_report(path, &r);
    cr_assert_eq(r.results[0].n_samples, 2, "the first run's report was replaced");
    eb_report_free(&r);
    /* --force says it is meant */
    c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--min-iterations", "3",
                    "--repetitions", "1", FAST, "--out", path, "--force", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    read_report(path, &r);
    cr_assert_eq(r.results[0].n_samples, 3);
    eb_report_free(&r);
    free(first);
    unlink(path);
    rmdir(dir);
}

static void *interrupt_in_warmup(void *arg)
{
    (void)arg;
    usleep(300000);
    kill(getpid(), SIGINT);
    return NULL;
}

/* An interrupt before the first timed inference wrote latencies of 0 ms (and 0 J, 0
 * inferences/s): a report claiming an infinitely fast model, which compare then
 * treated as data. No sample means no latency: nulls. */
Test(run, interrupt_before_the_first_sample_writes_no_latencies)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    pthread_t t;
    pthread_create(&t, NULL, interrupt_in_warmup, NULL);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--warmup", "1",
                                   "--warmup-time", "3600", "--min-time", "0", "--quiet",
                                   "--out", path, NULL);
    pthread_join(t, NULL);
    cr_assert_eq(c.rc, 130, "rc %d: %s", c.rc, c.err);
    eb_test_cmd_free(&c);
    eb_report r;
    read_report(path, &r); /* validates against the schema */
    cr_assert(!r.complete);
    cr_assert_eq(r.n_results, 1);
    const eb_report_result *x = &r.results[0];
    cr_assert(!x->complete);
    cr_assert_eq(x->n_samples, 0);
    cr_assert_eq(x->latency.n, 0);
    cr_assert(isnan(x->latency.median) && isnan(x->latency.min) && isnan(x->latency.p99),
              "median %g: a latency without a sample", x->latency.median);
    cr_assert(isnan(x->throughput_ips), "throughput %g", x->throughput_ips);
    cr_assert(isnan(x->energy.joules_per_inference), "energy %g",
              x->energy.joules_per_inference);
    eb_report_free(&r);
    unlink(path);
    rmdir(dir);
}


/* ---- Ctrl-C and SIGTERM stop the program wherever it is (the edgebench binary) ---- */

/* the binary under test; EB_TEST_EDGEBENCH points the test at another build (e.g. an
 * older one, to see the test fail there) */
static const char *edgebench_bin(void)
{
    const char *e = getenv("EB_TEST_EDGEBENCH");
    return e && *e ? e : EB_BINARY_DIR "/bench/edgebench";
}
#define EDGEBENCH ((char *)edgebench_bin())

static int threads_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Starts edgebench with argv, waits until its measuring thread exists (the signal
 * handlers are installed before it is created), lets it work `work_ms`, sends sig, and
 * waits for the exit. The deadline is far beyond the promised second and far below what
 * the interrupted work takes (tens of seconds of CPU at least): it tells "stopped" from
 * "carried on", it does not time anything. Returns the wait status; -1 if it had to be
 * killed. */
static int signal_and_wait(char *const argv[], int work_ms, int sig)
{
    if (access(EDGEBENCH, X_OK) != 0)
        cr_skip_test("%s is not built", EDGEBENCH);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(EDGEBENCH, argv);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < 1200 && threads_of(pid) < 2; i++) { /* up to 60 s of setup */
        if (waitpid(pid, &status, WNOHANG) == pid)
            cr_assert_fail("edgebench ended before measuring (status %d)", status);
        usleep(50000);
    }
    usleep((useconds_t)work_ms * 1000);
    kill(pid, sig);
    for (int i = 0; i < 300; i++) { /* 15 s */
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static bool warned(const eb_report *r, const char *needle)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (strstr(r->warnings[i], needle))
            return true;
    return false;
}

/* SIGTERM while an int8 model calibrates (64 MobileNetV1 inputs with the ref kernels: tens
 * of seconds of CPU): the signal only set a flag the measuring loop reads, so edgebench
 * carried on building. It stops now, with a report that says why it is empty. */
Test(run_signals, sigterm_while_a_model_is_built_stops_it, .timeout = 240)
{
    char dir[64], calib[128], out[160];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(calib, sizeof calib, "%s/calib", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    mkdir(calib, 0755);
    static float in[224 * 224 * 3];
    for (int f = 0; f < 64; f++) {
        eb_gen_input((uint32_t)f, 224, 224, 3, in);
        char p[200];
        snprintf(p, sizeof p, "%s/in%02d.f32", calib, f);
        FILE *fp = fopen(p, "wb");
        cr_assert_not_null(fp);
        fwrite(in, sizeof(float), sizeof in / sizeof in[0], fp);
        fclose(fp);
    }
    char *argv[] = {EDGEBENCH, "run", "--model", "mobilenet_v1_int8", "--calib", calib,
                    "--out", out, "--quiet", NULL};
    int status = signal_and_wait(argv, 500, SIGTERM);
    cr_assert_neq(status, -1, "still building 15 s after SIGTERM");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    eb_report r;
    read_report(out, &r);
    cr_assert(!r.complete);
    cr_assert_eq(r.n_results, 0, "nothing was measured");
    cr_assert(warned(&r, "interrupted while building 'mobilenet_v1_int8'"));
    eb_report_free(&r);
    fx_rmdir_test(dir);
}

/* A max pool whose window visits 2^35 taps with the ref kernel: one inference takes half
 * a minute or more, the stand-in for a hung kernel. Ctrl-C stops the program anyway,
 * with a report holding the model and no latencies. */
Test(run_signals, ctrl_c_during_a_kernel_that_does_not_return, .timeout = 240)
{
    char dir[64], model[128], out[160];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(model, sizeof model, "%s/slowpool.ebm", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "slowpool");
    snprintf(g->arch, sizeof g->arch, "slowpool");
    snprintf(g->variant, sizeof g->variant, "fp32");
    g->input = eb_graph_add_tensor(g, 1, 1, 4096);
    g->output = eb_graph_add_tensor(g, 1, 1, 4096);
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_MAXPOOL;
    op.in0 = g->input;
    op.in1 = -1;
    op.out = g->output;
    op.k_w = op.stride_w = 1;
    op.k_h = op.stride_h = 1 << 23;
    op.pad_top = op.pad_bottom = (1 << 23) - 1;
    snprintf(op.name, sizeof op.name, "pool");
    cr_assert(eb_graph_add_op(g, &op) >= 0);
    char err[256];
    cr_assert_eq(eb_ebm_save(g, model, err, sizeof err), EB_OK, "%s", err);
    eb_graph_free(g);
    char *argv[] = {EDGEBENCH, "run", "--model", model, "--kernels", "ref", "--warmup", "1",
                    "--warmup-time", "0", "--out", out, "--quiet", NULL};
    int status = signal_and_wait(argv, 1000, SIGINT);
    cr_assert_neq(status, -1, "still in the kernel 15 s after Ctrl-C");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    eb_report r;
    read_report(out, &r);
    cr_assert(!r.complete);
    cr_assert_eq(r.n_results, 1, "the model in progress is in the report");
    cr_assert_str_eq(r.results[0].name, "slowpool");
    cr_assert(!r.results[0].complete);
    cr_assert_eq(r.results[0].n_samples, 0);
    cr_assert(isnan(r.results[0].latency.median));
    cr_assert(warned(&r, "interrupted while measuring"));
    eb_report_free(&r);
    fx_rmdir_test(dir);
}


/* Every report is validated before it is written, and that found one right away: a run
 * with --kernels avx512 made a report whose settings.kernels the schema's enum (auto,
 * ref, avx2, neon) refused. Every kernel set this machine runs writes a valid report. */
Test(run, every_runnable_kernel_set_writes_a_valid_report)
{
    int ran = 0;
    for (int k = 0; k < EB_KSET_COUNT; k++) {
        eb_kernel_set ks;
        if (eb_kernels_select((eb_kset)k, &ks) != EB_OK)
            continue;
        char dir[64], path[128];
        eb_test_tmpdir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/r.json", dir);
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--kernels",
                                       eb_kset_name((eb_kset)k), "--min-iterations", "2",
                                       "--repetitions", "1", FAST, "--out", path, NULL);
        cr_assert_eq(c.rc, 0, "--kernels %s: %s", eb_kset_name((eb_kset)k), c.err);
        eb_report r;
        read_report(path, &r);
        cr_assert_str_eq(r.settings.kernels, eb_kset_name((eb_kset)k));
        eb_report_free(&r);
        eb_test_cmd_free(&c);
        unlink(path);
        rmdir(dir);
        ran++;
    }
    cr_assert_geq(ran, 2, "at least auto and ref run everywhere");
}

/* A local run measures on the --input tensor (raw or .npy); a file of another size is
 * refused before anything is written, naming the size and dtype the model takes. */
Test(run, local_input_file)
{
    char dir[64], path[128], in[128], bad[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    snprintf(in, sizeof in, "%s/x.bin", dir);
    snprintf(bad, sizeof bad, "%s/short.bin", dir);
    float x[640];
    for (int i = 0; i < 640; i++)
        x[i] = (float)(i % 17) / 17.0f;
    FILE *f = fopen(in, "wb");
    cr_assert(f && fwrite(x, sizeof x, 1, f) == 1);
    fclose(f);
    f = fopen(bad, "wb");
    cr_assert(f && fwrite(x, 100, 1, f) == 1);
    fclose(f);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", "fc_autoencoder_fp32",
                                   "--input", in, "--min-iterations", "5", "--repetitions", "1",
                                   FAST, "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", "fc_autoencoder_fp32", "--input", bad,
                    "--min-iterations", "5", "--repetitions", "1", FAST, "--out", path, "--force",
                    NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "is 100 bytes; model 'fc_autoencoder_fp32' takes 2560 bytes "
                            "(1x1x640 float32"),
              "%s", c.err);
    eb_test_cmd_free(&c);
}

Test(run, a_list_of_thread_counts_gives_one_result_per_count, .timeout = 120)
{
    char dir[256], path[300], plots[300];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.json", dir);
    snprintf(plots, sizeof plots, "%s/plots", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", "ds_cnn_int8," TINY,
                                   "--threads", "1,3,2", "--min-iterations", "6",
                                   "--repetitions", "1", "--no-counters", "--warmup", "1",
                                   "--warmup-time", "0", "--min-time", "0", "--out", path, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    cr_assert(strstr(c.out, "scaling (p50 at each --threads count; speed-up over 1 thread)"),
              "%s", c.out);
    cr_assert(strstr(c.out, "ds_cnn_int8                        3"), "%s", c.out);
    eb_test_cmd_free(&c);
    eb_report r;
    read_report(path, &r); /* validated against the schema on the way in */
    cr_assert_eq(r.n_results, 6, "2 models x 3 counts");
    const int want[6] = {1, 3, 2, 1, 3, 2};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_str_eq(r.results[i].name, i < 3 ? "ds_cnn_int8" : TINY);
        cr_assert_eq(r.results[i].threads, want[i], "result %zu", i);
        cr_assert_eq(r.results[i].n_samples, 6);
    }
    cr_assert_eq(r.settings.threads, 1, "the first count");
    cr_assert_eq(r.settings.n_thread_counts, 3);
    cr_assert_eq(r.settings.thread_counts[1], 3);
    eb_report_free(&r);
    /* compare pairs each count with the same count */
    c = eb_test_cmd(eb_cmd_compare, "compare", path, path, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert(strstr(c.out, "host/ds_cnn_int8 single-stream x3") &&
                  strstr(c.out, "(6 comparisons)"),
              "%s", c.out);
    eb_test_cmd_free(&c);
    /* plot: a histogram per count and the scaling plot's data */
    c = eb_test_cmd(eb_cmd_plot, "plot", path, "-o", plots, "--no-render", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    char p[400];
    snprintf(p, sizeof p, "%s/latency_host_ds_cnn_int8_t3.gp", plots);
    cr_assert(exists(p), "%s", p);
    snprintf(p, sizeof p, "%s/scaling_host.dat", plots);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f, "%s", p);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    cr_assert(strstr(text, "# ds_cnn_int8\n1 ") && strstr(text, "\n3 ") &&
                  strstr(text, "# " TINY "\n"),
              "%s", text);
    fx_rmdir_test(dir);
}

Test(run_errors, bad_thread_count_lists)
{
    static const char *const cases[][2] = {
        {"1,,2", "--threads expects N or a list N,M,... of 1..64"},
        {"2,", "--threads expects N or a list"},
        {"1,65", "--threads expects a whole number from 1"},
        {"2,2", "--threads names 2 twice"},
        {"1,2,3,4,5,6,7,8,9", "--threads takes at most 8 counts"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--threads",
                                       cases[i][0], NULL);
        expect_usage_error(&c, cases[i][1]);
        eb_test_cmd_free(&c);
    }
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", TINY, "--threads", "1,2",
                                   "--streams", "2", NULL);
    expect_usage_error(&c, "is for the single-stream scenario");
    eb_test_cmd_free(&c);
}
