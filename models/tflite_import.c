/* tflite_import.c - a .tflite model (as eb_tflite.h reads it) turned into an edgebench
 * graph: every TFLite operator of subgraph 0 becomes one graph op, RESHAPE and SQUEEZE
 * become aliases (the bytes do not move), weights are copied in edgebench's layouts.
 *
 * What maps (anything else is refused with one sentence naming the first operator that
 * does not, its index and what is supported):
 *   CONV_2D            conv2d (OHWI as stored), dilation 1
 *   DEPTHWISE_CONV_2D  dwconv (1HWC as stored) with depth multiplier 1; a multiplier M on
 *                      a one-channel input is a conv2d with M outputs, on more channels a
 *                      repeat of each channel M times and a dwconv over C*M channels
 *   FULLY_CONNECTED    fc over the whole input ([out][in] as stored)
 *   AVERAGE_POOL_2D, MAX_POOL_2D   avgpool / maxpool (a whole-map average pool too: the
 *                      int8 average pool rounds its mean exactly as TFLite's, which the
 *                      global-average-pool requantization does not)
 *   ADD, SUB, MUL      add / sub / mul of two activations (mul: one operand may be 1x1xC
 *                      or one value)
 *   RELU, RELU6, LOGISTIC, TANH, HARD_SWISH   the elementwise activation (int8: a table
 *                      of TFLite's arithmetic for the 256 inputs)
 *   CONCATENATION      concat along one of H, W, C (a chain of two-input concats for
 *                      more inputs); int8 inputs share the output's quantization
 *   PAD                constant padding of H and W (0, int8 the zero point)
 *   MEAN               mean over H and W (keep_dims either way)
 *   QUANTIZE           int8 -> int8: a requantization (a table); float32 model input ->
 *                      int8, and DEQUANTIZE int8 -> float32 model output: the edges, not
 *                      run (the graph runs from int8 to int8)
 *   RESHAPE, SQUEEZE   an alias of the input tensor, when the consumer reads the same
 *                      bytes the same way (same [h, w, c] or a fully-connected layer)
 *   SOFTMAX            softmax (beta 1) over the last dimension; int8 with TFLite's
 *                      reference arithmetic (softmax_tfl_s8)
 * Fused activations NONE, RELU, RELU6. Tensors are batch 1 of rank 1..4 ([1,H,W,C],
 * [1,N], [N]). int8 models: per-tensor activations, symmetric int8 weights per channel
 * or per tensor (copied to every channel), int32 biases. float32 models: float32
 * weights, or int8 weights (hybrid) dequantized at load as scale * (q - zero_point) in
 * float. The model's input and output must be single tensors of the graph's datatype. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_tflite.h"

#define SUPPORTED_OPS                                                                      \
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, SUB, " \
    "MUL, RELU, RELU6, LOGISTIC, TANH, HARD_SWISH, CONCATENATION, PAD, MEAN, QUANTIZE, " \
    "DEQUANTIZE, RESHAPE, SQUEEZE and SOFTMAX"

typedef struct {
    const eb_tflite_model *m;
    eb_graph *g;
    int32_t *map;  /* TFLite tensor -> graph tensor, -1 unmapped */
    bool *alias;   /* the TFLite tensor is a RESHAPE/SQUEEZE view of its graph tensor */
    FILE *log;     /* the mapping, one line per operator (NULL: quiet) */
    char *err;
    size_t errlen;
    int32_t opi; /* the operator being imported */
    const char *opname;
} imp;

static eb_status fail(imp *c, eb_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static eb_status fail(imp *c, eb_status st, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = c->opi >= 0 ? snprintf(c->err, c->errlen, "op %d (%s): ", (int)c->opi,
                                       c->opname)
                            : 0;
        if (n < 0 || (size_t)n >= c->errlen)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return st;
}

static eb_status unsupported(imp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static eb_status unsupported(imp *c, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fail(c, EB_ERR_UNSUPPORTED, "%s", what);
}

static const eb_tflite_tensor *tensor(imp *c, const eb_tflite_operator *o, int k, bool out)
{
    int32_t n = out ? o->n_outputs : o->n_inputs;
    if (k >= n)
        return NULL;
    int32_t t = out ? o->outputs[k] : o->inputs[k];
    return t >= 0 ? &c->m->tensors[t] : NULL;
}

static int32_t tensor_index(const eb_tflite_operator *o, int k, bool out)
{
    int32_t n = out ? o->n_outputs : o->n_inputs;
    if (k >= n)
        return -1;
    return out ? o->outputs[k] : o->inputs[k];
}

/* [1,H,W,C], [1,W,C], [1,N], [N] or a scalar as (h, w, c), every dimension at least 1
 * (an empty tensor has nothing to run: a zero channel count would divide by zero). */
static bool eb_shape(const eb_tflite_tensor *t, int32_t *h, int32_t *w, int32_t *ch)
{
    const int32_t *d = t->shape;
    bool ok;
    *h = *w = *ch = 1;
    switch (t->rank) {
    case 0: ok = true; break;
    case 1: *ch = d[0], ok = true; break;
    case 2: *ch = d[1], ok = d[0] == 1; break;
    case 3: *w = d[1], *ch = d[2], ok = d[0] == 1; break;
    case 4: *h = d[1], *w = d[2], *ch = d[3], ok = d[0] == 1; break;
    default: return false;
    }
    return ok && *h >= 1 && *w >= 1 && *ch >= 1;
}

static void shape_str(const eb_tflite_tensor *t, char *buf, size_t n)
{
    size_t l = (size_t)snprintf(buf, n, "[");
    for (int32_t i = 0; i < t->rank && l < n; i++)
        l += (size_t)snprintf(buf + l, n - l, "%s%d", i ? "," : "", (int)t->shape[i]);
    if (l < n)
        snprintf(buf + l, n - l, "]");
}

static eb_dtype want_type(imp *c) { return c->g->dtype; }

/* An activation tensor's type and quantization for this graph. */
static eb_status check_act_tensor(imp *c, int32_t ti, const char *role)
{
    const eb_tflite_tensor *t = &c->m->tensors[ti];
    bool s8 = want_type(c) == EB_S8;
    int32_t tt = s8 ? EB_TFLITE_INT8 : EB_TFLITE_FLOAT32;
    if ((int32_t)t->type != tt)
        return unsupported(c, "%s tensor %d '%s' is %s in a %s model; edgebench runs models "
                              "whose activations are all float32 or all int8",
                           role, (int)ti, t->name, eb_tflite_dtype_name(t->type),
                           s8 ? "int8" : "float32");
    if (t->data)
        return unsupported(c, "%s tensor %d '%s' is a constant; edgebench's %s reads "
                              "activations only",
                           role, (int)ti, t->name, c->opname);
    if (s8) {
        if (t->quant.n != 1)
            return unsupported(c, "%s tensor %d '%s' has %d quantization scales; int8 "
                                  "activations need one scale and zero point",
                               role, (int)ti, t->name, (int)t->quant.n);
        if (t->quant.zero_point[0] < -128 || t->quant.zero_point[0] > 127 ||
            !(t->quant.scale[0] > 0.0f))
            return fail(c, EB_ERR_FORMAT, "%s tensor %d '%s' has zero point %lld and scale "
                                          "%g, outside the int8 range",
                        role, (int)ti, t->name, (long long)t->quant.zero_point[0],
                        (double)t->quant.scale[0]);
    }
    return EB_OK;
}

/* The graph tensor of an activation input; `view_ok`: the consumer reads the bytes
 * whatever the shape (fully connected). */
static eb_status input_of(imp *c, const eb_tflite_operator *o, int k, bool view_ok,
                          int32_t *out)
{
    int32_t ti = tensor_index(o, k, false);
    if (ti < 0)
        return fail(c, EB_ERR_FORMAT, "input %d is missing", k);
    eb_status st = check_act_tensor(c, ti, "input");
    if (st != EB_OK)
        return st;
    if (c->map[ti] < 0)
        return unsupported(c, "input tensor %d '%s' is neither the model input nor produced "
                              "by an earlier operator",
                           (int)ti, c->m->tensors[ti].name);
    if (c->alias[ti] && !view_ok) {
        const eb_gtensor *g = &c->g->t[c->map[ti]];
        int32_t h, w, ch;
        if (!eb_shape(&c->m->tensors[ti], &h, &w, &ch) || h != g->h || w != g->w ||
            ch != g->c)
            return unsupported(c, "reads tensor %d '%s', a RESHAPE/SQUEEZE that changes the "
                                  "[h,w,c] layout of its input; edgebench aliases reshapes "
                                  "feeding FULLY_CONNECTED or keeping [h,w,c]",
                               (int)ti, c->m->tensors[ti].name);
    }
    *out = c->map[ti];
    return EB_OK;
}

/* A new graph tensor for output k, with the TFLite tensor's shape and quantization. */
static eb_status output_of(imp *c, const eb_tflite_operator *o, int k, int32_t *out)
{
    int32_t ti = tensor_index(o, k, true);
    if (ti < 0)
        return fail(c, EB_ERR_FORMAT, "output %d is missing", k);
    eb_status st = check_act_tensor(c, ti, "output");
    if (st != EB_OK)
        return st;
    if (c->map[ti] >= 0)
        return fail(c, EB_ERR_FORMAT, "output tensor %d '%s' is written twice", (int)ti,
                    c->m->tensors[ti].name);
    const eb_tflite_tensor *t = &c->m->tensors[ti];
    int32_t h, w, ch;
    char s[96];
    shape_str(t, s, sizeof s);
    if (!eb_shape(t, &h, &w, &ch))
        return unsupported(c, "output tensor %d '%s' has shape %s; edgebench runs batch 1 "
                              "tensors of rank 1 to 4",
                           (int)ti, t->name, s);
    int32_t gi = eb_graph_add_tensor(c->g, h, w, ch);
    if (gi < 0)
        return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
    if (want_type(c) == EB_S8) {
        c->g->t[gi].scale = (double)t->quant.scale[0];
        c->g->t[gi].zp = (int32_t)t->quant.zero_point[0];
    }
    c->map[ti] = gi;
    *out = gi;
    return EB_OK;
}

static eb_status fused_act(imp *c, int32_t act, eb_act *out)
{
    switch (act) {
    case EB_TFLITE_ACT_NONE: *out = EB_ACT_NONE; return EB_OK;
    case EB_TFLITE_ACT_RELU: *out = EB_ACT_RELU; return EB_OK;
    case EB_TFLITE_ACT_RELU6: *out = EB_ACT_RELU6; return EB_OK;
    default:
        return unsupported(c, "fused activation %s is not supported; edgebench fuses NONE, "
                              "RELU and RELU6",
                           eb_tflite_act_name(act));
    }
}

/* TFLite's output size and padding: SAME puts the odd pixel at the bottom/right. */
static eb_status window(imp *c, int32_t padding, int32_t in, int32_t k, int32_t stride,
                        int32_t *out, int32_t *before, int32_t *after)
{
    if (stride < 1 || k < 1)
        return fail(c, EB_ERR_FORMAT, "stride %d or window %d is not positive", (int)stride,
                    (int)k);
    if (padding == EB_TFLITE_PAD_SAME) {
        *out = (int32_t)(((int64_t)in + stride - 1) / stride);
        int64_t total = ((int64_t)*out - 1) * stride + k - in;
        total = total < 0 ? 0 : total;
        *before = (int32_t)(total / 2);
        *after = (int32_t)(total - total / 2);
    } else {
        if (in < k)
            return fail(c, EB_ERR_FORMAT, "VALID window %d is larger than the input %d",
                        (int)k, (int)in);
        *out = (in - k) / stride + 1;
        *before = *after = 0;
    }
    return EB_OK;
}

/* The op's output tensor must have the shape the geometry gives. */
static eb_status expect_shape(imp *c, int32_t gi, int32_t h, int32_t w, int32_t ch)
{
    const eb_gtensor *t = &c->g->t[gi];
    if (t->h != h || t->w != w || t->c != ch)
        return fail(c, EB_ERR_FORMAT, "output is %dx%dx%d but the operator computes %dx%dx%d",
                    (int)t->h, (int)t->w, (int)t->c, (int)h, (int)w, (int)ch);
    return EB_OK;
}

/* ---- weights --------------------------------------------------------------------- */

static float load_f32(const uint8_t *p)
{
    float v;
    memcpy(&v, p, 4);
    return v;
}

static int32_t load_i32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

/* Constant weights of `n` elements in `oc` channels along axis `qdim` of the tensor
 * (0: channel-major, the last axis: channel-minor). int8 graphs get wq and wscale,
 * float graphs w (dequantized when the file stores int8). `perm`, when not NULL, maps
 * an element of the graph's layout to its index in the file. */
static eb_status weights(imp *c, const eb_tflite_tensor *t, int32_t ti, eb_gop *op, int32_t oc,
                         int32_t qdim, int64_t n, const int64_t *perm)
{
    if (!t || !t->data)
        return unsupported(c, "the weights (tensor %d) are not a constant; edgebench needs "
                              "constant weights",
                           (int)ti);
    if (t->is_sparse)
        return unsupported(c, "weights tensor %d '%s' is stored sparse (SparsityParameters)",
                           (int)ti, t->name);
    int64_t elems = 1;
    for (int32_t i = 0; i < t->rank; i++)
        elems *= t->shape[i];
    if (elems != n)
        return fail(c, EB_ERR_FORMAT, "weights tensor %d has %lld elements, expected %lld",
                    (int)ti, (long long)elems, (long long)n);
    const bool s8 = want_type(c) == EB_S8;
    const bool q8 = t->type == EB_TFLITE_INT8;
    if (!q8 && !(t->type == EB_TFLITE_FLOAT32 && !s8))
        return unsupported(c, "weights tensor %d '%s' is %s; edgebench reads %s weights",
                           (int)ti, t->name, eb_tflite_dtype_name(t->type),
                           s8 ? "int8" : "float32 or int8 (dequantized)");
    if ((uint64_t)n * (q8 ? 1u : 4u) != t->data_size)
        return fail(c, EB_ERR_FORMAT, "weights tensor %d has %llu bytes for %lld elements",
                    (int)ti, (unsigned long long)t->data_size, (long long)n);
    int64_t inner = 1; /* elements between two channels along qdim */
    for (int32_t i = qdim + 1; i < t->rank; i++)
        inner *= t->shape[i];
    const eb_tflite_quant *q = &t->quant;
    if (q8) {
        bool per_channel = q->n == oc && oc > 1;
        if (q->n != 1 && !per_channel)
            return unsupported(c, "weights tensor %d '%s' has %d scales for %d channels; "
                                  "edgebench reads per-tensor or per-output-channel scales",
                               (int)ti, t->name, (int)q->n, (int)oc);
        if (per_channel && (q->quantized_dimension != qdim || t->shape[qdim] != oc))
            return unsupported(c, "weights tensor %d '%s' is quantized along axis %d; the "
                                  "output channels are axis %d",
                               (int)ti, t->name, (int)q->quantized_dimension, (int)qdim);
        for (int32_t i = 0; i < q->n; i++) {
            if (!(q->scale[i] > 0.0f) || !isfinite(q->scale[i]))
                return fail(c, EB_ERR_FORMAT, "weights tensor %d has scale %g", (int)ti,
                            (double)q->scale[i]);
            if (q->zero_point[i] < -128 || q->zero_point[i] > 127)
                return fail(c, EB_ERR_FORMAT, "weights tensor %d has zero point %lld, outside "
                                              "int8",
                            (int)ti, (long long)q->zero_point[i]);
            if (s8 && q->zero_point[i] != 0)
                return unsupported(c, "weights tensor %d '%s' has zero point %lld; int8 "
                                      "weights must be symmetric (zero point 0)",
                                   (int)ti, t->name, (long long)q->zero_point[i]);
        }
    }
    const int8_t *src8 = (const int8_t *)t->data;
    if (s8) {
        op->wq = malloc((size_t)n);
        op->wscale = malloc(sizeof(double) * (size_t)oc);
        if (!op->wq || !op->wscale)
            return fail(c, EB_ERR_NOMEM, "out of memory for the weights");
        for (int64_t i = 0; i < n; i++)
            op->wq[i] = src8[perm ? perm[i] : i];
        for (int32_t k = 0; k < oc; k++)
            op->wscale[k] = (double)q->scale[q->n == 1 ? 0 : k];
        return EB_OK;
    }
    op->w = malloc(sizeof(float) * (size_t)n);
    if (!op->w)
        return fail(c, EB_ERR_NOMEM, "out of memory for the weights");
    for (int64_t i = 0; i < n; i++) {
        int64_t j = perm ? perm[i] : i;
        if (q8) {
            int32_t ch = q->n == 1 ? 0 : (int32_t)((j / inner) % t->shape[qdim]);
            op->w[i] = q->scale[ch] * (float)(src8[j] - (int32_t)q->zero_point[ch]);
        } else {
            op->w[i] = load_f32(t->data + 4 * j);
        }
        if (!isfinite(op->w[i]))
            return fail(c, EB_ERR_FORMAT, "weights tensor %d has a non-finite value", (int)ti);
    }
    return EB_OK;
}

/* Bias of `oc` channels (input k; absent: zeros). */
static eb_status bias(imp *c, const eb_tflite_operator *o, int k, eb_gop *op, int32_t oc)
{
    const bool s8 = want_type(c) == EB_S8;
    const eb_tflite_tensor *t = tensor(c, o, k, false);
    int32_t ti = tensor_index(o, k, false);
    if (s8)
        op->bq = calloc((size_t)oc, sizeof(int32_t));
    else
        op->b = calloc((size_t)oc, sizeof(float));
    if (s8 ? !op->bq : !op->b)
        return fail(c, EB_ERR_NOMEM, "out of memory for the bias");
    if (!t)
        return EB_OK;
    if (!t->data)
        return unsupported(c, "the bias (tensor %d) is not a constant", (int)ti);
    int32_t want = s8 ? EB_TFLITE_INT32 : EB_TFLITE_FLOAT32;
    if ((int32_t)t->type != want)
        return unsupported(c, "bias tensor %d '%s' is %s; edgebench reads %s biases",
                           (int)ti, t->name, eb_tflite_dtype_name(t->type),
                           s8 ? "int32" : "float32");
    if (t->data_size != (uint64_t)oc * 4)
        return fail(c, EB_ERR_FORMAT, "bias tensor %d has %llu bytes for %d channels",
                    (int)ti, (unsigned long long)t->data_size, (int)oc);
    for (int32_t i = 0; i < oc; i++) {
        if (s8) {
            op->bq[i] = load_i32(t->data + 4 * i);
        } else {
            op->b[i] = load_f32(t->data + 4 * i);
            if (!isfinite(op->b[i]))
                return fail(c, EB_ERR_FORMAT, "bias tensor %d has a non-finite value",
                            (int)ti);
        }
    }
    return EB_OK;
}

/* ---- operators ------------------------------------------------------------------- */

static void init_op(imp *c, eb_gop *op, eb_op_type type, const char *kind)
{
    memset(op, 0, sizeof *op);
    op->type = type;
    op->in1 = -1;
    op->k_h = op->k_w = op->stride_h = op->stride_w = 1;
    snprintf(op->name, sizeof op->name, "%s_%d", kind, (int)c->opi);
}

static eb_status add_op(imp *c, eb_gop *op)
{
    if (eb_graph_add_op(c->g, op) < 0) {
        eb_gop_free_weights(op);
        return fail(c, EB_ERR_NOMEM, "too many operators (limit %d)", EB_GRAPH_MAX_OPS);
    }
    return EB_OK;
}

static void log_op(imp *c, const eb_gop *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_op(imp *c, const eb_gop *op, const char *fmt, ...)
{
    if (!c->log)
        return;
    const eb_gtensor *in = &c->g->t[op->in0], *out = &c->g->t[op->out];
    static const char *acts[] = {"", " +relu", " +relu6"};
    fprintf(c->log, "  op %-3d %-18s -> %-10s %dx%dx%d -> %dx%dx%d", (int)c->opi, c->opname,
            op->name, (int)in->h, (int)in->w, (int)in->c, (int)out->h, (int)out->w,
            (int)out->c);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->log, fmt, ap);
    va_end(ap);
    fprintf(c->log, "%s\n", acts[op->act]);
}

static eb_status conv(imp *c, const eb_tflite_operator *o, bool depthwise)
{
    const eb_tflite_options *x = &o->options;
    if (!x->decoded)
        return fail(c, EB_ERR_FORMAT, "has no convolution options");
    if (x->u.conv.dilation_h != 1 || x->u.conv.dilation_w != 1)
        return unsupported(c, "dilation %dx%d is not supported (only 1)",
                           (int)x->u.conv.dilation_h, (int)x->u.conv.dilation_w);
    eb_gop op;
    init_op(c, &op, EB_OP_CONV2D, depthwise ? "dwconv" : "conv");
    eb_status st = fused_act(c, x->u.conv.act, &op.act);
    if (st == EB_OK)
        st = input_of(c, o, 0, false, &op.in0);
    if (st != EB_OK)
        return st;
    const eb_tflite_tensor *w = tensor(c, o, 1, false);
    int32_t wi = tensor_index(o, 1, false);
    if (!w || w->rank != 4)
        return fail(c, EB_ERR_FORMAT, "weights must be a rank-4 tensor");
    const eb_gtensor *in = &c->g->t[op.in0]; /* (repointed if a repeat is added) */
    int32_t oc, kh = w->shape[1], kw = w->shape[2];
    int64_t *perm = NULL;
    if (depthwise) {
        if (w->shape[0] != 1)
            return fail(c, EB_ERR_FORMAT, "depthwise weights are not [1,h,w,c]");
        oc = w->shape[3];
        if (in->c <= 0 || oc % in->c != 0)
            return fail(c, EB_ERR_FORMAT, "%d output channels for %d inputs", (int)oc,
                        (int)in->c);
        int32_t mult = oc / in->c;
        if (mult == 1) {
            op.type = EB_OP_DWCONV;
        } else if (in->c != 1) {
            /* each input channel repeated mult times, then a multiplier-1 depthwise over
             * oc channels: output channel k reads input channel k / mult, as TFLite's */
            eb_gop rep;
            init_op(c, &rep, EB_OP_REPEAT, "repeat");
            rep.in0 = op.in0;
            rep.out = eb_graph_add_tensor(c->g, in->h, in->w, oc);
            if (rep.out < 0)
                return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
            in = &c->g->t[op.in0]; /* (the tensors may have moved) */
            c->g->t[rep.out].scale = in->scale;
            c->g->t[rep.out].zp = in->zp;
            log_op(c, &rep, ", each channel x%d for depth multiplier %d", (int)mult, (int)mult);
            st = add_op(c, &rep);
            if (st != EB_OK)
                return st;
            op.in0 = rep.out;
            in = &c->g->t[op.in0];
            op.type = EB_OP_DWCONV;
        } else {
            /* one input channel: a conv2d with oc outputs, OHWI [oc][kh][kw][1] */
            perm = malloc(sizeof(int64_t) * (size_t)oc * (size_t)kh * (size_t)kw);
            if (!perm)
                return fail(c, EB_ERR_NOMEM, "out of memory");
            for (int32_t k = 0; k < oc; k++)
                for (int32_t i = 0; i < kh * kw; i++)
                    perm[(int64_t)k * kh * kw + i] = (int64_t)i * oc + k;
        }
    } else {
        oc = w->shape[0];
        if (w->shape[3] != in->c)
            return unsupported(c, "weights have %d input channels for a %d-channel input "
                                  "(grouped convolution is not supported)",
                               (int)w->shape[3], (int)in->c);
    }
    op.k_h = kh;
    op.k_w = kw;
    op.stride_h = x->u.conv.stride_h;
    op.stride_w = x->u.conv.stride_w;
    int32_t oh = 0, ow = 0;
    st = window(c, x->u.conv.padding, in->h, kh, op.stride_h, &oh, &op.pad_top, &op.pad_bottom);
    if (st == EB_OK)
        st = window(c, x->u.conv.padding, in->w, kw, op.stride_w, &ow, &op.pad_left,
                    &op.pad_right);
    int32_t qdim = depthwise ? 3 : 0;
    if (st == EB_OK)
        st = weights(c, w, wi, &op, oc, qdim, (int64_t)oc * kh * kw * (depthwise ? 1 : in->c),
                     perm);
    free(perm);
    if (st == EB_OK)
        st = bias(c, o, 2, &op, oc);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st == EB_OK)
        st = expect_shape(c, op.out, oh, ow, oc);
    if (st != EB_OK) {
        eb_gop_free_weights(&op);
        return st;
    }
    log_op(c, &op, ", k %dx%d s %dx%d pad t%d l%d b%d r%d%s", (int)kh, (int)kw,
           (int)op.stride_h, (int)op.stride_w, (int)op.pad_top, (int)op.pad_left,
           (int)op.pad_bottom, (int)op.pad_right,
           want_type(c) == EB_F32 && w->type == EB_TFLITE_INT8 ? ", int8 weights dequantized"
           : depthwise && op.type == EB_OP_CONV2D             ? ", depth multiplier as conv"
                                                              : "");
    return add_op(c, &op);
}

static eb_status fully_connected(imp *c, const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    eb_gop op;
    init_op(c, &op, EB_OP_FC, "fc");
    eb_status st = fused_act(c, x->decoded ? x->u.fc.act : EB_TFLITE_ACT_NONE, &op.act);
    if (st != EB_OK)
        return st;
    if (x->decoded && x->u.fc.weights_format != 0)
        return unsupported(c, "shuffled weights (weights_format %d) are not supported",
                           (int)x->u.fc.weights_format);
    st = input_of(c, o, 0, true, &op.in0);
    if (st != EB_OK)
        return st;
    const eb_tflite_tensor *w = tensor(c, o, 1, false);
    int32_t wi = tensor_index(o, 1, false);
    if (!w || w->rank != 2)
        return fail(c, EB_ERR_FORMAT, "weights must be a rank-2 tensor");
    int32_t oc = w->shape[0], nin = w->shape[1];
    int64_t have = eb_gtensor_elems(&c->g->t[op.in0]);
    if (have != nin)
        return unsupported(c, "the input has %lld elements for %d weights per output (batch "
                              "1 only)",
                           (long long)have, (int)nin);
    st = weights(c, w, wi, &op, oc, 0, (int64_t)oc * nin, NULL);
    if (st == EB_OK)
        st = bias(c, o, 2, &op, oc);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st == EB_OK)
        st = expect_shape(c, op.out, 1, 1, oc);
    if (st != EB_OK) {
        eb_gop_free_weights(&op);
        return st;
    }
    log_op(c, &op, ", %d x %d weights%s%s", (int)oc, (int)nin,
           w->type == EB_TFLITE_INT8 && w->quant.n == 1 && want_type(c) == EB_S8
               ? ", per-tensor scale on every channel"
               : "",
           want_type(c) == EB_F32 && w->type == EB_TFLITE_INT8 ? ", int8 weights dequantized"
                                                               : "");
    return add_op(c, &op);
}

static bool same_quant(const eb_gtensor *a, const eb_gtensor *b)
{
    return a->scale == b->scale && a->zp == b->zp;
}

static eb_status pool(imp *c, const eb_tflite_operator *o, bool avg)
{
    const eb_tflite_options *x = &o->options;
    if (!x->decoded)
        return fail(c, EB_ERR_FORMAT, "has no pool options");
    eb_gop op;
    init_op(c, &op, avg ? EB_OP_AVGPOOL : EB_OP_MAXPOOL, avg ? "avgpool" : "maxpool");
    eb_status st = fused_act(c, x->u.pool.act, &op.act);
    if (st == EB_OK)
        st = input_of(c, o, 0, false, &op.in0);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st != EB_OK)
        return st;
    const eb_gtensor *in = &c->g->t[op.in0], *out = &c->g->t[op.out];
    if (want_type(c) == EB_S8 && !same_quant(in, out))
        return unsupported(c, "int8 pooling with different input and output quantization "
                              "is not supported");
    op.k_h = x->u.pool.filter_h;
    op.k_w = x->u.pool.filter_w;
    op.stride_h = x->u.pool.stride_h;
    op.stride_w = x->u.pool.stride_w;
    int32_t oh = 0, ow = 0;
    st = window(c, x->u.pool.padding, in->h, op.k_h, op.stride_h, &oh, &op.pad_top,
                &op.pad_bottom);
    if (st == EB_OK)
        st = window(c, x->u.pool.padding, in->w, op.k_w, op.stride_w, &ow, &op.pad_left,
                    &op.pad_right);
    if (st == EB_OK)
        st = expect_shape(c, op.out, oh, ow, in->c);
    if (st != EB_OK)
        return st;
    log_op(c, &op, ", window %dx%d s %dx%d pad t%d l%d b%d r%d%s", (int)op.k_h, (int)op.k_w,
           (int)op.stride_h, (int)op.stride_w, (int)op.pad_top, (int)op.pad_left,
           (int)op.pad_bottom, (int)op.pad_right,
           avg && op.k_h == in->h && op.k_w == in->w && oh == 1 && ow == 1
               ? " (the whole map)"
               : "");
    return add_op(c, &op);
}

static eb_status binary(imp *c, const eb_tflite_operator *o, eb_op_type type)
{
    const eb_tflite_options *x = &o->options;
    const bool mul = type == EB_OP_MUL;
    eb_gop op;
    init_op(c, &op, type, mul ? "mul" : type == EB_OP_SUB ? "sub" : "add");
    eb_status st = fused_act(c, x->decoded ? x->u.arith.act : EB_TFLITE_ACT_NONE, &op.act);
    if (st == EB_OK && o->n_inputs != 2)
        st = fail(c, EB_ERR_FORMAT, "has %d inputs, expected 2", (int)o->n_inputs);
    if (st == EB_OK)
        st = input_of(c, o, 0, false, &op.in0);
    if (st == EB_OK)
        st = input_of(c, o, 1, false, &op.in1);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st != EB_OK)
        return st;
    const eb_gtensor *a = &c->g->t[op.in0], *b = &c->g->t[op.in1], *out = &c->g->t[op.out];
    bool same_ab = a->h == b->h && a->w == b->w && a->c == b->c;
    if (mul && !same_ab && eb_gtensor_elems(a) < eb_gtensor_elems(b)) {
        int32_t t = op.in0; /* the smaller operand second */
        op.in0 = op.in1;
        op.in1 = t;
        const eb_gtensor *s = a;
        a = b;
        b = s;
    }
    bool bcast = mul && b->h == 1 && b->w == 1 && (b->c == 1 || b->c == a->c);
    if (!same_ab && !bcast)
        return unsupported(c, "operands %dx%dx%d and %dx%dx%d: %s", (int)a->h, (int)a->w,
                           (int)a->c, (int)b->h, (int)b->w, (int)b->c,
                           mul ? "MUL broadcasts only one value or one value per channel"
                               : "ADD and SUB need operands of the same shape (no "
                                 "broadcasting)");
    st = expect_shape(c, op.out, a->h, a->w, a->c);
    if (st != EB_OK)
        return st;
    (void)out;
    log_op(c, &op, ", with tensor %d%s", (int)op.in1, bcast && !same_ab ? " (broadcast)" : "");
    return add_op(c, &op);
}

/* RELU, RELU6, LOGISTIC, TANH, HARD_SWISH: y = f(x), the same shape. */
static eb_status unary(imp *c, const eb_tflite_operator *o, eb_op_type type, const char *kind)
{
    eb_gop op;
    init_op(c, &op, type, kind);
    eb_status st = input_of(c, o, 0, false, &op.in0);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st != EB_OK)
        return st;
    const eb_gtensor *in = &c->g->t[op.in0];
    st = expect_shape(c, op.out, in->h, in->w, in->c);
    if (st != EB_OK)
        return st;
    log_op(c, &op, "%s", want_type(c) == EB_S8 ? ", int8 by table" : "");
    return add_op(c, &op);
}

/* CONCATENATION of n activations along one axis: n - 1 two-input concats, each joining
 * the next input to what came before (the intermediate tensors take the output's
 * quantization). The axis is the one the shapes say (models/ops/concat.c). */
static eb_status concatenation(imp *c, const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    eb_act act = EB_ACT_NONE;
    eb_status st = fused_act(c, x->decoded ? x->u.concat.act : EB_TFLITE_ACT_NONE, &act);
    if (st != EB_OK)
        return st;
    if (act != EB_ACT_NONE)
        return unsupported(c, "a fused activation on CONCATENATION is not supported");
    if (o->n_inputs < 2)
        return fail(c, EB_ERR_FORMAT, "has %d inputs, expected at least 2", (int)o->n_inputs);
    const eb_tflite_tensor *yt = tensor(c, o, 0, true);
    if (!yt)
        return fail(c, EB_ERR_FORMAT, "output 0 is missing");
    int32_t rank = yt->rank, axis = x->decoded ? x->u.concat.axis : 0;
    if (axis < 0)
        axis += rank;
    if (axis < 1 || axis >= rank)
        return unsupported(c, "axis %d of a rank-%d tensor: edgebench concatenates along H, W "
                              "or C of batch-1 tensors",
                           (int)(x->decoded ? x->u.concat.axis : 0), (int)rank);
    int32_t prev;
    st = input_of(c, o, 0, false, &prev);
    if (st != EB_OK)
        return st;
    for (int32_t k = 1; k < o->n_inputs && st == EB_OK; k++) {
        eb_gop op;
        init_op(c, &op, EB_OP_CONCAT, "concat");
        if (o->n_inputs > 2)
            snprintf(op.name, sizeof op.name, "concat_%d_%d", (int)c->opi, (int)k);
        op.in0 = prev;
        st = input_of(c, o, k, false, &op.in1);
        if (st != EB_OK)
            return st;
        if (k == o->n_inputs - 1) {
            st = output_of(c, o, 0, &op.out);
        } else {
            /* the joined part so far: the output's shape with the axis summed so far */
            const eb_gtensor *a = &c->g->t[prev], *b = &c->g->t[op.in1];
            int32_t h = a->h, w = a->w, ch = a->c, d = axis + 3 - rank; /* 0 h, 1 w, 2 c */
            if (d == 2)
                ch = a->c + b->c;
            else if (d == 1)
                w = a->w + b->w;
            else
                h = a->h + b->h;
            op.out = eb_graph_add_tensor(c->g, h, w, ch);
            if (op.out < 0)
                return fail(c, EB_ERR_NOMEM, "too many tensors (limit %d)", EB_GRAPH_MAX_TENSORS);
            if (want_type(c) == EB_S8) {
                c->g->t[op.out].scale = (double)yt->quant.scale[0];
                c->g->t[op.out].zp = (int32_t)yt->quant.zero_point[0];
            }
        }
        if (st != EB_OK)
            return st;
        const eb_gtensor *a = &c->g->t[op.in0], *b = &c->g->t[op.in1], *y = &c->g->t[op.out];
        if (want_type(c) == EB_S8 && (a->scale != y->scale || a->zp != y->zp ||
                                      b->scale != y->scale || b->zp != y->zp))
            return unsupported(c, "int8 inputs with another quantization than the output "
                                  "(TFLite requires the same)");
        log_op(c, &op, ", with tensor %d", (int)op.in1);
        st = add_op(c, &op);
        prev = op.out;
    }
    return st;
}

/* PAD: paddings [rank][2] (int32 or int64 constant) of H and W only. */
static eb_status pad(imp *c, const eb_tflite_operator *o)
{
    eb_gop op;
    init_op(c, &op, EB_OP_PAD, "pad");
    eb_status st = input_of(c, o, 0, false, &op.in0);
    if (st != EB_OK)
        return st;
    const eb_tflite_tensor *x = tensor(c, o, 0, false), *pt = tensor(c, o, 1, false);
    if (!pt || !pt->data)
        return unsupported(c, "the paddings (input 1) are not a constant");
    if ((pt->type != EB_TFLITE_INT32 && pt->type != EB_TFLITE_INT64) || pt->rank != 2 ||
        pt->shape[0] != x->rank || pt->shape[1] != 2 ||
        pt->data_size != (uint64_t)x->rank * 2 * (pt->type == EB_TFLITE_INT32 ? 4 : 8))
        return fail(c, EB_ERR_FORMAT, "paddings are not a [%d,2] int32/int64 tensor",
                    (int)x->rank);
    int64_t pads[8][2];
    for (int32_t d = 0; d < x->rank; d++)
        for (int k = 0; k < 2; k++) {
            const uint8_t *q = pt->data + (size_t)(d * 2 + k) * (pt->type == EB_TFLITE_INT32 ? 4 : 8);
            int64_t v = load_i32(q);
            if (pt->type == EB_TFLITE_INT64)
                v = (int64_t)((uint64_t)(uint32_t)load_i32(q) | (uint64_t)(uint32_t)load_i32(q + 4) << 32);
            if (v < 0 || v > EB_GRAPH_MAX_DIM)
                return fail(c, EB_ERR_FORMAT, "padding %lld of axis %d is out of range",
                            (long long)v, (int)d);
            pads[d][k] = v;
        }
    /* H and W are the axes before the last two of [1,H,W,C]; [1,W,C] has no H */
    for (int32_t d = 0; d < x->rank; d++) {
        bool hw = (x->rank == 4 && (d == 1 || d == 2)) || (x->rank == 3 && d == 1);
        if (!hw && (pads[d][0] || pads[d][1]))
            return unsupported(c, "padding axis %d of a rank-%d tensor; edgebench pads H and W",
                               (int)d, (int)x->rank);
    }
    if (x->rank == 4) {
        op.pad_top = (int32_t)pads[1][0], op.pad_bottom = (int32_t)pads[1][1];
        op.pad_left = (int32_t)pads[2][0], op.pad_right = (int32_t)pads[2][1];
    } else if (x->rank == 3) {
        op.pad_left = (int32_t)pads[1][0], op.pad_right = (int32_t)pads[1][1];
    }
    st = output_of(c, o, 0, &op.out);
    if (st != EB_OK)
        return st;
    const eb_gtensor *in = &c->g->t[op.in0], *out = &c->g->t[op.out];
    if (want_type(c) == EB_S8 && !same_quant(in, out))
        return unsupported(c, "int8 padding with different input and output quantization is "
                              "not supported");
    st = expect_shape(c, op.out, in->h + op.pad_top + op.pad_bottom,
                      in->w + op.pad_left + op.pad_right, in->c);
    if (st != EB_OK)
        return st;
    log_op(c, &op, ", pad t%d l%d b%d r%d", (int)op.pad_top, (int)op.pad_left,
           (int)op.pad_bottom, (int)op.pad_right);
    return add_op(c, &op);
}

/* MEAN over the spatial axes of [1,H,W,C] (axis a constant {1, 2} in any order, negative
 * values too), keep_dims true or false. */
static eb_status mean(imp *c, const eb_tflite_operator *o)
{
    eb_gop op;
    init_op(c, &op, EB_OP_MEAN, "mean");
    eb_status st = input_of(c, o, 0, false, &op.in0);
    if (st != EB_OK)
        return st;
    const eb_tflite_tensor *x = tensor(c, o, 0, false), *at = tensor(c, o, 1, false);
    if (!at || !at->data || at->type != EB_TFLITE_INT32)
        return unsupported(c, "the axes (input 1) are not an int32 constant");
    int64_t na = 1;
    for (int32_t d = 0; d < at->rank; d++)
        na *= at->shape[d];
    if (at->data_size != (uint64_t)na * 4)
        return fail(c, EB_ERR_FORMAT, "the axes tensor has %llu bytes for %lld values",
                    (unsigned long long)at->data_size, (long long)na);
    bool seen[2] = {false, false};
    for (int64_t k = 0; k < na; k++) {
        int32_t a = load_i32(at->data + 4 * k);
        if (a < 0)
            a += x->rank;
        if (x->rank != 4 || (a != 1 && a != 2) || seen[a - 1])
            return unsupported(c, "a mean over axes other than H and W of a [1,H,W,C] tensor "
                                  "is not supported");
        seen[a - 1] = true;
    }
    if (!seen[0] || !seen[1])
        return unsupported(c, "a mean over one of H and W only is not supported");
    st = output_of(c, o, 0, &op.out);
    if (st == EB_OK)
        st = expect_shape(c, op.out, 1, 1, c->g->t[op.in0].c);
    if (st != EB_OK)
        return st;
    log_op(c, &op, ", over H and W%s", o->options.decoded && o->options.u.reducer.keep_dims
                                           ? ", keep_dims"
                                           : "");
    return add_op(c, &op);
}

static eb_status softmax(imp *c, const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    float beta = x->decoded ? x->u.softmax.beta : 1.0f;
    if (beta != 1.0f)
        return unsupported(c, "beta %g is not supported (only 1)", (double)beta);
    eb_gop op;
    init_op(c, &op, EB_OP_SOFTMAX, "softmax");
    eb_status st = input_of(c, o, 0, false, &op.in0);
    if (st == EB_OK)
        st = output_of(c, o, 0, &op.out);
    if (st != EB_OK)
        return st;
    const eb_gtensor *in = &c->g->t[op.in0], *out = &c->g->t[op.out];
    st = expect_shape(c, op.out, in->h, in->w, in->c);
    if (st != EB_OK)
        return st;
    if (want_type(c) == EB_S8) {
        if (out->scale != 1.0 / 256.0 || out->zp != -128)
            return unsupported(c, "int8 softmax output has scale %g and zero point %d; TFLite "
                                  "requires 1/256 and -128",
                               out->scale, (int)out->zp);
        op.tfl_softmax = true;
    }
    log_op(c, &op, ", over %d%s", (int)in->c,
           op.tfl_softmax ? ", TFLite's int8 arithmetic" : "");
    return add_op(c, &op);
}

/* RESHAPE, SQUEEZE: the output names the input's graph tensor. */
static eb_status reshape(imp *c, const eb_tflite_operator *o)
{
    int32_t in;
    eb_status st = input_of(c, o, 0, true, &in);
    if (st != EB_OK)
        return st;
    int32_t ti = tensor_index(o, 0, true);
    if (ti < 0)
        return fail(c, EB_ERR_FORMAT, "output 0 is missing");
    st = check_act_tensor(c, ti, "output");
    if (st != EB_OK)
        return st;
    if (c->map[ti] >= 0)
        return fail(c, EB_ERR_FORMAT, "output tensor %d is written twice", (int)ti);
    const eb_tflite_tensor *t = &c->m->tensors[ti];
    int64_t elems = 1;
    for (int32_t i = 0; i < t->rank; i++)
        elems *= t->shape[i];
    const eb_gtensor *g = &c->g->t[in];
    if (elems != eb_gtensor_elems(g))
        return fail(c, EB_ERR_FORMAT, "output has %lld elements, input %lld", (long long)elems,
                    (long long)eb_gtensor_elems(g));
    if (want_type(c) == EB_S8 && ((double)t->quant.scale[0] != g->scale ||
                                  t->quant.zero_point[0] != g->zp))
        return unsupported(c, "a reshape that changes the quantization is not supported");
    c->map[ti] = in;
    c->alias[ti] = true;
    if (c->log) {
        char s[96];
        shape_str(t, s, sizeof s);
        fprintf(c->log, "  op %-3d %-18s -> (alias)    %dx%dx%d viewed as %s, no copy\n",
                (int)c->opi, c->opname, (int)g->h, (int)g->w, (int)g->c, s);
    }
    return EB_OK;
}

static eb_status import_op(imp *c, const eb_tflite_operator *o)
{
    if (o->n_outputs != 1)
        return unsupported(c, "has %d outputs; edgebench ops have one", (int)o->n_outputs);
    switch (o->builtin) {
    case EB_TFLITE_OP_CONV_2D: return conv(c, o, false);
    case EB_TFLITE_OP_DEPTHWISE_CONV_2D: return conv(c, o, true);
    case EB_TFLITE_OP_FULLY_CONNECTED: return fully_connected(c, o);
    case EB_TFLITE_OP_AVERAGE_POOL_2D: return pool(c, o, true);
    case EB_TFLITE_OP_MAX_POOL_2D: return pool(c, o, false);
    case EB_TFLITE_OP_ADD: return binary(c, o, EB_OP_ADD);
    case EB_TFLITE_OP_SUB: return binary(c, o, EB_OP_SUB);
    case EB_TFLITE_OP_MUL: return binary(c, o, EB_OP_MUL);
    case EB_TFLITE_OP_SOFTMAX: return softmax(c, o);
    case EB_TFLITE_OP_CONCATENATION: return concatenation(c, o);
    case EB_TFLITE_OP_PAD: return pad(c, o);
    case EB_TFLITE_OP_MEAN: return mean(c, o);
    case EB_TFLITE_OP_QUANTIZE:
        if (want_type(c) != EB_S8)
            return unsupported(c, "QUANTIZE in a float32 model (only an int8 requantization "
                                  "or the quantization of the model input is supported)");
        return unary(c, o, EB_OP_QUANTIZE, "quantize");
    case EB_TFLITE_OP_RELU: return unary(c, o, EB_OP_RELU, "relu");
    case EB_TFLITE_OP_RELU6: return unary(c, o, EB_OP_RELU6, "relu6");
    case EB_TFLITE_OP_LOGISTIC: return unary(c, o, EB_OP_LOGISTIC, "logistic");
    case EB_TFLITE_OP_TANH: return unary(c, o, EB_OP_TANH, "tanh");
    case EB_TFLITE_OP_HARD_SWISH: return unary(c, o, EB_OP_HARD_SWISH, "hard_swish");
    case EB_TFLITE_OP_RESHAPE:
    case EB_TFLITE_OP_SQUEEZE: return reshape(c, o);
    default: {
        int32_t i = c->opi;
        c->opi = -1; /* the sentence names the operator itself */
        eb_status st = unsupported(c, "op %d (%s) is not supported; edgebench imports "
                                      SUPPORTED_OPS, (int)i, c->opname);
        c->opi = i;
        return st;
    }
    }
}

static void base_name(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t l = strlen(b);
    if (l > 7 && !strcmp(b + l - 7, ".tflite"))
        l -= 7;
    size_t j = 0;
    for (size_t i = 0; i < l && j + 1 < n; i++) /* printable ASCII only (.ebm names) */
        out[j++] = b[i] > 32 && b[i] < 127 ? b[i] : '_';
    out[j] = 0;
    if (!j)
        snprintf(out, n, "model");
}

/* A float32 model input whose first use is a QUANTIZE to int8, and a float32 model output
 * made by a DEQUANTIZE of an int8 tensor (how the converter gives an int8 model float
 * inputs and outputs): the graph runs from the QUANTIZE's output to the DEQUANTIZE's input
 * and those two operators are not run (a harness quantizes float inputs with the model's
 * input scale). Leaves everything as it is when the model has no such edges. */
static void edge_conversions(const eb_tflite_model *m, int32_t *in_t, int32_t *out_t,
                             int32_t *q_op, int32_t *dq_op)
{
    const eb_tflite_tensor *t = m->tensors;
    for (int32_t i = 0; i < m->n_operators; i++) {
        const eb_tflite_operator *o = &m->operators[i];
        if (o->n_inputs < 1 || o->n_outputs != 1 || o->inputs[0] < 0 || o->outputs[0] < 0)
            continue;
        int32_t a = o->inputs[0], y = o->outputs[0];
        if (*q_op < 0 && o->builtin == EB_TFLITE_OP_QUANTIZE && a == *in_t &&
            t[a].type == EB_TFLITE_FLOAT32 && t[y].type == EB_TFLITE_INT8) {
            *q_op = i;
            *in_t = y;
        } else if (*dq_op < 0 && o->builtin == EB_TFLITE_OP_DEQUANTIZE && y == *out_t &&
                   t[a].type == EB_TFLITE_INT8 && t[y].type == EB_TFLITE_FLOAT32) {
            *dq_op = i;
            *out_t = a;
        }
    }
}

eb_status eb_tflite_import(const eb_tflite_model *m, const char *name, FILE *log,
                           eb_graph **out, char *err, size_t errlen)
{
    *out = NULL;
    imp c = {m, NULL, NULL, NULL, log, err, errlen, -1, ""};
    if (m->n_subgraphs != 1) {
        return unsupported(&c, "the model has %d subgraphs; edgebench imports models with one",
                           (int)m->n_subgraphs);
    }
    if (m->n_inputs != 1 || m->n_outputs != 1)
        return unsupported(&c, "the model has %d inputs and %d outputs; edgebench imports "
                               "models with one of each",
                           (int)m->n_inputs, (int)m->n_outputs);
    if (m->n_operators < 1)
        return unsupported(&c, "the model has no operators");
    int32_t in_t = m->inputs[0], out_t = m->outputs[0], q_op = -1, dq_op = -1;
    edge_conversions(m, &in_t, &out_t, &q_op, &dq_op);
    const eb_tflite_tensor *ti = &m->tensors[in_t];
    eb_dtype dt;
    if (ti->type == EB_TFLITE_INT8)
        dt = EB_S8;
    else if (ti->type == EB_TFLITE_FLOAT32)
        dt = EB_F32;
    else if (ti->type == EB_TFLITE_UINT8)
        return unsupported(&c, "the model input is uint8 (a legacy asymmetric uint8 model); "
                               "edgebench imports float32 and int8 models");
    else
        return unsupported(&c, "the model input is %s; edgebench imports float32 and int8 "
                               "models",
                           eb_tflite_dtype_name(ti->type));
    c.g = eb_graph_new(dt);
    c.map = malloc(sizeof(int32_t) * (size_t)m->n_tensors);
    c.alias = calloc((size_t)m->n_tensors, sizeof(bool));
    eb_status st = EB_OK;
    if (!c.g || !c.map || !c.alias) {
        st = fail(&c, EB_ERR_NOMEM, "out of memory importing the model");
        goto done;
    }
    for (int32_t i = 0; i < m->n_tensors; i++)
        c.map[i] = -1;
    st = check_act_tensor(&c, in_t, "the model input");
    int32_t h, w, ch;
    if (st == EB_OK && !eb_shape(ti, &h, &w, &ch)) {
        char s[96];
        shape_str(ti, s, sizeof s);
        st = unsupported(&c, "the model input has shape %s; edgebench runs batch 1 tensors of "
                             "rank 1 to 4",
                         s);
    }
    if (st != EB_OK)
        goto done;
    c.g->input = eb_graph_add_tensor(c.g, h, w, ch);
    if (dt == EB_S8) {
        c.g->t[0].scale = (double)ti->quant.scale[0];
        c.g->t[0].zp = (int32_t)ti->quant.zero_point[0];
    }
    c.map[in_t] = c.g->input;
    if (log)
        fprintf(log, "edgebench mapping (%s graph, input %dx%dx%d):\n",
                dt == EB_S8 ? "int8" : "fp32", (int)h, (int)w, (int)ch);
    for (int32_t i = 0; i < m->n_operators && st == EB_OK; i++) {
        c.opi = i;
        c.opname = eb_tflite_builtin_name(m->operators[i].builtin);
        if (i == q_op || i == dq_op) { /* the float32 edges: not run */
            if (log)
                fprintf(log, "  op %-3d %-18s -> (edge)     float32 %s, not run: the model "
                             "runs from int8 to int8\n",
                        (int)i, c.opname, i == q_op ? "input quantized" : "output dequantized");
            continue;
        }
        st = import_op(&c, &m->operators[i]);
    }
    c.opi = -1;
    if (st != EB_OK)
        goto done;
    int32_t to = out_t;
    if (c.map[to] < 0 || c.map[to] == c.g->input) {
        st = unsupported(&c, "the model output (tensor %d) is not computed by an operator",
                         (int)to);
        goto done;
    }
    c.g->output = c.map[to];
    base_name(name ? name : "model", c.g->name, sizeof c.g->name);
    snprintf(c.g->arch, sizeof c.g->arch, "tflite");
    snprintf(c.g->variant, sizeof c.g->variant, "%s", dt == EB_S8 ? "int8" : "fp32");
    st = eb_graph_check(c.g, true, err, errlen);
    if (st == EB_OK && log)
        fprintf(log, "  output: tensor %d, %dx%dx%d\n", (int)c.g->output,
                (int)c.g->t[c.g->output].h, (int)c.g->t[c.g->output].w,
                (int)c.g->t[c.g->output].c);
done:
    free(c.map);
    free(c.alias);
    if (st != EB_OK) {
        eb_graph_free(c.g);
        return st;
    }
    *out = c.g;
    return EB_OK;
}

eb_status eb_tflite_import_file(const char *path, FILE *log, eb_graph **out, char *err,
                                size_t errlen)
{
    *out = NULL;
    eb_tflite_model *m = NULL;
    eb_status st = eb_tflite_load(path, &m, err, errlen);
    if (st != EB_OK)
        return st;
    char e[512] = "";
    eb_tflite_owned *own = calloc(1, sizeof *own); /* a legacy uint8 model's int8 form */
    st = own ? eb_tflite_uint8_to_int8(m, own, e, sizeof e) : EB_ERR_NOMEM;
    if (st == EB_OK)
        st = eb_tflite_import(m, path, log, out, e, sizeof e);
    if (st != EB_OK && err && errlen)
        snprintf(err, errlen, "%s: %s", path, e[0] ? e : eb_status_str(st));
    if (own)
        eb_tflite_owned_free(own);
    free(own);
    eb_tflite_free(m);
    return st;
}
