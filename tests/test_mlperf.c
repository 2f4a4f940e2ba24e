/* test_mlperf.c - the MLPerf Tiny driver (targets/mlperf_tiny.c) against a scripted fake
 * device on a pty. */
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
    cr_assert(strstr(m.name, "dut"), "%s", m.name);
    cr_assert_str_eq(eb_mlperf_zoo_name(m.model), "ds_cnn_int8");

    uint8_t in[490];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 13 + 7);
    cr_assert_eq(eb_mlperf_load(&m, in, sizeof in, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(f.loads_done, 1);
    cr_assert_eq(memcmp(f.buf, in, sizeof in), 0, "the device holds exactly our input");

    uint64_t us = 0;
    cr_assert_eq(eb_mlperf_infer(&m, 10, 3, 5000, &us, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(us, 12340u, "the window is the two m-lap-us stamps apart");
    f.stop = 1;
    pthread_join(f.th, NULL);
    close(s);
    close(f.fd);
}

Test(mlperf, device_errors_and_energy_mode_are_clear, .timeout = 30)
{
    mlperf_fake f;
    int s = open_pair(&f, "ic01");
    f.energy_mode = 1;
    pthread_create(&f.th, NULL, mf_main, &f);
    eb_mlperf m;
    eb_mlperf_init(&m, s, 2000);
    char err[512] = "";
    cr_assert_eq(eb_mlperf_identify(&m, err, sizeof err), EB_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "energy mode"), "%s", err);
    uint64_t us;
    cr_assert_eq(eb_mlperf_infer(&m, 0, 0, 2000, &us, err, sizeof err), EB_ERR_PROTOCOL);
    cr_assert(strstr(err, "must be >0"), "%s", err);
    /* the line is still in step afterwards */
    cr_assert_eq(eb_mlperf_infer(&m, 2, 0, 2000, &us, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(us, 2468u);
    f.stop = 1;
    pthread_join(f.th, NULL);
    close(s);
    close(f.fd);
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
    cr_assert(strstr(err, "no m-ready"), "%s", err);
    f.stop = 1;
    pthread_join(f.th, NULL);
    close(s);
    close(f.fd);
}
