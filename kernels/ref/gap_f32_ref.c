/* gap_f32_ref.c - global average pool [batch][h][w][c] -> [batch][c]. */
#include <assert.h>

#include "eb_kernels.h"

void eb_gap_f32_ref(const eb_gap_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xb = x + (size_t)n * hw * p->c;
        for (int32_t c = 0; c < p->c; c++) {
            float sum = 0.0f;
            for (size_t i = 0; i < hw; i++)
                sum += xb[i * p->c + c];
            y[(size_t)n * p->c + c] = sum / (float)hw;
        }
    }
}
