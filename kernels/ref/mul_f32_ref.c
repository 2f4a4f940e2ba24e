/* mul_f32_ref.c - elementwise y = act(a * b), b repeating every b_size elements. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_mul_f32_ref(const eb_mul_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y && p->b_size > 0 && p->size % p->b_size == 0);
    for (int32_t i = 0; i < p->size; i += p->b_size)
        for (int32_t j = 0; j < p->b_size; j++)
            y[i + j] = eb_act_f32(a[i + j] * b[j], p->act);
}
