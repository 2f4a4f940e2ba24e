/* softmax_s8_ref.c - int8 softmax (output scale 1/256, zero point -128) from the
 * integer exp table of eb_softmax_s8_prepare(). Integer sums make the result
 * independent of summation order, so vector versions can match it bit for bit. */
#include <assert.h>

#include "eb_kernels.h"

void eb_softmax_s8_ref(const eb_softmax_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y && p->exp_table);
    const uint32_t *t = p->exp_table;
    for (int32_t r = 0; r < p->rows; r++) {
        const int8_t *xr = x + (size_t)r * p->depth;
        int8_t *yr = y + (size_t)r * p->depth;
        int32_t m = xr[0];
        for (int32_t i = 1; i < p->depth; i++)
            m = xr[i] > m ? xr[i] : m;
        uint64_t sum = 0;
        for (int32_t i = 0; i < p->depth; i++)
            sum += t[xr[i] - m + 255];
        assert(sum > 0);
        for (int32_t i = 0; i < p->depth; i++) {
            /* round(t * 256 / sum), half away from zero (all terms are >= 0) */
            uint64_t num = (uint64_t)t[xr[i] - m + 255] * 512u + sum;
            int32_t v = (int32_t)(num / (2u * sum)) - 128;
            yr[i] = (int8_t)(v > 127 ? 127 : v);
        }
    }
}
