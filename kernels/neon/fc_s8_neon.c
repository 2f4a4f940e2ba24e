/* fc_s8_neon.c - int8 fully connected on the int8 NEON matrix cores: ARMv8.0/ARMv7
 * (eb_fc_s8_neon) and SDOT (eb_fc_s8_neondot). Bias and the input zero point are
 * folded into the packed weights. */
#include <assert.h>

#include "neon_gemm.h"
#include "neon_kernels.h"

static void fc_s8(eb_neon_gemm_s8_fn gemm, const eb_fc_params *p, const eb_requant *q,
                  const int8_t *x, const void *packed, int8_t *y)
{
    assert(p && q && x && y && packed);
    for (int32_t b0 = 0; b0 < p->batch; b0 += EB_GEMM_MR) {
        const int32_t mr = p->batch - b0 < EB_GEMM_MR ? p->batch - b0 : EB_GEMM_MR;
        const int8_t *rows[EB_GEMM_MR];
        int8_t *out[EB_GEMM_MR];
        for (int32_t m = 0; m < mr; m++) {
            rows[m] = x + (size_t)(b0 + m) * p->in_features;
            out[m] = y + (size_t)(b0 + m) * p->out_features;
        }
        gemm(mr, rows, p->in_features, p->out_features, packed, q, out);
    }
}

size_t eb_fc_s8_neon_pack_size(const eb_fc_params *p)
{
    return eb_neon_gemm_s8_pack_size(p->out_features, p->in_features);
}

void eb_fc_s8_neon_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                        const int32_t *bias, void *packed)
{
    eb_neon_gemm_s8_pack(p->out_features, p->in_features, w, bias, q->in_zp, packed);
}

void eb_fc_s8_neon(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                   void *scratch)
{
    (void)w;
    (void)bias;
    (void)scratch;
    fc_s8(eb_neon_gemm_s8, p, q, x, packed, y);
}

#if defined(EB_HAVE_NEON_DOT)
size_t eb_fc_s8_neondot_pack_size(const eb_fc_params *p)
{
    return eb_neon_gemm_s8dot_pack_size(p->out_features, p->in_features);
}

void eb_fc_s8_neondot_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                           const int32_t *bias, void *packed)
{
    eb_neon_gemm_s8dot_pack(p->out_features, p->in_features, w, bias, q->in_zp, packed);
}

void eb_fc_s8_neondot(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch)
{
    (void)w;
    (void)bias;
    (void)scratch;
    fc_s8(eb_neon_gemm_s8dot, p, q, x, packed, y);
}
#endif
