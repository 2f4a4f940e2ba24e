/* avgpool_f32_neon.c - fp32 average pool, 4 channels per vector. The window is summed
 * in ref's order and divided by the in-bounds count (aarch64: the same division as ref,
 * so results are identical; ARMv7 has no vector divide and multiplies by 1/count). */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

void eb_avgpool_f32_neon(const eb_pool_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const int32_t cn = p->c;
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
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
#if defined(EB_NEON_A64)
                const float32x4_t vcount = vdupq_n_f32((float)count);
#else
                const float inv = 1.0f / (float)count;
#endif
                int32_t c = 0;
                for (; c + 4 <= cn; c += 4) {
                    float32x4_t s = vdupq_n_f32(0.0f);
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            s = vaddq_f32(s, vld1q_f32(x + (base + ((int64_t)ky * p->in_w + kx) *
                                                                      cn + c)));
#if defined(EB_NEON_A64)
                    s = vdivq_f32(s, vcount);
#else
                    s = vmulq_n_f32(s, inv);
#endif
                    vst1q_f32(out + c, eb_vact_f32(s, p->act));
                }
                for (; c < cn; c++) {
                    float s = 0.0f;
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            s += x[base + ((int64_t)ky * p->in_w + kx) * cn + c];
                    out[c] = eb_act_f32(s / (float)count, p->act);
                }
            }
        }
    }
}
