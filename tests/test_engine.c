/* test_engine.c - iteration control and results built from raw samples. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine.h"

typedef struct {
    size_t calls;
    size_t begins, ends;
    size_t iters_seen;
} counter;

static void infer(void *u) { ((counter *)u)->calls++; }
static void rep_begin(void *u, int32_t rep)
{
    (void)rep;
    ((counter *)u)->begins++;
}
static void rep_end(void *u, int32_t rep, size_t iters)
{
    (void)rep;
    ((counter *)u)->ends++;
    ((counter *)u)->iters_seen += iters;
}

Test(engine, count_driven_repetitions)
{
    eb_measure_settings s = {.warmup = 4, .warmup_min_time_s = 0, .min_iterations = 7,
                             .min_time_s = 0, .max_iterations = 1000, .repetitions = 3};
    counter c = {0};
    eb_measure_hooks h = {rep_begin, rep_end, NULL, &c, NULL};
    eb_samples out;
    cr_assert_eq(eb_measure_run(&s, infer, &c, &h, &out), EB_OK);
    cr_assert_eq(out.warmup_runs, 4);
    cr_assert_eq(out.n_reps, 3);
    cr_assert_eq(out.n, 21);
    for (int r = 0; r < 3; r++)
        cr_assert_eq(out.rep_count[r], 7);
    cr_assert_eq(c.calls, 25);
    cr_assert_eq(c.begins, 3);
    cr_assert_eq(c.ends, 3);
    cr_assert_eq(c.iters_seen, 21);
    for (size_t i = 0; i < out.n; i++)
        cr_assert(out.ns[i] >= 0);
    eb_samples_free(&out);
}

Test(engine, max_iterations_bounds_a_long_min_time)
{
    eb_measure_settings s = {.warmup = 0, .warmup_min_time_s = 0, .min_iterations = 3,
                             .min_time_s = 3600, .max_iterations = 5, .repetitions = 2};
    counter c = {0};
    eb_samples out;
    cr_assert_eq(eb_measure_run(&s, infer, &c, NULL, &out), EB_OK);
    cr_assert_eq(out.n, 10);
    cr_assert_eq(out.rep_count[1], 5);
    eb_samples_free(&out);
}

Test(engine, stop_flag_keeps_samples)
{
    static volatile sig_atomic_t stop = 1;
    eb_measure_settings s;
    eb_measure_defaults(&s);
    counter c = {0};
    eb_measure_hooks h = {NULL, NULL, NULL, NULL, &stop};
    eb_samples out;
    cr_assert_eq(eb_measure_run(&s, infer, &c, &h, &out), EB_OK);
    cr_assert(out.interrupted);
    cr_assert_eq(out.n, 0);
    eb_samples_free(&out);
}

Test(engine, defaults_are_the_documented_ones)
{
    eb_measure_settings s;
    eb_measure_defaults(&s);
    cr_assert_eq(s.warmup, 5);
    cr_assert_float_eq(s.warmup_min_time_s, 0.5, 1e-12);
    cr_assert_eq(s.min_iterations, 20);
    cr_assert_float_eq(s.min_time_s, 1.0, 1e-12);
    cr_assert_eq(s.repetitions, 3);
}

Test(engine, result_from_samples)
{
    /* two repetitions of one stream: {1,2,3} ms and {2,2,2} ms */
    double x[6] = {1, 2, 3, 2, 2, 2};
    eb_rep_info reps[2] = {{3, 0}, {3, 0}};
    eb_report_result r;
    eb_report_result_init(&r);
    cr_assert_eq(eb_result_set_samples(&r, x, 6, reps, 2), EB_OK);
    cr_assert_eq(r.n_samples, 6);
    cr_assert_eq(r.latency.n, 6);
    cr_assert_float_eq(r.latency.median, 2, 1e-12);
    cr_assert_float_eq(r.latency.mean, 2, 1e-12);
    cr_assert_eq(r.n_repetitions, 2);
    cr_assert_float_eq(r.repetition_medians_ms[0], 2, 1e-12);
    cr_assert_float_eq(r.repetition_medians_ms[1], 2, 1e-12);
    /* 3 inferences in 6 ms each: 500/s */
    cr_assert_float_eq(r.repetition_throughput_ips[0], 500, 1e-9);
    cr_assert_float_eq(r.throughput_ips, 500, 1e-9);

    eb_power_model pm = {1.0, 10.0, "test figures"};
    eb_result_set_energy(&r, &pm, NAN, 0, 0, NULL);
    cr_assert_str_eq(r.energy.method, "estimated");
    cr_assert_float_eq(r.energy.joules_per_inference, 10.0 * 2e-3, 1e-12);
    cr_assert(strstr(r.energy.detail, "test figures"));
    eb_result_set_energy(&r, &pm, 3.0, 1.5, 6, "meter");
    cr_assert_str_eq(r.energy.method, "measured");
    cr_assert_float_eq(r.energy.joules_per_inference, 0.5, 1e-12);
    cr_assert_float_eq(r.energy.average_power_w, 2.0, 1e-12);
    eb_report_result_free(&r);
}

Test(engine, offline_throughput_uses_wall_time)
{
    /* two streams, 4 inferences of 1 ms each in a 2 ms repetition: 2000/s */
    double x[4] = {1, 1, 1, 1};
    eb_rep_info reps[1] = {{4, 0.002}};
    eb_report_result r;
    eb_report_result_init(&r);
    r.streams = 2;
    cr_assert_eq(eb_result_set_samples(&r, x, 4, reps, 1), EB_OK);
    cr_assert_float_eq(r.throughput_ips, 2000, 1e-9);
    eb_power_model pm = {1.0, 10.0, "x"};
    eb_result_set_energy(&r, &pm, NAN, 0, 0, NULL);
    cr_assert_float_eq(r.energy.joules_per_inference, 10.0 / 2000, 1e-12);
    eb_report_result_free(&r);
}
