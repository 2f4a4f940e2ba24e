/* dwconv_f32_ref.c - depthwise NHWC convolution (depth multiplier 1, 1HWC weights). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_dwconv_f32_ref(const eb_conv_params *p, const float *x, const float *w,
                       const float *bias, const void *packed, float *y, void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && x && w && y && p->in_c == p->out_c);
    const int32_t c_n = p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * c_n;
                for (int32_t c = 0; c < c_n; c++) {
                    float acc = bias ? bias[c] : 0.0f;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            acc += x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * c_n + c] *
                                   w[((size_t)ky * p->k_w + kx) * c_n + c];
                        }
                    }
                    out[c] = eb_act_f32(acc, p->act);
                }
            }
        }
    }
}
