/* dwconv_s8_ref.c - int8 depthwise convolution (depth multiplier 1, 1HWC weights) with
 * per-channel requantization; padded taps stand for x == in_zp and add nothing. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_dwconv_s8_ref(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && q && x && w && y && p->in_c == p->out_c);
    const int32_t c_n = p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; c++) {
                    int32_t acc = bias ? bias[c] : 0;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            int32_t xv = x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * c_n + c];
                            acc += (xv - q->in_zp) * (int32_t)w[((size_t)ky * p->k_w + kx) * c_n + c];
                        }
                    }
                    int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[c], q->shift[c]);
                    out[c] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
                }
            }
        }
    }
}
