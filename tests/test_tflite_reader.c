/* test_tflite_reader.c - the bounded .tflite reader (models/eb_tflite.h):
 *  (a) files built here by tests/tflite_builder.h, one per op kind and dtype, read back
 *      field by field;
 *  (b) hostile files (truncated, offsets/vtables out of range, huge vectors, self and
 *      negative offsets, shared-vector amplification, wrong identifier, sizes that do
 *      not add up, random corruption), each refused with one sentence;
 *  (c) the eight MLPerf Tiny models in ../shared/models/mlperf_tiny/, against an
 *      independent reading (see mlperf_models below). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_tflite.h"
#include "tflite_builder.h"

/* ---- helpers ---- */

static eb_tflite_model *parse_ok(const uint8_t *b, size_t n)
{
    eb_tflite_model *m = NULL;
    char err[512] = "";
    eb_status st = eb_tflite_parse(b, n, &m, err, sizeof err);
    cr_assert_eq(st, EB_OK, "parse failed (%d): %s", st, err);
    cr_assert_not_null(m);
    return m;
}

/* Refused with `want` (0: any error) and a one-sentence message containing `needle`. */
static void expect_refused(const uint8_t *b, size_t n, eb_status want, const char *needle)
{
    eb_tflite_model *m = (eb_tflite_model *)1;
    char err[512] = "";
    eb_status st = eb_tflite_parse(b, n, &m, err, sizeof err);
    cr_assert_neq(st, EB_OK, "accepted a file that should be refused (expected '%s')", needle);
    cr_assert_null(m);
    if (want)
        cr_expect_eq(st, want, "status %d, expected %d: %s", st, want, err);
    cr_expect(err[0] != 0 && strchr(err, '\n') == NULL, "not one sentence: '%s'", err);
    if (needle)
        cr_expect(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
}

static void put32(uint8_t *b, size_t at, uint32_t v) { memcpy(b + at, &v, 4); }
static void put16(uint8_t *b, size_t at, uint16_t v) { memcpy(b + at, &v, 2); }

static char *describe(const eb_tflite_model *m)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    eb_tflite_describe(m, f);
    fclose(f);
    return text;
}

static const int32_t S4[] = {1, 5, 5, 3};

/* A CONV_2D model: input [1,5,5,3], weights [4,3,3,3], bias [4], output [1,3,2,4], in
 * float32, int8 (per-channel) or uint8 (per-tensor). */
typedef struct {
    tbm m;
    int in, w, bias, out;
    tb_node *opt;
} conv_fixture;

static void conv_build(conv_fixture *c, int8_t act_type, int8_t w_type, int8_t bias_type)
{
    static const int32_t ws[] = {4, 3, 3, 3}, bs[] = {4}, os[] = {1, 3, 2, 4};
    size_t welems = 4 * 3 * 3 * 3;
    uint8_t wdata[4 * 3 * 3 * 3 * 4];
    for (size_t i = 0; i < sizeof wdata; i++)
        wdata[i] = (uint8_t)(i * 7 + 1);
    uint8_t bdata[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};
    tbm_init(&c->m);
    int code = tbm_opcode(&c->m, EB_TFLITE_OP_CONV_2D, 3);
    c->in = tbm_tensor(&c->m, "input", act_type, 4, S4, 0);
    c->w = tbm_const(&c->m, "weights", w_type, 4, ws, wdata,
                     (uint32_t)(welems * eb_tflite_dtype_size(w_type)));
    c->bias = tbm_const(&c->m, "bias", bias_type, 1, bs, bdata, 16);
    c->out = tbm_tensor(&c->m, "output", act_type, 4, os, 0);
    c->opt = tb_table(&c->m.b);
    tb_u8(c->opt, 0, EB_TFLITE_PAD_VALID);
    tb_i32(c->opt, 1, 2); /* stride_w */
    tb_i32(c->opt, 2, 1); /* stride_h */
    tb_u8(c->opt, 3, EB_TFLITE_ACT_RELU6);
    tb_i32(c->opt, 5, 2); /* dilation_h; dilation_w left at its default 1 */
    int32_t in[] = {c->in, c->w, c->bias}, out[] = {c->out};
    tbm_op(&c->m, code, 3, in, 1, out, EB_TFLITE_OPT_CONV2D, c->opt);
    int32_t gin[] = {c->in};
    tbm_io(&c->m, 1, gin, 1, out);
}

static void expect_conv_common(const eb_tflite_model *m)
{
    cr_assert_eq(m->version, 3);
    cr_expect_str_eq(m->description, "edgebench test model");
    cr_expect_str_eq(m->subgraph_name, "main");
    cr_assert_eq(m->n_subgraphs, 1);
    cr_assert_eq(m->n_tensors, 4);
    cr_assert_eq(m->n_operators, 1);
    cr_assert_eq(m->n_buffers, 3);
    cr_assert_eq(m->n_inputs, 1);
    cr_assert_eq(m->n_outputs, 1);
    cr_expect_eq(m->inputs[0], 0);
    cr_expect_eq(m->outputs[0], 3);
    const eb_tflite_operator *o = &m->operators[0];
    cr_expect_eq(o->builtin, EB_TFLITE_OP_CONV_2D);
    cr_expect_str_eq(eb_tflite_builtin_name(o->builtin), "CONV_2D");
    cr_assert_eq(o->n_inputs, 3);
    cr_expect(o->inputs[0] == 0 && o->inputs[1] == 1 && o->inputs[2] == 2);
    cr_assert_eq(o->n_outputs, 1);
    cr_expect_eq(o->outputs[0], 3);
    cr_assert(o->options.decoded && o->options.present);
    cr_expect_eq(o->options.type, EB_TFLITE_OPT_CONV2D);
    cr_expect_eq(o->options.u.conv.padding, EB_TFLITE_PAD_VALID);
    cr_expect_eq(o->options.u.conv.stride_w, 2);
    cr_expect_eq(o->options.u.conv.stride_h, 1);
    cr_expect_eq(o->options.u.conv.act, EB_TFLITE_ACT_RELU6);
    cr_expect_eq(o->options.u.conv.dilation_w, 1, "schema default");
    cr_expect_eq(o->options.u.conv.dilation_h, 2);
    const eb_tflite_tensor *w = &m->tensors[1];
    cr_expect_str_eq(w->name, "weights");
    cr_assert_eq(w->rank, 4);
    cr_expect(w->shape[0] == 4 && w->shape[1] == 3 && w->shape[2] == 3 && w->shape[3] == 3);
    cr_assert_not_null(w->data);
    cr_expect_eq(w->data[0], 1);
    cr_expect_eq(w->data[5], 36);
    cr_expect_null(m->tensors[0].data, "activations have no data");
    cr_expect_eq(m->tensors[0].buffer, 0);
    cr_expect_eq(m->tensors[2].data_size, 16);
    cr_expect_eq(m->tensors[2].data[8], 3);
}

/* ---- (a) files built here ---- */

Test(tflite_ops, conv2d_float32)
{
    conv_fixture c;
    conv_build(&c, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    eb_tflite_model *m = parse_ok(b, n);
    expect_conv_common(m);
    cr_expect_eq(m->tensors[0].type, EB_TFLITE_FLOAT32);
    cr_expect_eq(m->tensors[1].data_size, 4 * 27 * 4);
    cr_expect_eq(m->tensors[1].quant.n, 0);
    cr_expect_eq(m->opcodes[0].version, 3);
    eb_tflite_free(m);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_ops, conv2d_int8_per_channel_int32_bias)
{
    conv_fixture c;
    conv_build(&c, EB_TFLITE_INT8, EB_TFLITE_INT8, EB_TFLITE_INT32);
    float in_s = 0.5f, w_s[4] = {0.1f, 0.2f, 0.3f, 0.4f}, b_s[4] = {0.05f, 0.1f, 0.15f, 0.2f};
    int64_t in_zp = -3, zeros[4] = {0, 0, 0, 0}, out_zp = 7;
    float out_s = 0.25f;
    tbm_quant(&c.m, c.in, 1, &in_s, &in_zp, 0);
    tbm_quant(&c.m, c.w, 4, w_s, zeros, 0);
    tbm_quant(&c.m, c.bias, 4, b_s, zeros, 0);
    tbm_quant(&c.m, c.out, 1, &out_s, &out_zp, 0);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    eb_tflite_model *m = parse_ok(b, n);
    expect_conv_common(m);
    const eb_tflite_tensor *t = m->tensors;
    cr_expect_eq(t[0].type, EB_TFLITE_INT8);
    cr_assert_eq(t[0].quant.n, 1);
    cr_expect_eq(t[0].quant.scale[0], 0.5f);
    cr_expect_eq(t[0].quant.zero_point[0], -3);
    cr_expect_eq(t[1].data_size, 4 * 27);
    cr_assert_eq(t[1].quant.n, 4);
    cr_expect_eq(t[1].quant.n_zero_point, 4);
    cr_expect_eq(t[1].quant.quantized_dimension, 0);
    cr_expect_eq(t[1].quant.scale[3], 0.4f);
    cr_expect_eq(t[2].type, EB_TFLITE_INT32);
    cr_expect_eq(t[2].quant.scale[1], 0.1f);
    cr_expect_eq(t[3].quant.zero_point[0], 7);
    char *text = describe(m);
    cr_expect(strstr(text, "CONV_2D              x1") != NULL, "%s", text);
    cr_expect(strstr(text, "int8 per-channel (dim 0) x1") != NULL, "%s", text);
    cr_expect(strstr(text, "biases           int32 per-channel (dim 0) x1") != NULL, "%s", text);
    cr_expect(strstr(text, "fused RELU6 x1") != NULL, "%s", text);
    free(text);
    eb_tflite_free(m);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_ops, conv2d_uint8_per_tensor)
{
    conv_fixture c;
    conv_build(&c, EB_TFLITE_UINT8, EB_TFLITE_UINT8, EB_TFLITE_INT32);
    float s = 0.02f;
    int64_t zp = 128, zp_w = 120, zp_b = 0;
    tbm_quant(&c.m, c.in, 1, &s, &zp, 0);
    tbm_quant(&c.m, c.w, 1, &s, &zp_w, 0);
    tbm_quant(&c.m, c.bias, 1, &s, &zp_b, 0);
    tbm_quant(&c.m, c.out, 1, &s, &zp, 0);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    eb_tflite_model *m = parse_ok(b, n);
    expect_conv_common(m);
    cr_expect_eq(m->tensors[0].type, EB_TFLITE_UINT8);
    cr_expect_eq(m->tensors[0].quant.zero_point[0], 128);
    cr_expect_eq(m->tensors[1].quant.zero_point[0], 120);
    cr_expect_str_eq(eb_tflite_dtype_name(m->tensors[1].type), "uint8");
    eb_tflite_free(m);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_ops, depthwise_multiplier_dilation_per_channel_dim3)
{
    tbm mb;
    tbm_init(&mb);
    static const int32_t is[] = {1, 8, 8, 2}, ws[] = {1, 3, 3, 4}, bs[] = {4}, os[] = {1, 4, 2, 4};
    int8_t w[36];
    int32_t bias[4] = {10, -20, 30, -40};
    for (int i = 0; i < 36; i++)
        w[i] = (int8_t)(i - 18);
    int code = tbm_opcode(&mb, EB_TFLITE_OP_DEPTHWISE_CONV_2D, 3);
    int x = tbm_tensor(&mb, "x", EB_TFLITE_INT8, 4, is, 0);
    int wt = tbm_const(&mb, "dw", EB_TFLITE_INT8, 4, ws, w, sizeof w);
    int bt = tbm_const(&mb, "b", EB_TFLITE_INT32, 1, bs, bias, sizeof bias);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_INT8, 4, os, 0);
    float sc[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    tbm_quant(&mb, wt, 4, sc, NULL, 3); /* zero points left out: all 0 */
    tb_node *o = tb_table(&mb.b);
    tb_u8(o, 0, EB_TFLITE_PAD_SAME);
    tb_i32(o, 1, 1);
    tb_i32(o, 2, 2);
    tb_i32(o, 3, 2); /* depth_multiplier */
    tb_u8(o, 4, EB_TFLITE_ACT_RELU);
    tb_i32(o, 5, 2);
    tb_i32(o, 6, 3);
    int32_t in[] = {x, wt, bt}, out[] = {y};
    tbm_op(&mb, code, 3, in, 1, out, EB_TFLITE_OPT_DEPTHWISE_CONV2D, o);
    tbm_io(&mb, 1, in, 1, out);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    eb_tflite_model *m = parse_ok(b, n);
    const eb_tflite_options *p = &m->operators[0].options;
    cr_expect_eq(m->operators[0].builtin, EB_TFLITE_OP_DEPTHWISE_CONV_2D);
    cr_assert(p->decoded);
    cr_expect_eq(p->type, EB_TFLITE_OPT_DEPTHWISE_CONV2D);
    cr_expect_eq(p->u.conv.padding, EB_TFLITE_PAD_SAME);
    cr_expect_eq(p->u.conv.stride_w, 1);
    cr_expect_eq(p->u.conv.stride_h, 2);
    cr_expect_eq(p->u.conv.depth_multiplier, 2);
    cr_expect_eq(p->u.conv.act, EB_TFLITE_ACT_RELU);
    cr_expect_eq(p->u.conv.dilation_w, 2);
    cr_expect_eq(p->u.conv.dilation_h, 3);
    const eb_tflite_quant *q = &m->tensors[wt].quant;
    cr_expect_eq(q->n, 4);
    cr_expect_eq(q->quantized_dimension, 3);
    cr_expect_eq(q->n_zero_point, 0);
    cr_expect_eq(q->zero_point[2], 0);
    cr_expect_eq((int8_t)m->tensors[wt].data[0], -18);
    eb_tflite_free(m);
    free(b);
    tbm_free(&mb);
}

/* One op with one activation input (plus `nconst` constant int32 inputs) and one output
 * of shape `os`; returns the parsed model. */
static eb_tflite_model *one_op(tbm *mb, int32_t builtin, int8_t type, uint8_t opt_type,
                               tb_node *opt, int rank_out, const int32_t *os, int nconst,
                               const int32_t *cdata, const int32_t *cshape, uint8_t **bytes)
{
    int code = tbm_opcode(mb, builtin, 1);
    int32_t in[4], out[1];
    in[0] = tbm_tensor(mb, "x", type, 4, S4, 0);
    for (int k = 0; k < nconst; k++)
        in[1 + k] = tbm_const(mb, "c", EB_TFLITE_INT32, 1, &cshape[k], cdata,
                              (uint32_t)(4 * cshape[k]));
    out[0] = tbm_tensor(mb, "y", type, rank_out, os, 0);
    tbm_op(mb, code, 1 + nconst, in, 1, out, opt_type, opt);
    tbm_io(mb, 1, in, 1, out);
    size_t n;
    *bytes = tbm_finish(mb, &n);
    return parse_ok(*bytes, n);
}

Test(tflite_ops, fully_connected_options_and_hybrid_weights)
{
    tbm mb;
    tbm_init(&mb);
    static const int32_t is[] = {1, 6}, ws[] = {3, 6}, os[] = {1, 3};
    int8_t w[18] = {0};
    int code = tbm_opcode(&mb, EB_TFLITE_OP_FULLY_CONNECTED, 9);
    int x = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 2, is, 0);
    int wt = tbm_const(&mb, "w", EB_TFLITE_INT8, 2, ws, w, sizeof w);
    float s = 0.5f;
    int64_t zp = 0;
    tbm_quant(&mb, wt, 1, &s, &zp, 0);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_FLOAT32, 2, os, 0);
    tb_node *o = tb_table(&mb.b);
    tb_u8(o, 0, EB_TFLITE_ACT_RELU);
    tb_u8(o, 1, 1); /* SHUFFLED4x16INT8 */
    tb_u8(o, 2, 1); /* keep_num_dims */
    tb_u8(o, 3, 1); /* asymmetric_quantize_inputs */
    int32_t in[] = {x, wt, -1}, out[] = {y};
    tbm_op(&mb, code, 3, in, 1, out, EB_TFLITE_OPT_FULLY_CONNECTED, o);
    tbm_io(&mb, 1, in, 1, out);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    eb_tflite_model *m = parse_ok(b, n);
    const eb_tflite_operator *op = &m->operators[0];
    cr_expect_eq(op->inputs[2], -1, "optional bias left out");
    cr_expect_eq(op->options.u.fc.act, EB_TFLITE_ACT_RELU);
    cr_expect_eq(op->options.u.fc.weights_format, 1);
    cr_expect(op->options.u.fc.keep_num_dims);
    cr_expect(op->options.u.fc.asymmetric_quantize_inputs);
    char *text = describe(m);
    cr_expect(strstr(text, "float32 (int8 weights) x1") != NULL, "%s", text);
    cr_expect(strstr(text, "hybrid ops (float activations, integer weights): FULLY_CONNECTED x1"),
              "%s", text);
    free(text);
    eb_tflite_free(m);
    free(b);
    tbm_free(&mb);
}

Test(tflite_ops, pools)
{
    int32_t codes[] = {EB_TFLITE_OP_AVERAGE_POOL_2D, EB_TFLITE_OP_MAX_POOL_2D};
    for (int kt = 0; kt < 6; kt++) {
        int k = kt % 2;
        int8_t type = (int8_t[]){EB_TFLITE_FLOAT32, EB_TFLITE_INT8, EB_TFLITE_UINT8}[kt / 2];
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        tb_u8(o, 0, EB_TFLITE_PAD_VALID);
        tb_i32(o, 1, 2);
        tb_i32(o, 2, 3);
        tb_i32(o, 3, 2);
        tb_i32(o, 4, 3);
        tb_u8(o, 5, k ? EB_TFLITE_ACT_RELU : EB_TFLITE_ACT_NONE);
        static const int32_t os[] = {1, 1, 2, 3};
        uint8_t *b;
        eb_tflite_model *m =
            one_op(&mb, codes[k], type, EB_TFLITE_OPT_POOL2D, o, 4, os, 0, NULL, NULL, &b);
        const eb_tflite_options *p = &m->operators[0].options;
        cr_expect_eq(m->operators[0].builtin, codes[k]);
        cr_expect_eq(m->tensors[0].type, type);
        cr_expect_eq(m->tensors[1].type, type);
        cr_expect_eq(p->type, EB_TFLITE_OPT_POOL2D);
        cr_expect(p->u.pool.stride_w == 2 && p->u.pool.stride_h == 3);
        cr_expect(p->u.pool.filter_w == 2 && p->u.pool.filter_h == 3);
        cr_expect_eq(p->u.pool.act, k ? EB_TFLITE_ACT_RELU : EB_TFLITE_ACT_NONE);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
}

Test(tflite_ops, add_sub_mul_div)
{
    struct {
        int32_t code;
        uint8_t opt;
        bool write_pot;
    } cases[] = {{EB_TFLITE_OP_ADD, EB_TFLITE_OPT_ADD, false},
                 {EB_TFLITE_OP_SUB, EB_TFLITE_OPT_SUB, true},
                 {EB_TFLITE_OP_MUL, EB_TFLITE_OPT_MUL, false},
                 {EB_TFLITE_OP_DIV, EB_TFLITE_OPT_DIV, false}};
    const int8_t types[] = {EB_TFLITE_FLOAT32, EB_TFLITE_INT8, EB_TFLITE_UINT8};
    for (size_t kt = 0; kt < 3 * sizeof cases / sizeof cases[0]; kt++) {
        size_t k = kt % (sizeof cases / sizeof cases[0]);
        int8_t type = types[kt / (sizeof cases / sizeof cases[0])];
        tbm mb;
        tbm_init(&mb);
        int code = tbm_opcode(&mb, cases[k].code, 2);
        int a = tbm_tensor(&mb, "a", type, 4, S4, 0);
        int c = tbm_tensor(&mb, "b", type, 4, S4, 0);
        int y = tbm_tensor(&mb, "y", type, 4, S4, 0);
        if (type != EB_TFLITE_FLOAT32) {
            float sa = 0.5f, sb = 0.25f, sy = 1.0f;
            int64_t za = type == EB_TFLITE_UINT8 ? 128 : -1, zb = 3, zy = 0;
            tbm_quant(&mb, a, 1, &sa, &za, 0);
            tbm_quant(&mb, c, 1, &sb, &zb, 0);
            tbm_quant(&mb, y, 1, &sy, &zy, 0);
        }
        tb_node *o = tb_table(&mb.b);
        tb_u8(o, 0, EB_TFLITE_ACT_RELU);
        if (cases[k].write_pot)
            tb_u8(o, 1, 0);
        int32_t in[] = {a, c}, out[] = {y};
        tbm_op(&mb, code, 2, in, 1, out, cases[k].opt, o);
        tbm_io(&mb, 2, in, 1, out);
        size_t n;
        uint8_t *b = tbm_finish(&mb, &n);
        eb_tflite_model *m = parse_ok(b, n);
        const eb_tflite_options *p = &m->operators[0].options;
        cr_expect_eq(p->type, cases[k].opt, "%s", eb_tflite_builtin_name(cases[k].code));
        cr_expect_eq(p->u.arith.act, EB_TFLITE_ACT_RELU);
        if (cases[k].code == EB_TFLITE_OP_ADD)
            cr_expect(p->u.arith.pot_scale_int16, "schema default true");
        if (cases[k].code == EB_TFLITE_OP_SUB)
            cr_expect(!p->u.arith.pot_scale_int16);
        cr_expect_eq(m->n_inputs, 2);
        cr_expect_eq(m->tensors[1].type, type);
        if (type != EB_TFLITE_FLOAT32)
            cr_expect(m->tensors[0].quant.n == 1 && m->tensors[1].quant.scale[0] == 0.25f &&
                      m->tensors[0].quant.zero_point[0] == (type == EB_TFLITE_UINT8 ? 128 : -1));
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
}

Test(tflite_ops, concatenation)
{
    tbm mb;
    tbm_init(&mb);
    int code = tbm_opcode(&mb, EB_TFLITE_OP_CONCATENATION, 1);
    int32_t in[3], out[1];
    for (int k = 0; k < 3; k++)
        in[k] = tbm_tensor(&mb, "x", EB_TFLITE_INT8, 4, S4, 0);
    static const int32_t os[] = {1, 5, 5, 9};
    out[0] = tbm_tensor(&mb, "y", EB_TFLITE_INT8, 4, os, 0);
    tb_node *o = tb_table(&mb.b);
    tb_i32(o, 0, -1);
    tb_u8(o, 1, EB_TFLITE_ACT_RELU6);
    tbm_op(&mb, code, 3, in, 1, out, EB_TFLITE_OPT_CONCATENATION, o);
    tbm_io(&mb, 3, in, 1, out);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    eb_tflite_model *m = parse_ok(b, n);
    cr_expect_eq(m->operators[0].n_inputs, 3);
    cr_expect_eq(m->operators[0].options.u.concat.axis, -1);
    cr_expect_eq(m->operators[0].options.u.concat.act, EB_TFLITE_ACT_RELU6);
    eb_tflite_free(m);
    free(b);
    tbm_free(&mb);
}

Test(tflite_ops, reshape_with_and_without_options)
{
    for (int with = 0; with < 2; with++) {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = NULL;
        if (with) {
            o = tb_table(&mb.b);
            int32_t ns[] = {1, -1};
            tb_ref(o, 0, tb_vec_i32(&mb.b, ns, 2));
        }
        static const int32_t os[] = {1, 75}, shape_data[] = {1, 75}, cs[] = {2};
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, EB_TFLITE_OP_RESHAPE, EB_TFLITE_INT8,
                                    with ? EB_TFLITE_OPT_RESHAPE : 0, o, 2, os, 1, shape_data,
                                    cs, &b);
        const eb_tflite_operator *op = &m->operators[0];
        cr_expect(op->options.decoded);
        cr_expect_eq(op->options.present, with);
        cr_expect_eq(op->options.u.reshape.has_new_shape, with);
        if (with) {
            cr_expect_eq(op->options.u.reshape.rank, 2);
            cr_expect_eq(op->options.u.reshape.new_shape[1], -1);
        }
        const eb_tflite_tensor *shape = &m->tensors[op->inputs[1]];
        int32_t v;
        cr_assert_eq(shape->data_size, 8);
        memcpy(&v, shape->data + 4, 4);
        cr_expect_eq(v, 75);
        cr_expect_eq(m->tensors[op->outputs[0]].rank, 2);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
}

Test(tflite_ops, squeeze_softmax_mean_pad_and_friends)
{
    static const int32_t os[] = {1, 5, 5, 3};
    /* SQUEEZE */
    {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        int32_t d[] = {1, 2};
        tb_ref(o, 0, tb_vec_i32(&mb.b, d, 2));
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, EB_TFLITE_OP_SQUEEZE, EB_TFLITE_FLOAT32,
                                    EB_TFLITE_OPT_SQUEEZE, o, 4, os, 0, NULL, NULL, &b);
        cr_expect_eq(m->operators[0].options.u.squeeze.n, 2);
        cr_expect_eq(m->operators[0].options.u.squeeze.dims[1], 2);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
    /* SOFTMAX */
    {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        tb_f32(o, 0, 0.5f);
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, EB_TFLITE_OP_SOFTMAX, EB_TFLITE_INT8,
                                    EB_TFLITE_OPT_SOFTMAX, o, 4, os, 0, NULL, NULL, &b);
        cr_expect_eq(m->operators[0].options.u.softmax.beta, 0.5f);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
    /* MEAN with an axis tensor, SUM, PAD with paddings, PADV2 */
    struct {
        int32_t code;
        uint8_t opt;
        int32_t cdata[8];
        int32_t clen;
    } cases[] = {{EB_TFLITE_OP_MEAN, EB_TFLITE_OPT_REDUCER, {1, 2}, 2},
                 {EB_TFLITE_OP_SUM, EB_TFLITE_OPT_REDUCER, {3}, 1},
                 {EB_TFLITE_OP_PAD, EB_TFLITE_OPT_PAD, {0, 0, 1, 1, 1, 1, 0, 0}, 8},
                 {EB_TFLITE_OP_PADV2, EB_TFLITE_OPT_PADV2, {0, 0, 1, 1, 1, 1, 0, 0}, 8}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        if (cases[k].opt == EB_TFLITE_OPT_REDUCER)
            tb_u8(o, 0, 1);
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, cases[k].code, EB_TFLITE_INT8, cases[k].opt, o, 4, os, 1,
                                    cases[k].cdata, &cases[k].clen, &b);
        const eb_tflite_operator *op = &m->operators[0];
        cr_expect(op->options.decoded);
        cr_expect_eq(op->options.type, cases[k].opt);
        if (cases[k].opt == EB_TFLITE_OPT_REDUCER)
            cr_expect(op->options.u.reducer.keep_dims);
        cr_expect_eq(m->tensors[op->inputs[1]].data_size, 4u * (uint32_t)cases[k].clen);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
    /* QUANTIZE (float32 -> int8), DEQUANTIZE, HARD_SWISH, LOGISTIC (no options at all) */
    int32_t plain[] = {EB_TFLITE_OP_QUANTIZE, EB_TFLITE_OP_DEQUANTIZE, EB_TFLITE_OP_HARD_SWISH,
                       EB_TFLITE_OP_LOGISTIC};
    for (int k = 0; k < 4; k++) {
        tbm mb;
        tbm_init(&mb);
        uint8_t *b;
        eb_tflite_model *m =
            one_op(&mb, plain[k], EB_TFLITE_INT8, 0, NULL, 4, os, 0, NULL, NULL, &b);
        cr_expect_eq(m->operators[0].builtin, plain[k]);
        cr_expect(!m->operators[0].options.present);
        cr_expect_eq(m->operators[0].options.decoded, plain[k] != EB_TFLITE_OP_LOGISTIC);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
    /* LEAKY_RELU, STRIDED_SLICE */
    {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        tb_f32(o, 0, 0.125f);
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, EB_TFLITE_OP_LEAKY_RELU, EB_TFLITE_FLOAT32,
                                    EB_TFLITE_OPT_LEAKY_RELU, o, 4, os, 0, NULL, NULL, &b);
        cr_expect_eq(m->operators[0].options.u.leaky_relu.alpha, 0.125f);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
    {
        tbm mb;
        tbm_init(&mb);
        tb_node *o = tb_table(&mb.b);
        tb_i32(o, 0, 1);
        tb_i32(o, 1, 2);
        tb_i32(o, 4, 8);
        tb_u8(o, 5, 1);
        static const int32_t cd[] = {0, 0, 0, 0}, cs[] = {4, 4, 4};
        uint8_t *b;
        eb_tflite_model *m = one_op(&mb, EB_TFLITE_OP_STRIDED_SLICE, EB_TFLITE_FLOAT32,
                                    EB_TFLITE_OPT_STRIDED_SLICE, o, 4, os, 3, cd, cs, &b);
        const eb_tflite_options *p = &m->operators[0].options;
        cr_expect(p->u.strided_slice.begin_mask == 1 && p->u.strided_slice.end_mask == 2 &&
                  p->u.strided_slice.shrink_axis_mask == 8 && p->u.strided_slice.offset);
        cr_expect_eq(m->operators[0].n_inputs, 4);
        eb_tflite_free(m);
        free(b);
        tbm_free(&mb);
    }
}

Test(tflite_ops, opcode_forms_custom_and_undecoded_options)
{
    tbm mb;
    tbm_init(&mb);
    int gelu = tbm_opcode(&mb, 150, 1); /* GELU: deprecated byte saturates at 127 */
    tb_node *old = tb_table(&mb.b);     /* an old file: only the deprecated byte */
    tb_u8(old, 0, EB_TFLITE_OP_DEPTHWISE_CONV_2D);
    int oldc = tb_push(mb.opcodes, old);
    int custom = tbm_custom_opcode(&mb, "TFLite_Detection_PostProcess");
    int transpose = tbm_opcode(&mb, 39, 1);
    int x = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 4, S4, 0);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_FLOAT32, 4, S4, 0);
    static const int32_t perm[] = {0, 2, 1, 3}, ps[] = {4};
    int p = tbm_const(&mb, "perm", EB_TFLITE_INT32, 1, ps, perm, sizeof perm);
    int32_t in[] = {x}, out[] = {y}, tin[] = {x, p};
    tbm_op(&mb, gelu, 1, in, 1, out, 0, NULL);
    tb_node *dw = tb_table(&mb.b);
    tb_i32(dw, 1, 1);
    tb_i32(dw, 2, 1);
    tbm_op(&mb, oldc, 1, in, 1, out, EB_TFLITE_OPT_DEPTHWISE_CONV2D, dw);
    tbm_op(&mb, custom, 1, in, 1, out, 0, NULL);
    tb_node *to = tb_table(&mb.b);                 /* TransposeOptions: no fields */
    tbm_op(&mb, transpose, 2, tin, 1, out, 26, to); /* union type 26 */
    tbm_io(&mb, 1, in, 1, out);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    eb_tflite_model *m = parse_ok(b, n);
    cr_expect_eq(m->opcodes[gelu].builtin, 150);
    cr_expect_eq(m->opcodes[gelu].deprecated_builtin_code, 127);
    cr_expect_str_eq(eb_tflite_builtin_name(m->operators[0].builtin), "GELU");
    cr_expect_eq(m->opcodes[oldc].builtin, EB_TFLITE_OP_DEPTHWISE_CONV_2D);
    cr_expect_eq(m->opcodes[oldc].builtin_code, 0);
    cr_expect_eq(m->opcodes[oldc].version, 1, "schema default");
    cr_expect_eq(m->operators[1].options.u.conv.dilation_h, 1);
    cr_expect_eq(m->operators[2].builtin, EB_TFLITE_OP_CUSTOM);
    cr_expect_str_eq(m->opcodes[custom].custom_code, "TFLite_Detection_PostProcess");
    cr_expect_null(m->opcodes[gelu].custom_code);
    const eb_tflite_options *t = &m->operators[3].options;
    cr_expect(!t->decoded && t->present);
    cr_expect_eq(t->type, 26, "raw union type kept for the importer's message");
    cr_expect_str_eq(eb_tflite_builtin_name(205), "REDUCE_WINDOW");
    cr_expect_str_eq(eb_tflite_builtin_name(206), "UNKNOWN");
    cr_expect_str_eq(eb_tflite_builtin_name(-1), "UNKNOWN");
    char *text = describe(m);
    cr_expect(strstr(text, "custom \"TFLite_Detection_PostProcess\"") != NULL, "%s", text);
    free(text);
    eb_tflite_free(m);
    free(b);
    tbm_free(&mb);
}

/* The offset/size buffer form (used past 2 GB): data after the flatbuffer. */
static uint8_t *external_buffer_file(size_t *n, uint64_t off_delta, uint64_t size_delta)
{
    tbm mb;
    tbm_init(&mb);
    static const int32_t ws[] = {2, 3};
    int code = tbm_opcode(&mb, EB_TFLITE_OP_ADD, 1);
    int x = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 2, ws, 0);
    tb_node *buf = tb_table(&mb.b);
    tb_u64(buf, 1, 0x1111111111111111ull);
    tb_u64(buf, 2, 24);
    int bi = tb_push(mb.buffers, buf);
    int c = tbm_tensor(&mb, "c", EB_TFLITE_FLOAT32, 2, ws, bi);
    int32_t in[] = {x, c}, out[] = {x};
    tbm_op(&mb, code, 2, in, 1, out, 0, NULL);
    tbm_io(&mb, 1, in, 1, out);
    uint8_t *b = tbm_finish(&mb, n);
    size_t at = tb_field_pos(buf, 1), size_at = tb_field_pos(buf, 2);
    tbm_free(&mb);
    b = realloc(b, *n + 24);
    for (int i = 0; i < 24; i++)
        b[*n + (size_t)i] = (uint8_t)(100 + i);
    uint64_t off = *n + off_delta, size = 24 + size_delta;
    memcpy(b + at, &off, 8);
    memcpy(b + size_at, &size, 8);
    *n += 24;
    return b;
}

Test(tflite_ops, external_buffer_offset_size)
{
    size_t n;
    uint8_t *b = external_buffer_file(&n, 0, 0);
    eb_tflite_model *m = parse_ok(b, n);
    cr_assert_eq(m->n_buffers, 2);
    cr_expect(m->buffers[1].external);
    cr_expect_eq(m->tensors[1].data_size, 24);
    cr_expect_eq(m->tensors[1].data, b + n - 24);
    cr_expect_eq(m->tensors[1].data[0], 100);
    eb_tflite_free(m);
    free(b);
    b = external_buffer_file(&n, 1, 0);
    expect_refused(b, n, EB_ERR_FORMAT, "lie outside the file");
    free(b);
    b = external_buffer_file(&n, 0, 8);
    expect_refused(b, n, EB_ERR_FORMAT, "buffer 1: 32 bytes at offset");
    free(b);
}

Test(tflite_ops, names_and_sizes)
{
    cr_expect_str_eq(eb_tflite_dtype_name(EB_TFLITE_INT8), "int8");
    cr_expect_str_eq(eb_tflite_dtype_name(EB_TFLITE_INT4), "int4");
    cr_expect_str_eq(eb_tflite_dtype_name(18), "unknown");
    cr_expect_eq(eb_tflite_dtype_size(EB_TFLITE_FLOAT32), 4);
    cr_expect_eq(eb_tflite_dtype_size(EB_TFLITE_INT64), 8);
    cr_expect_eq(eb_tflite_dtype_size(EB_TFLITE_STRING), 0);
    cr_expect_str_eq(eb_tflite_act_name(EB_TFLITE_ACT_RELU6), "RELU6");
    cr_expect_str_eq(eb_tflite_options_name(EB_TFLITE_OPT_POOL2D), "Pool2DOptions");
    /* Spot checks of the code table against the schema's enum. */
    cr_expect_str_eq(eb_tflite_builtin_name(EB_TFLITE_OP_MEAN), "MEAN");
    cr_expect_str_eq(eb_tflite_builtin_name(EB_TFLITE_OP_QUANTIZE), "QUANTIZE");
    cr_expect_str_eq(eb_tflite_builtin_name(EB_TFLITE_OP_HARD_SWISH), "HARD_SWISH");
    cr_expect_str_eq(eb_tflite_builtin_name(126), "BATCH_MATMUL");
    cr_expect_str_eq(eb_tflite_builtin_name(161), "RIGHT_SHIFT");
    cr_expect_str_eq(eb_tflite_builtin_name(203), "DILATE");
}

/* ---- (b) hostile files ---- */

Test(tflite_hostile, short_and_wrong_identifier)
{
    uint8_t zero[8] = {0};
    for (size_t n = 0; n < 8; n++)
        expect_refused(zero, n, EB_ERR_FORMAT, "only");
    conv_fixture c;
    conv_build(&c, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    memcpy(b + 4, "XXXX", 4);
    expect_refused(b, n, EB_ERR_FORMAT, "not a TFLite file: identifier 'XXXX', expected 'TFL3'");
    memcpy(b + 4, "\x01TF\xff", 4);
    expect_refused(b, n, EB_ERR_FORMAT, "identifier '\\x01TF\\xff'");
    free(b);
    tbm_free(&c.m);
}

Test(tflite_hostile, every_truncation_refused)
{
    conv_fixture c;
    conv_build(&c, EB_TFLITE_INT8, EB_TFLITE_INT8, EB_TFLITE_INT32);
    float s[4] = {1, 1, 1, 1};
    tbm_quant(&c.m, c.w, 4, s, NULL, 0);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    for (size_t k = 0; k < n; k++) {
        /* A fresh copy of exactly k bytes, so ASan sees any read past it. */
        uint8_t *t = malloc(k ? k : 1);
        memcpy(t, b, k);
        expect_refused(t, k, 0, NULL);
        free(t);
    }
    free(b);
    tbm_free(&c.m);
}

/* A valid conv file plus the nodes needed to corrupt it. */
static uint8_t *conv_file(conv_fixture *c, size_t *n)
{
    conv_build(c, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32);
    return tbm_finish(&c->m, n);
}

Test(tflite_hostile, offsets_out_of_range_self_and_negative)
{
    conv_fixture c;
    size_t n;
    uint8_t *b = conv_file(&c, &n);
    uint8_t *t = malloc(n);
    size_t at = tb_field_pos(c.m.model, 2); /* subgraphs */
    memcpy(t, b, n);
    put32(t, at, (uint32_t)(n - at + 100));
    expect_refused(t, n, EB_ERR_FORMAT, "past the end of the file");
    memcpy(t, b, n);
    put32(t, at, 0);
    expect_refused(t, n, EB_ERR_FORMAT, "points at itself");
    memcpy(t, b, n);
    put32(t, at, 0xfffffff0u); /* would be 16 bytes back if it wrapped */
    expect_refused(t, n, EB_ERR_FORMAT, "negative as a FlatBuffers offset");
    memcpy(t, b, n);
    put32(t, 0, (uint32_t)n); /* root offset */
    expect_refused(t, n, EB_ERR_FORMAT, "model root: offset at byte 0 points to byte");
    /* an element of the tensors vector */
    memcpy(t, b, n);
    put32(t, c.m.tensors->pos + 4 + 4 * 2, 0x7fffff00u);
    expect_refused(t, n, EB_ERR_FORMAT, "tensor 2: offset at byte");
    free(t);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_hostile, vtables_out_of_range)
{
    conv_fixture c;
    size_t n;
    uint8_t *b = conv_file(&c, &n);
    uint8_t *t = malloc(n);
    tb_node *tensor = c.m.tensor[1];
    memcpy(t, b, n);
    put32(t, tensor->pos, (uint32_t)(tensor->pos + 64)); /* vtable before the file */
    expect_refused(t, n, EB_ERR_FORMAT, "tensor 1: table at byte");
    memcpy(t, b, n);
    put32(t, tensor->pos, (uint32_t)-(int32_t)(n - tensor->pos)); /* at the very end */
    expect_refused(t, n, EB_ERR_FORMAT, "outside the file");
    memcpy(t, b, n);
    put16(t, tensor->vtable, 3); /* odd vtable size */
    expect_refused(t, n, EB_ERR_FORMAT, "bad vtable");
    memcpy(t, b, n);
    put16(t, tensor->vtable, 0xfff0); /* vtable longer than the file */
    expect_refused(t, n, EB_ERR_FORMAT, "bad vtable");
    memcpy(t, b, n);
    put16(t, tensor->vtable + 2, 0xfff0); /* table longer than the file */
    expect_refused(t, n, EB_ERR_FORMAT, "past the end of the file");
    memcpy(t, b, n);
    put16(t, tensor->vtable + 4 + 2 * 2, 200); /* field 2 (buffer) outside the table */
    expect_refused(t, n, EB_ERR_FORMAT, "field 2 at offset 200");
    memcpy(t, b, n);
    put16(t, tensor->vtable + 4 + 2 * 2, 2); /* field overlapping the vtable offset */
    expect_refused(t, n, EB_ERR_FORMAT, "field 2 at offset 2");
    free(t);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_hostile, huge_vectors_and_limits)
{
    conv_fixture c;
    size_t n;
    uint8_t *b = conv_file(&c, &n);
    uint8_t *t = malloc(n);
    memcpy(t, b, n);
    put32(t, c.m.tensors->pos, 0x7fffffffu);
    expect_refused(t, n, EB_ERR_FORMAT, "2147483647 tensors of 4 bytes do not fit in the file");
    memcpy(t, b, n);
    put32(t, c.m.tensors->pos, 0xffffffffu);
    expect_refused(t, n, EB_ERR_FORMAT, "do not fit in the file");
    /* the weights' data vector */
    tb_node *data = c.m.buffer[1]->f[0].ref;
    memcpy(t, b, n);
    put32(t, data->pos, (uint32_t)(n - data->pos));
    expect_refused(t, n, EB_ERR_FORMAT, "buffer 1: vector at byte");
    /* a name's length running past its NUL */
    tb_node *name = c.m.tensor[0]->f[3].ref;
    memcpy(t, b, n);
    t[name->pos + 4 + name->len] = 'x';
    expect_refused(t, n, EB_ERR_FORMAT, "not NUL-terminated");
    free(t);
    free(b);
    tbm_free(&c.m);

    /* rank over the limit */
    tbm mb;
    tbm_init(&mb);
    int32_t s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 9, s9, 0);
    b = tbm_finish(&mb, &n);
    expect_refused(b, n, EB_ERR_UNSUPPORTED, "tensor 0: 9 dimensions exceed the limit of 8");
    free(b);
    tbm_free(&mb);
}

/* Many offsets to one tensor with a big quantization vector: a small file claiming
 * gigabytes of metadata is refused by the budget, quickly. */
Test(tflite_hostile, shared_vector_amplification, .timeout = 20)
{
    tbm mb;
    tbm_init(&mb);
    enum { CH = 16384, COPIES = 20000 };
    int32_t shape[] = {CH};
    int t = tbm_tensor(&mb, "x", EB_TFLITE_FLOAT32, 1, shape, 0);
    float *s = calloc(CH, sizeof *s);
    tbm_quant(&mb, t, CH, s, NULL, 0);
    for (int i = 1; i < COPIES; i++)
        tb_push(mb.tensors, mb.tensor[t]);
    size_t n;
    uint8_t *b = tbm_finish(&mb, &n);
    cr_assert_lt(n, 200000);
    expect_refused(b, n, EB_ERR_NOMEM, "metadata would take more than");
    free(s);
    free(b);
    tbm_free(&mb);
}

static uint8_t *variant(conv_fixture *c, size_t *n, void (*edit)(conv_fixture *))
{
    conv_build(c, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32);
    edit(c);
    return tbm_finish(&c->m, n);
}

static void set_field_i32(tb_node *t, int id, int32_t v)
{
    for (int i = 0; i < t->nfields; i++)
        if (t->f[i].id == id) {
            t->f[i].value = (uint32_t)v;
            return;
        }
    tb_i32(t, id, v);
}

static void e_buffer_index(conv_fixture *c) { set_field_i32(c->m.tensor[1], 2, 40); }
static void e_buffer_size(conv_fixture *c)
{
    uint8_t junk[10] = {0};
    set_field_i32(c->m.tensor[1], 2, tbm_buffer(&c->m, junk, sizeof junk));
}
static void e_tensor_type(conv_fixture *c) { c->m.tensor[1]->f[1].value = 42; }
static void e_neg_dim(conv_fixture *c) { ((int32_t *)c->m.tensor[0]->f[0].ref->data)[2] = -1; }
static void e_opcode_index(conv_fixture *c) { set_field_i32(c->m.op[0], 0, 5); }
static void e_op_input(conv_fixture *c) { ((int32_t *)c->m.op[0]->f[1].ref->data)[1] = 4; }
static void e_op_output_absent(conv_fixture *c) { ((int32_t *)c->m.op[0]->f[2].ref->data)[0] = -1; }
static void e_graph_output(conv_fixture *c) { ((int32_t *)c->m.subgraph->f[4].ref->data)[0] = 9; }
static void e_options_type(conv_fixture *c)
{
    c->m.op[0]->f[3].value = EB_TFLITE_OPT_FULLY_CONNECTED;
}
static void e_options_missing(conv_fixture *c) { c->m.op[0]->nfields = 3; }
static void e_stride(conv_fixture *c) { set_field_i32(c->opt, 1, 0); }
static void e_padding(conv_fixture *c) { c->opt->f[0].value = 7; }
static void e_act(conv_fixture *c) { c->opt->f[3].value = 9; }
static void e_version(conv_fixture *c) { c->m.model->f[0].value = 2; }
static void e_no_subgraph(conv_fixture *c) { c->m.model->f[2].ref->nitems = 0; }
static void e_quant_count(conv_fixture *c)
{
    float s[3] = {1, 1, 1};
    tbm_quant(&c->m, c->w, 3, s, NULL, 0);
}
static void e_quant_dim(conv_fixture *c)
{
    float s[4] = {1, 1, 1, 1};
    tbm_quant(&c->m, c->w, 4, s, NULL, 7);
}
static void e_quant_nan(conv_fixture *c)
{
    float s[1] = {NAN};
    tbm_quant(&c->m, c->w, 1, s, NULL, 0);
}
static void e_quant_zp(conv_fixture *c)
{
    float s[4] = {1, 1, 1, 1};
    int64_t zp[4] = {0};
    tbm_quant(&c->m, c->w, 4, s, zp, 0);
    c->m.tensor[c->w]->f[c->m.tensor[c->w]->nfields - 1].ref->f[1].ref->len = 2;
}
static void e_negative_opcode(conv_fixture *c)
{
    tb_node *code = c->m.opcodes->items[0];
    code->f[2].value = (uint32_t)-5; /* builtin_code (f[0] byte, f[1] version) */
}

Test(tflite_hostile, inconsistent_contents_each_named)
{
    struct {
        void (*edit)(conv_fixture *);
        eb_status st;
        const char *msg;
    } cases[] = {
        {e_buffer_index, EB_ERR_FORMAT, "tensor 1: buffer 40 out of range (3 buffers)"},
        {e_buffer_size, EB_ERR_FORMAT,
         "tensor 1: buffer 3 holds 10 bytes, but shape [4,3,3,3] of float32 needs 432"},
        {e_tensor_type, EB_ERR_FORMAT, "tensor 1: unknown type 42"},
        {e_neg_dim, EB_ERR_FORMAT, "tensor 0: dimension 2 is -1 in shape [1,5,-1,3]"},
        {e_opcode_index, EB_ERR_FORMAT,
         "operator 0: opcode_index 5 out of range (1 operator codes)"},
        {e_op_input, EB_ERR_FORMAT,
         "operator 0 (CONV_2D) input 1: tensor 4 out of range (4 tensors)"},
        {e_op_output_absent, EB_ERR_FORMAT,
         "operator 0 (CONV_2D) output 0: tensor -1 out of range"},
        {e_graph_output, EB_ERR_FORMAT, "subgraph output 0: tensor 9 out of range"},
        {e_options_type, EB_ERR_FORMAT,
         "operator 0 (CONV_2D): builtin_options are FullyConnectedOptions (union type 8), "
         "expected Conv2DOptions (1)"},
        {e_options_missing, EB_ERR_FORMAT, "operator 0 (CONV_2D): stride 0x0"},
        {e_stride, EB_ERR_FORMAT, "operator 0 (CONV_2D): stride 0x1"},
        {e_padding, EB_ERR_FORMAT, "operator 0 (CONV_2D): unknown padding 7"},
        {e_act, EB_ERR_FORMAT, "operator 0 (CONV_2D): unknown fused activation 9"},
        {e_version, EB_ERR_UNSUPPORTED, "TFLite schema version 2 is not supported"},
        {e_no_subgraph, EB_ERR_FORMAT, "model has no subgraph"},
        {e_quant_count, EB_ERR_FORMAT,
         "tensor 1: 3 quantization scales along dimension 0 do not match shape [4,3,3,3]"},
        {e_quant_dim, EB_ERR_FORMAT, "along dimension 7"},
        {e_quant_nan, EB_ERR_FORMAT, "tensor 1: quantization scale 0 is nan"},
        {e_quant_zp, EB_ERR_FORMAT, "tensor 1: 2 quantization zero points for 4 scales"},
        {e_negative_opcode, EB_ERR_FORMAT, "operator code 0: negative builtin code"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        conv_fixture c;
        size_t n;
        uint8_t *b = variant(&c, &n, cases[k].edit);
        expect_refused(b, n, cases[k].st, cases[k].msg);
        free(b);
        tbm_free(&c.m);
    }
}

/* The check also runs on models changed in memory. */
Test(tflite_hostile, check_in_memory)
{
    conv_fixture c;
    size_t n;
    uint8_t *b = conv_file(&c, &n);
    eb_tflite_model *m = parse_ok(b, n);
    char err[256];
    cr_expect_eq(eb_tflite_check(m, err, sizeof err), EB_OK, "%s", err);
    m->tensors[1].shape[0] = 5;
    cr_expect_eq(eb_tflite_check(m, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "needs 540") != NULL, "%s", err);
    m->tensors[1].shape[0] = 4;
    m->operators[0].outputs[0] = 4;
    cr_expect_eq(eb_tflite_check(m, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "output 0: tensor 4 out of range") != NULL, "%s", err);
    eb_tflite_free(m);
    free(b);
    tbm_free(&c.m);
}

/* Random byte corruption never crashes (ASan/UBSan in the sanitizer build) and a
 * refusal is always one sentence. */
Test(tflite_hostile, random_corruption, .timeout = 60)
{
    conv_fixture c;
    conv_build(&c, EB_TFLITE_INT8, EB_TFLITE_INT8, EB_TFLITE_INT32);
    float s[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    tbm_quant(&c.m, c.w, 4, s, NULL, 0);
    size_t n;
    uint8_t *b = tbm_finish(&c.m, &n);
    uint8_t *t = malloc(n);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int refused = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(t, b, n);
        int flips = 1 + it % 4;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            t[(x >> 8) % n] ^= (uint8_t)(1u << (x & 7));
        }
        eb_tflite_model *m = NULL;
        char err[512] = "";
        if (eb_tflite_parse(t, n, &m, err, sizeof err) == EB_OK) {
            FILE *f = fopen("/dev/null", "w");
            eb_tflite_describe(m, f);
            fclose(f);
            eb_tflite_free(m);
        } else {
            refused++;
            cr_assert(err[0] && !strchr(err, '\n'), "'%s'", err);
        }
    }
    cr_expect_gt(refused, 100, "corruption is noticed (%d refused)", refused);
    free(t);
    free(b);
    tbm_free(&c.m);
}

Test(tflite_hostile, load_errors)
{
    eb_tflite_model *m;
    char err[512];
    cr_expect_eq(eb_tflite_load("/nonexistent/x.tflite", &m, err, sizeof err), EB_ERR_IO);
    cr_expect(strstr(err, "cannot open '/nonexistent/x.tflite'") != NULL, "%s", err);
    cr_expect_null(m);
    char path[] = "/tmp/eb_tflite_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "abcdEFGH", 8), 8);
    close(fd);
    cr_expect_eq(eb_tflite_load(path, &m, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, path) == err, "names the file: %s", err);
    cr_expect(strstr(err, "identifier 'EFGH'") != NULL, "%s", err);
    unlink(path);
}

/* ---- (c) the MLPerf Tiny models ---- */

/* ../shared beside the source tree, or $EB_SHARED_DIR (a worktree elsewhere). */
static void mlperf_dir(char *buf, size_t len)
{
    const char *shared = getenv("EB_SHARED_DIR");
    snprintf(buf, len, "%s/models/mlperf_tiny",
             shared && *shared ? shared : EB_SOURCE_DIR "/../shared");
}

/* Expected values from tests/tflite_oracle.py (run it to regenerate):
 *  - op list, fused activations, input/output dtype, shape, scale and zero point: Arm NN
 *    20.08's TfLiteParser (Debian python3-pyarmnn + libarmnn-cpuref-backend22): the
 *    binding infos and the layer names of the optimized CpuRef graph
 *    ("Conv2D:0:<op index>[:RELU]");
 *  - tensor, operator, buffer and operator-code counts: python3-flatbuffers' generic
 *    Table accessors (no generated code, nothing shared with the reader);
 *  - kws_ref_model_float32 is hybrid (int8 conv weights on float activations), which
 *    CpuRef cannot optimize: its op list and activations come from the flatbuffers
 *    reading (its bindings still from Arm NN).
 * Arm NN gives scale 0 / offset 0 for float tensors: the reader has no quantization. */
typedef struct {
    int32_t rank;
    int32_t dims[4];
} shape4;

typedef struct {
    const char *file;
    int32_t tensors, operators, buffers, opcodes;
    const char *ops, *acts;
    int32_t in_type;
    shape4 in_shape;
    double in_scale;
    int32_t in_zp;
    int32_t out_type;
    shape4 out_shape;
    double out_scale;
    int32_t out_zp;
} mlperf_model;

#define FC10 "FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED," \
             "FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED,FULLY_CONNECTED"
#define CD "CONV_2D,DEPTHWISE_CONV_2D,"
#define KWS_OPS CD CD CD CD "CONV_2D,AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX"
#define RESNET_OPS                                                                            \
    "CONV_2D,CONV_2D,CONV_2D,ADD,CONV_2D,CONV_2D,CONV_2D,ADD,CONV_2D,CONV_2D,CONV_2D,ADD,"   \
    "AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX"
#define VWW_OPS                                                                               \
    CD CD CD CD CD CD CD CD CD CD CD CD CD "CONV_2D,AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX"
#define R3 "RELU,RELU,RELU,"
#define R27 R3 R3 R3 R3 R3 R3 R3 R3 R3
#define RESNET_ACTS                                                                           \
    "RELU,RELU,NONE,RELU,RELU,NONE,NONE,RELU,RELU,NONE,NONE,RELU,NONE,NONE,NONE,NONE"

static const mlperf_model mlperf_models[] = {
    {"ad01_fp32.tflite", 31, 10, 33, 1, FC10, R3 R3 R3 "NONE",
     EB_TFLITE_FLOAT32, {2, {1, 640}}, 0.0, 0, EB_TFLITE_FLOAT32, {2, {1, 640}}, 0.0, 0},
    {"ad01_int8.tflite", 31, 10, 33, 1, FC10, R3 R3 R3 "NONE",
     EB_TFLITE_INT8, {2, {1, 640}}, 0.3910152316093445, 89,
     EB_TFLITE_INT8, {2, {1, 640}}, 0.36449846625328064, 96},
    {"kws_ref_model.tflite", 35, 13, 37, 6, KWS_OPS, R3 R3 R3 "NONE,NONE,NONE,NONE",
     EB_TFLITE_INT8, {4, {1, 49, 10, 1}}, 0.5847029089927673, 83,
     EB_TFLITE_INT8, {2, {1, 12}}, 0.00390625, -128},
    {"kws_ref_model_float32.tflite", 35, 13, 37, 6, KWS_OPS, R3 R3 R3 "NONE,NONE,NONE,NONE",
     EB_TFLITE_FLOAT32, {4, {1, 49, 10, 1}}, 0.0, 0, EB_TFLITE_FLOAT32, {2, {1, 12}}, 0.0, 0},
    {"pretrainedResnet.tflite", 38, 16, 40, 6, RESNET_OPS, RESNET_ACTS,
     EB_TFLITE_FLOAT32, {4, {1, 32, 32, 3}}, 0.0, 0, EB_TFLITE_FLOAT32, {2, {1, 10}}, 0.0, 0},
    {"pretrainedResnet_quant.tflite", 38, 16, 40, 8, RESNET_OPS, RESNET_ACTS,
     EB_TFLITE_INT8, {4, {1, 32, 32, 3}}, 1.0, -128,
     EB_TFLITE_INT8, {2, {1, 10}}, 0.00390625, -128},
    {"vww_96_float.tflite", 89, 31, 91, 6, VWW_OPS, R27 "NONE,NONE,NONE,NONE",
     EB_TFLITE_FLOAT32, {4, {1, 96, 96, 3}}, 0.0, 0, EB_TFLITE_FLOAT32, {2, {1, 2}}, 0.0, 0},
    {"vww_96_int8.tflite", 89, 31, 91, 8, VWW_OPS, R27 "NONE,NONE,NONE,NONE",
     EB_TFLITE_INT8, {4, {1, 96, 96, 3}}, 0.003921568859368563, -128,
     EB_TFLITE_INT8, {2, {1, 2}}, 0.00390625, -128},
};

static int fused_act(const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    switch (x->type) {
    case EB_TFLITE_OPT_CONV2D:
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D: return x->u.conv.act;
    case EB_TFLITE_OPT_POOL2D: return x->u.pool.act;
    case EB_TFLITE_OPT_FULLY_CONNECTED: return x->u.fc.act;
    case EB_TFLITE_OPT_ADD: return x->u.arith.act;
    default: return EB_TFLITE_ACT_NONE;
    }
}

static void expect_io(const eb_tflite_model *m, int32_t ti, int32_t type, const shape4 *s,
                      double scale, int32_t zp, const char *what)
{
    const eb_tflite_tensor *t = &m->tensors[ti];
    cr_expect_eq(t->type, type, "%s dtype %s", what, eb_tflite_dtype_name(t->type));
    cr_assert_eq(t->rank, s->rank, "%s rank", what);
    for (int d = 0; d < s->rank; d++)
        cr_expect_eq(t->shape[d], s->dims[d], "%s dim %d", what, d);
    if (scale == 0.0) {
        cr_expect_eq(t->quant.n, 0, "%s is not quantized", what);
    } else {
        cr_assert_eq(t->quant.n, 1, "%s per-tensor", what);
        cr_expect_eq(t->quant.scale[0], (float)scale, "%s scale %.9g", what,
                     (double)t->quant.scale[0]);
        cr_expect_eq(t->quant.zero_point[0], zp, "%s zero point", what);
    }
}

Test(tflite_mlperf, eight_models_match_independent_reading)
{
    char dir[400], probe_path[512];
    mlperf_dir(dir, sizeof dir);
    snprintf(probe_path, sizeof probe_path, "%s/kws_ref_model.tflite", dir);
    FILE *probe = fopen(probe_path, "rb");
    if (!probe)
        cr_skip_test("%s is absent (a clone without ../shared; EB_SHARED_DIR overrides): the "
                     "MLPerf Tiny models are not checked",
                     dir);
    fclose(probe);
    for (size_t i = 0; i < sizeof mlperf_models / sizeof mlperf_models[0]; i++) {
        const mlperf_model *e = &mlperf_models[i];
        char path[512], err[512] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->file);
        eb_tflite_model *m = NULL;
        cr_assert_eq(eb_tflite_load(path, &m, err, sizeof err), EB_OK, "%s", err);
        cr_expect_eq(m->n_tensors, e->tensors, "%s tensors", e->file);
        cr_expect_eq(m->n_buffers, e->buffers, "%s buffers", e->file);
        cr_expect_eq(m->n_opcodes, e->opcodes, "%s operator codes", e->file);
        cr_assert_eq(m->n_operators, e->operators, "%s operators", e->file);
        char ops[2048] = "", acts[2048] = "";
        for (int32_t k = 0; k < m->n_operators; k++) {
            const eb_tflite_operator *o = &m->operators[k];
            snprintf(ops + strlen(ops), sizeof ops - strlen(ops), "%s%s", k ? "," : "",
                     eb_tflite_builtin_name(o->builtin));
            snprintf(acts + strlen(acts), sizeof acts - strlen(acts), "%s%s", k ? "," : "",
                     eb_tflite_act_name(fused_act(o)));
        }
        cr_expect_str_eq(ops, e->ops, "%s op list", e->file);
        cr_expect_str_eq(acts, e->acts, "%s fused activations", e->file);
        cr_assert_eq(m->n_inputs, 1);
        cr_assert_eq(m->n_outputs, 1);
        expect_io(m, m->inputs[0], e->in_type, &e->in_shape, e->in_scale, e->in_zp, e->file);
        expect_io(m, m->outputs[0], e->out_type, &e->out_shape, e->out_scale, e->out_zp, e->file);
        char *text = describe(m);
        cr_expect(strstr(text, "ops:\n") != NULL);
        free(text);
        eb_tflite_free(m);
    }
}
