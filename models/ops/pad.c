/* pad.c - the graph op pad: constant padding of H and W by the op's pad_top, pad_left,
 * pad_bottom and pad_right, with 0 (fp32) or the quantized 0, the output zero point
 * (int8, as TFLite's PAD; the output keeps the input's quantization). */
#include "eb_gop.h"

static void params(const eb_graph *g, const eb_gop *op, eb_pad_params *p)
{
    const eb_gtensor *in = &g->t[op->in0];
    memset(p, 0, sizeof *p);
    p->in_h = in->h;
    p->in_w = in->w;
    p->c = in->c;
    p->pad_top = op->pad_top;
    p->pad_left = op->pad_left;
    p->pad_bottom = op->pad_bottom;
    p->pad_right = op->pad_right;
}

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    eb_pad_params p;
    params(g, op, &p);
    if (op->act != EB_ACT_NONE || eb_pad_validate(&p) != EB_OK || out->c != in->c ||
        (int64_t)out->h != (int64_t)in->h + op->pad_top + op->pad_bottom ||
        (int64_t)out->w != (int64_t)in->w + op->pad_left + op->pad_right)
        return eb_gop_fail(err, errlen, "pad op %d (%s) output is not its input padded by "
                           "t%d l%d b%d r%d", i, op->name, (int)op->pad_top,
                           (int)op->pad_left, (int)op->pad_bottom, (int)op->pad_right);
    return EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_pad_params *p = &pp->x->p.pad;
    params(pp->g, pp->op, p);
    if (pp->s8) {
        if (pp->in->scale != pp->out->scale || pp->in->zp != pp->out->zp)
            return EB_ERR_ARG; /* int8 pad keeps the input's quantization */
        p->qvalue = pp->out->zp;
    }
    pp->x->kop = pp->s8 ? EB_KOP_pad_s8 : EB_KOP_pad_f32;
    return eb_pad_validate(p);
}

const eb_gop_desc eb_gop_pad = {
    .name = "pad",
    .inputs = 1,
    .check = check,
    .quantize = eb_gop_quantize_as_input,
    .prepare = prepare,
};
