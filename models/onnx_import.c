/* onnx_import.c - an ONNX model (unpacked by onnx_load.c) turned into an edgebench graph.
 *
 * Layout: a [1,C,H,W] activation becomes an H x W x C (NHWC) graph tensor; weights are
 * permuted at load (Conv OIHW -> OHWI, depthwise [C,1,kh,kw] -> [kh][kw][C], Gemm/MatMul
 * to [out][in], with the columns reordered when a Flatten of an NCHW map feeds them). Other
 * activations keep ONNX's row-major order ("row" layout). The model's own input and
 * output stay NCHW / float32 for the user: eb_graph's in_nchw/in_float/... say how the
 * edges convert.
 *
 * Nodes (default domain, opsets EB_ONNX_OPSET_MIN..MAX):
 *   Conv (group 1, depthwise), Gemm, MatMul (2-D)   conv2d / dwconv / fc
 *   BatchNormalization   folded into the Conv/Gemm before it
 *   Relu, Clip(0,6), Clip(0,inf)   fused into the op before it (else relu / relu6 ops)
 *   Sigmoid, Tanh, HardSwish   logistic / tanh / hard_swish (int8: by table)
 *   MaxPool, AveragePool, GlobalAveragePool, Softmax, Add, Sub, Mul   the graph op
 *   Concat   a chain of two-input concats (the C, H or W of a map, or [1,N] rows)
 *   Pad (constant 0 on H, W), ReduceMean (over H, W)   pad / mean
 *   Identity, Flatten, Reshape, Squeeze, Unsqueeze   views (no op, no copy)
 *   Constant   a constant
 *   QuantizeLinear / DequantizeLinear (QDQ)   folded: an op between DequantizeLinear'd
 *       inputs and a QuantizeLinear becomes the int8 op with those scales; constants
 *       behind DequantizeLinear are its int8 weights (per-channel, symmetric) and int32
 *       biases; uint8 activations become int8 with zero point - 128 (the same reals).
 *       A float Softmax at the output of a QDQ model runs in int8 with output 1/256, -128.
 *   QLinearConv, QLinearMatMul, QLinearAdd, QLinearGlobalAveragePool (QOperator)
 * Everything else: EB_ERR_UNSUPPORTED naming the node, its op type and domain. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_onnx.h"
#include "onnx_internal.h"

#define SUPPORTED_OPS                                                                        \
    "Conv, Gemm, MatMul, BatchNormalization, Relu, Clip, Sigmoid, Tanh, HardSwish, "         \
    "MaxPool, AveragePool, GlobalAveragePool, ReduceMean, Softmax, Add, Sub, Mul, Concat, "  \
    "Pad, Identity, "                                                                        \
    "Flatten, Reshape, Squeeze, Unsqueeze, "                                                 \
    "Constant, QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul (and "          \
    "QLinearAdd, QLinearGlobalAveragePool of com.microsoft)"

#define T_FLOAT ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT
#define T_UINT8 ONNX__TENSOR_PROTO__DATA_TYPE__UINT8
#define T_INT8 ONNX__TENSOR_PROTO__DATA_TYPE__INT8
#define T_INT32 ONNX__TENSOR_PROTO__DATA_TYPE__INT32
#define T_INT64 ONNX__TENSOR_PROTO__DATA_TYPE__INT64

enum { V_NONE = 0, V_CONST, V_QCONST, V_ACT, V_PEND };
/* activation states: fp32 graph; int8 tensor; float view of an int8 tensor
 * (DequantizeLinear); the float model input of an int8 graph before its QuantizeLinear */
enum { Q_F32 = 0, Q_INT, Q_DQ, Q_RAWIN };
/* NHWC of [1,C,H,W]; ONNX row-major order; a flatten of an NHWC map (bytes HWC, logical
 * order CHW) */
enum { L_NHWC = 0, L_ROW, L_FLATHWC };

typedef struct {
    const char *name;
    int kind;
    int32_t rank;
    int64_t dims[EB_ONNX_MAX_RANK];
    int32_t uses;
    /* V_CONST */
    const Onnx__TensorProto *tp;
    uint8_t *ext; /* external data, loaded once */
    /* V_QCONST */
    int32_t qx, qs, qz, qaxis;
    /* V_ACT / V_PEND */
    int32_t t; /* graph tensor (V_ACT) */
    int q, layout;
    int32_t fh, fw, fc; /* L_FLATHWC: the NHWC map */
    int32_t producer;   /* graph op that wrote t (-1: none / not fusable) */
    bool u8;            /* the file's integer type is uint8 */
    eb_gop *pend;       /* V_PEND: the int8 op waiting for its QuantizeLinear */
    int32_t ph, pw, pc;
} val;

typedef struct {
    const Onnx__ModelProto *m;
    const Onnx__GraphProto *gp;
    const char *dir;
    eb_graph *g;
    val *v;
    int32_t nv, capv;
    int32_t *hash;
    uint32_t hmask;
    FILE *log;
    char *err;
    size_t errlen;
    int64_t opset;
    int32_t ni; /* the node being imported, -1 none */
    const Onnx__NodeProto *node;
    int32_t input_v;
    /* what was folded or converted, for the report */
    int32_t n_bn, n_act, n_q, n_dq, n_view, n_const, n_dyn, n_relu_op, n_qop;
    bool bias_exact; /* QLinearConv: the bias is int32 in scale x_scale * w_scale */
    bool u8, sm_conv, nchw, hybrid;
} imp;

static const char *S(const char *s) { return s ? s : ""; }

/* A name from the file, cut and made printable for the mapping log. */
static const char *P(const char *s, char *buf, size_t n)
{
    snprintf(buf, n, "%s", S(s));
    eb_onnx_printable(buf);
    return buf;
}

static eb_status fail(imp *c, eb_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static eb_status fail(imp *c, eb_status st, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = 0;
        if (c->node) {
            const char *dom = S(c->node->domain);
            n = snprintf(c->err, c->errlen, "node %d '%.60s' (%.40s, domain %.40s): ",
                         (int)c->ni, S(c->node->name), S(c->node->op_type),
                         *dom ? dom : "ai.onnx");
        }
        if (n < 0 || (size_t)n >= c->errlen)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
        eb_onnx_printable(c->err);
    }
    return st;
}
#define UNSUP(...) fail(c, EB_ERR_UNSUPPORTED, __VA_ARGS__)
#define BAD(...) fail(c, EB_ERR_FORMAT, __VA_ARGS__)

/* ---- the value table --------------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int32_t find(const imp *c, const char *name)
{
    if (!name || !*name)
        return -1;
    for (uint32_t i = hash_str(name) & c->hmask;; i = (i + 1) & c->hmask) {
        int32_t k = c->hash[i];
        if (k < 0)
            return -1;
        if (!strcmp(c->v[k].name, name))
            return k;
    }
}

/* A new named value; -1 when the name exists already. */
static int32_t declare(imp *c, const char *name)
{
    if (find(c, name) >= 0 || c->nv >= c->capv)
        return -1;
    int32_t k = c->nv++;
    memset(&c->v[k], 0, sizeof c->v[k]);
    c->v[k].name = name;
    c->v[k].producer = -1;
    c->v[k].qs = c->v[k].qz = c->v[k].qx = -1;
    uint32_t i = hash_str(name) & c->hmask;
    while (c->hash[i] >= 0)
        i = (i + 1) & c->hmask;
    c->hash[i] = k;
    return k;
}

static int64_t elems_of(const int64_t *d, int32_t rank)
{
    int64_t n = 1;
    for (int32_t i = 0; i < rank; i++)
        n *= d[i];
    return n;
}

static void dims_str(const int64_t *d, int32_t rank, char *buf, size_t n)
{
    size_t l = (size_t)snprintf(buf, n, "[");
    for (int32_t i = 0; i < rank && l < n; i++)
        l += (size_t)snprintf(buf + l, n - l, "%s%lld", i ? "," : "", (long long)d[i]);
    if (l < n)
        snprintf(buf + l, n - l, "]");
}

/* ---- constants ---------------------------------------------------------------------- */

static const char *dtype_name(int32_t t)
{
    static const char *n[] = {"undefined", "float32", "uint8",   "int8",     "uint16",
                              "int16",     "int32",   "int64",   "string",   "bool",
                              "float16",   "double",  "uint32",  "uint64",   "complex64",
                              "complex128", "bfloat16"};
    return t >= 0 && t < (int32_t)(sizeof n / sizeof n[0]) ? n[t] : "an unknown type";
}

static size_t dtype_bytes(int32_t t)
{
    switch (t) {
    case T_FLOAT:
    case T_INT32: return 4;
    case T_UINT8:
    case T_INT8: return 1;
    case T_INT64: return 8;
    default: return 0;
    }
}

/* Declares a constant from a TensorProto (initializer or Constant): dims checked. */
static eb_status set_const(imp *c, int32_t k, const Onnx__TensorProto *tp)
{
    val *v = &c->v[k];
    if (tp->n_dims > EB_ONNX_MAX_RANK)
        return UNSUP("constant '%.60s' has rank %zu; edgebench reads rank <= %d", v->name,
                     tp->n_dims, EB_ONNX_MAX_RANK);
    int64_t n = 1;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0 || tp->dims[i] > EB_GRAPH_MAX_WEIGHTS)
            return BAD("constant '%.60s' has dimension %lld", v->name, (long long)tp->dims[i]);
        n *= tp->dims[i];
        if (n > EB_GRAPH_MAX_WEIGHTS)
            return BAD("constant '%.60s' has more than %lld elements", v->name,
                       (long long)EB_GRAPH_MAX_WEIGHTS);
        v->dims[i] = tp->dims[i];
    }
    if (tp->segment)
        return UNSUP("constant '%.60s' is segmented", v->name);
    v->rank = (int32_t)tp->n_dims;
    v->kind = V_CONST;
    v->tp = tp;
    return EB_OK;
}

typedef struct {
    int32_t dtype;
    int64_t n;
    float *f;    /* T_FLOAT */
    int32_t *i;  /* the integer types (int64 within int32) */
} cdata;

static void cdata_free(cdata *d)
{
    free(d->f);
    free(d->i);
    d->f = NULL;
    d->i = NULL;
}

/* The decoded elements of a V_CONST value: byte lengths checked against the dims. */
static eb_status const_data(imp *c, int32_t k, cdata *out)
{
    memset(out, 0, sizeof *out);
    val *v = &c->v[k];
    if (v->kind != V_CONST)
        return UNSUP("'%.60s' must be a constant (an initializer or a Constant node)",
                     v->name);
    const Onnx__TensorProto *tp = v->tp;
    int32_t dt = tp->data_type;
    size_t eb = dtype_bytes(dt);
    if (!eb)
        return UNSUP("constant '%.60s' is %s; edgebench reads float32, int8, uint8, int32 "
                     "and int64 constants",
                     v->name, dtype_name(dt));
    int64_t n = elems_of(v->dims, v->rank);
    out->dtype = dt;
    out->n = n;
    const uint8_t *raw = NULL;
    size_t rawlen = 0;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        if (!v->ext) {
            char e[400];
            eb_status st = eb_onnx_external(tp, c->dir, (size_t)n * eb, &v->ext, e, sizeof e);
            if (st != EB_OK)
                return fail(c, st, "%s", e);
        }
        raw = v->ext;
        rawlen = (size_t)n * eb;
    } else if (tp->has_raw_data) {
        raw = tp->raw_data.data;
        rawlen = tp->raw_data.len;
    }
    size_t have;
    if (raw)
        have = rawlen / eb;
    else if (dt == T_FLOAT)
        have = tp->n_float_data;
    else if (dt == T_INT64)
        have = tp->n_int64_data;
    else
        have = tp->n_int32_data;
    if ((raw && rawlen != (size_t)n * eb) || (!raw && have != (size_t)n))
        return BAD("constant '%.60s' holds %zu %s for the %lld elements its dims declare",
                   v->name, raw ? rawlen : have, raw ? "bytes" : "values", (long long)n);
    if (dt == T_FLOAT) {
        out->f = malloc(sizeof(float) * (size_t)(n ? n : 1));
        if (!out->f)
            return fail(c, EB_ERR_NOMEM, "out of memory for constant '%.60s'", v->name);
        if (n) /* the typed array is NULL when empty */
            memcpy(out->f, raw ? (const void *)raw : (const void *)tp->float_data,
                   (size_t)n * 4);
        return EB_OK;
    }
    out->i = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    if (!out->i)
        return fail(c, EB_ERR_NOMEM, "out of memory for constant '%.60s'", v->name);
    for (int64_t j = 0; j < n; j++) {
        int64_t x;
        if (raw) {
            const uint8_t *p = raw + (size_t)j * eb;
            switch (dt) {
            case T_UINT8: x = p[0]; break;
            case T_INT8: x = (int8_t)p[0]; break;
            case T_INT32: {
                uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24;
                x = (int32_t)u;
                break;
            }
            default: {
                uint64_t u = 0;
                for (int b = 7; b >= 0; b--)
                    u = u << 8 | p[b];
                x = (int64_t)u;
            }
            }
        } else {
            x = dt == T_INT64 ? tp->int64_data[j] : tp->int32_data[j];
        }
        bool ok = dt == T_UINT8  ? x >= 0 && x <= 255
                  : dt == T_INT8 ? x >= -128 && x <= 127
                                 : x >= INT32_MIN && x <= INT32_MAX;
        if (!ok) {
            cdata_free(out);
            return BAD("constant '%.60s' has the value %lld, outside %s or int32", v->name,
                       (long long)x, dtype_name(dt));
        }
        out->i[j] = (int32_t)x;
    }
    return EB_OK;
}

/* A constant as floats (a QCONST dequantized): exactly `want` elements unless want < 0. */
static eb_status const_floats(imp *c, int32_t k, int64_t want, float **out)
{
    *out = NULL;
    val *v = &c->v[k];
    int64_t n = elems_of(v->dims, v->rank);
    if (want >= 0 && n != want)
        return BAD("constant '%.60s' has %lld elements, expected %lld", v->name, (long long)n,
                   (long long)want);
    if (v->kind == V_CONST) {
        cdata d;
        eb_status st = const_data(c, k, &d);
        if (st != EB_OK)
            return st;
        if (d.dtype != T_FLOAT) {
            cdata_free(&d);
            return UNSUP("constant '%.60s' is %s where float32 is expected", v->name,
                         dtype_name(d.dtype));
        }
        for (int64_t j = 0; j < n; j++)
            if (!isfinite(d.f[j])) {
                cdata_free(&d);
                return BAD("constant '%.60s' has a non-finite value", v->name);
            }
        *out = d.f;
        return EB_OK;
    }
    if (v->kind != V_QCONST)
        return UNSUP("'%.60s' must be a constant; edgebench needs constant weights", v->name);
    cdata x, s, z = {0};
    eb_status st = const_data(c, v->qx, &x);
    if (st != EB_OK)
        return st;
    st = const_data(c, v->qs, &s);
    if (st == EB_OK && v->qz >= 0)
        st = const_data(c, v->qz, &z);
    if (st != EB_OK)
        goto done;
    int64_t nch = s.n, inner = 1;
    if (nch != 1) {
        for (int32_t i = v->qaxis + 1; i < v->rank; i++)
            inner *= v->dims[i];
    }
    if (s.dtype != T_FLOAT || (z.n && (z.n != nch || !z.i)) || x.dtype == T_FLOAT ||
        (nch != 1 && (v->qaxis < 0 || v->qaxis >= v->rank || v->dims[v->qaxis] != nch))) {
        st = BAD("DequantizeLinear of '%.60s': scale/zero point do not match its axis",
                 v->name);
        goto done;
    }
    float *f = malloc(sizeof(float) * (size_t)(n ? n : 1));
    if (!f) {
        st = fail(c, EB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int64_t j = 0; j < n; j++) {
        int64_t ch = nch == 1 ? 0 : (j / inner) % nch;
        f[j] = s.f[ch] * (float)((int64_t)x.i[j] - (z.n ? z.i[ch] : 0));
        if (!isfinite(f[j])) {
            free(f);
            st = BAD("constant '%.60s' dequantizes to a non-finite value", v->name);
            goto done;
        }
    }
    *out = f;
done:
    cdata_free(&x);
    cdata_free(&s);
    cdata_free(&z);
    return st;
}

/* One float scale and one integer zero point (activations are quantized per tensor). */
static eb_status qparams(imp *c, int32_t ks, int32_t kz, double *scale, int32_t *zp, bool *u8)
{
    cdata s, z = {0};
    eb_status st = const_data(c, ks, &s);
    if (st != EB_OK)
        return st;
    if (kz >= 0)
        st = const_data(c, kz, &z);
    if (st == EB_OK && (s.dtype != T_FLOAT || s.n != 1 || (kz >= 0 && z.n != 1)))
        st = UNSUP("activations are quantized with one scale and zero point (per tensor)");
    if (st == EB_OK && !(s.f[0] > 0.0f && isfinite(s.f[0]) && s.f[0] < 1e6f && s.f[0] > 1e-12f))
        st = BAD("scale %g is not a positive finite value", (double)s.f[0]);
    if (st == EB_OK && kz >= 0 && z.dtype != T_UINT8 && z.dtype != T_INT8)
        st = UNSUP("zero point is %s; edgebench reads uint8 and int8 quantization",
                   dtype_name(z.dtype));
    if (st == EB_OK) {
        *scale = (double)s.f[0];
        *u8 = kz < 0 || z.dtype == T_UINT8;
        int32_t q = kz >= 0 ? z.i[0] : 0;
        *zp = *u8 ? q - 128 : q;
    }
    cdata_free(&s);
    cdata_free(&z);
    return st;
}

/* ---- attributes --------------------------------------------------------------------- */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (!strcmp(S(n->attribute[i]->name), name))
            return n->attribute[i];
    return NULL;
}

static eb_status attr_int(imp *c, const char *name, int64_t def, int64_t *out)
{
    const Onnx__AttributeProto *a = attr(c->node, name);
    *out = def;
    if (!a)
        return EB_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return BAD("attribute %s is not an int", name);
    *out = a->i;
    return EB_OK;
}

static eb_status attr_float(imp *c, const char *name, float def, float *out)
{
    const Onnx__AttributeProto *a = attr(c->node, name);
    *out = def;
    if (!a)
        return EB_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT || !isfinite(a->f))
        return BAD("attribute %s is not a finite float", name);
    *out = a->f;
    return EB_OK;
}

/* ints attribute: count (or -1 absent); at most max values. */
static eb_status attr_ints(imp *c, const char *name, int64_t *out, int max, int *n)
{
    const Onnx__AttributeProto *a = attr(c->node, name);
    *n = -1;
    if (!a)
        return EB_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints > (size_t)max)
        return BAD("attribute %s is not a list of at most %d ints", name, max);
    for (size_t i = 0; i < a->n_ints; i++)
        out[i] = a->ints[i];
    *n = (int)a->n_ints;
    return EB_OK;
}

static bool attr_str_is(const Onnx__NodeProto *n, const char *name, const char *want,
                        bool absent_ok)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a)
        return absent_ok;
    size_t l = strlen(want);
    return a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING && a->s.len == l &&
           !memcmp(a->s.data, want, l);
}

/* ---- inputs and outputs of a node --------------------------------------------------- */

static int32_t in_val(imp *c, size_t k)
{
    if (k >= c->node->n_input)
        return -1;
    return find(c, c->node->input[k]);
}

/* Input k must exist and be defined by now. */
static eb_status need_in(imp *c, size_t k, int32_t *out)
{
    *out = -1;
    if (k >= c->node->n_input || !*S(c->node->input[k]))
        return BAD("input %zu is missing", k);
    int32_t vi = find(c, c->node->input[k]);
    if (vi < 0 || c->v[vi].kind == V_NONE)
        return BAD("input '%.60s' is not defined before the node (the graph must be sorted "
                   "topologically)",
                   S(c->node->input[k]));
    *out = vi;
    return EB_OK;
}

/* An activation input in the state this graph expects: float (fp32 graph) or a
 * DequantizeLinear view (int8 graph). */
static eb_status act_in(imp *c, size_t k, int32_t *out)
{
    eb_status st = need_in(c, k, out);
    if (st != EB_OK)
        return st;
    val *v = &c->v[*out];
    if (v->kind == V_CONST || v->kind == V_QCONST)
        return UNSUP("input '%.60s' is a constant; edgebench runs this op on activations",
                     v->name);
    if (v->kind == V_PEND)
        return UNSUP("input '%.60s' is a float result of quantized inputs with no "
                     "QuantizeLinear after it; edgebench runs QDQ models whose every op "
                     "output is quantized",
                     v->name);
    bool s8 = c->g->dtype == EB_S8;
    if (v->q == Q_RAWIN)
        return UNSUP("input '%.60s' is the float model input of a quantized model; it must "
                     "go through QuantizeLinear first",
                     v->name);
    if (s8 && v->q != Q_DQ)
        return UNSUP("input '%.60s' is an int8 tensor; in a QDQ model ops read "
                     "DequantizeLinear outputs",
                     v->name);
    return EB_OK;
}

/* The output value (declared by the pre-pass); must not be defined yet. */
static eb_status out_val(imp *c, size_t k, int32_t *out)
{
    if (k >= c->node->n_output || !*S(c->node->output[k]))
        return BAD("output %zu is missing", k);
    int32_t vi = find(c, c->node->output[k]);
    if (vi < 0 || c->v[vi].kind != V_NONE)
        return BAD("output '%.60s' is written twice", S(c->node->output[k]));
    *out = vi;
    return EB_OK;
}

/* The graph tensor shape of a row-major tensor: (1, all but the last, last). */
static void row_shape(const int64_t *d, int32_t rank, int32_t *h, int32_t *w, int32_t *ch)
{
    *h = 1;
    if (rank == 0) {
        *w = *ch = 1;
        return;
    }
    *ch = (int32_t)d[rank - 1];
    *w = (int32_t)(elems_of(d, rank) / (d[rank - 1] ? d[rank - 1] : 1));
}

/* [1,C,H,W] of an activation as NHWC (C, H, W); false when it is not one. */
static bool nhwc_of(imp *c, int32_t vi, int32_t *C, int32_t *H, int32_t *W)
{
    val *v = &c->v[vi];
    if (v->rank != 4 || v->dims[0] != 1)
        return false;
    *C = (int32_t)v->dims[1];
    *H = (int32_t)v->dims[2];
    *W = (int32_t)v->dims[3];
    if (v->layout == L_NHWC)
        return true;
    /* row-major [1,C,H,W] holds the same bytes as NHWC when C == 1 or H*W == 1, and the
     * graph tensor must already have that shape */
    if (v->layout == L_ROW && (*C == 1 || (int64_t)*H * *W == 1)) {
        const eb_gtensor *t = &c->g->t[v->t];
        return t->h == *H && t->w == *W && t->c == *C;
    }
    return false;
}

static void set_act(imp *c, int32_t vi, int32_t t, int q, int layout, const int64_t *dims,
                    int32_t rank, int32_t producer)
{
    val *v = &c->v[vi];
    v->kind = V_ACT;
    v->t = t;
    v->q = q;
    v->layout = layout;
    v->rank = rank;
    if (dims != v->dims)
        memcpy(v->dims, dims, sizeof(int64_t) * (size_t)rank);
    v->producer = producer;
}

static void init_op(imp *c, eb_gop *op, eb_op_type type, const char *kind)
{
    memset(op, 0, sizeof *op);
    op->type = type;
    op->in1 = -1;
    op->k_h = op->k_w = op->stride_h = op->stride_w = 1;
    snprintf(op->name, sizeof op->name, "%s_%d", kind, (int)c->ni);
}

static void log_node(imp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_node(imp *c, const char *fmt, ...)
{
    if (!c->log)
        return;
    char line[512];
    int n = snprintf(line, sizeof line, "  node %-4d %-18.18s %-24.24s ", (int)c->ni,
                     S(c->node->op_type), S(c->node->name));
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    eb_onnx_printable(line); /* names come from the file */
    fprintf(c->log, "%s\n", line);
}

/* An op whose output is known: fp32 graphs add it now; int8 graphs keep it pending until
 * its QuantizeLinear gives the output scale. */
static eb_status emit(imp *c, eb_gop *op, int32_t h, int32_t w, int32_t ch, int32_t vo,
                      const int64_t *dims, int32_t rank, int layout)
{
    if (h < 1 || w < 1 || ch < 1 || h > EB_GRAPH_MAX_DIM || w > EB_GRAPH_MAX_DIM ||
        ch > EB_GRAPH_MAX_DIM || (int64_t)h * w * ch > EB_GRAPH_MAX_ELEMS) {
        eb_gop_free_weights(op);
        return UNSUP("the output would be %dx%dx%d, outside edgebench's tensor limits",
                     (int)h, (int)w, (int)ch);
    }
    val *v = &c->v[vo];
    v->rank = rank;
    memcpy(v->dims, dims, sizeof(int64_t) * (size_t)rank);
    v->layout = layout;
    if (c->g->dtype == EB_S8) {
        v->pend = malloc(sizeof *op);
        if (!v->pend) {
            eb_gop_free_weights(op);
            return fail(c, EB_ERR_NOMEM, "out of memory");
        }
        *v->pend = *op;
        v->kind = V_PEND;
        v->ph = h;
        v->pw = w;
        v->pc = ch;
        return EB_OK;
    }
    int32_t t = eb_graph_add_tensor(c->g, h, w, ch);
    if (t < 0) {
        eb_gop_free_weights(op);
        return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
    }
    op->out = t;
    int32_t oi = eb_graph_add_op(c->g, op);
    if (oi < 0) {
        eb_gop_free_weights(op);
        return fail(c, EB_ERR_NOMEM, "too many ops (limit %d)", EB_GRAPH_MAX_OPS);
    }
    set_act(c, vo, t, Q_F32, layout, dims, rank, oi);
    return EB_OK;
}

/* The int8 op of a pending value gets its output quantization: scale, zp. */
static eb_status finalize(imp *c, int32_t vp, double scale, int32_t zp, bool u8, int32_t *tout)
{
    val *v = &c->v[vp];
    eb_gop op = *v->pend;
    free(v->pend);
    v->pend = NULL;
    const eb_gtensor *in = &c->g->t[op.in0];
    if ((op.type == EB_OP_MAXPOOL || op.type == EB_OP_AVGPOOL || op.type == EB_OP_PAD) &&
        (in->scale != scale || in->zp != zp)) {
        eb_gop_free_weights(&op);
        return UNSUP("an int8 %s whose output scale/zero point (%g, %d) differs from its "
                     "input's (%g, %d) is not supported",
                     op.type == EB_OP_MAXPOOL   ? "MaxPool"
                     : op.type == EB_OP_AVGPOOL ? "AveragePool"
                                                : "Pad",
                     scale, (int)zp, in->scale, (int)in->zp);
    }
    if (op.type == EB_OP_SOFTMAX && (scale != 1.0 / 256.0 || zp != -128)) {
        eb_gop_free_weights(&op);
        return UNSUP("an int8 Softmax output needs scale 1/256 and zero point -128 (uint8: "
                     "0), it has %g and %d",
                     scale, (int)zp);
    }
    int32_t t = eb_graph_add_tensor(c->g, v->ph, v->pw, v->pc);
    if (t < 0) {
        eb_gop_free_weights(&op);
        return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
    }
    c->g->t[t].scale = scale;
    c->g->t[t].zp = zp;
    op.out = t;
    int32_t oi = eb_graph_add_op(c->g, &op);
    if (oi < 0) {
        eb_gop_free_weights(&op);
        return fail(c, EB_ERR_NOMEM, "too many ops (limit %d)", EB_GRAPH_MAX_OPS);
    }
    /* the float result itself now reads as the quantized tensor */
    set_act(c, vp, t, Q_DQ, v->layout, v->dims, v->rank, oi);
    v->u8 = u8;
    *tout = t;
    return EB_OK;
}

/* ---- weights ------------------------------------------------------------------------ */

/* The weights of a weighted op in edgebench's layout: dst element i comes from ONNX
 * element src[i] (src_index(i)); the output channel of dst element i is
 * i / per_oc (oc-major) or i % oc (depthwise: channel-minor). fp32 graphs: floats
 * (dequantized when behind DequantizeLinear); int8 graphs: int8 + per-channel scales,
 * which must be along the ONNX output-channel axis `oaxis`. */
typedef struct {
    int32_t oc;
    int64_t n;
    int32_t oaxis;
    bool minor; /* the channel is the fastest dst index (depthwise) */
    const int64_t *src;
} wmap;

static eb_status load_weights(imp *c, int32_t kw, const wmap *m, eb_gop *op)
{
    val *v = &c->v[kw];
    int64_t n = elems_of(v->dims, v->rank);
    if (n != m->n)
        return BAD("weights '%.60s' have %lld elements, expected %lld", v->name, (long long)n,
                   (long long)m->n);
    if (c->g->dtype == EB_F32) {
        float *f;
        eb_status st = const_floats(c, kw, m->n, &f);
        if (st != EB_OK)
            return st;
        if (v->kind == V_QCONST)
            c->hybrid = true;
        op->w = malloc(sizeof(float) * (size_t)m->n);
        if (!op->w) {
            free(f);
            return fail(c, EB_ERR_NOMEM, "out of memory for the weights");
        }
        for (int64_t i = 0; i < m->n; i++)
            op->w[i] = f[m->src[i]];
        free(f);
        return EB_OK;
    }
    if (v->kind != V_QCONST)
        return UNSUP("weights '%.60s' are not behind a DequantizeLinear; a quantized model "
                     "needs int8 weights",
                     v->name);
    cdata x, s, z = {0};
    eb_status st = const_data(c, v->qx, &x);
    if (st != EB_OK)
        return st;
    st = const_data(c, v->qs, &s);
    if (st == EB_OK && v->qz >= 0)
        st = const_data(c, v->qz, &z);
    if (st != EB_OK)
        goto done;
    if (x.dtype != T_INT8 && x.dtype != T_UINT8) {
        st = UNSUP("weights '%.60s' are %s; edgebench reads int8 weights", v->name,
                   dtype_name(x.dtype));
        goto done;
    }
    if (s.dtype != T_FLOAT || (s.n != 1 && s.n != m->oc) || (z.n && (z.n != s.n || !z.i))) {
        st = UNSUP("weights '%.60s' have %lld scales for %d output channels; edgebench reads "
                   "per-tensor or per-output-channel scales",
                   v->name, (long long)s.n, (int)m->oc);
        goto done;
    }
    if (s.n > 1 && v->qaxis != m->oaxis) {
        st = UNSUP("weights '%.60s' are quantized along axis %d; the output channels are "
                   "axis %d",
                   v->name, (int)v->qaxis, (int)m->oaxis);
        goto done;
    }
    int32_t shift = x.dtype == T_UINT8 ? 128 : 0;
    for (int64_t k = 0; k < z.n; k++)
        if (z.i[k] != shift) {
            st = UNSUP("weights '%.60s' have zero point %d; int8 weights must be symmetric "
                       "(zero point 0, or 128 for uint8)",
                       v->name, (int)z.i[k]);
            goto done;
        }
    if (!z.n && shift) {
        st = UNSUP("uint8 weights '%.60s' with zero point 0 are not symmetric", v->name);
        goto done;
    }
    op->wq = malloc((size_t)m->n);
    op->wscale = malloc(sizeof(double) * (size_t)m->oc);
    if (!op->wq || !op->wscale) {
        st = fail(c, EB_ERR_NOMEM, "out of memory for the weights");
        goto done;
    }
    for (int32_t k = 0; k < m->oc; k++) {
        float sc = s.f[s.n == 1 ? 0 : k];
        if (!(sc > 0.0f) || !isfinite(sc)) {
            st = BAD("weights '%.60s' have scale %g", v->name, (double)sc);
            goto done;
        }
        op->wscale[k] = (double)sc;
    }
    for (int64_t i = 0; i < m->n; i++) {
        int32_t q = x.i[m->src[i]] - shift;
        if (q < -127 || q > 127) {
            st = UNSUP("weights '%.60s' hold %d; edgebench's int8 kernels take symmetric "
                       "weights in [-127, 127]",
                       v->name, (int)q);
            goto done;
        }
        op->wq[i] = (int8_t)q;
    }
done:
    cdata_free(&x);
    cdata_free(&s);
    cdata_free(&z);
    return st;
}

/* Bias of oc channels (absent: zeros). int8: int32 in scale in_scale * wscale[k]; a
 * bias behind DequantizeLinear in another scale (or a float one) is requantized. */
static eb_status load_bias(imp *c, int32_t kb, eb_gop *op, int32_t oc, double in_scale)
{
    bool s8 = c->g->dtype == EB_S8;
    if (s8)
        op->bq = calloc((size_t)oc, sizeof(int32_t));
    else
        op->b = calloc((size_t)oc, sizeof(float));
    if (s8 ? !op->bq : !op->b)
        return fail(c, EB_ERR_NOMEM, "out of memory for the bias");
    if (kb < 0)
        return EB_OK;
    val *v = &c->v[kb];
    if (v->kind != V_CONST && v->kind != V_QCONST)
        return UNSUP("the bias '%.60s' is not a constant", v->name);
    int64_t n = elems_of(v->dims, v->rank);
    if (n != oc && n != 1)
        return UNSUP("bias '%.60s' has %lld elements for %d outputs", v->name, (long long)n,
                     (int)oc);
    if (!s8) {
        float *f;
        eb_status st = const_floats(c, kb, n, &f);
        if (st != EB_OK)
            return st;
        for (int32_t k = 0; k < oc; k++)
            op->b[k] = f[n == 1 ? 0 : k];
        free(f);
        return EB_OK;
    }
    cdata x = {0}, s = {0}, z = {0};
    float *f = NULL;
    eb_status st = EB_OK;
    bool exact = false;
    if (c->bias_exact) { /* QLinearConv's B: int32 with scale x_scale * w_scale */
        st = const_data(c, kb, &x);
        if (st == EB_OK && x.dtype != T_INT32)
            st = UNSUP("bias '%.60s' is %s; QLinearConv takes int32", v->name,
                       dtype_name(x.dtype));
        for (int32_t k = 0; st == EB_OK && k < oc; k++)
            op->bq[k] = x.i[n == 1 ? 0 : k];
        goto done;
    }
    if (v->kind == V_QCONST) {
        st = const_data(c, v->qx, &x);
        if (st == EB_OK)
            st = const_data(c, v->qs, &s);
        if (st == EB_OK && v->qz >= 0)
            st = const_data(c, v->qz, &z);
        if (st != EB_OK)
            goto done;
        exact = x.dtype == T_INT32 && s.dtype == T_FLOAT && (s.n == 1 || s.n == n) &&
                (!z.n || z.i);
        for (int64_t k = 0; exact && k < z.n; k++)
            exact = z.i[k] == 0;
        for (int32_t k = 0; exact && k < oc; k++) {
            double want = in_scale * op->wscale[k], have = (double)s.f[s.n == 1 ? 0 : k];
            exact = fabs(have - want) <= 1e-6 * want;
        }
    }
    if (exact) {
        for (int32_t k = 0; k < oc; k++)
            op->bq[k] = x.i[n == 1 ? 0 : k];
        goto done;
    }
    st = const_floats(c, kb, n, &f);
    if (st != EB_OK)
        goto done;
    for (int32_t k = 0; k < oc; k++) {
        double q = round((double)f[n == 1 ? 0 : k] / (in_scale * op->wscale[k]));
        if (!(fabs(q) < 2147483647.0)) {
            st = UNSUP("bias '%.60s' is too large for int32 in scale input x weight scale",
                       v->name);
            goto done;
        }
        op->bq[k] = (int32_t)q;
    }
done:
    free(f);
    cdata_free(&x);
    cdata_free(&s);
    cdata_free(&z);
    return st;
}

/* ---- geometry ----------------------------------------------------------------------- */

/* Output size and padding along one axis: explicit pads, or auto_pad. */
static eb_status axis_geom(imp *c, int64_t in, int64_t k, int64_t s, int64_t *pb, int64_t *pe,
                           int autopad, int64_t *out)
{
    if (k < 1 || s < 1 || k > EB_GRAPH_MAX_DIM || s > EB_GRAPH_MAX_DIM)
        return BAD("window %lld or stride %lld is not in 1..%d", (long long)k, (long long)s,
                   EB_GRAPH_MAX_DIM);
    if (autopad == 1 || autopad == 2) { /* SAME_UPPER, SAME_LOWER */
        int64_t o = (in + s - 1) / s;
        int64_t total = (o - 1) * s + k - in;
        if (total < 0)
            total = 0;
        *pb = autopad == 1 ? total / 2 : total - total / 2;
        *pe = total - *pb;
    } else if (autopad == 3) {
        *pb = *pe = 0;
    }
    if (*pb < 0 || *pe < 0 || *pb >= k || *pe >= k)
        return UNSUP("padding %lld/%lld for a window of %lld is not supported (each side "
                     "below the window)",
                     (long long)*pb, (long long)*pe, (long long)k);
    int64_t span = in + *pb + *pe - k;
    if (span < 0)
        return BAD("window %lld is larger than the padded input %lld", (long long)k,
                   (long long)(in + *pb + *pe));
    *out = span / s + 1;
    return EB_OK;
}

static eb_status autopad_of(imp *c, int *ap)
{
    const Onnx__AttributeProto *a = attr(c->node, "auto_pad");
    *ap = 0;
    if (!a || attr_str_is(c->node, "auto_pad", "NOTSET", false))
        return EB_OK;
    if (attr_str_is(c->node, "auto_pad", "SAME_UPPER", false))
        *ap = 1;
    else if (attr_str_is(c->node, "auto_pad", "SAME_LOWER", false))
        *ap = 2;
    else if (attr_str_is(c->node, "auto_pad", "VALID", false))
        *ap = 3;
    else
        return BAD("auto_pad is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
    return EB_OK;
}

/* kernel_shape (or kdef), strides, pads, dilations (must be 1) of a 2-D window op. */
static eb_status window_attrs(imp *c, eb_gop *op, int32_t H, int32_t W, const int64_t *kdef,
                              int64_t *oh, int64_t *ow)
{
    int64_t k[4], s[4] = {1, 1}, p[8] = {0, 0, 0, 0}, d[4] = {1, 1};
    int nk, ns, np, nd, ap;
    eb_status st = attr_ints(c, "kernel_shape", k, 4, &nk);
    if (st == EB_OK)
        st = attr_ints(c, "strides", s, 4, &ns);
    if (st == EB_OK)
        st = attr_ints(c, "pads", p, 8, &np);
    if (st == EB_OK)
        st = attr_ints(c, "dilations", d, 4, &nd);
    if (st == EB_OK)
        st = autopad_of(c, &ap);
    if (st != EB_OK)
        return st;
    if (nk < 0 && kdef) {
        k[0] = kdef[0];
        k[1] = kdef[1];
        nk = 2;
    }
    if (nk != 2 || (ns >= 0 && ns != 2) || (np >= 0 && np != 4) || (nd >= 0 && nd != 2))
        return UNSUP("only 2-D windows are supported (kernel_shape, strides, dilations of 2 "
                     "values, pads of 4)");
    if (d[0] != 1 || d[1] != 1)
        return UNSUP("dilations %lldx%lld are not supported (only 1)", (long long)d[0],
                     (long long)d[1]);
    if (kdef && (k[0] != kdef[0] || k[1] != kdef[1]))
        return BAD("kernel_shape %lldx%lld differs from the weights' %lldx%lld",
                   (long long)k[0], (long long)k[1], (long long)kdef[0], (long long)kdef[1]);
    /* pads: [top, left, bottom, right] */
    int64_t pt = p[0], pl = p[1], pbm = p[2], pr = p[3];
    st = axis_geom(c, H, k[0], s[0], &pt, &pbm, ap, oh);
    if (st == EB_OK)
        st = axis_geom(c, W, k[1], s[1], &pl, &pr, ap, ow);
    if (st != EB_OK)
        return st;
    op->k_h = (int32_t)k[0];
    op->k_w = (int32_t)k[1];
    op->stride_h = (int32_t)s[0];
    op->stride_w = (int32_t)s[1];
    op->pad_top = (int32_t)pt;
    op->pad_left = (int32_t)pl;
    op->pad_bottom = (int32_t)pbm;
    op->pad_right = (int32_t)pr;
    return EB_OK;
}

static double in_scale_of(imp *c, int32_t t)
{
    return c->g->dtype == EB_S8 ? c->g->t[t].scale : 1.0;
}

/* ---- ops ---------------------------------------------------------------------------- */

static eb_status conv(imp *c)
{
    int32_t vx, vw, vo;
    eb_status st = act_in(c, 0, &vx);
    if (st == EB_OK)
        st = need_in(c, 1, &vw);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    int32_t C, H, W;
    if (!nhwc_of(c, vx, &C, &H, &W))
        return UNSUP("the input is not a [1,C,H,W] map (2-D convolution of batch 1 only)");
    const val *w = &c->v[vw];
    if (w->kind != V_CONST && w->kind != V_QCONST)
        return UNSUP("the weights '%.60s' are not a constant", w->name);
    if (w->rank != 4)
        return UNSUP("the weights are rank %d; edgebench runs 2-D convolutions", (int)w->rank);
    int64_t group;
    st = attr_int(c, "group", 1, &group);
    if (st != EB_OK)
        return st;
    int64_t M = w->dims[0], Cg = w->dims[1], kh = w->dims[2], kw = w->dims[3];
    bool dw = false;
    if (group == 1) {
        if (Cg != C)
            return BAD("the weights have %lld input channels for a %d-channel input",
                       (long long)Cg, (int)C);
    } else if (group == C && Cg == 1 && M == C) {
        dw = true;
    } else {
        return UNSUP("group %lld with %lld filters on %d channels (a grouped convolution) is "
                     "not supported; edgebench runs group 1 and depthwise (group = channels, "
                     "one filter each)",
                     (long long)group, (long long)M, (int)C);
    }
    if (M < 1 || M > EB_GRAPH_MAX_DIM || kh < 1 || kw < 1)
        return BAD("weights of shape %lldx%lldx%lldx%lld", (long long)M, (long long)Cg,
                   (long long)kh, (long long)kw);
    eb_gop op;
    init_op(c, &op, dw ? EB_OP_DWCONV : EB_OP_CONV2D, dw ? "dwconv" : "conv");
    op.in0 = c->v[vx].t;
    int64_t kdef[2] = {kh, kw}, oh, ow;
    st = window_attrs(c, &op, H, W, kdef, &oh, &ow);
    if (st != EB_OK)
        return st;
    int64_t n = M * Cg * kh * kw;
    if (n > EB_GRAPH_MAX_WEIGHTS)
        return BAD("%lld weights is over the limit", (long long)n);
    int64_t *src = malloc(sizeof(int64_t) * (size_t)n);
    if (!src)
        return fail(c, EB_ERR_NOMEM, "out of memory");
    for (int64_t m = 0; m < M; m++)
        for (int64_t i = 0; i < kh; i++)
            for (int64_t j = 0; j < kw; j++)
                for (int64_t ci = 0; ci < Cg; ci++) {
                    int64_t s = ((m * Cg + ci) * kh + i) * kw + j;
                    int64_t d = dw ? (i * kw + j) * M + m : ((m * kh + i) * kw + j) * Cg + ci;
                    src[d] = s;
                }
    wmap wm = {(int32_t)M, n, 0, dw, src};
    st = load_weights(c, vw, &wm, &op);
    free(src);
    if (st == EB_OK)
        st = load_bias(c, in_val(c, 2), &op, (int32_t)M, in_scale_of(c, op.in0));
    if (st != EB_OK) {
        eb_gop_free_weights(&op);
        return st;
    }
    int64_t dims[4] = {1, M, oh, ow};
    log_node(c, "-> %s %dx%dx%d -> %lldx%lldx%lld, k %lldx%lld s %dx%d pad t%d l%d b%d r%d",
             op.name, (int)H, (int)W, (int)C, (long long)oh, (long long)ow, (long long)M,
             (long long)kh, (long long)kw, (int)op.stride_h, (int)op.stride_w,
             (int)op.pad_top, (int)op.pad_left, (int)op.pad_bottom, (int)op.pad_right);
    return emit(c, &op, (int32_t)oh, (int32_t)ow, (int32_t)M, vo, dims, 4, L_NHWC);
}

/* Gemm (A [1,K] x B' + C) and MatMul (A [1,K] x B [K,N]): a fully-connected op. */
static eb_status gemm(imp *c, bool matmul)
{
    int32_t va, vb, vo;
    eb_status st = act_in(c, 0, &va);
    if (st == EB_OK)
        st = need_in(c, 1, &vb);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    int64_t ta = 0, tb = 0;
    float alpha = 1.0f, beta = 1.0f;
    if (!matmul) {
        st = attr_int(c, "transA", 0, &ta);
        if (st == EB_OK)
            st = attr_int(c, "transB", 0, &tb);
        if (st == EB_OK)
            st = attr_float(c, "alpha", 1.0f, &alpha);
        if (st == EB_OK)
            st = attr_float(c, "beta", 1.0f, &beta);
        if (st != EB_OK)
            return st;
    }
    const val *a = &c->v[va], *b = &c->v[vb];
    if (ta)
        return UNSUP("transA = 1 is not supported");
    if (a->rank != 2 || a->dims[0] != 1)
        return UNSUP("the input has shape of rank %d; edgebench multiplies a [1,K] row "
                     "(batch 1, 2-D)",
                     (int)a->rank);
    if (b->kind != V_CONST && b->kind != V_QCONST)
        return UNSUP("the second operand '%.60s' is not a constant", b->name);
    if (b->rank != 2)
        return UNSUP("the weights are rank %d (2-D only)", (int)b->rank);
    int64_t K = a->dims[1];
    int64_t N = tb ? b->dims[0] : b->dims[1];
    if ((tb ? b->dims[1] : b->dims[0]) != K)
        return BAD("the weights are %lldx%lld for %lld inputs", (long long)b->dims[0],
                   (long long)b->dims[1], (long long)K);
    if (N < 1 || N > EB_GRAPH_MAX_DIM || K < 1 || N * K > EB_GRAPH_MAX_WEIGHTS)
        return UNSUP("%lld x %lld weights are outside edgebench's limits", (long long)N,
                     (long long)K);
    if (c->g->dtype == EB_S8 && (alpha != 1.0f || beta != 1.0f))
        return UNSUP("alpha %g / beta %g in a quantized model (only 1)", (double)alpha,
                     (double)beta);
    eb_gop op;
    init_op(c, &op, EB_OP_FC, "fc");
    op.in0 = a->t;
    int64_t *src = malloc(sizeof(int64_t) * (size_t)(N * K));
    if (!src)
        return fail(c, EB_ERR_NOMEM, "out of memory");
    /* graph input position p holds logical element lk(p) */
    int32_t fh = a->layout == L_FLATHWC ? a->fh : 1, fw = a->layout == L_FLATHWC ? a->fw : 1;
    int32_t fc = a->layout == L_FLATHWC ? a->fc : (int32_t)K;
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t p = 0; p < K; p++) {
            int64_t lk = p;
            if (a->layout == L_FLATHWC) { /* p = (h*W + w)*C + ch, logical (ch*H + h)*W + w */
                int64_t ch = p % fc, hw = p / fc;
                lk = ch * fh * fw + hw;
            }
            src[nn * K + p] = tb ? nn * K + lk : lk * N + nn;
        }
    wmap wm = {(int32_t)N, N * K, tb ? 0 : 1, false, src};
    st = load_weights(c, vb, &wm, &op);
    free(src);
    int32_t vc = matmul ? -1 : in_val(c, 2);
    if (st == EB_OK)
        st = load_bias(c, vc, &op, (int32_t)N, in_scale_of(c, op.in0));
    if (st == EB_OK && c->g->dtype == EB_F32 && (alpha != 1.0f || beta != 1.0f)) {
        for (int64_t i = 0; i < N * K; i++)
            op.w[i] *= alpha;
        for (int64_t i = 0; i < N; i++)
            op.b[i] *= beta;
    }
    if (st != EB_OK) {
        eb_gop_free_weights(&op);
        return st;
    }
    int64_t dims[2] = {1, N};
    log_node(c, "-> %s %lld -> %lld%s", op.name, (long long)K, (long long)N,
             a->layout == L_FLATHWC ? ", columns reordered for the NHWC map it flattens" : "");
    return emit(c, &op, 1, 1, (int32_t)N, vo, dims, 2, L_ROW);
}

/* The producer op of a float activation, when a following op may be folded into it:
 * its only reader is this node and it is not the graph output. */
static eb_gop *fusable(imp *c, int32_t vx)
{
    val *v = &c->v[vx];
    if (v->kind != V_ACT || v->q != Q_F32 || v->producer < 0 || v->uses != 1)
        return NULL;
    eb_gop *op = &c->g->op[v->producer];
    return op->out == v->t ? op : NULL;
}

static eb_status batchnorm(imp *c)
{
    int32_t vx, vo, vs, vb, vm, vv;
    eb_status st = need_in(c, 0, &vx);
    if (st == EB_OK)
        st = need_in(c, 1, &vs);
    if (st == EB_OK)
        st = need_in(c, 2, &vb);
    if (st == EB_OK)
        st = need_in(c, 3, &vm);
    if (st == EB_OK)
        st = need_in(c, 4, &vv);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    if (c->node->n_output != 1)
        return UNSUP("training mode (more than one output) is not supported");
    int64_t train;
    float eps;
    st = attr_int(c, "training_mode", 0, &train);
    if (st == EB_OK)
        st = attr_float(c, "epsilon", 1e-5f, &eps);
    if (st != EB_OK)
        return st;
    if (train)
        return UNSUP("training_mode = 1 is not supported");
    eb_gop *op = fusable(c, vx);
    if (!op || op->act != EB_ACT_NONE ||
        (op->type != EB_OP_CONV2D && op->type != EB_OP_DWCONV && op->type != EB_OP_FC))
        return UNSUP("BatchNormalization is folded into a Conv or Gemm whose only reader it "
                     "is; this one follows something else");
    int32_t oc = c->g->t[op->out].c;
    float *s = NULL, *b = NULL, *m = NULL, *var = NULL;
    st = const_floats(c, vs, oc, &s);
    if (st == EB_OK)
        st = const_floats(c, vb, oc, &b);
    if (st == EB_OK)
        st = const_floats(c, vm, oc, &m);
    if (st == EB_OK)
        st = const_floats(c, vv, oc, &var);
    if (st == EB_OK) {
        int64_t row = eb_gop_row_len(c->g, op);
        for (int32_t k = 0; k < oc && st == EB_OK; k++) {
            double d = (double)var[k] + eps;
            if (!(d > 0))
                st = BAD("variance + epsilon is not positive for channel %d", (int)k);
            else {
                float f = (float)((double)s[k] / sqrt(d));
                if (op->type == EB_OP_DWCONV)
                    for (int64_t i = 0; i < (int64_t)op->k_h * op->k_w; i++)
                        op->w[i * oc + k] *= f;
                else
                    for (int64_t i = 0; i < row; i++)
                        op->w[k * row + i] *= f;
                op->b[k] = (op->b[k] - m[k]) * f + b[k];
            }
        }
    }
    free(s);
    free(b);
    free(m);
    free(var);
    if (st != EB_OK)
        return st;
    val *x = &c->v[vx];
    set_act(c, vo, x->t, Q_F32, x->layout, x->dims, x->rank, x->producer);
    c->n_bn++;
    log_node(c, "-> folded into %s (weights and bias)", op->name);
    return EB_OK;
}

static eb_status unary(imp *c, int32_t vo, eb_op_type type, const char *kind);

/* Relu, Clip: the activation of the op before (int8: of the pending op) */
static eb_status activation(imp *c, bool clip)
{
    int32_t vx, vo;
    eb_status st = need_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    eb_act act = EB_ACT_RELU;
    if (clip) {
        float lo = -INFINITY, hi = INFINITY;
        if (c->opset < 11) {
            st = attr_float(c, "min", -INFINITY, &lo);
            if (st == EB_OK)
                st = attr_float(c, "max", INFINITY, &hi);
        } else {
            for (size_t k = 1; k <= 2 && st == EB_OK; k++) {
                int32_t vk = in_val(c, k);
                if (vk < 0)
                    continue;
                float *f;
                st = const_floats(c, vk, 1, &f);
                if (st == EB_OK) {
                    if (k == 1)
                        lo = f[0];
                    else
                        hi = f[0];
                    free(f);
                }
            }
        }
        if (st != EB_OK)
            return st;
        if (lo == 0.0f && hi == 6.0f)
            act = EB_ACT_RELU6;
        else if (!(lo == 0.0f && hi == INFINITY))
            return UNSUP("Clip(%g, %g) is not supported; edgebench runs Clip(0, 6) and "
                         "Clip(0, inf)",
                         (double)lo, (double)hi);
    }
    val *x = &c->v[vx];
    if (x->kind == V_PEND && x->uses == 1 && x->pend->act == EB_ACT_NONE &&
        x->pend->type != EB_OP_SOFTMAX) {
        int32_t uses = c->v[vo].uses; /* counted in the pre-pass */
        const char *name = c->v[vo].name;
        c->v[vo] = *x;
        c->v[vo].name = name;
        c->v[vo].uses = uses;
        c->v[vo].pend->act = act;
        x->kind = V_NONE;
        x->pend = NULL;
        c->n_act++;
        log_node(c, "-> fused into %s", c->v[vo].pend->name);
        return EB_OK;
    }
    if (c->g->dtype == EB_F32) {
        eb_gop *op = fusable(c, vx);
        if (op && op->act == EB_ACT_NONE && op->type != EB_OP_SOFTMAX) {
            op->act = act;
            set_act(c, vo, x->t, Q_F32, x->layout, x->dims, x->rank, x->producer);
            c->n_act++;
            log_node(c, "-> fused into %s", op->name);
            return EB_OK;
        }
    }
    return act == EB_ACT_RELU6 ? unary(c, vo, EB_OP_RELU6, "relu6")
                               : unary(c, vo, EB_OP_RELU, "relu");
}

/* An elementwise activation as its own op (Relu/Clip with no op to fuse into, Sigmoid,
 * Tanh, HardSwish): the same shape and layout. */
static eb_status unary(imp *c, int32_t vo, eb_op_type type, const char *kind)
{
    int32_t vx;
    eb_status st = act_in(c, 0, &vx);
    if (st != EB_OK)
        return st;
    val *x = &c->v[vx];
    const eb_gtensor *t = &c->g->t[x->t];
    eb_gop op;
    init_op(c, &op, type, kind);
    op.in0 = x->t;
    if (type == EB_OP_RELU || type == EB_OP_RELU6)
        c->n_relu_op++;
    log_node(c, "-> %s %dx%dx%d%s", op.name, (int)t->h, (int)t->w, (int)t->c,
             c->g->dtype == EB_S8 ? ", int8 by table" : "");
    int32_t fh = x->fh, fw = x->fw, fcc = x->fc;
    st = emit(c, &op, t->h, t->w, t->c, vo, x->dims, x->rank, x->layout);
    if (st == EB_OK) {
        c->v[vo].fh = fh;
        c->v[vo].fw = fw;
        c->v[vo].fc = fcc;
    }
    return st;
}

static eb_status unary_node(imp *c, eb_op_type type, const char *kind)
{
    int32_t vo;
    eb_status st = out_val(c, 0, &vo);
    return st == EB_OK ? unary(c, vo, type, kind) : st;
}

static eb_status pool(imp *c, bool avg, bool global)
{
    int32_t vx, vo;
    eb_status st = act_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    if (c->node->n_output != 1)
        return UNSUP("a second output (Indices) is not supported");
    int32_t C, H, W;
    if (!nhwc_of(c, vx, &C, &H, &W))
        return UNSUP("the input is not a [1,C,H,W] map (2-D pooling of batch 1 only)");
    eb_gop op;
    int64_t oh = 1, ow = 1;
    if (global) {
        init_op(c, &op, EB_OP_GAP, "gap");
        op.k_h = H;
        op.k_w = W;
    } else {
        init_op(c, &op, avg ? EB_OP_AVGPOOL : EB_OP_MAXPOOL, avg ? "avgpool" : "maxpool");
        int64_t ceil_mode, cip = 0, so = 0;
        st = attr_int(c, "ceil_mode", 0, &ceil_mode);
        if (st == EB_OK && avg)
            st = attr_int(c, "count_include_pad", 0, &cip);
        if (st == EB_OK && !avg)
            st = attr_int(c, "storage_order", 0, &so);
        if (st == EB_OK)
            st = window_attrs(c, &op, H, W, NULL, &oh, &ow);
        if (st != EB_OK)
            return st;
        if (ceil_mode) {
            /* ceil only matters when the window does not fit a whole number of times */
            int64_t sh = H + op.pad_top + op.pad_bottom - op.k_h;
            int64_t sw = W + op.pad_left + op.pad_right - op.k_w;
            if (sh % op.stride_h || sw % op.stride_w)
                return UNSUP("ceil_mode = 1 with a window that does not tile the input is not "
                             "supported");
        }
        if (cip && (op.pad_top || op.pad_left || op.pad_bottom || op.pad_right))
            return UNSUP("count_include_pad = 1 with padding is not supported (edgebench "
                         "averages the taps inside the input)");
    }
    op.in0 = c->v[vx].t;
    int64_t dims[4] = {1, C, oh, ow};
    log_node(c, "-> %s %dx%dx%d -> %lldx%lldx%d, window %dx%d s %dx%d pad t%d l%d b%d r%d",
             op.name, (int)H, (int)W, (int)C, (long long)oh, (long long)ow, (int)C,
             (int)op.k_h, (int)op.k_w, (int)op.stride_h, (int)op.stride_w, (int)op.pad_top,
             (int)op.pad_left, (int)op.pad_bottom, (int)op.pad_right);
    return emit(c, &op, (int32_t)oh, (int32_t)ow, C, vo, dims, 4, L_NHWC);
}

static eb_status softmax(imp *c)
{
    int32_t vx, vo;
    eb_status st = act_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    const val *x = &c->v[vx];
    int64_t axis;
    st = attr_int(c, "axis", c->opset >= 13 ? -1 : 1, &axis);
    if (st != EB_OK)
        return st;
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return BAD("axis is outside the input's rank %d", (int)x->rank);
    /* the axis (opset >= 13) or everything from it (earlier: flattened at axis) must be
     * what edgebench's softmax normalizes: the channels of each row */
    const eb_gtensor *t = &c->g->t[x->t];
    bool ok;
    if (x->layout == L_NHWC)
        ok = axis == 1 && (c->opset >= 13 || (int64_t)t->h * t->w == 1);
    else if (x->layout == L_ROW)
        ok = (axis == x->rank - 1 || elems_of(x->dims + axis + 1, x->rank - axis - 1) == 1) &&
             t->c == x->dims[axis];
    else
        ok = false;
    if (!ok)
        return UNSUP("a softmax over axis %lld of this %d-D tensor is not supported (edgebench "
                     "normalizes the last axis, or the channels of an NCHW map)",
                     (long long)axis, (int)x->rank);
    eb_gop op;
    init_op(c, &op, EB_OP_SOFTMAX, "softmax");
    op.in0 = x->t;
    op.tfl_softmax = c->g->dtype == EB_S8;
    log_node(c, "-> %s over %d", op.name, (int)t->c);
    return emit(c, &op, t->h, t->w, t->c, vo, x->dims, x->rank, x->layout);
}

static bool same_shape(const val *a, const val *b)
{
    if (a->rank != b->rank || a->layout != b->layout)
        return false;
    for (int32_t i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return false;
    return true;
}

static eb_status binary(imp *c, eb_op_type type)
{
    const bool mul = type == EB_OP_MUL;
    int32_t va, vb, vo;
    eb_status st = need_in(c, 0, &va);
    if (st == EB_OK)
        st = need_in(c, 1, &vb);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    val *a = &c->v[va], *b = &c->v[vb];
    bool ca = a->kind == V_CONST || a->kind == V_QCONST;
    bool cb = b->kind == V_CONST || b->kind == V_QCONST;
    if (type == EB_OP_ADD && (ca || cb) && c->g->dtype == EB_F32) {
        /* x + constant: into the bias of the op before (MatMul + Add is a Gemm) */
        int32_t vx = ca ? vb : va, vk = ca ? va : vb;
        eb_gop *op = fusable(c, vx);
        val *x = &c->v[vx];
        if (op && op->act == EB_ACT_NONE && op->b &&
            (op->type == EB_OP_FC || op->type == EB_OP_CONV2D || op->type == EB_OP_DWCONV)) {
            int32_t oc = c->g->t[op->out].c;
            int64_t n = elems_of(c->v[vk].dims, c->v[vk].rank);
            /* per output channel: [N] / [1,N] after a Gemm, [1,C,1,1] after a Conv */
            bool shape_ok = n == 1 || (n == oc && (c->v[vk].rank <= 2 || c->v[vk].rank == 4));
            if (c->v[vk].rank == 4 && n == oc && n > 1)
                shape_ok = c->v[vk].dims[1] == oc;
            if (c->v[vk].rank == 2 && n == oc && n > 1 && x->rank == 4)
                shape_ok = false;
            if (shape_ok) {
                float *f;
                st = const_floats(c, vk, n, &f);
                if (st != EB_OK)
                    return st;
                for (int32_t k = 0; k < oc; k++)
                    op->b[k] += f[n == 1 ? 0 : k];
                free(f);
                set_act(c, vo, x->t, Q_F32, x->layout, x->dims, x->rank, x->producer);
                c->n_const++;
                log_node(c, "-> folded into the bias of %s", op->name);
                return EB_OK;
            }
        }
    }
    if (ca || cb)
        return UNSUP("%s with the constant '%.60s' is not supported (edgebench adds constants "
                     "only into the bias of a Conv/Gemm/MatMul before, in float models)",
                     S(c->node->op_type), ca ? a->name : b->name);
    st = act_in(c, 0, &va);
    if (st == EB_OK)
        st = act_in(c, 1, &vb);
    if (st != EB_OK)
        return st;
    a = &c->v[va];
    b = &c->v[vb];
    eb_gop op;
    init_op(c, &op, type, mul ? "mul" : type == EB_OP_SUB ? "sub" : "add");
    bool same = same_shape(a, b);
    if (!same && mul && elems_of(a->dims, a->rank) < elems_of(b->dims, b->rank)) {
        val *s = a;
        a = b;
        b = s;
    }
    const eb_gtensor *ta = &c->g->t[a->t], *tb = &c->g->t[b->t];
    bool bcast = false;
    if (!same && mul) {
        int32_t C, H, W, C2, H2, W2;
        if (elems_of(b->dims, b->rank) == 1)
            bcast = true;
        else if (nhwc_of(c, va, &C, &H, &W) && nhwc_of(c, vb, &C2, &H2, &W2) && C2 == C &&
                 H2 == 1 && W2 == 1)
            bcast = true;
        (void)tb;
    }
    if (!same && !bcast) {
        char sa[80], sb[80];
        dims_str(a->dims, a->rank, sa, sizeof sa);
        dims_str(b->dims, b->rank, sb, sizeof sb);
        return UNSUP("operands %s and %s: %s", sa, sb,
                     mul ? "Mul broadcasts only one value or one value per channel"
                         : "Add and Sub need operands of the same shape (no broadcasting)");
    }
    op.in0 = a->t;
    op.in1 = b->t;
    log_node(c, "-> %s %dx%dx%d%s", op.name, (int)ta->h, (int)ta->w, (int)ta->c,
             bcast ? " (broadcast)" : "");
    int32_t h = ta->h, w = ta->w, ch = ta->c;
    int layout = a->layout;
    int64_t dims[EB_ONNX_MAX_RANK];
    memcpy(dims, a->dims, sizeof dims);
    int32_t rank = a->rank, fh = a->fh, fw = a->fw, fcc = a->fc;
    st = emit(c, &op, h, w, ch, vo, dims, rank, layout);
    if (st == EB_OK) {
        c->v[vo].fh = fh;
        c->v[vo].fw = fw;
        c->v[vo].fc = fcc;
    }
    return st;
}

/* Identity, Flatten, Reshape, Squeeze, Unsqueeze: a view of the same bytes. */
static eb_status view(imp *c, const char *op)
{
    int32_t vx, vo;
    eb_status st = need_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    val *x = &c->v[vx];
    if (x->kind == V_PEND)
        return UNSUP("a %s of a float result of quantized inputs (before its QuantizeLinear) "
                     "is not supported",
                     op);
    int64_t nd[EB_ONNX_MAX_RANK];
    int32_t nr = 0;
    int64_t n = elems_of(x->dims, x->rank);
    if (!strcmp(op, "Identity")) {
        nr = x->rank;
        memcpy(nd, x->dims, sizeof(int64_t) * (size_t)nr);
    } else if (!strcmp(op, "Flatten")) {
        int64_t axis;
        st = attr_int(c, "axis", 1, &axis);
        if (st != EB_OK)
            return st;
        if (axis < 0)
            axis += x->rank;
        if (axis < 0 || axis > x->rank)
            return BAD("axis %lld is outside the rank %d", (long long)axis, (int)x->rank);
        nd[0] = elems_of(x->dims, (int32_t)axis);
        nd[1] = elems_of(x->dims + axis, x->rank - (int32_t)axis);
        nr = 2;
    } else if (!strcmp(op, "Reshape")) {
        int32_t vs;
        st = need_in(c, 1, &vs);
        if (st != EB_OK)
            return st;
        int64_t allowzero;
        st = attr_int(c, "allowzero", 0, &allowzero);
        if (st != EB_OK)
            return st;
        cdata s;
        st = const_data(c, vs, &s);
        if (st != EB_OK)
            return st;
        if (s.dtype != T_INT64 || s.n > EB_ONNX_MAX_RANK) {
            cdata_free(&s);
            return UNSUP("the shape must be a constant int64 list of at most %d values",
                         EB_ONNX_MAX_RANK);
        }
        nr = (int32_t)s.n;
        int infer = -1;
        int64_t known = 1;
        for (int32_t i = 0; i < nr && st == EB_OK; i++) {
            int64_t d = s.i[i];
            if (d == 0 && !allowzero) {
                if (i >= x->rank)
                    st = BAD("shape entry %d is 0 beyond the input's rank", (int)i);
                else
                    d = x->dims[i];
            }
            if (d == -1) {
                if (infer >= 0)
                    st = BAD("the shape has two -1 entries");
                infer = i;
                d = 1;
            } else if (d < 0 || d > EB_GRAPH_MAX_ELEMS) {
                st = BAD("shape entry %lld is invalid", (long long)d);
            }
            nd[i] = d;
            known *= d ? d : 1;
            if (known > EB_GRAPH_MAX_ELEMS)
                st = BAD("the shape has too many elements");
        }
        cdata_free(&s);
        if (st != EB_OK)
            return st;
        if (infer >= 0) {
            if (known == 0 || n % known)
                return BAD("the shape cannot hold the input's %lld elements", (long long)n);
            nd[infer] = n / known;
        }
    } else { /* Squeeze, Unsqueeze: axes from the attribute (opset < 13) or input 1 */
        int64_t axes[EB_ONNX_MAX_RANK];
        int na = -1;
        if (c->opset < 13) {
            st = attr_ints(c, "axes", axes, EB_ONNX_MAX_RANK, &na);
            if (st != EB_OK)
                return st;
        } else if (in_val(c, 1) >= 0) {
            cdata s;
            st = const_data(c, in_val(c, 1), &s);
            if (st != EB_OK)
                return st;
            if (s.dtype != T_INT64 || s.n > EB_ONNX_MAX_RANK) {
                cdata_free(&s);
                return UNSUP("axes must be a constant int64 list");
            }
            na = (int)s.n;
            for (int i = 0; i < na; i++)
                axes[i] = s.i[i];
            cdata_free(&s);
        }
        bool unsq = !strcmp(op, "Unsqueeze");
        int32_t orank = unsq ? x->rank + (na < 0 ? 0 : na) : x->rank;
        if (unsq && na < 1)
            return BAD("Unsqueeze needs axes");
        if (orank > EB_ONNX_MAX_RANK)
            return UNSUP("the result has rank %d (at most %d)", (int)orank, EB_ONNX_MAX_RANK);
        bool mark[EB_ONNX_MAX_RANK] = {false};
        for (int i = 0; i < na; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + orank : axes[i];
            if (a < 0 || a >= orank || mark[a])
                return BAD("axis %lld is invalid or repeated", (long long)axes[i]);
            mark[a] = true;
        }
        if (unsq) {
            for (int32_t i = 0, j = 0; i < orank; i++)
                nd[i] = mark[i] ? 1 : x->dims[j++];
            nr = orank;
        } else {
            for (int32_t i = 0; i < x->rank; i++) {
                if (na < 0 ? x->dims[i] == 1 : mark[i]) {
                    if (x->dims[i] != 1)
                        return BAD("axis %d has size %lld, not 1", (int)i,
                                   (long long)x->dims[i]);
                    continue;
                }
                nd[nr++] = x->dims[i];
            }
        }
    }
    if (elems_of(nd, nr) == 0 || n == 0)
        return UNSUP("empty tensors (a dimension of 0) are not supported");
    if (elems_of(nd, nr) != n)
        return BAD("the result has %lld elements, the input %lld", (long long)elems_of(nd, nr),
                   (long long)n);
    val *o = &c->v[vo];
    int32_t uses = o->uses;
    const char *name = o->name;
    *o = *x;
    o->name = name;
    o->uses = uses;
    o->ext = NULL;
    o->rank = nr;
    memcpy(o->dims, nd, sizeof(int64_t) * (size_t)nr);
    o->producer = -1; /* a view is never folded into */
    c->n_view++;
    if (x->kind == V_CONST || x->kind == V_QCONST) {
        if (x->kind == V_QCONST && c->v[x->qs].rank > 0 &&
            elems_of(c->v[x->qs].dims, c->v[x->qs].rank) > 1)
            return UNSUP("a %s of per-channel quantized weights is not supported", op);
        log_node(c, "-> a view of the constant '%.60s'", x->name);
        return EB_OK;
    }
    /* activations: which byte order the new shape reads */
    int32_t C, H, W;
    if (x->layout == L_NHWC) {
        C = (int32_t)x->dims[1];
        H = (int32_t)x->dims[2];
        W = (int32_t)x->dims[3];
        if (nr == 4 && nd[0] == 1 && nd[1] == C && nd[2] == H && nd[3] == W)
            o->layout = L_NHWC;
        else if (C == 1 || (int64_t)H * W == 1)
            o->layout = L_ROW;
        else if (nr == 2 && nd[0] == 1) {
            o->layout = L_FLATHWC;
            o->fc = C;
            o->fh = H;
            o->fw = W;
        } else {
            char s[80];
            dims_str(nd, nr, s, sizeof s);
            return UNSUP("a %s of an NCHW map into %s is not supported (edgebench holds the "
                         "map as NHWC: it can flatten it into [1,N] for a Gemm/MatMul)",
                         op, s);
        }
    } else if (x->layout == L_FLATHWC) {
        if (!(nr == 2 && nd[0] == 1) && !(nr == 1)) {
            return UNSUP("a %s of a flattened NCHW map is not supported", op);
        }
        if (nr == 1) {
            o->rank = 2;
            o->dims[0] = 1;
            o->dims[1] = nd[0];
        }
    } else {
        o->layout = L_ROW;
    }
    log_node(c, "-> a view of '%.60s' (no copy)", x->name);
    return EB_OK;
}

static eb_status constant(imp *c)
{
    int32_t vo;
    eb_status st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    const Onnx__AttributeProto *a = attr(c->node, "value");
    if (!a || a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR || !a->t || c->node->n_attribute != 1)
        return UNSUP("a Constant other than a 'value' tensor is not supported");
    st = set_const(c, vo, a->t);
    if (st == EB_OK)
        log_node(c, "-> constant");
    return st;
}

static eb_status quantize(imp *c)
{
    int32_t vx, vs, vo;
    eb_status st = need_in(c, 0, &vx);
    if (st == EB_OK)
        st = need_in(c, 1, &vs);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    double scale;
    int32_t zp;
    bool u8;
    st = qparams(c, vs, in_val(c, 2), &scale, &zp, &u8);
    if (st != EB_OK)
        return st;
    val *x = &c->v[vx];
    int32_t t;
    if (x->kind == V_PEND) {
        const char *nm = x->pend->name;
        char name[32];
        snprintf(name, sizeof name, "%s", nm);
        st = finalize(c, vx, scale, zp, u8, &t);
        if (st != EB_OK)
            return st;
        log_node(c, "-> the int8 output of %s (scale %g, zero point %d%s)", name, scale,
                 (int)zp, u8 ? ", uint8 - 128" : "");
    } else if (x->kind == V_ACT && x->q == Q_RAWIN) {
        t = x->t;
        eb_gtensor *g = &c->g->t[t];
        if (g->scale != 0.0 && (g->scale != scale || g->zp != zp))
            return UNSUP("the model input is quantized twice with different parameters");
        g->scale = scale;
        g->zp = zp;
        log_node(c, "-> the int8 model input (scale %g, zero point %d%s)", scale, (int)zp,
                 u8 ? ", uint8 - 128" : "");
    } else if (x->kind == V_ACT && x->q == Q_DQ) {
        t = x->t;
        const eb_gtensor *g = &c->g->t[t];
        if (g->scale != scale || g->zp != zp) { /* DequantizeLinear -> QuantizeLinear: */
            eb_gop op;                          /* an int8 -> int8 requantization */
            init_op(c, &op, EB_OP_QUANTIZE, "requantize");
            op.in0 = t;
            int32_t o = eb_graph_add_tensor(c->g, g->h, g->w, g->c);
            if (o < 0)
                return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
            c->g->t[o].scale = scale;
            c->g->t[o].zp = zp;
            op.out = o;
            if (eb_graph_add_op(c->g, &op) < 0)
                return fail(c, EB_ERR_NOMEM, "too many ops (limit %d)", EB_GRAPH_MAX_OPS);
            log_node(c, "-> %s of '%.60s' from (%g, %d) to (%g, %d), by table", op.name,
                     x->name, c->g->t[t].scale, (int)c->g->t[t].zp, scale, (int)zp);
            t = o;
        } else {
            log_node(c, "-> the int8 tensor of '%.60s' again", x->name);
        }
    } else {
        return UNSUP("QuantizeLinear of '%.60s' (a constant or a float tensor) is not "
                     "supported",
                     x->name);
    }
    set_act(c, vo, t, Q_INT, c->v[vx].layout, c->v[vx].dims, c->v[vx].rank, -1);
    c->v[vo].fh = c->v[vx].fh;
    c->v[vo].fw = c->v[vx].fw;
    c->v[vo].fc = c->v[vx].fc;
    c->v[vo].u8 = u8;
    c->u8 |= u8;
    c->n_q++;
    return EB_OK;
}

static eb_status dequantize(imp *c)
{
    int32_t vx, vs, vo;
    eb_status st = need_in(c, 0, &vx);
    if (st == EB_OK)
        st = need_in(c, 1, &vs);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    val *x = &c->v[vx];
    c->n_dq++;
    if (x->kind == V_CONST) {
        int64_t axis;
        st = attr_int(c, "axis", 1, &axis);
        if (st != EB_OK)
            return st;
        val *o = &c->v[vo];
        o->kind = V_QCONST;
        o->rank = x->rank;
        memcpy(o->dims, x->dims, sizeof o->dims);
        o->qx = vx;
        o->qs = vs;
        o->qz = in_val(c, 2);
        o->qaxis = (int32_t)(axis < 0 ? axis + x->rank : axis);
        if (c->v[vs].kind != V_CONST || (o->qz >= 0 && c->v[o->qz].kind != V_CONST))
            return UNSUP("the scale and zero point must be constants");
        log_node(c, "-> quantized constant");
        return EB_OK;
    }
    if (x->kind != V_ACT || x->q != Q_INT)
        return UNSUP("DequantizeLinear of '%.60s', which is not a QuantizeLinear output or a "
                     "constant, is not supported",
                     x->name);
    double scale;
    int32_t zp;
    bool u8;
    st = qparams(c, vs, in_val(c, 2), &scale, &zp, &u8);
    if (st != EB_OK)
        return st;
    const eb_gtensor *g = &c->g->t[x->t];
    if (g->scale != scale || g->zp != zp)
        return UNSUP("DequantizeLinear with scale/zero point (%g, %d) other than its "
                     "QuantizeLinear's (%g, %d) is not supported",
                     scale, (int)zp, g->scale, (int)g->zp);
    set_act(c, vo, x->t, Q_DQ, x->layout, x->dims, x->rank, -1);
    c->v[vo].fh = x->fh;
    c->v[vo].fw = x->fw;
    c->v[vo].fc = x->fc;
    c->v[vo].u8 = u8;
    log_node(c, "-> float view of int8 tensor %d", (int)x->t);
    return EB_OK;
}

/* Pad (constant 0) of the H and W of a [1,C,H,W] map. */
static eb_status pad(imp *c)
{
    int32_t vx, vo, vp;
    eb_status st = act_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    if (!attr_str_is(c->node, "mode", "constant", true))
        return UNSUP("only mode 'constant' is supported");
    int32_t C, H, W;
    if (!nhwc_of(c, vx, &C, &H, &W))
        return UNSUP("the input is not a [1,C,H,W] map");
    st = need_in(c, 1, &vp);
    if (st != EB_OK)
        return st;
    cdata p;
    st = const_data(c, vp, &p);
    if (st != EB_OK)
        return st;
    int64_t pv[8] = {0};
    bool ok = p.dtype == T_INT64 && p.n == 8;
    for (int k = 0; ok && k < 8; k++)
        pv[k] = p.i[k];
    cdata_free(&p);
    if (!ok)
        return UNSUP("the pads must be a constant int64 list of 8 values");
    if (in_val(c, 2) >= 0) {
        float *cv;
        st = const_floats(c, in_val(c, 2), 1, &cv);
        if (st != EB_OK)
            return st;
        bool zero = cv[0] == 0.0f;
        free(cv);
        if (!zero)
            return UNSUP("a constant_value other than 0 is not supported");
    }
    /* [n_begin, c_begin, h_begin, w_begin, n_end, c_end, h_end, w_end] */
    if (pv[0] || pv[1] || pv[4] || pv[5])
        return UNSUP("padding of the batch or channel axis is not supported");
    for (int k = 0; k < 8; k++)
        if (pv[k] < 0 || pv[k] > EB_GRAPH_MAX_DIM)
            return UNSUP("pads of %lld are not supported (0 to %d)", (long long)pv[k],
                         EB_GRAPH_MAX_DIM);
    int64_t oh = H + pv[2] + pv[6], ow = W + pv[3] + pv[7];
    eb_gop op;
    init_op(c, &op, EB_OP_PAD, "pad");
    op.in0 = c->v[vx].t;
    op.pad_top = (int32_t)pv[2];
    op.pad_left = (int32_t)pv[3];
    op.pad_bottom = (int32_t)pv[6];
    op.pad_right = (int32_t)pv[7];
    int64_t dims[4] = {1, C, oh, ow};
    log_node(c, "-> %s %dx%dx%d -> %lldx%lldx%d", op.name, (int)H, (int)W, (int)C,
             (long long)oh, (long long)ow, (int)C);
    if (oh > EB_GRAPH_MAX_DIM || ow > EB_GRAPH_MAX_DIM)
        return UNSUP("the padded map is larger than %d", EB_GRAPH_MAX_DIM);
    return emit(c, &op, (int32_t)oh, (int32_t)ow, C, vo, dims, 4, L_NHWC);
}

/* ReduceMean over the H and W of a [1,C,H,W] map (keepdims either way). */
static eb_status reduce_mean(imp *c)
{
    int32_t vx, vo;
    eb_status st = act_in(c, 0, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    int32_t C, H, W;
    if (!nhwc_of(c, vx, &C, &H, &W))
        return UNSUP("the input is not a [1,C,H,W] map");
    int64_t axes[EB_ONNX_MAX_RANK], keep;
    int na;
    st = attr_ints(c, "axes", axes, EB_ONNX_MAX_RANK, &na);
    if (st == EB_OK)
        st = attr_int(c, "keepdims", 1, &keep);
    if (st != EB_OK)
        return st;
    bool h = false, w = false, other = na < 0;
    for (int i = 0; i < na; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + 4 : axes[i];
        h |= a == 2;
        w |= a == 3;
        other |= a != 2 && a != 3;
    }
    if (other || !h || !w)
        return UNSUP("a mean over other axes than H and W (2, 3) is not supported");
    eb_gop op;
    init_op(c, &op, EB_OP_MEAN, "mean");
    op.in0 = c->v[vx].t;
    int64_t d4[4] = {1, C, 1, 1}, d2[2] = {1, C};
    log_node(c, "-> %s %dx%dx%d -> 1x1x%d", op.name, (int)H, (int)W, (int)C, (int)C);
    return keep ? emit(c, &op, 1, 1, C, vo, d4, 4, L_NHWC)
                : emit(c, &op, 1, 1, C, vo, d2, 2, L_ROW);
}

/* Concat of n activations: n - 1 two-input concats (the graph op reads its axis from the
 * shapes), the intermediate results in the output's quantization (int8: the last
 * input's QuantizeLinear decides; edgebench's concat requantizes inputs that differ). */
static eb_status concat(imp *c)
{
    int32_t vo;
    eb_status st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    if (c->node->n_input < 2 || c->node->n_input > 64)
        return UNSUP("Concat of %zu inputs (2 to 64)", c->node->n_input);
    int64_t axis;
    st = attr_int(c, "axis", 0, &axis);
    if (st != EB_OK)
        return st;
    int32_t v0;
    st = act_in(c, 0, &v0);
    if (st != EB_OK)
        return st;
    const val *a = &c->v[v0];
    int32_t rank = a->rank;
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return BAD("axis is outside the rank %d", (int)rank);
    if (!(a->layout == L_NHWC && axis >= 1) && !(a->layout == L_ROW && axis == rank - 1 &&
                                                 c->g->t[a->t].h == 1 && c->g->t[a->t].w == 1))
        return UNSUP("a concat along axis %lld of this tensor is not supported (edgebench "
                     "concatenates the C, H or W of [1,C,H,W] maps, or [1,N] rows)",
                     (long long)axis);
    int64_t dims[EB_ONNX_MAX_RANK];
    memcpy(dims, a->dims, sizeof dims);
    int32_t prev = a->t;
    int layout = a->layout;
    for (size_t k = 1; k < c->node->n_input; k++) {
        int32_t vk;
        st = act_in(c, k, &vk);
        if (st != EB_OK)
            return st;
        const val *b = &c->v[vk];
        if (b->rank != rank || b->layout != layout)
            return UNSUP("the inputs of Concat differ in rank or layout");
        for (int32_t i = 0; i < rank; i++)
            if (i != axis && b->dims[i] != dims[i])
                return BAD("input %zu has another shape off the axis", k);
        dims[axis] += b->dims[axis];
        if (dims[axis] > EB_GRAPH_MAX_DIM)
            return UNSUP("the concatenated axis is larger than %d", EB_GRAPH_MAX_DIM);
        const eb_gtensor *ta = &c->g->t[prev], *tb = &c->g->t[b->t];
        int32_t h = ta->h, w = ta->w, ch = ta->c;
        int d = layout == L_ROW ? 2 : axis == 1 ? 2 : axis == 2 ? 0 : 1; /* 0 h, 1 w, 2 c */
        if (d == 2)
            ch += tb->c;
        else if (d == 1)
            w += tb->w;
        else
            h += tb->h;
        eb_gop op;
        init_op(c, &op, EB_OP_CONCAT, "concat");
        if (c->node->n_input > 2)
            snprintf(op.name, sizeof op.name, "concat_%d_%d", (int)c->ni, (int)k);
        op.in0 = prev;
        op.in1 = b->t;
        bool last = k + 1 == c->node->n_input;
        if (last) {
            log_node(c, "-> %s, %zu inputs along axis %lld", op.name, c->node->n_input,
                     (long long)axis);
            return emit(c, &op, h, w, ch, vo, dims, rank, layout);
        }
        /* an intermediate: added now, with the quantization of the inputs so far */
        int32_t t = eb_graph_add_tensor(c->g, h, w, ch);
        if (t < 0)
            return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
        c->g->t[t].scale = c->g->t[prev].scale;
        c->g->t[t].zp = c->g->t[prev].zp;
        op.out = t;
        if (eb_graph_add_op(c->g, &op) < 0)
            return fail(c, EB_ERR_NOMEM, "too many ops (limit %d)", EB_GRAPH_MAX_OPS);
        prev = t;
    }
    return EB_OK;
}

/* ---- QOperator (QLinearConv, QLinearMatMul, QLinearAdd, QLinearGlobalAveragePool) ---- */

/* A quantized activation input k with its scale/zero point inputs ks, kz: an int8 tensor
 * (a QuantizeLinear or QLinear* output) whose parameters they must repeat. */
static eb_status q_in(imp *c, size_t k, size_t ks, size_t kz, int32_t *out)
{
    eb_status st = need_in(c, k, out);
    if (st != EB_OK)
        return st;
    val *v = &c->v[*out];
    if (v->kind != V_ACT || v->q != Q_INT)
        return UNSUP("input '%.60s' is not an int8 activation (a QuantizeLinear or QLinear "
                     "output)",
                     v->name);
    int32_t vs;
    st = need_in(c, ks, &vs);
    if (st != EB_OK)
        return st;
    double scale;
    int32_t zp;
    bool u8;
    st = qparams(c, vs, in_val(c, kz), &scale, &zp, &u8);
    if (st != EB_OK)
        return st;
    const eb_gtensor *t = &c->g->t[v->t];
    if (t->scale != scale || t->zp != zp)
        return UNSUP("input '%.60s' is read with scale/zero point (%g, %d) other than its "
                     "own (%g, %d)",
                     v->name, scale, (int)zp, t->scale, (int)t->zp);
    return EB_OK;
}

/* The value scratch slot as a DequantizeLinear of constants x, scale, zp along axis. */
static int32_t tmp_qconst(imp *c, int32_t vx, int32_t vs, int32_t vz, int32_t axis)
{
    int32_t k = c->capv - 1;
    val *t = &c->v[k];
    const val *x = &c->v[vx];
    memset(t, 0, sizeof *t);
    t->name = x->name;
    t->kind = V_QCONST;
    t->rank = x->rank;
    memcpy(t->dims, x->dims, sizeof t->dims);
    t->qx = vx;
    t->qs = vs;
    t->qz = vz;
    t->qaxis = axis;
    t->producer = -1;
    return k;
}

/* The op's output: quantized at once with the y_scale/y_zero_point inputs ks, kz. */
static eb_status q_out(imp *c, int32_t vo, size_t ks, size_t kz)
{
    int32_t vs;
    eb_status st = need_in(c, ks, &vs);
    if (st != EB_OK)
        return st;
    double scale;
    int32_t zp, t;
    bool u8;
    st = qparams(c, vs, in_val(c, kz), &scale, &zp, &u8);
    if (st == EB_OK)
        st = finalize(c, vo, scale, zp, u8, &t);
    if (st != EB_OK)
        return st;
    c->v[vo].q = Q_INT;
    c->u8 |= u8;
    c->n_qop++;
    return EB_OK;
}

static eb_status qlinear_weighted(imp *c, bool conv_op)
{
    if (c->g->dtype != EB_S8)
        return UNSUP("a QLinear op in a model without QuantizeLinear");
    int32_t vx, vw, vo;
    eb_status st = q_in(c, 0, 1, 2, &vx);
    if (st == EB_OK)
        st = need_in(c, 3, &vw);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    int32_t vws, vwz = in_val(c, 5);
    st = need_in(c, 4, &vws);
    if (st != EB_OK)
        return st;
    val *w = &c->v[vw];
    if (w->kind != V_CONST)
        return UNSUP("the weights '%.60s' are not a constant", w->name);
    int32_t oaxis = conv_op ? 0 : 1;
    int32_t tq = tmp_qconst(c, vw, vws, vwz, oaxis);
    /* the float ops read a DequantizeLinear view of x: present x as one */
    val saved = c->v[vx];
    c->v[vx].q = Q_DQ;
    /* conv()/gemm() run on a copy of the node whose inputs are (x, the weights as the
     * scratch slot, QLinearConv's bias B: int32 in scale x_scale * w_scale, as given) */
    int32_t vb = conv_op ? in_val(c, 8) : -1;
    const Onnx__NodeProto *node = c->node;
    Onnx__NodeProto tmp = *node;
    static const char wname[] = "\x01qlinear weights"; /* no ONNX name starts with \x01 */
    char *ins[3] = {node->input[0], (char *)wname, vb >= 0 ? node->input[8] : (char *)""};
    tmp.input = ins;
    tmp.n_input = 3;
    c->v[tq].name = wname;
    uint32_t hk = hash_str(wname) & c->hmask;
    while (c->hash[hk] >= 0)
        hk = (hk + 1) & c->hmask;
    c->hash[hk] = tq;
    c->node = &tmp;
    c->bias_exact = vb >= 0;
    st = conv_op ? conv(c) : gemm(c, true);
    c->bias_exact = false;
    c->node = node;
    c->hash[hk] = -1; /* every name was declared before: no probe chain crosses it */
    c->v[vx] = saved;
    if (st != EB_OK)
        return st;
    return q_out(c, vo, 6, 7); /* y_scale, y_zero_point of both */
}

static eb_status qlinear_add(imp *c)
{
    if (c->g->dtype != EB_S8)
        return UNSUP("a QLinear op in a model without QuantizeLinear");
    int32_t va, vb, vo;
    eb_status st = q_in(c, 0, 1, 2, &va);
    if (st == EB_OK)
        st = q_in(c, 3, 4, 5, &vb);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    const val *a = &c->v[va], *b = &c->v[vb];
    if (!same_shape(a, b))
        return UNSUP("QLinearAdd needs operands of the same shape (no broadcasting)");
    eb_gop op;
    init_op(c, &op, EB_OP_ADD, "add");
    op.in0 = a->t;
    op.in1 = b->t;
    const eb_gtensor *t = &c->g->t[a->t];
    log_node(c, "-> %s %dx%dx%d", op.name, (int)t->h, (int)t->w, (int)t->c);
    int64_t dims[EB_ONNX_MAX_RANK];
    memcpy(dims, a->dims, sizeof dims);
    st = emit(c, &op, t->h, t->w, t->c, vo, dims, a->rank, a->layout);
    if (st == EB_OK)
        st = q_out(c, vo, 6, 7);
    return st;
}

static eb_status qlinear_gap(imp *c)
{
    if (c->g->dtype != EB_S8)
        return UNSUP("a QLinear op in a model without QuantizeLinear");
    int64_t cl;
    int32_t vx, vo;
    eb_status st = attr_int(c, "channels_last", 0, &cl);
    if (st == EB_OK && cl)
        st = UNSUP("channels_last = 1 is not supported");
    if (st == EB_OK)
        st = q_in(c, 0, 1, 2, &vx);
    if (st == EB_OK)
        st = out_val(c, 0, &vo);
    if (st != EB_OK)
        return st;
    int32_t C, H, W;
    if (!nhwc_of(c, vx, &C, &H, &W))
        return UNSUP("the input is not a [1,C,H,W] map");
    eb_gop op;
    init_op(c, &op, EB_OP_GAP, "gap");
    op.k_h = H;
    op.k_w = W;
    op.in0 = c->v[vx].t;
    int64_t dims[4] = {1, C, 1, 1};
    log_node(c, "-> %s %dx%dx%d -> 1x1x%d", op.name, (int)H, (int)W, (int)C, (int)C);
    st = emit(c, &op, 1, 1, C, vo, dims, 4, L_NHWC);
    if (st == EB_OK)
        st = q_out(c, vo, 3, 4);
    return st;
}

static eb_status import_node(imp *c)
{
    const char *ot = S(c->node->op_type), *dom = S(c->node->domain);
    if (!strcmp(dom, "com.microsoft")) {
        if (!strcmp(ot, "QLinearAdd"))
            return qlinear_add(c);
        if (!strcmp(ot, "QLinearGlobalAveragePool"))
            return qlinear_gap(c);
        return UNSUP("the op is not supported; from domain com.microsoft edgebench imports "
                     "QLinearAdd and QLinearGlobalAveragePool");
    }
    if (*dom && strcmp(dom, "ai.onnx"))
        return UNSUP("domain '%.40s' is not supported; edgebench imports the default domain "
                     "(ai.onnx) ops %s",
                     dom, SUPPORTED_OPS);
    if (!strcmp(ot, "Conv"))
        return conv(c);
    if (!strcmp(ot, "Gemm"))
        return gemm(c, false);
    if (!strcmp(ot, "MatMul"))
        return gemm(c, true);
    if (!strcmp(ot, "BatchNormalization"))
        return batchnorm(c);
    if (!strcmp(ot, "Relu"))
        return activation(c, false);
    if (!strcmp(ot, "Clip"))
        return activation(c, true);
    if (!strcmp(ot, "MaxPool"))
        return pool(c, false, false);
    if (!strcmp(ot, "AveragePool"))
        return pool(c, true, false);
    if (!strcmp(ot, "GlobalAveragePool"))
        return pool(c, true, true);
    if (!strcmp(ot, "Softmax"))
        return softmax(c);
    if (!strcmp(ot, "Add"))
        return binary(c, EB_OP_ADD);
    if (!strcmp(ot, "Sub"))
        return binary(c, EB_OP_SUB);
    if (!strcmp(ot, "Mul"))
        return binary(c, EB_OP_MUL);
    if (!strcmp(ot, "Sigmoid"))
        return unary_node(c, EB_OP_LOGISTIC, "sigmoid");
    if (!strcmp(ot, "Tanh"))
        return unary_node(c, EB_OP_TANH, "tanh");
    if (!strcmp(ot, "HardSwish"))
        return unary_node(c, EB_OP_HARD_SWISH, "hardswish");
    if (!strcmp(ot, "Concat"))
        return concat(c);
    if (!strcmp(ot, "Pad"))
        return pad(c);
    if (!strcmp(ot, "ReduceMean"))
        return reduce_mean(c);
    if (!strcmp(ot, "Identity") || !strcmp(ot, "Flatten") || !strcmp(ot, "Reshape") ||
        !strcmp(ot, "Squeeze") || !strcmp(ot, "Unsqueeze"))
        return view(c, ot);
    if (!strcmp(ot, "Constant"))
        return constant(c);
    if (!strcmp(ot, "QuantizeLinear"))
        return quantize(c);
    if (!strcmp(ot, "DequantizeLinear"))
        return dequantize(c);
    if (!strcmp(ot, "QLinearConv"))
        return qlinear_weighted(c, true);
    if (!strcmp(ot, "QLinearMatMul"))
        return qlinear_weighted(c, false);
    return UNSUP("the op is not supported; edgebench imports %s", SUPPORTED_OPS);
}

/* ---- the model ---------------------------------------------------------------------- */

static bool is_initializer(const Onnx__GraphProto *gp, const char *name)
{
    for (size_t i = 0; i < gp->n_initializer; i++)
        if (!strcmp(S(gp->initializer[i]->name), name))
            return true;
    return false;
}

static void base_name(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t l = strlen(b);
    if (l > 5 && !strcmp(b + l - 5, ".onnx"))
        l -= 5;
    size_t j = 0;
    for (size_t i = 0; i < l && j + 1 < n; i++)
        out[j++] = b[i] > 32 && b[i] < 127 ? b[i] : '_';
    out[j] = 0;
    if (!j)
        snprintf(out, n, "model");
}

static eb_status check_opsets(imp *c)
{
    const Onnx__ModelProto *m = c->m;
    c->opset = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *d = S(m->opset_import[i]->domain);
        if (!*d || !strcmp(d, "ai.onnx"))
            c->opset = m->opset_import[i]->version;
    }
    if (c->opset < 0)
        return UNSUP("the model imports no opset of the default domain (ai.onnx)");
    if (c->opset < EB_ONNX_OPSET_MIN || c->opset > EB_ONNX_OPSET_MAX)
        return UNSUP("opset %lld of the default domain (ai.onnx) is not supported; edgebench "
                     "imports opsets %d to %d",
                     (long long)c->opset, EB_ONNX_OPSET_MIN, EB_ONNX_OPSET_MAX);
    return EB_OK;
}

/* The one graph input that is not an initializer: float32, dynamic dims fixed to 1. */
static eb_status model_input(imp *c, const Onnx__ValueInfoProto **vin)
{
    const Onnx__GraphProto *gp = c->gp;
    *vin = NULL;
    int n = 0;
    for (size_t i = 0; i < gp->n_input; i++)
        if (!is_initializer(gp, S(gp->input[i]->name))) {
            if (!n)
                *vin = gp->input[i];
            n++;
        }
    if (n != 1 || gp->n_output != 1)
        return UNSUP("the model has %d inputs and %zu outputs; edgebench imports models with "
                     "one of each (weights as initializers)",
                     n, gp->n_output);
    const Onnx__TypeProto *tp = (*vin)->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return UNSUP("the model input '%.60s' is not a tensor", S((*vin)->name));
    if (tp->tensor_type->elem_type != T_FLOAT)
        return UNSUP("the model input '%.60s' is %s; edgebench imports models with a float32 "
                     "input",
                     S((*vin)->name), dtype_name(tp->tensor_type->elem_type));
    if (!tp->tensor_type->shape)
        return UNSUP("the model input '%.60s' has no shape", S((*vin)->name));
    return EB_OK;
}

static void note(imp *c)
{
    char *s = c->g->import_note;
    size_t n = sizeof c->g->import_note, l = 0;
#define ADD(...)                                                                     \
    do {                                                                             \
        if (l < n)                                                                   \
            l += (size_t)snprintf(s + l, n - l, "%s", l ? "; " : "");                \
        if (l < n)                                                                   \
            l += (size_t)snprintf(s + l, n - l, __VA_ARGS__);                        \
    } while (0)
    ADD("ONNX opset %lld", (long long)c->opset);
    if (c->nchw)
        ADD("NCHW converted to NHWC at load");
    if (c->n_bn)
        ADD("%d BatchNormalization folded", (int)c->n_bn);
    if (c->n_act)
        ADD("%d Relu/Clip fused", (int)c->n_act);
    if (c->n_relu_op)
        ADD("%d Relu/Clip as their own op (none before to fuse into)", (int)c->n_relu_op);
    if (c->n_const)
        ADD("%d constant Add folded into biases", (int)c->n_const);
    if (c->n_qop)
        ADD("QOperator: %d QLinear ops as int8 ops", (int)c->n_qop);
    if (c->n_q || c->n_dq)
        ADD("QDQ: %d QuantizeLinear and %d DequantizeLinear folded into int8 ops", (int)c->n_q,
            (int)c->n_dq);
    if (c->u8)
        ADD("uint8 activations as int8 (zero point - 128)");
    if (c->sm_conv)
        ADD("final float Softmax computed in int8 (output scale 1/256)");
    if (c->hybrid)
        ADD("int8 weights dequantized to float");
    if (c->n_dyn)
        ADD("%d dynamic input dimensions fixed to 1", (int)c->n_dyn);
#undef ADD
}

static eb_status import_model(imp *c, const char *name)
{
    const Onnx__GraphProto *gp = c->gp;
    eb_status st = check_opsets(c);
    if (st != EB_OK)
        return st;
    if (gp->n_node < 1 || gp->n_node > EB_ONNX_MAX_NODES)
        return UNSUP("the graph has %zu nodes; edgebench imports 1 to %d", gp->n_node,
                     EB_ONNX_MAX_NODES);
    if (gp->n_sparse_initializer)
        return UNSUP("sparse initializers are not supported");
    size_t nvals = gp->n_initializer + gp->n_input;
    for (size_t i = 0; i < gp->n_node; i++)
        nvals += gp->node[i]->n_output;
    if (nvals > EB_ONNX_MAX_VALUES)
        return UNSUP("the graph has %zu named values, more than %d", nvals, EB_ONNX_MAX_VALUES);
    c->capv = (int32_t)nvals + 2; /* + the scratch slot of tmp_qconst */
    uint32_t hs = 16;
    while (hs < 2 * (uint32_t)c->capv)
        hs <<= 1;
    c->hmask = hs - 1;
    c->v = calloc((size_t)c->capv, sizeof *c->v);
    c->hash = malloc(sizeof(int32_t) * hs);
    if (!c->v || !c->hash)
        return fail(c, EB_ERR_NOMEM, "out of memory");
    memset(c->hash, 0xff, sizeof(int32_t) * hs);
    /* which node uses which op type first, for the unsupported-op sentence: the first
     * node that is unsupported is reported when reached, in order */
    const Onnx__ValueInfoProto *vin;
    st = model_input(c, &vin);
    if (st != EB_OK)
        return st;
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const char *nm = S(gp->initializer[i]->name);
        int32_t k = declare(c, nm);
        if (k < 0 || !*nm)
            return BAD("initializer %zu '%.60s' is unnamed or named twice", i, nm);
        st = set_const(c, k, gp->initializer[i]);
        if (st != EB_OK)
            return st;
    }
    c->input_v = declare(c, S(vin->name));
    if (c->input_v < 0 || !*S(vin->name))
        return BAD("the model input is unnamed or named twice");
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *nd = gp->node[i];
        for (size_t j = 0; j < nd->n_output; j++) {
            if (!*S(nd->output[j]))
                continue;
            if (declare(c, nd->output[j]) < 0) {
                c->ni = (int32_t)i;
                c->node = nd;
                return BAD("output '%.60s' is named twice in the graph", nd->output[j]);
            }
        }
    }
    for (size_t i = 0; i < gp->n_node; i++)
        for (size_t j = 0; j < gp->node[i]->n_input; j++) {
            int32_t k = find(c, gp->node[i]->input[j]);
            if (k >= 0)
                c->v[k].uses++;
        }
    int32_t vout = find(c, S(gp->output[0]->name));
    if (vout < 0)
        return BAD("the model output '%.60s' is not produced by any node",
                   S(gp->output[0]->name));
    c->v[vout].uses++;
    /* is it quantized? QDQ (QuantizeLinear of activations) makes an int8 graph */
    bool qdq = false;
    for (size_t i = 0; i < gp->n_node; i++)
        if (!strcmp(S(gp->node[i]->op_type), "QuantizeLinear") ||
            !strncmp(S(gp->node[i]->op_type), "QLinear", 7))
            qdq = true;
    c->g = eb_graph_new(qdq ? EB_S8 : EB_F32);
    if (!c->g)
        return fail(c, EB_ERR_NOMEM, "out of memory");
    /* the input */
    const Onnx__TensorShapeProto *sh = vin->type->tensor_type->shape;
    if (sh->n_dim > EB_ONNX_MAX_RANK)
        return UNSUP("the model input has rank %zu (at most %d)", sh->n_dim, EB_ONNX_MAX_RANK);
    val *in = &c->v[c->input_v];
    in->rank = (int32_t)sh->n_dim;
    for (size_t i = 0; i < sh->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = sh->dim[i];
        int64_t x = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                        ? d->dim_value
                        : 0;
        if (x <= 0) {
            x = 1;
            c->n_dyn++;
            if (c->log) {
                char nb[64];
                fprintf(c->log, "  input dimension %zu ('%s') is dynamic: fixed to 1\n", i,
                        d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                            ? P(d->dim_param, nb, sizeof nb)
                            : "unset");
            }
        }
        if (x > EB_GRAPH_MAX_ELEMS)
            return UNSUP("the model input dimension %zu is %lld", i, (long long)x);
        in->dims[i] = x;
    }
    int32_t h, w, ch;
    int layout;
    int64_t ne = elems_of(in->dims, in->rank);
    if (ne > EB_GRAPH_MAX_ELEMS)
        return UNSUP("the model input has %lld elements", (long long)ne);
    if (in->rank == 4) {
        if (in->dims[0] != 1)
            return UNSUP("the model input has batch %lld; edgebench runs batch 1",
                         (long long)in->dims[0]);
        ch = (int32_t)in->dims[1];
        h = (int32_t)in->dims[2];
        w = (int32_t)in->dims[3];
        layout = L_NHWC;
        c->g->in_nchw = c->nchw = ch > 1 && (int64_t)h * w > 1;
    } else {
        row_shape(in->dims, in->rank, &h, &w, &ch);
        layout = L_ROW;
    }
    if (h > EB_GRAPH_MAX_DIM || w > EB_GRAPH_MAX_DIM || ch > EB_GRAPH_MAX_DIM)
        return UNSUP("the model input is %dx%dx%d, over edgebench's dimension limit %d",
                     (int)h, (int)w, (int)ch, EB_GRAPH_MAX_DIM);
    c->g->input = eb_graph_add_tensor(c->g, h, w, ch);
    if (qdq) {
        c->g->t[c->g->input].scale = 0.0; /* set by its QuantizeLinear */
        c->g->in_float = true;
    }
    set_act(c, c->input_v, c->g->input, qdq ? Q_RAWIN : Q_F32, layout, in->dims, in->rank, -1);
    if (c->log)
        fprintf(c->log, "edgebench mapping (%s graph, opset %lld, input '%s' %s -> %dx%dx%d):\n",
                qdq ? "int8 (QDQ)" : "fp32", (long long)c->opset,
                P(c->v[c->input_v].name, (char[64]){0}, 64),
                layout == L_NHWC ? "NCHW" : "row-major", (int)h, (int)w, (int)ch);
    for (size_t i = 0; i < gp->n_node && st == EB_OK; i++) {
        c->ni = (int32_t)i;
        c->node = gp->node[i];
        st = import_node(c);
    }
    c->node = NULL;
    c->ni = -1;
    if (st != EB_OK)
        return st;
    if (qdq && c->g->t[c->g->input].scale == 0.0)
        return UNSUP("the float input of this quantized model is never quantized");
    val *o = &c->v[vout];
    if (o->kind == V_PEND && o->pend->type == EB_OP_SOFTMAX) {
        int32_t t;
        st = finalize(c, vout, 1.0 / 256.0, -128, false, &t);
        if (st != EB_OK)
            return st;
        c->sm_conv = true;
        if (c->log)
            fprintf(c->log, "  the float Softmax at the output runs in int8 (output scale 1/256, "
                            "zero point -128), dequantized at the edge\n");
    }
    if (o->kind != V_ACT || o->t == c->g->input)
        return UNSUP("the model output '%.60s' is not computed by an op edgebench runs "
                     "(a constant, the input, or a float result of quantized inputs with no "
                     "QuantizeLinear after it)",
                     o->name);
    if (qdq && o->q == Q_INT && o->u8)
        return UNSUP("the model output '%.60s' is uint8; edgebench gives QDQ outputs as "
                     "float (end the model with DequantizeLinear)",
                     o->name);
    c->g->output = o->t;
    c->g->out_float = qdq && o->q == Q_DQ;
    if (o->layout == L_NHWC || o->layout == L_FLATHWC) {
        const eb_gtensor *t = &c->g->t[o->t];
        c->g->out_nchw = t->c > 1 && (int64_t)t->h * t->w > 1;
    }
    base_name(name ? name : "model", c->g->name, sizeof c->g->name);
    snprintf(c->g->arch, sizeof c->g->arch, "onnx");
    snprintf(c->g->variant, sizeof c->g->variant, "%s", qdq ? "int8" : "fp32");
    note(c);
    st = eb_graph_check(c->g, true, c->err, c->errlen);
    if (st == EB_OK && c->log)
        fprintf(c->log, "  output '%s': tensor %d, %dx%dx%d%s%s\n  %s\n",
                P(o->name, (char[64]){0}, 64),
                (int)c->g->output, (int)c->g->t[c->g->output].h,
                (int)c->g->t[c->g->output].w, (int)c->g->t[c->g->output].c,
                c->g->out_nchw ? ", NCHW at the edge" : "",
                c->g->out_float ? ", dequantized to float at the edge" : "", c->g->import_note);
    return st;
}

eb_status eb_onnx_import_buffer(const uint8_t *buf, size_t len, const char *dir,
                                const char *name, FILE *log, eb_graph **out, char *err,
                                size_t errlen)
{
    *out = NULL;
    Onnx__ModelProto *m = NULL;
    eb_status st = eb_onnx_unpack(buf, len, &m, err, errlen);
    if (st != EB_OK)
        return st;
    imp c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.gp = m->graph;
    c.dir = dir;
    c.log = log;
    c.err = err;
    c.errlen = errlen;
    c.ni = -1;
    st = import_model(&c, name);
    for (int32_t i = 0; i < c.nv; i++) {
        free(c.v[i].ext);
        if (c.v[i].pend) {
            eb_gop_free_weights(c.v[i].pend);
            free(c.v[i].pend);
        }
    }
    free(c.v);
    free(c.hash);
    eb_onnx_free(m);
    if (st != EB_OK) {
        eb_graph_free(c.g);
        return st;
    }
    *out = c.g;
    return EB_OK;
}

eb_status eb_onnx_import_file(const char *path, FILE *log, eb_graph **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    char e[512] = "";
    eb_status st = eb_onnx_read_file(path, &buf, &len, e, sizeof e);
    if (st == EB_OK) {
        char dir[4096];
        const char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) < sizeof dir) {
            memcpy(dir, path, (size_t)(slash - path));
            dir[slash - path] = 0;
            if (!dir[0])
                snprintf(dir, sizeof dir, "/");
        } else {
            snprintf(dir, sizeof dir, ".");
        }
        st = eb_onnx_import_buffer(buf, len, dir, path, log, out, e, sizeof e);
    }
    free(buf);
    if (st != EB_OK && err && errlen)
        snprintf(err, errlen, "%s: %s", path, e);
    return st;
}
