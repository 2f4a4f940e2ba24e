/* lut_s8_ref.c - int8 elementwise function by table: y = table[x + 128]. The graph op
 * fills the table at build time from the function's exact int8 arithmetic, so one
 * kernel serves every activation (relu, relu6, logistic, tanh, hard_swish, ...). */
#include <assert.h>

#include "eb_kernels.h"

void eb_lut_s8_ref(const eb_unary_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y);
    for (int32_t i = 0; i < p->size; i++)
        y[i] = p->table[(int32_t)x[i] + 128];
}
