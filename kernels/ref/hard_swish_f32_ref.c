/* hard_swish_f32_ref.c - y = x * relu6(x + 3) / 6, in float in TFLite's order. */
#include <assert.h>

#include "eb_kernels.h"

void eb_hard_swish_f32_ref(const eb_unary_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++) {
        float r = x[i] + 3.0f;
        r = r > 0.0f ? r : 0.0f;
        r = r < 6.0f ? r : 6.0f;
        y[i] = x[i] * r / 6.0f;
    }
}
