/* fc_s8_avx2.c - int8 fully connected = the int16 GEMM with one row per batch item;
 * scratch holds the rows of (x - in_zp) as int16. */
#include <assert.h>

#include "eb_avx2.h"

size_t eb_fc_s8_avx2_scratch_size(const eb_fc_params *p)
{
    return (size_t)p->batch * (size_t)eb_gemm_s8_kp(p->in_features) * sizeof(int16_t);
}

size_t eb_fc_s8_avx2_pack_size(const eb_fc_params *p)
{
    return eb_gemm_s8_avx2_pack_size(p->in_features, p->out_features);
}

void eb_fc_s8_avx2_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                        const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    eb_gemm_s8_avx2_pack(p->in_features, p->out_features, w, (int16_t *)packed);
}

void eb_fc_s8_avx2(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                   void *scratch)
{
    (void)w;
    assert(p && q && x && packed && y && scratch);
    const int32_t k = p->in_features, kp = eb_gemm_s8_kp(k);
    int16_t *a = (int16_t *)scratch;
    for (int32_t b = 0; b < p->batch; b++)
        eb_s8_to_s16_avx2(x + (size_t)b * k, k, kp, q->in_zp, a + (size_t)b * kp);
    eb_gemm_s8_avx2(p->batch, p->out_features, kp, a, (size_t)kp, (const int16_t *)packed,
                    bias, q, y, (size_t)p->out_features);
}
