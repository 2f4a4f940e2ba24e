/* fc_s8_ref.c - int8 fully connected with per-output-feature requantization. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

void eb_fc_s8_ref(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                  const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                  void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && q && x && w && y);
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            const int8_t *wr = w + (size_t)o * p->in_features;
            int32_t acc = bias ? bias[o] : 0;
            for (int32_t i = 0; i < p->in_features; i++)
                acc += ((int32_t)xr[i] - q->in_zp) * (int32_t)wr[i];
            int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[o], q->shift[o]);
            y[(size_t)b * p->out_features + o] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
        }
    }
}
