/* avgpool_s8_neon.c - int8 average pool, 8 channels per step: window sums in int32,
 * then an exact vector division by the in-bounds count, rounded half away from zero
 * as ref. NEON has no integer divide: a float reciprocal gives the quotient within
 * one (the mean is at most 128.5, so the float error stays far below 1), and the
 * integer remainder corrects it. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

/* round_half_away(sum / count) for |sum| <= 128 * count. */
static inline int32x4_t div_round(int32x4_t sum, int32x4_t vcount, int32x4_t half,
                                  float32x4_t recip)
{
    const int32x4_t a = vaddq_s32(vabsq_s32(sum), half);
    int32x4_t q = vcvtq_s32_f32(vmulq_f32(vcvtq_f32_s32(a), recip));
    const int32x4_t r = vsubq_s32(a, vmulq_s32(q, vcount));
    q = vsubq_s32(q, vreinterpretq_s32_u32(vcgeq_s32(r, vcount))); /* r >= count: +1 */
    /* r < 0: -1. Not seen for counts up to 2000 (the estimate errs low), kept so the
     * result never depends on how float rounding falls */
    q = vaddq_s32(q, vreinterpretq_s32_u32(vcltq_s32(r, vdupq_n_s32(0))));
    return vbslq_s32(vcgtq_s32(sum, vdupq_n_s32(0)), q, vnegq_s32(q));
}

void eb_avgpool_s8_neon(const eb_pool_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    const int32_t cn = p->c;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const int32x4_t zero = vdupq_n_s32(0);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                const int32_t count = (ky1 - ky0) * (kx1 - kx0);
                assert(count > 0);
                const int64_t base = (((int64_t)n * p->in_h + iy0) * p->in_w + ix0) * cn;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                const int32x4_t vcount = vdupq_n_s32(count), half = vdupq_n_s32(count / 2);
                const float32x4_t recip = vdupq_n_f32(1.0f / (float)count);
                int32_t c = 0;
                for (; c + 8 <= cn; c += 8) {
                    int32x4_t s0 = zero, s1 = zero;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int16x8_t v = vmovl_s8(
                                vld1_s8(x + (base + ((int64_t)ky * p->in_w + kx) * cn + c)));
                            s0 = vaddw_s16(s0, vget_low_s16(v));
                            s1 = vaddw_s16(s1, vget_high_s16(v));
                        }
                    }
                    s0 = div_round(s0, vcount, half, recip);
                    s1 = div_round(s1, vcount, half, recip);
                    vst1_s8(out + c, eb_vnarrow_clamp_s8(s0, s1, zero, lo, hi));
                }
                for (; c < cn; c++) {
                    int32_t s = 0;
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            s += x[base + ((int64_t)ky * p->in_w + kx) * cn + c];
                    int32_t avg = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
                    out[c] = (int8_t)eb_clamp_i32(avg, p->act_min, p->act_max);
                }
            }
        }
    }
}
