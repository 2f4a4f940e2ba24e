/* mean.c - the graph op mean: the mean over H and W, HxWxC -> 1x1xC (TFLite's MEAN over
 * the spatial axes, keep_dims either way: the bytes are the same). fp32 runs gap_f32
 * (TFLite's float Mean: the sum in order, divided by h * w); int8 mean_s8, TFLite's
 * reference integer Mean (requantize by in/out, then divide by h * w, rounding half away
 * from zero), which is not the global pool's arithmetic. */
#include "eb_gop.h"
#include "eb_quant.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    if (out->h != 1 || out->w != 1 || out->c != in->c || op->act != EB_ACT_NONE)
        return eb_gop_fail(err, errlen, "mean op %d (%s) output is not 1x1xC", i, op->name);
    return EB_OK;
}

static uint64_t work(const eb_graph *g, const eb_gop *op)
{
    return (uint64_t)eb_gtensor_elems(&g->t[op->in0]);
}

/* the multiplier in_scale / out_scale must stay below 2^31 */
static double min_out_scale(const eb_graph *g, const eb_graph *q, const eb_gop *op)
{
    (void)g;
    return q->t[op->in0].scale / 1073741824.0;
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
        if (eb_quantize_multiplier(in->scale / out->scale, &p->mult, &p->shift) != EB_OK)
            return EB_ERR_ARG;
    }
    pp->x->kop = pp->s8 ? EB_KOP_mean_s8 : EB_KOP_gap_f32;
    return eb_gap_validate(p);
}

const eb_gop_desc eb_gop_mean = {
    .name = "mean",
    .inputs = 1,
    .check = check,
    .work = work,
    .min_out_scale = min_out_scale,
    .prepare = prepare,
};
