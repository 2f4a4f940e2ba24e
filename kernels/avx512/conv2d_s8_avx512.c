/* conv2d_s8_avx512.c - int8 convolution as a VNNI GEMM (see gemm_s8_avx512.c). Blocks
 * of output pixels become rows of x + 128 as uint8 in scratch (im2col for anything but
 * a 1x1 stride-1 unpadded conv); a padded tap holds in_zp + 128, i.e. x == in_zp, which
 * contributes nothing, as in ref. */
#include <assert.h>
#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"
#include "im2col_u8_avx512.h"

/* Rows per block: about 96 KiB of uint8 scratch, a multiple of the 6-row tile. */
static int32_t block_rows(int32_t kq)
{
    int32_t r = (int32_t)((96 * 1024) / (size_t)kq);
    r = r / 6 * 6;
    return r < 6 ? 6 : (r > 384 ? 384 : r);
}

static int32_t depth(const eb_conv_params *p)
{
    return p->k_h * p->k_w * p->in_c;
}

size_t eb_conv2d_s8_avx512_scratch_size(const eb_conv_params *p)
{
    const int32_t kq = eb_gemm_u8_kq(depth(p));
    return (size_t)block_rows(kq) * (size_t)kq;
}

size_t eb_conv2d_s8_avx512_pack_size(const eb_conv_params *p)
{
    return eb_gemm_s8_avx512_pack_size(depth(p), p->out_c);
}

void eb_conv2d_s8_avx512_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                              const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    eb_gemm_s8_avx512_pack(depth(p), p->out_c, w, packed);
}

void eb_conv2d_s8_avx512(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                         const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                         void *scratch)
{
    (void)w;
    assert(p && q && x && packed && y && scratch);
    const eb_conv_params pc = *p; /* local: stores to y could alias *p for the compiler */
    const int32_t m = pc.batch * pc.out_h * pc.out_w;
    const int32_t k = depth(&pc), kq = eb_gemm_u8_kq(k);
    const int pointwise = pc.k_h == 1 && pc.k_w == 1 && pc.stride_h == 1 &&
                          pc.stride_w == 1 && pc.pad_top == 0 && pc.pad_left == 0 &&
                          pc.pad_bottom == 0 && pc.pad_right == 0;
    const uint8_t pad = (uint8_t)(q->in_zp + 128);
    uint8_t *a = (uint8_t *)scratch;
    const int32_t mc = block_rows(kq);
    int32_t n = 0, oy = 0, ox = 0; /* output pixel of row m0 + r, stepped */
    for (int32_t m0 = 0; m0 < m; m0 += mc) {
        const int32_t rows = m - m0 < mc ? m - m0 : mc;
        for (int32_t r = 0; r < rows; r++) {
            if (pointwise) {
                eb_s8_to_u8_avx512(x + (size_t)(m0 + r) * k, k, kq, a + (size_t)r * kq);
                continue;
            }
            eb_avx512_im2col_row_u8(&pc, x, pad, n, oy, ox, kq, a + (size_t)r * kq);
            if (++ox == pc.out_w) {
                ox = 0;
                if (++oy == pc.out_h) {
                    oy = 0;
                    n++;
                }
            }
        }
        eb_gemm_s8_avx512(rows, pc.out_c, kq, a, (size_t)kq, packed, bias, q,
                          y + (size_t)m0 * pc.out_c, (size_t)pc.out_c);
    }
}
