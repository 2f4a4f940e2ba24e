/* concat.c - the graph op concat: y = [in0 in1] along the one axis (h, w or c) where the
 * output is the sum of the inputs and every other axis agrees (shapes decide it, so the
 * op needs no attribute: two axes cannot both add up). More inputs are a chain of
 * concats. int8: an input with the output's quantization is copied (TFLite's int8
 * CONCATENATION requires it of every input, so imported models copy), another is
 * requantized (edgebench's own int8 quantization gives each input its range). */
#include <stddef.h>

#include "eb_gop.h"
#include "eb_quant.h"

/* The axis (0 h, 1 w, 2 c) and the kernel's rows, or false. */
static bool geometry(const eb_gtensor *a, const eb_gtensor *b, const eb_gtensor *y,
                     eb_concat_params *p)
{
    const int32_t da[3] = {a->h, a->w, a->c}, db[3] = {b->h, b->w, b->c};
    const int32_t dy[3] = {y->h, y->w, y->c};
    for (int ax = 0; ax < 3; ax++) {
        bool ok = (int64_t)da[ax] + db[ax] == dy[ax];
        for (int k = 0; k < 3 && ok; k++)
            if (k != ax)
                ok = da[k] == dy[k] && db[k] == dy[k];
        if (!ok)
            continue;
        int64_t outer = 1, inner = 1;
        for (int k = 0; k < ax; k++)
            outer *= dy[k];
        for (int k = ax + 1; k < 3; k++)
            inner *= dy[k];
        p->outer = (int32_t)outer;
        p->a_inner = (int32_t)(inner * da[ax]);
        p->b_inner = (int32_t)(inner * db[ax]);
        return true;
    }
    return false;
}

static eb_status check(const eb_graph *g, int32_t i, char *err, size_t errlen)
{
    const eb_gop *op = &g->op[i];
    eb_concat_params p;
    memset(&p, 0, sizeof p);
    if (op->act != EB_ACT_NONE ||
        !geometry(&g->t[op->in0], &g->t[op->in1], &g->t[op->out], &p) ||
        eb_concat_validate(&p) != EB_OK)
        return eb_gop_fail(err, errlen, "concat op %d (%s) output is not its inputs joined "
                           "along one axis", i, op->name);
    return EB_OK;
}

/* one input's int8 part: a copy, or the requantization to the output's scale */
static eb_status part(const eb_gtensor *in, const eb_gtensor *out, int32_t *requant,
                      int32_t *zp, int32_t *mult, int32_t *shift)
{
    *zp = in->zp;
    *requant = in->scale != out->scale || in->zp != out->zp;
    *mult = *shift = 0;
    return *requant ? eb_quantize_multiplier(in->scale / out->scale, mult, shift) : EB_OK;
}

static eb_status prepare(eb_gop_prep *pp)
{
    eb_concat_params *p = &pp->x->p.concat;
    if (!geometry(pp->in, pp->in1, pp->out, p))
        return EB_ERR_ARG;
    memset(&p->a_requant, 0, sizeof *p - offsetof(eb_concat_params, a_requant));
    if (pp->s8) {
        p->out_zp = pp->out->zp;
        if (part(pp->in, pp->out, &p->a_requant, &p->a_zp, &p->a_mult, &p->a_shift) != EB_OK ||
            part(pp->in1, pp->out, &p->b_requant, &p->b_zp, &p->b_mult, &p->b_shift) != EB_OK)
            return EB_ERR_ARG;
    }
    pp->x->kop = pp->s8 ? EB_KOP_concat_s8 : EB_KOP_concat_f32;
    return eb_concat_validate(p);
}

const eb_gop_desc eb_gop_concat = {
    .name = "concat",
    .inputs = 2,
    .check = check,
    .prepare = prepare,
};
