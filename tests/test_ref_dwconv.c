/* test_ref_dwconv.c - eb_dwconv_{f32,s8}_ref: a hand-worked 3x3 depthwise case and
 * randomized shapes against a double-precision oracle (explicitly padded input). */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(dwconv_f32_ref, hand_3x3_same_two_channels)
{
    /* 4x4x2: channel 0 is the ramp 1..16, channel 1 is its negation. Weights 1HWC:
     * channel 0 all ones (neighbourhood sums), channel 1 the centre tap 2 only. */
    eb_conv_params p = {.batch = 1, .in_h = 4, .in_w = 4, .in_c = 2, .out_c = 2, .k_h = 3,
                        .k_w = 3, .stride_h = 1, .stride_w = 1};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    cr_assert_eq(eb_dwconv_validate(&p), EB_OK);
    float x[32], w[18], bias[2] = {0.0f, 1.0f}, y[32];
    for (int i = 0; i < 16; i++)
        x[2 * i] = (float)(i + 1), x[2 * i + 1] = -(float)(i + 1);
    for (int i = 0; i < 9; i++)
        w[2 * i] = 1.0f, w[2 * i + 1] = i == 4 ? 2.0f : 0.0f;
    eb_dwconv_f32_ref(&p, x, w, bias, NULL, y, NULL);
    const float want0[16] = {14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54};
    for (int i = 0; i < 16; i++) {
        cr_expect_eq(y[2 * i], want0[i], "ch0 at %d: %g", i, y[2 * i]);
        cr_expect_eq(y[2 * i + 1], 1.0f - 2.0f * (float)(i + 1), "ch1 at %d", i);
    }
    p.act = EB_ACT_RELU;
    eb_dwconv_f32_ref(&p, x, w, bias, NULL, y, NULL);
    for (int i = 0; i < 16; i++)
        cr_expect(y[2 * i] == want0[i] && y[2 * i + 1] == 0.0f);
}

Test(dwconv_s8_ref, hand_3x3_valid_stride2)
{
    /* 5x5x1 ramp 0..24 as int8 with in_zp 3, VALID 3x3 stride 2 -> 2x2. Weights all 1,
     * bias 6, multiplier 1/9 (an average), out_zp -5. Window sums of v = 0..24:
     * 54 72 / 144 162; (sum - 9*3 + 6) / 9 = 3.67, 5.67, 13.67, 15.67. */
    eb_conv_params p = {.batch = 1, .in_h = 5, .in_w = 5, .in_c = 1, .out_c = 1, .k_h = 3,
                        .k_w = 3, .stride_h = 2, .stride_w = 2};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_VALID), EB_OK);
    cr_assert(p.out_h == 2 && p.out_w == 2);
    int8_t x[25], w[9], y[4];
    for (int i = 0; i < 25; i++)
        x[i] = (int8_t)i;
    for (int i = 0; i < 9; i++)
        w[i] = 1;
    int32_t bias = 6, mult, shift;
    cr_assert_eq(eb_quantize_multiplier(1.0 / 9.0, &mult, &shift), EB_OK);
    eb_requant q = {.in_zp = 3, .out_zp = -5, .act_min = -128, .act_max = 127, .mult = &mult,
                    .shift = &shift};
    eb_dwconv_s8_ref(&p, &q, x, w, &bias, NULL, y, NULL);
    const int8_t want[4] = {-1, 1, 9, 11};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(y[i], want[i], "at %d: %d", i, y[i]);
}

Test(dwconv_s8_ref, padding_counts_as_zero_point)
{
    /* A constant input equal to in_zp is real zero: every output is out_zp + bias term,
     * including the border windows that hang over the padding. */
    eb_conv_params p = {.batch = 1, .in_h = 3, .in_w = 3, .in_c = 3, .out_c = 3, .k_h = 3,
                        .k_w = 3, .stride_h = 1, .stride_w = 1};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    int8_t x[27], w[27], y[27];
    for (int i = 0; i < 27; i++)
        x[i] = -37, w[i] = (int8_t)(i * 5 - 60);
    int32_t bias[3] = {0, 100, -100}, mult[3], shift[3];
    for (int c = 0; c < 3; c++)
        eb_quantize_multiplier(0.5, &mult[c], &shift[c]);
    eb_requant q = {.in_zp = -37, .out_zp = 9, .act_min = -128, .act_max = 127, .mult = mult,
                    .shift = shift};
    eb_dwconv_s8_ref(&p, &q, x, w, bias, NULL, y, NULL);
    for (int i = 0; i < 27; i++)
        cr_expect_eq(y[i], 9 + bias[i % 3] / 2, "at %d: %d", i, y[i]);
}

static void oracle_dwconv(const eb_conv_params *p, double pad_value, const double *x,
                          const double *w, const double *bias, double *y)
{
    const int32_t ph = p->in_h + p->pad_top + p->pad_bottom;
    const int32_t pw = p->in_w + p->pad_left + p->pad_right;
    const int32_t C = p->in_c;
    double *xp = malloc(sizeof(double) * (size_t)p->batch * ph * pw * C);
    cr_assert_not_null(xp);
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t r = 0; r < ph; r++)
            for (int32_t c = 0; c < pw; c++)
                for (int32_t ch = 0; ch < C; ch++) {
                    int32_t ir = r - p->pad_top, ic = c - p->pad_left;
                    int inside = ir >= 0 && ir < p->in_h && ic >= 0 && ic < p->in_w;
                    xp[((n * ph + r) * pw + c) * C + ch] =
                        inside ? x[((n * p->in_h + ir) * p->in_w + ic) * C + ch] : pad_value;
                }
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t oy = 0; oy < p->out_h; oy++)
            for (int32_t ox = 0; ox < p->out_w; ox++)
                for (int32_t ch = 0; ch < C; ch++) {
                    double acc = bias[ch];
                    for (int32_t ky = 0; ky < p->k_h; ky++)
                        for (int32_t kx = 0; kx < p->k_w; kx++)
                            acc += (xp[((n * ph + oy * p->stride_h + ky) * pw +
                                        ox * p->stride_w + kx) * C + ch] - pad_value) *
                                   w[(ky * p->k_w + kx) * C + ch];
                    y[((n * p->out_h + oy) * p->out_w + ox) * C + ch] = acc;
                }
    free(xp);
}

Test(dwconv_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(41);
    for (int iter = 0; iter < 300; iter++) {
        eb_conv_params p;
        kt_random_conv(&r, &p, 1);
        cr_assert_eq(eb_dwconv_validate(&p), EB_OK);
        size_t nx = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
        size_t nw = (size_t)p.k_h * p.k_w * p.in_c;
        size_t ny = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *y = malloc(ny * 4), bias[16];
        double *xd = malloc(nx * 8), *wd = malloc(nw * 8), *yd = malloc(ny * 8), bd[16];
        kt_fill_f32(&r, x, nx, -2.0, 2.0);
        kt_fill_f32(&r, w, nw, -1.0, 1.0);
        kt_fill_f32(&r, bias, (size_t)p.out_c, -1.0, 1.0);
        for (size_t i = 0; i < nx; i++)
            xd[i] = x[i];
        for (size_t i = 0; i < nw; i++)
            wd[i] = w[i];
        for (int i = 0; i < p.out_c; i++)
            bd[i] = bias[i];
        eb_dwconv_f32_ref(&p, x, w, bias, NULL, y, NULL);
        oracle_dwconv(&p, 0.0, xd, wd, bd, yd);
        for (size_t i = 0; i < ny; i++) {
            double want = kt_act(yd[i], p.act);
            cr_assert(fabs(y[i] - want) <= 1e-5, "iter %d at %zu: %g vs %g", iter, i, y[i],
                      want);
        }
        free(x), free(w), free(y), free(xd), free(wd), free(yd);
    }
}

Test(dwconv_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(42);
    long total = 0, in_range = 0;
    for (int iter = 0; iter < 300; iter++) {
        eb_conv_params p;
        kt_random_conv(&r, &p, 1);
        size_t nx = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
        size_t nw = (size_t)p.k_h * p.k_w * p.in_c;
        size_t ny = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
        kt_requant_set rq;
        kt_random_requant(&r, &rq, p.out_c, p.k_h * p.k_w, p.act);
        cr_assert_eq(eb_requant_validate(&rq.q, p.out_c), EB_OK);
        int8_t *x = malloc(nx), *w = malloc(nw), *y = malloc(ny);
        int32_t bias[16];
        double *xd = malloc(nx * 8), *wd = malloc(nw * 8), *yd = malloc(ny * 8), bd[16];
        kt_fill_s8(&r, x, nx, -128, 127);
        kt_fill_s8(&r, w, nw, -127, 127);
        for (int i = 0; i < p.out_c; i++)
            bias[i] = kt_int(&r, -3000, 3000), bd[i] = bias[i];
        for (size_t i = 0; i < nx; i++)
            xd[i] = x[i];
        for (size_t i = 0; i < nw; i++)
            wd[i] = w[i];
        eb_dwconv_s8_ref(&p, &rq.q, x, w, bias, NULL, y, NULL);
        oracle_dwconv(&p, rq.q.in_zp, xd, wd, bd, yd);
        for (size_t i = 0; i < ny; i++) {
            int32_t c = (int32_t)(i % (size_t)p.out_c);
            int32_t want = kt_clamp((int64_t)rq.q.out_zp +
                                        kt_requant((int32_t)yd[i], rq.mult[c], rq.shift[c]),
                                    rq.q.act_min, rq.q.act_max);
            cr_assert_eq(y[i], want, "iter %d at %zu: %d vs %d", iter, i, y[i], want);
            double real = rq.q.out_zp + yd[i] * rq.real[c];
            int32_t want_real = kt_clamp(kt_round(real), rq.q.act_min, rq.q.act_max);
            cr_assert(abs(y[i] - want_real) <= 1, "iter %d at %zu: %d vs %.3f", iter, i,
                      y[i], real);
            total++;
            in_range += y[i] > rq.q.act_min && y[i] < rq.q.act_max;
        }
        free(x), free(w), free(y), free(xd), free(wd), free(yd);
    }
    cr_assert(in_range * 2 > total, "%ld of %ld in range", in_range, total);
}
