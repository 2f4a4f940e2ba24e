/* mul.c - the graph op mul: in1 of the same shape, 1x1x1, or 1x1xC (one factor per
 * channel); int8 as TFLite's MUL. */
#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *b = &g->t[op->in1], *out = &g->t[op->out];
    bool bshape = eb_same_shape(in, b) || (b->h == 1 && b->w == 1 && (b->c == 1 || b->c == in->c));
    if (!bshape || !eb_same_shape(in, out))
        return eb_gop_fail(err, errlen, "mul op %d (%s) has mismatched shapes", i, op->name);
    return EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_mul_params *p = &pp->x->p.mul;
    memset(p, 0, sizeof *p);
    if (pp->s8) {
        eb_status st = eb_mul_s8_prepare(p, pp->in->scale, pp->in->zp, pp->in1->scale,
                                         pp->in1->zp, pp->out->scale, pp->out->zp,
                                         pp->op->act);
        if (st != EB_OK)
            return st;
    }
    p->size = (int32_t)eb_gtensor_elems(pp->out);
    p->b_size = (int32_t)eb_gtensor_elems(pp->in1);
    p->act = pp->op->act;
    pp->x->kop = pp->s8 ? EB_KOP_mul_s8 : EB_KOP_mul_f32;
    return eb_mul_validate(p);
}

const eb_gop_desc eb_gop_mul = {
    .name = "mul",
    .inputs = 2,
    .check = check,
    .prepare = prepare,
};
