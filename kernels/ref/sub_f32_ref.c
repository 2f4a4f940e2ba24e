/* sub_f32_ref.c - elementwise y = act(a - b) (eb_add_params: size and act). */
#include <assert.h>

#include "eb_dispatch.h"
#include "eb_quant.h"

void eb_sub_f32_ref(const eb_add_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = eb_act_f32(a[i] - b[i], p->act);
}
