/* test_ref_softmax.c - eb_softmax_{f32,s8,tfl_s8}_ref: hand-worked rows and random rows
 * against the double-precision softmax. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(softmax_f32_ref, hand_worked)
{
    eb_softmax_params p = {.rows = 3, .depth = 2, .beta = 1.0f};
    cr_assert_eq(eb_softmax_validate(&p, EB_F32), EB_OK);
    const float x[6] = {0.0f, (float)log(3.0), 1000.0f, 1000.0f, -1000.0f, 0.0f};
    float y[6];
    eb_softmax_f32_ref(&p, x, y);
    cr_expect(fabsf(y[0] - 0.25f) < 1e-7f && fabsf(y[1] - 0.75f) < 1e-7f, "%g %g", y[0], y[1]);
    cr_expect(y[2] == 0.5f && y[3] == 0.5f, "max subtracted: %g %g", y[2], y[3]);
    cr_expect(y[4] == 0.0f && y[5] == 1.0f);
    p.rows = 1, p.beta = 2.0f; /* beta 2: exp(2 ln 3) = 9 -> 0.1, 0.9 */
    eb_softmax_f32_ref(&p, x, y);
    cr_expect(fabsf(y[0] - 0.1f) < 1e-7f && fabsf(y[1] - 0.9f) < 1e-7f, "%g %g", y[0], y[1]);
}

Test(softmax_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(81);
    float x[1000], y[1000];
    for (int iter = 0; iter < 200; iter++) {
        eb_softmax_params p = {.rows = kt_int(&r, 1, 4), .depth = kt_int(&r, 1, 250),
                               .beta = (float)kt_uniform(&r, 0.2, 3.0)};
        kt_fill_f32(&r, x, (size_t)p.rows * p.depth, -10.0, 10.0);
        eb_softmax_f32_ref(&p, x, y);
        for (int32_t row = 0; row < p.rows; row++) {
            const float *xr = x + row * p.depth;
            double m = -INFINITY, s = 0.0, total = 0.0;
            for (int32_t i = 0; i < p.depth; i++)
                m = xr[i] > m ? xr[i] : m;
            for (int32_t i = 0; i < p.depth; i++)
                s += exp((double)p.beta * (xr[i] - m));
            for (int32_t i = 0; i < p.depth; i++) {
                double want = exp((double)p.beta * (xr[i] - m)) / s;
                float got = y[row * p.depth + i];
                cr_assert(fabs(got - want) <= 1e-6 * want + 1e-9, "iter %d: %g vs %g", iter,
                          got, want);
                total += got;
            }
            cr_assert(fabs(total - 1.0) < 1e-5);
        }
    }
}

Test(softmax_s8_ref, hand_worked)
{
    /* in_scale ln 2, beta 1: each step down halves the table entry. */
    uint32_t t[256];
    eb_softmax_params p = {.rows = 1, .depth = 3};
    cr_assert_eq(eb_softmax_s8_prepare(&p, log(2.0), 1.0, t), EB_OK);
    cr_assert(t[255] == 65536 && t[254] == 32768 && t[253] == 16384);
    cr_assert_eq(eb_softmax_validate(&p, EB_S8), EB_OK);
    int8_t x[4] = {10, 9, 8, 0}, y[4];
    eb_softmax_s8_ref(&p, x, y);
    /* 256 * [4 2 1] / 7 = 146.29, 73.14, 36.57 -> 146 73 37, minus 128 */
    cr_expect(y[0] == 18 && y[1] == -55 && y[2] == -91, "%d %d %d", y[0], y[1], y[2]);
    int8_t same[4] = {-128, -128, -128, -128};
    p.depth = 4;
    eb_softmax_s8_ref(&p, same, y); /* 1/4 -> 64 - 128 */
    cr_expect(y[0] == -64 && y[3] == -64);
    p.depth = 1;
    eb_softmax_s8_ref(&p, x, y); /* probability 1 is 256, clamped to 127 */
    cr_expect_eq(y[0], 127);
    int8_t pair[2] = {127, 126}; /* 256 * 2/3 = 170.67, 256 / 3 = 85.33 */
    p.depth = 2;
    eb_softmax_s8_ref(&p, pair, y);
    cr_expect(y[0] == 43 && y[1] == -43, "%d %d", y[0], y[1]);
}

Test(softmax_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(82);
    int8_t x[1000], y[1000];
    uint32_t t[256];
    for (int iter = 0; iter < 200; iter++) {
        double in_scale = kt_uniform(&r, 0.01, 0.3), beta = kt_uniform(&r, 0.5, 2.0);
        eb_softmax_params p = {.rows = kt_int(&r, 1, 4), .depth = kt_int(&r, 1, 250)};
        cr_assert_eq(eb_softmax_s8_prepare(&p, in_scale, beta, t), EB_OK);
        cr_assert_eq(eb_softmax_validate(&p, EB_S8), EB_OK);
        kt_fill_s8(&r, x, (size_t)p.rows * p.depth, -128, 127);
        eb_softmax_s8_ref(&p, x, y);
        for (int32_t row = 0; row < p.rows; row++) {
            const int8_t *xr = x + row * p.depth;
            int32_t m = -128;
            for (int32_t i = 0; i < p.depth; i++)
                m = xr[i] > m ? xr[i] : m;
            double s = 0.0;
            uint64_t isum = 0;
            for (int32_t i = 0; i < p.depth; i++) {
                s += exp(beta * in_scale * (xr[i] - m));
                isum += (uint64_t)llround(65536.0 * exp(beta * in_scale * (xr[i] - m)));
            }
            for (int32_t i = 0; i < p.depth; i++) {
                double e = exp(beta * in_scale * (xr[i] - m));
                double real = 256.0 * e / s - 128.0;
                int32_t got = y[row * p.depth + i];
                cr_assert(abs(got - kt_clamp(kt_round(real), -128, 127)) <= 1,
                          "iter %d: %d vs %.3f", iter, got, real);
                /* exact: the documented integer formula with an independently built table */
                double ti = (double)llround(65536.0 * e);
                int32_t want = kt_clamp(kt_round(ti * 256.0 / (double)isum) - 128, -128, 127);
                cr_assert_eq(got, want, "iter %d: %d vs %d", iter, got, want);
            }
        }
    }
}

/* softmax_tfl_s8: TFLite's reference int8 softmax. Known answers from the independent
 * numpy reading of TFLite's arithmetic (tests/tflite_int8_ref.py, its softmax on these
 * rows), then a property over random rows: every output within one step of the exact
 * softmax, the row's maximum on the largest output, and -128 below diff_min. */
Test(ref_softmax, tfl_s8_known_answers)
{
    static const struct {
        float scale;
        int8_t x[10], y[10];
    } cases[] = {
        {0.0625f, {113, 32, 47, 101, 20, 70, 85, -71, -114, -52},
         {19, -127, -126, -58, -128, -118, -102, -128, -128, -128}},
        {0.171875f, {-56, 95, 105, -127, -1, 82, -95, 76, -98, -9},
         {-128, -90, 84, -128, -128, -124, -128, -127, -128, -128}},
        {0.3f, {81, -51, -41, -57, 56, -63, 125, -15, -6, 1},
         {-128, -128, -128, -128, -128, -128, 127, -128, -128, -128}},
        {0.0390625f, {21, 13, 2, 126, 78, 74, 51, 31, -41, 125},
         {-126, -127, -127, -20, -111, -114, -122, -125, -128, -24}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        eb_softmax_params p;
        memset(&p, 0, sizeof p);
        cr_assert_eq(eb_softmax_tfl_s8_prepare(&p, (double)cases[k].scale, 1.0), EB_OK);
        p.rows = 1;
        p.depth = 10;
        cr_assert_eq(eb_softmax_tfl_s8_validate(&p), EB_OK);
        int8_t y[10];
        eb_softmax_tfl_s8_ref(&p, cases[k].x, y);
        for (int i = 0; i < 10; i++)
            cr_expect_eq(y[i], cases[k].y[i], "scale %g [%d]: %d, want %d",
                         (double)cases[k].scale, i, y[i], cases[k].y[i]);
    }
}

Test(ref_softmax, tfl_s8_within_one_step_of_exact)
{
    uint64_t s = 99;
    for (int trial = 0; trial < 300; trial++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        const double scale = 0.01 + (double)((s >> 40) % 1000) / 2000.0;
        const int32_t depth = 1 + (int32_t)((s >> 20) % 300);
        eb_softmax_params p;
        memset(&p, 0, sizeof p);
        cr_assert_eq(eb_softmax_tfl_s8_prepare(&p, scale, 1.0), EB_OK);
        p.rows = 1;
        p.depth = depth;
        int8_t x[300], y[300];
        for (int32_t i = 0; i < depth; i++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            x[i] = (int8_t)(s >> 56);
        }
        eb_softmax_tfl_s8_ref(&p, x, y);
        int32_t m = x[0], am = 0;
        for (int32_t i = 1; i < depth; i++)
            if (x[i] > m)
                m = x[i], am = i;
        double sum = 0;
        for (int32_t i = 0; i < depth; i++)
            sum += exp(scale * (x[i] - m));
        int32_t ymax = -128;
        for (int32_t i = 0; i < depth; i++) {
            double want = fmin(127.0, round(256.0 * exp(scale * (x[i] - m)) / sum) - 128.0);
            cr_assert(fabs(y[i] - want) <= 1.0, "scale %g depth %d [%d]: %d, exact %.0f", scale,
                      depth, i, y[i], want);
            if (x[i] - m < p.diff_min)
                cr_assert_eq(y[i], -128);
            ymax = y[i] > ymax ? y[i] : ymax;
        }
        cr_assert_eq(y[am], ymax, "the maximum input has the largest output");
    }
}
