/* onnx_builder.h - builds small .onnx models in memory with protobuf-c (the generated
 * onnx.pb-c.h), for test_onnx_import.c and the fuzz seeds (fuzz/onnx_seeds.c). Every
 * message comes from ob_alloc and is freed by ob_free_all. Only with EB_HAVE_ONNX. */
#ifndef EB_ONNX_BUILDER_H
#define EB_ONNX_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

#define OB_MAX_ALLOCS 4096
static void *ob_allocs[OB_MAX_ALLOCS];
static int ob_nallocs;

static void *ob_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p || ob_nallocs >= OB_MAX_ALLOCS)
        abort();
    ob_allocs[ob_nallocs++] = p;
    return p;
}

static void ob_free_all(void)
{
    for (int i = 0; i < ob_nallocs; i++)
        free(ob_allocs[i]);
    ob_nallocs = 0;
}

static char *ob_str(const char *s)
{
    char *p = ob_alloc(strlen(s) + 1);
    memcpy(p, s, strlen(s) + 1);
    return p;
}

/* A tensor with raw little-endian data of `bytes` bytes (x86/ARM are little-endian). */
static Onnx__TensorProto *ob_tensor(const char *name, int32_t dtype, const int64_t *dims,
                                    size_t nd, const void *data, size_t bytes)
{
    Onnx__TensorProto *t = ob_alloc(sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = ob_str(name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = nd;
    t->dims = ob_alloc(sizeof(int64_t) * nd);
    memcpy(t->dims, dims, sizeof(int64_t) * nd);
    t->has_raw_data = 1;
    t->raw_data.len = bytes;
    t->raw_data.data = ob_alloc(bytes);
    memcpy(t->raw_data.data, data, bytes);
    return t;
}

static Onnx__ValueInfoProto *ob_value(const char *name, int32_t dtype, const int64_t *dims,
                                      size_t nd)
{
    Onnx__ValueInfoProto *v = ob_alloc(sizeof *v);
    onnx__value_info_proto__init(v);
    v->name = ob_str(name);
    Onnx__TypeProto *tp = ob_alloc(sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = ob_alloc(sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = dtype;
    Onnx__TensorShapeProto *sh = ob_alloc(sizeof *sh);
    onnx__tensor_shape_proto__init(sh);
    sh->n_dim = nd;
    sh->dim = ob_alloc(sizeof *sh->dim * (nd ? nd : 1));
    for (size_t i = 0; i < nd; i++) {
        Onnx__TensorShapeProto__Dimension *d = ob_alloc(sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = dims[i];
        sh->dim[i] = d;
    }
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    v->type = tp;
    return v;
}

/* inputs/outputs: comma-separated names ("x,w,b"). */
static char **ob_names(const char *csv, size_t *n)
{
    char *s = ob_str(csv);
    size_t k = 1;
    for (const char *p = s; *p; p++)
        k += *p == ',';
    char **v = ob_alloc(sizeof(char *) * k);
    *n = 0;
    for (char *tok = s;;) {
        char *c = strchr(tok, ',');
        if (c)
            *c = 0;
        v[(*n)++] = tok;
        if (!c)
            break;
        tok = c + 1;
    }
    return v;
}

static Onnx__NodeProto *ob_node(const char *op, const char *name, const char *in,
                                const char *out)
{
    Onnx__NodeProto *n = ob_alloc(sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = ob_str(op);
    n->name = ob_str(name);
    n->input = ob_names(in, &n->n_input);
    n->output = ob_names(out, &n->n_output);
    n->attribute = ob_alloc(sizeof(Onnx__AttributeProto *) * 8);
    return n;
}

static void ob_attr_ints(Onnx__NodeProto *n, const char *name, const int64_t *v, size_t k)
{
    Onnx__AttributeProto *a = ob_alloc(sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = ob_str(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a->n_ints = k;
    a->ints = ob_alloc(sizeof(int64_t) * k);
    memcpy(a->ints, v, sizeof(int64_t) * k);
    n->attribute[n->n_attribute++] = a;
}

static void ob_attr_int(Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = ob_alloc(sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = ob_str(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
    n->attribute[n->n_attribute++] = a;
}

/* Packs a model of one graph (opset of the default domain) into a malloc'ed buffer. */
static uint8_t *ob_pack(int64_t opset, Onnx__NodeProto **nodes, size_t nn,
                        Onnx__TensorProto **inits, size_t ni, Onnx__ValueInfoProto *in,
                        Onnx__ValueInfoProto *out, size_t *len)
{
    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    g.name = (char *)"g";
    g.n_node = nn;
    g.node = nodes;
    g.n_initializer = ni;
    g.initializer = inits;
    g.n_input = 1;
    g.input = &in;
    g.n_output = 1;
    g.output = &out;
    Onnx__OperatorSetIdProto os;
    onnx__operator_set_id_proto__init(&os);
    os.domain = (char *)"";
    os.has_version = 1;
    os.version = opset;
    Onnx__OperatorSetIdProto *osp = &os;
    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.n_opset_import = 1;
    m.opset_import = &osp;
    m.graph = &g;
    *len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    onnx__model_proto__pack(&m, buf);
    return buf;
}

/* A small float CNN on a [1,3,6,5] input: Conv 3x3 (4 filters, pad 1) + Relu -> Flatten
 * (of the NCHW map) -> Gemm (5 outputs) -> Softmax. `op2` replaces the Relu's op type
 * (e.g. "HardSigmoid" for an unsupported node). Weights: w[i] = ((i * 37) % 17 - 8) / 16. */
static uint8_t *ob_small_cnn(const char *op2, size_t *len)
{
    static float w[4 * 3 * 3 * 3], b[4], g[5 * 120], gb[5];
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        w[i] = (float)((int)((i * 37) % 17) - 8) / 16.0f;
    for (size_t i = 0; i < 4; i++)
        b[i] = 0.125f * (float)i - 0.1f;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        g[i] = (float)((int)((i * 53) % 23) - 11) / 64.0f;
    for (size_t i = 0; i < 5; i++)
        gb[i] = 0.05f * (float)i;
    int64_t dw[4] = {4, 3, 3, 3}, db[1] = {4}, dg[2] = {5, 120}, dgb[1] = {5};
    Onnx__TensorProto **inits = ob_alloc(sizeof(void *) * 4);
    inits[0] = ob_tensor("w", 1, dw, 4, w, sizeof w);
    inits[1] = ob_tensor("b", 1, db, 1, b, sizeof b);
    inits[2] = ob_tensor("g", 1, dg, 2, g, sizeof g);
    inits[3] = ob_tensor("gb", 1, dgb, 1, gb, sizeof gb);
    Onnx__NodeProto **nodes = ob_alloc(sizeof(void *) * 5);
    nodes[0] = ob_node("Conv", "conv", "x,w,b", "c");
    int64_t k[2] = {3, 3}, p[4] = {1, 1, 1, 1};
    ob_attr_ints(nodes[0], "kernel_shape", k, 2);
    ob_attr_ints(nodes[0], "pads", p, 4);
    nodes[1] = ob_node(op2, "act", "c", "r");
    nodes[2] = ob_node("Flatten", "flat", "r", "f");
    nodes[3] = ob_node("Gemm", "fc", "f,g,gb", "y");
    ob_attr_int(nodes[3], "transB", 1);
    nodes[4] = ob_node("Softmax", "sm", "y", "out");
    int64_t din[4] = {1, 3, 6, 5}, dout[2] = {1, 5};
    return ob_pack(13, nodes, 5, inits, 4, ob_value("x", 1, din, 4), ob_value("out", 1, dout, 2),
                   len);
}

/* A QDQ model as onnxruntime.quantization writes them, on a [1,2,4,4] input: Quantize
 * (uint8, or int8 when s8) -> Dequantize -> Conv 1x1 (4 filters, per-channel int8 weights
 * behind DequantizeLinear, int32 bias in scale in_scale x w_scale) -> Quantize ->
 * Dequantize -> GlobalAveragePool -> Quantize -> Dequantize (the float output [1,4,1,1]).
 * The parameters are in ob_qdq_params for the tests' float simulation. */
typedef struct {
    float in_s, conv_s, gap_s, w_s[4];
    int32_t in_z, conv_z, gap_z, b[4];
    int8_t w[8];
} ob_qdq_params;

static const ob_qdq_params ob_qdq = {
    1.0f / 64, 1.0f / 32, 1.0f / 128, {0.01f, 0.02f, 0.015f, 0.03f},
    128, 100, 90, {50, -30, 0, 200},
    {127, -64, 30, 90, -127, 5, 60, -90},
};

static uint8_t *ob_small_qdq(bool s8, size_t *len)
{
    const ob_qdq_params *p = &ob_qdq;
    int32_t zt = s8 ? 3 : 2; /* INT8 : UINT8 */
    int shift = s8 ? 128 : 0;
    uint8_t zin = (uint8_t)(p->in_z - shift), zc = (uint8_t)(p->conv_z - shift),
            zg = (uint8_t)(p->gap_z - shift);
    int64_t d0[1] = {0}, dw[4] = {4, 2, 1, 1}, d4[1] = {4};
    int8_t wz[4] = {0, 0, 0, 0};
    int32_t bz[4] = {0, 0, 0, 0};
    float bs[4];
    for (int k = 0; k < 4; k++)
        bs[k] = p->in_s * p->w_s[k];
    Onnx__TensorProto **in = ob_alloc(sizeof(void *) * 12);
    size_t n = 0;
    in[n++] = ob_tensor("in_s", 1, d0, 0, &p->in_s, 4);
    in[n++] = ob_tensor("in_z", zt, d0, 0, &zin, 1);
    in[n++] = ob_tensor("c_s", 1, d0, 0, &p->conv_s, 4);
    in[n++] = ob_tensor("c_z", zt, d0, 0, &zc, 1);
    in[n++] = ob_tensor("g_s", 1, d0, 0, &p->gap_s, 4);
    in[n++] = ob_tensor("g_z", zt, d0, 0, &zg, 1);
    in[n++] = ob_tensor("w_q", 3, dw, 4, p->w, 8);
    in[n++] = ob_tensor("w_s", 1, d4, 1, p->w_s, 16);
    in[n++] = ob_tensor("w_z", 3, d4, 1, wz, 4);
    in[n++] = ob_tensor("b_q", 6, d4, 1, p->b, 16);
    in[n++] = ob_tensor("b_s", 1, d4, 1, bs, 16);
    in[n++] = ob_tensor("b_z", 6, d4, 1, bz, 16);
    Onnx__NodeProto **nd = ob_alloc(sizeof(void *) * 10);
    size_t k = 0;
    nd[k++] = ob_node("QuantizeLinear", "q_in", "x,in_s,in_z", "xq");
    nd[k++] = ob_node("DequantizeLinear", "dq_in", "xq,in_s,in_z", "xd");
    nd[k] = ob_node("DequantizeLinear", "dq_w", "w_q,w_s,w_z", "wd");
    ob_attr_int(nd[k++], "axis", 0);
    nd[k] = ob_node("DequantizeLinear", "dq_b", "b_q,b_s,b_z", "bd");
    ob_attr_int(nd[k++], "axis", 0);
    nd[k++] = ob_node("Conv", "conv", "xd,wd,bd", "c");
    nd[k++] = ob_node("QuantizeLinear", "q_c", "c,c_s,c_z", "cq");
    nd[k++] = ob_node("DequantizeLinear", "dq_c", "cq,c_s,c_z", "cd");
    nd[k++] = ob_node("GlobalAveragePool", "gap", "cd", "g");
    nd[k++] = ob_node("QuantizeLinear", "q_g", "g,g_s,g_z", "gq");
    nd[k++] = ob_node("DequantizeLinear", "dq_g", "gq,g_s,g_z", "out");
    int64_t din[4] = {1, 2, 4, 4}, dout[4] = {1, 4, 1, 1};
    return ob_pack(13, nd, k, in, n, ob_value("x", 1, din, 4), ob_value("out", 1, dout, 4), len);
}

/* The same model as QOperator nodes (as onnxruntime.quantization's QOperator format):
 * Quantize -> QLinearConv -> QLinearGlobalAveragePool (com.microsoft) -> Dequantize. */
static uint8_t *ob_small_qop(bool s8, size_t *len)
{
    const ob_qdq_params *p = &ob_qdq;
    int32_t zt = s8 ? 3 : 2;
    int shift = s8 ? 128 : 0;
    uint8_t zin = (uint8_t)(p->in_z - shift), zc = (uint8_t)(p->conv_z - shift),
            zg = (uint8_t)(p->gap_z - shift);
    int64_t d0[1] = {0}, dw[4] = {4, 2, 1, 1}, d4[1] = {4};
    int8_t wz[4] = {0, 0, 0, 0};
    Onnx__TensorProto **in = ob_alloc(sizeof(void *) * 10);
    size_t n = 0;
    in[n++] = ob_tensor("in_s", 1, d0, 0, &p->in_s, 4);
    in[n++] = ob_tensor("in_z", zt, d0, 0, &zin, 1);
    in[n++] = ob_tensor("c_s", 1, d0, 0, &p->conv_s, 4);
    in[n++] = ob_tensor("c_z", zt, d0, 0, &zc, 1);
    in[n++] = ob_tensor("g_s", 1, d0, 0, &p->gap_s, 4);
    in[n++] = ob_tensor("g_z", zt, d0, 0, &zg, 1);
    in[n++] = ob_tensor("w_q", 3, dw, 4, p->w, 8);
    in[n++] = ob_tensor("w_s", 1, d4, 1, p->w_s, 16);
    in[n++] = ob_tensor("w_z", 3, d4, 1, wz, 4);
    in[n++] = ob_tensor("b_q", 6, d4, 1, p->b, 16);
    Onnx__NodeProto **nd = ob_alloc(sizeof(void *) * 4);
    size_t k = 0;
    nd[k++] = ob_node("QuantizeLinear", "q_in", "x,in_s,in_z", "xq");
    nd[k++] = ob_node("QLinearConv", "conv", "xq,in_s,in_z,w_q,w_s,w_z,c_s,c_z,b_q", "cq");
    nd[k] = ob_node("QLinearGlobalAveragePool", "gap", "cq,c_s,c_z,g_s,g_z", "gq");
    nd[k++]->domain = ob_str("com.microsoft");
    nd[k++] = ob_node("DequantizeLinear", "dq_g", "gq,g_s,g_z", "out");
    int64_t din[4] = {1, 2, 4, 4}, dout[4] = {1, 4, 1, 1};
    return ob_pack(13, nd, k, in, n, ob_value("x", 1, din, 4), ob_value("out", 1, dout, 4), len);
}

#endif
