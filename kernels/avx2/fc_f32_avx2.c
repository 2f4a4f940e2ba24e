/* fc_f32_avx2.c - fully connected = the fp32 GEMM with one row per batch item. */
#include <assert.h>

#include "eb_avx2.h"

size_t eb_fc_f32_avx2_pack_size(const eb_fc_params *p)
{
    return eb_gemm_f32_avx2_pack_size(p->in_features, p->out_features);
}

void eb_fc_f32_avx2_pack(const eb_fc_params *p, const float *w, void *packed)
{
    eb_gemm_f32_avx2_pack(p->in_features, p->out_features, w, (float *)packed);
}

void eb_fc_f32_avx2(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                    const void *packed, float *y, void *scratch)
{
    (void)w;
    (void)scratch;
    assert(p && x && packed && y);
    eb_gemm_f32_avx2(p->batch, p->out_features, p->in_features, x, (size_t)p->in_features,
                     (const float *)packed, bias, p->act, y, (size_t)p->out_features);
}
