/* repeat.c - the graph op repeat: every channel of HxWxC repeated M = out_c / in_c times
 * in place, HxWx(C*M) (what a depthwise convolution with depth multiplier M reads: the
 * importer puts one before a multiplier-1 depthwise over C*M channels). int8 keeps the
 * input's quantization. */
#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    if (out->h != in->h || out->w != in->w || out->c % in->c != 0 || op->act != EB_ACT_NONE)
        return eb_gop_fail(err, errlen, "repeat op %d (%s) output is not its input's channels "
                           "repeated", i, op->name);
    return EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_repeat_params *p = &pp->x->p.repeat;
    p->outer = pp->in->h * pp->in->w;
    p->c = pp->in->c;
    p->times = pp->out->c / pp->in->c;
    if (pp->s8 && (pp->in->scale != pp->out->scale || pp->in->zp != pp->out->zp))
        return EB_ERR_ARG;
    pp->x->kop = pp->s8 ? EB_KOP_repeat_s8 : EB_KOP_repeat_f32;
    return eb_repeat_validate(p);
}

const eb_gop_desc eb_gop_repeat = {
    .name = "repeat",
    .inputs = 1,
    .check = check,
    .quantize = eb_gop_quantize_as_input,
    .prepare = prepare,
};
