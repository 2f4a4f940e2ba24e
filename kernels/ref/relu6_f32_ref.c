/* relu6_f32_ref.c - y = min(max(x, 0), 6). */
#include <assert.h>

#include "eb_kernels.h"

void eb_relu6_f32_ref(const eb_unary_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++) {
        float v = x[i] > 0.0f ? x[i] : 0.0f;
        y[i] = v < 6.0f ? v : 6.0f;
    }
}
