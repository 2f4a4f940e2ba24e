/* dwconv_f32_neon.c - fp32 depthwise conv: NHWC keeps channels contiguous, so each
 * output pixel is 8 (then 4) channels per vector FMA over the in-bounds taps; the last
 * 1..3 channels take the same sum in scalar. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

void eb_dwconv_f32_neon(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && x && w && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                /* pointer arithmetic only at in-bounds taps: keep the base as an index */
                const int64_t base = (((int64_t)n * p->in_h + iy0) * p->in_w + ix0) * cn;
                int32_t c = 0;
                for (; c + 8 <= cn; c += 8) {
                    float32x4_t a0 = bias ? vld1q_f32(bias + c) : vdupq_n_f32(0.0f);
                    float32x4_t a1 = bias ? vld1q_f32(bias + c + 4) : vdupq_n_f32(0.0f);
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const float *xp = x + (base + ((int64_t)ky * p->in_w + kx) * cn + c);
                            const float *wp = w + ((size_t)ky * p->k_w + kx) * cn + c;
                            a0 = eb_vmla_f32(a0, vld1q_f32(xp), vld1q_f32(wp));
                            a1 = eb_vmla_f32(a1, vld1q_f32(xp + 4), vld1q_f32(wp + 4));
                        }
                    }
                    vst1q_f32(out + c, eb_vact_f32(a0, p->act));
                    vst1q_f32(out + c + 4, eb_vact_f32(a1, p->act));
                }
                for (; c + 4 <= cn; c += 4) {
                    float32x4_t a0 = bias ? vld1q_f32(bias + c) : vdupq_n_f32(0.0f);
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const float *xp = x + (base + ((int64_t)ky * p->in_w + kx) * cn + c);
                            const float *wp = w + ((size_t)ky * p->k_w + kx) * cn + c;
                            a0 = eb_vmla_f32(a0, vld1q_f32(xp), vld1q_f32(wp));
                        }
                    }
                    vst1q_f32(out + c, eb_vact_f32(a0, p->act));
                }
                for (; c < cn; c++) {
                    float a = bias ? bias[c] : 0.0f;
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            a += x[base + ((int64_t)ky * p->in_w + kx) * cn + c] *
                                 w[((size_t)ky * p->k_w + kx) * cn + c];
                    out[c] = eb_act_f32(a, p->act);
                }
            }
        }
    }
}
