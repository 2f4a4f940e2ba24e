/* conv2d_s8_avxvnni.c - int8 convolution as the AVX-VNNI GEMM (gemm_s8_avxvnni.c).
 * Blocks of output pixels become rows of x + 128 as uint8 in scratch (im2col for
 * anything but a 1x1 stride-1 unpadded conv, whose rows are the input pixels); a padded
 * tap holds in_zp + 128, i.e. x == in_zp, which contributes nothing, as in ref. */
#include <assert.h>
#include <string.h>

#include "eb_avxvnni.h"

/* Rows per block: about 96 KiB of uint8 scratch (it stays in L2 while the panels of
 * weights go by), a multiple of the 6-row tile. */
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

size_t eb_conv2d_s8_avxvnni_scratch_size(const eb_conv_params *p)
{
    const int32_t kq = eb_gemm_u8_kq(depth(p));
    return (size_t)block_rows(kq) * (size_t)kq;
}

size_t eb_conv2d_s8_avxvnni_pack_size(const eb_conv_params *p)
{
    return eb_gemm_s8_avxvnni_pack_size(depth(p), p->out_c);
}

void eb_conv2d_s8_avxvnni_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                               const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    eb_gemm_s8_avxvnni_pack(depth(p), p->out_c, w, packed);
}

/* The im2col row of output pixel (n, oy, ox). A window row whose taps all lie inside
 * the image is one contiguous run of k_w * in_c bytes in NHWC. */
static void im2col_row(const eb_conv_params *p, const int8_t *x, uint8_t pad, int32_t n,
                       int32_t oy, int32_t ox, int32_t kq, uint8_t *dst)
{
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t c = p->in_c, run = p->k_w * c;
    const int row_inside = ix0 >= 0 && ix0 + p->k_w <= p->in_w;
    uint8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ky++, d += run) {
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) {
            memset(d, pad, (size_t)run);
            continue;
        }
        const int8_t *row = x + (((size_t)n * p->in_h + iy) * p->in_w) * c;
        if (row_inside) {
            eb_s8_to_u8_avxvnni(row + (size_t)ix0 * c, run, run, d);
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= p->in_w)
                memset(d + (size_t)kx * c, pad, (size_t)c);
            else
                eb_s8_to_u8_avxvnni(row + (size_t)ix * c, c, c, d + (size_t)kx * c);
        }
    }
    memset(dst + depth(p), 0, (size_t)(kq - depth(p)));
}

void eb_conv2d_s8_avxvnni(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
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
    int32_t n = 0, oy = 0, ox = 0; /* output pixel of the next row, stepped */
    for (int32_t m0 = 0; m0 < m; m0 += mc) {
        const int32_t rows = m - m0 < mc ? m - m0 : mc;
        for (int32_t r = 0; r < rows; r++) {
            if (pointwise) {
                eb_s8_to_u8_avxvnni(x + (size_t)(m0 + r) * k, k, kq, a + (size_t)r * kq);
                continue;
            }
            im2col_row(&pc, x, pad, n, oy, ox, kq, a + (size_t)r * kq);
            if (++ox == pc.out_w) {
                ox = 0;
                if (++oy == pc.out_h) {
                    oy = 0;
                    n++;
                }
            }
        }
        eb_gemm_s8_avxvnni(rows, pc.out_c, kq, a, (size_t)kq, packed, bias, q,
                           y + (size_t)m0 * pc.out_c, (size_t)pc.out_c);
    }
}
