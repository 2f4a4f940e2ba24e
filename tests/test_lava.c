/* test_lava.c - LAVA jobs and their reports: every job `edgebench lava job` writes is
 * checked with lava-common's own job schema (the validator a LAVA server runs on
 * submission; a broken job must fail it), the job's test shell is run as LAVA's would
 * (its steps, a stand-in lava-test-case), and `lava collect` turns the resulting log
 * and results back into a report that validates and that compare takes. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "board_fixture.h"
#include "child.h"
#include "cli.h"
#include "eb_proto.h"
#include "eb_report.h"
#include "eb_test_cmd.h"

#define EDGEBENCH EB_BINARY_DIR "/bench/edgebench"
#define LAVA_DIR EB_SOURCE_DIR "/tests/lava"
#define MODEL "fc_autoencoder_int8"
#define URL "https://lab.example.com/edgebench/edgebench-agent"

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int validate(const char *job)
{
    cr_assert_eq(access("/usr/lib/python3/dist-packages/lava_common/schemas/__init__.py",
                        R_OK), 0, "lava-common missing: run scripts/bootstrap.sh");
    return sh("/usr/bin/python3 " LAVA_DIR "/validate.py '%s' >/dev/null 2>&1", job);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

/* A board for the lab: the host agent stands in for its static build (the job's shell
 * runs it here). */
static void lab_target(const char *dir, char *path, size_t cap)
{
    snprintf(path, cap, "%s/labboard.json", dir);
    bf_write_target(path, "labboard", "x86_64",
                    "\"transport\": \"serial\", \"device\": \"/dev/ttyUSB0\", "
                    "\"lava_device_type\": \"qemu\"");
}

Test(lava, jobs_pass_lava_commons_validator, .timeout = 120)
{
    char dir[64], job[128], tjob[128], broken[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(job, sizeof job, "%s/job.yaml", dir);
    snprintf(tjob, sizeof tjob, "%s/template_job.yaml", dir);
    snprintf(broken, sizeof broken, "%s/broken.yaml", dir);
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    /* the lab's deploy and boot from options: TFTP, NFS root, u-boot */
    eb_cmd_capture c = eb_test_cmd(
        eb_cmd_lava, "lava", "job", "--target", "rpi4", "--model", MODEL ",ds_cnn_int8",
        "--agent-url", URL, "--agent-sha256", sha, "--device-type", "bcm2711-rpi-4-b",
        "--kernel", "https://lab.example.com/rpi4/Image", "--dtb",
        "https://lab.example.com/rpi4/bcm2711-rpi-4-b.dtb", "--rootfs",
        "https://lab.example.com/rpi4/rootfs.tar.xz", "--rootfs-compression", "xz", "--out",
        job, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cr_assert_eq(validate(job), 0, "lava-common accepts %s", job);
    char *text = slurp(job);
    cr_assert(strstr(text, "device_type: \"bcm2711-rpi-4-b\"") && strstr(text, sha) &&
                  strstr(text, "--run " MODEL ",ds_cnn_int8 --target rpi4") &&
                  strstr(text, "--active-w 6.4"),
              "%s", text);
    /* the same job, broken: an action timeout longer than the job's; the validator
     * must say no (so the check above means something) */
    FILE *f = fopen(broken, "w");
    char *at = strstr(text, "  job:\n    minutes: 60");
    cr_assert_not_null(at);
    fprintf(f, "%.*s  job:\n    minutes: 20%s", (int)(at - text), text,
            at + strlen("  job:\n    minutes: 60"));
    fclose(f);
    cr_assert_neq(validate(broken), 0, "lava-common rejects %s", broken);
    free(text);
    /* a lab's own job as the template */
    c = eb_test_cmd(eb_cmd_lava, "lava", "job", "--target", "rpi4", "--model", MODEL,
                    "--agent-url", URL, "--agent-sha256", sha, "--template",
                    LAVA_DIR "/template.yaml", "--out", tjob, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cr_assert_eq(validate(tjob), 0, "lava-common accepts %s", tjob);
    text = slurp(tjob);
    cr_assert(strstr(text, "job_name: lab qemu arm64 with edgebench") &&
                  strstr(text, "  - test:\n") && strstr(text, "method: qemu"),
              "the lab's job with the test appended at its indentation: %s", text);
    free(text);
    bf_rmrf(dir);
}

Test(lava, job_refuses_what_cannot_work)
{
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    struct {
        const char *why;
        const char *args[16];
    } cases[] = {
        {"--agent-url", {"--target", "rpi4", "--model", MODEL, "--agent-sha256", sha,
                         "--template", LAVA_DIR "/template.yaml", NULL}},
        {"--device-type", {"--target", "rpi5", "--model", MODEL, "--agent-url", URL,
                           "--agent-sha256", sha, "--kernel", "k", "--rootfs", "r", NULL}},
        {"--template JOB.yaml", {"--target", "rpi4", "--model", MODEL, "--agent-url", URL,
                                 "--agent-sha256", sha, "--device-type", "x", NULL}},
        {"plain words", {"--target", "rpi4", "--model", "a b;rm -rf", "--agent-url", URL,
                         "--agent-sha256", sha, "--template", LAVA_DIR "/template.yaml", NULL}},
        {"64 lower-case hex", {"--target", "rpi4", "--model", MODEL, "--agent-url", URL,
                               "--agent-sha256", "xyz", "--device-type", "x", NULL}},
        {"this machine", {"--target", "host", "--model", MODEL, NULL}},
        {"--threads takes 1..64", {"--target", "rpi4", "--model", MODEL, "--agent-url", URL,
                                   "--agent-sha256", sha, "--device-type", "x", "--threads",
                                   "0", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[20] = {"lava", "job"};
        int n = 2;
        for (int k = 0; cases[i].args[k]; k++)
            argv[n++] = (char *)cases[i].args[k];
        argv[n] = NULL;
        eb_cmd_capture c = eb_test_cmd(eb_cmd_lava, argv[0], argv[1], argv[2], argv[3],
                                       argv[4], argv[5], argv[6], argv[7], argv[8], argv[9],
                                       argv[10], argv[11], argv[12], argv[13], argv[14],
                                       argv[15], NULL);
        cr_assert_eq(c.rc, 2, "case %zu", i);
        cr_assert(strstr(c.err, cases[i].why), "case %zu: %s", i, c.err);
        cr_assert_eq(strchr(c.err, '\n'), c.err + strlen(c.err) - 1, "one line: %s", c.err);
        eb_test_cmd_free(&c);
    }
}

/* The job's test shell as LAVA runs it: its steps in one shell, lava-test-case on the
 * PATH; then its log as lavacli prints it (fake_log.py: raw YAML or coloured text) and
 * its results as lavacli prints them (results.py: YAML or JSON). */
static void run_job_shell(const char *dir, const char *job, const char *results)
{
    cr_assert_eq(sh("/usr/bin/python3 " LAVA_DIR "/steps.py '%s' > '%s/steps.sh'", job, dir), 0);
    cr_assert_eq(sh("cd '%s' && TMPDIR='%s' RESULTS='%s' PATH='" LAVA_DIR ":'\"$PATH\" "
                    "sh steps.sh > shell.out 2>&1",
                    dir, dir, results),
                 0, "the job's steps ran (%s/shell.out)", dir);
    cr_assert_eq(sh("cd '%s' && /usr/bin/python3 " LAVA_DIR "/fake_log.py shell.out > log.yaml"
                    " && /usr/bin/python3 " LAVA_DIR "/fake_log.py --plain shell.out > log.txt"
                    " && /usr/bin/python3 " LAVA_DIR "/results.py '%s' > results_lavacli.yaml"
                    " && /usr/bin/python3 " LAVA_DIR "/results.py --json '%s' > results.json",
                    dir, results, results),
                 0);
}

Test(lava, test_shell_log_and_results_collect_into_a_report, .timeout = 300)
{
    char dir[64], tfile[128], job[128], log[128], results[128], report[128], sha[80];
    eb_test_tmpdir(dir, sizeof dir);
    lab_target(dir, tfile, sizeof tfile);
    snprintf(job, sizeof job, "%s/job.yaml", dir);
    snprintf(log, sizeof log, "%s/log.yaml", dir);
    snprintf(results, sizeof results, "%s/results_shell.yaml", dir);
    snprintf(report, sizeof report, "%s/report.json", dir);
    /* the board downloads the agent (curl takes the file:// URL wget refuses) */
    char url[200];
    snprintf(url, sizeof url, "file://%s", BF_HOST_AGENT);
    char *argv[] = {"sha256sum", BF_HOST_AGENT, NULL};
    eb_child_result r;
    char err[256];
    cr_assert_eq(eb_child_run(argv, 60, &r, err, sizeof err), EB_OK);
    snprintf(sha, sizeof sha, "%.64s", r.out);
    free(r.out);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_lava, "lava", "job", "--target", tfile, "--model",
                                   MODEL, "--agent-url", url, "--agent-sha256", sha,
                                   "--template", LAVA_DIR "/template.yaml", "--min-time",
                                   "0.2", "--warmup-time", "0", "--repetitions", "2",
                                   "--max-iterations", "400", "--threads", "2", "--out", job,
                                   NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cr_assert_eq(validate(job), 0);
    run_job_shell(dir, job, results);
    char *res_text = slurp(results);
    cr_assert(strstr(res_text, "name: " MODEL "_p50") && strstr(res_text, "unit: ms") &&
                  strstr(res_text, "name: " MODEL "_energy") && strstr(res_text, "result: pass"),
              "a lava-test-case per metric: %s", res_text);
    free(res_text);

    char lavacli_yaml[160], lavacli_json[160], plain[160];
    snprintf(lavacli_yaml, sizeof lavacli_yaml, "%s/results_lavacli.yaml", dir);
    snprintf(lavacli_json, sizeof lavacli_json, "%s/results.json", dir);
    snprintf(plain, sizeof plain, "%s/log.txt", dir);
    /* the coloured text log and the JSON results give the same */
    c = eb_test_cmd(eb_cmd_lava, "lava", "collect", plain, lavacli_json, "--target", tfile,
                    "--out", report, NULL);
    cr_assert_eq(c.rc, 0, "collect: %s", c.err);
    char *from_text = strdup(c.out);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_lava, "lava", "collect", log, lavacli_yaml, "--target", tfile,
                    "--out", report, NULL);
    cr_assert_eq(c.rc, 0, "collect: %s", c.err);
    cr_assert(strstr(c.out, MODEL " on labboard (LAVA)"), "%s", c.out);
    cr_assert_str_eq(from_text, c.out, "raw YAML log + lavacli YAML = text log + JSON");
    free(from_text);
    eb_test_cmd_free(&c);
    cJSON *rep = NULL;
    cr_assert_eq(eb_report_load(report, &rep, err, sizeof err), EB_OK, "%s", err);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rep, "target");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "transport")->valuestring, "lava");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring, "labboard");
    const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "samples_ms"));
    cr_assert_gt(n, 40, "the raw samples came back: %d", n);
    /* --threads 2 went to the agent's --run: its plan and info lines say so */
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(res, "threads")->valueint, 2);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(rep, "settings");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(st, "threads")->valueint, 2);
    /* one sample line was damaged in the log: the report says so and keeps the rest */
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res, "complete")));
    char *txt = cJSON_PrintUnformatted(rep);
    cr_assert(strstr(txt, "1 samples are missing from the log") &&
                  strstr(txt, "LAVA job 4242: measured on the board"),
              "%s", txt);
    cr_assert_null(strstr(txt, "the job's test case"), "results agree with the samples: %s",
                   txt);
    free(txt);
    cJSON_Delete(rep);
    /* compare takes it */
    c = eb_test_cmd(eb_cmd_compare, "compare", report, report, NULL);
    cr_assert_eq(c.rc, 0, "compare: %s", c.err);
    eb_test_cmd_free(&c);
    bf_rmrf(dir);
}

Test(lava, collect_from_the_aarch64_agent_under_qemu, .timeout = 300)
{
    const char *arch;
    const char *const *agent = bf_agent_argv(&arch);
    char dir[64], log[128], report[128], cmd[1024] = "";
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(log, sizeof log, "%s/console.log", dir);
    snprintf(report, sizeof report, "%s/report.json", dir);
    for (int i = 0; agent[i]; i++)
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s ", agent[i]);
    /* a plain console log with timestamps in front, as a lab's serial log reads */
    cr_assert_eq(sh("%s --run " MODEL ",ds_cnn_int8 --target rpi4 --min-time 0.1 --warmup-time "
                    "0 --repetitions 2 --max-iterations 2000 | awk '{ printf \"[%%8.3f] %%s\\n\", NR / 1000, $0 }' "
                    "> '%s'", cmd, log),
                 0);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_lava, "lava", "collect", log, "--out", report, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cJSON *rep = NULL;
    char err[512];
    cr_assert_eq(eb_report_load(report, &rep, err, sizeof err), EB_OK, "%s", err);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "results")), 2);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rep, "target");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring, "rpi4",
                     "the target the job names");
    char *txt = cJSON_PrintUnformatted(rep);
    if (!strcmp(arch, "aarch64"))
        cr_assert(strstr(txt, "eb_conv2d_s8_neon"), "NEON kernels on the board: %s", txt);
    free(txt);
    cJSON_Delete(rep);
    bf_rmrf(dir);
}

Test(lava, collect_says_what_is_missing)
{
    char dir[64], results[128], empty[128], cut[128], report[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(results, sizeof results, "%s/results.yaml", dir);
    snprintf(empty, sizeof empty, "%s/empty.log", dir);
    snprintf(cut, sizeof cut, "%s/cut.log", dir);
    snprintf(report, sizeof report, "%s/report.json", dir);
    FILE *f = fopen(results, "w");
    fprintf(f, "- job: '7'\n  name: x_p50\n  result: pass\n  measurement: '1.5'\n  unit: ms\n");
    fclose(f);
    f = fopen(empty, "w");
    fprintf(f, "U-Boot 2023.01\nlogin: root\n");
    fclose(f);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_lava, "lava", "collect", results, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "give the log too"), "%s", c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_lava, "lava", "collect", empty, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "no edgebench-agent run found"), "%s", c.err);
    eb_test_cmd_free(&c);
    /* a job that timed out mid-run: what the log holds is kept, marked incomplete */
    cr_assert_eq(sh(BF_HOST_AGENT " --run " MODEL " --target rpi4 --min-time 0.1 "
                    "--warmup-time 0 --repetitions 1 2>/dev/null | head -n 60 > '%s'", cut), 0);
    c = eb_test_cmd(eb_cmd_lava, "lava", "collect", cut, "--out", report, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert(strstr(c.out, "(incomplete)") && strstr(c.out, "the log ends before"), "%s",
              c.out);
    eb_test_cmd_free(&c);
    bf_rmrf(dir);
}

/* A prefix after which CRC-16/CCITT-FALSE's register is 0xFFFF again (as at the start)
 * makes the whole line, prefix included, check out: "[   0.978] " is one, and a plain
 * timestamped console log (awk '{ printf "[%8.3f] %s\n", NR / 1000, $0 }') carries it on
 * its line 978. lava collect took "[   0.978] s 934 4670" for the agent's line and lost
 * that sample, in every such log (collect_from_the_aarch64_agent_under_qemu failed). An
 * agent line starts with one of the agent's line kinds. */
Test(lava, a_prefix_that_checks_out_is_not_taken_for_the_line)
{
    const char *prefix = "[   0.978] ";
    cr_assert_eq(eb_proto_crc16(prefix, strlen(prefix)), 0xFFFF, "the register is back at its start");
    char dir[64], log[128], report[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(log, sizeof log, "%s/console.log", dir);
    snprintf(report, sizeof report, "%s/report.json", dir);
    cr_assert_eq(sh(BF_HOST_AGENT " --run " MODEL " --target rpi4 --min-time 0.01 "
                    "--warmup-time 0 --repetitions 1 --max-iterations 30 2>/dev/null | "
                    "awk '/^s 3 /{ printf \"%s\" } { print }' > '%s'", prefix, log),
                 0);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_lava, "lava", "collect", log, "--out", report, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cJSON *rep = NULL;
    char err[512];
    cr_assert_eq(eb_report_load(report, &rep, err, sizeof err), EB_OK, "%s", err);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")),
              "the prefixed sample was lost");
    cJSON_Delete(rep);
    bf_rmrf(dir);
}
