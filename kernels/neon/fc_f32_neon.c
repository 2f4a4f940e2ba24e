/* fc_f32_neon.c - fp32 fully connected on the 4x8 NEON matrix core: 4 batch rows at a
 * time against packed weights. */
#include <assert.h>

#include "neon_gemm.h"
#include "neon_kernels.h"

size_t eb_fc_f32_neon_pack_size(const eb_fc_params *p)
{
    return eb_neon_gemm_f32_pack_size(p->out_features, p->in_features);
}

void eb_fc_f32_neon_pack(const eb_fc_params *p, const float *w, void *packed)
{
    eb_neon_gemm_f32_pack(p->out_features, p->in_features, w, packed);
}

void eb_fc_f32_neon(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                    const void *packed, float *y, void *scratch)
{
    (void)w;
    (void)scratch;
    assert(p && x && y && packed);
    for (int32_t b0 = 0; b0 < p->batch; b0 += EB_GEMM_MR) {
        const int32_t mr = p->batch - b0 < EB_GEMM_MR ? p->batch - b0 : EB_GEMM_MR;
        const float *rows[EB_GEMM_MR];
        float *out[EB_GEMM_MR];
        for (int32_t m = 0; m < mr; m++) {
            rows[m] = x + (size_t)(b0 + m) * p->in_features;
            out[m] = y + (size_t)(b0 + m) * p->out_features;
        }
        eb_neon_gemm_f32(mr, rows, p->in_features, p->out_features, packed, bias, p->act, out);
    }
}
