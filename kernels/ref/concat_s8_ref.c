/* concat_s8_ref.c - int8 y = [a b] along one axis, row by row (see eb_concat_params): an
 * input with the output's quantization is copied, another requantized. */
#include <assert.h>
#include <string.h>

#include "eb_kernels.h"
#include "eb_quant.h"

static void part(int8_t *y, const int8_t *x, size_t n, int32_t requant, int32_t zp,
                 int32_t mult, int32_t shift, int32_t out_zp)
{
    if (!requant) {
        memcpy(y, x, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = (int8_t)eb_clamp_i64((int64_t)out_zp + eb_requantize((int32_t)x[i] - zp, mult,
                                                                     shift),
                                    -128, 127);
}

void eb_concat_s8_ref(const eb_concat_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y);
    const size_t na = (size_t)p->a_inner, nb = (size_t)p->b_inner;
    for (int32_t o = 0; o < p->outer; o++) {
        part(y, a, na, p->a_requant, p->a_zp, p->a_mult, p->a_shift, p->out_zp);
        part(y + na, b, nb, p->b_requant, p->b_zp, p->b_mult, p->b_shift, p->out_zp);
        a += na;
        b += nb;
        y += na + nb;
    }
}
