/* fc_s8_avxvnni.c - int8 fully connected = the AVX-VNNI GEMM with one row per batch item
 * (a batch of 1 runs as 1 row x 64 channels tiles, see gemm_s8_avxvnni.c); scratch holds
 * the rows of x + 128 as uint8. */
#include <assert.h>

#include "eb_avxvnni.h"

size_t eb_fc_s8_avxvnni_scratch_size(const eb_fc_params *p)
{
    return (size_t)p->batch * (size_t)eb_gemm_u8_kq(p->in_features);
}

size_t eb_fc_s8_avxvnni_pack_size(const eb_fc_params *p)
{
    return eb_gemm_s8_avxvnni_pack_size(p->in_features, p->out_features);
}

void eb_fc_s8_avxvnni_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                           const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    eb_gemm_s8_avxvnni_pack(p->in_features, p->out_features, w, packed);
}

void eb_fc_s8_avxvnni(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch)
{
    (void)w;
    assert(p && q && x && packed && y && scratch);
    const eb_fc_params pc = *p;
    const int32_t k = pc.in_features, kq = eb_gemm_u8_kq(k);
    uint8_t *a = (uint8_t *)scratch;
    for (int32_t b = 0; b < pc.batch; b++)
        eb_s8_to_u8_avxvnni(x + (size_t)b * k, k, kq, a + (size_t)b * kq);
    eb_gemm_s8_avxvnni(pc.batch, pc.out_features, kq, a, (size_t)kq, packed, bias, q, y,
                       (size_t)pc.out_features);
}
