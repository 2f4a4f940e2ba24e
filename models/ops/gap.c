/* gap.c - the graph op gap: global average pool, HxWxC -> 1x1xC; int8 requantizes the
 * sum (TFLite MEAN). */
#include "eb_gop.h"
#include "eb_quant.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    if (out->h != 1 || out->w != 1 || out->c != in->c)
        return eb_gop_fail(err, errlen, "global pool op %d (%s) output is not 1x1xC", i,
                           op->name);
    return EB_OK;
}

static uint64_t work(const eb_graph *g, const eb_gop *op)
{
    return (uint64_t)eb_gtensor_elems(&g->t[op->in0]);
}

/* the multiplier in_scale / (out_scale * pixels) must stay below 2^31 */
static double min_out_scale(const eb_graph *g, const eb_graph *q, const eb_gop *op)
{
    const eb_gtensor *in = &g->t[op->in0];
    return q->t[op->in0].scale / ((double)in->h * (double)in->w * 1073741824.0);
}

static eb_status prepare(eb_gop_prep *pp)
{
    const eb_gtensor *in = pp->in, *out = pp->out;
    eb_gap_params *p = &pp->x->p.gap;
    memset(p, 0, sizeof *p);
    p->batch = 1;
    p->h = in->h;
    p->w = in->w;
    p->c = in->c;
    p->act_min = -128;
    p->act_max = 127;
    if (pp->s8) {
        p->in_zp = in->zp;
        p->out_zp = out->zp;
        double real = in->scale / (out->scale * (double)in->h * (double)in->w);
        eb_status st = eb_quantize_multiplier(real, &p->mult, &p->shift);
        if (st != EB_OK)
            return st;
        eb_quant_act_range(pp->op->act, out->scale, out->zp, &p->act_min, &p->act_max);
    }
    pp->x->kop = pp->s8 ? EB_KOP_gap_s8 : EB_KOP_gap_f32;
    return eb_gap_validate(p);
}

const eb_gop_desc eb_gop_gap = {
    .name = "gap",
    .inputs = 1,
    .check = check,
    .work = work,
    .min_out_scale = min_out_scale,
    .prepare = prepare,
};
