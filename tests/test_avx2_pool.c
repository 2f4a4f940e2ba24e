/* test_avx2_pool.c - eb_{avg,max}pool_{f32,s8}_avx2 against ref: channel counts of the
 * tail list plus 40 and 64 (full vectors of 8 and 32 and leftovers), 2x2 and 3x3
 * windows, strides 1 and 2, padding on every side (partial windows change the average's
 * divisor), batch 1 and 2, fused activations. Every result must equal ref exactly: the
 * fp32 kernels add in ref's order, and int8 is integer. */
#include "avx2_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 40, 64};
#define NCH (sizeof chans / sizeof chans[0])

typedef struct {
    int32_t in_h, in_w, k_h, k_w, s_h, s_w, pt, pl, pb, pr;
    eb_padding pad;
    int32_t batch;
} geom;

static const geom geoms[] = {
    {7, 11, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1},
    {10, 13, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 2},
    {8, 9, 2, 2, 2, 2, 0, 0, 0, 0, EB_PAD_VALID, 1},
    {6, 10, 3, 3, 1, 2, 2, 0, 1, 2, EB_PAD_EXPLICIT, 1},
    {7, 7, 7, 7, 1, 1, 0, 0, 0, 0, EB_PAD_VALID, 1},
};
#define NGEOM (sizeof geoms / sizeof geoms[0])

static eb_pool_params make_params(const geom *g, int32_t c, eb_act act)
{
    eb_pool_params p = {0};
    p.batch = g->batch;
    p.in_h = g->in_h;
    p.in_w = g->in_w;
    p.c = c;
    p.k_h = g->k_h;
    p.k_w = g->k_w;
    p.stride_h = g->s_h;
    p.stride_w = g->s_w;
    p.pad_top = g->pt;
    p.pad_left = g->pl;
    p.pad_bottom = g->pb;
    p.pad_right = g->pr;
    p.act = act;
    int32_t a = t_randi(-128, 127), b = t_randi(-128, 127);
    p.act_min = act == EB_ACT_NONE ? -128 : (a < b ? a : b);
    p.act_max = act == EB_ACT_NONE ? 127 : (a < b ? b : a);
    cr_assert_eq(eb_pool_out_dims(&p, g->pad), EB_OK);
    cr_assert_eq(eb_pool_validate(&p), EB_OK);
    return p;
}

static void run_all(const eb_pool_params *p)
{
    const size_t nx = (size_t)p->batch * p->in_h * p->in_w * p->c;
    const size_t ny = (size_t)p->batch * p->out_h * p->out_w * p->c;
    float *xf = t_f32(nx, -3.0f, 8.0f);
    int8_t *xs = t_s8(nx, -128, 127);
    float *wf = (float *)t_alloc(ny * sizeof(float)), *gf = (float *)t_alloc(ny * sizeof(float));
    int8_t *ws = (int8_t *)t_alloc(ny), *gs = (int8_t *)t_alloc(ny);
    char what[128];
    snprintf(what, sizeof what, "%dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d", p->in_h, p->in_w,
             p->c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top, p->pad_left,
             p->pad_bottom, p->pad_right);

    t_ref.avgpool_f32.run(p, xf, wf);
    t_avx2.avgpool_f32.run(p, xf, gf);
    cr_assert(memcmp(wf, gf, ny * sizeof(float)) == 0, "avgpool f32 %s differs from ref", what);
    t_ref.maxpool_f32.run(p, xf, wf);
    t_avx2.maxpool_f32.run(p, xf, gf);
    cr_assert(memcmp(wf, gf, ny * sizeof(float)) == 0, "maxpool f32 %s differs from ref", what);
    t_ref.avgpool_s8.run(p, xs, ws);
    t_avx2.avgpool_s8.run(p, xs, gs);
    t_assert_s8_equal(gs, ws, ny, "avgpool s8");
    t_ref.maxpool_s8.run(p, xs, ws);
    t_avx2.maxpool_s8.run(p, xs, gs);
    t_assert_s8_equal(gs, ws, ny, "maxpool s8");
    free(xf), free(xs), free(wf), free(gf), free(ws), free(gs);
}

Test(avx2_pool, all_kinds_tails_and_pads)
{
    t_need_avx2();
    t_seed(41);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (int act = 0; act < 3; act++) {
                eb_pool_params p = make_params(&geoms[g], chans[i], (eb_act)act);
                run_all(&p);
            }
}

/* Averages that land exactly on .5 in both signs: constant windows of 2 values. */
Test(avx2_pool, s8_average_rounds_half_away_from_zero)
{
    t_need_avx2();
    const geom g = {2, 2, 2, 2, 2, 2, 0, 0, 0, 0, EB_PAD_VALID, 1};
    eb_pool_params p = make_params(&g, 16, EB_ACT_NONE);
    int8_t x[4 * 16], want[16], got[16];
    for (int c = 0; c < 16; c++) {
        int v = c - 8; /* windows (v, v, v+1, v+1): mean v + 0.5 */
        x[c] = x[16 + c] = (int8_t)v;
        x[32 + c] = x[48 + c] = (int8_t)(v + 1);
    }
    t_ref.avgpool_s8.run(&p, x, want);
    t_avx2.avgpool_s8.run(&p, x, got);
    t_assert_s8_equal(got, want, 16, "avgpool s8 halves");
    cr_assert_eq(got[0], -8, "-7.5 rounds to -8");
    cr_assert_eq(got[15], 8, "7.5 rounds to 8");
}
