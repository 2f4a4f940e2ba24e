/* add_s8_neon.c - int8 elementwise add as TFLite (see eb_add_params), 8 elements per
 * step with ref's arithmetic in vectors; the last 1..7 go through a padded copy. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

typedef struct {
    int16x8_t a_zp, b_zp;
    int32x4_t left, a_mult, a_lsh, a_rneg, b_mult, b_lsh, b_rneg, o_mult, o_lsh, o_rneg;
    int32x4_t out_zp, lo, hi;
} add_consts;

static inline int32x4_t scale_in(int16x4_t v, int32x4_t left, int32x4_t mult, int32x4_t lsh,
                                 int32x4_t rneg)
{
    /* (x - zp) << left_shift is at most 255 * 2^22: no overflow */
    return eb_vrequant(vshlq_s32(vmovl_s16(v), left), mult, lsh, rneg);
}

static inline int8x8_t add8(const add_consts *k, int8x8_t a, int8x8_t b)
{
    const int16x8_t av = vsubq_s16(vmovl_s8(a), k->a_zp);
    const int16x8_t bv = vsubq_s16(vmovl_s8(b), k->b_zp);
    int32x4_t s0 = vaddq_s32(scale_in(vget_low_s16(av), k->left, k->a_mult, k->a_lsh, k->a_rneg),
                             scale_in(vget_low_s16(bv), k->left, k->b_mult, k->b_lsh, k->b_rneg));
    int32x4_t s1 =
        vaddq_s32(scale_in(vget_high_s16(av), k->left, k->a_mult, k->a_lsh, k->a_rneg),
                  scale_in(vget_high_s16(bv), k->left, k->b_mult, k->b_lsh, k->b_rneg));
    s0 = eb_vrequant(s0, k->o_mult, k->o_lsh, k->o_rneg);
    s1 = eb_vrequant(s1, k->o_mult, k->o_lsh, k->o_rneg);
    return eb_vnarrow_clamp_s8(s0, s1, k->out_zp, k->lo, k->hi);
}

void eb_add_s8_neon(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y);
    add_consts k;
    k.a_zp = vdupq_n_s16((int16_t)p->a_zp);
    k.b_zp = vdupq_n_s16((int16_t)p->b_zp);
    k.left = vdupq_n_s32(p->left_shift);
    k.a_mult = vdupq_n_s32(p->a_mult);
    k.b_mult = vdupq_n_s32(p->b_mult);
    k.o_mult = vdupq_n_s32(p->out_mult);
    eb_vrequant_shifts(vdupq_n_s32(p->a_shift), &k.a_lsh, &k.a_rneg);
    eb_vrequant_shifts(vdupq_n_s32(p->b_shift), &k.b_lsh, &k.b_rneg);
    eb_vrequant_shifts(vdupq_n_s32(p->out_shift), &k.o_lsh, &k.o_rneg);
    k.out_zp = vdupq_n_s32(p->out_zp);
    k.lo = vdupq_n_s32(p->act_min);
    k.hi = vdupq_n_s32(p->act_max);
    const int32_t n = p->size;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8)
        vst1_s8(y + i, add8(&k, vld1_s8(a + i), vld1_s8(b + i)));
    if (i < n) {
        int8_t ta[8] = {0}, tb[8] = {0};
        memcpy(ta, a + i, (size_t)(n - i));
        memcpy(tb, b + i, (size_t)(n - i));
        eb_vst_partial_s8(y + i, add8(&k, vld1_s8(ta), vld1_s8(tb)), n - i);
    }
}
