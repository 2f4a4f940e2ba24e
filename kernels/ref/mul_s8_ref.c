/* mul_s8_ref.c - int8 elementwise multiply as TFLite's MUL: the product of the two
 * zero-point-free inputs (at most 255 * 256 in magnitude, so exact in int32) requantized
 * to the output scale, plus the output zero point, clamped. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_mul_s8_ref(const eb_mul_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y && p->b_size > 0 && p->size % p->b_size == 0);
    for (int32_t i = 0; i < p->size; i += p->b_size)
        for (int32_t j = 0; j < p->b_size; j++) {
            int32_t prod = ((int32_t)a[i + j] - p->a_zp) * ((int32_t)b[j] - p->b_zp);
            int64_t v = (int64_t)p->out_zp + eb_requantize(prod, p->mult, p->shift);
            y[i + j] = (int8_t)eb_clamp_i64(v, p->act_min, p->act_max);
        }
}
