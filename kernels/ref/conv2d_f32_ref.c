/* conv2d_f32_ref.c - direct NHWC x OHWI convolution, the fp32 oracle. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

size_t eb_conv2d_f32_ref_scratch_size(const eb_conv_params *p)
{
    (void)p;
    return 0;
}

void eb_conv2d_f32_ref(const eb_conv_params *p, const float *x, const float *w,
                       const float *bias, const void *packed, float *y, void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && x && w && y);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    float acc = bias ? bias[oc] : 0.0f;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            const float *xp =
                                x + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            const float *wp =
                                w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ic++)
                                acc += xp[ic] * wp[ic];
                        }
                    }
                    out[oc] = eb_act_f32(acc, p->act);
                }
            }
        }
    }
}
