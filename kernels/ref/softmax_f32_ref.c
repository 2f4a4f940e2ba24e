/* softmax_f32_ref.c - softmax over the last dimension: exp(beta * (x - max)) / sum. */
#include <assert.h>
#include <math.h>

#include "eb_kernels.h"

void eb_softmax_f32_ref(const eb_softmax_params *p, const float *x, float *y)
{
    assert(p && x && y);
    for (int32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * p->depth;
        float *yr = y + (size_t)r * p->depth;
        float m = xr[0];
        for (int32_t i = 1; i < p->depth; i++)
            m = xr[i] > m ? xr[i] : m;
        double sum = 0.0; /* double: the oracle should not lose digits to the sum */
        for (int32_t i = 0; i < p->depth; i++) {
            yr[i] = expf(p->beta * (xr[i] - m));
            sum += yr[i];
        }
        const double inv = 1.0 / sum;
        for (int32_t i = 0; i < p->depth; i++)
            yr[i] = (float)(yr[i] * inv);
    }
}
