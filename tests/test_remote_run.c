/* test_remote_run.c - `edgebench run` through the serial path end to end: the host build
 * of edgebench-agent on a pty (behind a fault-injecting proxy), a scripted MLPerf Tiny
 * device, and the errors a user sees when no board answers. The reports must have the
 * structure of a local run's. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "agent_fixture.h"
#include "cli.h"
#include "eb_model.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "mlperf_fake.h"


#define AGENT_BIN EB_BINARY_DIR "/targets/agent/edgebench-agent"
#define MODEL "fc_autoencoder_int8"

/* A target file for a board on `device`. */
static void write_target(const char *path, const char *device, const char *protocol)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"name\": \"testboard\", \"description\": \"a pty\", \"transport\": \"serial\","
            " \"device\": \"%s\", \"baud\": 115200, \"protocol\": \"%s\", \"arch\": \"x86_64\","
            " \"cores\": 2, \"clock_mhz\": 1000, \"memory_bytes\": 1073741824,"
            " \"price_usd\": 10,"
            " \"power_model\": {\"idle_w\": 1.0, \"active_w\": 3.0, \"source\": \"test\"}}\n",
            device, protocol);
    fclose(f);
}

static cJSON *load_report(const char *path)
{
    cJSON *tree = NULL;
    char err[512];
    cr_assert_eq(eb_report_load(path, &tree, err, sizeof err), EB_OK,
                 "the report validates against the schema: %s", err);
    return tree;
}

/* Every key of a (an object) is in b, recursively for objects; arrays of objects by
 * their first element. */
static void same_keys(const cJSON *a, const cJSON *b, const char *where)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, e->string);
        cr_assert_not_null(o, "%s.%s missing in the remote report", where, e->string);
        char w[256];
        snprintf(w, sizeof w, "%s.%s", where, e->string);
        if (cJSON_IsObject(e) && cJSON_IsObject(o))
            same_keys(e, o, w);
    }
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert(cJSON_IsNumber(v), "%s is a number", k);
    return v->valuedouble;
}

static bool has_warning(const cJSON *rep, const char *needle)
{
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(rep, "warnings"))
    if (cJSON_IsString(w) && strstr(w->valuestring, needle))
        return true;
    return false;
}

Test(remote_run, serial_run_report_matches_a_local_run, .timeout = 300)
{
    cr_assert_eq(access(AGENT_BIN, X_OK), 0, "host agent built at %s", AGENT_BIN);
    fx_rig g;
    fx_rule flip[] = {{1, "s 3 ", 1, FX_FLIP, 5, 0}, {0, "run ", 2, FX_FLIP, 9, 0}};
    fx_rig_start_exec(&g, AGENT_BIN, flip, 2);
    char dir[64], tfile[128], remote_out[128], local_out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(remote_out, sizeof remote_out, "%s/remote.json", dir);
    snprintf(local_out, sizeof local_out, "%s/local.json", dir);
    write_target(tfile, g.slave, "edgebench");
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL,
                                   "--warmup", "2", "--warmup-time", "0", "--min-time", "0.02",
                                   "--min-iterations", "10", "--repetitions", "2", "--out",
                                   remote_out, "--quiet", NULL);
    cr_assert_eq(c.rc, 0, "remote run: %s", c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--target", "host", "--model", MODEL, "--warmup", "2",
                    "--warmup-time", "0", "--min-time", "0.02", "--min-iterations", "10",
                    "--repetitions", "2", "--out", local_out, "--quiet", NULL);
    cr_assert_eq(c.rc, 0, "local run: %s", c.err);
    eb_test_cmd_free(&c);

    cJSON *rem = load_report(remote_out), *loc = load_report(local_out);
    same_keys(loc, rem, "report");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rem, "complete")));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rem, "target");
    cr_assert_str_eq(str(t, "name"), "testboard");
    cr_assert_str_eq(str(t, "transport"), "serial");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "emulated")));
    const cJSON *rr = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rem, "results"), 0);
    const cJSON *lr = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(loc, "results"), 0);
    same_keys(lr, rr, "results[0]");
    cr_assert_str_eq(str(rr, "name"), MODEL);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rr, "complete")));
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rr, "window_latency")));
    /* every sample arrived, despite the flipped bits on the line */
    int ns = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rr, "samples_ms"));
    cr_assert_geq(ns, 20, "2 repetitions of at least 10");
    cr_assert_eq(num(cJSON_GetObjectItemCaseSensitive(rr, "latency_ms"), "n"), ns);
    /* the planner's figures are the model's: identical to the local run's */
    const cJSON *rm = cJSON_GetObjectItemCaseSensitive(rr, "memory"),
                *lm = cJSON_GetObjectItemCaseSensitive(lr, "memory");
    cr_assert_eq(num(rm, "weights_bytes"), num(lm, "weights_bytes"));
    cr_assert_eq(num(rm, "arena_bytes"), num(lm, "arena_bytes"));
    cr_assert_eq(num(rr, "macs"), num(lr, "macs"));
    cr_assert_gt(num(rm, "peak_rss_bytes"), 0);
    /* same kernels as the local run (same machine, same kernel set) */
    const cJSON *rk = cJSON_GetObjectItemCaseSensitive(rr, "kernels"),
                *lk = cJSON_GetObjectItemCaseSensitive(lr, "kernels");
    const cJSON *k;
    cJSON_ArrayForEach(k, lk)
    cr_assert_str_eq(str(rk, k->string), k->valuestring, "kernel for %s", k->string);
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(rr, "energy");
    cr_assert_str_eq(str(en, "method"), "estimated");
    cr_assert(has_warning(rem, "board's own monotonic clock"));
    cr_assert_gt(g.x.applied, 0);
    cJSON_Delete(rem);
    cJSON_Delete(loc);
    fx_rig_stop(&g);
}

Test(remote_run, agent_killed_mid_run_keeps_samples_in_an_incomplete_report, .timeout = 300)
{
    fx_rig g;
    fx_rule kill_it[] = {{1, "s 30 ", 1, FX_KILL, 0, 0}};
    fx_rig_start_exec(&g, AGENT_BIN, kill_it, 1);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(out, sizeof out, "%s/remote.json", dir);
    write_target(tfile, g.slave, "edgebench");
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL,
                                   "--warmup", "0", "--warmup-time", "0", "--min-time", "0",
                                   "--min-iterations", "500", "--repetitions", "1",
                                   "--timeout", "1", "--out", out, "--quiet", NULL);
    int64_t took = eb_mono_ms() - t0;
    cr_assert_eq(c.rc, 2, "an unfinished remote run is an error: %s", c.err);
    cr_assert(strstr(c.err, "did not finish") && strstr(c.err, "complete"), "%s", c.err);
    cr_assert(!strchr(c.err, '\n') || strchr(c.err, '\n') == c.err + strlen(c.err) - 1,
              "one sentence: %s", c.err);
    cr_assert_lt(took, 60000, "bounded: %lld ms", (long long)took);
    eb_test_cmd_free(&c);
    cJSON *rep = load_report(out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "complete")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "samples_ms")), 30,
                 "samples 0..29 kept");
    cr_assert(has_warning(rep, "incomplete remote run"));
    cJSON_Delete(rep);
    fx_rig_stop(&g);
}

Test(remote_run, ebm_file_is_uploaded_in_chunks_and_run, .timeout = 300)
{
    fx_rig g;
    fx_rule faults[] = {{0, "chunk 512 ", 1, FX_TRUNCATE, 100, 0},
                        {1, "ack 2048", 1, FX_DROP_LINE, 0, 0}};
    fx_rig_start_exec(&g, AGENT_BIN, faults, 2);
    char dir[64], tfile[128], out[128], ebm[128], err[256];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(out, sizeof out, "%s/remote.json", dir);
    snprintf(ebm, sizeof ebm, "%s/my_ae.ebm", dir);
    write_target(tfile, g.slave, "edgebench");
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m;
    cr_assert_eq(eb_model_build(MODEL, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_model_export(m, ebm, err, sizeof err), EB_OK, "%s", err);
    eb_model_free(m);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", ebm,
                                   "--warmup", "1", "--warmup-time", "0", "--min-time", "0.01",
                                   "--min-iterations", "5", "--repetitions", "1", "--out", out,
                                   "--quiet", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    /* the agent holds a byte-identical copy */
    char copy[160];
    snprintf(copy, sizeof copy, "%s/my_ae.ebm", g.dir);
    FILE *a = fopen(ebm, "rb"), *b = fopen(copy, "rb");
    cr_assert(a && b, "the agent stored %s", copy);
    int ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        cr_assert_eq(ca, cb);
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    cr_assert_eq(g.x.applied, 2, "both faults hit the upload");
    cJSON *rep = load_report(out);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    cr_assert_str_eq(str(r, "name"), MODEL, "the file's model ran");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "complete")));
    cJSON_Delete(rep);
    fx_rig_stop(&g);
}

Test(remote_run, no_board_on_the_port_is_one_clear_sentence)
{
    char dir[64], tfile[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    write_target(tfile, "/dev/ttyUSB0", "edgebench");
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL,
                                   "--port", "/nonexistent/ttyEB9", "--quiet", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "/nonexistent/ttyEB9"), "names the port: %s", c.err);
    cr_assert(strstr(c.err, "edgebench-agent /dev/"), "how to start the agent: %s", c.err);
    cr_assert(strstr(c.err, "--port"), "mentions --port: %s", c.err);
    cr_assert_eq(strchr(c.err, '\n'), c.err + strlen(c.err) - 1, "one line: %s", c.err);
    eb_test_cmd_free(&c);
}

Test(remote_run, bad_target_file_and_misused_options_are_refused)
{
    char dir[64], tfile[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/bad.json", dir);
    FILE *f = fopen(tfile, "w");
    fprintf(f, "{\"name\":\"bad\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
               "\"protocol\":\"xmodem\",\"power_model\":{\"idle_w\":1,\"active_w\":2,"
               "\"source\":\"x\"}}");
    fclose(f);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "bad.json") && strstr(c.err, "'protocol'"), "%s", c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--target", "host", "--model", MODEL, "--emulate", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "--emulate needs a board target"), "%s", c.err);
    eb_test_cmd_free(&c);
}

Test(remote_run, mlperf_tiny_device_gives_a_per_window_report, .timeout = 120)
{
    int m, s;
    cr_assert_eq(openpty(&m, &s, NULL, NULL, NULL), 0);
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    mlperf_fake f;
    memset(&f, 0, sizeof f);
    f.fd = m;
    f.model = "kws01";
    f.infer_us = 1234;
    pthread_create(&f.th, NULL, mf_main, &f);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/mcu.json", dir);
    snprintf(out, sizeof out, "%s/mcu_report.json", dir);
    write_target(tfile, ttyname(s), "mlperf-tiny");
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", "ds_cnn_int8",
                                   "--min-time", "0.05", "--repetitions", "2", "--out", out,
                                   "--quiet", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    cr_assert_gt(f.loads_done, 0, "the model's input was sent with db");
    cr_assert_eq(f.infers, 2 + 10, "two calibration windows + 5 windows x 2 repetitions");
    cJSON *rep = load_report(out);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "window_latency")));
    cr_assert_str_eq(str(r, "name"), "ds_cnn_int8");
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(r, "samples_ms"), *v;
    cr_assert_eq(cJSON_GetArraySize(sm), 10);
    cJSON_ArrayForEach(v, sm)
    cr_assert_float_eq(v->valuedouble, 1.234, 1e-9, "window time / N from the device's stamps");
    cr_assert(has_warning(rep, "per window"));
    cr_assert_float_eq(num(r, "throughput_ips"), 1000.0 / 1.234, 1e-6);
    cJSON_Delete(rep);
    f.stop = 1;
    pthread_join(f.th, NULL);
    close(s);
    close(m);
}


/* Found by fuzzing the host side: the line dies right after calibration (the agent is
 * gone when the measured run starts). `run` exited 2 saying it kept the samples, but the
 * report it wrote failed edgebench's own schema (energy/method "", from
 * run_remote.c), so compare refused it. */
Test(remote_run, line_dying_after_calibration_leaves_a_valid_partial_report, .timeout = 300)
{
    fx_rig g;
    fx_rule kill_it[] = {{1, "start n=", 2, FX_KILL, 0, 0}}; /* the measured run's start */
    fx_rig_start_exec(&g, AGENT_BIN, kill_it, 1);
    char dir[64], tfile[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(out, sizeof out, "%s/remote.json", dir);
    write_target(tfile, g.slave, "edgebench");
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", MODEL,
                                   "--warmup", "0", "--warmup-time", "0", "--min-time", "0",
                                   "--min-iterations", "50", "--repetitions", "1",
                                   "--timeout", "1", "--out", out, "--quiet", NULL);
    cr_assert_eq(c.rc, 2, "an unfinished remote run is an error: %s", c.err);
    cr_assert(strstr(c.err, "did not finish"), "%s", c.err);
    eb_test_cmd_free(&c);
    cJSON *rep = load_report(out); /* validates against the schema */
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    cr_assert_not_null(r);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "samples_ms")), 0);
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(r, "energy");
    cr_assert_str_eq(str(en, "method"), "estimated");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(en, "joules_per_inference")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r, "latency_ms"), "median")));
    cJSON_Delete(rep);
    fx_rig_stop(&g);
}

/* The output_crc32 of the last `done` line of the measured run in a --trace. */
static unsigned long last_output_crc(const char *trace)
{
    const char *p = trace, *hit = NULL;
    while ((p = strstr(p, "output_crc32=")))
        hit = p++;
    cr_assert_not_null(hit, "the agent's done line carries output_crc32");
    return strtoul(hit + strlen("output_crc32="), NULL, 16);
}

static cJSON *run_threads(const char *tfile, const char *out, const char *threads,
                          unsigned long *crc)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model",
                                   "ds_cnn_int8", "--threads", threads, "--warmup", "1",
                                   "--warmup-time", "0", "--min-time", "0.01",
                                   "--min-iterations", "3", "--repetitions", "1", "--out", out,
                                   "--quiet", "--trace", NULL);
    cr_assert_eq(c.rc, 0, "remote run with --threads %s: %s", threads, c.err);
    cr_assert(strstr(c.err, "> run ") && strstr(c.err, " threads="), "run sends threads=");
    *crc = last_output_crc(c.err);
    eb_test_cmd_free(&c);
    return load_report(out);
}

Test(remote_run, threads_run_on_the_agent_give_the_outputs_of_one_thread, .timeout = 300)
{
    cr_assert_eq(access(AGENT_BIN, X_OK), 0, "host agent built at %s", AGENT_BIN);
    fx_rig g;
    fx_rig_start_exec(&g, AGENT_BIN, NULL, 0);
    char dir[64], tfile[128], out1[128], out3[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(out1, sizeof out1, "%s/t1.json", dir);
    snprintf(out3, sizeof out3, "%s/t3.json", dir);
    write_target(tfile, g.slave, "edgebench");
    unsigned long crc1, crc3;
    cJSON *r1 = run_threads(tfile, out1, "1", &crc1);
    cJSON *r3 = run_threads(tfile, out3, "3", &crc3);
    cr_assert_eq(crc1, crc3, "3 threads computed other outputs (%08lx) than 1 (%08lx)", crc3,
                 crc1);
    const cJSON *s3 = cJSON_GetObjectItemCaseSensitive(r3, "settings");
    cr_assert_eq(num(s3, "threads"), 3);
    const cJSON *res3 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r3, "results"), 0);
    const cJSON *res1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r1, "results"), 0);
    cr_assert_eq(num(res3, "threads"), 3, "the result says the agent's pool size");
    cr_assert_eq(num(res1, "threads"), 1);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r3, "complete")));
    cJSON_Delete(r1);
    cJSON_Delete(r3);
    fx_rig_stop(&g);
}

Test(remote_run, threads_are_refused_for_mlperf_tiny_devices)
{
    char dir[64], tfile[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/dut.json", dir);
    write_target(tfile, "/dev/null", "mlperf-tiny");
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", "auto",
                                   "--threads", "2", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "--threads is for edgebench-agent"), "%s", c.err);
    eb_test_cmd_free(&c);
}
