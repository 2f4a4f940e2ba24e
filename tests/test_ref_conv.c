/* test_ref_conv.c - eb_conv2d_{f32,s8}_ref: hand-worked 3x3 convolutions on a 4x4
 * input, and randomized shapes against a double-precision oracle that pads the input
 * explicitly (zeros for fp32, in_zp for int8) and then runs a plain valid convolution. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

/* x(r, c) = 4r + c + 1 on a 4x4 single-channel image. */
static void ramp4x4(float *x)
{
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
}

static const float sobel_x[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};

Test(conv2d_f32_ref, hand_3x3_same_stride1)
{
    eb_conv_params p = {.batch = 1, .in_h = 4, .in_w = 4, .in_c = 1, .out_c = 2, .k_h = 3,
                        .k_w = 3, .stride_h = 1, .stride_w = 1};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
    float x[16], w[18], bias[2] = {0.5f, 0.0f}, y[32];
    ramp4x4(x);
    memcpy(w, sobel_x, sizeof sobel_x); /* OHWI: channel 0 Sobel-x, channel 1 all ones */
    for (int i = 9; i < 18; i++)
        w[i] = 1.0f;
    cr_assert_eq(eb_conv2d_f32_ref_scratch_size(&p), 0);
    eb_conv2d_f32_ref(&p, x, w, bias, NULL, y, NULL);
    const float want0[16] = {-9.5f,  -5.5f, -5.5f, 13.5f, -23.5f, -7.5f, -7.5f, 28.5f,
                             -39.5f, -7.5f, -7.5f, 44.5f, -37.5f, -5.5f, -5.5f, 41.5f};
    const float want1[16] = {14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54};
    for (int i = 0; i < 16; i++) {
        cr_expect_eq(y[2 * i], want0[i], "sobel at %d: %g", i, y[2 * i]);
        cr_expect_eq(y[2 * i + 1], want1[i], "sum at %d: %g", i, y[2 * i + 1]);
    }

    p.act = EB_ACT_RELU6; /* fused: negatives to 0, large values to 6 */
    eb_conv2d_f32_ref(&p, x, w, bias, NULL, y, NULL);
    for (int i = 0; i < 16; i++) {
        cr_expect_eq(y[2 * i], want0[i] < 0 ? 0.0f : 6.0f);
        cr_expect_eq(y[2 * i + 1], 6.0f);
    }
}

Test(conv2d_f32_ref, hand_3x3_same_stride2_pads_bottom_right)
{
    /* SAME, stride 2 on 4x4: one pixel of padding in total, placed bottom/right. */
    eb_conv_params p = {.batch = 1, .in_h = 4, .in_w = 4, .in_c = 1, .out_c = 2, .k_h = 3,
                        .k_w = 3, .stride_h = 2, .stride_w = 2};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    cr_assert(p.out_h == 2 && p.pad_top == 0 && p.pad_bottom == 1);
    float x[16], w[18], y[8];
    ramp4x4(x);
    memcpy(w, sobel_x, sizeof sobel_x);
    for (int i = 9; i < 18; i++)
        w[i] = 1.0f;
    eb_conv2d_f32_ref(&p, x, w, NULL, NULL, y, NULL);
    const float want[8] = {-8, 54, 28, 45, -6, 72, 41, 54};
    for (int i = 0; i < 8; i++)
        cr_expect_eq(y[i], want[i], "at %d: %g, want %g", i, y[i], want[i]);
}

Test(conv2d_s8_ref, hand_3x3_same)
{
    /* The same ramp as int8 with in_zp = -8 (x_q = v - 8, so x_q - in_zp = v). Channel 0
     * (Sobel-x, bias 10) has multiplier 0.5, channel 1 (ones, bias -50) 0.25; out_zp -20
     * with ReLU, so act_min = -20. */
    eb_conv_params p = {.batch = 1, .in_h = 4, .in_w = 4, .in_c = 1, .out_c = 2, .k_h = 3,
                        .k_w = 3, .stride_h = 1, .stride_w = 1, .act = EB_ACT_RELU};
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    int8_t x[16], w[18], y[32];
    for (int i = 0; i < 16; i++)
        x[i] = (int8_t)(i + 1 - 8);
    for (int i = 0; i < 9; i++)
        w[i] = (int8_t)sobel_x[i], w[9 + i] = 1;
    int32_t bias[2] = {10, -50};
    int32_t mult[2], shift[2];
    cr_assert_eq(eb_quantize_multiplier(0.5, &mult[0], &shift[0]), EB_OK);
    cr_assert_eq(eb_quantize_multiplier(0.25, &mult[1], &shift[1]), EB_OK);
    eb_requant q = {.in_zp = -8, .out_zp = -20, .mult = mult, .shift = shift};
    eb_quant_act_range(EB_ACT_RELU, 0.1, q.out_zp, &q.act_min, &q.act_max);
    cr_assert(q.act_min == -20 && q.act_max == 127);
    cr_assert_eq(eb_requant_validate(&q, 2), EB_OK);
    cr_assert_eq(eb_conv2d_s8_ref_scratch_size(&p), 0);
    eb_conv2d_s8_ref(&p, &q, x, w, bias, NULL, y, NULL);
    /* channel 0 accumulators: 0 4 4 23 / -14 2 2 38 / -30 2 2 54 / -28 4 4 51
     * -> -20 + acc/2 (23/2 = 11.5 -> 12), negatives clamp to -20 */
    const int8_t want0[16] = {-20, -18, -18, -8, -20, -19, -19, -1,
                              -20, -19, -19, 7,  -20, -18, -18, 6};
    /* channel 1 accumulators: -36 -26 -20 -28 / -17 4 13 -5 / 7 40 49 19 / -4 22 28 4.
     * TFLite's double rounding shows: 13 * 0.25 = 3.25 gives 4 (the doubled high
     * product 6.5 rounds up to 7, then 3.5 rounds away), 49 * 0.25 gives 13. */
    const int8_t want1[16] = {-20, -20, -20, -20, -20, -19, -16, -20,
                              -18, -10, -7,  -15, -20, -14, -13, -19};
    for (int i = 0; i < 16; i++) {
        cr_expect_eq(y[2 * i], want0[i], "ch0 at %d: %d, want %d", i, y[2 * i], want0[i]);
        cr_expect_eq(y[2 * i + 1], want1[i], "ch1 at %d: %d, want %d", i, y[2 * i + 1],
                     want1[i]);
    }
}

/* Oracle: copy x into a zero-point-filled padded image, then a plain valid conv. */
static void oracle_conv(const eb_conv_params *p, int32_t pad_value, const double *x,
                        const double *w, const double *bias, double *y)
{
    const int32_t ph = p->in_h + p->pad_top + p->pad_bottom;
    const int32_t pw = p->in_w + p->pad_left + p->pad_right;
    double *xp = malloc(sizeof(double) * (size_t)p->batch * ph * pw * p->in_c);
    cr_assert_not_null(xp);
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t r = 0; r < ph; r++)
            for (int32_t c = 0; c < pw; c++)
                for (int32_t ch = 0; ch < p->in_c; ch++) {
                    int32_t ir = r - p->pad_top, ic = c - p->pad_left;
                    int inside = ir >= 0 && ir < p->in_h && ic >= 0 && ic < p->in_w;
                    xp[((n * ph + r) * pw + c) * p->in_c + ch] =
                        inside ? x[((n * p->in_h + ir) * p->in_w + ic) * p->in_c + ch]
                               : pad_value;
                }
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t oy = 0; oy < p->out_h; oy++)
            for (int32_t ox = 0; ox < p->out_w; ox++)
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    double acc = bias[oc];
                    for (int32_t ky = 0; ky < p->k_h; ky++)
                        for (int32_t kx = 0; kx < p->k_w; kx++)
                            for (int32_t ic = 0; ic < p->in_c; ic++)
                                acc += (xp[((n * ph + oy * p->stride_h + ky) * pw +
                                            ox * p->stride_w + kx) *
                                               p->in_c +
                                           ic] -
                                        pad_value) *
                                       w[((oc * p->k_h + ky) * p->k_w + kx) * p->in_c + ic];
                    y[((n * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] = acc;
                }
    free(xp);
}

typedef struct {
    size_t nx, nw, ny;
} sizes;

static sizes conv_sizes(const eb_conv_params *p)
{
    sizes s = {(size_t)p->batch * p->in_h * p->in_w * p->in_c,
               (size_t)p->out_c * p->k_h * p->k_w * p->in_c,
               (size_t)p->batch * p->out_h * p->out_w * p->out_c};
    return s;
}

Test(conv2d_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(31);
    for (int iter = 0; iter < 300; iter++) {
        eb_conv_params p;
        kt_random_conv(&r, &p, 0);
        cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
        sizes s = conv_sizes(&p);
        float *x = malloc(s.nx * 4), *w = malloc(s.nw * 4), *y = malloc(s.ny * 4);
        float bias[16];
        double *xd = malloc(s.nx * 8), *wd = malloc(s.nw * 8), *yd = malloc(s.ny * 8);
        double bd[16], wabs = 0.0;
        kt_fill_f32(&r, x, s.nx, -2.0, 2.0);
        kt_fill_f32(&r, w, s.nw, -1.0, 1.0);
        kt_fill_f32(&r, bias, (size_t)p.out_c, -1.0, 1.0);
        for (size_t i = 0; i < s.nx; i++)
            xd[i] = x[i];
        for (size_t i = 0; i < s.nw; i++)
            wd[i] = w[i], wabs += fabs(w[i]);
        for (int i = 0; i < p.out_c; i++)
            bd[i] = bias[i];
        eb_conv2d_f32_ref(&p, x, w, bias, NULL, y, NULL);
        oracle_conv(&p, 0, xd, wd, bd, yd);
        /* error bound: float accumulation of at most k terms of size <= 2 * |w| */
        double tol = 1e-6 * (2.0 * wabs + 1.0);
        for (size_t i = 0; i < s.ny; i++) {
            double want = kt_act(yd[i], p.act);
            cr_assert(fabs(y[i] - want) <= tol, "iter %d at %zu: %g vs %g", iter, i, y[i],
                      want);
        }
        free(x), free(w), free(y), free(xd), free(wd), free(yd);
    }
}

Test(conv2d_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(32);
    long exact_checked = 0, not_clamped = 0;
    for (int iter = 0; iter < 300; iter++) {
        eb_conv_params p;
        kt_random_conv(&r, &p, 0);
        sizes s = conv_sizes(&p);
        kt_requant_set rq;
        kt_random_requant(&r, &rq, p.out_c, p.k_h * p.k_w * p.in_c, p.act);
        cr_assert_eq(eb_requant_validate(&rq.q, p.out_c), EB_OK);
        int8_t *x = malloc(s.nx), *w = malloc(s.nw), *y = malloc(s.ny);
        int32_t bias[16];
        double *xd = malloc(s.nx * 8), *wd = malloc(s.nw * 8), *yd = malloc(s.ny * 8);
        double bd[16];
        kt_fill_s8(&r, x, s.nx, -128, 127);
        kt_fill_s8(&r, w, s.nw, -127, 127);
        for (int i = 0; i < p.out_c; i++)
            bias[i] = kt_int(&r, -5000, 5000), bd[i] = bias[i];
        for (size_t i = 0; i < s.nx; i++)
            xd[i] = x[i];
        for (size_t i = 0; i < s.nw; i++)
            wd[i] = w[i];
        eb_conv2d_s8_ref(&p, &rq.q, x, w, bias, NULL, y, NULL);
        oracle_conv(&p, rq.q.in_zp, xd, wd, bd, yd); /* exact integers in double */
        for (size_t i = 0; i < s.ny; i++) {
            int32_t oc = (int32_t)(i % (size_t)p.out_c);
            int32_t acc = (int32_t)yd[i];
            /* exact: the restated integer formula */
            int32_t want = kt_clamp((int64_t)rq.q.out_zp + kt_requant(acc, rq.mult[oc],
                                                                      rq.shift[oc]),
                                    rq.q.act_min, rq.q.act_max);
            cr_assert_eq(y[i], want, "iter %d at %zu: %d vs %d", iter, i, y[i], want);
            /* real-valued: within 1 LSB of the exactly scaled result */
            double real = rq.q.out_zp + yd[i] * rq.real[oc];
            int32_t want_real = kt_clamp(kt_round(real), rq.q.act_min, rq.q.act_max);
            cr_assert(abs(y[i] - want_real) <= 1, "iter %d at %zu: %d vs real %.3f", iter, i,
                      y[i], real);
            exact_checked++;
            not_clamped += y[i] > rq.q.act_min && y[i] < rq.q.act_max;
        }
        free(x), free(w), free(y), free(xd), free(wd), free(yd);
    }
    /* the test means something only if most outputs were not saturated */
    cr_assert(not_clamped * 2 > exact_checked, "%ld of %ld in range", not_clamped,
              exact_checked);
}
