/* tanh_f32_ref.c - y = tanh(x). */
#include <assert.h>
#include <math.h>

#include "eb_kernels.h"

void eb_tanh_f32_ref(const eb_unary_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = tanhf(x[i]);
}
