/* activation.c - the standalone elementwise activations: relu, relu6, logistic, tanh and
 * hard_swish, and quantize (an int8 -> int8 requantization, TFLite's QUANTIZE between
 * two int8 tensors: out_zp + MultiplyByQuantizedMultiplier(x - in_zp, in/out) clamped,
 * the multiplier from the scales in double; int8 graphs only). fp32 runs one kernel per function; int8 runs lut_s8 on a table of the 256
 * inputs filled here with TFLite's arithmetic for each op:
 *   relu, relu6   ReluX: out_zp + MultiplyByQuantizedMultiplier(x - in_zp, in/out scale),
 *                 clamped to [out_zp, 127] (relu6: out_zp + round(6 / out_scale));
 *   logistic, tanh  the float lookup table of TFLite's default (optimized) kernels:
 *                 round(f(in_scale * (x - in_zp)) / out_scale) + out_zp in float;
 *   hard_swish    TFLite's 16-bit fixed-point HardSwish (the reference and optimized
 *                 kernels agree), on the int16 multipliers its Prepare computes.
 * The scale arithmetic is in float as TFLite's (its tensors' scales are float). */
#include <math.h>

#include "eb_gop.h"
#include "eb_quant.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gop_desc *d = eb_gop_get(op->type);
    if (!eb_same_shape(&g->t[op->in0], &g->t[op->out]) || op->act != EB_ACT_NONE)
        return eb_gop_fail(err, errlen, "%s op %d (%s) has a bad shape or activation",
                           d->name, i, op->name);
    return EB_OK;
}

static eb_status check_quantize(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    if (g->dtype != EB_S8)
        return eb_gop_fail(err, errlen, "quantize op %d (%s) is in a float32 model", i,
                           g->op[i].name);
    return check(g, i, err, errlen);
}

static eb_status table_requant(const eb_gtensor *in, const eb_gtensor *out, int8_t t[256])
{
    int32_t mult, shift;
    if (eb_quantize_multiplier(in->scale / out->scale, &mult, &shift) != EB_OK)
        return EB_ERR_ARG;
    for (int32_t q = -128; q < 128; q++)
        t[q + 128] = (int8_t)eb_clamp_i64((int64_t)out->zp + eb_requantize(q - in->zp, mult, shift),
                                          -128, 127);
    return EB_OK;
}

static int8_t sat8(int64_t v)
{
    return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
}

/* ReluX with act_max6 = false (relu) or true (relu6) */
static eb_status table_relu(const eb_gtensor *in, const eb_gtensor *out, bool six,
                            int8_t t[256])
{
    float si = (float)in->scale, so = (float)out->scale;
    int32_t mult, shift;
    if (eb_quantize_multiplier((double)(si / so), &mult, &shift) != EB_OK)
        return EB_ERR_ARG;
    int32_t lo = out->zp > -128 ? out->zp : -128, hi = 127;
    if (six) {
        int64_t top = (int64_t)out->zp + (int64_t)roundf(6.0f / so);
        hi = top < 127 ? (int32_t)top : 127;
    }
    if (hi < lo)
        hi = lo;
    for (int32_t q = -128; q < 128; q++) {
        int64_t v = (int64_t)out->zp + eb_requantize(q - in->zp, mult, shift);
        t[q + 128] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
    }
    return EB_OK;
}

static eb_status table_float(const eb_gtensor *in, const eb_gtensor *out,
                             float (*f)(float), int8_t t[256])
{
    float si = (float)in->scale, inv = 1.0f / (float)out->scale;
    for (int32_t q = -128; q < 128; q++) {
        float y = roundf(f(si * (float)(q - in->zp)) * inv);
        t[q + 128] = sat8((int64_t)(y + (float)out->zp));
    }
    return EB_OK;
}

static float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/* ---- hard swish: TFLite's int16 fixed point ---- */

static int16_t srdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN)
        return INT16_MAX;
    int32_t ab = (int32_t)a * b;
    int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* rounding toward zero (SQDMULH) */
static int16_t sdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN)
        return INT16_MAX;
    return (int16_t)(((int32_t)a * b) / (1 << 15));
}

static int16_t shl16_sat(int16_t v, int amount)
{
    int64_t r = (int64_t)v * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

/* Q31 -> Q15 with rounding (TFLite's DownScaleInt32ToInt16Multiplier) */
static int16_t to_q15(int32_t m)
{
    if (m >= INT32_MAX - (1 << 15))
        return INT16_MAX;
    return (int16_t)((m + (1 << 15)) >> 16);
}

static eb_status table_hard_swish(const eb_gtensor *in, const eb_gtensor *out, int8_t t[256])
{
    float hires = (1.0f / 128.0f) * (float)in->scale;
    float reluish_scale = 3.0f / 32768.0f;
    int32_t om, oe, rm, re;
    if (eb_quantize_multiplier((double)(hires / (float)out->scale), &om, &oe) != EB_OK ||
        eb_quantize_multiplier((double)(hires / reluish_scale), &rm, &re) != EB_OK || oe > 0)
        return EB_ERR_ARG; /* TFLite refuses an output multiplier above 1 too */
    int16_t om16 = to_q15(om), rm16 = to_q15(rm);
    for (int32_t q = -128; q < 128; q++) {
        int16_t x = (int16_t)(q - in->zp);
        int16_t hi = (int16_t)(x * (1 << 7));
        int16_t pre = srdhm16(hi, om16);
        int16_t r = hi;
        if (re > 0)
            r = shl16_sat(r, re - 1);
        r = srdhm16(r, rm16);
        if (re > 0)
            r = shl16_sat(r, 1);
        if (re < 0)
            r = (int16_t)eb_rdivpot(r, -re);
        r = (int16_t)(((int32_t)r + (1 << 15)) >> 1);
        int16_t o = (int16_t)eb_rdivpot(sdhm16(r, pre), -oe);
        t[q + 128] = sat8((int64_t)o + out->zp);
    }
    return EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_unary_params *p = &pp->x->p.unary;
    memset(p, 0, sizeof *p);
    p->size = (int32_t)eb_gtensor_elems(pp->out);
    eb_op_type t = pp->op->type;
    eb_status st = EB_OK;
    if (!pp->s8 && t == EB_OP_QUANTIZE)
        return EB_ERR_ARG;
    if (!pp->s8) {
        pp->x->kop = t == EB_OP_RELU       ? EB_KOP_relu_f32
                     : t == EB_OP_RELU6    ? EB_KOP_relu6_f32
                     : t == EB_OP_LOGISTIC ? EB_KOP_logistic_f32
                     : t == EB_OP_TANH     ? EB_KOP_tanh_f32
                                           : EB_KOP_hard_swish_f32;
        return eb_unary_validate(p);
    }
    switch (t) {
    case EB_OP_RELU:
    case EB_OP_RELU6: st = table_relu(pp->in, pp->out, t == EB_OP_RELU6, p->table); break;
    case EB_OP_LOGISTIC: st = table_float(pp->in, pp->out, sigmoidf, p->table); break;
    case EB_OP_TANH: st = table_float(pp->in, pp->out, tanhf, p->table); break;
    case EB_OP_QUANTIZE: st = table_requant(pp->in, pp->out, p->table); break;
    default: st = table_hard_swish(pp->in, pp->out, p->table); break;
    }
    if (st != EB_OK)
        return st;
    pp->x->kop = EB_KOP_lut_s8;
    return eb_unary_validate(p);
}

/* int8 post-training quantization: the outputs TFLite's converter gives them */
static void quantize_logistic(const eb_graph *g, eb_graph *q, const eb_gop *op)
{
    (void)g;
    q->t[op->out].scale = 1.0 / 256.0;
    q->t[op->out].zp = -128;
}

static void quantize_tanh(const eb_graph *g, eb_graph *q, const eb_gop *op)
{
    (void)g;
    q->t[op->out].scale = 1.0 / 128.0;
    q->t[op->out].zp = 0;
}

const eb_gop_desc eb_gop_relu = {
    .name = "relu", .inputs = 1, .check = check, .prepare = prepare,
};
const eb_gop_desc eb_gop_relu6 = {
    .name = "relu6", .inputs = 1, .check = check, .prepare = prepare,
};
const eb_gop_desc eb_gop_logistic = {
    .name = "logistic", .inputs = 1, .check = check, .quantize = quantize_logistic,
    .prepare = prepare,
};
const eb_gop_desc eb_gop_tanh = {
    .name = "tanh", .inputs = 1, .check = check, .quantize = quantize_tanh,
    .prepare = prepare,
};
const eb_gop_desc eb_gop_hard_swish = {
    .name = "hard_swish", .inputs = 1, .check = check, .prepare = prepare,
};
const eb_gop_desc eb_gop_quantize = {
    .name = "quantize", .inputs = 1, .check = check_quantize, .prepare = prepare,
};
