/* logistic_f32_ref.c - y = 1 / (1 + exp(-x)), in float as TFLite's reference. */
#include <assert.h>
#include <math.h>

#include "eb_kernels.h"

void eb_logistic_f32_ref(const eb_unary_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = 1.0f / (1.0f + expf(-x[i]));
}
