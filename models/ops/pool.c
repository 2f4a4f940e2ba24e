/* pool.c - the graph ops avgpool and maxpool: a window over each channel; int8 keeps the
 * input's quantization. */
#include "eb_gop.h"
#include "eb_quant.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    eb_pool_params p;
    eb_gop_pool_params(g, op, &p);
    if (g->t[op->out].c != g->t[op->in0].c || eb_pool_validate(&p) != EB_OK)
        return eb_gop_fail(err, errlen, "pool op %d (%s) has inconsistent geometry", i,
                           op->name);
    return EB_OK;
}

/* the ref kernels visit every tap, padding included */
static uint64_t work(const eb_graph *g, const eb_gop *op)
{
    return (uint64_t)eb_gtensor_elems(&g->t[op->out]) * (uint64_t)op->k_h * (uint64_t)op->k_w;
}

static eb_status prepare(eb_gop_prep *pp)
{
    const eb_gop *op = pp->op;
    eb_pool_params *p = &pp->x->p.pool;
    eb_gop_pool_params(pp->g, op, p);
    if (pp->s8) {
        if (pp->out->scale != pp->in->scale || pp->out->zp != pp->in->zp)
            return EB_ERR_ARG; /* int8 pools keep the input's quantization */
        eb_quant_act_range(op->act, pp->out->scale, pp->out->zp, &p->act_min, &p->act_max);
    }
    bool avg = op->type == EB_OP_AVGPOOL;
    pp->x->kop = avg ? (pp->s8 ? EB_KOP_avgpool_s8 : EB_KOP_avgpool_f32)
                     : (pp->s8 ? EB_KOP_maxpool_s8 : EB_KOP_maxpool_f32);
    return eb_pool_validate(p);
}

const eb_gop_desc eb_gop_avgpool = {
    .name = "avgpool",
    .inputs = 1,
    .check = check,
    .work = work,
    .quantize = eb_gop_quantize_as_input,
    .prepare = prepare,
};

const eb_gop_desc eb_gop_maxpool = {
    .name = "maxpool",
    .inputs = 1,
    .check = check,
    .work = work,
    .quantize = eb_gop_quantize_as_input,
    .prepare = prepare,
};
