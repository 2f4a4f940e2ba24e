/* im2col_neon.c - gathers output pixels' receptive fields into contiguous rows for
 * the NEON conv2d kernels. A row is [k_h][k_w][in_c], the order of OHWI weights;
 * taps in the padding are filled with zero (fp32) or the input zero point (int8). */
#include <assert.h>
#include <string.h>

#include "neon_im2col.h"

/* Input pixel of tap (ky, kx) for output pixel `pix` (flattened n, oy, ox), or -1. */
static inline int64_t tap_pixel(const eb_conv_params *p, int64_t pix, int32_t ky, int32_t kx)
{
    const int64_t per_img = (int64_t)p->out_h * p->out_w;
    const int64_t n = pix / per_img, rem = pix % per_img;
    const int32_t oy = (int32_t)(rem / p->out_w), ox = (int32_t)(rem % p->out_w);
    const int32_t iy = oy * p->stride_h - p->pad_top + ky;
    const int32_t ix = ox * p->stride_w - p->pad_left + kx;
    if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
        return -1;
    return (n * p->in_h + iy) * p->in_w + ix;
}

bool eb_neon_conv_is_pointwise(const eb_conv_params *p)
{
    return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 && p->pad_right == 0;
}

void eb_neon_im2col_f32(const eb_conv_params *p, const float *x, int64_t pix, float *row)
{
    const size_t c = (size_t)p->in_c;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        for (int32_t kx = 0; kx < p->k_w; kx++, row += c) {
            const int64_t ip = tap_pixel(p, pix, ky, kx);
            if (ip < 0)
                memset(row, 0, c * sizeof(float));
            else
                memcpy(row, x + (size_t)ip * c, c * sizeof(float));
        }
    }
}

void eb_neon_im2col_s8(const eb_conv_params *p, const int8_t *x, int32_t in_zp, int64_t pix,
                       int8_t *row, size_t row_len)
{
    const size_t c = (size_t)p->in_c;
    int8_t *const end = row + row_len;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        for (int32_t kx = 0; kx < p->k_w; kx++, row += c) {
            const int64_t ip = tap_pixel(p, pix, ky, kx);
            if (ip < 0)
                memset(row, (int8_t)in_zp, c);
            else
                memcpy(row, x + (size_t)ip * c, c);
        }
    }
    assert(row <= end);
    memset(row, 0, (size_t)(end - row)); /* k padding: the packed weights are zero there */
}
