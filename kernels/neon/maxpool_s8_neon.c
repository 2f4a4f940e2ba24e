/* maxpool_s8_neon.c - int8 max pool, 16 channels per vector, then 8, then scalar;
 * clamped to [act_min, act_max]. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

void eb_maxpool_s8_neon(const eb_pool_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    const int32_t cn = p->c;
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                const int64_t base = (((int64_t)n * p->in_h + iy0) * p->in_w + ix0) * cn;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                int32_t c = 0;
                for (; c + 16 <= cn; c += 16) {
                    int8x16_t m = vdupq_n_s8(-128);
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            m = vmaxq_s8(m, vld1q_s8(x + (base + ((int64_t)ky * p->in_w + kx) *
                                                                    cn + c)));
                    vst1q_s8(out + c, vminq_s8(vmaxq_s8(m, lo), hi));
                }
                for (; c + 8 <= cn; c += 8) {
                    int8x8_t m = vdup_n_s8(-128);
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            m = vmax_s8(m, vld1_s8(x + (base + ((int64_t)ky * p->in_w + kx) *
                                                                  cn + c)));
                    vst1_s8(out + c, vmin_s8(vmax_s8(m, vget_low_s8(lo)), vget_low_s8(hi)));
                }
                for (; c < cn; c++) {
                    int32_t m = -128;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            int32_t v = x[base + ((int64_t)ky * p->in_w + kx) * cn + c];
                            m = v > m ? v : m;
                        }
                    }
                    out[c] = (int8_t)eb_clamp_i32(m, p->act_min, p->act_max);
                }
            }
        }
    }
}
