/* test_ser2net.c - `edgebench run` through Debian's ser2net on 127.0.0.1, in front of a
 * pseudo-terminal with the board's agent on it: raw TCP (tcp://) and telnet with RFC 2217
 * (rfc2217://, which must set the far line's speed), a server killed mid-run, garbage and
 * flipped bits on the line, nobody listening, and a server whose serial device is
 * missing. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>

#include "board_fixture.h"
#include "cli.h"
#include "eb_report.h"
#include "eb_test_cmd.h"

#define MODEL "fc_autoencoder_int8"

static cJSON *load_report(const char *path)
{
    cJSON *tree = NULL;
    char err[512];
    cr_assert_eq(eb_report_load(path, &tree, err, sizeof err), EB_OK,
                 "the report validates against the schema: %s", err);
    return tree;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static bool has_warning(const cJSON *rep, const char *needle)
{
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(rep, "warnings"))
    if (cJSON_IsString(w) && strstr(w->valuestring, needle))
        return true;
    return false;
}

static const cJSON *result0(const cJSON *rep)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
}

static int n_samples(const cJSON *rep)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result0(rep), "samples_ms"));
}

/* A target file whose device is url, beside the report path in dir. */
static void target_for(const char *dir, const char *url, char *tfile, size_t cap)
{
    const char *arch;
    bf_agent_argv(&arch);
    snprintf(tfile, cap, "%s/labboard.json", dir);
    char extra[160];
    snprintf(extra, sizeof extra, "\"transport\": \"serial\", \"device\": \"%s\"", url);
    bf_write_target(tfile, "labboard", arch, extra);
}

static eb_cmd_capture run_on(const char *tfile, const char *out, const char *iters,
                             const char *baud)
{
    return eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL, "--warmup", "2",
                       "--warmup-time", "0", "--min-time", "0", "--min-iterations", iters,
                       "--repetitions", "2", "--timeout", "5", "--out", out, "--quiet",
                       baud ? "--baud" : NULL, baud, NULL);
}

Test(ser2net, raw_tcp_run_gives_a_complete_report, .timeout = 120)
{
    bf_ser2net s;
    bf_ser2net_start(&s, NULL, NULL, 0, NULL, 0);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    target_for(dir, s.raw_url, tfile, sizeof tfile);
    eb_cmd_capture c = run_on(tfile, out, "20", NULL);
    cr_assert_eq(c.rc, 0, "run through ser2net's tcp accepter: %s", c.err);
    eb_test_cmd_free(&c);
    cJSON *rep = load_report(out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rep, "target");
    cr_assert_str_eq(str(t, "transport"), "tcp");
    cr_assert_str_eq(str(result0(rep), "name"), MODEL);
    cr_assert_eq(n_samples(rep), 40, "2 repetitions of 20");
    cr_assert(has_warning(rep, "raw TCP serial server"));
    cJSON_Delete(rep);
    bf_ser2net_stop(&s);
    bf_rmrf(dir);
}

static speed_t line_speed;
static int slave_fd;

static void read_speed(void *arg)
{
    (void)arg;
    struct termios tio;
    if (tcgetattr(slave_fd, &tio) == 0)
        line_speed = cfgetospeed(&tio);
}

Test(ser2net, rfc2217_sets_the_far_line_speed_and_runs, .timeout = 120)
{
    /* the pty's speed while the measured run streams */
    fx_rule look[] = {{1, "s 10 ", 1, FX_HOOK, 0, 0}};
    bf_ser2net s;
    bf_ser2net_start(&s, NULL, look, 1, NULL, 0);
    s.rig.x.hook = read_speed;
    slave_fd = s.rig.slave_fd;
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    target_for(dir, s.rfc_url, tfile, sizeof tfile);
    eb_cmd_capture c = run_on(tfile, out, "20", "57600");
    cr_assert_eq(c.rc, 0, "run through ser2net's telnet(rfc2217) accepter: %s", c.err);
    eb_test_cmd_free(&c);
    /* ser2net configured the pty at 115200; RFC 2217 asked for 57600 from here */
    cr_assert_eq(s.rig.x.applied, 1);
    cr_assert_eq(line_speed, B57600, "the serial line was set remotely (speed %u)",
                 (unsigned)line_speed);
    cJSON *rep = load_report(out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert_str_eq(str(cJSON_GetObjectItemCaseSensitive(rep, "target"), "transport"),
                     "rfc2217");
    cr_assert_eq(n_samples(rep), 40);
    cr_assert(has_warning(rep, "line set to 57600 baud"), "the server's answer is reported");
    cJSON_Delete(rep);
    bf_ser2net_stop(&s);
    bf_rmrf(dir);
}

/* Runs in the proxy between agent and pty: a moment for ser2net to pass on what it
 * has, then it dies. */
static void kill_server(void *arg)
{
    usleep(300000);
    kill(*(pid_t *)arg, SIGKILL);
}

Test(ser2net, server_killed_mid_run_keeps_the_samples, .timeout = 120)
{
    /* ser2net dies when the agent has sent sample 300 of the measured run */
    fx_rule die[] = {{1, "s 300 ", 1, FX_HOOK, 0, 0}};
    bf_ser2net s;
    bf_ser2net_start(&s, NULL, die, 1, NULL, 0);
    s.rig.x.hook = kill_server;
    s.rig.x.hook_arg = &s.pid;
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    target_for(dir, s.rfc_url, tfile, sizeof tfile);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = run_on(tfile, out, "2000", NULL);
    int64_t took = eb_mono_ms() - t0;
    cr_assert_eq(c.rc, 2, "an unfinished run is an error: %s", c.err);
    cr_assert(strstr(c.err, "did not finish") && strstr(c.err, "line closed"), "%s", c.err);
    cr_assert_lt(took, 60000, "does not hang: %lld ms", (long long)took);
    eb_test_cmd_free(&c);
    cr_assert_eq(s.rig.x.applied, 1);
    cJSON *rep = load_report(out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    int n = n_samples(rep);
    cr_assert(n > 0 && n < 4000, "the samples before the drop are kept: %d", n);
    cr_assert(has_warning(rep, "incomplete remote run"));
    cJSON_Delete(rep);
    bf_ser2net_stop(&s);
    bf_rmrf(dir);
}

Test(ser2net, garbage_and_flipped_bits_through_telnet_recover, .timeout = 120)
{
    /* noise with telnet's IAC byte (ser2net escapes it) before the handshake, then
     * damaged lines both ways during the run */
    static const char noise[] = "\xff\xfe\x01 login: \r\n\xff\xff garbage\x00\x80\r\nU-Boot>";
    fx_rule rules[] = {{1, "s 5 ", 1, FX_FLIP, 4, 0},
                       {1, "s 9 ", 1, FX_DROP_LINE, 0, 0},
                       {0, "run ", 2, FX_FLIP, 7, 0}};
    bf_ser2net s;
    bf_ser2net_start(&s, NULL, rules, 3, noise, sizeof noise - 1);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    target_for(dir, s.rfc_url, tfile, sizeof tfile);
    eb_cmd_capture c = run_on(tfile, out, "20", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cr_assert_eq(s.rig.x.applied, 3, "every fault hit the line");
    cJSON *rep = load_report(out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert_eq(n_samples(rep), 40, "every sample arrived, the lost one asked again");
    cJSON_Delete(rep);
    bf_ser2net_stop(&s);
    bf_rmrf(dir);
}

Test(ser2net, nobody_listening_is_one_sentence, .timeout = 60)
{
    char dir[64], tfile[128], out[128], url[64];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(url, sizeof url, "rfc2217://127.0.0.1:%d", bf_free_port());
    target_for(dir, url, tfile, sizeof tfile);
    eb_cmd_capture c = run_on(tfile, out, "20", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, url) && strstr(c.err, "connection refused"), "%s", c.err);
    cr_assert_eq(strchr(c.err, '\n'), c.err + strlen(c.err) - 1, "one line: %s", c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL, "--port",
                    "tcp://127.0.0.1", "--quiet", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "tcp://HOST:PORT"), "says how to write it: %s", c.err);
    eb_test_cmd_free(&c);
    bf_rmrf(dir);
}

Test(ser2net, server_without_its_serial_device_is_named, .timeout = 60)
{
    bf_ser2net s;
    bf_ser2net_start(&s, "/dev/nonexistent-ttyEB7", NULL, 0, NULL, 0);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    for (int k = 0; k < 2; k++) {
        target_for(dir, k ? s.rfc_url : s.raw_url, tfile, sizeof tfile);
        eb_cmd_capture c = run_on(tfile, out, "20", NULL);
        cr_assert_eq(c.rc, 2);
        cr_assert(strstr(c.err, k ? s.rfc_url : s.raw_url), "names the server: %s", c.err);
        cr_assert(strstr(c.err, "Device open failure"), "passes on what ser2net said: %s",
                  c.err);
        cr_assert_eq(strchr(c.err, '\n'), c.err + strlen(c.err) - 1, "one line: %s", c.err);
        eb_test_cmd_free(&c);
    }
    cr_assert_eq(access(out, F_OK), -1, "no report without a run");
    bf_ser2net_stop(&s);
    bf_rmrf(dir);
}
