/* test_quant.c - eb_quantize_multiplier at its edges, eb_requantize's rounding and
 * saturation, the fused-activation ranges and the add/softmax prepare helpers. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_quant.h"
#include "kernel_test_util.h"

#define Q30 (INT32_C(1) << 30)

static void expect_qm(double real, int32_t mult, int32_t shift)
{
    int32_t m = -1, s = -99;
    cr_assert_eq(eb_quantize_multiplier(real, &m, &s), EB_OK, "scale %.17g", real);
    cr_expect_eq(m, mult, "scale %.17g: mult %d, want %d", real, m, mult);
    cr_expect_eq(s, shift, "scale %.17g: shift %d, want %d", real, s, shift);
}

Test(quantize_multiplier, powers_of_two)
{
    expect_qm(1.0, Q30, 1);
    expect_qm(0.5, Q30, 0);
    expect_qm(0.25, Q30, -1);
    expect_qm(2.0, Q30, 2);
    expect_qm(1024.0, Q30, 11);
    expect_qm(ldexp(1.0, -20), Q30, -19);
}

Test(quantize_multiplier, near_one)
{
    /* 0.9999999 * 2^31 = 2147483433.25 */
    expect_qm(0.9999999, 2147483433, 0);
    /* 1.0000001 = 0.50000005 * 2; 0.50000005 * 2^31 = 1073741931.37 */
    expect_qm(1.0000001, 1073741931, 1);
    /* just below 1: the fraction rounds up to 2^31, which is renormalized */
    expect_qm(1.0 - ldexp(1.0, -40), Q30, 1);
    /* the largest fraction still below the renormalization point */
    expect_qm(1.0 - ldexp(1.0, -31), INT32_MAX, 0);
    expect_qm(0.75, 3 * (Q30 / 2), 0);
}

Test(quantize_multiplier, tiny_scales)
{
    expect_qm(ldexp(1.0, -32), Q30, -31);            /* shift -31 still representable */
    expect_qm(ldexp(1.0 - ldexp(1.0, -40), -32), Q30, -31); /* rounds up into -31 */
    expect_qm(ldexp(1.0, -33), 0, 0);                /* shift -32: result is always 0 */
    expect_qm(1e-12, 0, 0);
    expect_qm(4.9e-324, 0, 0);                       /* smallest subnormal */
}

Test(quantize_multiplier, large_scales)
{
    expect_qm(ldexp(1.0, 30), Q30, 31);
    expect_qm(2147483647.0, INT32_MAX, 31);
    int32_t m, s;
    cr_expect_eq(eb_quantize_multiplier(2147483648.0, &m, &s), EB_ERR_ARG);
    /* below 2^31 but its fraction rounds to 1.0, which would need shift 32 */
    cr_expect_eq(eb_quantize_multiplier(2147483648.0 - ldexp(1.0, -22), &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(1e10, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(1e300, &m, &s), EB_ERR_ARG);
}

Test(quantize_multiplier, rejects_bad_input)
{
    int32_t m, s;
    cr_expect_eq(eb_quantize_multiplier(0.0, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(-0.0, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(-0.5, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(NAN, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(INFINITY, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(-INFINITY, &m, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(0.5, NULL, &s), EB_ERR_ARG);
    cr_expect_eq(eb_quantize_multiplier(0.5, &m, NULL), EB_ERR_ARG);
}

Test(quantize_multiplier, random_scales_round_trip)
{
    kt_rng r = kt_seed(11);
    for (int i = 0; i < 20000; i++) {
        double real = exp2(kt_uniform(&r, -30.0, 30.0));
        int32_t m, s;
        cr_assert_eq(eb_quantize_multiplier(real, &m, &s), EB_OK);
        cr_assert(m >= Q30, "mult %d below 2^30 for %.17g", m, real);
        cr_assert(s >= -31 && s <= 31);
        double back = ldexp((double)m, s - 31);
        cr_assert(fabs(back - real) <= real * ldexp(1.0, -31),
                  "%.17g encoded as %d,%d = %.17g", real, m, s, back);
    }
}

Test(requantize, hand_worked)
{
    /* mult 2^30 is 0.5: shift 0 halves, shift -1 quarters, shift 1 is identity */
    cr_expect_eq(eb_requantize(100, Q30, 0), 50);
    cr_expect_eq(eb_requantize(-100, Q30, 0), -50);
    cr_expect_eq(eb_requantize(77, Q30, 1), 77);
    cr_expect_eq(eb_requantize(-77, Q30, 1), -77);
    cr_expect_eq(eb_requantize(5, Q30, 3), 20);
    /* right shift: ties go away from zero */
    cr_expect_eq(eb_requantize(6, Q30, -1), 2);    /*  1.5  ->  2 */
    cr_expect_eq(eb_requantize(-6, Q30, -1), -2);  /* -1.5  -> -2 */
    cr_expect_eq(eb_requantize(2, Q30, -1), 1);    /*  0.5  ->  1 */
    cr_expect_eq(eb_requantize(-2, Q30, -1), -1);  /* -0.5  -> -1 */
    cr_expect_eq(eb_requantize(-10, Q30, -2), -1); /* -1.25 -> -1 */
    cr_expect_eq(eb_requantize(-12, Q30, -2), -2); /* -1.5  -> -2 */
    cr_expect_eq(eb_requantize(-14, Q30, -2), -2); /* -1.75 -> -2 */
    cr_expect_eq(eb_requantize(10, Q30, -2), 1);
    cr_expect_eq(eb_requantize(12, Q30, -2), 2);
    /* 0.75 (mult 3 * 2^29): -4 * 0.75 = -3 exactly, -5 * 0.75 = -3.75 -> -4 */
    cr_expect_eq(eb_requantize(-4, 3 * (Q30 / 2), 0), -3);
    cr_expect_eq(eb_requantize(-5, 3 * (Q30 / 2), 0), -4);
    cr_expect_eq(eb_requantize(0, INT32_MAX, 0), 0);
}

Test(requantize, high_product_ties_toward_plus_infinity)
{
    /* TFLite/gemmlowp's SaturatingRoundingDoublingHighMul adds 2^30 (or 1 - 2^30 to
     * a negative product, then truncates): a tie in the high product rounds toward
     * +infinity. Only the final right shift is symmetric. */
    cr_expect_eq(eb_requantize(3, Q30, 0), 2);   /*  1.5 ->  2 */
    cr_expect_eq(eb_requantize(-3, Q30, 0), -1); /* -1.5 -> -1 */
    cr_expect_eq(eb_requantize(1, Q30, 0), 1);
    cr_expect_eq(eb_requantize(-1, Q30, 0), 0);
    cr_expect_eq(eb_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
}

Test(requantize, saturates_at_int32_limits)
{
    /* -2^30 << 2 saturates to INT32_MIN; * 0.5 = -2^30 (without saturation: -2^31) */
    cr_expect_eq(eb_requantize(-Q30, Q30, 2), -Q30);
    cr_expect_eq(eb_requantize(Q30, Q30, 2), Q30); /* INT32_MAX * 0.5 rounds up to 2^30 */
    cr_expect_eq(eb_requantize(INT32_MIN, Q30, 31), -Q30);
    cr_expect_eq(eb_requantize(INT32_MIN, INT32_MAX, 0), -INT32_MAX);
    cr_expect_eq(eb_requantize(INT32_MAX, INT32_MAX, 0), INT32_MAX - 1);
    /* the largest right shift: +-0.5 round away from zero */
    cr_expect_eq(eb_requantize(INT32_MAX, Q30, -31), 1);
    cr_expect_eq(eb_requantize(INT32_MIN, Q30, -31), -1);
    cr_expect_eq(eb_requantize(INT32_MIN, INT32_MAX, -31), -1);
    cr_expect_eq(eb_requantize(1000, Q30, -31), 0);
}

Test(requantize, matches_restated_formula_and_real_product)
{
    kt_rng r = kt_seed(12);
    for (int i = 0; i < 200000; i++) {
        int32_t acc = (int32_t)kt_next(&r);
        if (i % 2)
            acc >>= kt_int(&r, 0, 30);
        int32_t mult = kt_int(&r, Q30, INT32_MAX);
        int32_t shift = kt_int(&r, -31, 31);
        int32_t got = eb_requantize(acc, mult, shift);
        cr_assert_eq(got, kt_requant(acc, mult, shift), "acc %d mult %d shift %d", acc, mult,
                     shift);
        double real = (double)acc * ldexp((double)mult, shift - 31);
        if (fabs(real) < 2147483000.0 && (shift <= 0 || fabs((double)acc * ldexp(1.0, shift)) < 2147483647.0))
            cr_assert(fabs((double)got - real) <= 1.0, "acc %d mult %d shift %d: %d vs %.3f",
                      acc, mult, shift, got, real);
    }
}

Test(act_range, activations)
{
    int32_t lo, hi;
    eb_quant_act_range(EB_ACT_NONE, 0.1, 5, &lo, &hi);
    cr_expect(lo == -128 && hi == 127);
    eb_quant_act_range(EB_ACT_RELU, 0.1, -10, &lo, &hi);
    cr_expect(lo == -10 && hi == 127, "%d %d", lo, hi);
    eb_quant_act_range(EB_ACT_RELU6, 0.1, 0, &lo, &hi);
    cr_expect(lo == 0 && hi == 60, "%d %d", lo, hi);
    eb_quant_act_range(EB_ACT_RELU6, 0.1, -100, &lo, &hi);
    cr_expect(lo == -100 && hi == -40, "%d %d", lo, hi);
    eb_quant_act_range(EB_ACT_RELU6, 6.0 / 255.0, -128, &lo, &hi);
    cr_expect(lo == -128 && hi == 127, "%d %d", lo, hi);
    eb_quant_act_range(EB_ACT_RELU6, 0.01, -128, &lo, &hi); /* 6.0 is past 127: clipped */
    cr_expect(lo == -128 && hi == 127, "%d %d", lo, hi);
    eb_quant_act_range(EB_ACT_RELU6, 0.16, 3, &lo, &hi); /* 6 / 0.16 = 37.5 -> 38 */
    cr_expect(lo == 3 && hi == 41, "%d %d", lo, hi);
}

Test(add_prepare, parameters)
{
    eb_add_params p = {.size = 4};
    cr_assert_eq(eb_add_s8_prepare(&p, 0.5, 3, 0.25, -7, 1.0, 2, EB_ACT_RELU), EB_OK);
    cr_expect_eq(p.size, 4);
    cr_expect_eq(p.left_shift, 20);
    cr_expect(p.a_mult == Q30 && p.a_shift == 0);   /* 0.5 / (2 * 0.5) */
    cr_expect(p.b_mult == Q30 && p.b_shift == -1);  /* 0.25 / 1 */
    cr_expect(p.out_mult == Q30 && p.out_shift == -19, "%d %d", p.out_mult, p.out_shift);
    cr_expect(p.a_zp == 3 && p.b_zp == -7 && p.out_zp == 2);
    cr_expect(p.act == EB_ACT_RELU && p.act_min == 2 && p.act_max == 127);
    cr_expect_eq(eb_add_validate(&p), EB_OK);

    cr_expect_eq(eb_add_s8_prepare(&p, 0.0, 0, 0.1, 0, 0.1, 0, EB_ACT_NONE), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(&p, 0.1, 0, NAN, 0, 0.1, 0, EB_ACT_NONE), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(&p, 0.1, 0, 0.1, 0, -1.0, 0, EB_ACT_NONE), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(&p, 0.1, 128, 0.1, 0, 0.1, 0, EB_ACT_NONE), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(&p, 0.1, 0, 0.1, -129, 0.1, 0, EB_ACT_NONE), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(&p, 0.1, 0, 0.1, 0, 0.1, 0, (eb_act)7), EB_ERR_ARG);
    cr_expect_eq(eb_add_s8_prepare(NULL, 0.1, 0, 0.1, 0, 0.1, 0, EB_ACT_NONE), EB_ERR_ARG);
}

Test(softmax_prepare, table)
{
    eb_softmax_params p = {.rows = 1, .depth = 3};
    uint32_t t[256];
    cr_assert_eq(eb_softmax_s8_prepare(&p, 0.1, 1.0, t), EB_OK);
    cr_expect_eq(p.exp_table, t);
    cr_expect_eq(t[255], 65536u);
    cr_expect_eq(t[254], 59299u); /* 65536 * exp(-0.1) = 59299.36 */
    cr_expect_eq(t[245], 24109u); /* 65536 * exp(-1)   = 24109.34 */
    cr_expect_eq(t[0], 0u);       /* exp(-25.5) * 65536 < 0.5 */
    for (int i = 1; i < 256; i++)
        cr_expect(t[i] >= t[i - 1]);
    cr_expect_eq(eb_softmax_validate(&p, EB_S8), EB_OK);
    cr_assert_eq(eb_softmax_s8_prepare(&p, 0.05, 2.0, t), EB_OK); /* beta scales too */
    cr_expect_eq(t[245], 24109u);

    cr_expect_eq(eb_softmax_s8_prepare(&p, 0.0, 1.0, t), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_s8_prepare(&p, 0.1, -1.0, t), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_s8_prepare(&p, INFINITY, 1.0, t), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_s8_prepare(&p, 0.1, NAN, t), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_s8_prepare(&p, 0.1, 1.0, NULL), EB_ERR_ARG);
}
