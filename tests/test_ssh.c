/* test_ssh.c - `edgebench run` over SSH against Debian's sshd on 127.0.0.1: host and user
 * keys generated into a temporary folder (nothing of the machine's own ssh setup is
 * used), the board's agent as the remote command (the aarch64 build under qemu-user when
 * built). A full run, a slow link, a connection cut mid-run, and the login failures a
 * user meets (refused key, unknown host key, nobody listening, no agent installed). */
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

static eb_cmd_capture run_on(const char *tfile, const char *out, const char *iters)
{
    return eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL, "--warmup", "2",
                       "--warmup-time", "0", "--min-time", "0", "--min-iterations", iters,
                       "--repetitions", "2", "--timeout", "10", "--out", out, "--quiet", NULL);
}

/* The board's target file and a report path, for the ssh config `cfg`. */
typedef struct {
    char tfile[160], out[160];
} paths;

static paths board(const bf_sshd *s, const char *cfg, const char *agent_path)
{
    paths p;
    snprintf(p.tfile, sizeof p.tfile, "%s/sshboard.json", s->dir);
    snprintf(p.out, sizeof p.out, "%s/report.json", s->dir);
    bf_ssh_target(s, p.tfile, "sshboard", cfg, agent_path);
    return p;
}

static void one_sentence(const char *err)
{
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
}

Test(ssh, full_run_through_sshd, .timeout = 180)
{
    bf_sshd s;
    bf_sshd_start(&s, true);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config", s.port, "id_ed25519", "known_hosts", cfg, sizeof cfg);
    paths p = board(&s, cfg, NULL);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = run_on(p.tfile, p.out, "100");
    cr_log_info("run over sshd: %lld ms", (long long)(eb_mono_ms() - t0));
    cr_assert_eq(c.rc, 0, "run over ssh: %s (sshd log %s)", c.err, s.log);
    eb_test_cmd_free(&c);
    cJSON *rep = load_report(p.out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rep, "target");
    cr_assert_str_eq(str(t, "transport"), "ssh");
    cr_assert_str_eq(str(t, "arch"), s.arch);
    cr_assert_eq(n_samples(rep), 200);
    cr_assert(has_warning(rep, "streamed over SSH from board"));
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rep, "environment"), "os");
    cr_assert_not_null(strstr(str(os, "hostname"), "edgebench-agent"),
                       "the agent identified itself: %s", str(os, "hostname"));
    if (!strcmp(s.arch, "aarch64")) { /* the board's own kernels: NEON */
        char *text = cJSON_PrintUnformatted(result0(rep));
        cr_assert_not_null(strstr(text, "_neon"), "NEON kernels ran on the board: %s", text);
        free(text);
    }
    /* uploaded models would go to the board's cache folder, not its home */
    char cache[200];
    snprintf(cache, sizeof cache, "%s/.cache/edgebench", s.home);
    cr_assert_eq(access(cache, F_OK), 0);
    cJSON_Delete(rep);
    bf_sshd_stop(&s);
}

Test(ssh, slow_link_still_gives_every_sample, .timeout = 240)
{
    bf_sshd s;
    bf_sshd_start(&s, true);
    bf_relay r; /* about 25 kB/s either way */
    bf_relay_start(&r, s.port, 10, 256, -1);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config_slow", r.port, "id_ed25519", "known_hosts", cfg, sizeof cfg);
    paths p = board(&s, cfg, NULL);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = run_on(p.tfile, p.out, "300");
    cr_log_info("run over a slow link: %lld ms, %ld bytes to the client",
                (long long)(eb_mono_ms() - t0), r.down_bytes);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cJSON *rep = load_report(p.out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert_eq(n_samples(rep), 600);
    cr_assert_gt(r.down_bytes, 0, "the run went through the relay");
    cJSON_Delete(rep);
    bf_relay_stop(&r);
    bf_sshd_stop(&s);
}

Test(ssh, connection_cut_mid_run_keeps_the_samples, .timeout = 180)
{
    bf_sshd s;
    bf_sshd_start(&s, true);
    bf_relay r; /* cut once 60 kB went to the client: well into the measured run */
    bf_relay_start(&r, s.port, 0, 0, 60000);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config_cut", r.port, "id_ed25519", "known_hosts", cfg, sizeof cfg);
    paths p = board(&s, cfg, NULL);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = run_on(p.tfile, p.out, "20000");
    int64_t took = eb_mono_ms() - t0;
    cr_assert_eq(c.rc, 2, "an unfinished run is an error: %s", c.err);
    cr_assert(strstr(c.err, "did not finish"), "%s", c.err);
    one_sentence(c.err);
    cr_assert_lt(took, 120000, "does not hang: %lld ms", (long long)took);
    eb_test_cmd_free(&c);
    cr_assert(r.cut, "the relay cut the connection");
    cJSON *rep = load_report(p.out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    int n = n_samples(rep);
    cr_assert(n > 0 && n < 40000, "the samples before the cut are kept: %d", n);
    cr_assert(has_warning(rep, "incomplete remote run"));
    cJSON_Delete(rep);
    bf_relay_stop(&r);
    bf_sshd_stop(&s);
}

Test(ssh, refused_key_is_one_sentence, .timeout = 60)
{
    bf_sshd s;
    bf_sshd_start(&s, true);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config_other", s.port, "other_ed25519", "known_hosts", cfg,
                  sizeof cfg);
    paths p = board(&s, cfg, NULL);
    eb_cmd_capture c = run_on(p.tfile, p.out, "20");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "board refused the login") && strstr(c.err, "ssh-copy-id"), "%s",
              c.err);
    one_sentence(c.err);
    cr_assert_eq(access(p.out, F_OK), -1, "no report");
    eb_test_cmd_free(&c);
    bf_sshd_stop(&s);
}

Test(ssh, unknown_host_key_is_never_accepted, .timeout = 60)
{
    bf_sshd s;
    bf_sshd_start(&s, true);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config_unknown", s.port, "id_ed25519", "empty_known_hosts", cfg,
                  sizeof cfg);
    paths p = board(&s, cfg, NULL);
    eb_cmd_capture c = run_on(p.tfile, p.out, "20");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "host key of board is unknown"), "%s", c.err);
    one_sentence(c.err);
    eb_test_cmd_free(&c);
    char known[160];
    snprintf(known, sizeof known, "%s/empty_known_hosts", s.dir);
    struct stat st;
    cr_assert(stat(known, &st) == 0 && st.st_size == 0, "nothing was added to known_hosts");
    bf_sshd_stop(&s);
}

Test(ssh, nobody_listening_and_no_agent_installed, .timeout = 60)
{
    bf_sshd s;
    bf_sshd_start(&s, false);
    char cfg[160];
    bf_ssh_config(&s, "ssh_config_closed", bf_free_port(), "id_ed25519", "known_hosts", cfg,
                  sizeof cfg);
    paths p = board(&s, cfg, NULL);
    eb_cmd_capture c = run_on(p.tfile, p.out, "20");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "nothing accepts SSH connections at board"), "%s", c.err);
    one_sentence(c.err);
    eb_test_cmd_free(&c);

    bf_ssh_config(&s, "ssh_config", s.port, "id_ed25519", "known_hosts", cfg, sizeof cfg);
    p = board(&s, cfg, NULL);
    c = run_on(p.tfile, p.out, "20");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "no edgebench-agent on board") &&
                  strstr(c.err, "edgebench deploy --target /tmp/eb_sshd_") &&
                  strstr(c.err, "/sshboard.json"),
              "%s", c.err);
    one_sentence(c.err);
    eb_test_cmd_free(&c);
    bf_sshd_stop(&s);
}

Test(ssh, deploy_copies_the_agent_and_checks_it, .timeout = 180)
{
    bf_sshd s;
    bf_sshd_start(&s, false); /* a board without the agent */
    char cfg[160];
    bf_ssh_config(&s, "ssh_config", s.port, "id_ed25519", "known_hosts", cfg, sizeof cfg);
    paths p = board(&s, cfg, NULL);
    const char *arch;
    const char *const *agent = bf_agent_argv(&arch);
    const char *bin = !strcmp(agent[0], "qemu-aarch64") ? agent[3] : agent[0];
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = eb_test_cmd(eb_cmd_deploy, "deploy", "--target", p.tfile, "--agent",
                                   bin, NULL);
    cr_log_info("deploy over sshd: %lld ms", (long long)(eb_mono_ms() - t0));
    cr_assert_eq(c.rc, 0, "deploy: %s", c.err);
    char dest[200];
    snprintf(dest, sizeof dest, "%s/.local/bin/edgebench-agent", s.home);
    cr_assert(strstr(c.out, "copied") && strstr(c.out, dest), "says where: %s", c.out);
    cr_assert(strstr(c.out, "handshake: edgebench-agent " EB_AGENT_VERSION " (protocol 2) on "),
              "checked with the handshake: %s", c.out);
    cr_assert_not_null(strstr(c.out, arch), "%s", c.out);
    eb_test_cmd_free(&c);
    struct stat a, b;
    cr_assert(stat(bin, &a) == 0 && stat(dest, &b) == 0 && a.st_size == b.st_size);
    cr_assert(b.st_mode & S_IXUSR, "executable");
    /* runs find it there */
    c = run_on(p.tfile, p.out, "20");
    cr_assert_eq(c.rc, 0, "run after deploy: %s", c.err);
    eb_test_cmd_free(&c);
    /* an agent for another architecture is refused before anything is copied */
    if (!strcmp(arch, "aarch64")) {
        c = eb_test_cmd(eb_cmd_deploy, "deploy", "--target", p.tfile, "--agent", BF_HOST_AGENT,
                        NULL);
        cr_assert_eq(c.rc, 2);
        cr_assert(strstr(c.err, "is an x86_64 build") && strstr(c.err, "aarch64"), "%s", c.err);
        one_sentence(c.err);
        eb_test_cmd_free(&c);
    }
    bf_sshd_stop(&s);
}

Test(ssh, deploy_to_a_serial_board_says_how)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_deploy, "deploy", "--target", "rpi4", "--agent",
                                   BF_HOST_AGENT, NULL);
    cr_assert_eq(c.rc, 2, "the host build is not an rpi4 agent: %s", c.err);
    eb_test_cmd_free(&c);
    if (access(BF_AARCH64_AGENT, X_OK) == 0) {
        c = eb_test_cmd(eb_cmd_deploy, "deploy", "--target", "rpi4", "--agent",
                        BF_AARCH64_AGENT, NULL);
        cr_assert_eq(c.rc, 0, "%s", c.err);
        cr_assert(strstr(c.out, "serial line") && strstr(c.out, "edgebench-agent /dev/ttyGS0"),
                  "%s", c.out);
        eb_test_cmd_free(&c);
    }
    c = eb_test_cmd(eb_cmd_deploy, "deploy", "--target", "host", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "this machine"), "%s", c.err);
    eb_test_cmd_free(&c);
}
