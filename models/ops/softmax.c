/* softmax.c - the graph op softmax over the channels, beta 1. int8 output is scale 1/256,
 * zero point -128 (the spec), computed with edgebench's exp table (softmax_s8) or, with
 * the op's tfl_softmax flag (imported models), TFLite's reference arithmetic
 * (softmax_tfl_s8). */
#include <stdlib.h>

#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    if (!eb_same_shape(&g->t[op->in0], &g->t[op->out]) || op->act != EB_ACT_NONE)
        return eb_gop_fail(err, errlen, "softmax op %d (%s) has a bad shape or activation", i,
                           op->name);
    return EB_OK;
}

static const char *type_name(const eb_gop *op)
{
    return op->tfl_softmax ? "softmax_tfl" : "softmax";
}

static void quantize(const eb_graph *g, eb_graph *q, const eb_gop *op)
{
    (void)g;
    q->t[op->out].scale = 1.0 / 256.0;
    q->t[op->out].zp = -128;
}

static eb_status prepare(eb_gop_prep *pp)
{
    const eb_gtensor *in = pp->in, *out = pp->out;
    eb_xop *x = pp->x;
    eb_softmax_params *p = &x->p.sm;
    memset(p, 0, sizeof *p);
    p->rows = in->h * in->w;
    p->depth = in->c;
    p->beta = 1.0f;
    eb_status st;
    if (pp->s8 && pp->op->tfl_softmax) {
        if (out->scale != 1.0 / 256.0 || out->zp != -128)
            return EB_ERR_ARG;
        st = eb_softmax_tfl_s8_prepare(p, in->scale, 1.0);
        if (st != EB_OK)
            return st;
        p->rows = in->h * in->w;
        p->depth = in->c;
        x->kop = EB_KOP_softmax_tfl_s8;
        return eb_softmax_tfl_s8_validate(p);
    }
    if (pp->s8) {
        if (out->scale != 1.0 / 256.0 || out->zp != -128)
            return EB_ERR_ARG; /* int8 softmax output is fixed by the spec */
        x->exp_table = malloc(256 * sizeof(uint32_t));
        if (!x->exp_table)
            return EB_ERR_NOMEM;
        st = eb_softmax_s8_prepare(p, in->scale, 1.0, x->exp_table);
        if (st != EB_OK)
            return st;
    }
    x->kop = pp->s8 ? EB_KOP_softmax_s8 : EB_KOP_softmax_f32;
    return eb_softmax_validate(p, pp->g->dtype);
}

const eb_gop_desc eb_gop_softmax = {
    .name = "softmax",
    .inputs = 1,
    .type_name = type_name,
    .check = check,
    .quantize = quantize,
    .prepare = prepare,
};
