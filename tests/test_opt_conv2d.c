/* test_opt_conv2d.c - eb_conv2d_{f32,s8} of every optimized x86 set (avx2, avx512; and
 * avxvnni for int8)
 * against ref: every channel count of the tail list on both sides, 1x1 (direct GEMM)
 * and windowed (im2col) geometries, strides 1 and 2, padding on every side (asymmetric
 * too), widths not a multiple of 8, batch 1 and 2, and shapes large enough for several
 * row blocks. int8 must be bit-exact; fp32 within EB_T_F32_TOL of the magnitude of each
 * sum (see avx2_test_util.h). Each test runs as <name>_avx2 and <name>_avx512, the int8
 * ones also as <name>_avxvnni. */
#include "opt_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NCH (sizeof chans / sizeof chans[0])

static const t_geom geoms[] = {
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

static eb_conv_params make_params(const t_geom *g, int32_t in_c, int32_t out_c, eb_act act)
{
    return t_conv_params(g, in_c, out_c, act, 0);
}

static void check_f32(const t_isa *isa, const eb_conv_params *p, int with_bias)
{
    const size_t ni = t_conv_in_size(p), no = t_conv_out_size(p);
    float *x = t_f32(ni, -1.0f, 1.0f);
    float *w = t_f32((size_t)p->out_c * p->k_h * p->k_w * p->in_c, -1.0f, 1.0f);
    float *bias = with_bias ? t_f32((size_t)p->out_c, -2.0f, 2.0f) : NULL;
    float *want = (float *)t_alloc(no * sizeof(float));
    float *got = (float *)t_alloc(no * sizeof(float));
    const eb_conv_f32_kernel *k = &t_fast.conv2d_f32;
    cr_assert(k->pack_size && k->pack && k->scratch_size);
    void *packed = t_alloc_aligned(k->pack_size(p));
    k->pack(p, w, packed);
    size_t ss = k->scratch_size(p);
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.conv2d_f32.run(p, x, w, bias, NULL, want, NULL);
    k->run(p, x, w, bias, packed, got, scratch);
    double *mag = t_conv_magnitudes(p, x, w, bias, 0);
    char what[160];
    snprintf(what, sizeof what, "%s conv2d f32 %dx%dx%d -> %d k%dx%d s%d,%d pad %d,%d,%d,%d act %d",
             isa->name, p->in_h, p->in_w, p->in_c, p->out_c, p->k_h, p->k_w, p->stride_h,
             p->stride_w, p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->act);
    t_assert_f32_close(got, want, mag, no, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch), free(mag);
}

static void check_s8(const t_isa *isa, const eb_conv_params *p, int with_bias)
{
    const size_t ni = t_conv_in_size(p), no = t_conv_out_size(p);
    int8_t *x = t_s8(ni, -128, 127);
    int8_t *w = t_s8((size_t)p->out_c * p->k_h * p->k_w * p->in_c, -127, 127);
    int32_t *bias = with_bias ? t_s32((size_t)p->out_c, -100000, 100000) : NULL;
    t_requant rq = t_make_requant(p->out_c);
    cr_assert_eq(eb_requant_validate(&rq.q, p->out_c), EB_OK);
    int8_t *want = (int8_t *)t_alloc(no);
    int8_t *got = (int8_t *)t_alloc(no);
    const eb_conv_s8_kernel *k = &t_fast.conv2d_s8;
    cr_assert(k->pack_size && k->pack && k->scratch_size);
    void *packed = t_alloc_aligned(k->pack_size(p));
    k->pack(p, &rq.q, w, bias, packed);
    size_t ss = k->scratch_size(p);
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.conv2d_s8.run(p, &rq.q, x, w, bias, NULL, want, NULL);
    k->run(p, &rq.q, x, w, bias, packed, got, scratch);
    char what[160];
    snprintf(what, sizeof what, "%s conv2d s8 %dx%dx%d -> %d k%dx%d s%d,%d pad %d,%d,%d,%d zp %d",
             isa->name, p->in_h, p->in_w, p->in_c, p->out_c, p->k_h, p->k_w, p->stride_h,
             p->stride_w, p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, rq.q.in_zp);
    t_assert_s8_equal(got, want, no, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch);
    t_free_requant(&rq);
}

T_OPT_TEST(opt_conv2d, f32_tails_all_geometries)
{
    t_seed(1);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (size_t o = 0; o < NCH; o++) {
                eb_conv_params p = make_params(&geoms[g], chans[i], chans[o],
                                               (eb_act)((g + i + o) % 3));
                check_f32(isa, &p, (i + o) % 4 != 0);
            }
}

T_OPT_TEST_S8(opt_conv2d, s8_tails_all_geometries)
{
    t_seed(2);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (size_t o = 0; o < NCH; o++) {
                eb_conv_params p = make_params(&geoms[g], chans[i], chans[o], EB_ACT_NONE);
                check_s8(isa, &p, (i + o) % 4 != 0);
            }
}

/* Shapes with several row blocks and panels: a MobileNet pointwise layer, the first
 * 3x3 stride-2 layer (in_c 3), a deep 1x1 (K = 1024) and a 3x3 over 64 channels. */
static const t_geom big[] = {
    {28, 28, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1},
    {32, 30, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1},
    {7, 9, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT, 1},
    {17, 15, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1},
};
static const int32_t big_c[][2] = {{256, 72}, {3, 32}, {1024, 40}, {64, 24}};

T_OPT_TEST(opt_conv2d, f32_multi_block)
{
    t_seed(3);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        eb_conv_params p = make_params(&big[i], big_c[i][0], big_c[i][1], EB_ACT_RELU6);
        check_f32(isa, &p, 1);
    }
}

T_OPT_TEST_S8(opt_conv2d, s8_multi_block)
{
    t_seed(4);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        eb_conv_params p = make_params(&big[i], big_c[i][0], big_c[i][1], EB_ACT_NONE);
        check_s8(isa, &p, 1);
    }
}

T_OPT_TEST(opt_conv2d, f32_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, conv2d_f32, "conv2d_f32");
}

T_OPT_TEST_S8(opt_conv2d, s8_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, conv2d_s8, "conv2d_s8");
}
