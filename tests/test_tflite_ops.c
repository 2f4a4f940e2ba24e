/* test_tflite_ops.c - the ops .tflite import added for users' models (models/ops/, the
 * importer's mapping), each in a small file built here (tests/tflite_builder.h), int8
 * and float32, checked two independent ways:
 *  - against this file's restatement of TFLite's arithmetic (int8 bit-exact; fp32 within
 *    1e-6 relative), with the ref and the auto kernel sets;
 *  - against Arm NN 22's CpuRef backend (tests/armnn_oracle.py), which computes int8
 *    layers in float (dequantize, compute, round): at most one step away, where the
 *    float value lies within rounding of a half step. The largest difference per case is
 *    printed. Skipped, saying so, where python3-pyarmnn is absent. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_model_internal.h"
#include "eb_quant.h"
#include "eb_tflite.h"
#include "tflite_builder.h"

/* ---- the model: x [1,H,W,C] -> (pre) -> op -> y ---- */

enum { H = 3, W = 4, C = 5, N = H * W * C };

typedef struct op_case {
    const char *name;
    int32_t code;      /* the TFLite operator */
    uint8_t opt;       /* its options type (0: none) */
    bool binary;       /* y = op(x, maxpool3x3(x)) */
    int8_t act;        /* fused activation (binary ops) */
    float out_scale;   /* int8 output quantization */
    int64_t out_zp;
    /* restated TFLite arithmetic: y from x (and the pooled b); s8 / f32 */
    int32_t (*s8)(const struct op_case *k, int32_t x, int32_t b);
    double (*f32)(double x, double b);
    int32_t tol8; /* int8 steps allowed from s8 (0: s8 restates TFLite exactly; 1: s8 is
                   * the real value rounded, where TFLite's fixed point differs) */
    /* ops whose output is not elementwise: the model, its output elements and every
     * expected output (NULL: the elementwise model above) */
    uint8_t *(*build)(const struct op_case *k, int8_t type, size_t *n, tbm *mb);
    int32_t ny;
    void (*expect_all)(const struct op_case *k, bool s8, const void *x, void *want);
    int32_t axis; /* concat: the TFLite axis */
} op_case;

/* Arm NN 22's TfLiteParser pads int8 tensors with the raw value 0, not the zero point
 * (TFLite's PAD writes output->params.zero_point, the quantized 0): on the int8 PAD case
 * its padded elements are expected to be 0 and only the others compared. */
static bool armnn_pads_raw_zero(const op_case *k, int j);

#define NY_MAX (3 * N * 4) /* bytes of the largest output */

static const float IN_SCALE = 0.05f;
static const int64_t IN_ZP = 3;

static void quant(tbm *mb, int t, float scale, int64_t zp)
{
    tbm_quant(mb, t, 1, &scale, &zp, 0);
}

static uint8_t *build(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    tbm_init(mb);
    int c = tbm_opcode(mb, k->code, 1);
    const int32_t s[] = {1, H, W, C};
    int x = tbm_tensor(mb, "x", type, 4, s, 0);
    int y = tbm_tensor(mb, "y", type, 4, s, 0);
    bool s8 = type == EB_TFLITE_INT8;
    if (s8) {
        quant(mb, x, IN_SCALE, IN_ZP);
        quant(mb, y, k->out_scale, k->out_zp);
    }
    int32_t in[2] = {x, -1}, out[] = {y};
    if (k->binary) {
        int pc = tbm_opcode(mb, EB_TFLITE_OP_MAX_POOL_2D, 1);
        int b = tbm_tensor(mb, "b", type, 4, s, 0);
        if (s8)
            quant(mb, b, IN_SCALE, IN_ZP);
        tb_node *po = tb_table(&mb->b);
        tb_u8(po, 0, EB_TFLITE_PAD_SAME);
        tb_i32(po, 1, 1);
        tb_i32(po, 2, 1);
        tb_i32(po, 3, 3);
        tb_i32(po, 4, 3);
        int32_t pin[] = {x}, pout[] = {b};
        tbm_op(mb, pc, 1, pin, 1, pout, EB_TFLITE_OPT_POOL2D, po);
        in[1] = b;
    }
    tb_node *o = NULL;
    if (k->opt) {
        o = tb_table(&mb->b);
        if (k->act)
            tb_u8(o, 0, (uint8_t)k->act);
    }
    tbm_op(mb, c, k->binary ? 2 : 1, in, 1, out, k->opt, o);
    int32_t mi[] = {x};
    tbm_io(mb, 1, mi, 1, out);
    return tbm_finish(mb, n);
}

/* the 3x3 SAME maximum around element i (what the binary models' second operand is) */
static double max3(const void *x, bool s8, int i)
{
    int yy = i / (W * C), xx = (i / C) % W, ch = i % C;
    double m = -1e30;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int py = yy + dy, px = xx + dx;
            if (py < 0 || py >= H || px < 0 || px >= W)
                continue;
            int j = (py * W + px) * C + ch;
            double v = s8 ? ((const int8_t *)x)[j] : ((const float *)x)[j];
            m = v > m ? v : m;
        }
    return m;
}

/* ---- restated arithmetic ---- */

static uint64_t lcg_peek(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static int32_t mult_of(double real, int32_t *shift)
{
    int32_t m;
    cr_assert_eq(eb_quantize_multiplier(real, &m, shift), EB_OK);
    return m;
}

/* TFLite's CalculateActivationRangeQuantized */
static void act_range(int8_t act, double scale, int32_t zp, int32_t *lo, int32_t *hi)
{
    *lo = -128, *hi = 127;
    if (act == EB_TFLITE_ACT_RELU || act == EB_TFLITE_ACT_RELU6)
        *lo = zp > -128 ? zp : -128;
    if (act == EB_TFLITE_ACT_RELU6) {
        double t = zp + round(6.0 / scale);
        *hi = t < 127 ? (int32_t)t : 127;
    }
}

/* SUB (PrepareGeneralSubOp): left shift 20, both inputs rescaled to twice the larger
 * input scale, input2's multiplier negated, the sum requantized to the output. */
static int32_t sub_s8(const op_case *k, int32_t a, int32_t b)
{
    double twice = 2.0 * (double)IN_SCALE;
    int32_t s1, m1 = mult_of((double)IN_SCALE / twice, &s1);
    int32_t so, mo = mult_of(twice / (1048576.0 * (double)k->out_scale), &so);
    int32_t sa = eb_requantize((a - (int32_t)IN_ZP) * (1 << 20), m1, s1);
    int32_t sb = eb_requantize((b - (int32_t)IN_ZP) * (1 << 20), -m1, s1);
    int32_t lo, hi;
    act_range(k->act, k->out_scale, (int32_t)k->out_zp, &lo, &hi);
    int64_t v = k->out_zp + (int64_t)eb_requantize(sa + sb, mo, so);
    return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}
static double sub_f32(double a, double b) { return a - b; }

/* RELU, RELU6 (ReluX): out_zp + MultiplyByQuantizedMultiplier(x - in_zp, in/out), the
 * multiplier from float scales, clamped at out_zp (and out_zp + round(6 / out)) */
static int32_t relux_s8(const op_case *k, int32_t x, bool six)
{
    int32_t sh, m = mult_of((double)(IN_SCALE / k->out_scale), &sh);
    int64_t v = k->out_zp + (int64_t)eb_requantize(x - (int32_t)IN_ZP, m, sh);
    int64_t lo = k->out_zp > -128 ? k->out_zp : -128, hi = 127;
    if (six && k->out_zp + (int64_t)roundf(6.0f / k->out_scale) < hi)
        hi = k->out_zp + (int64_t)roundf(6.0f / k->out_scale);
    return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}
static int32_t relu_s8(const op_case *k, int32_t x, int32_t b) { (void)b; return relux_s8(k, x, false); }
static int32_t relu6_s8(const op_case *k, int32_t x, int32_t b) { (void)b; return relux_s8(k, x, true); }
static double relu_f32(double x, double b) { (void)b; return x > 0 ? x : 0; }
static double relu6_f32(double x, double b) { (void)b; return x < 0 ? 0 : (x > 6 ? 6 : x); }

/* LOGISTIC, TANH: TFLite's int8 lookup table (LUTPopulate), in float */
static int32_t lut_entry(const op_case *k, int32_t x, float (*f)(float))
{
    float deq = IN_SCALE * (float)(x - (int32_t)IN_ZP);
    float r = roundf(f(deq) * (1.0f / k->out_scale));
    int32_t q = (int32_t)(r + (float)k->out_zp);
    return q < -128 ? -128 : (q > 127 ? 127 : q);
}
static float sigm(float v) { return 1.0f / (1.0f + expf(-v)); }
static int32_t logistic_s8(const op_case *k, int32_t x, int32_t b) { (void)b; return lut_entry(k, x, sigm); }
static int32_t tanh_s8(const op_case *k, int32_t x, int32_t b) { (void)b; return lut_entry(k, x, tanhf); }
static double logistic_f32(double x, double b) { (void)b; return 1.0 / (1.0 + exp(-x)); }
static double tanh_f32(double x, double b) { (void)b; return tanh(x); }

/* HARD_SWISH: the real value x * relu6(x + 3) / 6, rounded (TFLite's 16-bit fixed point
 * is within a step of it) */
static double hs(double x) { return x * (x + 3 < 0 ? 0 : (x + 3 > 6 ? 6 : x + 3)) / 6; }
static int32_t hard_swish_s8(const op_case *k, int32_t x, int32_t b)
{
    (void)b;
    double v = round(hs((double)IN_SCALE * (x - IN_ZP)) / k->out_scale) + k->out_zp;
    return v < -128 ? -128 : (v > 127 ? 127 : (int32_t)v);
}
static double hard_swish_f32(double x, double b) { (void)b; return hs(x); }

/* QUANTIZE int8 -> int8 (TFLite's Requantize): MultiplyByQuantizedMultiplier(x - in_zp,
 * in/out in double) + out_zp, clamped */
static int32_t quantize_s8(const op_case *k, int32_t x, int32_t b)
{
    (void)b;
    int32_t sh, m = mult_of((double)IN_SCALE / (double)k->out_scale, &sh);
    int64_t v = k->out_zp + (int64_t)eb_requantize(x - (int32_t)IN_ZP, m, sh);
    return (int32_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
}

/* CONCATENATION of (x, maxpool(x), x) along the case's axis (3: C, 2: W, 1: H); int8
 * with one quantization throughout (TFLite requires it) */
static uint8_t *build_concat(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    tbm_init(mb);
    int c = tbm_opcode(mb, EB_TFLITE_OP_CONCATENATION, 1);
    int pc = tbm_opcode(mb, EB_TFLITE_OP_MAX_POOL_2D, 1);
    const int32_t s[] = {1, H, W, C};
    int32_t ys[] = {1, H, W, C};
    ys[k->axis] *= 3;
    int x = tbm_tensor(mb, "x", type, 4, s, 0);
    int b = tbm_tensor(mb, "b", type, 4, s, 0);
    int y = tbm_tensor(mb, "y", type, 4, ys, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, IN_SCALE, IN_ZP);
        quant(mb, b, IN_SCALE, IN_ZP);
        quant(mb, y, IN_SCALE, IN_ZP);
    }
    tb_node *po = tb_table(&mb->b);
    tb_u8(po, 0, EB_TFLITE_PAD_SAME);
    tb_i32(po, 1, 1);
    tb_i32(po, 2, 1);
    tb_i32(po, 3, 3);
    tb_i32(po, 4, 3);
    int32_t pin[] = {x}, pout[] = {b};
    tbm_op(mb, pc, 1, pin, 1, pout, EB_TFLITE_OPT_POOL2D, po);
    tb_node *o = tb_table(&mb->b);
    tb_i32(o, 0, k->axis == 3 ? -1 : k->axis); /* a negative axis too */
    int32_t in[] = {x, b, x}, out[] = {y};
    tbm_op(mb, c, 3, in, 1, out, EB_TFLITE_OPT_CONCATENATION, o);
    tbm_io(mb, 1, pin, 1, out);
    return tbm_finish(mb, n);
}

static void expect_concat(const op_case *k, bool s8, const void *x, void *want)
{
    size_t es = s8 ? 1 : 4;
    /* outer rows and the inner run of one input along the axis */
    int outer = k->axis == 3 ? H * W : k->axis == 2 ? H : 1;
    int inner = N / outer;
    uint8_t b[N * 4];
    for (int i = 0; i < N; i++) {
        double v = max3(x, s8, i);
        if (s8)
            ((int8_t *)b)[i] = (int8_t)v;
        else
            ((float *)b)[i] = (float)v;
    }
    const uint8_t *parts[3] = {x, b, x};
    uint8_t *w = want;
    for (int o = 0; o < outer; o++)
        for (int p = 0; p < 3; p++) {
            memcpy(w, parts[p] + (size_t)o * inner * es, (size_t)inner * es);
            w += (size_t)inner * es;
        }
}

/* PAD of H by (1, 2) and W by (2, 0): [1,3,4,5] -> [1,6,6,5]; int8 pads with the zero
 * point and keeps the input's quantization */
static uint8_t *build_pad(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    (void)k;
    tbm_init(mb);
    int c = tbm_opcode(mb, EB_TFLITE_OP_PAD, 1);
    const int32_t s[] = {1, H, W, C}, ys[] = {1, H + 3, W + 2, C}, ps[] = {4, 2};
    const int32_t pads[8] = {0, 0, 1, 2, 2, 0, 0, 0};
    int x = tbm_tensor(mb, "x", type, 4, s, 0);
    int pt = tbm_const(mb, "paddings", EB_TFLITE_INT32, 2, ps, pads, sizeof pads);
    int y = tbm_tensor(mb, "y", type, 4, ys, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, IN_SCALE, IN_ZP);
        quant(mb, y, IN_SCALE, IN_ZP);
    }
    int32_t in[] = {x, pt}, out[] = {y}, mi[] = {x};
    tbm_op(mb, c, 2, in, 1, out, EB_TFLITE_OPT_PAD, tb_table(&mb->b));
    tbm_io(mb, 1, mi, 1, out);
    return tbm_finish(mb, n);
}

static void expect_pad(const op_case *k, bool s8, const void *x, void *want)
{
    (void)k;
    for (int yy = 0; yy < H + 3; yy++)
        for (int xx = 0; xx < W + 2; xx++)
            for (int ch = 0; ch < C; ch++) {
                int j = (yy * (W + 2) + xx) * C + ch, sy = yy - 1, sx = xx - 2;
                bool inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                int i = (sy * W + sx) * C + ch;
                if (s8)
                    ((int8_t *)want)[j] = inside ? ((const int8_t *)x)[i] : (int8_t)IN_ZP;
                else
                    ((float *)want)[j] = inside ? ((const float *)x)[i] : 0.0f;
            }
}

/* MEAN over H and W (axes {1, 2}; keep_dims case: {2, 1}; Arm NN 22 mishandles a
 * negative axis) -> [1,1,1,C] or [1,C] */
static uint8_t *build_mean(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    tbm_init(mb);
    int c = tbm_opcode(mb, EB_TFLITE_OP_MEAN, 1);
    const bool keep = k->axis == 1;
    const int32_t s[] = {1, H, W, C}, ys4[] = {1, 1, 1, C}, ys2[] = {1, C}, as[] = {2};
    const int32_t axes[2] = {keep ? 2 : 1, keep ? 1 : 2};
    int x = tbm_tensor(mb, "x", type, 4, s, 0);
    int at = tbm_const(mb, "axes", EB_TFLITE_INT32, 1, as, axes, sizeof axes);
    int y = tbm_tensor(mb, "y", type, keep ? 4 : 2, keep ? ys4 : ys2, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, IN_SCALE, IN_ZP);
        quant(mb, y, k->out_scale, k->out_zp);
    }
    tb_node *o = tb_table(&mb->b);
    tb_u8(o, 0, keep);
    int32_t in[] = {x, at}, out[] = {y}, mi[] = {x};
    tbm_op(mb, c, 2, in, 1, out, EB_TFLITE_OPT_REDUCER, o);
    tbm_io(mb, 1, mi, 1, out);
    return tbm_finish(mb, n);
}

/* TFLite's reference integer Mean: MultiplyByQuantizedMultiplier(sum(x - zp), in/out)
 * (multiplier from the scales in double), then / (h*w) rounding half away from zero */
static void expect_mean(const op_case *k, bool s8, const void *x, void *want)
{
    for (int ch = 0; ch < C; ch++) {
        if (s8) {
            int32_t sum = 0;
            for (int i = 0; i < H * W; i++)
                sum += ((const int8_t *)x)[i * C + ch] - (int32_t)IN_ZP;
            int32_t sh, m = mult_of((double)IN_SCALE / (double)k->out_scale, &sh);
            int32_t acc = eb_requantize(sum, m, sh), n = H * W;
            acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
            acc += (int32_t)k->out_zp;
            ((int8_t *)want)[ch] = (int8_t)(acc < -128 ? -128 : (acc > 127 ? 127 : acc));
        } else {
            float sum = 0;
            for (int i = 0; i < H * W; i++)
                sum += ((const float *)x)[i * C + ch];
            ((float *)want)[ch] = sum / (float)(H * W);
        }
    }
}

/* DEPTHWISE_CONV_2D 3x3 SAME stride 1 with depth multiplier 2 on C channels: output
 * channel k reads input channel k / 2; int8 weights (scale dwscale), int32 bias; fp32 the
 * same weights dequantized */
enum { DM = 2, DC = C * DM };
static int8_t dww[9 * DC];
static int32_t dwb[DC];
static float dwscale[DC];
static void dw_weights(void)
{
    uint64_t seed = 5;
    for (int i = 0; i < 9 * DC; i++)
        dww[i] = (int8_t)((int32_t)(lcg_peek(&seed) % 255) - 127);
    for (int k = 0; k < DC; k++) {
        dwb[k] = (int32_t)(lcg_peek(&seed) % 2001) - 1000;
        dwscale[k] = 0.003f; /* one scale: Arm NN 22's CpuRef aborts on per-channel
                              * scales of a depthwise with a multiplier (test_tflite_import
                              * covers per-channel ones against the restatement) */
    }
}

static uint8_t *build_dwmult(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    (void)k;
    dw_weights();
    tbm_init(mb);
    int code = tbm_opcode(mb, EB_TFLITE_OP_DEPTHWISE_CONV_2D, 1);
    const int32_t is[] = {1, H, W, C}, os[] = {1, H, W, DC}, ws[] = {1, 3, 3, DC}, bs[] = {DC};
    bool s8 = type == EB_TFLITE_INT8;
    int x = tbm_tensor(mb, "x", type, 4, is, 0);
    float wf[9 * DC], bf[DC];
    for (int i = 0; i < 9 * DC; i++)
        wf[i] = dwscale[i % DC] * (float)dww[i];
    for (int c = 0; c < DC; c++)
        bf[c] = (float)dwb[c] * IN_SCALE * dwscale[c];
    int wt = s8 ? tbm_const(mb, "w", EB_TFLITE_INT8, 4, ws, dww, sizeof dww)
                : tbm_const(mb, "w", EB_TFLITE_FLOAT32, 4, ws, wf, sizeof wf);
    int bt = s8 ? tbm_const(mb, "b", EB_TFLITE_INT32, 1, bs, dwb, sizeof dwb)
                : tbm_const(mb, "b", EB_TFLITE_FLOAT32, 1, bs, bf, sizeof bf);
    int y = tbm_tensor(mb, "y", type, 4, os, 0);
    if (s8) {
        quant(mb, x, IN_SCALE, IN_ZP);
        quant(mb, y, 0.02f, -5);
        int64_t zp[1] = {0};
        tbm_quant(mb, wt, 1, dwscale, zp, 0);
        quant(mb, bt, IN_SCALE * dwscale[0], 0); /* (Arm NN checks the bias scale) */
    }
    tb_node *o = tb_table(&mb->b);
    tb_u8(o, 0, EB_TFLITE_PAD_SAME);
    tb_i32(o, 1, 1);
    tb_i32(o, 2, 1);
    tb_i32(o, 3, DM);
    int32_t in[] = {x, wt, bt}, out[] = {y}, mi[] = {x};
    tbm_op(mb, code, 3, in, 1, out, EB_TFLITE_OPT_DEPTHWISE_CONV2D, o);
    tbm_io(mb, 1, mi, 1, out);
    return tbm_finish(mb, n);
}

/* the depthwise sum written out (int8: TFLite's per-channel requantization) */
static void expect_dwmult(const op_case *k, bool s8, const void *x, void *want)
{
    (void)k;
    for (int yy = 0; yy < H; yy++)
        for (int xx = 0; xx < W; xx++)
            for (int oc = 0; oc < DC; oc++) {
                int32_t acc = dwb[oc];
                float accf = (float)dwb[oc] * IN_SCALE * dwscale[oc];
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int sy = yy + ky - 1, sx = xx + kx - 1;
                        if (sy < 0 || sy >= H || sx < 0 || sx >= W)
                            continue;
                        int i = (sy * W + sx) * C + oc / DM, wi = (ky * 3 + kx) * DC + oc;
                        if (s8)
                            acc += (((const int8_t *)x)[i] - (int32_t)IN_ZP) * dww[wi];
                        else
                            accf += ((const float *)x)[i] * (dwscale[oc] * (float)dww[wi]);
                    }
                int j = (yy * W + xx) * DC + oc;
                if (s8) {
                    int32_t sh, m = mult_of((double)IN_SCALE * (double)dwscale[oc] / (double)0.02f,
                                            &sh);
                    int64_t v = -5 + (int64_t)eb_requantize(acc, m, sh);
                    ((int8_t *)want)[j] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
                } else {
                    ((float *)want)[j] = accf;
                }
            }
}

static bool armnn_pads_raw_zero(const op_case *k, int j)
{
    if (k->build != build_pad)
        return false;
    int yy = j / ((W + 2) * C), xx = (j / C) % (W + 2);
    return yy < 1 || yy >= H + 1 || xx < 2;
}

static const op_case cases[] = {
    {"dw_mult2", 0, 0, false, 0, 0, 0, NULL, NULL, 0, build_dwmult, H * W * DC, expect_dwmult,
     0},
    {"mean_keep", 0, 0, false, 0, 0.02f, -10, NULL, NULL, 0, build_mean, C, expect_mean, 1},
    {"mean", 0, 0, false, 0, 0.01f, 5, NULL, NULL, 0, build_mean, C, expect_mean, 0},
    {"pad", 0, 0, false, 0, 0, 0, NULL, NULL, 0, build_pad, (H + 3) * (W + 2) * C, expect_pad,
     0},
    {"concat_c", 0, 0, false, 0, 0, 0, NULL, NULL, 0, build_concat, 3 * N, expect_concat, 3},
    {"concat_w", 0, 0, false, 0, 0, 0, NULL, NULL, 0, build_concat, 3 * N, expect_concat, 2},
    {"concat_h", 0, 0, false, 0, 0, 0, NULL, NULL, 0, build_concat, 3 * N, expect_concat, 1},
    {"quantize", EB_TFLITE_OP_QUANTIZE, 0, false, 0, 0.07f, -30, quantize_s8, NULL, 0, NULL,
     0, NULL, 0},
    {"relu", EB_TFLITE_OP_RELU, 0, false, 0, 0.03f, -128, relu_s8, relu_f32, 0, NULL, 0, NULL, 0},
    {"relu6", EB_TFLITE_OP_RELU6, 0, false, 0, 0.025f, -100, relu6_s8, relu6_f32, 0, NULL, 0, NULL, 0},
    {"logistic", EB_TFLITE_OP_LOGISTIC, 0, false, 0, 1.0f / 256, -128, logistic_s8,
     logistic_f32, 0, NULL, 0, NULL, 0},
    {"tanh", EB_TFLITE_OP_TANH, 0, false, 0, 1.0f / 128, 0, tanh_s8, tanh_f32, 0, NULL, 0, NULL, 0},
    {"hard_swish", EB_TFLITE_OP_HARD_SWISH, EB_TFLITE_OPT_HARD_SWISH, false, 0, 0.04f, -20,
     hard_swish_s8, hard_swish_f32, 1, NULL, 0, NULL, 0},
    {"sub", EB_TFLITE_OP_SUB, EB_TFLITE_OPT_SUB, true, EB_TFLITE_ACT_NONE, 0.03f, 40, sub_s8,
     sub_f32, 0, NULL, 0, NULL, 0},
    {"sub_relu", EB_TFLITE_OP_SUB, EB_TFLITE_OPT_SUB, true, EB_TFLITE_ACT_RELU, 0.01f, -100,
     sub_s8, sub_f32, 0, NULL, 0, NULL, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* ---- running ---- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static void make_input(bool s8, uint64_t seed, void *x)
{
    for (int i = 0; i < N; i++) {
        uint32_t r = (uint32_t)lcg(&seed);
        if (s8)
            ((int8_t *)x)[i] = (int8_t)(r & 0xff);
        else
            ((float *)x)[i] = -8.0f + 16.0f * (float)(r & 0xffff) / 65535.0f;
    }
}

static void run_edgebench(const uint8_t *b, size_t n, eb_kset ks, const void *x, void *y)
{
    eb_tflite_model *tm = NULL;
    char err[512] = "";
    cr_assert_eq(eb_tflite_parse(b, n, &tm, err, sizeof err), EB_OK, "%s", err);
    eb_graph *g = NULL;
    eb_status st = eb_tflite_import(tm, "op.tflite", NULL, &g, err, sizeof err);
    eb_tflite_free(tm);
    cr_assert_eq(st, EB_OK, "import: %s", err);
    eb_model *m = NULL;
    cr_assert_eq(eb_model_from_graph(g, ks, &m, err, sizeof err), EB_OK, "%s", err);
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    memcpy(eb_context_input(c), x, m->info.input_bytes);
    eb_context_run(c);
    memcpy(y, eb_context_output(c), m->info.output_bytes);
    eb_context_free(c);
    eb_model_free(m);
}

static uint8_t *build_case(const op_case *k, int8_t type, size_t *n, tbm *mb)
{
    return k->build ? k->build(k, type, n, mb) : build(k, type, n, mb);
}

static int32_t ny_of(const op_case *k) { return k->ny ? k->ny : N; }

/* int8-only ops (QUANTIZE between int8 tensors) have no float32 model */
static bool has_f32(const op_case *k) { return k->f32 || k->expect_all; }

static void expect_restated(const op_case *k, bool s8, const void *x, const void *y,
                            const char *set)
{
    if (k->expect_all) {
        uint8_t want[NY_MAX];
        k->expect_all(k, s8, x, want);
        if (s8) {
            cr_expect(!memcmp(want, y, (size_t)ny_of(k)), "%s int8 (%s) differs", k->name, set);
            return;
        }
        for (int j = 0; j < ny_of(k); j++) { /* fp32: sums in another order (FMA) */
            float w = ((const float *)want)[j], g = ((const float *)y)[j];
            cr_expect(fabsf(w - g) <= 1e-5f * (1 + fabsf(w)), "%s fp32 (%s) [%d]: %.9g, want "
                      "%.9g", k->name, set, j, (double)g, (double)w);
        }
        return;
    }
    for (int i = 0; i < N; i++) {
        double b = k->binary ? max3(x, s8, i) : 0;
        if (s8) {
            int32_t want = k->s8(k, ((const int8_t *)x)[i], (int32_t)b);
            int32_t got = ((const int8_t *)y)[i];
            cr_expect(abs(got - want) <= k->tol8, "%s int8 (%s) [%d]: %d, want %d", k->name,
                      set, i, got, want);
        } else {
            double xv = ((const float *)x)[i], want = k->f32(xv, b);
            if (k->act == EB_TFLITE_ACT_RELU && want < 0)
                want = 0;
            double got = ((const float *)y)[i];
            cr_expect(fabs(got - want) <= 1e-6 * (1 + fabs(want)),
                      "%s fp32 (%s) [%d]: %.9g, want %.9g", k->name, set, i, got, want);
        }
    }
}

Test(tflite_ops, restated_tflite_arithmetic)
{
    for (size_t i = 0; i < NCASES; i++)
        for (int s8 = 0; s8 < 2; s8++) {
            if (!s8 && !has_f32(&cases[i]))
                continue;
            tbm mb;
            size_t n;
            uint8_t *b = build_case(&cases[i], s8 ? EB_TFLITE_INT8 : EB_TFLITE_FLOAT32, &n, &mb);
            uint8_t x[N * 4], y[NY_MAX];
            for (uint64_t seed = 1; seed <= 3; seed++) {
                make_input(s8, seed * 7 + i, x);
                run_edgebench(b, n, EB_KSET_REF, x, y);
                expect_restated(&cases[i], s8, x, y, "ref");
                run_edgebench(b, n, EB_KSET_AUTO, x, y);
                expect_restated(&cases[i], s8, x, y, "auto");
            }
            free(b);
            tbm_free(&mb);
        }
}

static bool write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(p, 1, n, f) == n;
    if (f)
        ok = fclose(f) == 0 && ok;
    return ok;
}

static size_t read_file(const char *path, void *p, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(p, 1, cap, f);
    fclose(f);
    return n;
}

Test(tflite_ops, against_armnn_cpuref, .timeout = 300)
{
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn (with libarmnn-cpuref-backend22), python3-numpy or "
                     "python3-flatbuffers is missing: the Arm NN comparison is skipped");
    char tmp[] = "/tmp/eb_opsXXXXXX";
    cr_assert(mkdtemp(tmp));
    char cmd[16384];
    size_t cl = (size_t)snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/armnn_oracle.py",
                                 EB_SOURCE_DIR);
    enum { SEEDS = 3 };
    static uint8_t ours[NCASES][2][SEEDS][NY_MAX];
    for (size_t i = 0; i < NCASES; i++)
        for (int s8 = 0; s8 < 2; s8++) {
            if (!s8 && !has_f32(&cases[i]))
                continue;
            tbm mb;
            size_t n;
            uint8_t *b = build_case(&cases[i], s8 ? EB_TFLITE_INT8 : EB_TFLITE_FLOAT32, &n, &mb);
            char path[512];
            snprintf(path, sizeof path, "%s/%s_%d.tflite", tmp, cases[i].name, s8);
            cr_assert(write_file(path, b, n));
            for (int k = 0; k < SEEDS; k++) {
                uint8_t x[N * 4];
                make_input(s8, (uint64_t)k * 7 + i, x);
                char ip[512];
                snprintf(ip, sizeof ip, "%s/%s_%d_%d.in", tmp, cases[i].name, s8, k);
                cr_assert(write_file(ip, x, s8 ? N : N * 4));
                run_edgebench(b, n, EB_KSET_AUTO, x, ours[i][s8][k]);
                cl += (size_t)snprintf(cmd + cl, sizeof cmd - cl, " %s %s %s/%s_%d_%d.out",
                                       path, ip, tmp, cases[i].name, s8, k);
            }
            free(b);
            tbm_free(&mb);
        }
    snprintf(cmd + cl, sizeof cmd - cl, " 2>%s/oracle.log", tmp);
    int rc = system(cmd);
    char log[4096] = "", lp[600];
    snprintf(lp, sizeof lp, "%s/oracle.log", tmp);
    read_file(lp, log, sizeof log - 1);
    cr_assert_eq(rc, 0, "armnn_oracle.py failed: %s", log);
    for (size_t i = 0; i < NCASES; i++)
        for (int s8 = 0; s8 < 2; s8++) {
            if (!s8 && !has_f32(&cases[i]))
                continue;
            double worst = 0;
            for (int k = 0; k < SEEDS; k++) {
                uint8_t theirs[NY_MAX];
                char op[600];
                const int32_t ny = ny_of(&cases[i]);
                snprintf(op, sizeof op, "%s/%s_%d_%d.out", tmp, cases[i].name, s8, k);
                cr_assert_eq(read_file(op, theirs, sizeof theirs), (size_t)ny * (s8 ? 1 : 4),
                             "%s: Arm NN wrote no output", op);
                for (int j = 0; j < ny; j++) {
                    if (s8 && armnn_pads_raw_zero(&cases[i], j)) {
                        cr_expect_eq(((int8_t *)theirs)[j], 0, "%s [%d]: Arm NN padded with %d",
                                     cases[i].name, j, ((int8_t *)theirs)[j]);
                        continue;
                    }
                    double a = s8 ? ((int8_t *)ours[i][s8][k])[j] : ((float *)ours[i][s8][k])[j];
                    double t = s8 ? ((int8_t *)theirs)[j] : ((float *)theirs)[j];
                    worst = fabs(a - t) > worst ? fabs(a - t) : worst;
                }
            }
            fprintf(stderr, "tflite_ops: %-10s %s: largest difference from Arm NN CpuRef %g%s\n",
                    cases[i].name, s8 ? "int8" : "fp32", worst, s8 ? " steps" : "");
            if (s8)
                cr_expect(worst <= 1, "%s int8: %g steps from Arm NN", cases[i].name, worst);
            else
                cr_expect(worst <= 1e-5, "%s fp32: %g from Arm NN", cases[i].name, worst);
        }
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    (void)!system(cmd);
}

/* float32 x -> QUANTIZE -> int8 -> RELU -> int8 -> DEQUANTIZE -> float32 y: edgebench runs
 * the int8 part (its input the QUANTIZE's output) and leaves the two edges out; quantizing
 * x as TFLite does (round(x / scale) + zero point) and dequantizing the output gives Arm
 * NN's float32 y exactly. */
static uint8_t *build_edges(size_t *n, tbm *mb)
{
    tbm_init(mb);
    int qc = tbm_opcode(mb, EB_TFLITE_OP_QUANTIZE, 1);
    int rc = tbm_opcode(mb, EB_TFLITE_OP_RELU, 1);
    int dc = tbm_opcode(mb, EB_TFLITE_OP_DEQUANTIZE, 1);
    const int32_t s[] = {1, H, W, C};
    int x = tbm_tensor(mb, "x", EB_TFLITE_FLOAT32, 4, s, 0);
    int q = tbm_tensor(mb, "q", EB_TFLITE_INT8, 4, s, 0);
    int r = tbm_tensor(mb, "r", EB_TFLITE_INT8, 4, s, 0);
    int y = tbm_tensor(mb, "y", EB_TFLITE_FLOAT32, 4, s, 0);
    quant(mb, q, IN_SCALE, IN_ZP);
    quant(mb, r, 0.03f, -128);
    int32_t i0[] = {x}, o0[] = {q}, o1[] = {r}, o2[] = {y};
    tbm_op(mb, qc, 1, i0, 1, o0, EB_TFLITE_OPT_QUANTIZE, tb_table(&mb->b));
    tbm_op(mb, rc, 1, o0, 1, o1, 0, NULL);
    tbm_op(mb, dc, 1, o1, 1, o2, EB_TFLITE_OPT_DEQUANTIZE, tb_table(&mb->b));
    tbm_io(mb, 1, i0, 1, o2);
    return tbm_finish(mb, n);
}

Test(tflite_ops, float_edges_quantize_and_dequantize, .timeout = 120)
{
    tbm mb;
    size_t n;
    uint8_t *b = build_edges(&n, &mb);
    eb_tflite_model *tm = NULL;
    char err[512] = "";
    cr_assert_eq(eb_tflite_parse(b, n, &tm, err, sizeof err), EB_OK, "%s", err);
    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *log = open_memstream(&logbuf, &loglen);
    eb_graph *g = NULL;
    cr_assert_eq(eb_tflite_import(tm, "edges.tflite", log, &g, err, sizeof err), EB_OK, "%s",
                 err);
    fclose(log);
    eb_tflite_free(tm);
    cr_expect(strstr(logbuf, "op 0   QUANTIZE           -> (edge)     float32 input quantized"),
              "%s", logbuf);
    cr_expect(strstr(logbuf, "(edge)     float32 output dequantized"), "%s", logbuf);
    free(logbuf);
    cr_assert_eq(g->dtype, EB_S8);
    cr_assert_eq(g->nops, 1, "only the RELU runs");
    eb_model *m = NULL;
    cr_assert_eq(eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s", err);
    cr_assert(m->info.in_scale == (double)IN_SCALE && m->info.in_zp == IN_ZP);
    float xf[N], want[N];
    int8_t xq[N], yq[N];
    make_input(false, 99, xf);
    for (int i = 0; i < N; i++) {
        float v = roundf(xf[i] / IN_SCALE) + (float)IN_ZP;
        xq[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    memcpy(eb_context_input(c), xq, N);
    eb_context_run(c);
    memcpy(yq, eb_context_output(c), N);
    eb_context_free(c);
    eb_model_free(m);
    for (int i = 0; i < N; i++) {
        int32_t sh, mq = mult_of((double)IN_SCALE / (double)0.03f, &sh);
        int64_t v = -128 + (int64_t)eb_requantize(xq[i] - (int32_t)IN_ZP, mq, sh);
        cr_assert_eq(yq[i], v < -128 ? -128 : (v > 127 ? 127 : v), "[%d]", i);
        want[i] = 0.03f * (float)(yq[i] + 128);
    }
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0) {
        free(b);
        tbm_free(&mb);
        cr_skip_test("python3-pyarmnn is missing: the Arm NN comparison is skipped");
    }
    char tmp[] = "/tmp/eb_edgesXXXXXX";
    cr_assert(mkdtemp(tmp));
    char mp[600], ip[600], op[600], cmd[2400];
    snprintf(mp, sizeof mp, "%s/edges.tflite", tmp);
    snprintf(ip, sizeof ip, "%s/x.in", tmp);
    snprintf(op, sizeof op, "%s/y.out", tmp);
    cr_assert(write_file(mp, b, n) && write_file(ip, xf, sizeof xf));
    free(b);
    tbm_free(&mb);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/armnn_oracle.py %s %s %s 2>/dev/null",
             EB_SOURCE_DIR, mp, ip, op);
    int rc = system(cmd);
    float theirs[N];
    size_t got = read_file(op, theirs, sizeof theirs);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    (void)!system(cmd);
    cr_assert_eq(rc, 0, "armnn_oracle.py failed");
    cr_assert_eq(got, sizeof theirs);
    double worst = 0;
    for (int i = 0; i < N; i++)
        worst = fabs((double)want[i] - theirs[i]) > worst ? fabs((double)want[i] - theirs[i]) : worst;
    fprintf(stderr, "tflite_ops: edges      float32 in and out: largest difference from Arm NN "
                    "CpuRef %g\n", worst);
    cr_expect(worst == 0, "%g from Arm NN", worst);
}

/* A tensor with an empty dimension is refused (it once divided by zero in the depthwise
 * mapping: fuzz/regressions/tflite_import/input_with_an_empty_dimension). */
Test(tflite_ops, an_empty_dimension_is_refused)
{
    tbm mb;
    tbm_init(&mb);
    int c = tbm_opcode(&mb, EB_TFLITE_OP_RELU, 1);
    const int32_t s[] = {1, 3, 0, 5};
    int x = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 4, s, 0);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_FLOAT32, 4, s, 0);
    int32_t in[] = {x}, out[] = {y};
    tbm_op(&mb, c, 1, in, 1, out, 0, NULL);
    tbm_io(&mb, 1, in, 1, out);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    eb_tflite_model *tm = NULL;
    char err[512] = "";
    cr_assert_eq(eb_tflite_parse(b, n, &tm, err, sizeof err), EB_OK, "%s", err);
    eb_graph *g = NULL;
    cr_expect_eq(eb_tflite_import(tm, "empty.tflite", NULL, &g, err, sizeof err),
                 EB_ERR_UNSUPPORTED);
    cr_expect(strstr(err, "the model input has shape [1,3,0,5]"), "%s", err);
    eb_tflite_free(tm);
    free(b);
    tbm_free(&mb);
}
