/* executor.c - contexts (arena + scratch) and running a model's ops in order. */
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_rng.h"

eb_status eb_context_create(const eb_model *m, eb_context **out)
{
    if (!m || !out)
        return EB_ERR_ARG;
    *out = NULL;
    eb_context *c = calloc(1, sizeof *c);
    if (!c)
        return EB_ERR_NOMEM;
    uint64_t arena = m->info.arena_bytes, scratch = m->info.scratch_bytes;
    uint64_t total = arena + scratch;
    if (total > SIZE_MAX - EB_ARENA_ALIGN) {
        free(c);
        return EB_ERR_NOMEM;
    }
    /* One block; zeroed so that a run before fill_input reads defined values. */
    c->mem = aligned_alloc(EB_ARENA_ALIGN, total ? (size_t)total : EB_ARENA_ALIGN);
    if (!c->mem) {
        free(c);
        return EB_ERR_NOMEM;
    }
    memset(c->mem, 0, total ? (size_t)total : EB_ARENA_ALIGN);
    c->m = m;
    c->arena = c->mem;
    c->scratch = scratch ? c->arena + arena : NULL;
    *out = c;
    return EB_OK;
}

void eb_context_free(eb_context *c)
{
    if (!c)
        return;
    free(c->mem);
    free(c);
}

void *eb_context_input(eb_context *c)
{
    return c->arena + c->m->g->t[c->m->g->input].offset;
}

const void *eb_context_output(const eb_context *c)
{
    return c->arena + c->m->g->t[c->m->g->output].offset;
}

/* One call helper per kernel signature, passing what its row in eb_ops.inc lists. */
#define X_P xp
#define X_RQ (&x->rq)
#define X_CSR (&x->csr)
#define X_W x->w
#define X_B x->b
#define X_PACKED x->packed
#define X_IN0 in0
#define X_IN1 in1
#define X_OUT out
#define X_SCRATCH scratch
#define EB_KPARAMS(...)
#define EB_OP(...)
#define EB_KCLASS(cls, P, member, run_args, call)                                          \
    static inline void call_##cls(eb_##cls##_run_fn *fn, const eb_xop *x, const void *in0, \
                                  const void *in1, void *out, void *scratch)               \
    {                                                                                      \
        const P *xp = &x->p.member;                                                        \
        (void)in1;                                                                         \
        (void)scratch;                                                                     \
        fn call;                                                                           \
    }
#define EB_KCLASS_PACKED(cls, P, member, pack_args, run_args, call)                        \
    EB_KCLASS(cls, P, member, run_args, call)
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)

static inline void run_op(const eb_kernel_set *ks, const eb_xop *x, uint8_t *a, void *scratch)
{
    const void *in0 = a + x->in0;
    const void *in1 = a + x->in1;
    void *out = a + x->out;
    switch (x->kop) {
#define EB_OP(id, op, dtype, cls)                                                          \
    case EB_KOP_##id: call_##cls(ks->id.run, x, in0, in1, out, scratch); break;
#include "eb_ops.inc"
#undef EB_OP
    case EB_KOP_COUNT: break;
    }
}
#undef EB_KPARAMS
#undef EB_KCLASS
#undef EB_KCLASS_PACKED

void eb_context_run(eb_context *c)
{
    const eb_model *m = c->m;
    const int32_t n = m->g->nops;
    for (int32_t i = 0; i < n; i++)
        run_op(&m->ks, &m->x[i], c->arena, c->scratch);
}

void eb_context_run_hooked(eb_context *c, eb_op_hook hook, void *user)
{
    const eb_model *m = c->m;
    const int32_t n = m->g->nops;
    for (int32_t i = 0; i < n; i++) {
        hook(user, i, 0);
        run_op(&m->ks, &m->x[i], c->arena, c->scratch);
        hook(user, i, 1);
    }
}

/* ---- deterministic inputs ---------------------------------------------------------- */

/* A smooth random field (a coarse grid per channel, bilinearly interpolated) plus
 * noise, so that different inputs differ in their large-scale structure as images do.
 * Only exact or correctly rounded double arithmetic: the same values everywhere. */
void eb_gen_input(uint32_t index, int32_t h, int32_t w, int32_t c, float *out)
{
    enum { G = 4 };
    eb_rng r;
    eb_rng_seed(&r, UINT64_C(0x6564676562656e63) ^ ((uint64_t)index * UINT64_C(0x9E3779B1)));
    int32_t gh = h < G ? h : G, gw = w < G ? w : G;
    /* image-level statistics differ between inputs too (contrast, texture, offset), as
     * between real images; they are what survives to a network's pooled features */
    double amp = 0.2 + 0.8 * eb_rng_uniform(&r);
    double noise = 0.05 + 0.45 * eb_rng_uniform(&r);
    double offset = 0.6 * eb_rng_uniform(&r) - 0.3;
    /* coarse grid of up to 4 channels at a time, channels innermost */
    double cell[G * G * 4];
    for (int32_t ch0 = 0; ch0 < c; ch0 += 4) {
        int32_t nch = c - ch0 < 4 ? c - ch0 : 4;
        for (int32_t i = 0; i < gh * gw * nch; i++)
            cell[i] = offset + amp * (eb_rng_uniform(&r) * 1.5 - 0.75);
        for (int32_t y = 0; y < h; y++) {
            double fy = gh > 1 && h > 1 ? (double)y * (gh - 1) / (h - 1) : 0.0;
            int32_t y0 = (int32_t)fy;
            if (y0 >= gh - 1)
                y0 = gh > 1 ? gh - 2 : 0;
            double ty = gh > 1 ? fy - y0 : 0.0;
            int32_t y1 = gh > 1 ? y0 + 1 : 0;
            for (int32_t x = 0; x < w; x++) {
                double fx = gw > 1 && w > 1 ? (double)x * (gw - 1) / (w - 1) : 0.0;
                int32_t x0 = (int32_t)fx;
                if (x0 >= gw - 1)
                    x0 = gw > 1 ? gw - 2 : 0;
                double tx = gw > 1 ? fx - x0 : 0.0;
                int32_t x1 = gw > 1 ? x0 + 1 : 0;
                for (int32_t k = 0; k < nch; k++) {
                    double v00 = cell[(y0 * gw + x0) * nch + k];
                    double v01 = cell[(y0 * gw + x1) * nch + k];
                    double v10 = cell[(y1 * gw + x0) * nch + k];
                    double v11 = cell[(y1 * gw + x1) * nch + k];
                    double top = v00 + (v01 - v00) * tx, bot = v10 + (v11 - v10) * tx;
                    double v = top + (bot - top) * ty;
                    v += noise * (eb_rng_uniform(&r) * 2.0 - 1.0);
                    double q = v * 128.0;
                    q = q < 0 ? -(double)(int64_t)(-q + 0.5) : (double)(int64_t)(q + 0.5);
                    if (q < -128)
                        q = -128;
                    if (q > 127)
                        q = 127;
                    out[((size_t)y * w + x) * c + ch0 + k] = (float)(q / 128.0);
                }
            }
        }
    }
}

void eb_context_fill_input(eb_context *c, uint32_t index)
{
    const eb_graph *g = c->m->g;
    const eb_gtensor *t = &g->t[g->input];
    size_t n = (size_t)eb_gtensor_elems(t);
    void *dst = eb_context_input(c);
    if (g->dtype == EB_F32) {
        eb_gen_input(index, t->h, t->w, t->c, dst);
        return;
    }
    /* int8: the same floats, quantized with the input's scale and zero point. Filling
     * is outside any timed region, so a temporary is fine. */
    int8_t *q = dst;
    float *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        memset(q, 0, n); /* out of memory: a defined (zero) input */
        return;
    }
    eb_gen_input(index, t->h, t->w, t->c, tmp);
    for (size_t i = 0; i < n; i++) {
        double v = (double)tmp[i] / t->scale;
        v = v < -1e6 ? -1e6 : (v > 1e6 ? 1e6 : v);
        v = v < 0 ? -(double)(int64_t)(-v + 0.5) : (double)(int64_t)(v + 0.5);
        v += t->zp;
        q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
    free(tmp);
}
