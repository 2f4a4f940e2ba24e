/* maxpool_f32_neon.c - fp32 max pool over the in-bounds taps, 4 channels per vector. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

void eb_maxpool_f32_neon(const eb_pool_params *p, const float *x, float *y)
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
                assert(ky1 > ky0 && kx1 > kx0);
                const int64_t base = (((int64_t)n * p->in_h + iy0) * p->in_w + ix0) * cn;
                const int64_t first = base + ((int64_t)ky0 * p->in_w + kx0) * cn;
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                int32_t c = 0;
                for (; c + 4 <= cn; c += 4) {
                    float32x4_t m = vld1q_f32(x + (first + c));
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            m = vmaxq_f32(m, vld1q_f32(x + (base + ((int64_t)ky * p->in_w + kx) *
                                                                      cn + c)));
                    vst1q_f32(out + c, eb_vact_f32(m, p->act));
                }
                for (; c < cn; c++) {
                    float m = x[first + c];
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            float v = x[base + ((int64_t)ky * p->in_w + kx) * cn + c];
                            m = v > m ? v : m;
                        }
                    }
                    out[c] = eb_act_f32(m, p->act);
                }
            }
        }
    }
}
