/* conv2d_s8_avx2.c - int8 convolution as an int16 GEMM (see gemm_s8_avx2.c). Blocks of
 * output pixels are turned into rows of (x - in_zp) as int16 in scratch (im2col for
 * windows larger than 1x1; padded taps are 0, i.e. x == in_zp, as in ref), then
 * multiplied with the packed weights and requantized. */
#include <assert.h>
#include <string.h>

#include "avx2_util.h"
#include "eb_avx2.h"

/* Rows per block: about 128 KiB of int16 scratch, a multiple of the 6-row tile. */
static int32_t block_rows(int32_t kp)
{
    int32_t r = (int32_t)((128 * 1024) / ((size_t)kp * sizeof(int16_t)));
    r = r / 6 * 6;
    return r < 6 ? 6 : (r > 240 ? 240 : r);
}

static int32_t depth(const eb_conv_params *p)
{
    return p->k_h * p->k_w * p->in_c;
}

size_t eb_conv2d_s8_avx2_scratch_size(const eb_conv_params *p)
{
    const int32_t kp = eb_gemm_s8_kp(depth(p));
    return (size_t)block_rows(kp) * (size_t)kp * sizeof(int16_t);
}

size_t eb_conv2d_s8_avx2_pack_size(const eb_conv_params *p)
{
    return eb_gemm_s8_avx2_pack_size(depth(p), p->out_c);
}

void eb_conv2d_s8_avx2_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    eb_gemm_s8_avx2_pack(depth(p), p->out_c, w, (int16_t *)packed);
}

static void im2col_row(const eb_conv_params *p, const int8_t *x, int32_t zp, int32_t m,
                       int32_t kp, int16_t *dst)
{
    const int32_t ox = m % p->out_w, oy = (m / p->out_w) % p->out_h;
    const int32_t n = m / (p->out_w * p->out_h);
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    int16_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky;
        for (int32_t kx = 0; kx < p->k_w; kx++, d += p->in_c) {
            const int32_t ix = ix0 + kx;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                memset(d, 0, (size_t)p->in_c * sizeof(int16_t));
            else
                eb_s8_to_s16_avx2(x + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c,
                                  p->in_c, p->in_c, zp, d);
        }
    }
    for (int32_t i = depth(p); i < kp; i++)
        dst[i] = 0;
}

void eb_conv2d_s8_avx2(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch)
{
    (void)w;
    assert(p && q && x && packed && y && scratch);
    const int32_t m = p->batch * p->out_h * p->out_w;
    const int32_t k = depth(p), kp = eb_gemm_s8_kp(k);
    const int pointwise = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 &&
                          p->stride_w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
                          p->pad_bottom == 0 && p->pad_right == 0;
    int16_t *a = (int16_t *)scratch;
    const int32_t mc = block_rows(kp);
    for (int32_t m0 = 0; m0 < m; m0 += mc) {
        const int32_t rows = m - m0 < mc ? m - m0 : mc;
        for (int32_t r = 0; r < rows; r++) {
            if (pointwise)
                eb_s8_to_s16_avx2(x + (size_t)(m0 + r) * k, k, kp, q->in_zp,
                                  a + (size_t)r * kp);
            else
                im2col_row(p, x, q->in_zp, m0 + r, kp, a + (size_t)r * kp);
        }
        eb_gemm_s8_avx2(rows, p->out_c, kp, a, (size_t)kp, (const int16_t *)packed, bias, q,
                        y + (size_t)m0 * p->out_c, (size_t)p->out_c);
    }
}
