/* gap_s8_neon.c - int8 global average pool (TFLite MEAN): int32 channel sums of 16
 * channels per pass over the pixels, minus in_zp * h * w, requantized in vectors. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

void eb_gap_s8_neon(const eb_gap_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w, cn = (size_t)p->c;
    /* |in_zp| * h * w <= 128 * 2^23: validation bounds h * w */
    const int32x4_t zp_sum = vdupq_n_s32(p->in_zp * (int32_t)hw);
    const int32x4_t mult = vdupq_n_s32(p->mult);
    int32x4_t lsh, rneg;
    eb_vrequant_shifts(vdupq_n_s32(p->shift), &lsh, &rneg);
    const int32x4_t out_zp = vdupq_n_s32(p->out_zp);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *xb = x + (size_t)n * hw * cn;
        int8_t *yb = y + (size_t)n * cn;
        size_t c = 0;
        for (; c + 16 <= cn; c += 16) {
            int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;
            for (size_t i = 0; i < hw; i++) {
                const int8x16_t v = vld1q_s8(xb + i * cn + c);
                const int16x8_t l = vmovl_s8(vget_low_s8(v)), h = vmovl_s8(vget_high_s8(v));
                s0 = vaddw_s16(s0, vget_low_s16(l));
                s1 = vaddw_s16(s1, vget_high_s16(l));
                s2 = vaddw_s16(s2, vget_low_s16(h));
                s3 = vaddw_s16(s3, vget_high_s16(h));
            }
            s0 = eb_vrequant(vsubq_s32(s0, zp_sum), mult, lsh, rneg);
            s1 = eb_vrequant(vsubq_s32(s1, zp_sum), mult, lsh, rneg);
            s2 = eb_vrequant(vsubq_s32(s2, zp_sum), mult, lsh, rneg);
            s3 = eb_vrequant(vsubq_s32(s3, zp_sum), mult, lsh, rneg);
            vst1_s8(yb + c, eb_vnarrow_clamp_s8(s0, s1, out_zp, lo, hi));
            vst1_s8(yb + c + 8, eb_vnarrow_clamp_s8(s2, s3, out_zp, lo, hi));
        }
        for (; c < cn; c++) {
            int32_t s = 0;
            for (size_t i = 0; i < hw; i++)
                s += (int32_t)xb[i * cn + c] - p->in_zp;
            int64_t v = (int64_t)p->out_zp + eb_requantize(s, p->mult, p->shift);
            yb[c] = (int8_t)eb_clamp_i64(v, p->act_min, p->act_max);
        }
    }
}
