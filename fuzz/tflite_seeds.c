/* tflite_seeds.c - writes the seed corpus of fuzz_tflite: small valid .tflite files made
 * with tests/tflite_builder.h, one per op kind and dtype (float32, int8 per-channel,
 * uint8 per-tensor, int32 bias), plus the opcode forms (old byte only, codes > 127,
 * custom) and the external-buffer form. Usage: tflite_seeds DIR (see fuzz_tflite.c). */
#include <stdio.h>
#include <stdlib.h>

#include "eb_tflite.h"
#include "tflite_builder.h"

static const char *dir;
static int written;

static void save(tbm *m, const char *name)
{
    size_t n;
    uint8_t *b = tbm_finish(m, &n);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.tflite", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "tflite_seeds: cannot write %s\n", path);
        exit(2);
    }
    eb_tflite_model *check;
    char err[256];
    if (eb_tflite_parse(b, n, &check, err, sizeof err) != EB_OK) {
        fprintf(stderr, "tflite_seeds: %s is not valid: %s\n", name, err);
        exit(1);
    }
    eb_tflite_free(check);
    free(b);
    tbm_free(m);
    written++;
}

/* Activation type, weight type and bias type of a weighted op. */
typedef struct {
    const char *tag;
    int8_t act, w, bias;
    int per_channel;
} dtypes;

static const dtypes kinds[] = {
    {"f32", EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, EB_TFLITE_FLOAT32, 0},
    {"s8", EB_TFLITE_INT8, EB_TFLITE_INT8, EB_TFLITE_INT32, 1},
    {"u8", EB_TFLITE_UINT8, EB_TFLITE_UINT8, EB_TFLITE_INT32, 0},
    {"hybrid", EB_TFLITE_FLOAT32, EB_TFLITE_INT8, EB_TFLITE_FLOAT32, 0},
};

static void quant(tbm *m, int t, int8_t type, int n, int qdim)
{
    if (type == EB_TFLITE_FLOAT32)
        return;
    float s[8] = {0.5f, 0.25f, 0.125f, 0.0625f, 0.5f, 0.25f, 0.125f, 0.0625f};
    int64_t zp[8] = {0};
    if (type == EB_TFLITE_UINT8)
        zp[0] = 128;
    tbm_quant(m, t, n, s, zp, qdim);
}

static void weighted(int32_t builtin, uint8_t opt_type, const dtypes *k)
{
    tbm m;
    tbm_init(&m);
    int dw = builtin == EB_TFLITE_OP_DEPTHWISE_CONV_2D,
        fc = builtin == EB_TFLITE_OP_FULLY_CONNECTED;
    int32_t is[] = {1, 4, 4, 2}, ws[] = {4, 3, 3, 2}, dws[] = {1, 3, 3, 4}, fis[] = {1, 8},
            fws[] = {4, 8}, bs[] = {4}, os[] = {1, 2, 2, 4}, fos[] = {1, 4};
    uint8_t w[4 * 3 * 3 * 4 * 4];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 5);
    int code = tbm_opcode(&m, builtin, 2);
    int x = tbm_tensor(&m, "x", k->act, fc ? 2 : 4, fc ? fis : is, 0);
    const int32_t *wsh = fc ? fws : dw ? dws : ws;
    int wn = fc ? 32 : dw ? 36 : 72;
    int wt = tbm_const(&m, "w", k->w, fc ? 2 : 4, wsh, w,
                       (uint32_t)(wn * (int)eb_tflite_dtype_size(k->w)));
    int bt = tbm_const(&m, "b", k->bias, 1, bs, w, 16);
    int y = tbm_tensor(&m, "y", k->act, fc ? 2 : 4, fc ? fos : os, 0);
    quant(&m, x, k->act, 1, 0);
    quant(&m, wt, k->w, k->per_channel ? 4 : 1, dw ? 3 : 0);
    if (k->bias != EB_TFLITE_FLOAT32)
        quant(&m, bt, EB_TFLITE_INT8, k->per_channel ? 4 : 1, 0);
    quant(&m, y, k->act, 1, 0);
    tb_node *o = tb_table(&m.b);
    if (fc) {
        tb_u8(o, 0, EB_TFLITE_ACT_RELU);
        tb_u8(o, 2, 1);
    } else {
        tb_u8(o, 0, EB_TFLITE_PAD_VALID);
        tb_i32(o, 1, 1);
        tb_i32(o, 2, 1);
        tb_i32(o, dw ? 3 : 5, 1);
        tb_u8(o, dw ? 4 : 3, EB_TFLITE_ACT_RELU6);
    }
    int32_t in[] = {x, wt, bt}, out[] = {y};
    tbm_op(&m, code, 3, in, 1, out, opt_type, o);
    tbm_io(&m, 1, in, 1, out);
    char name[64];
    snprintf(name, sizeof name, "%s_%s", eb_tflite_builtin_name(builtin), k->tag);
    save(&m, name);
}

/* A one-input op (plus an int32 constant when `clen` > 0) with an options table made by
 * `opts` (may be NULL). */
static void simple(int32_t builtin, int8_t type, uint8_t opt_type,
                   void (*opts)(tb_node *, tbm *), int clen, const char *tag)
{
    tbm m;
    tbm_init(&m);
    int32_t s[] = {1, 3, 3, 4}, cdata[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    int code = tbm_opcode(&m, builtin, 1);
    int32_t in[3], out[1];
    in[0] = tbm_tensor(&m, "x", type, 4, s, 0);
    in[1] = tbm_tensor(&m, "x2", type, 4, s, 0);
    int nin = builtin == EB_TFLITE_OP_ADD || builtin == EB_TFLITE_OP_SUB ||
                      builtin == EB_TFLITE_OP_MUL || builtin == EB_TFLITE_OP_CONCATENATION
                  ? 2
                  : 1;
    if (clen)
        in[nin++] = tbm_const(&m, "c", EB_TFLITE_INT32, 1, &clen, cdata, (uint32_t)(4 * clen));
    out[0] = tbm_tensor(&m, "y", type, 4, s, 0);
    quant(&m, in[0], type, 1, 0);
    quant(&m, out[0], type, 1, 0);
    tb_node *o = NULL;
    if (opts) {
        o = tb_table(&m.b);
        opts(o, &m);
    }
    tbm_op(&m, code, nin, in, 1, out, opt_type, o);
    tbm_io(&m, 1, in, 1, out);
    char name[64];
    snprintf(name, sizeof name, "%s_%s", eb_tflite_builtin_name(builtin), tag);
    save(&m, name);
}

static void o_pool(tb_node *o, tbm *m)
{
    (void)m;
    tb_i32(o, 1, 1);
    tb_i32(o, 2, 1);
    tb_i32(o, 3, 2);
    tb_i32(o, 4, 2);
    tb_u8(o, 5, 1);
}
static void o_act(tb_node *o, tbm *m)
{
    (void)m;
    tb_u8(o, 0, EB_TFLITE_ACT_RELU);
}
static void o_concat(tb_node *o, tbm *m)
{
    (void)m;
    tb_i32(o, 0, 3);
}
static void o_softmax(tb_node *o, tbm *m)
{
    (void)m;
    tb_f32(o, 0, 1.0f);
}
static void o_reducer(tb_node *o, tbm *m)
{
    (void)m;
    tb_u8(o, 0, 1);
}
static void o_leaky(tb_node *o, tbm *m)
{
    (void)m;
    tb_f32(o, 0, 0.2f);
}
static void o_reshape(tb_node *o, tbm *m)
{
    int32_t ns[] = {1, -1};
    tb_ref(o, 0, tb_vec_i32(&m->b, ns, 2));
}
static void o_squeeze(tb_node *o, tbm *m)
{
    int32_t d[] = {0};
    tb_ref(o, 0, tb_vec_i32(&m->b, d, 1));
}
static void o_slice(tb_node *o, tbm *m)
{
    (void)m;
    tb_i32(o, 0, 1);
    tb_i32(o, 4, 2);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tflite_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        weighted(EB_TFLITE_OP_CONV_2D, EB_TFLITE_OPT_CONV2D, &kinds[k]);
        weighted(EB_TFLITE_OP_DEPTHWISE_CONV_2D, EB_TFLITE_OPT_DEPTHWISE_CONV2D, &kinds[k]);
        weighted(EB_TFLITE_OP_FULLY_CONNECTED, EB_TFLITE_OPT_FULLY_CONNECTED, &kinds[k]);
    }
    int8_t types[] = {EB_TFLITE_FLOAT32, EB_TFLITE_INT8, EB_TFLITE_UINT8};
    const char *tags[] = {"f32", "s8", "u8"};
    for (int t = 0; t < 3; t++) {
        simple(EB_TFLITE_OP_AVERAGE_POOL_2D, types[t], EB_TFLITE_OPT_POOL2D, o_pool, 0,
               tags[t]);
        simple(EB_TFLITE_OP_MAX_POOL_2D, types[t], EB_TFLITE_OPT_POOL2D, o_pool, 0, tags[t]);
        simple(EB_TFLITE_OP_ADD, types[t], EB_TFLITE_OPT_ADD, o_act, 0, tags[t]);
        simple(EB_TFLITE_OP_SUB, types[t], EB_TFLITE_OPT_SUB, o_act, 0, tags[t]);
        simple(EB_TFLITE_OP_MUL, types[t], EB_TFLITE_OPT_MUL, o_act, 0, tags[t]);
        simple(EB_TFLITE_OP_CONCATENATION, types[t], EB_TFLITE_OPT_CONCATENATION, o_concat, 0,
               tags[t]);
        simple(EB_TFLITE_OP_SOFTMAX, types[t], EB_TFLITE_OPT_SOFTMAX, o_softmax, 0, tags[t]);
        simple(EB_TFLITE_OP_RESHAPE, types[t], EB_TFLITE_OPT_RESHAPE, o_reshape, 2, tags[t]);
        simple(EB_TFLITE_OP_MEAN, types[t], EB_TFLITE_OPT_REDUCER, o_reducer, 2, tags[t]);
        simple(EB_TFLITE_OP_PAD, types[t], EB_TFLITE_OPT_PAD, NULL, 8, tags[t]);
        simple(EB_TFLITE_OP_RELU, types[t], 0, NULL, 0, tags[t]);
        simple(EB_TFLITE_OP_RELU6, types[t], 0, NULL, 0, tags[t]);
        simple(EB_TFLITE_OP_LOGISTIC, types[t], 0, NULL, 0, tags[t]);
        simple(EB_TFLITE_OP_TANH, types[t], 0, NULL, 0, tags[t]);
        simple(EB_TFLITE_OP_HARD_SWISH, types[t], 0, NULL, 0, tags[t]);
    }
    simple(EB_TFLITE_OP_RESHAPE, EB_TFLITE_INT8, 0, NULL, 2, "no_options");
    simple(EB_TFLITE_OP_SQUEEZE, EB_TFLITE_INT8, EB_TFLITE_OPT_SQUEEZE, o_squeeze, 0, "s8");
    simple(EB_TFLITE_OP_LEAKY_RELU, EB_TFLITE_FLOAT32, EB_TFLITE_OPT_LEAKY_RELU, o_leaky, 0,
           "f32");
    simple(EB_TFLITE_OP_STRIDED_SLICE, EB_TFLITE_FLOAT32, EB_TFLITE_OPT_STRIDED_SLICE, o_slice,
           4, "f32");
    simple(EB_TFLITE_OP_QUANTIZE, EB_TFLITE_INT8, EB_TFLITE_OPT_QUANTIZE, NULL, 0, "s8");
    simple(EB_TFLITE_OP_DEQUANTIZE, EB_TFLITE_INT8, EB_TFLITE_OPT_DEQUANTIZE, NULL, 0, "s8");
    simple(150 /* GELU, code > 127 */, EB_TFLITE_FLOAT32, 0, NULL, 0, "f32");
    /* float32 edges of an int8 model: x -> QUANTIZE -> RELU -> DEQUANTIZE -> y */
    {
        tbm m;
        tbm_init(&m);
        int32_t s[] = {1, 3, 3, 4};
        int qc = tbm_opcode(&m, EB_TFLITE_OP_QUANTIZE, 1);
        int rc = tbm_opcode(&m, EB_TFLITE_OP_RELU, 1);
        int dc = tbm_opcode(&m, EB_TFLITE_OP_DEQUANTIZE, 1);
        int32_t x = tbm_tensor(&m, "x", EB_TFLITE_FLOAT32, 4, s, 0);
        int32_t q = tbm_tensor(&m, "q", EB_TFLITE_INT8, 4, s, 0);
        int32_t r = tbm_tensor(&m, "r", EB_TFLITE_INT8, 4, s, 0);
        int32_t y = tbm_tensor(&m, "y", EB_TFLITE_FLOAT32, 4, s, 0);
        quant(&m, q, EB_TFLITE_INT8, 1, 0);
        quant(&m, r, EB_TFLITE_INT8, 1, 0);
        int32_t i0[] = {x}, o0[] = {q}, o1[] = {r}, o2[] = {y};
        tbm_op(&m, qc, 1, i0, 1, o0, EB_TFLITE_OPT_QUANTIZE, tb_table(&m.b));
        tbm_op(&m, rc, 1, o0, 1, o1, 0, NULL);
        tbm_op(&m, dc, 1, o1, 1, o2, EB_TFLITE_OPT_DEQUANTIZE, tb_table(&m.b));
        tbm_io(&m, 1, i0, 1, o2);
        save(&m, "quantize_edges");
    }
    /* custom op and an old-style opcode (deprecated byte only) */
    {
        tbm m;
        tbm_init(&m);
        int32_t s[] = {1, 4};
        int c = tbm_custom_opcode(&m, "MyCustomOp");
        tb_node *old = tb_table(&m.b);
        tb_u8(old, 0, EB_TFLITE_OP_SOFTMAX);
        int oc = tb_push(m.opcodes, old);
        int32_t in[] = {tbm_tensor(&m, "x", EB_TFLITE_FLOAT32, 2, s, 0)};
        int32_t out[] = {tbm_tensor(&m, "y", EB_TFLITE_FLOAT32, 2, s, 0)};
        tbm_op(&m, c, 1, in, 1, out, 0, NULL);
        tb_node *o = tb_table(&m.b);
        tb_f32(o, 0, 1.0f);
        tbm_op(&m, oc, 1, out, 1, out, EB_TFLITE_OPT_SOFTMAX, o);
        tbm_io(&m, 1, in, 1, out);
        save(&m, "custom_and_old_opcode");
    }
    printf("tflite_seeds: %d files in %s\n", written, dir);
    return 0;
}
