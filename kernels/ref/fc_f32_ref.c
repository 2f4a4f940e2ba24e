/* fc_f32_ref.c - fully connected: y[b][o] = act(bias[o] + sum_i x[b][i] * w[o][i]). */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_fc_f32_ref(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                   const void *packed, float *y, void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && x && w && y);
    for (int32_t b = 0; b < p->batch; b++) {
        const float *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            const float *wr = w + (size_t)o * p->in_features;
            float acc = bias ? bias[o] : 0.0f;
            for (int32_t i = 0; i < p->in_features; i++)
                acc += xr[i] * wr[i];
            y[(size_t)b * p->out_features + o] = eb_act_f32(acc, p->act);
        }
    }
}
