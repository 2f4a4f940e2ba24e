/* repeat_f32_ref.c - every channel repeated in place (see eb_repeat_params). */
#include <assert.h>

#include "eb_kernels.h"

void eb_repeat_f32_ref(const eb_repeat_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t o = 0; o < p->outer; o++)
        for (int32_t k = 0; k < p->c; k++, x++)
            for (int32_t t = 0; t < p->times; t++)
                *y++ = *x;
}
