/* dwconv_f32_avx2.c - fp32 depthwise convolution, vectorized over channels (NHWC keeps
 * them contiguous). For one output row and 8 channels at a time the window taps of
 * every output pixel are FMAs with the tap's weight vector; consecutive pixels are
 * independent chains, so out-of-order execution overlaps them. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

void eb_dwconv_f32_avx2(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch)
{
    (void)packed;
    (void)scratch;
    assert(p && x && w && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c;
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
            const int32_t ky1 = p->in_h - iy0 < p->k_h ? p->in_h - iy0 : p->k_h;
            const float *xn = x + (size_t)n * p->in_h * p->in_w * cn;
            float *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn;
            for (int32_t c = 0; c < cn; c += 8) {
                const int nc = cn - c < 8 ? cn - c : 8;
                const __m256i mask = eb_avx2_mask(nc);
                const __m256 b = bias ? _mm256_maskload_ps(bias + c, mask) : _mm256_setzero_ps();
                for (int32_t ox = 0; ox < p->out_w; ox++) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_left;
                    const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
                    const int32_t kx1 = p->in_w - ix0 < p->k_w ? p->in_w - ix0 : p->k_w;
                    __m256 acc = b;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const float *xr =
                            xn + ((size_t)(iy0 + ky) * p->in_w + (size_t)(ix0 + kx0)) * cn + c;
                        const float *wr = w + ((size_t)ky * p->k_w + (size_t)kx0) * cn + c;
                        const int32_t nk = kx1 - kx0;
                        if (nc == 8) {
                            for (int32_t j = 0; j < nk; j++)
                                acc = _mm256_fmadd_ps(_mm256_loadu_ps(xr + (size_t)j * cn),
                                                      _mm256_loadu_ps(wr + (size_t)j * cn), acc);
                        } else {
                            for (int32_t j = 0; j < nk; j++)
                                acc = _mm256_fmadd_ps(
                                    _mm256_maskload_ps(xr + (size_t)j * cn, mask),
                                    _mm256_maskload_ps(wr + (size_t)j * cn, mask), acc);
                        }
                    }
                    acc = eb_avx2_act(acc, lo, hi);
                    if (nc == 8)
                        _mm256_storeu_ps(yrow + (size_t)ox * cn + c, acc);
                    else
                        _mm256_maskstore_ps(yrow + (size_t)ox * cn + c, mask, acc);
                }
            }
        }
    }
}
