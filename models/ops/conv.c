/* conv.c - the graph ops conv2d and dwconv (depthwise, multiplier 1): weights OHWI /
 * [k_h][k_w][c], one bias per output channel, the conv_f32/conv_s8 kernels. */
#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0];
    eb_conv_params p;
    eb_gop_conv_params(g, op, &p);
    eb_status st = op->type == EB_OP_CONV2D ? eb_conv2d_validate(&p) : eb_dwconv_validate(&p);
    if (st != EB_OK)
        return eb_gop_fail(err, errlen, "op %d (%s) has inconsistent convolution geometry", i,
                           op->name);
    if (op->sparse && (op->k_h != 1 || op->k_w != 1 || op->stride_h != 1 ||
                       op->stride_w != 1 || op->pad_top || op->pad_left || op->pad_bottom ||
                       op->pad_right || in->c > 65535))
        return eb_gop_fail(err, errlen, "sparse op %d (%s) is not a 1x1 stride-1 convolution",
                           i, op->name);
    return EB_OK;
}

static int64_t row_conv2d(const eb_graph *g, const eb_gop *op)
{
    return (int64_t)op->k_h * op->k_w * g->t[op->in0].c;
}

static int64_t row_dwconv(const eb_graph *g, const eb_gop *op)
{
    (void)g;
    return (int64_t)op->k_h * op->k_w;
}

static uint64_t macs(const eb_graph *g, const eb_gop *op)
{
    const eb_gtensor *out = &g->t[op->out];
    return (uint64_t)out->h * (uint64_t)out->w * (uint64_t)eb_gop_dense_weights(g, op);
}

static const char *type_conv2d(const eb_gop *op)
{
    return op->sparse ? "conv2d_sparse" : "conv2d";
}

static eb_status prepare(eb_gop_prep *pp)
{
    const eb_gop *op = pp->op;
    eb_xop *x = pp->x;
    eb_conv_params *p = &x->p.conv;
    eb_gop_conv_params(pp->g, op, p);
    bool dw = op->type == EB_OP_DWCONV;
    eb_status st = dw ? eb_dwconv_validate(p) : eb_conv2d_validate(p);
    if (st != EB_OK)
        return st;
    if (pp->s8) {
        const eb_conv_s8_kernel *k = dw ? &pp->ks->dwconv_s8 : &pp->ks->conv2d_s8;
        x->kop = dw ? EB_KOP_dwconv_s8 : EB_KOP_conv2d_s8;
        EB_GOP_PACK(pp, *k, p, &x->rq, op->wq, op->bq);
    } else {
        const eb_conv_f32_kernel *k = dw ? &pp->ks->dwconv_f32 : &pp->ks->conv2d_f32;
        x->kop = dw ? EB_KOP_dwconv_f32 : EB_KOP_conv2d_f32;
        EB_GOP_PACK(pp, *k, p, op->w);
    }
    return EB_OK;
}

const eb_gop_desc eb_gop_conv2d = {
    .name = "conv2d",
    .inputs = 1,
    .weights = true,
    .sparse_ok = true,
    .type_name = type_conv2d,
    .check = check,
    .row_len = row_conv2d,
    .macs = macs,
    .prepare = prepare,
};

const eb_gop_desc eb_gop_dwconv = {
    .name = "dwconv",
    .inputs = 1,
    .weights = true,
    .check = check,
    .row_len = row_dwconv,
    .macs = macs,
    .prepare = prepare,
};
