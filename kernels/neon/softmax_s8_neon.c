/* softmax_s8_neon.c - int8 softmax from the integer exp table. The row maximum is a
 * vector reduction; the table lookups (NEON has no 32-bit gather) and the exact
 * integer rounding division stay scalar, as in ref, so results are identical. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

void eb_softmax_s8_neon(const eb_softmax_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y && p->exp_table);
    const uint32_t *t = p->exp_table;
    const int32_t d = p->depth;
    for (int32_t r = 0; r < p->rows; r++) {
        const int8_t *xr = x + (size_t)r * d;
        int8_t *yr = y + (size_t)r * d;
        int32_t i = 0, m = xr[0];
        if (d >= 16) {
            int8x16_t vm = vld1q_s8(xr);
            for (i = 16; i + 16 <= d; i += 16)
                vm = vmaxq_s8(vm, vld1q_s8(xr + i));
            m = eb_vmaxv_s8(vm);
        }
        for (; i < d; i++)
            m = xr[i] > m ? xr[i] : m;
        uint64_t sum = 0;
        for (i = 0; i < d; i++)
            sum += t[xr[i] - m + 255];
        assert(sum > 0);
        for (i = 0; i < d; i++) {
            uint64_t num = (uint64_t)t[xr[i] - m + 255] * 512u + sum;
            int32_t v = (int32_t)(num / (2u * sum)) - 128;
            yr[i] = (int8_t)(v > 127 ? 127 : v);
        }
    }
}
