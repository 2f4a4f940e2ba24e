/* test_mlperf.c - the MLPerf Tiny driver (targets/mlperf_tiny.c): its reply parser on
 * scripted lines, and the driver against the fake device (tests/mlperf_fake.h) on a pty.
 * The end-to-end `run` tests are in test_mlperf_run.c. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pty.h>
#include <stdarg.h>
#include <termios.h>

#include "eb_mlperf.h"
#include "mlperf_fake.h"

static int open_pair(mlperf_fake *f, const char *model)
{
    int m, s;
    cr_assert_eq(openpty(&m, &s, NULL, NULL, NULL), 0);
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    memset(f, 0, sizeof *f);
    f->fd = m;
    f->model = model;
    f->infer_us = 1234;
    return s;
}

/* ---- the parser on its own ---- */

static bool feed_all(eb_mlperf_reply *r, const char *const *lines)
{
    for (; *lines; lines++)
        if (eb_mlperf_reply_feed(r, *lines))
            return true;
    return false;
}

Test(mlperf_reply, debug_lines_between_the_stamps_are_ignored)
{
    eb_mlperf_reply r;
    eb_mlperf_reply_start(&r, "m-infer-start", true);
    static const char *const lines[] = {
        "m-warmup-start-1", "m-warmup-done", "m-infer-start-3", "m-lap-us-1000", "dbg 1",
        "dbg 2", "layer 3 ok", "m-lap-us-4000", "m-infer-done", "m-results-[0.1]", "m-ready",
        NULL};
    cr_assert(feed_all(&r, lines));
    cr_assert_eq(r.ignored, 3);
    uint64_t us;
    bool wrapped;
    char err[256];
    cr_assert_eq(eb_mlperf_reply_window(&r, false, &us, &wrapped, err, sizeof err), EB_OK, "%s",
                 err);
    cr_assert_eq(us, 3000u);
    cr_assert(!wrapped);
}

Test(mlperf_reply, stale_ready_is_skipped_and_a_reboot_ends_the_wait)
{
    eb_mlperf_reply r;
    eb_mlperf_reply_start(&r, "m-name-", false);
    static const char *const boot[] = {"m-timestamp-mode-energy", "m-init-done", "m-ready", NULL};
    cr_assert(!feed_all(&r, boot), "a boot greeting's m-ready is not name%%'s answer");
    cr_assert_eq(r.mode, EB_MLPERF_MODE_ENERGY, "the mode is remembered across it");
    cr_assert_eq(r.stale, 1);
    static const char *const ans[] = {"m-name-dut-[x]", "m-ready", NULL};
    cr_assert(feed_all(&r, ans));
    cr_assert_str_eq(r.keep[0], "m-name-dut-[x]");

    eb_mlperf_reply_start(&r, "m-infer-start", true);
    static const char *const reset[] = {"m-infer-start-5", "m-lap-us-10",
                                        "m-timestamp-mode-performance", "m-init-done",
                                        "m-ready", NULL};
    cr_assert(feed_all(&r, reset));
    cr_assert(r.reset);
    eb_mlperf_reply_start(&r, "m-infer-start", true);
    static const char *const reboot_first[] = {"m-init-done", "m-ready", NULL};
    cr_assert(feed_all(&r, reboot_first), "the command died with the reboot");
    cr_assert(r.reset);
}

Test(mlperf_reply, counter_wrap_is_modulo_2_32_only_for_a_32_bit_counter)
{
    eb_mlperf_reply r;
    eb_mlperf_reply_start(&r, "m-infer-start", true);
    static const char *const lines[] = {"m-infer-start-1", "m-lap-us-4294967000",
                                        "m-lap-us-500", "m-infer-done", "m-ready", NULL};
    cr_assert(feed_all(&r, lines));
    uint64_t us;
    bool wrapped;
    char err[256];
    cr_assert_eq(eb_mlperf_reply_window(&r, false, &us, &wrapped, err, sizeof err), EB_OK);
    cr_assert_eq(us, 796u);
    cr_assert(wrapped);
    cr_assert_eq(eb_mlperf_reply_window(&r, true, &us, &wrapped, err, sizeof err),
                 EB_ERR_PROTOCOL, "a 64-bit counter does not go backwards");
    cr_assert(strstr(err, "backwards"), "%s", err);
    r.n_lap = 1;
    cr_assert_eq(eb_mlperf_reply_window(&r, false, &us, &wrapped, err, sizeof err),
                 EB_ERR_PROTOCOL);
    cr_assert(strstr(err, "1 m-lap-us") && strstr(err, "exactly two"), "%s", err);
}

Test(mlperf_reply, complaints_relays_and_errors)
{
    eb_mlperf_reply r;
    eb_mlperf_reply_start(&r, "m-infer-start", true);
    static const char *const a[] = {"e-Input db has 0 elemented, expected 490", "m-ready", NULL};
    cr_assert(feed_all(&r, a));
    cr_assert(r.input_complaint);
    cr_assert_eq(r.input_have, 0);
    cr_assert_eq(r.input_want, 490);
    eb_mlperf_reply_start(&r, "m-name-", false);
    static const char *const b[] = {"m-dut-passthrough(name)", "m-ready", NULL};
    cr_assert(feed_all(&r, b));
    cr_assert(r.interface_board);
    eb_mlperf_reply_start(&r, "m-[Expecting", true);
    static const char *const c[] = {"Supplied buffer size 99999 exceeds maximum of 27648",
                                    "m-ready", NULL};
    cr_assert(feed_all(&r, c), "the size refusal is db load's answer");
    cr_assert(r.too_big);
}

Test(mlperf_reply, device_strings_are_cleaned)
{
    char out[16];
    eb_mlperf_clean(out, sizeof out, "\x01q\"u\\o\xff\x7f", 8, "unknown");
    cr_assert_str_eq(out, "_q_u_o__");
    eb_mlperf_clean(out, sizeof out, "   ", 3, "unknown");
    cr_assert_str_eq(out, "unknown");
    eb_mlperf_clean(out, sizeof out, "a very long device name indeed", 30, "x");
    cr_assert_eq(strlen(out), 15);
}

/* ---- the driver against the fake ---- */

Test(mlperf, identify_load_and_infer_windows, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "kws01");
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 2000);
    char err[512] = "";
    cr_assert_eq(eb_mlperf_identify(&m, err, sizeof err), EB_OK, "%s", err);
    cr_assert_str_eq(m.model, "kws01");
    cr_assert_str_eq(m.profile, "ULPMark for tinyML Firmware V0.0.1");
    cr_assert_str_eq(m.role, "dut");
    cr_assert_str_eq(m.name, "unspecified");
    cr_assert_eq(m.mode, EB_MLPERF_MODE_PERFORMANCE);
    cr_assert_str_eq(eb_mlperf_zoo_name(m.model), "ds_cnn_int8");

    uint8_t in[490];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 13 + 7);
    cr_assert_eq(eb_mlperf_load(&m, in, sizeof in, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(f.loads_done, 1);
    cr_assert_eq(memcmp(f.buf, in, sizeof in), 0, "the device holds exactly our input");

    eb_mlperf_window w;
    cr_assert_eq(eb_mlperf_infer(&m, 10, 3, 5000, 10000, &w, err, sizeof err), EB_OK, "%s",
                 err);
    cr_assert_eq(w.elapsed_us, 12340u, "the window is the two m-lap-us stamps apart");
    mf_finish(&f);
    close(s);
}

Test(mlperf, device_errors_leave_the_line_in_step, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "ic01");
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 2000);
    char err[512] = "";
    cr_assert_eq(eb_mlperf_identify(&m, err, sizeof err), EB_OK, "%s", err);
    eb_mlperf_window w;
    cr_assert_eq(eb_mlperf_infer(&m, 0, 0, 2000, 4000, &w, err, sizeof err), EB_ERR_PROTOCOL);
    cr_assert(strstr(err, "must be >0"), "%s", err);
    cr_assert_eq(eb_mlperf_infer(&m, 2, 0, 2000, 4000, &w, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(w.elapsed_us, 2468u);
    mf_finish(&f);
    close(s);
}

Test(mlperf, energy_mode_is_refused_with_the_energyrunner_sentence, .timeout = 30)
{
    for (int banner = 0; banner < 2; banner++) {
        mlperf_fake f;
        int s = open_pair(&f, "ic01");
        f.energy_mode = 1;
        f.no_boot_banner = !banner;
        pthread_create(&f.th, NULL, mf_main, &f);
        eb_mlperf m;
        eb_mlperf_init(&m, s, 500);
        char err[512] = "";
        cr_assert_eq(eb_mlperf_identify(&m, err, sizeof err), EB_ERR_UNSUPPORTED, "%s", err);
        cr_assert(strstr(err, "EnergyRunner") && strstr(err, "9600") &&
                  strstr(err, "`dut <cmd>%`"), "%s", err);
        cr_assert_eq(m.mode, EB_MLPERF_MODE_ENERGY, "%s", banner ? "from the banner" : "from the probe");
        mf_finish(&f);
        close(s);
    }
}

Test(mlperf, reset_during_infer_is_reported_and_the_input_reloads, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "kws01");
    f.in_bytes = 490;
    f.reset_at_infer = 1;
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 2000);
    char err[512] = "";
    cr_assert_eq(eb_mlperf_identify(&m, err, sizeof err), EB_OK, "%s", err);
    uint8_t in[490] = {1, 2, 3};
    cr_assert_eq(eb_mlperf_load(&m, in, sizeof in, err, sizeof err), EB_OK, "%s", err);
    eb_mlperf_window w;
    cr_assert_eq(eb_mlperf_infer(&m, 10, 0, 2000, 4000, &w, err, sizeof err), EB_ERR_PROTOCOL);
    cr_assert(w.reset, "%s", err);
    cr_assert_eq(eb_mlperf_infer(&m, 10, 0, 2000, 4000, &w, err, sizeof err), EB_ERR_PROTOCOL);
    cr_assert(w.input_complaint && w.input_have == 0 && w.input_want == 490, "%s", err);
    cr_assert(strstr(err, "0 elements") && strstr(err, "490"), "%s", err);
    cr_assert_eq(eb_mlperf_load(&m, in, sizeof in, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_mlperf_infer(&m, 10, 0, 2000, 4000, &w, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(w.elapsed_us, 12340u);
    mf_finish(&f);
    close(s);
}

Test(mlperf, silent_device_times_out_in_bounded_time, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "ad01");
    f.silent = 1;
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 300);
    char err[512] = "";
    int64_t t0 = eb_mono_ms();
    /* its boot greeting ends in m-ready, but nothing answers name%: a stale m-ready
     * must not count as an answer */
    eb_status st = eb_mlperf_identify(&m, err, sizeof err);
    cr_assert_eq(st, EB_ERR_TIMEOUT, "%s", err);
    cr_assert_lt(eb_mono_ms() - t0, 5000);
    cr_assert(strstr(err, "no reply") || strstr(err, "no further line"), "%s", err);
    mf_finish(&f);
    close(s);
}

Test(mlperf, error_then_endless_output_is_bounded, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "kws01");
    f.name_error_spam = 1;
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 300);
    char err[512] = "";
    int64_t t0 = eb_mono_ms();
    cr_assert_neq(eb_mlperf_identify(&m, err, sizeof err), EB_OK);
    cr_assert_lt(eb_mono_ms() - t0, 10000, "bounded by the whole-command deadline");
    cr_assert(strstr(err, "name unavailable") && strstr(err, "without ending with m-ready"),
              "%s", err);
    mf_finish(&f);
    close(s);
}
