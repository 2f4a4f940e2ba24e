/* test_avx512_conv2d.c - eb_conv2d_{f32,s8}_avx512 against ref: every channel count of the
 * tail list on both sides, 1x1 (direct GEMM) and windowed (im2col) geometries, strides
 * 1 and 2, padding on every side (asymmetric too), widths not a multiple of 8, batch 1
 * and 2, and shapes large enough for several row blocks. int8 must be bit-exact; fp32
 * within EB_T_F32_TOL of the magnitude of each sum (see avx512_test_util.h). */
#include "avx512_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NCH (sizeof chans / sizeof chans[0])

typedef struct {
    int32_t in_h, in_w, k_h, k_w, s_h, s_w, pt, pl, pb, pr;
    eb_padding pad; /* SAME/VALID resolve the pads; EXPLICIT uses them */
    int32_t batch;
} geom;

static const geom geoms[] = {
    {5, 11, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1}, /* direct 1x1 */
    {3, 5, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 2},  /* direct 1x1, batch 2 */
    {9, 13, 1, 1, 2, 2, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1}, /* 1x1 stride 2 */
    {7, 10, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1}, /* 3x3 pad 1 all sides */
    {8, 10, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1},     /* 3x3 s2 SAME: bottom/right */
    {6, 9, 3, 3, 1, 1, 2, 0, 1, 2, EB_PAD_EXPLICIT, 2},  /* uneven pads, batch 2 */
    {8, 12, 5, 3, 2, 1, 3, 2, 4, 1, EB_PAD_EXPLICIT, 1}, /* 5x3, mixed strides */
    {7, 11, 2, 2, 2, 2, 0, 0, 0, 0, EB_PAD_VALID, 1},
};
#define NGEOM (sizeof geoms / sizeof geoms[0])

static eb_conv_params make_params(const geom *g, int32_t in_c, int32_t out_c, eb_act act)
{
    eb_conv_params p = {0};
    p.batch = g->batch;
    p.in_h = g->in_h;
    p.in_w = g->in_w;
    p.in_c = in_c;
    p.out_c = out_c;
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
    cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
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

/* |bias| + sum |x * w| over the taps ref adds, per output. */
static double *magnitudes(const eb_conv_params *p, const float *x, const float *w,
                          const float *bias)
{
    double *mag = (double *)t_alloc(out_size(p) * sizeof(double));
    size_t o = 0;
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t oy = 0; oy < p->out_h; oy++)
            for (int32_t ox = 0; ox < p->out_w; ox++)
                for (int32_t oc = 0; oc < p->out_c; oc++, o++) {
                    double s = bias ? fabs(bias[oc]) : 0.0;
                    for (int32_t ky = 0; ky < p->k_h; ky++)
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            int32_t iy = oy * p->stride_h - p->pad_top + ky;
                            int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                continue;
                            for (int32_t ic = 0; ic < p->in_c; ic++)
                                s += fabs((double)x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c + ic] *
                                          w[(((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c + ic]);
                        }
                    mag[o] = s;
                }
    return mag;
}

static void check_f32(const eb_conv_params *p, int with_bias)
{
    float *x = t_f32(in_size(p), -1.0f, 1.0f);
    float *w = t_f32((size_t)p->out_c * p->k_h * p->k_w * p->in_c, -1.0f, 1.0f);
    float *bias = with_bias ? t_f32((size_t)p->out_c, -2.0f, 2.0f) : NULL;
    float *want = (float *)t_alloc(out_size(p) * sizeof(float));
    float *got = (float *)t_alloc(out_size(p) * sizeof(float));
    const eb_conv_f32_kernel *k = &t_fast.conv2d_f32;
    cr_assert(k->pack_size && k->pack && k->scratch_size);
    void *packed = t_alloc_aligned(k->pack_size(p));
    k->pack(p, w, packed);
    size_t ss = k->scratch_size(p);
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.conv2d_f32.run(p, x, w, bias, NULL, want, NULL);
    k->run(p, x, w, bias, packed, got, scratch);
    double *mag = magnitudes(p, x, w, bias);
    char what[160];
    snprintf(what, sizeof what, "conv2d f32 %dx%dx%d -> %d k%dx%d s%d,%d pad %d,%d,%d,%d act %d",
             p->in_h, p->in_w, p->in_c, p->out_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
             p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->act);
    t_assert_f32_close(got, want, mag, out_size(p), what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch), free(mag);
}

static void check_s8(const eb_conv_params *p, int with_bias)
{
    int8_t *x = t_s8(in_size(p), -128, 127);
    int8_t *w = t_s8((size_t)p->out_c * p->k_h * p->k_w * p->in_c, -127, 127);
    int32_t *bias = with_bias ? t_s32((size_t)p->out_c, -100000, 100000) : NULL;
    t_requant rq = t_make_requant(p->out_c);
    cr_assert_eq(eb_requant_validate(&rq.q, p->out_c), EB_OK);
    int8_t *want = (int8_t *)t_alloc(out_size(p));
    int8_t *got = (int8_t *)t_alloc(out_size(p));
    const eb_conv_s8_kernel *k = &t_fast.conv2d_s8;
    cr_assert(k->pack_size && k->pack && k->scratch_size);
    void *packed = t_alloc_aligned(k->pack_size(p));
    k->pack(p, &rq.q, w, bias, packed);
    size_t ss = k->scratch_size(p);
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.conv2d_s8.run(p, &rq.q, x, w, bias, NULL, want, NULL);
    k->run(p, &rq.q, x, w, bias, packed, got, scratch);
    char what[160];
    snprintf(what, sizeof what, "conv2d s8 %dx%dx%d -> %d k%dx%d s%d,%d pad %d,%d,%d,%d zp %d",
             p->in_h, p->in_w, p->in_c, p->out_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
             p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, rq.q.in_zp);
    t_assert_s8_equal(got, want, out_size(p), what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch);
    t_free_requant(&rq);
}

Test(avx512_conv2d, f32_tails_all_geometries)
{
    t_need_avx512();
    t_seed(1);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (size_t o = 0; o < NCH; o++) {
                eb_conv_params p = make_params(&geoms[g], chans[i], chans[o],
                                               (eb_act)((g + i + o) % 3));
                check_f32(&p, (i + o) % 4 != 0);
            }
}

Test(avx512_conv2d, s8_tails_all_geometries)
{
    t_need_avx512();
    t_seed(2);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (size_t o = 0; o < NCH; o++) {
                eb_conv_params p = make_params(&geoms[g], chans[i], chans[o], EB_ACT_NONE);
                check_s8(&p, (i + o) % 4 != 0);
            }
}

/* Shapes with several row blocks and panels: a MobileNet pointwise layer, the first
 * 3x3 stride-2 layer (in_c 3), a deep 1x1 (K = 1024) and a 3x3 over 64 channels. */
static const geom big[] = {
    {28, 28, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1},
    {32, 30, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1},
    {7, 9, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1},
    {17, 15, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1},
};
static const int32_t big_c[][2] = {{256, 72}, {3, 32}, {1024, 40}, {64, 24}};

Test(avx512_conv2d, f32_multi_block)
{
    t_need_avx512();
    t_seed(3);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        eb_conv_params p = make_params(&big[i], big_c[i][0], big_c[i][1], EB_ACT_RELU6);
        check_f32(&p, 1);
    }
}

Test(avx512_conv2d, s8_multi_block)
{
    t_need_avx512();
    t_seed(4);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        eb_conv_params p = make_params(&big[i], big_c[i][0], big_c[i][1], EB_ACT_NONE);
        check_s8(&p, 1);
    }
}

Test(avx512_conv2d, table_entries_are_avx512)
{
    t_need_avx512();
    cr_assert_str_eq(t_fast.conv2d_f32.name, "eb_conv2d_f32_avx512");
    cr_assert_str_eq(t_fast.conv2d_s8.name, "eb_conv2d_s8_avx512");
    cr_assert_eq(t_fast.conv2d_s8.isa, EB_ISA_AVX512);
}
