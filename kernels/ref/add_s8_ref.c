/* add_s8_ref.c - int8 elementwise add as TFLite: both inputs (zero point removed) are
 * shifted left, rescaled to a common scale, summed and requantized to the output. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_add_s8_ref(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y);
    const int32_t scale_up = (int32_t)1 << p->left_shift;
    for (int32_t i = 0; i < p->size; i++) {
        int32_t av = ((int32_t)a[i] - p->a_zp) * scale_up;
        int32_t bv = ((int32_t)b[i] - p->b_zp) * scale_up;
        int32_t sum = eb_requantize(av, p->a_mult, p->a_shift) +
                      eb_requantize(bv, p->b_mult, p->b_shift);
        int64_t v = (int64_t)p->out_zp + eb_requantize(sum, p->out_mult, p->out_shift);
        y[i] = (int8_t)eb_clamp_i64(v, p->act_min, p->act_max);
    }
}
