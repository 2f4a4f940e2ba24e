/* dwconv_s8_neon.c - int8 depthwise conv: 8 channels per step, (x - in_zp) and w
 * widened to int16 and multiply-accumulated into int32 (SMLAL), then requantized per
 * channel in vectors; the last 1..7 channels use ref's scalar arithmetic. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"
#include "eb_window.h"

void eb_dwconv_s8_neon(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && q && x && w && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c;
    const int16x8_t vzp_in = vdupq_n_s16((int16_t)q->in_zp);
    const int32x4_t vzp_out = vdupq_n_s32(q->out_zp);
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                /* pointer arithmetic only at in-bounds taps: keep the base as an index */
                const int64_t base = (((int64_t)n * p->in_h + iy0) * p->in_w + ix0) * cn;
                int32_t c = 0;
                for (; c + 8 <= cn; c += 8) {
                    int32x4_t a0 = bias ? vld1q_s32(bias + c) : vdupq_n_s32(0);
                    int32x4_t a1 = bias ? vld1q_s32(bias + c + 4) : vdupq_n_s32(0);
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int8_t *xp =
                                x + (base + ((int64_t)ky * p->in_w + kx) * cn + c);
                            const int8_t *wp = w + ((size_t)ky * p->k_w + kx) * cn + c;
                            const int16x8_t xv = vsubq_s16(vmovl_s8(vld1_s8(xp)), vzp_in);
                            const int16x8_t wv = vmovl_s8(vld1_s8(wp));
                            a0 = vmlal_s16(a0, vget_low_s16(xv), vget_low_s16(wv));
                            a1 = vmlal_s16(a1, vget_high_s16(xv), vget_high_s16(wv));
                        }
                    }
                    int32x4_t l0, r0, l1, r1;
                    eb_vrequant_shifts(vld1q_s32(q->shift + c), &l0, &r0);
                    eb_vrequant_shifts(vld1q_s32(q->shift + c + 4), &l1, &r1);
                    a0 = eb_vrequant(a0, vld1q_s32(q->mult + c), l0, r0);
                    a1 = eb_vrequant(a1, vld1q_s32(q->mult + c + 4), l1, r1);
                    vst1_s8(out + c, eb_vnarrow_clamp_s8(a0, a1, vzp_out, lo, hi));
                }
                for (; c < cn; c++) {
                    int32_t a = bias ? bias[c] : 0;
                    for (int32_t ky = ky0; ky < ky1; ky++)
                        for (int32_t kx = kx0; kx < kx1; kx++)
                            a += ((int32_t)x[base + ((int64_t)ky * p->in_w + kx) * cn + c] -
                                  q->in_zp) *
                                 (int32_t)w[((size_t)ky * p->k_w + kx) * cn + c];
                    int64_t v = (int64_t)q->out_zp + eb_requantize(a, q->mult[c], q->shift[c]);
                    out[c] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
                }
            }
        }
    }
}
