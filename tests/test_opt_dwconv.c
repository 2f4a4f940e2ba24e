/* test_opt_dwconv.c - eb_dwconv_{f32,s8} of every optimized x86 set (avx2, avx512; and
 * avxvnni for int8) against ref: channel counts 1..64 of the tail list (avx2's
 * 16-channel int8 fast path and its plain leftover route; avx512's masked partial block
 * of 64; avxvnni's overlapping last block of 32 and its one-pixel route under 32
 * channels, which reads the input's last bytes through a copy), 100 and 128, 3x3
 * stride 1 and 2, other windows (5x3 = 15 taps, not a multiple of 4; 1x1; 9x9 = 81 taps,
 * over both int8 fast paths' tap limits), padding on every side, widths not a multiple
 * of 8, batch 1 and 2, and the pixel groups avx512 (avxvnni) forms when C divides 64
 * (32). int8 bit-exact; fp32 within EB_T_F32_TOL of each sum's magnitude (see
 * avx2_test_util.h). Each test runs as <name>_avx2 and <name>_avx512, the int8 ones
 * also as <name>_avxvnni. */
#include "opt_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NCH (sizeof chans / sizeof chans[0])

static const t_geom geoms[] = {
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

static eb_conv_params make_params(const t_geom *g, int32_t c, eb_act act)
{
    return t_conv_params(g, c, c, act, 1);
}

static void check_f32(const t_isa *isa, const eb_conv_params *p, int with_bias)
{
    const size_t ni = t_conv_in_size(p), no = t_conv_out_size(p);
    float *x = t_f32(ni, -1.0f, 1.0f);
    float *w = t_f32((size_t)p->k_h * p->k_w * p->in_c, -1.0f, 1.0f);
    float *bias = with_bias ? t_f32((size_t)p->in_c, -1.0f, 1.0f) : NULL;
    float *want = (float *)t_alloc(no * sizeof(float));
    float *got = (float *)t_alloc(no * sizeof(float));
    const eb_conv_f32_kernel *k = &t_fast.dwconv_f32;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, w, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.dwconv_f32.run(p, x, w, bias, NULL, want, NULL);
    k->run(p, x, w, bias, packed, got, scratch);
    double *mag = t_conv_magnitudes(p, x, w, bias, 1);
    char what[160];
    snprintf(what, sizeof what, "%s dwconv f32 %dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d act %d",
             isa->name, p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
             p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->act);
    t_assert_f32_close(got, want, mag, no, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch), free(mag);
}

static void check_s8(const t_isa *isa, const eb_conv_params *p, int with_bias)
{
    const size_t ni = t_conv_in_size(p), no = t_conv_out_size(p);
    int8_t *x = t_s8(ni, -128, 127);
    int8_t *w = t_s8((size_t)p->k_h * p->k_w * p->in_c, -127, 127);
    int32_t *bias = with_bias ? t_s32((size_t)p->in_c, -50000, 50000) : NULL;
    t_requant rq = t_make_requant(p->in_c);
    cr_assert_eq(eb_requant_validate(&rq.q, p->in_c), EB_OK);
    int8_t *want = (int8_t *)t_alloc(no);
    int8_t *got = (int8_t *)t_alloc(no);
    const eb_conv_s8_kernel *k = &t_fast.dwconv_s8;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, &rq.q, w, bias, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.dwconv_s8.run(p, &rq.q, x, w, bias, NULL, want, NULL);
    k->run(p, &rq.q, x, w, bias, packed, got, scratch);
    char what[160];
    snprintf(what, sizeof what, "%s dwconv s8 %dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d zp %d",
             isa->name, p->in_h, p->in_w, p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w,
             p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, rq.q.in_zp);
    t_assert_s8_equal(got, want, no, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch);
    t_free_requant(&rq);
}

T_OPT_TEST(opt_dwconv, f32_tails_all_geometries)
{
    t_seed(11);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++) {
            eb_conv_params p = make_params(&geoms[g], chans[i], (eb_act)((g + i) % 3));
            check_f32(isa, &p, i % 3 != 0);
        }
}

T_OPT_TEST_S8(opt_dwconv, s8_tails_all_geometries)
{
    t_seed(12);
    for (size_t g = 0; g < NGEOM; g++)
        for (size_t i = 0; i < NCH; i++)
            for (int rep = 0; rep < 3; rep++) { /* fresh zero points and requant each time */
                eb_conv_params p = make_params(&geoms[g], chans[i], EB_ACT_NONE);
                check_s8(isa, &p, (i + rep) % 3 != 0);
            }
}

/* Larger layers: a MobileNet dw 3x3 s1 and s2 slice, 40 channels (avx2: 2 fast blocks
 * + a leftover of 8; avxvnni: blocks at 0 and 8) and 100 (avx512: a full block of 64 +
 * a masked 36; avxvnni: 0, 32, 64, 68) on a wide row. */
static const t_geom mn_s1 = {28, 28, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1};
static const t_geom mn_s2 = {28, 27, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 1};
static const int32_t mn_c[] = {128, 40, 100};

T_OPT_TEST(opt_dwconv, f32_mobilenet_like)
{
    t_seed(13);
    for (int i = 0; i < 3; i++) {
        eb_conv_params p1 = make_params(&mn_s1, mn_c[i], EB_ACT_RELU6);
        eb_conv_params p2 = make_params(&mn_s2, mn_c[i], EB_ACT_RELU);
        check_f32(isa, &p1, 1);
        check_f32(isa, &p2, 1);
    }
}

T_OPT_TEST_S8(opt_dwconv, s8_mobilenet_like)
{
    t_seed(15);
    for (int i = 0; i < 3; i++) {
        eb_conv_params p1 = make_params(&mn_s1, mn_c[i], EB_ACT_RELU6);
        eb_conv_params p2 = make_params(&mn_s2, mn_c[i], EB_ACT_RELU);
        check_s8(isa, &p1, 1);
        check_s8(isa, &p2, 1);
    }
}

/* avx512's fp32 kernel goes pixel by pixel (all channels of a pixel together) for
 * strided windows over rows of 64 pixels or more, and 16 channels over a row otherwise:
 * both routes, every channel tail, padding on every side, stride 2 and 3. */
T_OPT_TEST(opt_dwconv, f32_wide_strided_rows)
{
    t_seed(16);
    const t_geom gs[] = {{5, 67, 3, 3, 2, 2, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1},
                         {4, 64, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME, 2},
                         {7, 70, 3, 3, 3, 3, 2, 1, 0, 2, EB_PAD_EXPLICIT, 1},
                         {5, 66, 5, 3, 2, 2, 2, 1, 2, 1, EB_PAD_EXPLICIT, 1}};
    const int32_t cs[] = {1, 15, 16, 17, 40, 64};
    for (size_t g = 0; g < sizeof gs / sizeof gs[0]; g++)
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
            eb_conv_params p = make_params(&gs[g], cs[i], (eb_act)(i % 3));
            check_f32(isa, &p, (int)(i & 1));
        }
}

/* Channel counts that divide 64 (32) run 64 / C (32 / C) interior pixels per block in
 * avx512 (avxvnni) at stride 1: rows wide enough for several such groups plus leftovers
 * at both borders and the row end. Also run on avx2, where they are more small-channel
 * shapes. */
T_OPT_TEST_S8(opt_dwconv, s8_pixel_groups)
{
    t_seed(14);
    const t_geom gs[] = {{5, 70, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT, 2},
                         {6, 37, 3, 3, 1, 1, 0, 2, 1, 0, EB_PAD_EXPLICIT, 1},
                         {7, 29, 5, 3, 1, 1, 2, 1, 2, 1, EB_PAD_EXPLICIT, 1},
                         {9, 40, 3, 3, 2, 2, 1, 1, 1, 1, EB_PAD_EXPLICIT, 1}}; /* s2: no groups */
    const int32_t cs[] = {1, 2, 4, 8, 16, 32};
    for (size_t g = 0; g < sizeof gs / sizeof gs[0]; g++)
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
            eb_conv_params p = make_params(&gs[g], cs[i], EB_ACT_NONE);
            check_s8(isa, &p, (g + i) % 2);
        }
}

T_OPT_TEST(opt_dwconv, f32_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, dwconv_f32, "dwconv_f32");
}

T_OPT_TEST_S8(opt_dwconv, s8_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, dwconv_s8, "dwconv_s8");
}
