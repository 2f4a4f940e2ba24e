/* prune.c - the pruning transforms, on fp32 graphs.
 *
 * Unstructured (_p<N>): in every 1x1 stride-1 conv and every fully-connected layer the
 * N % of weights with the smallest magnitude (floor(count * N / 100), ties broken by
 * position) are removed and the layer becomes sparse (CSR by output channel).
 *
 * Structured (_c<N>): every prunable layer loses the N % of its output channels whose
 * weight vectors have the smallest L2 norm (ties by position; at least one channel is
 * kept). A conv or fully-connected layer is prunable when its output reaches only convs
 * or fully-connected layers, possibly through channel-wise ops (depthwise conv, pools)
 * whose channels go with it; outputs that meet a residual add, a softmax or the model
 * output keep every channel. The result is a smaller dense model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_stats.h"

/* ---- unstructured ----------------------------------------------------------------- */

static bool prunable_sparse(const eb_graph *g, const eb_gop *op)
{
    if (op->sparse)
        return false;
    if (op->type == EB_OP_FC)
        return eb_gtensor_elems(&g->t[op->in0]) <= 65535;
    return op->type == EB_OP_CONV2D && op->k_h == 1 && op->k_w == 1 && op->stride_h == 1 &&
           op->stride_w == 1 && !op->pad_top && !op->pad_left && !op->pad_bottom &&
           !op->pad_right && g->t[op->in0].c <= 65535;
}

static eb_status sparsify(const eb_graph *g, eb_gop *op, int32_t pct)
{
    int32_t oc = eb_gop_out_channels(g, op);
    int64_t row = eb_gop_row_len(g, op);
    size_t n = (size_t)oc * (size_t)row;
    size_t remove = n * (size_t)pct / 100;
    size_t keep = n - remove;
    double *mag = malloc(n * sizeof *mag); /* floats widen exactly */
    int32_t *row_ptr = malloc(((size_t)oc + 1) * sizeof *row_ptr);
    uint16_t *col = malloc((keep ? keep : 1) * sizeof *col);
    float *val = malloc((keep ? keep : 1) * sizeof *val);
    if (!mag || !row_ptr || !col || !val) {
        free(mag);
        free(row_ptr);
        free(col);
        free(val);
        return EB_ERR_NOMEM;
    }
    /* Threshold t: the remove-th smallest magnitude. Everything below t goes, and of the
     * weights equal to t the first ones (by position) until `remove` are gone. */
    float t = 0.0f;
    size_t below = 0;
    if (remove > 0) {
        for (size_t i = 0; i < n; i++)
            mag[i] = fabsf(op->w[i]);
        t = (float)eb_select_kth(mag, n, remove - 1);
        for (size_t i = 0; i < n; i++)
            below += fabsf(op->w[i]) < t;
    }
    size_t ties_to_remove = remove > 0 ? remove - below : 0;
    size_t nz = 0;
    for (int32_t c = 0; c < oc; c++) {
        row_ptr[c] = (int32_t)nz;
        for (int64_t i = 0; i < row; i++) {
            float w = op->w[(size_t)c * (size_t)row + (size_t)i];
            float a = fabsf(w);
            if (remove > 0 && a < t)
                continue;
            if (remove > 0 && a == t && ties_to_remove > 0) {
                ties_to_remove--;
                continue;
            }
            col[nz] = (uint16_t)i;
            val[nz] = w;
            nz++;
        }
    }
    row_ptr[oc] = (int32_t)nz;
    free(mag);
    free(op->w);
    op->w = val;
    op->row_ptr = row_ptr;
    op->col_idx = col;
    op->nnz = (int32_t)nz;
    op->sparse = true;
    return nz == keep ? EB_OK : EB_ERR_ARG;
}

eb_status eb_prune_unstructured(eb_graph *g, int32_t pct)
{
    if (g->dtype != EB_F32 || pct < 1 || pct > 99)
        return EB_ERR_ARG;
    for (int32_t i = 0; i < g->nops; i++) {
        eb_gop *op = &g->op[i];
        if (!prunable_sparse(g, op))
            continue;
        eb_status st = sparsify(g, op, pct);
        if (st != EB_OK)
            return st;
    }
    return EB_OK;
}

/* ---- structured ------------------------------------------------------------------- */

static bool channelwise(eb_op_type t)
{
    return t == EB_OP_DWCONV || t == EB_OP_AVGPOOL || t == EB_OP_MAXPOOL || t == EB_OP_GAP;
}

/* Can tensor ti lose channels? (see the comment at the top) */
static bool chain_ok(const eb_graph *g, int32_t ti, int depth)
{
    if (ti == g->output || depth > 64)
        return false;
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        bool reads = op->in0 == ti || op->in1 == ti;
        if (!reads)
            continue;
        if (op->type == EB_OP_CONV2D || op->type == EB_OP_FC)
            continue;
        if (channelwise(op->type) && chain_ok(g, op->out, depth + 1))
            continue;
        return false;
    }
    return true;
}

typedef struct {
    double norm;
    int32_t idx;
} chan_norm;

static int cmp_norm_desc(const void *a, const void *b)
{
    const chan_norm *x = a, *y = b;
    if (x->norm != y->norm)
        return x->norm > y->norm ? -1 : 1;
    return x->idx - y->idx;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int32_t *)a - *(const int32_t *)b;
}

/* Kept channel lists per tensor: keep[t] NULL means all, else nkeep[t] ascending. */
eb_status eb_prune_channels(eb_graph **gp, int32_t pct)
{
    eb_graph *g = *gp;
    if (g->dtype != EB_F32 || pct < 1 || pct > 99)
        return EB_ERR_ARG;
    int32_t **keep = calloc((size_t)g->nt, sizeof *keep);
    int32_t *nkeep = calloc((size_t)g->nt, sizeof *nkeep);
    eb_status st = EB_OK;
    if (!keep || !nkeep) {
        st = EB_ERR_NOMEM;
        goto done;
    }
    /* 1. decide, from the original weights */
    for (int32_t i = 0; i < g->nops && st == EB_OK; i++) {
        const eb_gop *op = &g->op[i];
        if ((op->type != EB_OP_CONV2D && op->type != EB_OP_FC) || op->sparse ||
            !chain_ok(g, op->out, 0))
            continue;
        int32_t oc = eb_gop_out_channels(g, op);
        int64_t row = eb_gop_row_len(g, op);
        int32_t k = oc - (int32_t)((int64_t)oc * pct / 100);
        if (k < 1)
            k = 1;
        if (k == oc)
            continue;
        chan_norm *cn = malloc(sizeof *cn * (size_t)oc);
        keep[op->out] = malloc(sizeof(int32_t) * (size_t)k);
        if (!cn || !keep[op->out]) {
            free(cn);
            st = EB_ERR_NOMEM;
            break;
        }
        for (int32_t c = 0; c < oc; c++) {
            double s = 0;
            for (int64_t j = 0; j < row; j++) {
                double w = op->w[(size_t)c * (size_t)row + (size_t)j];
                s += w * w;
            }
            cn[c].norm = s;
            cn[c].idx = c;
        }
        qsort(cn, (size_t)oc, sizeof *cn, cmp_norm_desc);
        for (int32_t c = 0; c < k; c++)
            keep[op->out][c] = cn[c].idx;
        qsort(keep[op->out], (size_t)k, sizeof(int32_t), cmp_int);
        nkeep[op->out] = k;
        free(cn);
    }
    /* 2. propagate through channel-wise ops and rewrite the weights, in op order */
    for (int32_t i = 0; i < g->nops && st == EB_OK; i++) {
        eb_gop *op = &g->op[i];
        const int32_t *kin = keep[op->in0];
        int32_t nin = nkeep[op->in0];
        if (channelwise(op->type) && kin) {
            keep[op->out] = malloc(sizeof(int32_t) * (size_t)nin);
            if (!keep[op->out]) {
                st = EB_ERR_NOMEM;
                break;
            }
            memcpy(keep[op->out], kin, sizeof(int32_t) * (size_t)nin);
            nkeep[op->out] = nin;
        }
        const int32_t *kout = keep[op->out];
        int32_t nout = nkeep[op->out];
        if (!eb_gop_has_weights(op) || (!kin && !kout))
            continue;
        const eb_gtensor *tin = &g->t[op->in0];
        int32_t oc = eb_gop_out_channels(g, op);
        int32_t new_oc = kout ? nout : oc;
        float *w = NULL, *b = malloc(sizeof(float) * (size_t)new_oc);
        size_t nw = 0;
        if (op->type == EB_OP_DWCONV) {
            int32_t kk = op->k_h * op->k_w;
            nw = (size_t)kk * (size_t)new_oc;
            w = malloc(sizeof(float) * nw);
            if (w && b)
                for (int32_t k = 0; k < kk; k++)
                    for (int32_t c = 0; c < new_oc; c++)
                        w[(size_t)k * new_oc + c] = op->w[(size_t)k * oc + kout[c]];
        } else {
            /* rows: output channels; columns: positions x input channels */
            int64_t row = eb_gop_row_len(g, op);
            int32_t in_c = tin->c;
            int64_t pos = row / in_c; /* k_h*k_w for conv, h*w for fc */
            int32_t new_in = kin ? nin : in_c;
            int64_t new_row = pos * new_in;
            nw = (size_t)new_oc * (size_t)new_row;
            w = malloc(sizeof(float) * nw);
            if (w && b)
                for (int32_t c = 0; c < new_oc; c++) {
                    int32_t sc = kout ? kout[c] : c;
                    for (int64_t p = 0; p < pos; p++)
                        for (int32_t j = 0; j < new_in; j++) {
                            int32_t sj = kin ? kin[j] : j;
                            w[(size_t)c * (size_t)new_row + (size_t)(p * new_in + j)] =
                                op->w[(size_t)sc * (size_t)row + (size_t)(p * in_c + sj)];
                        }
                }
        }
        if (!w || !b) {
            free(w);
            free(b);
            st = EB_ERR_NOMEM;
            break;
        }
        for (int32_t c = 0; c < new_oc; c++)
            b[c] = op->b[kout ? kout[c] : c];
        free(op->w);
        free(op->b);
        op->w = w;
        op->b = b;
    }
    /* 3. shapes */
    if (st == EB_OK)
        for (int32_t t = 0; t < g->nt; t++)
            if (keep[t])
                g->t[t].c = nkeep[t];
done:
    if (keep)
        for (int32_t t = 0; t < g->nt; t++)
            free(keep[t]);
    free(keep);
    free(nkeep);
    return st;
}
