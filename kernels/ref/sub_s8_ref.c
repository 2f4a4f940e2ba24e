/* sub_s8_ref.c - int8 elementwise a - b as TFLite's SUB: the arithmetic of its ADD
 * (eb_add_s8_prepare's parameters, validated by eb_add_validate) with the second input's
 * multiplier negated, so b is rescaled by -b_mult before the sum (TFLite negates
 * input2_multiplier rather than subtracting the rescaled values: the rounding of a tie
 * differs between the two). */
#include <assert.h>

#include "eb_dispatch.h"
#include "eb_quant.h"

void eb_sub_s8_ref(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y && p->b_mult >= 0);
    const int32_t scale_up = (int32_t)1 << p->left_shift;
    for (int32_t i = 0; i < p->size; i++) {
        int32_t av = ((int32_t)a[i] - p->a_zp) * scale_up;
        int32_t bv = ((int32_t)b[i] - p->b_zp) * scale_up;
        int32_t diff = eb_requantize(av, p->a_mult, p->a_shift) +
                       eb_requantize(bv, -p->b_mult, p->b_shift);
        int64_t v = (int64_t)p->out_zp + eb_requantize(diff, p->out_mult, p->out_shift);
        y[i] = (int8_t)eb_clamp_i64(v, p->act_min, p->act_max);
    }
}
