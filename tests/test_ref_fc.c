/* test_ref_fc.c - eb_fc_{f32,s8}_ref: hand-worked cases and randomized shapes against
 * double-precision oracles. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(fc_f32_ref, hand_worked)
{
    /* two rows, three inputs, two outputs: W = [[1 2 3] [-1 0 0.5]], bias [0.5 -1] */
    eb_fc_params p = {.batch = 2, .in_features = 3, .out_features = 2};
    cr_assert_eq(eb_fc_validate(&p), EB_OK);
    const float x[6] = {1, 2, 3, -4, 0, 2};
    const float w[6] = {1, 2, 3, -1, 0, 0.5f};
    const float bias[2] = {0.5f, -1};
    float y[4];
    eb_fc_f32_ref(&p, x, w, bias, NULL, y, NULL);
    cr_expect_eq(y[0], 14.5f);
    cr_expect_eq(y[1], -0.5f);
    cr_expect_eq(y[2], 2.5f);
    cr_expect_eq(y[3], 4.0f);
    p.act = EB_ACT_RELU6;
    eb_fc_f32_ref(&p, x, w, bias, NULL, y, NULL);
    cr_expect(y[0] == 6.0f && y[1] == 0.0f && y[2] == 2.5f && y[3] == 4.0f);
    eb_fc_f32_ref(&p, x, w, NULL, NULL, y, NULL); /* no bias */
    cr_expect(y[0] == 6.0f && y[1] == 0.5f && y[2] == 2.0f && y[3] == 5.0f);
}

Test(fc_s8_ref, hand_worked)
{
    /* x_q = [10 -20 30], in_zp 10 -> [0 -30 20]; W rows [1 2 3], [-4 5 -6], [127 -127 0];
     * bias [7 -3 1]; multipliers 0.5, 0.25, 1/64; out_zp 3, no activation.
     * acc: 7 + 0 - 60 + 60 = 7 -> 3.5 -> 4 -> 7
     *      -3 + 0 - 150 - 120 = -273 -> -68.25 -> -68 -> -65
     *      1 + 0 + 3810 + 0 = 3811 -> 59.55 -> 60 -> 63 */
    eb_fc_params p = {.batch = 1, .in_features = 3, .out_features = 3};
    const int8_t x[3] = {10, -20, 30};
    const int8_t w[9] = {1, 2, 3, -4, 5, -6, 127, -127, 0};
    const int32_t bias[3] = {7, -3, 1};
    int32_t mult[3], shift[3];
    const double real[3] = {0.5, 0.25, 1.0 / 64};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(eb_quantize_multiplier(real[i], &mult[i], &shift[i]), EB_OK);
    eb_requant q = {.in_zp = 10, .out_zp = 3, .act_min = -128, .act_max = 127, .mult = mult,
                    .shift = shift};
    int8_t y[3];
    eb_fc_s8_ref(&p, &q, x, w, bias, NULL, y, NULL);
    cr_expect_eq(y[0], 7);
    cr_expect_eq(y[1], -65);
    cr_expect_eq(y[2], 63);
    q.act_min = 3; /* ReLU at out_zp 3 */
    q.act_max = 50;
    eb_fc_s8_ref(&p, &q, x, w, bias, NULL, y, NULL);
    cr_expect(y[0] == 7 && y[1] == 3 && y[2] == 50);
}

Test(fc_s8_ref, saturates_to_int8)
{
    eb_fc_params p = {.batch = 1, .in_features = 4, .out_features = 2};
    const int8_t x[4] = {127, 127, 127, 127};
    const int8_t w[8] = {127, 127, 127, 127, -127, -127, -127, -127};
    int32_t mult[2], shift[2];
    eb_quantize_multiplier(1.0, &mult[0], &shift[0]);
    eb_quantize_multiplier(1.0, &mult[1], &shift[1]);
    eb_requant q = {.in_zp = -128, .out_zp = 0, .act_min = -128, .act_max = 127,
                    .mult = mult, .shift = shift};
    int8_t y[2];
    eb_fc_s8_ref(&p, &q, x, w, NULL, NULL, y, NULL);
    cr_expect(y[0] == 127 && y[1] == -128, "%d %d", y[0], y[1]);
}

Test(fc_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(51);
    for (int iter = 0; iter < 200; iter++) {
        eb_fc_params p = {.batch = kt_int(&r, 1, 4), .in_features = kt_int(&r, 1, 300),
                          .out_features = kt_int(&r, 1, 40), .act = (eb_act)kt_int(&r, 0, 2)};
        cr_assert_eq(eb_fc_validate(&p), EB_OK);
        size_t nx = (size_t)p.batch * p.in_features, nw = (size_t)p.out_features * p.in_features;
        size_t ny = (size_t)p.batch * p.out_features;
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *y = malloc(ny * 4), bias[40];
        kt_fill_f32(&r, x, nx, -2.0, 2.0);
        kt_fill_f32(&r, w, nw, -1.0, 1.0);
        kt_fill_f32(&r, bias, (size_t)p.out_features, -1.0, 1.0);
        eb_fc_f32_ref(&p, x, w, bias, NULL, y, NULL);
        for (int32_t b = 0; b < p.batch; b++)
            for (int32_t o = 0; o < p.out_features; o++) {
                double acc = bias[o], mag = fabs(bias[o]);
                for (int32_t i = 0; i < p.in_features; i++) {
                    double t = (double)x[b * p.in_features + i] * w[o * p.in_features + i];
                    acc += t, mag += fabs(t);
                }
                double want = kt_act(acc, p.act), got = y[b * p.out_features + o];
                cr_assert(fabs(got - want) <= 1e-6 * mag + 1e-7, "iter %d: %g vs %g", iter,
                          got, want);
            }
        free(x), free(w), free(y);
    }
}

Test(fc_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(52);
    long total = 0, in_range = 0;
    for (int iter = 0; iter < 200; iter++) {
        eb_fc_params p = {.batch = kt_int(&r, 1, 4), .in_features = kt_int(&r, 1, 300),
                          .out_features = kt_int(&r, 1, 40), .act = (eb_act)kt_int(&r, 0, 2)};
        size_t nx = (size_t)p.batch * p.in_features, nw = (size_t)p.out_features * p.in_features;
        size_t ny = (size_t)p.batch * p.out_features;
        kt_requant_set rq;
        kt_random_requant(&r, &rq, p.out_features, p.in_features, p.act);
        cr_assert_eq(eb_requant_validate(&rq.q, p.out_features), EB_OK);
        int8_t *x = malloc(nx), *w = malloc(nw), *y = malloc(ny);
        int32_t bias[40];
        kt_fill_s8(&r, x, nx, -128, 127);
        kt_fill_s8(&r, w, nw, -127, 127);
        for (int i = 0; i < p.out_features; i++)
            bias[i] = kt_int(&r, -20000, 20000);
        eb_fc_s8_ref(&p, &rq.q, x, w, bias, NULL, y, NULL);
        for (int32_t b = 0; b < p.batch; b++)
            for (int32_t o = 0; o < p.out_features; o++) {
                int64_t acc = bias[o];
                for (int32_t i = 0; i < p.in_features; i++)
                    acc += ((int64_t)x[b * p.in_features + i] - rq.q.in_zp) *
                           w[o * p.in_features + i];
                int32_t got = y[b * p.out_features + o];
                int32_t want = kt_clamp(rq.q.out_zp + (int64_t)kt_requant((int32_t)acc,
                                                                          rq.mult[o],
                                                                          rq.shift[o]),
                                        rq.q.act_min, rq.q.act_max);
                cr_assert_eq(got, want, "iter %d: %d vs %d", iter, got, want);
                double real = rq.q.out_zp + (double)acc * rq.real[o];
                cr_assert(abs(got - kt_clamp(kt_round(real), rq.q.act_min, rq.q.act_max)) <= 1,
                          "iter %d: %d vs %.3f", iter, got, real);
                total++;
                in_range += got > rq.q.act_min && got < rq.q.act_max;
            }
        free(x), free(w), free(y);
    }
    cr_assert(in_range * 2 > total, "%ld of %ld in range", in_range, total);
}
