/* test_avx512_dwconv.c - depthwise of the avx512 set against ref (int8:
 * eb_dwconv_s8_avx512; fp32 stays the AVX2 kernel and is checked through the set too):
 * channel counts 1..64 of the tail list (a masked partial block of 64), 100 and 128,
 * 3x3 stride 1 and 2, other windows (5x3 = 15 taps, not a multiple of 4; 1x1; 9x9 =
 * 81 taps, over the 64-tap limit, so ref), padding on every side, widths not a multiple
 * of 8, batch 1 and 2. int8 bit-exact; fp32 within EB_T_F32_TOL of each sum's
 * magnitude. Same shapes as test_avx2_dwconv.c, plus the pixel groups of C | 64. */
#include "avx512_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NCH (sizeof chans / sizeof chans[0])

typedef struct {
    int32_t in_h, in_w, k_h, k_w, s_h, s_w, pt, pl, pb, pr;
    eb_padding pad;
    int32_t batch;
} geom;

static const geom geoms[] = {
    {7, 11, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1}, /* MobileNet dw s1 */
    {10, 13, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1},    /* dw s2 SAME: bottom/right */
    {9, 9, 3, 3, 2, 2, 1, 1, 1, 1, EB_PAD_EXPLICIT, 2},  /* s2 pad all sides, batch 2 */
    {6, 10, 3, 3, 1, 1, 2, 0, 1, 2, EB_PAD_EXPLICIT, 1}, /* uneven pads */
    {8, 12, 5, 3, 2, 1, 4, 2, 3, 1, EB_PAD_EXPLICIT, 1}, /* 5x3 (15 taps, odd) */
    {5, 6, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1},
    {11, 10, 9, 9, 1, 1, 4, 4, 4, 4, EB_PAD_EXPLICIT, 1}, /* 81 taps: plain route */
    {3, 3, 3, 3, 1, 1, 0, 0, 0, 0, EB_PAD_VALID, 1},      /* one output pixel */
};
#define NGEOM (sizeof geoms / sizeof geoms[0])

static eb_conv_params make_params(const geom *g, int32_t c, eb_act act)
{
    eb_conv_params p = {0};
    p.batch = g->batch;
    p.in_h = g->in_h;
    p.in_w = g->in_w;
    p.in_c = p.out_c = c;
    p.k_h = g->k_h;
    p.k_w = g->k_w;
    p.stride_h = g->s_h;
    p.stride_w = g->s_w;
    p.pad_top = g->pt;
    p.pad_left = g->pl;
    p.pad_bottom = g->pb;
    p.pad_right = g->pr;
    p.act = act;
    cr_assert_eq(eb_conv_out_dims(&p, g->pad), EB_OK);
    cr_assert_eq(eb_dwconv_validate(&p), EB_OK);
    return p;
}

static size_t in_size(const eb_conv_params *p)
{
    return (size_t)p->batch * p->in_h * p->in_w * p->in_c;
}

static size_t out_size(const eb_conv_params *p)
{
    return (size_t)p->batch * p->out_h * p->out_w * p->out_c;
}

static double *magnitudes(const eb_conv_params *p, const float *x, const float *w,
                          const float *bias)
{
    double *mag = (double *)t_alloc(out_size(p) * sizeof(double));
    size_t o = 0;
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t oy = 0; oy < p->out_h; oy++)
            for (int32_t ox = 0; ox < p->out_w; ox++)
                for (int32_t c = 0; c < p->in_c; c++, o++) {
                    double s = bias ? fabs(bias[c]) : 0.0;
                    for (int32_t ky = 0; ky < p->k_h; ky++)
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            int32_t iy = oy * p->stride_h - p->pad_top + ky;
                            int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                continue;
                            s += fabs((double)x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c + c] *
                                      w[((size_t)ky * p->k_w + kx) * p->in_c + c]);
                        }
                    mag[o] = s;
                }
    return mag;
}

static void check_f32(const eb_conv_params *p, int with_bias)
{
    float *x = t_f32(in_size(p), -1.0f, 1.0f);
    float *w = t_f32((size_t)p->k_h * p->k_w * p->in_c, -1.0f, 1.0f);
    float *bias = with_bias ? t_f32((size_t)p->in_c, -1.0f, 1.0f) : NULL;
    float *want = (float *)t_alloc(out_size(p) * sizeof(float));
    float *got = (float *)t_alloc(out_size(p) * sizeof(float));
    const eb_conv_f32_kernel *k = &t_fast.dwconv_f32;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, w, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.dwconv_f32.run(p, x, w, bias, NULL, want, NULL);
    k->run(p, x, w, bias, packed, got, scratch);
    double *mag = magnitudes(p, x, w, bias);
    char what[160];
    snprintf(what, sizeof what, "dwconv f32 %dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d act %d",
             p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top,
             p->pad_left, p->pad_bottom, p->pad_right, p->act);
    t_assert_f32_close(got, want, mag, out_size(p), what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch), free(mag);
}

static void check_s8(const eb_conv_params *p, int with_bias)
{
    int8_t *x = t_s8(in_size(p), -128, 127);
    int8_t *w = t_s8((size_t)p->k_h * p->k_w * p->in_c, -127, 127);
    int32_t *bias = with_bias ? t_s32((size_t)p->in_c, -50000, 50000) : NULL;
    t_requant rq = t_make_requant(p->in_c);
    cr_assert_eq(eb_requant_validate(&rq.q, p->in_c), EB_OK);
    int8_t *want = (int8_t *)t_alloc(out_size(p));
    int8_t *got = (int8_t *)t_alloc(out_size(p));
    const eb_conv_s8_kernel *k = &t_fast.dwconv_s8;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, &rq.q, w, bias, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.dwconv_s8.run(p, &rq.q, x, w, bias, NULL, want, NULL);
    k->run(p, &rq.q, x, w, bias, packed, got, scratch);
    char what[160];
    snprintf(what, sizeof what, "dwconv s8 %dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d zp %d",
             p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top,
             p->pad_left, p->pad_bottom, p->pad_right, rq.q.in_zp);
    t_assert_s8_equal(got, want, out_size(p), what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch);
    t_free_requant(&rq);
}

Test(avx512_dwconv, f32_tails_all_geometries)
{
    t_need_avx512();
    t_seed(11);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++) {
            eb_conv_params p = make_params(&geoms[g], chans[i], (eb_act)((g + i) % 3));
            check_f32(&p, i % 3 != 0);
        }
}

Test(avx512_dwconv, s8_tails_all_geometries)
{
    t_need_avx512();
    t_seed(12);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (int rep = 0; rep < 3; rep++) { /* fresh zero points and requant each time */
                eb_conv_params p = make_params(&geoms[g], chans[i], EB_ACT_NONE);
                check_s8(&p, (i + rep) % 3 != 0);
            }
}

/* Larger layers: a MobileNet dw 3x3 s1 and s2 slice, and 40 channels (2 fast blocks +
 * a leftover of 8) on a wide row. */
Test(avx512_dwconv, mobilenet_like)
{
    t_need_avx512();
    t_seed(13);
    const geom g1 = {28, 28, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1};
    const geom g2 = {28, 27, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1};
    const int32_t cs[] = {128, 40, 100};
    for (int i = 0; i < 3; i++) {
        eb_conv_params p1 = make_params(&g1, cs[i], EB_ACT_RELU6);
        eb_conv_params p2 = make_params(&g2, cs[i], EB_ACT_RELU);
        check_f32(&p1, 1);
        check_f32(&p2, 1);
        check_s8(&p1, 1);
        check_s8(&p2, 1);
    }
}

/* Channel counts that divide 64 run 64 / C interior pixels per block (stride 1): rows
 * wide enough for several such groups plus leftovers at both borders and the row end. */
Test(avx512_dwconv, s8_pixel_groups)
{
    t_need_avx512();
    t_seed(14);
    const geom gs[] = {{5, 70, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 2},
                       {6, 37, 3, 3, 1, 1, 0, 2, 1, 0, EB_PAD_EXPLICIT, 1},
                       {7, 29, 5, 3, 1, 1, 2, 1, 2, 1, EB_PAD_EXPLICIT, 1},
                       {9, 40, 3, 3, 2, 2, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1}}; /* s2: no groups */
    const int32_t cs[] = {1, 2, 4, 8, 16, 32};
    for (size_t g = 0; g < sizeof gs / sizeof gs[0]; g++)
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
            eb_conv_params p = make_params(&gs[g], cs[i], EB_ACT_NONE);
            check_s8(&p, (g + i) % 2);
        }
}
