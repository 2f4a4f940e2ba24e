/* graph.c - the model graph: storage, geometry, counts and structural checks. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_gop.h"
#include "eb_graph.h"
#include "eb_sparse.h"

eb_graph *eb_graph_new(eb_dtype dtype)
{
    eb_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->dtype = dtype;
    g->input = g->output = -1;
    return g;
}

void eb_gop_free_weights(eb_gop *op)
{
    free(op->w);
    free(op->b);
    free(op->wq);
    free(op->bq);
    free(op->wscale);
    free(op->row_ptr);
    free(op->col_idx);
    op->w = op->b = NULL;
    op->wq = NULL;
    op->bq = NULL;
    op->wscale = NULL;
    op->row_ptr = NULL;
    op->col_idx = NULL;
}

void eb_graph_free(eb_graph *g)
{
    if (!g)
        return;
    for (int32_t i = 0; i < g->nops; i++)
        eb_gop_free_weights(&g->op[i]);
    free(g->op);
    free(g->t);
    free(g);
}

static void *dup_array(const void *src, size_t bytes, bool *fail)
{
    if (!src)
        return NULL;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        *fail = true;
        return NULL;
    }
    memcpy(p, src, bytes);
    return p;
}

eb_graph *eb_graph_clone(const eb_graph *g)
{
    eb_graph *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = *g;
    c->t = NULL;
    c->op = NULL;
    c->nops = 0;
    c->t = malloc(sizeof *c->t * (size_t)(g->nt ? g->nt : 1));
    c->op = calloc((size_t)(g->nops ? g->nops : 1), sizeof *c->op);
    if (!c->t || !c->op) {
        free(c->t);
        free(c->op);
        free(c);
        return NULL;
    }
    c->cap_t = g->nt;
    c->cap_o = g->nops;
    memcpy(c->t, g->t, sizeof *c->t * (size_t)g->nt);
    bool fail = false;
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *s = &g->op[i];
        eb_gop *d = &c->op[i];
        *d = *s;
        int32_t oc = eb_gop_out_channels(g, s);
        size_t nw = s->sparse ? (size_t)s->nnz : (size_t)eb_gop_dense_weights(g, s);
        d->w = dup_array(s->w, nw * sizeof(float), &fail);
        d->b = dup_array(s->b, (size_t)oc * sizeof(float), &fail);
        d->wq = dup_array(s->wq, nw, &fail);
        d->bq = dup_array(s->bq, (size_t)oc * sizeof(int32_t), &fail);
        d->wscale = dup_array(s->wscale, (size_t)oc * sizeof(double), &fail);
        d->row_ptr = dup_array(s->row_ptr, ((size_t)oc + 1) * sizeof(int32_t), &fail);
        d->col_idx = dup_array(s->col_idx, (size_t)s->nnz * sizeof(uint16_t), &fail);
        c->nops = i + 1;
    }
    if (fail) {
        eb_graph_free(c);
        return NULL;
    }
    return c;
}

int32_t eb_graph_add_tensor(eb_graph *g, int32_t h, int32_t w, int32_t c)
{
    if (g->nt >= EB_GRAPH_MAX_TENSORS)
        return -1;
    if (g->nt == g->cap_t) {
        int32_t cap = g->cap_t ? g->cap_t * 2 : 32;
        eb_gtensor *t = realloc(g->t, sizeof *t * (size_t)cap);
        if (!t)
            return -1;
        g->t = t;
        g->cap_t = cap;
    }
    eb_gtensor *t = &g->t[g->nt];
    memset(t, 0, sizeof *t);
    t->h = h;
    t->w = w;
    t->c = c;
    t->scale = 1.0;
    t->first = t->last = -1;
    return g->nt++;
}

int32_t eb_graph_add_op(eb_graph *g, const eb_gop *op)
{
    if (g->nops >= EB_GRAPH_MAX_OPS)
        return -1;
    if (g->nops == g->cap_o) {
        int32_t cap = g->cap_o ? g->cap_o * 2 : 32;
        eb_gop *o = realloc(g->op, sizeof *o * (size_t)cap);
        if (!o)
            return -1;
        g->op = o;
        g->cap_o = cap;
    }
    g->op[g->nops] = *op;
    return g->nops++;
}

/* ---- the op descriptors ------------------------------------------------------------ */

const eb_gop_desc *eb_gop_get(eb_op_type type)
{
    switch (type) {
#define EB_GOP(id, num, name) case EB_OP_##id: return &eb_gop_##name;
#include "eb_gops.inc"
#undef EB_GOP
    }
    return NULL;
}

eb_status eb_gop_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return EB_ERR_FORMAT;
}

void eb_gop_quantize_as_input(const eb_graph *g, eb_graph *q, const eb_gop *op)
{
    (void)g;
    q->t[op->out].scale = q->t[op->in0].scale;
    q->t[op->out].zp = q->t[op->in0].zp;
}

bool eb_op_binary(eb_op_type t)
{
    const eb_gop_desc *d = eb_gop_get(t);
    return d && d->inputs == 2;
}

bool eb_gop_has_weights(const eb_gop *op)
{
    const eb_gop_desc *d = eb_gop_get(op->type);
    return d && d->weights;
}

int32_t eb_gop_out_channels(const eb_graph *g, const eb_gop *op)
{
    return eb_gop_has_weights(op) ? g->t[op->out].c : 0;
}

int64_t eb_gop_row_len(const eb_graph *g, const eb_gop *op)
{
    const eb_gop_desc *d = eb_gop_get(op->type);
    return d && d->row_len ? d->row_len(g, op) : 0;
}

int64_t eb_gop_dense_weights(const eb_graph *g, const eb_gop *op)
{
    return eb_gop_row_len(g, op) * eb_gop_out_channels(g, op);
}

uint64_t eb_gop_macs(const eb_graph *g, const eb_gop *op)
{
    const eb_gop_desc *d = eb_gop_get(op->type);
    return d && d->macs ? d->macs(g, op) : 0;
}

uint64_t eb_gop_work(const eb_graph *g, const eb_gop *op)
{
    const eb_gop_desc *d = eb_gop_get(op->type);
    if (d && d->work)
        return d->work(g, op);
    uint64_t macs = eb_gop_macs(g, op);
    return macs ? macs : (uint64_t)eb_gtensor_elems(&g->t[op->out]);
}

uint64_t eb_gop_params(const eb_graph *g, const eb_gop *op)
{
    if (!eb_gop_has_weights(op))
        return 0;
    return (uint64_t)eb_gop_dense_weights(g, op) + (uint64_t)eb_gop_out_channels(g, op);
}

void eb_gop_conv_params(const eb_graph *g, const eb_gop *op, eb_conv_params *p)
{
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    memset(p, 0, sizeof *p);
    p->batch = 1;
    p->in_h = in->h;
    p->in_w = in->w;
    p->in_c = in->c;
    p->out_h = out->h;
    p->out_w = out->w;
    p->out_c = out->c;
    p->k_h = op->k_h;
    p->k_w = op->k_w;
    p->stride_h = op->stride_h;
    p->stride_w = op->stride_w;
    p->pad_top = op->pad_top;
    p->pad_left = op->pad_left;
    p->pad_bottom = op->pad_bottom;
    p->pad_right = op->pad_right;
    p->act = op->act;
}

void eb_gop_fc_params(const eb_graph *g, const eb_gop *op, eb_fc_params *p)
{
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    memset(p, 0, sizeof *p);
    if (op->type == EB_OP_CONV2D) { /* 1x1 stride-1 conv: one row per pixel */
        p->batch = in->h * in->w;
        p->in_features = in->c;
    } else {
        p->batch = 1;
        p->in_features = (int32_t)eb_gtensor_elems(in);
    }
    p->out_features = out->c;
    p->act = op->act;
}

void eb_gop_pool_params(const eb_graph *g, const eb_gop *op, eb_pool_params *p)
{
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    memset(p, 0, sizeof *p);
    p->batch = 1;
    p->in_h = in->h;
    p->in_w = in->w;
    p->c = in->c;
    p->out_h = out->h;
    p->out_w = out->w;
    p->k_h = op->k_h;
    p->k_w = op->k_w;
    p->stride_h = op->stride_h;
    p->stride_w = op->stride_w;
    p->pad_top = op->pad_top;
    p->pad_left = op->pad_left;
    p->pad_bottom = op->pad_bottom;
    p->pad_right = op->pad_right;
    p->act = op->act;
    p->act_min = -128;
    p->act_max = 127;
}

/* ---- checks ------------------------------------------------------------------------ */

static eb_status fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static eb_status fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return EB_ERR_FORMAT;
}

static eb_status check_op_shape(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gop_desc *d = eb_gop_get(op->type);
    if (!d)
        return fail(err, errlen, "op %d has unknown type %d", i, (int)op->type);
    if ((unsigned)op->act > EB_ACT_RELU6)
        return fail(err, errlen, "op %d has an unknown activation %d", i, (int)op->act);
    if (d->inputs < 2 && op->in1 != -1)
        return fail(err, errlen, "op %d (%s) has a second input", i, op->name);
    if (op->sparse && !d->sparse_ok)
        return fail(err, errlen, "op %d (%s) cannot be sparse", i, op->name);
    if (op->tfl_softmax && (op->type != EB_OP_SOFTMAX || g->dtype != EB_S8))
        return fail(err, errlen, "op %d (%s): only an int8 softmax has TFLite arithmetic", i,
                    op->name);
    return d->check(g, i, err, errlen);
}

static bool finite_pos(double v) { return isfinite(v) && v > 0.0; }

static eb_status check_weights(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    if (!eb_gop_has_weights(op))
        return EB_OK;
    int32_t oc = eb_gop_out_channels(g, op);
    int64_t row = eb_gop_row_len(g, op);
    if (row * oc > EB_GRAPH_MAX_WEIGHTS)
        return fail(err, errlen, "op %d (%s) has too many weights", i, op->name);
    bool f32 = g->dtype == EB_F32;
    if (f32 ? (!op->w || !op->b) : (!op->wq || !op->bq || !op->wscale))
        return fail(err, errlen, "op %d (%s) lacks its weights", i, op->name);
    if (op->sparse) {
        if (!op->row_ptr || !op->col_idx || op->nnz < 0 || op->nnz > row * oc)
            return fail(err, errlen, "sparse op %d (%s) has a bad structure", i, op->name);
        eb_csr csr = {oc, (int32_t)row, op->nnz, op->row_ptr, op->col_idx};
        if (eb_csr_validate(&csr) != EB_OK)
            return fail(err, errlen, "sparse op %d (%s) has invalid CSR indices", i, op->name);
    }
    if (!f32) {
        /* int8 kernels accumulate in int32: |bias| + row * 255 * 127 must stay below
         * 2^31 for every output (trained models with a near-zero channel have biases
         * above 2^30: vww_96_int8's conv_12) */
        const int64_t max_bias = eb_graph_max_s8_bias(row);
        if (row > EB_GRAPH_MAX_S8_ROW)
            return fail(err, errlen, "op %d (%s) sums %lld int8 products per output (limit %d)",
                        i, op->name, (long long)row, EB_GRAPH_MAX_S8_ROW);
        for (int32_t c = 0; c < oc; c++) {
            if (!finite_pos(op->wscale[c]) || op->wscale[c] > 1e6)
                return fail(err, errlen, "op %d (%s) has a bad weight scale", i, op->name);
            if (op->bq[c] > max_bias || op->bq[c] < -max_bias)
                return fail(err, errlen, "op %d (%s) has an int8 bias out of range", i,
                            op->name);
        }
    }
    return EB_OK;
}

eb_status eb_graph_check(const eb_graph *g, bool weights, char *err, size_t errlen)
{
    if (g->nt < 1 || g->nt > EB_GRAPH_MAX_TENSORS || g->nops < 1 ||
        g->nops > EB_GRAPH_MAX_OPS)
        return fail(err, errlen, "the model has %d tensors and %d ops (limits 1..%d)", g->nt,
                    g->nops, EB_GRAPH_MAX_OPS);
    if (g->dtype != EB_F32 && g->dtype != EB_S8)
        return fail(err, errlen, "the model has an unknown datatype %d", (int)g->dtype);
    if (g->input < 0 || g->input >= g->nt || g->output < 0 || g->output >= g->nt ||
        g->input == g->output)
        return fail(err, errlen, "the model's input or output tensor index is out of range");
    for (int32_t i = 0; i < g->nt; i++) {
        const eb_gtensor *t = &g->t[i];
        if (t->h < 1 || t->w < 1 || t->c < 1 || t->h > EB_GRAPH_MAX_DIM ||
            t->w > EB_GRAPH_MAX_DIM || t->c > EB_GRAPH_MAX_DIM ||
            eb_gtensor_elems(t) > EB_GRAPH_MAX_ELEMS)
            return fail(err, errlen, "tensor %d has a bad shape %dx%dx%d", i, t->h, t->w,
                        t->c);
        if (g->dtype == EB_S8 && (!finite_pos(t->scale) || t->scale > 1e6 ||
                                  t->scale < 1e-12 || t->zp < -128 || t->zp > 127))
            return fail(err, errlen, "tensor %d has bad quantization parameters", i);
    }
    char *produced = calloc((size_t)g->nt, 1);
    if (!produced)
        return EB_ERR_NOMEM;
    eb_status st = EB_OK;
    produced[g->input] = 1;
    for (int32_t i = 0; i < g->nops && st == EB_OK; i++) {
        const eb_gop *op = &g->op[i];
        if (op->in0 < 0 || op->in0 >= g->nt || op->out < 0 || op->out >= g->nt ||
            (eb_op_binary(op->type) && (op->in1 < 0 || op->in1 >= g->nt))) {
            st = fail(err, errlen, "op %d refers to a tensor out of range", i);
            break;
        }
        if (!produced[op->in0] || (eb_op_binary(op->type) && !produced[op->in1])) {
            st = fail(err, errlen, "op %d (%s) reads a tensor not produced before it", i,
                      op->name);
            break;
        }
        if (produced[op->out]) {
            st = fail(err, errlen, "op %d (%s) writes a tensor that already exists", i,
                      op->name);
            break;
        }
        produced[op->out] = 1;
        st = check_op_shape(g, i, err, errlen);
        if (st == EB_OK && weights)
            st = check_weights(g, i, err, errlen);
    }
    for (int32_t i = 0; i < g->nt && st == EB_OK; i++)
        if (!produced[i])
            st = fail(err, errlen, "tensor %d is never produced", i);
    free(produced);
    /* shapes are consistent now, so every op's work is bounded (< 2^58): the sum
     * saturates instead of wrapping */
    uint64_t work = 0;
    for (int32_t i = 0; i < g->nops && st == EB_OK; i++) {
        uint64_t w = eb_gop_work(g, &g->op[i]);
        work = w > UINT64_MAX - work ? UINT64_MAX : work + w;
    }
    if (st == EB_OK && work > EB_GRAPH_MAX_WORK)
        st = fail(err, errlen,
                  "the model needs %.3g operations per inference (multiply-adds and pooling "
                  "window steps), over the limit of %.3g: a run would not finish",
                  (double)work, (double)EB_GRAPH_MAX_WORK);
    return st;
}
