/* gap_f32_neon.c - fp32 global average pool: 16 channels of sums stay in registers
 * while the pixels stream by (each channel summed in ref's order), then 4, then
 * scalar. aarch64 divides like ref (identical results); ARMv7 multiplies by 1/(h*w). */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

static inline float32x4_t mean(float32x4_t s, float hw)
{
#if defined(EB_NEON_A64)
    return vdivq_f32(s, vdupq_n_f32(hw));
#else
    return vmulq_n_f32(s, 1.0f / hw);
#endif
}

void eb_gap_f32_neon(const eb_gap_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w, cn = (size_t)p->c;
    const float fhw = (float)hw;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xb = x + (size_t)n * hw * cn;
        float *yb = y + (size_t)n * cn;
        size_t c = 0;
        for (; c + 16 <= cn; c += 16) {
            float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
            for (size_t i = 0; i < hw; i++) {
                const float *xp = xb + i * cn + c;
                s0 = vaddq_f32(s0, vld1q_f32(xp));
                s1 = vaddq_f32(s1, vld1q_f32(xp + 4));
                s2 = vaddq_f32(s2, vld1q_f32(xp + 8));
                s3 = vaddq_f32(s3, vld1q_f32(xp + 12));
            }
            vst1q_f32(yb + c, mean(s0, fhw));
            vst1q_f32(yb + c + 4, mean(s1, fhw));
            vst1q_f32(yb + c + 8, mean(s2, fhw));
            vst1q_f32(yb + c + 12, mean(s3, fhw));
        }
        for (; c + 4 <= cn; c += 4) {
            float32x4_t s = vdupq_n_f32(0.0f);
            for (size_t i = 0; i < hw; i++)
                s = vaddq_f32(s, vld1q_f32(xb + i * cn + c));
            vst1q_f32(yb + c, mean(s, fhw));
        }
        for (; c < cn; c++) {
            float s = 0.0f;
            for (size_t i = 0; i < hw; i++)
                s += xb[i * cn + c];
            yb[c] = s / fhw;
        }
    }
}
