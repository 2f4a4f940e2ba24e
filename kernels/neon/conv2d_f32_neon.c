/* conv2d_f32_neon.c - fp32 NHWC conv2d as im2col + the 4x8 NEON matrix core. Weights
 * are packed once (eb_conv2d_f32_neon_pack); the scratch holds 4 gathered rows, or
 * nothing for a pointwise (1x1, stride 1, unpadded) conv, which reads the input rows. */
#include <assert.h>

#include "neon_gemm.h"
#include "neon_im2col.h"
#include "neon_kernels.h"

static int32_t depth(const eb_conv_params *p)
{
    return p->k_h * p->k_w * p->in_c;
}

size_t eb_conv2d_f32_neon_scratch_size(const eb_conv_params *p)
{
    if (eb_neon_conv_is_pointwise(p))
        return 0;
    return (size_t)EB_GEMM_MR * (size_t)depth(p) * sizeof(float);
}

size_t eb_conv2d_f32_neon_pack_size(const eb_conv_params *p)
{
    return eb_neon_gemm_f32_pack_size(p->out_c, depth(p));
}

void eb_conv2d_f32_neon_pack(const eb_conv_params *p, const float *w, void *packed)
{
    eb_neon_gemm_f32_pack(p->out_c, depth(p), w, packed);
}

void eb_conv2d_f32_neon(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch)
{
    (void)w;
    assert(p && x && y && packed);
    const bool pointwise = eb_neon_conv_is_pointwise(p);
    assert(pointwise || scratch);
    const int32_t k = depth(p);
    const int64_t pixels = (int64_t)p->batch * p->out_h * p->out_w;
    float *buf = scratch;
    for (int64_t pix0 = 0; pix0 < pixels; pix0 += EB_GEMM_MR) {
        const int32_t mr = pixels - pix0 < EB_GEMM_MR ? (int32_t)(pixels - pix0) : EB_GEMM_MR;
        const float *rows[EB_GEMM_MR];
        float *out[EB_GEMM_MR];
        for (int32_t m = 0; m < mr; m++) {
            const int64_t pix = pix0 + m;
            if (pointwise) {
                rows[m] = x + (size_t)pix * p->in_c;
            } else {
                float *row = buf + (size_t)m * k;
                eb_neon_im2col_f32(p, x, pix, row);
                rows[m] = row;
            }
            out[m] = y + (size_t)pix * p->out_c;
        }
        eb_neon_gemm_f32(mr, rows, k, p->out_c, packed, bias, p->act, out);
    }
}
