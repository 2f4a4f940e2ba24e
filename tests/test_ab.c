/* test_ab.c - the paired-rounds decision of `ab`, and the command end to end with fake
 * edgebench binaries (shell scripts printing reports) on a machine whose speed changes
 * in steps of 30 %. */
#include <criterion/criterion.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ab_proto.h"
#include "cli.h"
#include "eb_ab.h"
#include "eb_dispatch.h"
#include "eb_fixture_reports.h"

/* round medians on a machine that is 30 % slower in every other pair of rounds */
static void stepped(double *m, size_t n, double scale, double jitter, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        m[i] = scale * (1 + 0.3 * (double)((i / 2) % 2)) * (1 + jitter * fx_normal(&s));
}

Test(ab, min_rounds)
{
    cr_assert_eq(eb_ab_min_rounds(0.01), 8); /* 2/2^8 = 0.0078 */
    cr_assert_eq(eb_ab_min_rounds(0.05), 6); /* 2/2^6 = 0.031 */
}

Test(ab, paired_rounds_catch_ten_percent_through_thirty_percent_steps)
{
    double a[12], b[12];
    stepped(a, 12, 10.0, 0.01, 1);
    stepped(b, 12, 11.0, 0.01, 2);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_row paired, unpaired;
    memset(&paired, 0, sizeof paired);
    memset(&unpaired, 0, sizeof unpaired);
    cr_assert_eq(eb_ab_decide(a, b, 12, &o, &paired, &unpaired), EB_OK);
    cr_assert_eq(paired.verdict, EB_VERDICT_REGRESSION, "%s", paired.note);
    cr_assert(fabs(paired.change - 0.10) < 0.02, "change %g", paired.change);
    cr_assert_float_eq(paired.p, 2.0 / 4096, 1e-12, "every round slower: the extreme of 2^12");
    cr_assert(paired.ci_lo > 1.05 && paired.ci_hi < 1.15);
    /* the same round medians unpaired drown in the steps: compare's test alone misses it */
    cr_assert_neq(unpaired.verdict, EB_VERDICT_REGRESSION, "unpaired p %g", unpaired.p);
}

Test(ab, a_against_a_passes)
{
    int regressions = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        double a[10], b[10];
        stepped(a, 10, 10.0, 0.02, seed);
        stepped(b, 10, 10.0, 0.02, seed + 100);
        eb_cmp_options o;
        eb_cmp_options_default(&o);
        eb_cmp_row paired, unpaired;
        memset(&paired, 0, sizeof paired);
        cr_assert_eq(eb_ab_decide(a, b, 10, &o, &paired, &unpaired), EB_OK);
        regressions += paired.verdict == EB_VERDICT_REGRESSION;
    }
    cr_assert_eq(regressions, 0);
}

Test(ab, bad_rounds_are_refused)
{
    double a[3] = {1, 2, 0}, b[3] = {1, 2, 3};
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_row p, u;
    cr_assert_eq(eb_ab_decide(a, b, 3, &o, &p, &u), EB_ERR_ARG);
    cr_assert_eq(eb_ab_decide(a, b, 1, &o, &p, &u), EB_ERR_ARG);
}

/* A fake edgebench: each call advances a shared machine state (30 % slower in every other
 * block of four calls, i.e. two ABBA rounds) and prints the template report (a real,
 * schema-valid one) with 21 samples around scale x state in place of its samples. */
static void write_fake(const char *dir, const char *name, double scale)
{
    char path[256];
    snprintf(path, sizeof path, "%s/template.json", dir);
    double one = 123.456;
    fx_result r = {.target = "host", .model = "m", .variant = "int8", .samples = &one, .n = 1};
    char *json = fx_report(&r, 1, "CPU", "auto", 1);
    fx_write(path, json);
    free(json);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "#!/bin/sh\n"
            "[ \"$1\" = ab-worker ] && { echo \"edgebench: unknown command 'ab-worker'\" >&2; "
            "exit 2; }\n"
            "state='%s/state'\n"
            "n=$(cat \"$state\" 2>/dev/null || echo 0)\n"
            "echo $((n + 1)) > \"$state\"\n"
            "case \" $* \" in *' --model nosuch '*) echo 'edgebench: unknown model nosuch' >&2; "
            "exit 2;; esac\n"
            "awk -v n=\"$n\" -v scale=%.6g 'BEGIN {\n"
            "  f = 1 + 0.3 * (int(n / 4) %% 2); srand(n + 7); s = \"\";\n"
            "  for (i = 0; i < 21; i++) s = s (i ? \",\" : \"\") sprintf(\"%%.6f\", scale * f * "
            "(1 + 0.02 * (rand() - 0.5))) }\n"
            "  /\"samples_ms\"/ { sub(/123\\.456/, s) } { print }' '%s/template.json'\n",
            dir, scale, dir);
    fclose(f);
    chmod(path, 0755);
}

static char dir[128];
static void setup(void) { fx_tmpdir(dir, sizeof dir, "ab"); }
static void teardown(void) { fx_rmdir(dir); }

Test(ab, command_with_fake_binaries, .init = setup, .fini = teardown)
{
    write_fake(dir, "edgebench-a", 10.0);
    write_fake(dir, "edgebench-b", 11.0);
    char a[256], b[256], junit[256];
    snprintf(a, sizeof a, "%s/edgebench-a", dir);
    snprintf(b, sizeof b, "%s/edgebench-b", dir);
    snprintf(junit, sizeof junit, "%s/ab.xml", dir);
    char *slow[] = {"ab", "--baseline", a, "--candidate", b, "--model", "m_int8", "--rounds", "10",
                    "--quiet", "--junit", junit};
    cr_assert_eq(eb_cmd_ab(12, slow), EB_EXIT_GATE, "10 %% slower candidate");
    char *x = fx_slurp(junit);
    cr_assert(x && strstr(x, "failures=\"1\"") && strstr(x, "signed-rank"));
    free(x);
    char *same[] = {"ab", "--baseline", a, "--candidate", a, "--model", "m_int8", "--rounds", "10",
                    "--quiet"};
    cr_assert_eq(eb_cmd_ab(10, same), EB_EXIT_OK, "A against A");
    char *fast[] = {"ab", "--baseline", b, "--candidate", a, "--model", "m_int8", "--rounds", "8",
                    "--quiet"};
    cr_assert_eq(eb_cmd_ab(10, fast), EB_EXIT_OK, "an improvement passes");
    char *bad[] = {"ab", "--baseline", a, "--candidate", b, "--model", "nosuch", "--rounds", "8",
                   "--quiet"};
    cr_assert_eq(eb_cmd_ab(10, bad), EB_EXIT_USAGE, "a failing child is an input error");
    char *missing[] = {"ab", "--baseline", "/nonexistent/edgebench", "--model", "m", "--quiet"};
    cr_assert_eq(eb_cmd_ab(6, missing), EB_EXIT_USAGE);
    char *nomodel[] = {"ab", "--rounds", "10"};
    cr_assert_eq(eb_cmd_ab(3, nomodel), EB_EXIT_USAGE);
}

/* The real edgebench of this build tree, with its persistent workers: a 60x difference
 * between kernel sets is a regression one way and an improvement the other. */
Test(ab, worker_route_with_the_real_binary)
{
    char bin[512];
    snprintf(bin, sizeof bin, "%s/bench/edgebench", EB_BINARY_DIR);
    if (access(bin, X_OK) != 0)
        cr_skip_test("%s is not built", bin);
    if (!eb_isa_runnable(EB_ISA_AVX2) && !eb_isa_runnable(EB_ISA_NEON))
        cr_skip_test("no optimized kernels on this CPU: auto is ref");
    char *worse[] = {"ab", "--baseline", bin, "--candidate", bin, "--model", "ds_cnn_int8",
                     "--baseline-kernels", "auto", "--candidate-kernels", "ref", "--rounds",
                     "8", "--round-time", "0.05", "--warmup-time", "0.05", "--route", "worker",
                     "--quiet"};
    cr_assert_eq(eb_cmd_ab(20, worse), EB_EXIT_GATE);
    char *better[] = {"ab", "--baseline", bin, "--candidate", bin, "--model", "ds_cnn_int8",
                      "--baseline-kernels", "ref", "--candidate-kernels", "auto", "--rounds",
                      "8", "--round-time", "0.05", "--warmup-time", "0.05", "--quiet"};
    cr_assert_eq(eb_cmd_ab(18, better), EB_EXIT_OK);
    char *bad[] = {"ab", "--baseline", bin, "--candidate", bin, "--model", "nosuch_model",
                   "--rounds", "8", "--quiet"};
    cr_assert_eq(eb_cmd_ab(10, bad), EB_EXIT_USAGE, "the worker's build error is an input error");
}

/* A worker that announces more samples than it could ever send: before the bound,
 * (n ? n : 1) * 8 wrapped to 8 bytes and the values after the first overflowed the heap. */
static void write_lying_worker(const char *path, const char *samples_line)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "#!/bin/sh\n"
            "[ \"$1\" = ab-worker ] || exit 2\n"
            "echo 'ready m_int8'\n"
            "while read -r cmd rest; do\n"
            "  [ \"$cmd\" = quit ] && exit 0\n"
            "  echo '%s'\n"
            "done\n",
            samples_line);
    fclose(f);
    chmod(path, 0755);
}

Test(ab, worker_announcing_a_huge_sample_count_is_refused, .init = setup, .fini = teardown)
{
    static const char *const lies[] = {
        "samples 2305843009213693953 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7 .7",
        "samples 18446744073709551615 1 2 3",
        "samples 99999999999999999999999 1",
        "samples 3 1 2",         /* fewer values than announced */
        "samples 2 1 2 3",       /* more values than announced */
        "samples 2 1 nan",       /* not a time */
        "samples 2 1 -4",        /* negative */
        "samples -1 1",
    };
    char w[256];
    snprintf(w, sizeof w, "%s/liar", dir);
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        write_lying_worker(w, lies[i]);
        char *argv[] = {"ab", "--baseline", w, "--candidate", w, "--model", "m_int8",
                        "--rounds", "8", "--route", "worker", "--quiet"};
        cr_assert_eq(eb_cmd_ab(12, argv), EB_EXIT_USAGE, "%s", lies[i]);
    }
}

Test(ab_proto, samples_line)
{
    double *x = NULL;
    size_t n = 0;
    char err[256];
    cr_assert_eq(eb_ab_parse_samples("samples 3 1.5 2 0.25", &x, &n, err, sizeof err), EB_OK,
                 "%s", err);
    cr_assert_eq(n, 3);
    cr_assert_float_eq(x[0], 1.5, 0);
    cr_assert_float_eq(x[2], 0.25, 0);
    free(x);
    const char *bad[] = {"samples", "samples 0", "samples 1", "samples 1 1 junk",
                         "samples 1 inf", "samples 1 1e999", "samples x 1", "sample 1 1",
                         "samples 4611686018427387905 1 1", "samples 1  1", "samples 01 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x = (double *)1;
        cr_assert_eq(eb_ab_parse_samples(bad[i], &x, &n, err, sizeof err), EB_ERR_PROTOCOL,
                     "%s", bad[i]);
        cr_assert_null(x, "%s", bad[i]);
        cr_assert(err[0]);
    }
    double secs;
    cr_assert(eb_ab_parse_measure("measure 0.5", &secs));
    cr_assert_float_eq(secs, 0.5, 0);
    cr_assert(!eb_ab_parse_measure("measure 0", &secs));
    cr_assert(!eb_ab_parse_measure("measure nan", &secs));
    cr_assert(!eb_ab_parse_measure("measure 1 junk", &secs));
    cr_assert(!eb_ab_parse_measure("measure 99999", &secs));
}
