/* test_ref_add.c - eb_add_{f32,s8}_ref: hand-worked sums and randomized scales/zero
 * points against the real-valued sum and a restatement of TFLite's integer steps. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(add_f32_ref, hand_worked)
{
    eb_add_params p = {.size = 5, .act = EB_ACT_NONE};
    cr_assert_eq(eb_add_validate(&p), EB_OK);
    const float a[5] = {1, -2.5f, 3, 4, -8}, b[5] = {0.5f, 1, 4, -10, 2};
    float y[5];
    eb_add_f32_ref(&p, a, b, y);
    cr_expect(y[0] == 1.5f && y[1] == -1.5f && y[2] == 7 && y[3] == -6 && y[4] == -6);
    p.act = EB_ACT_RELU6;
    eb_add_f32_ref(&p, a, b, y);
    cr_expect(y[0] == 1.5f && y[1] == 0 && y[2] == 6 && y[3] == 0 && y[4] == 0);
    p.act = EB_ACT_RELU;
    eb_add_f32_ref(&p, a, b, y);
    cr_expect(y[2] == 7 && y[3] == 0);
}

Test(add_s8_ref, equal_scales_add_exactly)
{
    eb_add_params p = {.size = 6};
    cr_assert_eq(eb_add_s8_prepare(&p, 0.05, 0, 0.05, 0, 0.05, 0, EB_ACT_NONE), EB_OK);
    const int8_t a[6] = {1, -5, 100, -100, 3, 127}, b[6] = {2, -7, 100, -100, -3, -128};
    int8_t y[6];
    eb_add_s8_ref(&p, a, b, y);
    const int8_t want[6] = {3, -12, 127, -128, 0, -1};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(y[i], want[i], "at %d: %d", i, y[i]);
}

Test(add_s8_ref, hand_worked_mixed_scales)
{
    /* a: scale 0.5 zp 3, b: scale 0.25 zp -7, out: scale 1 zp 2.
     * real out = 2 + 0.5 (a - 3) + 0.25 (b + 7). */
    eb_add_params p = {.size = 4};
    cr_assert_eq(eb_add_s8_prepare(&p, 0.5, 3, 0.25, -7, 1.0, 2, EB_ACT_NONE), EB_OK);
    const int8_t a[4] = {5, 4, 3, -97}, b[4] = {-3, -6, -7, -47};
    int8_t y[4];
    eb_add_s8_ref(&p, a, b, y);
    cr_expect_eq(y[0], 4);   /* 2 + 1 + 1 */
    cr_expect_eq(y[1], 3);   /* 2 + 0.5 + 0.25 = 2.75 */
    cr_expect_eq(y[2], 2);   /* both at their zero points */
    cr_expect_eq(y[3], -58); /* 2 - 50 - 10 */
    cr_assert_eq(eb_add_s8_prepare(&p, 0.5, 3, 0.25, -7, 1.0, 2, EB_ACT_RELU), EB_OK);
    eb_add_s8_ref(&p, a, b, y);
    cr_expect(y[0] == 4 && y[3] == 2);
}

/* TFLite's integer add, restated with the test's own requantizer. */
static int32_t restated_add(const eb_add_params *p, int32_t a, int32_t b)
{
    int64_t av = ((int64_t)a - p->a_zp) * (INT64_C(1) << p->left_shift);
    int64_t bv = ((int64_t)b - p->b_zp) * (INT64_C(1) << p->left_shift);
    int64_t s = (int64_t)kt_requant((int32_t)av, p->a_mult, p->a_shift) +
                kt_requant((int32_t)bv, p->b_mult, p->b_shift);
    return kt_clamp(p->out_zp + (int64_t)kt_requant((int32_t)s, p->out_mult, p->out_shift),
                    p->act_min, p->act_max);
}

Test(add_s8_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(71);
    long total = 0, in_range = 0;
    int8_t a[257], b[257], y[257];
    for (int iter = 0; iter < 300; iter++) {
        double as = kt_uniform(&r, 0.005, 0.2), bs = as * kt_uniform(&r, 0.1, 10.0);
        double os = (as + bs) * kt_uniform(&r, 1.5, 3.0);
        int32_t az = kt_int(&r, -128, 127), bz = kt_int(&r, -128, 127),
                oz = kt_int(&r, -40, 40);
        eb_act act = (eb_act)kt_int(&r, 0, 2);
        eb_add_params p = {.size = kt_int(&r, 1, 257)};
        cr_assert_eq(eb_add_s8_prepare(&p, as, az, bs, bz, os, oz, act), EB_OK);
        cr_assert_eq(eb_add_validate(&p), EB_OK);
        kt_fill_s8(&r, a, (size_t)p.size, -128, 127);
        kt_fill_s8(&r, b, (size_t)p.size, -128, 127);
        eb_add_s8_ref(&p, a, b, y);
        for (int32_t i = 0; i < p.size; i++) {
            cr_assert_eq(y[i], restated_add(&p, a[i], b[i]), "iter %d at %d", iter, i);
            double real = oz + (as * (a[i] - az) + bs * (b[i] - bz)) / os;
            int32_t want = kt_clamp(kt_round(real), p.act_min, p.act_max);
            cr_assert(abs(y[i] - want) <= 1, "iter %d: %d vs %.3f", iter, y[i], real);
            total++;
            in_range += y[i] > p.act_min && y[i] < p.act_max;
        }
    }
    /* ReLU/ReLU6 clamp many outputs by design; most others must be in range */
    cr_assert(in_range * 3 > total, "%ld of %ld in range", in_range, total);
}

Test(add_f32_ref, random_vs_oracle)
{
    kt_rng r = kt_seed(72);
    float a[300], b[300], y[300];
    for (int iter = 0; iter < 50; iter++) {
        eb_add_params p = {.size = kt_int(&r, 1, 300), .act = (eb_act)kt_int(&r, 0, 2)};
        kt_fill_f32(&r, a, (size_t)p.size, -8.0, 8.0);
        kt_fill_f32(&r, b, (size_t)p.size, -8.0, 8.0);
        eb_add_f32_ref(&p, a, b, y);
        for (int32_t i = 0; i < p.size; i++)
            cr_assert_eq(y[i], kt_act((double)(a[i] + b[i]), p.act));
    }
}
