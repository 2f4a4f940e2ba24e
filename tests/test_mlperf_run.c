/* test_mlperf_run.c - `edgebench run --protocol mlperf-tiny` end to end against the fake
 * device (tests/mlperf_fake.h) behaving as the real MLPerf Tiny firmware does: debug
 * output, energy mode, a 32-bit counter, resets, input-size complaints, slow replies, the
 * cost of its own printing, hostile device strings, a device that never stops talking.
 * Every report must validate against the schema. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <sys/stat.h>
#include <pty.h>
#include <termios.h>

#include "cli.h"
#include "eb_model.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "mlperf_fake.h"

#if defined(EB_MODELS_AVAILABLE)

typedef struct {
    mlperf_fake f;
    int slave;
    char dir[64], tfile[128], out[128];
} rig;

/* A pty with the fake on its master and a target file naming its slave; the fake starts
 * with rig_go once the test has set its behaviour. */
static void rig_init(rig *r, const char *model)
{
    memset(r, 0, sizeof *r);
    int m;
    cr_assert_eq(openpty(&m, &r->slave, NULL, NULL, NULL), 0);
    struct termios t;
    tcgetattr(r->slave, &t);
    cfmakeraw(&t);
    tcsetattr(r->slave, TCSANOW, &t);
    r->f.fd = m;
    r->f.model = model;
    r->f.infer_us = 1234;
    eb_test_tmpdir(r->dir, sizeof r->dir);
    snprintf(r->tfile, sizeof r->tfile, "%s/mcu.json", r->dir);
    snprintf(r->out, sizeof r->out, "%s/report.json", r->dir);
    FILE *f = fopen(r->tfile, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"name\": \"mcu\", \"description\": \"a pty\", \"transport\": \"serial\","
            " \"device\": \"%s\", \"baud\": 115200, \"protocol\": \"mlperf-tiny\","
            " \"arch\": \"armv7e-m\", \"cores\": 1, \"clock_mhz\": 80,"
            " \"power_model\": {\"idle_w\": 0.01, \"active_w\": 0.05, \"source\": \"test\"}}\n",
            ttyname(r->slave));
    fclose(f);
}

static void rig_go(rig *r) { pthread_create(&r->f.th, NULL, mf_main, &r->f); }

static void rig_done(rig *r)
{
    mf_finish(&r->f);
    close(r->slave);
}

#define RUN(r, ...)                                                                           \
    eb_test_cmd(eb_cmd_run, "run", "--target", (r)->tfile, "--out", (r)->out, __VA_ARGS__, NULL)

static cJSON *load_report(const char *path)
{
    cJSON *tree = NULL;
    char err[512] = "";
    cr_assert_eq(eb_report_load(path, &tree, err, sizeof err), EB_OK,
                 "the report validates against the schema: %s", err);
    return tree;
}

static const cJSON *result0(const cJSON *rep)
{
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "results"), 0);
    cr_assert_not_null(r, "the report has a result");
    return r;
}

static const cJSON *windows(const cJSON *res)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(res, "device_windows");
    cr_assert(cJSON_IsObject(w), "the result says how the device's windows went");
    return w;
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

static void samples_all(const cJSON *res, size_t n, double ms)
{
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(res, "samples_ms"), *v;
    cr_assert_eq((size_t)cJSON_GetArraySize(sm), n, "%zu windows", n);
    cJSON_ArrayForEach(v, sm)
    cr_assert_float_eq(v->valuedouble, ms, 1.5e-6, "window time / N: %.9f", v->valuedouble);
}

/* Item 1: firmware that prints debug lines during infer. */
Test(mlperf_run, debug_lines_during_infer_do_not_lose_the_closing_stamp, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.debug_lines = 100;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cJSON *rep = load_report(r.out);
    samples_all(result0(rep), 5, 1.234);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

static void energy_refused(rig *r)
{
    rig_go(r);
    eb_cmd_capture c = RUN(r, "--model", "auto", "--quiet");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "energy"), "%s", c.err);
    cr_assert(strstr(c.err, "EnergyRunner"), "%s", c.err);
    cr_assert(strstr(c.err, "9600"), "%s", c.err);
    cr_assert(strstr(c.err, "dut <cmd>%"), "%s", c.err);
    cr_assert_eq(r->f.infers, 0, "nothing was measured");
    struct stat st;
    cr_assert_neq(stat(r->out, &st), 0, "no report");
    eb_test_cmd_free(&c);
    rig_done(r);
}

/* Item 2: the energy build says so in its boot banner only, never on name%. */
Test(mlperf_run, energy_mode_announced_at_boot_is_refused_with_the_setup_it_needs, .timeout = 120)
{
    rig r;
    rig_init(&r, "ic01");
    r.f.energy_mode = 1;
    energy_refused(&r);
}

/* Item 2: booted before we opened the line: the timestamp% probe prints no m-lap-us. */
Test(mlperf_run, energy_mode_without_banner_is_found_by_its_silent_timestamp, .timeout = 120)
{
    rig r;
    rig_init(&r, "ic01");
    r.f.energy_mode = 1;
    r.f.no_boot_banner = 1;
    energy_refused(&r);
}

/* Item 2: the port is an EnergyRunner interface board that relays `dut <cmd>%`. */
Test(mlperf_run, energyrunner_interface_board_is_recognised, .timeout = 120)
{
    rig r;
    rig_init(&r, "ic01");
    r.f.interface_board = 1;
    energy_refused(&r);
}

/* Item 3: a 32-bit microsecond counter wraps inside a window. */
Test(mlperf_run, counter_wrap_inside_a_window_is_taken_modulo_2_32, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.counter_bits = 32;
    r.f.boot_clock_us = 4294967296ull - 2000000; /* wraps 2 s after boot: in a window */
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cJSON *rep = load_report(r.out);
    const cJSON *res = result0(rep);
    samples_all(res, 15, 1.234);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert(!has_warning(rep, "interrupted") && !has_warning(rep, "incomplete"));
    cr_assert_eq(num(windows(res), "counter_wraps"), 1);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 4: a reset in the middle of a measured window. */
Test(mlperf_run, reset_mid_window_drops_it_reloads_the_input_and_is_reported, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.in_bytes = 490;
    r.f.reset_at_infer = 4;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_eq(r.f.resets_done, 1);
    cr_assert_eq(r.f.loads_done, 2, "the input was loaded again after the reset");
    cr_assert_eq(r.f.complaints, 0, "no window ran without its input");
    cJSON *rep = load_report(r.out);
    const cJSON *res = result0(rep);
    samples_all(res, 15, 1.234);
    cr_assert(has_warning(rep, "reset"), "the reset is in the warnings");
    const cJSON *w = windows(res);
    cr_assert_eq(num(w, "resets"), 1);
    cr_assert_eq(num(w, "dropped"), 1);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 4: a reset between two windows: noticed before the next window runs without input. */
Test(mlperf_run, reset_between_windows_is_noticed_and_the_input_reloaded, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.in_bytes = 490;
    r.f.reset_after_infer = 5;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_eq(r.f.resets_done, 1);
    cr_assert_eq(r.f.loads_done, 2, "the input was loaded again after the reset");
    cJSON *rep = load_report(r.out);
    const cJSON *res = result0(rep);
    samples_all(res, 15, 1.234);
    cr_assert_eq(num(windows(res), "resets"), 1);
    cr_assert(has_warning(rep, "reset"));
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 5: the firmware's own complaint about the input is an error naming both sizes. */
Test(mlperf_run, input_size_complaint_is_an_error_naming_both_sizes, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.in_bytes = 245; /* a firmware built for another input */
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    cr_assert_eq(c.rc, 2, "%s", c.err);
    cr_assert(strstr(c.err, "490") && strstr(c.err, "245"), "names both sizes: %s", c.err);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* The zoo model's test input 0, dequantized / as the device's types. */
static void zoo_input(const char *zoo, int8_t *q, size_t n, double *scale, int *zp)
{
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    eb_context *ctx = NULL;
    char e[256];
    cr_assert_eq(eb_model_build(zoo, &mo, &m, e, sizeof e), EB_OK, "%s", e);
    cr_assert_eq(eb_context_create(m, &ctx), EB_OK);
    eb_context_fill_input(ctx, 0);
    const eb_model_info *mi = eb_model_get_info(m);
    cr_assert_eq(mi->input_bytes, n);
    memcpy(q, eb_context_input(ctx), n);
    *scale = mi->in_scale;
    *zp = mi->in_zp;
    eb_context_free(ctx);
    eb_model_free(m);
}

/* Item 5: the anomaly-detection firmware takes 640 float32 values. */
Test(mlperf_run, ad01_gets_640_float32_values, .timeout = 120)
{
    rig r;
    rig_init(&r, "ad01");
    r.f.in_bytes = 2560;
    r.f.in_elem = 4;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "fc_autoencoder_int8", "--repetitions", "1",
                           "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_eq(r.f.complaints, 0);
    cr_assert_eq(r.f.size, 2560u);
    int8_t q[640];
    double scale;
    int zp;
    zoo_input("fc_autoencoder_int8", q, sizeof q, &scale, &zp);
    for (int i = 0; i < 640; i++) {
        float v;
        memcpy(&v, r.f.buf + 4 * i, 4);
        cr_assert_float_eq(v, (float)((q[i] - zp) * scale), 1e-6, "value %d", i);
    }
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 5: the image-classification firmware takes uint8 pixels (it subtracts 128). */
Test(mlperf_run, ic01_gets_uint8_pixels, .timeout = 120)
{
    rig r;
    rig_init(&r, "ic01");
    r.f.in_bytes = 3072;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "resnet8_int8", "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_eq(r.f.size, 3072u);
    int8_t q[3072];
    double scale;
    int zp;
    zoo_input("resnet8_int8", q, sizeof q, &scale, &zp);
    for (int i = 0; i < 3072; i++)
        cr_assert_eq(r.f.buf[i], (uint8_t)(q[i] + 128), "pixel %d", i);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 5: --input FILE sends the user's bytes as they are; a wrong size is refused first. */
Test(mlperf_run, input_file_is_sent_as_is_and_checked_against_the_model, .timeout = 120)
{
    rig r;
    rig_init(&r, "ad01");
    r.f.in_bytes = 2560;
    r.f.in_elem = 4;
    rig_go(&r);
    char good[160], bad[160];
    snprintf(good, sizeof good, "%s/in.raw", r.dir);
    snprintf(bad, sizeof bad, "%s/short.raw", r.dir);
    FILE *f = fopen(good, "wb");
    for (int i = 0; i < 2560; i++)
        fputc((i * 7 + 3) & 0xff, f);
    fclose(f);
    f = fopen(bad, "wb");
    for (int i = 0; i < 640; i++)
        fputc(i & 0xff, f);
    fclose(f);
    eb_cmd_capture c = RUN(&r, "--model", "auto", "--input", bad, "--quiet");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "640") && strstr(c.err, "2560"), "%s", c.err);
    eb_test_cmd_free(&c);
    c = RUN(&r, "--model", "auto", "--input", good, "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    for (int i = 0; i < 2560; i++)
        cr_assert_eq(r.f.buf[i], (uint8_t)((i * 7 + 3) & 0xff));
    cJSON *rep = load_report(r.out);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(windows(result0(rep)), "input");
    cr_assert(cJSON_IsString(in) && strstr(in->valuestring, "in.raw"), "the report names it");
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 6: a device that answers profile% after 4 s (the official runner waits 5 s). */
Test(mlperf_run, slow_profile_reply_is_waited_for, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.profile_delay_ms = 4000;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 6: --timeout is the wait per reply line. */
Test(mlperf_run, timeout_option_bounds_the_reply_wait, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.profile_delay_ms = 6000;
    rig_go(&r);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--timeout", "1", "--quiet");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "--timeout"), "says how to wait longer: %s", c.err);
    cr_assert_lt(eb_mono_ms() - t0, 30000, "does not hang");
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 7: windows follow MLPerf's 10 s rule by default, sized without the device's own
 * m-lap-us printing (2 ms inferences, 1.8 ms per stamp printed at 115200 baud). */
Test(mlperf_run, default_windows_meet_the_10_s_rule_sized_without_the_lap_printing,
     .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.infer_us = 2000;
    r.f.lap_us = 1800;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    int k = r.f.infer_cmds;
    cr_assert_geq(k, 6);
    uint32_t n = r.f.infer_n[k - 1];
    cr_assert(n >= 5000 && n <= 5010, "10 s / 2 ms (+0.2 %%), not %u", n);
    cJSON *rep = load_report(r.out);
    const cJSON *res = result0(rep), *w = windows(res);
    cr_assert_eq(num(w, "inferences"), n);
    cr_assert_float_eq(num(w, "lap_overhead_us"), 1800, 1e-6);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(w, "below_minimum")));
    cr_assert_geq(num(w, "shortest_s"), 10.0);
    samples_all(res, 5, (n * 2000.0 + 1800) / n / 1000.0);
    cr_assert(!has_warning(rep, "shorter than"));
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 7: a shorter window is allowed, and flagged. */
Test(mlperf_run, short_window_is_measured_and_flagged, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.infer_us = 2000;
    r.f.lap_us = 1800;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--window", "0.2", "--repetitions",
                           "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    uint32_t n = r.f.infer_n[r.f.infer_cmds - 1];
    cr_assert(n == 100 || n == 101, "0.2 s / 2 ms (+0.2 %%), not %u", n);
    cJSON *rep = load_report(r.out);
    const cJSON *w = windows(result0(rep));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w, "below_minimum")));
    cr_assert_float_eq(num(w, "target_s"), 0.2, 1e-12);
    cr_assert(has_warning(rep, "shorter than MLPerf Tiny's 10 s"));
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 8: what the device does not report is said so; its name is its name. */
Test(mlperf_run, console_says_what_the_device_does_not_report, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.name = "Acme M4 board";
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--repetitions", "1");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert(!strstr(c.out, "reference (fp32 dense)"), "%s", c.out);
    cr_assert(!strstr(c.out, "planned 0 B"), "%s", c.out);
    cr_assert(!strstr(c.out, "set auto:\n"), "%s", c.out);
    cr_assert(strstr(c.out, "not reported by the device"), "%s", c.out);
    cr_assert(strstr(c.out, "Acme M4 board"), "%s", c.out);
    cJSON *rep = load_report(r.out);
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rep, "environment"), "os");
    const char *host = cJSON_GetObjectItemCaseSensitive(os, "hostname")->valuestring;
    cr_assert(strstr(host, "Acme M4 board") && !strstr(host, "dut-["), "%s", host);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Item 8: a hang-up mid-run exits 2 with a partial report, and run --help says so. */
Test(mlperf_run, hangup_mid_run_exit_status_matches_the_help, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.hangup_at_infer = 5;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    cr_assert_eq(c.rc, 2, "%s", c.err);
    cJSON *rep = load_report(r.out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    cr_assert_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result0(rep), "samples_ms")),
                 0);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--help", NULL);
    cr_assert_eq(c.rc, 0);
    const char *ex = strstr(c.out, "Exit status");
    cr_assert_not_null(ex, "%s", c.out);
    cr_assert(strstr(ex, "stops part-way") && strstr(ex, "\"complete\": false"),
              "the help says what exit 2 after a hang-up leaves: %s", ex);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Ctrl-C in the middle of a long window stops the run at once, with the windows measured. */
Test(mlperf_run, interrupt_during_a_window_stops_promptly_with_a_partial_report,
     .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.sigint_at_infer = 4;   /* two calibration windows, one measured, then Ctrl-C */
    r.f.sigint_hold_ms = 20000; /* in a window that takes 20 s */
    rig_go(&r);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = RUN(&r, "--model", "ds_cnn_int8", "--quiet");
    int64_t waited = eb_mono_ms() - t0;
    cr_assert_eq(c.rc, 130, "%s", c.err);
    cr_assert_lt(waited, 10000, "did not wait for the interrupted window to end");
    cJSON *rep = load_report(r.out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rep, "complete")));
    samples_all(result0(rep), 1, 1.234);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* --window and --input belong to MLPerf Tiny devices. */
Test(mlperf_run, window_and_input_are_refused_elsewhere)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", "host", "--model",
                                   "ds_cnn_int8", "--window", "1", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "--window") && strstr(c.err, "mlperf-tiny"), "%s", c.err);
    eb_test_cmd_free(&c);
}

/* Every string of a report is clean printable ASCII. */
static void strings_clean(const cJSON *o)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, o)
    {
        if (cJSON_IsString(e))
            for (const unsigned char *p = (const unsigned char *)e->valuestring; *p; p++)
                cr_assert(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in '%s'", *p, e->valuestring);
        strings_clean(e);
    }
}

static void hostile_strings(const char *name, const char *model)
{
    rig r;
    rig_init(&r, model);
    r.f.name = name;
    rig_go(&r);
    eb_cmd_capture c = RUN(&r, "--model", "auto", "--repetitions", "1", "--quiet");
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cJSON *rep = load_report(r.out);
    const cJSON *res = result0(rep);
    cr_assert_gt(strlen(cJSON_GetObjectItemCaseSensitive(res, "model")->valuestring), 0);
    strings_clean(rep);
    cJSON_Delete(rep);
    eb_test_cmd_free(&c);
    rig_done(&r);
}

/* Section 1 row: an empty model id and a name with control bytes, quotes and 0xff. */
Test(mlperf_run, empty_model_and_hostile_name_give_a_schema_valid_report, .timeout = 120)
{
    hostile_strings("\x01q\"u\\o\xff\x7f te", "");
}

Test(mlperf_run, hostile_model_id_gives_a_schema_valid_report, .timeout = 120)
{
    hostile_strings("", "k\"w\\s\xff\x02\x1b[31m01");
}

/* Section 1 row: name% answered with e-[...] and then endless output without m-ready. */
Test(mlperf_run, name_error_then_endless_output_does_not_hang, .timeout = 120)
{
    rig r;
    rig_init(&r, "kws01");
    r.f.name_error_spam = 1;
    rig_go(&r);
    int64_t t0 = eb_mono_ms();
    eb_cmd_capture c = RUN(&r, "--model", "auto", "--timeout", "1", "--quiet");
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "name unavailable"), "the device's error is named: %s", c.err);
    cr_assert_lt(eb_mono_ms() - t0, 60000, "bounded");
    eb_test_cmd_free(&c);
    rig_done(&r);
}

#endif
