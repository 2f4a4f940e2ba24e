/* test_tflite_import.c - .tflite files run by edgebench (models/tflite_import.c):
 *  (a) small files built here (tests/tflite_builder.h), one per op and dtype, run with
 *      the ref kernels and checked against a naive computation written in this file
 *      (TFLite's integer arithmetic: eb_requantize, int8 bit-exact; fp32 within 1e-5);
 *  (b) files edgebench must refuse: unsupported ops, dtypes and options (exit-2 sentences
 *      naming the operator), malformed files (the reader's sentence);
 *  (c) the eight MLPerf Tiny models of ../shared/models/mlperf_tiny (or $EB_SHARED_DIR)
 *      run by edgebench (every kernel set this CPU runs) and by Arm NN's CpuRef backend
 *      (tests/armnn_oracle.py) on the same fixed inputs. Skipped, saying so, where the
 *      folder or pyarmnn is absent. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eb_model_internal.h"
#include "eb_quant.h"
#include "eb_tflite.h"
#include "tflite_builder.h"

/* ---- helpers ---- */

static eb_status import_bytes(const uint8_t *b, size_t n, eb_kset ks, eb_model **out, char *err,
                              size_t errlen)
{
    eb_tflite_model *m = NULL;
    *out = NULL;
    eb_status st = eb_tflite_parse(b, n, &m, err, errlen);
    if (st != EB_OK)
        return st;
    eb_graph *g = NULL;
    st = eb_tflite_import(m, "built.tflite", NULL, &g, err, errlen);
    eb_tflite_free(m);
    if (st != EB_OK)
        return st;
    return eb_model_from_graph(g, ks, out, err, errlen);
}

static eb_model *import_ok(const uint8_t *b, size_t n, eb_kset ks)
{
    eb_model *m = NULL;
    char err[512] = "";
    eb_status st = import_bytes(b, n, ks, &m, err, sizeof err);
    cr_assert_eq(st, EB_OK, "import failed (%d): %s", st, err);
    return m;
}

static void run_model(const eb_model *m, const void *in, void *out)
{
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    const eb_model_info *i = eb_model_get_info(m);
    memcpy(eb_context_input(c), in, i->input_bytes);
    eb_context_run(c);
    memcpy(out, eb_context_output(c), i->output_bytes);
    eb_context_free(c);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static void fill_s8(int8_t *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (int8_t)(lcg(&seed) & 0xff);
}

static void fill_f32(float *x, size_t n, uint64_t seed, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)(lcg(&seed) & 0xffff) / 65535.0f;
}

static void quant(tbm *mb, int t, float scale, int64_t zp)
{
    tbm_quant(mb, t, 1, &scale, &zp, 0);
}

static int32_t mult_of(double real, int32_t *shift)
{
    int32_t m;
    cr_assert_eq(eb_quantize_multiplier(real, &m, shift), EB_OK);
    return m;
}

static int8_t requant(int32_t acc, double real, int32_t zp, int32_t lo, int32_t hi)
{
    int32_t shift, m = mult_of(real, &shift);
    int64_t v = (int64_t)zp + eb_requantize(acc, m, shift);
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* ---- (a) built files: convolutions ---- */

/* Geometry of one convolution test: input [1,ih,iw,ic], kernel kh x kw, stride, SAME
 * or VALID; out channels oc (depthwise: ic * mult). */
typedef struct {
    int32_t ih, iw, ic, oc, kh, kw, sh, sw;
    int padding;
    bool dw;
    int act; /* tflite act */
} conv_case;

static void conv_geometry(const conv_case *k, int32_t *oh, int32_t *ow, int32_t *pt, int32_t *pl)
{
    if (k->padding == EB_TFLITE_PAD_SAME) {
        *oh = (k->ih + k->sh - 1) / k->sh;
        *ow = (k->iw + k->sw - 1) / k->sw;
        int32_t th = (*oh - 1) * k->sh + k->kh - k->ih, tw = (*ow - 1) * k->sw + k->kw - k->iw;
        *pt = th > 0 ? th / 2 : 0;
        *pl = tw > 0 ? tw / 2 : 0;
    } else {
        *oh = (k->ih - k->kh) / k->sh + 1;
        *ow = (k->iw - k->kw) / k->sw + 1;
        *pt = *pl = 0;
    }
}

/* Weight element (o, y, x, i) in the file's layout: OHWI, or [1,kh,kw,oc] depthwise
 * (whose input channel is o / mult, i unused). */
static size_t widx(const conv_case *k, int32_t o, int32_t y, int32_t x, int32_t i)
{
    if (k->dw)
        return ((size_t)y * k->kw + x) * k->oc + o;
    return (((size_t)o * k->kh + y) * k->kw + x) * k->ic + i;
}

static uint8_t *build_conv(const conv_case *k, int8_t type, int8_t wtype, const void *w,
                           size_t wbytes, const float *wscale, int nscale, const void *bias,
                           float in_s, int64_t in_zp, float out_s, int64_t out_zp, size_t *n,
                           tbm *mb)
{
    int32_t oh, ow, pt, pl;
    conv_geometry(k, &oh, &ow, &pt, &pl);
    tbm_init(mb);
    int code = tbm_opcode(mb, k->dw ? EB_TFLITE_OP_DEPTHWISE_CONV_2D : EB_TFLITE_OP_CONV_2D, 1);
    const int32_t is[] = {1, k->ih, k->iw, k->ic}, os[] = {1, oh, ow, k->oc}, bs[] = {k->oc};
    const int32_t ws[] = {k->dw ? 1 : k->oc, k->kh, k->kw, k->dw ? k->oc : k->ic};
    int x = tbm_tensor(mb, "x", type, 4, is, 0);
    int wt = tbm_const(mb, "w", wtype, 4, ws, w, (uint32_t)wbytes);
    int bt = tbm_const(mb, "b", type == EB_TFLITE_INT8 ? EB_TFLITE_INT32 : EB_TFLITE_FLOAT32, 1,
                       bs, bias, (uint32_t)(4 * k->oc));
    int y = tbm_tensor(mb, "y", type, 4, os, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, in_s, in_zp);
        quant(mb, y, out_s, out_zp);
    }
    if (wscale) {
        int64_t zp[64] = {0};
        tbm_quant(mb, wt, nscale, wscale, zp, nscale > 1 ? (k->dw ? 3 : 0) : 0);
    }
    tb_node *o = tb_table(&mb->b);
    tb_u8(o, 0, (uint8_t)k->padding);
    tb_i32(o, 1, k->sw);
    tb_i32(o, 2, k->sh);
    if (k->dw) {
        tb_i32(o, 3, k->oc / k->ic);
        tb_u8(o, 4, (uint8_t)k->act);
    } else {
        tb_u8(o, 3, (uint8_t)k->act);
    }
    int32_t in[] = {x, wt, bt}, out[] = {y};
    tbm_op(mb, code, 3, in, 1, out,
           k->dw ? EB_TFLITE_OPT_DEPTHWISE_CONV2D : EB_TFLITE_OPT_CONV2D, o);
    tbm_io(mb, 1, in, 1, out);
    return tbm_finish(mb, n);
}

static void check_conv_s8(const conv_case *k)
{
    int32_t oh, ow, pt, pl;
    conv_geometry(k, &oh, &ow, &pt, &pl);
    const int32_t mult = k->dw ? k->oc / k->ic : 1;
    const size_t nw = (size_t)k->oc * k->kh * k->kw * (k->dw ? 1 : k->ic);
    int8_t *w = malloc(nw), *x = malloc((size_t)k->ih * k->iw * k->ic);
    int8_t *got = malloc((size_t)oh * ow * k->oc);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)k->oc);
    float wscale[64];
    fill_s8(w, nw, 11);
    for (size_t i = 0; i < nw; i++)
        w[i] = w[i] == -128 ? -127 : w[i];
    fill_s8(x, (size_t)k->ih * k->iw * k->ic, 12);
    for (int32_t o = 0; o < k->oc; o++) {
        wscale[o] = 0.004f + 0.001f * (float)(o % 5);
        bias[o] = (o * 977) % 3001 - 1500;
    }
    const float in_s = 0.05f, out_s = 0.09f;
    const int64_t in_zp = -3, out_zp = 5;
    tbm mb;
    size_t n;
    uint8_t *b = build_conv(k, EB_TFLITE_INT8, EB_TFLITE_INT8, w, nw, wscale, k->oc, bias, in_s,
                            in_zp, out_s, out_zp, &n, &mb);
    eb_model *m = import_ok(b, n, EB_KSET_REF);
    run_model(m, x, got);
    int32_t lo = -128, hi = 127;
    if (k->act == EB_TFLITE_ACT_RELU || k->act == EB_TFLITE_ACT_RELU6)
        lo = (int32_t)out_zp;
    if (k->act == EB_TFLITE_ACT_RELU6)
        hi = (int32_t)out_zp + (int32_t)lround(6.0 / out_s) < 127
                 ? (int32_t)out_zp + (int32_t)lround(6.0 / out_s)
                 : 127;
    for (int32_t oy = 0; oy < oh; oy++)
        for (int32_t ox = 0; ox < ow; ox++)
            for (int32_t o = 0; o < k->oc; o++) {
                int32_t acc = bias[o];
                for (int32_t y = 0; y < k->kh; y++)
                    for (int32_t xx = 0; xx < k->kw; xx++) {
                        int32_t iy = oy * k->sh - pt + y, ix = ox * k->sw - pl + xx;
                        if (iy < 0 || iy >= k->ih || ix < 0 || ix >= k->iw)
                            continue;
                        for (int32_t i = 0; i < (k->dw ? 1 : k->ic); i++) {
                            int32_t ci = k->dw ? o / mult : i;
                            int32_t xv = x[((size_t)iy * k->iw + ix) * k->ic + ci];
                            acc += (xv - (int32_t)in_zp) * w[widx(k, o, y, xx, i)];
                        }
                    }
                int8_t want = requant(acc, (double)in_s * (double)wscale[o] / (double)out_s,
                                      (int32_t)out_zp, lo, hi);
                int8_t have = got[((size_t)oy * ow + ox) * k->oc + o];
                cr_assert_eq(have, want, "%s %dx%dx%d k%dx%d s%d%d: y %d x %d c %d: %d, want %d",
                             k->dw ? "dwconv" : "conv", k->ih, k->iw, k->ic, k->kh, k->kw,
                             k->sh, k->sw, oy, ox, o, have, want);
            }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
    free(w);
    free(x);
    free(got);
    free(bias);
}

/* fp32 (weights float32, or int8 hybrid: dequantized per tensor with a zero point). */
static void check_conv_f32(const conv_case *k, bool hybrid)
{
    int32_t oh, ow, pt, pl;
    conv_geometry(k, &oh, &ow, &pt, &pl);
    const int32_t mult = k->dw ? k->oc / k->ic : 1;
    const size_t nw = (size_t)k->oc * k->kh * k->kw * (k->dw ? 1 : k->ic);
    float *w = malloc(4 * nw), *x = malloc(4 * (size_t)k->ih * k->iw * k->ic);
    float *got = malloc(4 * (size_t)oh * ow * k->oc), *bias = malloc(4 * (size_t)k->oc);
    int8_t *wq = malloc(nw);
    const float hs = 0.02f;
    fill_s8(wq, nw, 21);
    for (size_t i = 0; i < nw; i++)
        w[i] = hybrid ? hs * (float)wq[i] : (float)wq[i] / 100.0f;
    fill_f32(x, (size_t)k->ih * k->iw * k->ic, 22, -1.0f, 1.0f);
    fill_f32(bias, (size_t)k->oc, 23, -0.5f, 0.5f);
    tbm mb;
    size_t n;
    uint8_t *b = hybrid ? build_conv(k, EB_TFLITE_FLOAT32, EB_TFLITE_INT8, wq, nw, &hs, 1, bias,
                                     0, 0, 0, 0, &n, &mb)
                        : build_conv(k, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, w, 4 * nw, NULL, 0,
                                     bias, 0, 0, 0, 0, &n, &mb);
    eb_model *m = import_ok(b, n, EB_KSET_REF);
    run_model(m, x, got);
    for (int32_t oy = 0; oy < oh; oy++)
        for (int32_t ox = 0; ox < ow; ox++)
            for (int32_t o = 0; o < k->oc; o++) {
                double acc = bias[o];
                for (int32_t y = 0; y < k->kh; y++)
                    for (int32_t xx = 0; xx < k->kw; xx++) {
                        int32_t iy = oy * k->sh - pt + y, ix = ox * k->sw - pl + xx;
                        if (iy < 0 || iy >= k->ih || ix < 0 || ix >= k->iw)
                            continue;
                        for (int32_t i = 0; i < (k->dw ? 1 : k->ic); i++) {
                            int32_t ci = k->dw ? o / mult : i;
                            acc += (double)x[((size_t)iy * k->iw + ix) * k->ic + ci] *
                                   w[widx(k, o, y, xx, i)];
                        }
                    }
                if (k->act != EB_TFLITE_ACT_NONE && acc < 0)
                    acc = 0;
                if (k->act == EB_TFLITE_ACT_RELU6 && acc > 6)
                    acc = 6;
                float have = got[((size_t)oy * ow + ox) * k->oc + o];
                cr_assert(fabs(have - acc) <= 1e-5 * (1 + fabs(acc)),
                          "%s%s: y %d x %d c %d: %g, want %g", k->dw ? "dwconv" : "conv",
                          hybrid ? " hybrid" : "", oy, ox, o, (double)have, acc);
            }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
    free(w);
    free(wq);
    free(x);
    free(got);
    free(bias);
}

/* SAME with the odd pixel at the bottom/right (7 rows and 6 columns, stride 2), VALID,
 * 1x1, a fused ReLU and ReLU6. */
static const conv_case convs[] = {
    {7, 6, 3, 4, 3, 3, 2, 2, EB_TFLITE_PAD_SAME, false, EB_TFLITE_ACT_RELU},
    {9, 5, 2, 5, 4, 2, 2, 1, EB_TFLITE_PAD_SAME, false, EB_TFLITE_ACT_NONE},
    {6, 6, 4, 3, 3, 3, 1, 1, EB_TFLITE_PAD_VALID, false, EB_TFLITE_ACT_RELU6},
    {5, 4, 8, 6, 1, 1, 1, 1, EB_TFLITE_PAD_VALID, false, EB_TFLITE_ACT_RELU},
};
static const conv_case dwconvs[] = {
    {7, 6, 5, 5, 3, 3, 2, 2, EB_TFLITE_PAD_SAME, true, EB_TFLITE_ACT_RELU},
    {6, 7, 3, 3, 3, 3, 1, 1, EB_TFLITE_PAD_SAME, true, EB_TFLITE_ACT_RELU6},
    {8, 5, 1, 4, 3, 3, 2, 1, EB_TFLITE_PAD_SAME, true, EB_TFLITE_ACT_NONE}, /* mult 4 */
    {6, 6, 2, 4, 3, 3, 1, 1, EB_TFLITE_PAD_SAME, true, EB_TFLITE_ACT_NONE}, /* mult 2 */
    {7, 5, 3, 9, 3, 2, 2, 1, EB_TFLITE_PAD_VALID, true, EB_TFLITE_ACT_RELU6}, /* mult 3 */
};

Test(tflite_import, conv2d_int8_per_channel)
{
    for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++)
        check_conv_s8(&convs[i]);
}

Test(tflite_import, conv2d_fp32_and_hybrid)
{
    for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++) {
        check_conv_f32(&convs[i], false);
        check_conv_f32(&convs[i], true);
    }
}

Test(tflite_import, depthwise_int8_fp32_and_depth_multipliers)
{
    for (size_t i = 0; i < sizeof dwconvs / sizeof dwconvs[0]; i++) {
        check_conv_s8(&dwconvs[i]);
        check_conv_f32(&dwconvs[i], false);
        check_conv_f32(&dwconvs[i], true);
    }
}

/* ---- (a) built files: reshape + fully connected + softmax, pools, add, mul ---- */

/* x [1,2,2,3] -> RESHAPE [1,12] -> FC (12 -> 5, per-tensor int8 weights) -> SOFTMAX. */
static uint8_t *build_fc_softmax(int8_t type, size_t *n, tbm *mb, const void *w,
                                 const void *bias, bool softmax)
{
    tbm_init(mb);
    int rc = tbm_opcode(mb, EB_TFLITE_OP_RESHAPE, 1);
    int fc = tbm_opcode(mb, EB_TFLITE_OP_FULLY_CONNECTED, 1);
    int sm = tbm_opcode(mb, EB_TFLITE_OP_SOFTMAX, 1);
    const int32_t is[] = {1, 2, 2, 3}, rs[] = {1, 12}, ws[] = {5, 12}, bs[] = {5}, os[] = {1, 5};
    const int32_t two = 2, shape[] = {1, 12};
    bool s8 = type == EB_TFLITE_INT8;
    int x = tbm_tensor(mb, "x", type, 4, is, 0);
    int sh = tbm_const(mb, "shape", EB_TFLITE_INT32, 1, &two, shape, 8);
    int r = tbm_tensor(mb, "r", type, 2, rs, 0);
    int wt = tbm_const(mb, "w", type, 2, ws, w, s8 ? 60 : 240);
    int bt = tbm_const(mb, "b", s8 ? EB_TFLITE_INT32 : EB_TFLITE_FLOAT32, 1, bs, bias, 20);
    int f = tbm_tensor(mb, "f", type, 2, os, 0);
    int y = tbm_tensor(mb, "y", type, 2, os, 0);
    if (s8) {
        quant(mb, x, 0.04f, 7);
        quant(mb, r, 0.04f, 7);
        quant(mb, wt, 0.01f, 0);
        quant(mb, f, 0.05f, -10);
        quant(mb, y, 1.0f / 256.0f, -128);
    }
    int32_t in1[] = {x, sh}, out1[] = {r};
    tbm_op(mb, rc, 2, in1, 1, out1, 0, NULL); /* no options table, as in kws_ref_model */
    tb_node *fo = tb_table(&mb->b);
    tb_u8(fo, 0, EB_TFLITE_ACT_NONE);
    int32_t in2[] = {r, wt, bt}, out2[] = {f};
    tbm_op(mb, fc, 3, in2, 1, out2, EB_TFLITE_OPT_FULLY_CONNECTED, fo);
    if (softmax) {
        tb_node *so = tb_table(&mb->b);
        tb_f32(so, 0, 1.0f);
        int32_t in3[] = {f}, out3[] = {y};
        tbm_op(mb, sm, 1, in3, 1, out3, EB_TFLITE_OPT_SOFTMAX, so);
    }
    int32_t gin[] = {x}, gout[] = {softmax ? y : f};
    tbm_io(mb, 1, gin, 1, gout);
    return tbm_finish(mb, n);
}

Test(tflite_import, reshape_fc_softmax_int8)
{
    int8_t w[60], x[12], got[5], fcout[5];
    int32_t bias[5] = {100, -200, 300, 0, 50};
    fill_s8(w, 60, 31);
    fill_s8(x, 12, 32);
    tbm mb;
    size_t n;
    /* the FC alone: per-tensor scale on every output */
    uint8_t *b = build_fc_softmax(EB_TFLITE_INT8, &n, &mb, w, bias, false);
    eb_model *m = import_ok(b, n, EB_KSET_REF);
    cr_expect_eq(eb_model_get_info(m)->num_ops, 1, "the reshape is an alias, not an op");
    run_model(m, x, fcout);
    for (int o = 0; o < 5; o++) {
        int32_t acc = bias[o];
        for (int i = 0; i < 12; i++)
            acc += (x[i] - 7) * w[o * 12 + i];
        /* the scales are floats: the multiplier comes from their float values */
        int8_t want = requant(acc, (double)0.04f * (double)0.01f / (double)0.05f, -10, -128, 127);
        cr_expect_eq(fcout[o], want, "fc output %d: %d, want %d", o, fcout[o], want);
    }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
    /* with the softmax: TFLite's int8 softmax of the FC output */
    b = build_fc_softmax(EB_TFLITE_INT8, &n, &mb, w, bias, true);
    m = import_ok(b, n, EB_KSET_AUTO);
    cr_expect_str_eq(eb_model_kernels(m)->softmax_tfl_s8.name, "eb_softmax_tfl_s8_ref");
    eb_op_info oi;
    cr_assert_eq(eb_model_op_info(m, 1, &oi), EB_OK);
    cr_expect_str_eq(oi.type, "softmax_tfl");
    run_model(m, x, got);
    eb_softmax_params p;
    memset(&p, 0, sizeof p);
    cr_assert_eq(eb_softmax_tfl_s8_prepare(&p, (double)0.05f, 1.0), EB_OK);
    p.rows = 1;
    p.depth = 5;
    int8_t want[5];
    eb_softmax_tfl_s8_ref(&p, fcout, want);
    for (int o = 0; o < 5; o++) {
        cr_expect_eq(got[o], want[o], "softmax %d: %d, want %d", o, got[o], want[o]);
        /* and within one step of the exact softmax */
        double sum = 0;
        for (int j = 0; j < 5; j++)
            sum += exp(0.05 * (fcout[j] - fcout[o]));
        cr_expect(fabs(got[o] - (256.0 / sum - 128.0)) <= 1.0, "softmax %d: %d, exact %.2f", o,
                  got[o], 256.0 / sum - 128.0);
    }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
}

Test(tflite_import, reshape_fc_softmax_fp32)
{
    float w[60], x[12], bias[5], got[5];
    fill_f32(w, 60, 41, -0.3f, 0.3f);
    fill_f32(x, 12, 42, -1.0f, 1.0f);
    fill_f32(bias, 5, 43, -0.1f, 0.1f);
    tbm mb;
    size_t n;
    uint8_t *b = build_fc_softmax(EB_TFLITE_FLOAT32, &n, &mb, w, bias, true);
    eb_model *m = import_ok(b, n, EB_KSET_REF);
    run_model(m, x, got);
    double f[5], mx = -1e300, sum = 0;
    for (int o = 0; o < 5; o++) {
        f[o] = bias[o];
        for (int i = 0; i < 12; i++)
            f[o] += (double)x[i] * w[o * 12 + i];
        mx = f[o] > mx ? f[o] : mx;
    }
    for (int o = 0; o < 5; o++)
        sum += exp(f[o] - mx);
    for (int o = 0; o < 5; o++)
        cr_expect(fabs(got[o] - exp(f[o] - mx) / sum) < 1e-6, "softmax %d: %g, want %g", o,
                  (double)got[o], exp(f[o] - mx) / sum);
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
}

/* x [1,5,4,6] -> POOL (filter, stride, padding) -> y. */
static uint8_t *build_pool(int32_t code, int8_t type, int32_t fh, int32_t fw, int32_t s,
                           int padding, const int32_t *os, size_t *n, tbm *mb)
{
    tbm_init(mb);
    int c = tbm_opcode(mb, code, 1);
    const int32_t is[] = {1, 5, 4, 6};
    int x = tbm_tensor(mb, "x", type, 4, is, 0);
    int y = tbm_tensor(mb, "y", type, 4, os, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, 0.1f, -4);
        quant(mb, y, 0.1f, -4);
    }
    tb_node *o = tb_table(&mb->b);
    tb_u8(o, 0, (uint8_t)padding);
    tb_i32(o, 1, s);
    tb_i32(o, 2, s);
    tb_i32(o, 3, fw);
    tb_i32(o, 4, fh);
    tb_u8(o, 5, EB_TFLITE_ACT_RELU);
    int32_t in[] = {x}, out[] = {y};
    tbm_op(mb, c, 1, in, 1, out, EB_TFLITE_OPT_POOL2D, o);
    tbm_io(mb, 1, in, 1, out);
    return tbm_finish(mb, n);
}

Test(tflite_import, pools_int8_and_fp32)
{
    int8_t x8[120], y8[120];
    float xf[120], yf[120];
    fill_s8(x8, 120, 51);
    fill_f32(xf, 120, 52, -2.0f, 2.0f);
    tbm mb;
    size_t n;
    /* whole-map average (TFLite's rounding: half away from zero), ReLU: max(zp, .) */
    static const int32_t g[] = {1, 1, 1, 6}, same[] = {1, 3, 2, 6};
    uint8_t *b = build_pool(EB_TFLITE_OP_AVERAGE_POOL_2D, EB_TFLITE_INT8, 5, 4, 1,
                            EB_TFLITE_PAD_VALID, g, &n, &mb);
    eb_model *m = import_ok(b, n, EB_KSET_AUTO);
    run_model(m, x8, y8);
    for (int c = 0; c < 6; c++) {
        int32_t s = 0;
        for (int i = 0; i < 20; i++)
            s += x8[i * 6 + c];
        int32_t avg = s > 0 ? (s + 10) / 20 : (s - 10) / 20;
        avg = avg < -4 ? -4 : avg;
        cr_expect_eq(y8[c], avg, "avg channel %d: %d, want %d", c, y8[c], avg);
    }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
    /* 3x3 max, stride 2, SAME (in-bounds taps only), fp32 */
    b = build_pool(EB_TFLITE_OP_MAX_POOL_2D, EB_TFLITE_FLOAT32, 3, 3, 2, EB_TFLITE_PAD_SAME,
                   same, &n, &mb);
    m = import_ok(b, n, EB_KSET_REF);
    run_model(m, xf, yf);
    /* rows: out 3, total (3-1)*2+3-5 = 2: top 1; cols: out 2, total 1: left 0 */
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 2; ox++)
            for (int c = 0; c < 6; c++) {
                float mx = 0.0f; /* the ReLU */
                for (int y = oy * 2 - 1; y < oy * 2 + 2; y++)
                    for (int x = ox * 2; x < ox * 2 + 3; x++)
                        if (y >= 0 && y < 5 && x < 4 && xf[(y * 4 + x) * 6 + c] > mx)
                            mx = xf[(y * 4 + x) * 6 + c];
                cr_expect_eq(yf[(oy * 2 + ox) * 6 + c], mx, "max y %d x %d c %d", oy, ox, c);
            }
    eb_model_free(m);
    free(b);
    tbm_free(&mb);
}

/* Two-operand ops need two activations and an edgebench graph has one input: the model
 * computes b from x first (a 1x1 MAX_POOL, which copies it, or a whole-map AVERAGE_POOL
 * for the per-channel operand), then y = x op b. */
static uint8_t *build_binary2(int32_t code, uint8_t opt, int8_t type, bool bcast, size_t *n,
                              tbm *mb)
{
    tbm_init(mb);
    int c = tbm_opcode(mb, code, 1);
    int pc = tbm_opcode(mb, bcast ? EB_TFLITE_OP_AVERAGE_POOL_2D : EB_TFLITE_OP_MAX_POOL_2D, 1);
    const int32_t as[] = {1, 3, 4, 5}, bs[] = {1, 1, 1, 5};
    int x = tbm_tensor(mb, "x", type, 4, as, 0);
    int b = tbm_tensor(mb, "b", type, 4, bcast ? bs : as, 0);
    int y = tbm_tensor(mb, "y", type, 4, as, 0);
    if (type == EB_TFLITE_INT8) {
        quant(mb, x, 0.05f, 3);
        quant(mb, b, 0.05f, 3);
        quant(mb, y, 0.1f, -20);
    }
    tb_node *po = tb_table(&mb->b);
    tb_u8(po, 0, EB_TFLITE_PAD_VALID);
    tb_i32(po, 1, 1);
    tb_i32(po, 2, 1);
    tb_i32(po, 3, bcast ? 4 : 1);
    tb_i32(po, 4, bcast ? 3 : 1);
    int32_t pin[] = {x}, pout[] = {b};
    tbm_op(mb, pc, 1, pin, 1, pout, EB_TFLITE_OPT_POOL2D, po);
    tb_node *o = tb_table(&mb->b);
    tb_u8(o, 0, EB_TFLITE_ACT_RELU);
    int32_t in[] = {x, b}, out[] = {y};
    tbm_op(mb, c, 2, in, 1, out, opt, o);
    tbm_io(mb, 1, pin, 1, out);
    return tbm_finish(mb, n);
}

Test(tflite_import, add_and_mul_int8_fp32)
{
    int8_t x8[60], y8[60];
    float xf[60], yf[60];
    fill_s8(x8, 60, 61);
    fill_f32(xf, 60, 62, -2.0f, 2.0f);
    for (int k = 0; k < 2; k++) {
        bool mul = k == 1;
        tbm mb;
        size_t n;
        int32_t code = mul ? EB_TFLITE_OP_MUL : EB_TFLITE_OP_ADD;
        uint8_t opt = mul ? EB_TFLITE_OPT_MUL : EB_TFLITE_OPT_ADD;
        /* int8: ADD of x and its copy (TFLite's add arithmetic via eb_add_s8_prepare's
         * parameters, written out here), MUL by the per-channel mean */
        uint8_t *b = build_binary2(code, opt, EB_TFLITE_INT8, mul, &n, &mb);
        eb_model *m = import_ok(b, n, EB_KSET_AUTO);
        run_model(m, x8, y8);
        int32_t mean[5];
        for (int c = 0; c < 5; c++) {
            int32_t s = 0;
            for (int i = 0; i < 12; i++)
                s += x8[i * 5 + c];
            mean[c] = s > 0 ? (s + 6) / 12 : (s - 6) / 12;
        }
        for (int i = 0; i < 60; i++) {
            int32_t a = x8[i] - 3, want;
            if (mul) {
                want = requant(a * (mean[i % 5] - 3), (double)0.05f * (double)0.05f /
                                                          (double)0.1f, -20, -20, 127);
            } else {
                /* both operands have scale 0.05: each is rescaled by 1/2 of 2^20 * a */
                int32_t sh, am = mult_of(0.5, &sh);
                int32_t sa = eb_requantize(a * (1 << 20), am, sh);
                int32_t om, osh;
                om = mult_of(2.0 * (double)0.05f / (1048576.0 * (double)0.1f), &osh);
                int64_t v = -20 + (int64_t)eb_requantize(sa + sa, om, osh);
                want = v < -20 ? -20 : (v > 127 ? 127 : (int32_t)v);
            }
            cr_expect_eq(y8[i], want, "%s int8 [%d]: %d, want %d", mul ? "mul" : "add", i,
                         y8[i], want);
        }
        eb_model_free(m);
        free(b);
        tbm_free(&mb);
        b = build_binary2(code, opt, EB_TFLITE_FLOAT32, mul, &n, &mb);
        m = import_ok(b, n, EB_KSET_REF);
        run_model(m, xf, yf);
        for (int c = 0; c < 5; c++) {
            double s = 0;
            for (int i = 0; i < 12; i++)
                s += xf[i * 5 + c];
            for (int i = 0; i < 12; i++) {
                double a = xf[i * 5 + c], want = mul ? a * (s / 12) : a + a;
                want = want < 0 ? 0 : want;
                cr_expect(fabs(yf[i * 5 + c] - want) < 1e-5, "%s fp32 [%d]: %g, want %g",
                          mul ? "mul" : "add", i * 5 + c, (double)yf[i * 5 + c], want);
            }
        }
        eb_model_free(m);
        free(b);
        tbm_free(&mb);
    }
}

/* An imported model survives .ebm export (version 2: TFLite's softmax flag) bit for bit. */
Test(tflite_import, ebm_round_trip_keeps_tflite_softmax)
{
    int8_t w[60], x[12], a[5], b2[5];
    int32_t bias[5] = {100, -200, 300, 0, 50};
    fill_s8(w, 60, 71);
    fill_s8(x, 12, 72);
    tbm mb;
    size_t n;
    uint8_t *b = build_fc_softmax(EB_TFLITE_INT8, &n, &mb, w, bias, true);
    eb_model *m = import_ok(b, n, EB_KSET_REF);
    char path[] = "/tmp/eb_tfl_ebmXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    char err[512] = "";
    cr_assert_eq(eb_model_export(m, path, err, sizeof err), EB_OK, "%s", err);
    FILE *f = fopen(path, "rb");
    uint8_t hdr[8];
    cr_assert_eq(fread(hdr, 1, 8, f), 8u);
    fclose(f);
    cr_expect_eq(hdr[4], 2, "an imported int8 model with TFLite's softmax is .ebm version 2");
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *l = NULL;
    cr_assert_eq(eb_model_build(path, &mo, &l, err, sizeof err), EB_OK, "%s", err);
    run_model(m, x, a);
    run_model(l, x, b2);
    cr_expect_arr_eq(a, b2, 5);
    eb_op_info oi;
    cr_assert_eq(eb_model_op_info(l, 1, &oi), EB_OK);
    cr_expect_str_eq(oi.type, "softmax_tfl");
    unlink(path);
    eb_model_free(m);
    eb_model_free(l);
    free(b);
    tbm_free(&mb);
}

/* ---- (b) refusals ---- */

static void expect_refused(const uint8_t *b, size_t n, eb_status want, const char *n1,
                           const char *n2)
{
    eb_model *m = (eb_model *)1;
    char err[1024] = "";
    eb_status st = import_bytes(b, n, EB_KSET_REF, &m, err, sizeof err);
    cr_assert_neq(st, EB_OK, "accepted a model that should be refused ('%s')", n1);
    cr_assert_null(m);
    cr_expect_eq(st, want, "status %d, expected %d: %s", st, want, err);
    cr_expect(err[0] && !strchr(err, '\n'), "not one sentence: '%s'", err);
    cr_expect(strstr(err, n1) != NULL, "'%s' lacks '%s'", err, n1);
    if (n2)
        cr_expect(strstr(err, n2) != NULL, "'%s' lacks '%s'", err, n2);
}

Test(tflite_import, unsupported_op_is_named_with_its_index)
{
    /* x -> MAX_POOL (fine) -> DIV (not supported) */
    tbm mb;
    tbm_init(&mb);
    int pc = tbm_opcode(&mb, EB_TFLITE_OP_MAX_POOL_2D, 1);
    int tc = tbm_opcode(&mb, EB_TFLITE_OP_DIV, 1);
    const int32_t s[] = {1, 4, 4, 2};
    int x = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 4, s, 0);
    int p = tbm_tensor(&mb, "p", EB_TFLITE_FLOAT32, 4, s, 0);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_FLOAT32, 4, s, 0);
    tb_node *po = tb_table(&mb.b);
    tb_i32(po, 1, 1);
    tb_i32(po, 2, 1);
    tb_i32(po, 3, 1);
    tb_i32(po, 4, 1);
    tb_u8(po, 0, EB_TFLITE_PAD_VALID);
    int32_t i0[] = {x}, o0[] = {p}, o1[] = {y};
    tbm_op(&mb, pc, 1, i0, 1, o0, EB_TFLITE_OPT_POOL2D, po);
    tbm_op(&mb, tc, 1, o0, 1, o1, 0, NULL);
    tbm_io(&mb, 1, i0, 1, o1);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    expect_refused(b, n, EB_ERR_UNSUPPORTED, "op 1 (DIV) is not supported",
                   "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED");
    free(b);
    tbm_free(&mb);
}

Test(tflite_import, unsupported_options_and_types)
{
    tbm mb;
    size_t n;
    int8_t w[4 * 3 * 3 * 3] = {0};
    int32_t bias[8] = {0};
    float ws[4] = {0.1f, 0.1f, 0.1f, 0.1f};
    /* (a depth multiplier on several input channels is supported now: dwconvs[]) */
    /* a fused TANH */
    conv_case c = {6, 6, 3, 4, 3, 3, 1, 1, EB_TFLITE_PAD_SAME, false, EB_TFLITE_ACT_TANH};
    uint8_t *b = build_conv(&c, EB_TFLITE_INT8, EB_TFLITE_INT8, w, sizeof w, ws, 4, bias, 0.1f, 0, 0.1f,
                   0, &n, &mb);
    expect_refused(b, n, EB_ERR_UNSUPPORTED, "op 0 (CONV_2D)", "fused activation TANH");
    free(b);
    tbm_free(&mb);
    /* asymmetric int8 weights */
    c.act = EB_TFLITE_ACT_NONE;
    b = build_conv(&c, EB_TFLITE_INT8, EB_TFLITE_INT8, w, sizeof w, ws, 4, bias, 0.1f, 0, 0.1f,
                   0, &n, &mb);
    eb_tflite_model *tm = NULL;
    char err[512];
    cr_assert_eq(eb_tflite_parse(b, n, &tm, err, sizeof err), EB_OK, "%s", err);
    tm->tensors[1].quant.zero_point[2] = 3;
    eb_graph *g = NULL;
    cr_expect_eq(eb_tflite_import(tm, "x.tflite", NULL, &g, err, sizeof err),
                 EB_ERR_UNSUPPORTED);
    cr_expect(strstr(err, "zero point 3") != NULL, "%s", err);
    cr_expect_null(g);
    /* dilation */
    tm->tensors[1].quant.zero_point[2] = 0;
    tm->operators[0].options.u.conv.dilation_h = 2;
    cr_expect_eq(eb_tflite_import(tm, "x.tflite", NULL, &g, err, sizeof err),
                 EB_ERR_UNSUPPORTED);
    cr_expect(strstr(err, "dilation 2x1") != NULL, "%s", err);
    tm->operators[0].options.u.conv.dilation_h = 1;
    /* an output whose shape is not what the convolution computes */
    tm->tensors[3].shape[1] = 5;
    cr_expect_eq(eb_tflite_import(tm, "x.tflite", NULL, &g, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "output is 5x6x4 but the operator computes 6x6x4") != NULL, "%s",
              err);
    tm->tensors[3].shape[1] = 6;
    /* batch 2 */
    tm->tensors[0].shape[0] = 2;
    cr_expect_eq(eb_tflite_import(tm, "x.tflite", NULL, &g, err, sizeof err),
                 EB_ERR_UNSUPPORTED);
    cr_expect(strstr(err, "batch 1") != NULL, "%s", err);
    tm->tensors[0].shape[0] = 1;
    /* and as built it imports */
    cr_expect_eq(eb_tflite_import(tm, "x.tflite", NULL, &g, err, sizeof err), EB_OK, "%s",
                 err);
    eb_graph_free(g);
    eb_tflite_free(tm);
    free(b);
    tbm_free(&mb);
    /* a uint8 (legacy) model */
    b = build_conv(&c, EB_TFLITE_UINT8, EB_TFLITE_UINT8, w, sizeof w, ws, 1, bias, 0.1f, 128,
                   0.1f, 128, &n, &mb);
    expect_refused(b, n, EB_ERR_UNSUPPORTED, "uint8", "float32 and int8");
    free(b);
    tbm_free(&mb);
}

Test(tflite_import, malformed_file_gets_the_readers_sentence)
{
    tbm mb;
    size_t n;
    int8_t w[60] = {0};
    int32_t bias[5] = {0};
    uint8_t *b = build_fc_softmax(EB_TFLITE_INT8, &n, &mb, w, bias, true);
    memcpy(b + 4, "XXXX", 4);
    expect_refused(b, n, EB_ERR_FORMAT, "not a TFLite file: identifier 'XXXX'", NULL);
    /* through a file path: the path leads the sentence */
    char path[] = "/tmp/eb_tfl_badXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, b, n), (ssize_t)n);
    close(fd);
    char tpath[64];
    snprintf(tpath, sizeof tpath, "%s.tflite", path);
    cr_assert_eq(rename(path, tpath), 0);
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m = NULL;
    char err[512] = "";
    cr_expect_eq(eb_model_build(tpath, &mo, &m, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, tpath) == err && strstr(err, "identifier 'XXXX'"), "%s", err);
    unlink(tpath);
    free(b);
    tbm_free(&mb);
}

/* ---- (c) the MLPerf Tiny models against Arm NN ---- */

static void shared_dir(char *buf, size_t len, const char *sub)
{
    const char *shared = getenv("EB_SHARED_DIR");
    snprintf(buf, len, "%s/%s", shared && *shared ? shared : EB_SOURCE_DIR "/../shared", sub);
}

typedef struct {
    const char *file;
    const char *int8_sibling; /* float models: inputs are this model's, dequantized */
    double tol;               /* max |edgebench - Arm NN| allowed (int8: steps) */
} mlperf_case;

/* Against TFLite's integer reference (tests/tflite_int8_ref.py) every int8 output must be
 * equal. Against Arm NN: fp32 outputs are probabilities (kws, resnet, vww) or
 * reconstructed log-mel energies of magnitude up to ~10 (ad01), both sides summing in
 * float32 in their own order, so they differ in the last bits (seen: 5.7e-5 on ad01,
 * <= 1.5e-6 elsewhere). Arm NN 20.08's CpuRef runs int8 layers in float (dequantize,
 * accumulate in float32, quantize by rounding to nearest) instead of TFLite's
 * integer-only requantization, so an output near a rounding boundary lands one step
 * away in a layer, and the steps carry through the layers after it; the test shows it:
 * tflite_int8_ref.py --float, the same layers in float32, equals Arm NN's int8 outputs
 * exactly. The bounds are what that gives on these inputs (resnet: 49 steps of 1/256 in
 * one softmax output, on the uniform-noise input 1); all inputs agree on the top-1
 * class. */
static const mlperf_case mlperf[] = {
    {"ad01_int8.tflite", NULL, 2},
    {"ad01_fp32.tflite", "ad01_int8.tflite", 1e-3},
    {"kws_ref_model.tflite", NULL, 3},
    {"kws_ref_model_float32.tflite", "kws_ref_model.tflite", 1e-4},
    {"pretrainedResnet_quant.tflite", NULL, 49},
    {"pretrainedResnet.tflite", "pretrainedResnet_quant.tflite", 1e-4},
    {"vww_96_int8.tflite", NULL, 0},
    {"vww_96_float.tflite", "vww_96_int8.tflite", 1e-4},
};
#define NMODELS (sizeof mlperf / sizeof mlperf[0])
#define NINPUTS 3

/* Input k of a model: k = 0, 1 uniform random int8 codes (seeded), k = 2 a smooth field
 * (edgebench's generated input 0) quantized; float models get the int8 sibling's codes
 * dequantized, so both siblings see the same real values. kws models take the first
 * kws01_dev sample as input 2 where the dataset is present. */
static void make_input(const char *dir, const mlperf_case *c, int k, uint8_t *buf, size_t *len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, c->int8_sibling ? c->int8_sibling : c->file);
    eb_tflite_model *tm = NULL;
    char err[512];
    cr_assert_eq(eb_tflite_load(path, &tm, err, sizeof err), EB_OK, "%s", err);
    const eb_tflite_tensor *t = &tm->tensors[tm->inputs[0]];
    size_t n = 1;
    for (int32_t i = 0; i < t->rank; i++)
        n *= (size_t)t->shape[i];
    float scale = t->quant.scale[0];
    int32_t zp = (int32_t)t->quant.zero_point[0];
    int8_t *q = malloc(n);
    if (k < 2) {
        fill_s8(q, n, 1000 + (uint64_t)k);
    } else {
        char kws[600];
        shared_dir(kws, sizeof kws, "datasets/kws01_dev/tst_000000_Stop_7.bin");
        FILE *f = strstr(c->file, "kws") ? fopen(kws, "rb") : NULL;
        if (f && fread(q, 1, n, f) == n) {
            /* a real sample */
        } else {
            float *g = malloc(4 * n);
            int32_t h = t->rank == 4 ? t->shape[1] : 1, w = t->rank == 4 ? t->shape[2] : 1;
            eb_gen_input(0, h, w, (int32_t)(n / ((size_t)h * w)), g);
            for (size_t i = 0; i < n; i++) {
                long v = lround(g[i] * 127.0f);
                q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
            }
            free(g);
        }
        if (f)
            fclose(f);
    }
    if (c->int8_sibling) {
        float *x = (float *)(void *)buf;
        for (size_t i = 0; i < n; i++)
            x[i] = scale * (float)(q[i] - zp);
        *len = 4 * n;
    } else {
        memcpy(buf, q, n);
        *len = n;
    }
    free(q);
    eb_tflite_free(tm);
}

static bool write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(p, 1, n, f) == n;
    if (f)
        fclose(f);
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

Test(tflite_mlperf, eight_models_against_armnn_cpuref, .timeout = 600)
{
    char dir[400], probe[600];
    shared_dir(dir, sizeof dir, "models/mlperf_tiny");
    snprintf(probe, sizeof probe, "%s/kws_ref_model.tflite", dir);
    if (access(probe, R_OK) != 0)
        cr_skip_test("%s is absent (a clone without ../shared; EB_SHARED_DIR overrides): the "
                     "MLPerf Tiny models are not run against Arm NN",
                     dir);
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn (with libarmnn-cpuref-backend22), python3-numpy or "
                     "python3-flatbuffers is missing (scripts/bootstrap.sh installs them): the "
                     "MLPerf Tiny models are not run against Arm NN");
    char tmp[] = "/tmp/eb_armnnXXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    static uint8_t buf[96 * 96 * 3 * 4];
    char cmd[16384];
    size_t cl = (size_t)snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/armnn_oracle.py",
                                 EB_SOURCE_DIR);
    for (size_t i = 0; i < NMODELS; i++)
        for (int k = 0; k < NINPUTS; k++) {
            size_t len;
            char in[512];
            make_input(dir, &mlperf[i], k, buf, &len);
            snprintf(in, sizeof in, "%s/%zu_%d.in", tmp, i, k);
            cr_assert(write_file(in, buf, len));
            cl += (size_t)snprintf(cmd + cl, sizeof cmd - cl, " %s/%s %s %s/%zu_%d.armnn", dir,
                                   mlperf[i].file, in, tmp, i, k);
        }
    snprintf(cmd + cl, sizeof cmd - cl, " 2>%s/oracle.log", tmp);
    int rc = system(cmd);
    /* the exact oracle: TFLite's reference integer arithmetic in numpy, int8 models */
    char cmd2[16384];
    cl = (size_t)snprintf(cmd2, sizeof cmd2, "/usr/bin/python3 %s/tests/tflite_int8_ref.py",
                          EB_SOURCE_DIR);
    for (size_t i = 0; i < NMODELS; i++)
        for (int k = 0; k < NINPUTS && !mlperf[i].int8_sibling; k++)
            cl += (size_t)snprintf(cmd2 + cl, sizeof cmd2 - cl, " %s/%s %s/%zu_%d.in %s/%zu_%d.ref",
                                   dir, mlperf[i].file, tmp, i, k, tmp, i, k);
    cr_assert_eq(system(cmd2), 0, "tflite_int8_ref.py failed");
    /* and the same layers in float32, as Arm NN's CpuRef computes them */
    cl = (size_t)snprintf(cmd2, sizeof cmd2,
                          "/usr/bin/python3 %s/tests/tflite_int8_ref.py --float", EB_SOURCE_DIR);
    for (size_t i = 0; i < NMODELS; i++)
        for (int k = 0; k < NINPUTS && !mlperf[i].int8_sibling; k++)
            cl += (size_t)snprintf(cmd2 + cl, sizeof cmd2 - cl, " %s/%s %s/%zu_%d.in %s/%zu_%d.flt",
                                   dir, mlperf[i].file, tmp, i, k, tmp, i, k);
    cr_assert_eq(system(cmd2), 0, "tflite_int8_ref.py --float failed");
    char logp[600];
    snprintf(logp, sizeof logp, "%s/oracle.log", tmp);
    static char log[8192];
    log[read_file(logp, log, sizeof log - 1)] = 0;
    cr_assert_eq(rc, 0, "armnn_oracle.py failed: %s", log);
    cr_log_info("%s", log);
    /* every kernel set this build and CPU can run (ref, auto, and avx2, avx512, neon ...) */
    eb_kset sets[EB_KSET_COUNT];
    size_t nsets = 0;
    for (int k = 0; k < EB_KSET_COUNT; k++) {
        eb_kernel_set probe;
        if (eb_kernels_select((eb_kset)k, &probe) == EB_OK)
            sets[nsets++] = (eb_kset)k;
    }
    for (size_t i = 0; i < NMODELS; i++) {
        char path[600], err[1024] = "";
        snprintf(path, sizeof path, "%s/%s", dir, mlperf[i].file);
        for (size_t s = 0; s < nsets; s++) {
            eb_model_options mo = {sets[s], NULL};
            eb_model *m = NULL;
            cr_assert_eq(eb_model_build(path, &mo, &m, err, sizeof err), EB_OK, "%s", err);
            const eb_model_info *info = eb_model_get_info(m);
            double worst = 0, worst_ref = 0, armnn_vs_float = 0, per_input[NINPUTS] = {0};
            int worst_k = -1;
            for (int k = 0; k < NINPUTS; k++) {
                char f[600];
                static uint8_t want[4096], got[4096], ref[4096];
                snprintf(f, sizeof f, "%s/%zu_%d.in", tmp, i, k);
                cr_assert_eq(read_file(f, buf, sizeof buf), info->input_bytes);
                snprintf(f, sizeof f, "%s/%zu_%d.armnn", tmp, i, k);
                cr_assert_eq(read_file(f, want, sizeof want), info->output_bytes,
                             "%s: Arm NN output size", mlperf[i].file);
                run_model(m, buf, got);
                if (info->dtype == EB_S8) {
                    snprintf(f, sizeof f, "%s/%zu_%d.ref", tmp, i, k);
                    cr_assert_eq(read_file(f, ref, sizeof ref), info->output_bytes);
                    for (int32_t j = 0; j < info->out_size; j++) {
                        double d = fabs((double)((int8_t *)got)[j] - ((int8_t *)ref)[j]);
                        worst_ref = d > worst_ref ? d : worst_ref;
                    }
                    snprintf(f, sizeof f, "%s/%zu_%d.flt", tmp, i, k);
                    cr_assert_eq(read_file(f, ref, sizeof ref), info->output_bytes);
                    snprintf(f, sizeof f, "%s/%zu_%d.armnn", tmp, i, k);
                    cr_assert_eq(read_file(f, want, sizeof want), info->output_bytes);
                    for (int32_t j = 0; j < info->out_size; j++) {
                        double d = fabs((double)((int8_t *)want)[j] - ((int8_t *)ref)[j]);
                        armnn_vs_float = d > armnn_vs_float ? d : armnn_vs_float;
                    }
                }
                /* classifiers: the same top-1 class (a tie in Arm NN's output counts) */
                if (info->out_size <= 16) {
                    int32_t a = 0;
                    double best = -1e300;
                    for (int32_t j = 0; j < info->out_size; j++) {
                        double v = info->dtype == EB_S8 ? ((int8_t *)got)[j]
                                                        : ((float *)(void *)got)[j];
                        if (v > best)
                            best = v, a = j;
                    }
                    double wa = 0, wmax = -1e300;
                    for (int32_t j = 0; j < info->out_size; j++) {
                        double v = info->dtype == EB_S8 ? ((int8_t *)want)[j]
                                                        : ((float *)(void *)want)[j];
                        wmax = v > wmax ? v : wmax;
                        if (j == a)
                            wa = v;
                    }
                    cr_expect(wa == wmax, "%s input %d: edgebench's top-1 class %d is not Arm "
                              "NN's", mlperf[i].file, k, (int)a);
                }
                for (int32_t j = 0; j < info->out_size; j++) {
                    double d = info->dtype == EB_S8
                                   ? fabs((double)((int8_t *)got)[j] - ((int8_t *)want)[j])
                                   : fabs((double)((float *)(void *)got)[j] -
                                          ((float *)(void *)want)[j]);
                    if (d > worst)
                        worst = d, worst_k = k;
                    per_input[k] = d > per_input[k] ? d : per_input[k];
                }
            }
            cr_log_info("%-30s %-4s max |edgebench - Arm NN CpuRef| = %g%s (input %d)",
                        mlperf[i].file, eb_kset_name(sets[s]), worst,
                        info->dtype == EB_S8 ? " steps" : "", worst_k);
            printf("%-30s %-4s max |edgebench - Arm NN CpuRef| = %g%s", mlperf[i].file,
                   eb_kset_name(sets[s]), worst, info->dtype == EB_S8 ? " int8 steps" : "");
            if (info->dtype == EB_S8)
                printf(", max |edgebench - TFLite integer reference| = %g, max |Arm NN - the "
                       "layers in float32| = %g",
                       worst_ref, armnn_vs_float);
            printf(" (per input:");
            for (int k = 0; k < NINPUTS; k++)
                printf(" %g", per_input[k]);
            printf(")\n");
            cr_expect(worst_ref == 0, "%s (%s): %g steps from TFLite's integer reference",
                      mlperf[i].file, eb_kset_name(sets[s]), worst_ref);
            /* the explanation of Arm NN's steps: it is the float computation of the layers */
            cr_expect(armnn_vs_float == 0, "%s: Arm NN is %g steps from the float32 layers",
                      mlperf[i].file, armnn_vs_float);
            double tol = mlperf[i].tol;
            cr_expect(worst <= tol, "%s (%s): max difference %g > %g", mlperf[i].file,
                      eb_kset_name(sets[s]), worst, tol);
            eb_model_free(m);
        }
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_expect_eq(system(cmd), 0);
}

/* kws_ref_model on the 200 labelled kws01_dev inputs: top-1 accuracy against the labels,
 * every output equal to TFLite's integer reference, and the predicted class against Arm
 * NN's for every input. */
Test(tflite_mlperf, kws01_dev_accuracy_and_agreement_with_armnn, .timeout = 900)
{
    char model[600], data[600], labels[700];
    shared_dir(model, sizeof model, "models/mlperf_tiny/kws_ref_model.tflite");
    shared_dir(data, sizeof data, "datasets/kws01_dev");
    snprintf(labels, sizeof labels, "%s/y_labels.csv", data);
    FILE *lf = fopen(labels, "r");
    if (access(model, R_OK) != 0 || !lf)
        cr_skip_test("%s or %s is absent (EB_SHARED_DIR overrides): kws01_dev accuracy is not "
                     "measured",
                     model, labels);
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn, python3-numpy or python3-flatbuffers is missing: "
                     "kws01_dev is not compared with Arm NN");
    enum { MAXN = 1000 };
    static char names[MAXN][512];
    static int label[MAXN];
    int n = 0;
    char line[512];
    while (n < MAXN && fgets(line, sizeof line, lf)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2)
            continue;
        *c1 = 0;
        snprintf(names[n], sizeof names[n], "%s", line);
        label[n++] = atoi(c2 + 1);
    }
    fclose(lf);
    cr_assert_gt(n, 0, "%s has no lines", labels);
    char tmp[] = "/tmp/eb_kwsXXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    size_t cap = (size_t)n * 2048 + 1024, cl;
    char *cmd = malloc(cap), *cmd2 = malloc(cap), *cmd3 = malloc(cap);
    cl = (size_t)snprintf(cmd, cap, "/usr/bin/python3 %s/tests/armnn_oracle.py", EB_SOURCE_DIR);
    size_t cl2 = (size_t)snprintf(cmd2, cap, "/usr/bin/python3 %s/tests/tflite_int8_ref.py",
                                  EB_SOURCE_DIR);
    size_t cl3 = (size_t)snprintf(cmd3, cap, "/usr/bin/python3 %s/tests/tflite_int8_ref.py "
                                  "--float", EB_SOURCE_DIR);
    for (int i = 0; i < n; i++) {
        cl3 += (size_t)snprintf(cmd3 + cl3, cap - cl3, " %s %s/%s %s/%d.flt", model, data,
                                names[i], tmp, i);
        cl += (size_t)snprintf(cmd + cl, cap - cl, " %s %s/%s %s/%d.armnn", model, data,
                               names[i], tmp, i);
        cl2 += (size_t)snprintf(cmd2 + cl2, cap - cl2, " %s %s/%s %s/%d.ref", model, data,
                                names[i], tmp, i);
    }
    snprintf(cmd + cl, cap - cl, " 2>/dev/null");
    cr_assert_eq(system(cmd), 0, "armnn_oracle.py failed");
    cr_assert_eq(system(cmd2), 0, "tflite_int8_ref.py failed");
    cr_assert_eq(system(cmd3), 0, "tflite_int8_ref.py --float failed");
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    char err[1024];
    cr_assert_eq(eb_model_build(model, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    int correct = 0, armnn_correct = 0, agree = 0, exact = 0, armnn_is_float = 0;
    for (int i = 0; i < n; i++) {
        char f[800];
        int8_t x[490], y[12], a[12], r[12], fl[12];
        snprintf(f, sizeof f, "%s/%s", data, names[i]);
        cr_assert_eq(read_file(f, x, sizeof x), sizeof x, "%s", f);
        snprintf(f, sizeof f, "%s/%d.armnn", tmp, i);
        cr_assert_eq(read_file(f, a, sizeof a), sizeof a);
        snprintf(f, sizeof f, "%s/%d.ref", tmp, i);
        cr_assert_eq(read_file(f, r, sizeof r), sizeof r);
        snprintf(f, sizeof f, "%s/%d.flt", tmp, i);
        cr_assert_eq(read_file(f, fl, sizeof fl), sizeof fl);
        armnn_is_float += !memcmp(a, fl, sizeof a);
        run_model(m, x, y);
        int py = 0, pa = 0;
        for (int j = 1; j < 12; j++) {
            py = y[j] > y[py] ? j : py;
            pa = a[j] > a[pa] ? j : pa;
        }
        correct += py == label[i];
        armnn_correct += pa == label[i];
        if (py == pa) {
            agree++;
        } else {
            /* a class near the top can swap when Arm NN's float arithmetic moves its
             * probability by a step or two (see the table above): say where */
            printf("kws01_dev %s: edgebench class %d (%d, class %d at %d), Arm NN class %d "
                   "(%d, class %d at %d), label %d\n",
                   names[i], py, y[py], pa, y[pa], pa, a[pa], py, a[py], label[i]);
        }
        exact += !memcmp(y, r, sizeof y);
    }
    printf("kws01_dev (%d inputs): edgebench top-1 %.2f %%, Arm NN CpuRef %.2f %%, same class as "
           "Arm NN on %d, outputs equal to TFLite's integer reference on %d, Arm NN's equal "
           "to the float32 layers on %d\n",
           n, 100.0 * correct / n, 100.0 * armnn_correct / n, agree, exact, armnn_is_float);
    cr_expect_eq(armnn_is_float, n, "Arm NN differs from the float32 layers on %d inputs: its "
                 "other classes are not explained", n - armnn_is_float);
    cr_expect_eq(exact, n, "%d of %d outputs differ from TFLite's integer reference", n - exact,
                 n);
    /* the inputs where Arm NN's float arithmetic picks another class are few (2 of the
     * 200 here, both with two classes within 17 steps) */
    cr_expect_geq(agree, n - n / 50, "%d of %d inputs get another class than Arm NN's",
                  n - agree, n);
    cr_expect_geq(100.0 * correct / n, 85.0, "top-1 %.2f %% (the runner's target is 90 %% "
                  "on the full 1000)", 100.0 * correct / n);
    eb_model_free(m);
    free(cmd);
    free(cmd2);
    free(cmd3);
    snprintf(line, sizeof line, "rm -rf %s", tmp);
    cr_expect_eq(system(line), 0);
}
