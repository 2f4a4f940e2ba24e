/* conv2d_s8_neon.c - int8 NHWC conv2d as im2col + an int8 NEON matrix core: the
 * ARMv8.0/ARMv7 one (eb_conv2d_s8_neon) or the SDOT one (eb_conv2d_s8_neondot, aarch64
 * only). Only the cores differ; this file needs no dot-product flags. Padded taps
 * gather in_zp, which the packed bias correction cancels (see neon_gemm.h). */
#include <assert.h>

#include "neon_common.h"
#include "neon_gemm.h"
#include "neon_im2col.h"
#include "neon_kernels.h"

static int32_t depth(const eb_conv_params *p)
{
    return p->k_h * p->k_w * p->in_c;
}

size_t eb_conv2d_s8_neon_scratch_size(const eb_conv_params *p)
{
    if (eb_neon_conv_is_pointwise(p))
        return 0;
    return (size_t)EB_GEMM_MR * eb_round_up((size_t)depth(p), EB_GEMM_S8_KB);
}

static void conv_s8(eb_neon_gemm_s8_fn gemm, const eb_conv_params *p, const eb_requant *q,
                    const int8_t *x, const void *packed, int8_t *y, void *scratch)
{
    assert(p && q && x && y && packed);
    const bool pointwise = eb_neon_conv_is_pointwise(p);
    assert(pointwise || scratch);
    const size_t row_len = eb_round_up((size_t)depth(p), EB_GEMM_S8_KB);
    /* gathered rows are zero-padded to whole 16-byte steps: the core reads them as is */
    const int32_t k = pointwise ? p->in_c : (int32_t)row_len;
    const int64_t pixels = (int64_t)p->batch * p->out_h * p->out_w;
    int8_t *buf = scratch;
    for (int64_t pix0 = 0; pix0 < pixels; pix0 += EB_GEMM_MR) {
        const int32_t mr = pixels - pix0 < EB_GEMM_MR ? (int32_t)(pixels - pix0) : EB_GEMM_MR;
        const int8_t *rows[EB_GEMM_MR];
        int8_t *out[EB_GEMM_MR];
        for (int32_t m = 0; m < mr; m++) {
            const int64_t pix = pix0 + m;
            if (pointwise) {
                rows[m] = x + (size_t)pix * p->in_c;
            } else {
                int8_t *row = buf + (size_t)m * row_len;
                eb_neon_im2col_s8(p, x, q->in_zp, pix, row, row_len);
                rows[m] = row;
            }
            out[m] = y + (size_t)pix * p->out_c;
        }
        gemm(mr, rows, k, p->out_c, packed, q, out);
    }
}

size_t eb_conv2d_s8_neon_pack_size(const eb_conv_params *p)
{
    return eb_neon_gemm_s8_pack_size(p->out_c, depth(p));
}

void eb_conv2d_s8_neon_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed)
{
    eb_neon_gemm_s8_pack(p->out_c, depth(p), w, bias, q->in_zp, packed);
}

void eb_conv2d_s8_neon(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch)
{
    (void)w;
    (void)bias; /* folded into packed */
    conv_s8(eb_neon_gemm_s8, p, q, x, packed, y, scratch);
}

#if defined(EB_HAVE_NEON_DOT)
size_t eb_conv2d_s8_neondot_pack_size(const eb_conv_params *p)
{
    return eb_neon_gemm_s8dot_pack_size(p->out_c, depth(p));
}

/* the same im2col rows as the ARMv8.0 kernel */
size_t eb_conv2d_s8_neondot_scratch_size(const eb_conv_params *p)
{
    return eb_conv2d_s8_neon_scratch_size(p);
}

void eb_conv2d_s8_neondot_pack(const eb_conv_params *p, const eb_requant *q,
                               const int8_t *w, const int32_t *bias, void *packed)
{
    eb_neon_gemm_s8dot_pack(p->out_c, depth(p), w, bias, q->in_zp, packed);
}

void eb_conv2d_s8_neondot(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                          const int8_t *w, const int32_t *bias, const void *packed,
                          int8_t *y, void *scratch)
{
    (void)w;
    (void)bias;
    conv_s8(eb_neon_gemm_s8dot, p, q, x, packed, y, scratch);
}
#endif
