/* avgpool_s8_ref.c - int8 average pool: same scale and zero point in and out, the mean
 * of the in-bounds elements rounded half away from zero (TFLite). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_avgpool_s8_ref(const eb_pool_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->c;
                for (int32_t c = 0; c < p->c; c++) {
                    int32_t sum = 0, count = 0;
                    for (int32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + ky;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + kx;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            sum += x[(((size_t)n * p->in_h + iy) * p->in_w + ix) * p->c + c];
                            count++;
                        }
                    }
                    assert(count > 0);
                    int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
                    out[c] = (int8_t)eb_clamp_i32(avg, p->act_min, p->act_max);
                }
            }
        }
    }
}
