/* maxpool_s8_ref.c - int8 max pool (scale and zero point unchanged), clamped to
 * [act_min, act_max]. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_maxpool_s8_ref(const eb_pool_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->c;
                for (int32_t c = 0; c < p->c; c++) {
                    int32_t m = -128;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            int32_t v = x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * p->c + c];
                            if (v > m)
                                m = v;
                        }
                    }
                    out[c] = (int8_t)eb_clamp_i32(m, p->act_min, p->act_max);
                }
            }
        }
    }
}
