/* test_opt_fc.c - eb_fc_{f32,s8} of every optimized x86 set (avx2, avx512; and avxvnni
 * for int8) against ref: in and out features over the tail list (and 1000/1024), batch
 * 1, 2 and 7 (row tiles of 6 plus leftovers, which avxvnni runs across 4 and 3 panels).
 * int8 bit-exact, including requantization corner cases
 * (left shifts that saturate, right shifts up to 31, zero multipliers, accumulators near
 * the int32 limits, saturation plus a non-zero output zero point); fp32 within
 * EB_T_F32_TOL of each sum's magnitude (see avx2_test_util.h). Each test runs as
 * <name>_avx2 and <name>_avx512, the int8 ones also as <name>_avxvnni. */
#include "opt_test_util.h"

static const int32_t feats[] = {1, 3, 7, 8, 9, 17, 33, 64, 1000};
#define NF (sizeof feats / sizeof feats[0])
static const int32_t batches[] = {1, 2, 7};

static void check_f32(const t_isa *isa, const eb_fc_params *p, int with_bias)
{
    const size_t nx = (size_t)p->batch * p->in_features, ny = (size_t)p->batch * p->out_features;
    float *x = t_f32(nx, -1.0f, 1.0f);
    float *w = t_f32((size_t)p->out_features * p->in_features, -1.0f, 1.0f);
    float *bias = with_bias ? t_f32((size_t)p->out_features, -1.0f, 1.0f) : NULL;
    float *want = (float *)t_alloc(ny * sizeof(float)), *got = (float *)t_alloc(ny * sizeof(float));
    const eb_fc_f32_kernel *k = &t_fast.fc_f32;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, w, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.fc_f32.run(p, x, w, bias, NULL, want, NULL);
    k->run(p, x, w, bias, packed, got, scratch);
    double *mag = (double *)t_alloc(ny * sizeof(double));
    for (int32_t b = 0; b < p->batch; b++)
        for (int32_t o = 0; o < p->out_features; o++) {
            double s = bias ? fabs(bias[o]) : 0.0;
            for (int32_t i = 0; i < p->in_features; i++)
                s += fabs((double)x[(size_t)b * p->in_features + i] * w[(size_t)o * p->in_features + i]);
            mag[(size_t)b * p->out_features + o] = s;
        }
    char what[96];
    snprintf(what, sizeof what, "%s fc f32 batch %d %d -> %d act %d", isa->name, p->batch,
             p->in_features, p->out_features, p->act);
    t_assert_f32_close(got, want, mag, ny, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch), free(mag);
}

static void check_s8(const t_isa *isa, const eb_fc_params *p, const t_requant *rq,
                     int32_t bias_lo, int32_t bias_hi)
{
    const size_t nx = (size_t)p->batch * p->in_features, ny = (size_t)p->batch * p->out_features;
    int8_t *x = t_s8(nx, -128, 127);
    int8_t *w = t_s8((size_t)p->out_features * p->in_features, -127, 127);
    int32_t *bias = bias_hi > bias_lo ? t_s32((size_t)p->out_features, bias_lo, bias_hi) : NULL;
    int8_t *want = (int8_t *)t_alloc(ny), *got = (int8_t *)t_alloc(ny);
    const eb_fc_s8_kernel *k = &t_fast.fc_s8;
    void *packed = k->pack_size ? t_alloc_aligned(k->pack_size(p)) : NULL;
    if (packed)
        k->pack(p, &rq->q, w, bias, packed);
    size_t ss = k->scratch_size ? k->scratch_size(p) : 0;
    void *scratch = ss ? t_alloc_aligned(ss) : NULL;
    t_ref.fc_s8.run(p, &rq->q, x, w, bias, NULL, want, NULL);
    k->run(p, &rq->q, x, w, bias, packed, got, scratch);
    char what[96];
    snprintf(what, sizeof what, "%s fc s8 batch %d %d -> %d zp %d/%d", isa->name, p->batch,
             p->in_features, p->out_features, rq->q.in_zp, rq->q.out_zp);
    t_assert_s8_equal(got, want, ny, what);
    free(x), free(w), free(bias), free(want), free(got), free(packed), free(scratch);
}

T_OPT_TEST(opt_fc, f32_tails)
{
    t_seed(21);
    for (size_t bi = 0; bi < 3; bi++)
        for (size_t i = 0; i < NF; i++)
            for (size_t o = 0; o < NF; o++) {
                eb_fc_params p = {batches[bi], feats[i], feats[o], (eb_act)((i + o) % 3)};
                cr_assert_eq(eb_fc_validate(&p), EB_OK);
                check_f32(isa, &p, (i + o + bi) % 4 != 0);
            }
}

T_OPT_TEST_S8(opt_fc, s8_tails)
{
    t_seed(22);
    for (size_t bi = 0; bi < 3; bi++)
        for (size_t i = 0; i < NF; i++)
            for (size_t o = 0; o < NF; o++) {
                eb_fc_params p = {batches[bi], feats[i], feats[o], EB_ACT_NONE};
                cr_assert_eq(eb_fc_validate(&p), EB_OK);
                t_requant rq = t_make_requant(p.out_features);
                check_s8(isa, &p, &rq, -100000, (i + o + bi) % 4 != 0 ? 100000 : -100000);
                t_free_requant(&rq);
            }
}

/* Requantization corners: every shift from -31 to 31 with multipliers at both ends of
 * [2^30, 2^31) and accumulators from biases up to +-2^30 (left shifts saturate). */
T_OPT_TEST_S8(opt_fc, s8_requant_corners)
{
    t_seed(23);
    const int32_t out = 63 * 4;
    t_requant rq = t_make_requant(out);
    for (int32_t c = 0; c < out; c++) {
        rq.shift[c] = c % 63 - 31;
        rq.mult[c] = (c / 63) % 2 ? INT32_MAX : (1 << 30) + (c / 126);
    }
    rq.q.act_min = -128;
    rq.q.act_max = 127;
    for (int32_t rep = 0; rep < 20; rep++) {
        rq.q.in_zp = t_randi(-128, 127);
        /* 0: with mult = INT32_MAX a saturated result is +-(2^31 - 1), and ref's
         * out_zp + result would overflow for any other zero point */
        rq.q.out_zp = 0;
        eb_fc_params p = {3, 5 + rep, out, EB_ACT_NONE};
        const int32_t big = rep % 2 ? (1 << 30) : 1000;
        check_s8(isa, &p, &rq, -big, big);
    }
    t_free_requant(&rq);
}

/* As above with a non-zero output zero point: ref adds it in 64 bits, so a saturated
 * requantized value (+-(2^31 - 1)) plus the zero point must clamp, not wrap. 252
 * channels: three full 64-channel panels (avx512's packed epilogue) and a partial one;
 * for avxvnni 15 panels of 16 and one of 12. */
T_OPT_TEST_S8(opt_fc, s8_saturation_with_zero_point)
{
    t_seed(24);
    const int32_t out = 252;
    t_requant rq = t_make_requant(out);
    for (int32_t c = 0; c < out; c++) {
        rq.shift[c] = c % 63 - 31;
        rq.mult[c] = (c / 63) % 2 ? INT32_MAX : (1 << 30) + (c / 126);
    }
    for (int32_t rep = 0; rep < 20; rep++) {
        rq.q.in_zp = t_randi(-128, 127);
        rq.q.out_zp = rep % 2 ? t_randi(1, 127) : t_randi(-128, -1);
        rq.q.act_min = t_randi(-128, 0);
        rq.q.act_max = t_randi(1, 127);
        eb_fc_params p = {7, 5 + rep, out, EB_ACT_NONE};
        check_s8(isa, &p, &rq, -(1 << 30), 1 << 30);
    }
    t_free_requant(&rq);
}

T_OPT_TEST(opt_fc, f32_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, fc_f32, "fc_f32");
}

T_OPT_TEST_S8(opt_fc, s8_table_entry_is_the_isa)
{
    T_ASSERT_ENTRY(isa, fc_s8, "fc_s8");
}
