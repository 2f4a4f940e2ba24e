/* fc.c - the graph op fc: fully connected over the whole input, weights [out][in]. */
#include "eb_gop.h"

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    const eb_gtensor *out = &g->t[op->out];
    if (out->h != 1 || out->w != 1)
        return eb_gop_fail(err, errlen, "fully-connected op %d (%s) output is not 1x1xN", i,
                           op->name);
    eb_fc_params p;
    eb_gop_fc_params(g, op, &p);
    if (eb_fc_validate(&p) != EB_OK || (op->sparse && p.in_features > 65535))
        return eb_gop_fail(err, errlen, "fully-connected op %d (%s) has bad sizes", i,
                           op->name);
    return EB_OK;
}

static int64_t row_len(const eb_graph *g, const eb_gop *op)
{
    return eb_gtensor_elems(&g->t[op->in0]);
}

static uint64_t macs(const eb_graph *g, const eb_gop *op)
{
    return (uint64_t)eb_gop_dense_weights(g, op);
}

static const char *type_name(const eb_gop *op)
{
    return op->sparse ? "fc_sparse" : "fc";
}

static eb_status prepare(eb_gop_prep *pp)
{
    const eb_gop *op = pp->op;
    eb_xop *x = pp->x;
    eb_fc_params *p = &x->p.fc;
    eb_gop_fc_params(pp->g, op, p);
    eb_status st = eb_fc_validate(p);
    if (st != EB_OK)
        return st;
    if (pp->s8) {
        x->kop = EB_KOP_fc_s8;
        EB_GOP_PACK(pp, pp->ks->fc_s8, p, &x->rq, op->wq, op->bq);
    } else {
        x->kop = EB_KOP_fc_f32;
        EB_GOP_PACK(pp, pp->ks->fc_f32, p, op->w);
    }
    return EB_OK;
}

const eb_gop_desc eb_gop_fc = {
    .name = "fc",
    .inputs = 1,
    .weights = true,
    .sparse_ok = true,
    .type_name = type_name,
    .check = check,
    .row_len = row_len,
    .macs = macs,
    .prepare = prepare,
};
