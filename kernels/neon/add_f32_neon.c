/* add_f32_neon.c - elementwise y = act(a + b), 8 then 4 elements per step; the same
 * single rounding as ref, so results are identical. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

void eb_add_f32_neon(const eb_add_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y);
    const int32_t n = p->size;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_f32(y + i, eb_vact_f32(vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)), p->act));
        vst1q_f32(y + i + 4,
                  eb_vact_f32(vaddq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4)), p->act));
    }
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, eb_vact_f32(vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)), p->act));
    for (; i < n; i++)
        y[i] = eb_act_f32(a[i] + b[i], p->act);
}
