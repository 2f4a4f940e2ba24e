/* concat_f32_ref.c - y = [a b] along one axis, row by row (see eb_concat_params). */
#include <assert.h>
#include <string.h>

#include "eb_kernels.h"

void eb_concat_f32_ref(const eb_concat_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y);
    const size_t na = (size_t)p->a_inner, nb = (size_t)p->b_inner;
    for (int32_t o = 0; o < p->outer; o++) {
        memcpy(y, a, na * sizeof *a);
        memcpy(y + na, b, nb * sizeof *b);
        a += na;
        b += nb;
        y += na + nb;
    }
}
