/* conv2d_s8_ref.c - direct int8 NHWC x OHWI convolution with per-channel requantization
 * (TFLite spec), the int8 oracle. Padded taps contribute nothing: they stand for
 * x == in_zp, i.e. real zero. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

size_t eb_conv2d_s8_ref_scratch_size(const eb_conv_params *p)
{
    (void)p;
    return 0;
}

void eb_conv2d_s8_ref(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && q && x && w && y);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    int32_t acc = bias ? bias[oc] : 0;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            const int8_t *xp =
                                x + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            const int8_t *wp =
                                w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ic++)
                                acc += ((int32_t)xp[ic] - q->in_zp) * (int32_t)wp[ic];
                        }
                    }
                    int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[oc], q->shift[oc]);
                    out[oc] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
                }
            }
        }
    }
}
