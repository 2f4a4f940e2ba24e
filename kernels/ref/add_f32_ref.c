/* add_f32_ref.c - elementwise y = act(a + b). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_add_f32_ref(const eb_add_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = eb_act_f32(a[i] + b[i], p->act);
}
