/* mean_s8_ref.c - int8 mean over H and W as TFLite's reference integer MEAN: the
 * zero-point-corrected sum is requantized by in_scale / out_scale (mult, shift), then
 * divided by h * w rounding half away from zero, and the output zero point added
 * (eb_gap_params). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_mean_s8_ref(const eb_gap_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w;
    const int32_t n = (int32_t)hw;
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *xb = x + (size_t)b * hw * p->c;
        for (int32_t c = 0; c < p->c; c++) {
            int32_t sum = 0;
            for (size_t i = 0; i < hw; i++)
                sum += (int32_t)xb[i * p->c + c] - p->in_zp;
            int32_t acc = eb_requantize(sum, p->mult, p->shift);
            acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
            y[(size_t)b * p->c + c] =
                (int8_t)eb_clamp_i64((int64_t)acc + p->out_zp, p->act_min, p->act_max);
        }
    }
}
