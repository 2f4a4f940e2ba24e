/* fc_f32_avx512.c - fully connected = the AVX-512 fp32 GEMM with one row per batch item. */
#include <assert.h>

#include "eb_avx512.h"

size_t eb_fc_f32_avx512_pack_size(const eb_fc_params *p)
{
    return eb_gemm_f32_avx512_pack_size(p->in_features, p->out_features);
}

void eb_fc_f32_avx512_pack(const eb_fc_params *p, const float *w, void *packed)
{
    eb_gemm_f32_avx512_pack(p->in_features, p->out_features, w, (float *)packed);
}

void eb_fc_f32_avx512(const eb_fc_params *p, const float *x, const float *w,
                      const float *bias, const void *packed, float *y, void *scratch)
{
    (void)w;
    (void)scratch;
    assert(p && x && packed && y);
    const eb_fc_params pc = *p;
    eb_gemm_f32_avx512(pc.batch, pc.out_features, pc.in_features, x, (size_t)pc.in_features,
                       (const float *)packed, bias, pc.act, y, (size_t)pc.out_features);
}
