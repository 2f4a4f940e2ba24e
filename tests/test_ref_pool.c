/* test_ref_pool.c - average, max and global average pool (fp32 and int8): hand-worked
 * cases on a 4x4 ramp and randomized geometries against double-precision oracles that
 * clip each window to the image. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

static eb_pool_params pool4x4(int32_t k, int32_t s, eb_padding pad)
{
    eb_pool_params p = {.batch = 1, .in_h = 4, .in_w = 4, .c = 1, .k_h = k, .k_w = k,
                        .stride_h = s, .stride_w = s, .act_min = -128, .act_max = 127};
    cr_assert_eq(eb_pool_out_dims(&p, pad), EB_OK);
    cr_assert_eq(eb_pool_validate(&p), EB_OK);
    return p;
}

Test(avgpool_f32_ref, hand_3x3_same_divides_by_in_bounds_count)
{
    eb_pool_params p = pool4x4(3, 1, EB_PAD_SAME);
    float x[16], y[16];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    eb_avgpool_f32_ref(&p, x, y);
    /* corners average 4 pixels, edges 6, the interior 9 */
    const float want[16] = {3.5f, 4,  5,  5.5f,  5.5f,  6,  7,  7.5f,
                            9.5f, 10, 11, 11.5f, 11.5f, 12, 13, 13.5f};
    for (int i = 0; i < 16; i++)
        cr_expect_eq(y[i], want[i], "at %d: %g", i, y[i]);
    p.act = EB_ACT_RELU6;
    eb_avgpool_f32_ref(&p, x, y);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(y[i], fminf(want[i], 6.0f));
}

Test(avgpool_s8_ref, hand_3x3_same_rounds_half_away)
{
    eb_pool_params p = pool4x4(3, 1, EB_PAD_SAME);
    int8_t x[16], y[16];
    for (int i = 0; i < 16; i++)
        x[i] = (int8_t)(i + 1 - 8); /* the ramp minus 8: averages -4.5 .. 5.5 */
    eb_avgpool_s8_ref(&p, x, y);
    /* -4.5 -4 -3 -2.5 / -2.5 -2 -1 -0.5 / 1.5 2 3 3.5 / 3.5 4 5 5.5 */
    const int8_t want[16] = {-5, -4, -3, -3, -3, -2, -1, -1, 2, 2, 3, 4, 4, 4, 5, 6};
    for (int i = 0; i < 16; i++)
        cr_expect_eq(y[i], want[i], "at %d: %d", i, y[i]);
    p.act_min = -2, p.act_max = 4;
    eb_avgpool_s8_ref(&p, x, y);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(y[i], want[i] < -2 ? -2 : (want[i] > 4 ? 4 : want[i]));
}

Test(maxpool_f32_ref, hand_cases)
{
    float x[16], y[4];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    eb_pool_params p = pool4x4(2, 2, EB_PAD_VALID);
    eb_maxpool_f32_ref(&p, x, y);
    cr_expect(y[0] == 6 && y[1] == 8 && y[2] == 14 && y[3] == 16);
    p = pool4x4(3, 2, EB_PAD_SAME); /* padding at bottom/right only */
    eb_maxpool_f32_ref(&p, x, y);
    cr_expect(y[0] == 11 && y[1] == 12 && y[2] == 15 && y[3] == 16, "%g %g %g %g", y[0], y[1],
              y[2], y[3]);
    for (int i = 0; i < 16; i++)
        x[i] = -(float)(i + 1); /* padding must not act as a 0 */
    eb_maxpool_f32_ref(&p, x, y);
    cr_expect(y[0] == -1 && y[1] == -3 && y[2] == -9 && y[3] == -11, "%g %g %g %g", y[0],
              y[1], y[2], y[3]);
    p.act = EB_ACT_RELU;
    eb_maxpool_f32_ref(&p, x, y);
    cr_expect(y[0] == 0 && y[3] == 0);
}

Test(maxpool_s8_ref, hand_cases)
{
    int8_t x[16], y[4];
    for (int i = 0; i < 16; i++)
        x[i] = (int8_t)(-100 - i);
    eb_pool_params p = pool4x4(3, 2, EB_PAD_SAME);
    eb_maxpool_s8_ref(&p, x, y);
    cr_expect(y[0] == -100 && y[1] == -102 && y[2] == -108 && y[3] == -110, "%d %d %d %d",
              y[0], y[1], y[2], y[3]);
    for (int i = 0; i < 16; i++)
        x[i] = -128;
    eb_maxpool_s8_ref(&p, x, y);
    cr_expect(y[0] == -128 && y[3] == -128);
    x[5] = 90;
    p.act_min = -20, p.act_max = 60;
    eb_maxpool_s8_ref(&p, x, y);
    cr_expect(y[0] == 60 && y[1] == -20 && y[2] == -20 && y[3] == -20, "%d %d %d %d", y[0],
              y[1], y[2], y[3]);
}

static eb_pool_params random_pool(kt_rng *r)
{
    eb_conv_params g;
    kt_random_conv(r, &g, 1);
    eb_pool_params p = {.batch = g.batch, .in_h = g.in_h, .in_w = g.in_w, .c = g.in_c,
                        .out_h = g.out_h, .out_w = g.out_w, .k_h = g.k_h, .k_w = g.k_w,
                        .stride_h = g.stride_h, .stride_w = g.stride_w, .pad_top = g.pad_top,
                        .pad_left = g.pad_left, .pad_bottom = g.pad_bottom,
                        .pad_right = g.pad_right, .act = g.act};
    p.act_min = kt_int(r, -128, 0);
    p.act_max = kt_int(r, p.act_min, 127);
    cr_assert_eq(eb_pool_validate(&p), EB_OK);
    return p;
}

/* Window of output (oy, ox) clipped to the image: rows [*y0, *y1), cols [*x0, *x1). */
static void clip_window(const eb_pool_params *p, int32_t oy, int32_t ox, int32_t *y0,
                        int32_t *y1, int32_t *x0, int32_t *x1)
{
    int32_t sy = oy * p->stride_h - p->pad_top, sx = ox * p->stride_w - p->pad_left;
    *y0 = sy < 0 ? 0 : sy;
    *x0 = sx < 0 ? 0 : sx;
    *y1 = sy + p->k_h > p->in_h ? p->in_h : sy + p->k_h;
    *x1 = sx + p->k_w > p->in_w ? p->in_w : sx + p->k_w;
}

#define IDX(p, n, yy, xx, ch) ((((size_t)(n) * (p).in_h + (yy)) * (p).in_w + (xx)) * (p).c + (ch))
#define ODX(p, n, yy, xx, ch) ((((size_t)(n) * (p).out_h + (yy)) * (p).out_w + (xx)) * (p).c + (ch))

Test(pool_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(61);
    for (int iter = 0; iter < 400; iter++) {
        eb_pool_params p = random_pool(&r);
        size_t nx = (size_t)p.batch * p.in_h * p.in_w * p.c;
        size_t ny = (size_t)p.batch * p.out_h * p.out_w * p.c;
        float *x = malloc(nx * 4), *ya = malloc(ny * 4), *ym = malloc(ny * 4);
        kt_fill_f32(&r, x, nx, -3.0, 3.0);
        eb_avgpool_f32_ref(&p, x, ya);
        eb_maxpool_f32_ref(&p, x, ym);
        for (int32_t n = 0; n < p.batch; n++)
            for (int32_t oy = 0; oy < p.out_h; oy++)
                for (int32_t ox = 0; ox < p.out_w; ox++)
                    for (int32_t ch = 0; ch < p.c; ch++) {
                        int32_t y0, y1, x0, x1;
                        clip_window(&p, oy, ox, &y0, &y1, &x0, &x1);
                        double sum = 0.0, mx = -INFINITY;
                        for (int32_t yy = y0; yy < y1; yy++)
                            for (int32_t xx = x0; xx < x1; xx++) {
                                double v = x[IDX(p, n, yy, xx, ch)];
                                sum += v;
                                mx = v > mx ? v : mx;
                            }
                        double avg = kt_act(sum / ((y1 - y0) * (x1 - x0)), p.act);
                        size_t o = ODX(p, n, oy, ox, ch);
                        cr_assert(fabs(ya[o] - avg) <= 1e-5, "iter %d avg %g vs %g", iter,
                                  ya[o], avg);
                        cr_assert_eq(ym[o], kt_act(mx, p.act), "iter %d max", iter);
                    }
        free(x), free(ya), free(ym);
    }
}

Test(pool_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(62);
    for (int iter = 0; iter < 400; iter++) {
        eb_pool_params p = random_pool(&r);
        size_t nx = (size_t)p.batch * p.in_h * p.in_w * p.c;
        size_t ny = (size_t)p.batch * p.out_h * p.out_w * p.c;
        int8_t *x = malloc(nx), *ya = malloc(ny), *ym = malloc(ny);
        kt_fill_s8(&r, x, nx, -128, 127);
        eb_avgpool_s8_ref(&p, x, ya);
        eb_maxpool_s8_ref(&p, x, ym);
        for (int32_t n = 0; n < p.batch; n++)
            for (int32_t oy = 0; oy < p.out_h; oy++)
                for (int32_t ox = 0; ox < p.out_w; ox++)
                    for (int32_t ch = 0; ch < p.c; ch++) {
                        int32_t y0, y1, x0, x1;
                        clip_window(&p, oy, ox, &y0, &y1, &x0, &x1);
                        double sum = 0.0, mx = -1000.0;
                        for (int32_t yy = y0; yy < y1; yy++)
                            for (int32_t xx = x0; xx < x1; xx++) {
                                double v = x[IDX(p, n, yy, xx, ch)];
                                sum += v;
                                mx = v > mx ? v : mx;
                            }
                        /* llround: half away from zero; exact halves are exact doubles */
                        int64_t avg = kt_round(sum / ((y1 - y0) * (x1 - x0)));
                        size_t o = ODX(p, n, oy, ox, ch);
                        cr_assert_eq(ya[o], kt_clamp(avg, p.act_min, p.act_max),
                                     "iter %d avg %d vs %.3f", iter, ya[o],
                                     sum / ((y1 - y0) * (x1 - x0)));
                        cr_assert_eq(ym[o], kt_clamp((int64_t)mx, p.act_min, p.act_max),
                                     "iter %d max", iter);
                    }
        free(x), free(ya), free(ym);
    }
}

Test(gap_f32_ref, hand_and_random)
{
    eb_gap_params p = {.batch = 1, .h = 2, .w = 2, .c = 2, .act_min = -128, .act_max = 127};
    const float x[8] = {1, -1, 2, -2, 3, -3, 10, 4};
    float y[2];
    cr_assert_eq(eb_gap_validate(&p), EB_OK);
    eb_gap_f32_ref(&p, x, y);
    cr_expect(y[0] == 4.0f && y[1] == -0.5f, "%g %g", y[0], y[1]);

    kt_rng r = kt_seed(63);
    for (int iter = 0; iter < 100; iter++) {
        eb_gap_params q = {.batch = kt_int(&r, 1, 3), .h = kt_int(&r, 1, 12),
                           .w = kt_int(&r, 1, 12), .c = kt_int(&r, 1, 20)};
        size_t hw = (size_t)q.h * q.w, nx = q.batch * hw * q.c;
        float *xx = malloc(nx * 4), *yy = malloc((size_t)q.batch * q.c * 4);
        kt_fill_f32(&r, xx, nx, -5.0, 5.0);
        eb_gap_f32_ref(&q, xx, yy);
        for (int32_t n = 0; n < q.batch; n++)
            for (int32_t ch = 0; ch < q.c; ch++) {
                double s = 0.0;
                for (size_t i = 0; i < hw; i++)
                    s += xx[((size_t)n * hw + i) * q.c + ch];
                cr_assert(fabs(yy[n * q.c + ch] - s / hw) <= 1e-5, "iter %d", iter);
            }
        free(xx), free(yy);
    }
}

Test(gap_s8_ref, hand_worked)
{
    /* 2x2 window, in_zp -10, in_scale = out_scale: multiplier 1/4. Channel 0 values
     * [-10 -8 -6 -3] -> sum(x - zp) = 0+2+4+7 = 13 -> 3.25 -> 4 with TFLite's double
     * rounding (6.5 up to 7, then 3.5 away) -> out_zp 5 + 4 = 9. Channel 1 [20 30 40 50]
     * -> 180 -> 45 -> 50. */
    eb_gap_params p = {.batch = 1, .h = 2, .w = 2, .c = 2, .in_zp = -10, .out_zp = 5,
                       .act_min = -128, .act_max = 127};
    cr_assert_eq(eb_quantize_multiplier(0.25, &p.mult, &p.shift), EB_OK);
    cr_assert_eq(eb_gap_validate(&p), EB_OK);
    const int8_t x[8] = {-10, 20, -8, 30, -6, 40, -3, 50};
    int8_t y[2];
    eb_gap_s8_ref(&p, x, y);
    cr_expect(y[0] == 9 && y[1] == 50, "%d %d", y[0], y[1]);
    p.act_max = 20;
    eb_gap_s8_ref(&p, x, y);
    cr_expect(y[0] == 9 && y[1] == 20);
}

Test(gap_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(64);
    for (int iter = 0; iter < 150; iter++) {
        eb_gap_params q = {.batch = kt_int(&r, 1, 3), .h = kt_int(&r, 1, 12),
                           .w = kt_int(&r, 1, 12), .c = kt_int(&r, 1, 20),
                           .in_zp = kt_int(&r, -128, 127), .out_zp = kt_int(&r, -128, 127)};
        size_t hw = (size_t)q.h * q.w, nx = q.batch * hw * q.c;
        double in_scale = kt_uniform(&r, 0.01, 0.1), out_scale = kt_uniform(&r, 0.01, 0.1);
        double real = in_scale / (out_scale * (double)hw);
        cr_assert_eq(eb_quantize_multiplier(real, &q.mult, &q.shift), EB_OK);
        eb_quant_act_range((eb_act)kt_int(&r, 0, 2), out_scale, q.out_zp, &q.act_min,
                           &q.act_max);
        cr_assert_eq(eb_gap_validate(&q), EB_OK);
        int8_t *xx = malloc(nx), *yy = malloc((size_t)q.batch * q.c);
        kt_fill_s8(&r, xx, nx, -128, 127);
        eb_gap_s8_ref(&q, xx, yy);
        for (int32_t n = 0; n < q.batch; n++)
            for (int32_t ch = 0; ch < q.c; ch++) {
                int64_t s = 0;
                for (size_t i = 0; i < hw; i++)
                    s += xx[((size_t)n * hw + i) * q.c + ch] - q.in_zp;
                int32_t got = yy[n * q.c + ch];
                int32_t want = kt_clamp(q.out_zp + (int64_t)kt_requant((int32_t)s, q.mult,
                                                                       q.shift),
                                        q.act_min, q.act_max);
                cr_assert_eq(got, want, "iter %d: %d vs %d", iter, got, want);
                double rv = q.out_zp + (double)s * real;
                cr_assert(abs(got - kt_clamp(kt_round(rv), q.act_min, q.act_max)) <= 1,
                          "iter %d: %d vs %.3f", iter, got, rv);
            }
        free(xx), free(yy);
    }
}
