/* gap_s8_ref.c - int8 global average pool as TFLite's MEAN: the zero-point-corrected
 * sum requantized by in_scale / (out_scale * h * w). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_gap_s8_ref(const eb_gap_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w;
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *xb = x + (size_t)n * hw * p->c;
        for (int32_t c = 0; c < p->c; c++) {
            int32_t sum = 0;
            for (size_t i = 0; i < hw; i++)
                sum += (int32_t)xb[i * p->c + c] - p->in_zp;
            int64_t v = (int64_t)p->out_zp + eb_requantize(sum, p->mult, p->shift);
            y[(size_t)n * p->c + c] = (int8_t)eb_clamp_i64(v, p->act_min, p->act_max);
        }
    }
}
