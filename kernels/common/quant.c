/* quant.c - turning real scales into the fixed-point parameters the int8 kernels use. */
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"

eb_status eb_quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    if (!mult || !shift || !isfinite(real) || real <= 0.0 || real >= 2147483648.0)
        return EB_ERR_ARG;
    int exp;
    double q = frexp(real, &exp); /* real = q * 2^exp, q in [0.5, 1) */
    int64_t q_fixed = llround(q * 2147483648.0);
    if (q_fixed == (INT64_C(1) << 31)) { /* q rounded up to 1.0 */
        q_fixed /= 2;
        exp++;
    }
    if (exp > 31)
        return EB_ERR_ARG;
    if (exp < -31) { /* too small to represent: the product is always 0 */
        *mult = 0;
        *shift = 0;
        return EB_OK;
    }
    *mult = (int32_t)q_fixed;
    *shift = exp;
    return EB_OK;
}

void eb_quant_act_range(eb_act act, double scale, int32_t zp, int32_t *act_min,
                        int32_t *act_max)
{
    int32_t lo = -128, hi = 127;
    if (act == EB_ACT_RELU || act == EB_ACT_RELU6)
        lo = zp > lo ? zp : lo;
    if (act == EB_ACT_RELU6 && scale > 0.0 && isfinite(scale)) {
        double top = (double)zp + round(6.0 / scale);
        if (top < hi)
            hi = (int32_t)top;
    }
    if (hi < lo) /* only when zp > 127, which validation rejects */
        hi = lo;
    *act_min = lo;
    *act_max = hi;
}

static int scale_ok(double s)
{
    return isfinite(s) && s > 0.0;
}

static int zp_ok(int32_t zp)
{
    return zp >= -128 && zp <= 127;
}

eb_status eb_add_s8_prepare(eb_add_params *p, double a_scale, int32_t a_zp, double b_scale,
                            int32_t b_zp, double out_scale, int32_t out_zp, eb_act act)
{
    if (!p || !scale_ok(a_scale) || !scale_ok(b_scale) || !scale_ok(out_scale) ||
        !zp_ok(a_zp) || !zp_ok(b_zp) || !zp_ok(out_zp) || act < EB_ACT_NONE ||
        act > EB_ACT_RELU6)
        return EB_ERR_ARG;
    const int left_shift = 20;
    double twice_max = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
    eb_status st;
    if ((st = eb_quantize_multiplier(a_scale / twice_max, &p->a_mult, &p->a_shift)) != EB_OK)
        return st;
    if ((st = eb_quantize_multiplier(b_scale / twice_max, &p->b_mult, &p->b_shift)) != EB_OK)
        return st;
    if ((st = eb_quantize_multiplier(twice_max / (ldexp(1.0, left_shift) * out_scale),
                                     &p->out_mult, &p->out_shift)) != EB_OK)
        return st;
    p->act = act;
    p->a_zp = a_zp;
    p->b_zp = b_zp;
    p->out_zp = out_zp;
    p->left_shift = left_shift;
    eb_quant_act_range(act, out_scale, out_zp, &p->act_min, &p->act_max);
    return EB_OK;
}

eb_status eb_mul_s8_prepare(eb_mul_params *p, double a_scale, int32_t a_zp, double b_scale,
                            int32_t b_zp, double out_scale, int32_t out_zp, eb_act act)
{
    if (!p || !scale_ok(a_scale) || !scale_ok(b_scale) || !scale_ok(out_scale) ||
        !zp_ok(a_zp) || !zp_ok(b_zp) || !zp_ok(out_zp) || act < EB_ACT_NONE ||
        act > EB_ACT_RELU6)
        return EB_ERR_ARG;
    eb_status st = eb_quantize_multiplier(a_scale * b_scale / out_scale, &p->mult, &p->shift);
    if (st != EB_OK)
        return st;
    p->act = act;
    p->a_zp = a_zp;
    p->b_zp = b_zp;
    p->out_zp = out_zp;
    eb_quant_act_range(act, out_scale, out_zp, &p->act_min, &p->act_max);
    return EB_OK;
}

eb_status eb_softmax_s8_prepare(eb_softmax_params *p, double in_scale, double beta,
                                uint32_t table[256])
{
    if (!p || !table || !scale_ok(in_scale) || !scale_ok(beta))
        return EB_ERR_ARG;
    for (int i = 0; i < 256; i++)
        table[i] = (uint32_t)llround(65536.0 * exp(beta * in_scale * (double)(i - 255)));
    p->beta = (float)beta;
    p->exp_table = table;
    return EB_OK;
}

eb_status eb_softmax_tfl_s8_prepare(eb_softmax_params *p, double in_scale, double beta)
{
    if (!p || !scale_ok(in_scale) || !scale_ok(beta))
        return EB_ERR_ARG;
    /* beta * in_scale as a number with 5 integer bits (26 fractional), capped */
    double real = beta * in_scale * (double)(INT64_C(1) << 26);
    if (real > 2147483647.0)
        real = 2147483647.0;
    int32_t mult, shift;
    eb_status st = eb_quantize_multiplier(real, &mult, &shift);
    if (st != EB_OK || shift < 0 || mult <= 0)
        return EB_ERR_ARG; /* beta * in_scale below 2^-26: not a usable softmax input */
    p->in_mult = mult;
    p->in_left_shift = shift;
    /* the largest |x - max| whose rescaled value fits in 5 integer bits */
    p->diff_min = -(int32_t)floor(31.0 * (double)(INT64_C(1) << 26) /
                                  (double)(INT64_C(1) << shift));
    p->beta = (float)beta;
    p->exp_table = NULL;
    return EB_OK;
}
