/* test_remote.c - host client <-> agent over a pty, with fault injection between them
 * (flipped bits, dropped bytes, truncated chunks, a killed agent, garbage before the
 * handshake, replies that never come). Every case must end in recovery or a clear
 * error within a bounded time, keeping the samples already received. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "agent_fixture.h"

static const eb_remote_opts fast = {.reply_ms = 400, .idle_ms = 1000, .retries = 3};

static void run_ok(fx_rig *g, uint64_t iters, eb_remote_run_result *res)
{
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g->r, err, sizeof err), EB_OK, "hello: %s", err);
    cr_assert_eq(eb_remote_run(&g->r, "standin_tiny", 2, iters, "auto", 1, res, NULL, NULL, err,
                               sizeof err),
                 EB_OK, "run: %s", err);
}

static void assert_all_samples(const eb_remote_run_result *res, uint64_t iters)
{
    cr_assert(res->complete, "incomplete: %s", res->stop_reason);
    cr_assert_eq(res->n_received, iters);
    for (uint64_t i = 0; i < iters; i++) {
        cr_assert(res->received[i]);
        /* the stand-in spins ~200 us: a sample far off means a corrupted number */
        cr_assert_geq(res->samples_ns[i], 150000u, "sample %llu = %llu ns",
                      (unsigned long long)i, (unsigned long long)res->samples_ns[i]);
        cr_assert_lt(res->samples_ns[i], 1000000000u);
    }
}

Test(remote, clean_run_identifies_agent_and_streams_every_sample, .timeout = 30)
{
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    eb_remote_run_result res;
    run_ok(&g, 50, &res);
    cr_assert_str_eq(g.r.version, EB_AGENT_VERSION);
    cr_assert_eq(g.r.proto, EB_PROTO_VERSION);
    cr_assert_gt(g.r.cores, 0);
    cr_assert_gt(g.r.n_kernels, 5, "id lists the chosen kernel per op");
    assert_all_samples(&res, 50);
    cr_assert(res.have_info);
    cr_assert_str_eq(res.info.name, "standin_tiny");
    cr_assert_eq(res.info.arena_bytes, 4096);
    cr_assert_eq(res.info.n_kernels, 1);
    cr_assert_str_eq(res.info.kernels[0].name, "eb_fc_s8_ref");
    cr_assert_gt(res.peak_rss_bytes, 0);
    cr_assert_eq(g.r.bad_lines, 0);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, flipped_bits_both_ways_recover, .timeout = 30)
{
    fx_rule rules[] = {
        {1, "s 3 ", 1, FX_FLIP, 4, 0},      /* a sample's digits */
        {1, "s 17 ", 1, FX_FLIP, 0, 0},     /* the line kind itself */
        {1, "info", 1, FX_FLIP, 10, 0},     /* the planner figures */
        {0, "run ", 1, FX_FLIP, 8, 0},      /* the command (its tag) */
        {1, "done", 1, FX_FLIP, 6, 0},      /* the summary */
    };
    fx_rig g;
    fx_rig_start(&g, rules, 5, NULL, 0, &fast);
    eb_remote_run_result res;
    run_ok(&g, 40, &res);
    assert_all_samples(&res, 40);
    cr_assert(res.have_info, "info fetched again with 'last'");
    cr_assert_eq(res.info.macs, 1000);
    cr_assert_geq(g.r.bad_lines, 4, "corrupted lines were detected, not used");
    cr_assert_eq(g.x.applied, 5);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, dropped_bytes_and_newlines_recover, .timeout = 30)
{
    fx_rule rules[] = {
        {1, "s 7 ", 1, FX_DROP_BYTE, 3, 0},
        {1, "s 9 ", 1, FX_DROP_NEWLINE, 0, 0}, /* s 9 and s 10 merge: both lost */
        {1, "s 20 ", 1, FX_DROP_LINE, 0, 0},
        {0, "run ", 1, FX_DROP_NEWLINE, 0, 0}, /* the command never ends: host resyncs */
    };
    fx_rig g;
    fx_rig_start(&g, rules, 4, NULL, 0, &fast);
    eb_remote_run_result res;
    run_ok(&g, 30, &res);
    assert_all_samples(&res, 30);
    cr_assert_geq(g.r.resyncs, 1);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, garbage_before_handshake_is_skipped, .timeout = 30)
{
    static char garbage[3 * EB_PROTO_MAX_LINE];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        x = x * 1103515245u + 12345u;
        garbage[i] = (char)(x >> 16);
    }
    /* an overlong run without a newline, then plausible-looking unsealed lines */
    memset(garbage, 'Z', EB_PROTO_MAX_LINE + 10);
    const char tail[] = "\nhello edgebench-agent version=9 proto=9\nlogin: \r\n";
    memcpy(garbage + sizeof garbage - sizeof tail, tail, sizeof tail - 1);
    fx_rig g;
    fx_rig_start(&g, NULL, 0, garbage, sizeof garbage - 1, &fast);
    eb_remote_run_result res;
    run_ok(&g, 10, &res);
    assert_all_samples(&res, 10);
    cr_assert_gt(g.r.bad_lines, 0);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, agent_killed_mid_run_keeps_received_samples, .timeout = 30)
{
    fx_rule rules[] = {{1, "s 25 ", 1, FX_KILL, 0, 0}};
    fx_rig g;
    fx_rig_start(&g, rules, 1, NULL, 0, &fast);
    eb_remote_run_result res;
    int64_t t0 = eb_mono_ms();
    run_ok(&g, 200, &res);
    cr_assert_lt(eb_mono_ms() - t0, 10000, "a dead agent is noticed quickly");
    cr_assert_not(res.complete);
    cr_assert_eq(res.n_received, 25, "samples 0..24 kept");
    for (int i = 0; i < 25; i++)
        cr_assert(res.received[i]);
    cr_assert(strstr(res.stop_reason, "closed") || strstr(res.stop_reason, "stopped"),
              "reason: %s", res.stop_reason);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, reply_that_never_comes_mid_run_times_out, .timeout = 30)
{
    fx_rule rules[] = {{1, "s 12 ", 1, FX_HOLD, 0, 0}};
    fx_rig g;
    fx_rig_start(&g, rules, 1, NULL, 0, &fast);
    eb_remote_run_result res;
    int64_t t0 = eb_mono_ms();
    run_ok(&g, 100, &res);
    int64_t took = eb_mono_ms() - t0;
    cr_assert_lt(took, 20000, "bounded: idle timeout plus bounded resyncs (%lld ms)",
                 (long long)took);
    cr_assert_not(res.complete);
    cr_assert_eq(res.n_received, 12);
    cr_assert(strstr(res.stop_reason, "stopped answering"), "reason: %s", res.stop_reason);
    eb_remote_run_result_free(&res);
    fx_rig_stop(&g);
}

Test(remote, no_agent_on_the_line_is_a_timeout, .timeout = 30)
{
    fx_rule rules[] = {{1, "", 1, FX_HOLD, 0, 0}}; /* the agent's first line is held */
    fx_rig g;
    fx_rig_start(&g, rules, 1, NULL, 0, &fast);
    char err[256];
    int64_t t0 = eb_mono_ms();
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_ERR_TIMEOUT);
    cr_assert_lt(eb_mono_ms() - t0, 5000);
    cr_assert(strstr(err, "no edgebench-agent answered"), "%s", err);
    fx_rig_stop(&g);
}

/* A scripted agent of another protocol version. */
static void *old_agent(void *arg)
{
    int fd = *(int *)arg;
    eb_linereader rd;
    eb_linereader_init(&rd, fd);
    char line[EB_PROTO_MAX_LINE + 1];
    while (eb_linereader_get(&rd, line, sizeof line, 3000) == EB_OK) {
        if (eb_proto_check(line) >= 0 && !strncmp(line, "hello", 5)) {
            char out[128] = "hello edgebench-agent version=9.0.0 proto=3";
            size_t n = eb_proto_seal(out, strlen(out), sizeof out);
            fx_write(fd, out, n);
        }
    }
    return NULL;
}

Test(remote, version_mismatch_is_refused_with_a_clear_message, .timeout = 30)
{
    int m, s;
    cr_assert_eq(openpty(&m, &s, NULL, NULL, NULL), 0);
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    pthread_t th;
    pthread_create(&th, NULL, old_agent, &m);
    eb_remote r;
    eb_remote_init(&r, s, s, &fast);
    char err[512];
    cr_assert_eq(eb_remote_hello(&r, err, sizeof err), EB_ERR_PROTOCOL);
    cr_assert(strstr(err, "protocol 3") && strstr(err, "protocol 2"), "%s", err);
    cr_assert(strstr(err, "edgebench-agent"), "%s", err);
    close(s);
    pthread_join(th, NULL);
    close(m);
}

Test(remote, agent_refuses_unsealed_state_changes_and_answers_help, .timeout = 30)
{
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    /* typed by hand: no checksum */
    fx_write(g.host_fd, "help\r", 5);
    fx_write(g.host_fd, "run x standin_tiny 0 1\n", 23);
    eb_linereader rd;
    eb_linereader_init(&rd, g.host_fd);
    char line[EB_PROTO_MAX_LINE + 1];
    int help_lines = 0, refused = 0;
    bool ok_help = false;
    while (eb_linereader_get(&rd, line, sizeof line, 1000) == EB_OK) {
        cr_assert_eq(eb_proto_check(line), 1, "every agent line is sealed: %s", line);
        if (line[0] == '#')
            help_lines++;
        if (!strcmp(line, "ok help"))
            ok_help = true;
        if (!strncmp(line, "err crc 'run'", 13))
            refused++;
    }
    cr_assert_gt(help_lines, 5);
    cr_assert(ok_help);
    cr_assert_eq(refused, 1);
    fx_rig_stop(&g);
}

static void make_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 7919u) >> 3) & 0xff, f);
    fclose(f);
}

static void assert_same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    cr_assert(fa && fb, "both %s and %s exist", a, b);
    int ca, cb;
    size_t n = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        cr_assert_eq(ca, cb, "files differ at byte %zu", n);
        n++;
    } while (ca != EOF);
    fclose(fa);
    fclose(fb);
}

Test(remote, upload_survives_truncated_flipped_and_dropped_chunks, .timeout = 60)
{
    fx_rule rules[] = {
        {0, "chunk 512 ", 1, FX_TRUNCATE, 300, 0},     /* truncated chunk */
        {0, "chunk 1536 ", 1, FX_FLIP, 40, 0},         /* flipped bit in the data */
        {0, "chunk 2560 ", 1, FX_DROP_NEWLINE, 0, 0},  /* chunk never ends */
        {1, "ack 4096", 1, FX_DROP_LINE, 0, 0},        /* lost ack: resend is re-acked */
    };
    fx_rig g;
    fx_rig_start(&g, rules, 4, NULL, 0, &fast);
    char src[128];
    snprintf(src, sizeof src, "%s/../eb_upload_src_%d.ebm", g.dir, (int)getpid());
    make_file(src, 5000);
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_remote_upload(&g.r, src, "uploaded.ebm", err, sizeof err), EB_OK, "%s", err);
    char dst[160];
    snprintf(dst, sizeof dst, "%s/uploaded.ebm", g.dir);
    assert_same_file(src, dst);
    cr_assert_eq(g.x.applied, 4);
    cr_assert_geq(g.r.retries_used, 3);
    /* the uploaded file is listed and runnable by name */
    eb_remote_run_result res;
    cr_assert_eq(eb_remote_run(&g.r, "uploaded.ebm", 0, 5, "auto", 1, &res, NULL, NULL, err,
                               sizeof err),
                 EB_OK, "%s", err);
    cr_assert(res.complete);
    cr_assert_str_eq(res.info.name, "uploaded.ebm");
    eb_remote_run_result_free(&res);
    unlink(src);
    fx_rig_stop(&g);
}

Test(remote, unknown_model_is_an_error_naming_it, .timeout = 30)
{
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_OK, "%s", err);
    eb_remote_run_result res;
    cr_assert_eq(eb_remote_run(&g.r, "nosuch_int8", 0, 5, "auto", 1, &res, NULL, NULL, err,
                               sizeof err),
                 EB_ERR_ARG);
    cr_assert(strstr(err, "nosuch_int8") && strstr(err, "standin_tiny"), "%s", err);
    fx_rig_stop(&g);
}

Test(remote, interrupt_aborts_and_keeps_samples, .timeout = 30)
{
    fx_rule rules[] = {{1, "s 30 ", 1, FX_FLIP, 0, 0}};
    fx_rig g;
    eb_remote_opts o = fast;
    o.trace = getenv("EB_TEST_TRACE") ? stderr : NULL;
    fx_rig_start(&g, rules, 1, NULL, 0, &o);
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_OK, "%s", err);
    fx_infer_us = 200; /* agent child already forked: it keeps its own value */
    eb_remote_run_result res;
    /* interrupt from the progress callback once 40 samples are in */
    struct {
        int dummy;
    } u;
    void progress(void *user, const char *phase, uint64_t done, uint64_t total);
    cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 100000, "auto", 1, &res, progress, &u, err,
                               sizeof err),
                 EB_OK, "%s", err);
    eb_remote_interrupt = 0;
    cr_assert_not(res.complete);
    cr_assert_geq(res.n_received, 40);
    cr_assert_lt(res.n_received, 100000);
    cr_assert(strstr(res.stop_reason, "interrupted"), "%s", res.stop_reason);
    /* the agent is usable again afterwards */
    eb_remote_run_result res2;
    cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 5, "auto", 1, &res2, NULL, NULL, err,
                               sizeof err),
                 EB_OK, "%s", err);
    cr_assert(res2.complete, "%s", res2.stop_reason);
    eb_remote_run_result_free(&res);
    eb_remote_run_result_free(&res2);
    fx_rig_stop(&g);
}

void progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    (void)user;
    (void)total;
    if (!strcmp(phase, "run") && done >= 40)
        eb_remote_interrupt = 1;
}

/* Every upload allocated EB_PROTO_MAX_UPLOAD (256 MiB) whatever the file's size, so the
 * host side ran at ~100 uploads per second under the fuzzer and could not upload at all
 * where 256 MiB of address space is not there. Under a 64 MiB address-space margin a
 * 2 KiB upload must still get as far as talking to the agent (here: none answers). */
#include <sys/resource.h>

Test(remote, upload_allocates_the_file_size_not_the_limit, .timeout = 30)
{
#if defined(EB_SANITIZED)
    cr_skip_test("address-space limits do not work under ASan (shadow memory)");
#else
    char src[128];
    snprintf(src, sizeof src, "/tmp/eb_upload_small_%d.ebm", (int)getpid());
    FILE *f = fopen(src, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 2048; i++)
        fputc(i * 7, f);
    fclose(f);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    int devnull = open("/dev/null", O_WRONLY);
    eb_remote_opts o = {.reply_ms = 50, .idle_ms = 50, .retries = 1};
    eb_remote r;
    eb_remote_init(&r, p[0], devnull, &o);
    /* the address space in use now, plus 64 MiB */
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long vm_kb = 0;
    while (st && fgets(line, sizeof line, st))
        if (sscanf(line, "VmSize: %lu kB", &vm_kb) == 1)
            break;
    if (st)
        fclose(st);
    cr_assert_gt(vm_kb, 0);
    struct rlimit lim = {(rlim_t)vm_kb * 1024 + (64u << 20), RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);
    char err[512] = "";
    eb_status s = eb_remote_upload(&r, src, "small.ebm", err, sizeof err);
    cr_assert_neq(s, EB_OK);
    cr_assert_null(strstr(err, "larger than"), "the 2 KiB file was refused: %s", err);
    cr_assert_not_null(strstr(err, "did not accept the upload"), "%s", err);
    close(p[0]);
    close(p[1]);
    close(devnull);
    unlink(src);
#endif
}

/* Found by fuzz/fuzz_remote.c: what the agent says about itself and its model (id, info,
 * kernel lines) went into the report as it came, control bytes and 0xff included: a
 * report that is not valid UTF-8 (edgebench then refuses to write it), with terminal
 * escapes in its summary. Strings from the agent reach edgebench as printable ASCII. */
static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

Test(remote, strings_from_the_agent_are_printable_ascii, .timeout = 30)
{
    const char *lines[] = {
        "hello edgebench-agent version=1.\xff\x1b[2J proto=1",
        "id name=edgebench-agent version=0.1\x01 proto=1 arch=aarch\xc3 cpu=Cortex\x7f"
        "A72 isa=neon\x9b cores=4 clock_mhz=1500 memory_bytes=1000 os=Lin\x08ux",
        "kernel conv2d_s8\xfe eb_conv2d_s8_neon\x1b",
        "ok id",
        "ok run 9e3779b1",
        "info name=tiny\xff arch=ti\x02ny variant=int8\x80 macs=1000",
        "kernel fc_s8\xfe eb_fc_s8_ref\x07",
        "start n=1",
        "s 0 1000",
        "done tag=9e3779b1 n=1 target=1 complete=1 peak_rss_bytes=1 rss_method=x",
    };
    char path[] = "/tmp/eb_test_agent_lines_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[EB_PROTO_MAX_LINE + 16];
        size_t len = strlen(lines[i]);
        memcpy(buf, lines[i], len);
        len = eb_proto_seal(buf, len, sizeof buf);
        cr_assert_gt(len, 0);
        cr_assert_eq(write(fd, buf, len), (ssize_t)len);
    }
    lseek(fd, 0, SEEK_SET);
    unlink(path);
    int devnull = open("/dev/null", O_WRONLY);
    eb_remote_opts o = {.reply_ms = 200, .idle_ms = 200, .retries = 2};
    eb_remote r;
    eb_remote_init(&r, fd, devnull, &o);
    r.nonce = 0;
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&r, err, sizeof err), EB_OK, "%s", err);
    const char *agent_strings[] = {r.version, r.arch, r.cpu, r.isa, r.os,
                                   r.kernels[0].op, r.kernels[0].name};
    for (size_t i = 0; i < sizeof agent_strings / sizeof agent_strings[0]; i++)
        cr_assert(printable(agent_strings[i]), "'%s' from the id is not printable ASCII",
                  agent_strings[i]);
    eb_remote_run_result res;
    cr_assert_eq(eb_remote_run(&r, "tiny", 0, 1, "auto", 1, &res, NULL, NULL, err, sizeof err),
                 EB_OK, "%s", err);
    cr_assert(res.have_info);
    const char *run_strings[] = {res.info.name, res.info.arch, res.info.variant,
                                 res.info.kernels[0].op, res.info.kernels[0].name};
    for (size_t i = 0; i < sizeof run_strings / sizeof run_strings[0]; i++)
        cr_assert(printable(run_strings[i]), "'%s' from the run is not printable ASCII",
                  run_strings[i]);
    eb_remote_run_result_free(&res);
    close(fd);
    close(devnull);
}

/* ---- threads (protocol 2) ---- */

/* Sends one sealed line to the agent and returns the first reply line that starts with
 * want (or "" after a second of nothing). */
static void ask(fx_rig *g, eb_linereader *rd, const char *cmd, const char *want, char *out,
                size_t cap)
{
    char buf[EB_PROTO_MAX_LINE + 8];
    size_t n = strlen(cmd);
    memcpy(buf, cmd, n);
    n = eb_proto_seal(buf, n, sizeof buf);
    cr_assert_gt(n, 0);
    fx_write(g->host_fd, buf, n);
    out[0] = '\0';
    char line[EB_PROTO_MAX_LINE + 1];
    while (eb_linereader_get(rd, line, cap < sizeof line ? cap : sizeof line, 1000) == EB_OK) {
        eb_proto_check(line);
        if (!strncmp(line, want, strlen(want))) {
            snprintf(out, cap, "%s", line);
            return;
        }
    }
}

Test(remote, threads_reach_the_agent_and_come_back_in_info, .timeout = 30)
{
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_OK, "hello: %s", err);
    cr_assert_eq(g.r.proto, 2, "a protocol-2 agent answers hello 2 in protocol 2");
    for (int t = 1; t <= 4; t += 3) {
        eb_remote_run_result res;
        cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 5, "auto", t, &res, NULL, NULL,
                                   err, sizeof err),
                     EB_OK, "run with %d threads: %s", t, err);
        cr_assert(res.have_info);
        cr_assert_eq(res.info.threads, t, "the agent's info says the threads it ran");
        assert_all_samples(&res, 5);
        eb_remote_run_result_free(&res);
    }
    /* out of range: refused here, before anything is sent */
    eb_remote_run_result res;
    cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 5, "auto", 65, &res, NULL, NULL, err,
                               sizeof err),
                 EB_ERR_ARG);
    cr_assert(strstr(err, "1..64 threads"), "%s", err);
    fx_rig_stop(&g);
}

Test(remote, agent_refuses_bad_threads_and_unknown_keys, .timeout = 30)
{
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    eb_linereader rd;
    eb_linereader_init(&rd, g.host_fd);
    char line[EB_PROTO_MAX_LINE + 1];
    ask(&g, &rd, "run a standin_tiny 0 1 threads=0", "err", line, sizeof line);
    cr_assert(strstr(line, "err args threads= takes 1..64"), "%s", line);
    ask(&g, &rd, "run b standin_tiny 0 1 threads=65", "err", line, sizeof line);
    cr_assert(strstr(line, "err args threads= takes 1..64"), "%s", line);
    ask(&g, &rd, "run c standin_tiny 0 1 threads=two", "err", line, sizeof line);
    cr_assert(strstr(line, "err args"), "%s", line);
    ask(&g, &rd, "run d standin_tiny 0 1 streams=2", "err", line, sizeof line);
    cr_assert(strstr(line, "not 'streams=2'"), "an unknown key is refused: %s", line);
    ask(&g, &rd, "run e standin_tiny 0 1 threads=3", "info", line, sizeof line);
    cr_assert(strstr(line, " threads=3"), "%s", line);
    /* the run's end, before the next command (during a run it would be answered busy) */
    char rest[EB_PROTO_MAX_LINE + 1];
    bool done = false;
    while (!done && eb_linereader_get(&rd, rest, sizeof rest, 2000) == EB_OK)
        done = !strncmp(rest, "done ", 5);
    cr_assert(done, "the run ended");
    ask(&g, &rd, "hello 1", "hello", line, sizeof line);
    cr_assert(strstr(line, "proto=1"), "an older host is answered in its version: %s", line);
    ask(&g, &rd, "hello 3", "err", line, sizeof line);
    cr_assert(strstr(line, "err version") && strstr(line, "protocols 1 to 2"), "%s", line);
    fx_rig_stop(&g);
}

Test(remote, protocol_1_agent_runs_one_thread_and_refuses_more_clearly, .timeout = 30)
{
    fx_agent_proto = 1; /* the agent as it was before threads= existed */
    fx_rig g;
    fx_rig_start(&g, NULL, 0, NULL, 0, &fast);
    char err[512] = "";
    cr_assert_eq(eb_remote_hello(&g.r, err, sizeof err), EB_OK,
                 "refused hello 2, the host falls back to 1: %s", err);
    cr_assert_eq(g.r.proto, 1);
    eb_remote_run_result res;
    cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 5, "auto", 1, &res, NULL, NULL, err,
                               sizeof err),
                 EB_OK, "one thread still runs: %s", err);
    cr_assert_eq(res.info.threads, 1);
    assert_all_samples(&res, 5);
    eb_remote_run_result_free(&res);
    cr_assert_eq(eb_remote_run(&g.r, "standin_tiny", 0, 5, "auto", 4, &res, NULL, NULL, err,
                               sizeof err),
                 EB_ERR_PROTOCOL);
    cr_assert(strstr(err, "protocol 1") && strstr(err, "--threads 4 needs protocol 2") &&
                  strstr(err, "edgebench deploy"),
              "%s", err);
    fx_rig_stop(&g);
}
