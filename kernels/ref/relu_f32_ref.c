/* relu_f32_ref.c - y = max(x, 0). */
#include <assert.h>

#include "eb_kernels.h"

void eb_relu_f32_ref(const eb_unary_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
