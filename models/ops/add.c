/* add.c - the graph ops add and sub: two activations of one shape; int8 as TFLite's ADD
 * and SUB (SUB is ADD's arithmetic with the second input's multiplier negated, which its
 * kernel does: both prepare the same parameters). */
#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    if (!eb_same_shape(in, &g->t[op->in1]) || !eb_same_shape(in, out))
        return eb_gop_fail(err, errlen, "%s op %d (%s) has mismatched shapes",
                           op->type == EB_OP_SUB ? "sub" : "add", i, op->name);
    return EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_add_params *p = &pp->x->p.add;
    memset(p, 0, sizeof *p);
    if (pp->s8) {
        eb_status st = eb_add_s8_prepare(p, pp->in->scale, pp->in->zp, pp->in1->scale,
                                         pp->in1->zp, pp->out->scale, pp->out->zp,
                                         pp->op->act);
        if (st != EB_OK)
            return st;
    }
    p->size = (int32_t)eb_gtensor_elems(pp->out);
    p->act = pp->op->act;
    if (pp->op->type == EB_OP_SUB)
        pp->x->kop = pp->s8 ? EB_KOP_sub_s8 : EB_KOP_sub_f32;
    else
        pp->x->kop = pp->s8 ? EB_KOP_add_s8 : EB_KOP_add_f32;
    return eb_add_validate(p);
}

const eb_gop_desc eb_gop_add = {
    .name = "add",
    .inputs = 2,
    .check = check,
    .prepare = prepare,
};

const eb_gop_desc eb_gop_sub = {
    .name = "sub",
    .inputs = 2,
    .check = check,
    .prepare = prepare,
};
