/* dwconv_f32_avx2.c - fp32 depthwise convolution, vectorized over channels (NHWC keeps
 * them contiguous). For one output row and 8 channels at a time, each output pixel is a
 * chain of FMAs over its window taps; consecutive pixels are independent chains, so
 * out-of-order execution overlaps them. 3x3 windows keep their 9 weight vectors in
 * registers for the pixels whose window lies inside the image; border pixels, other
 * window sizes and the last < 8 channels take the general per-tap loop. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_window.h"

/* One output pixel, channels [c, c + nc): valid taps only (ref's order). */
EB_INLINE __m256 pixel_general(const eb_conv_params *p, const float *xn, const float *w,
                               __m256 b, int32_t iy0, int32_t ky0, int32_t ky1, int32_t ox,
                               int32_t c, int nc, __m256i mask)
{
    const int32_t cn = p->in_c;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32_t kx0, kx1;
    eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
    __m256 acc = b;
    for (int32_t ky = ky0; ky < ky1; ky++) {
        const float *xr = xn + ((size_t)(iy0 + ky) * p->in_w + (size_t)(ix0 + kx0)) * cn + c;
        const float *wr = w + ((size_t)ky * p->k_w + (size_t)kx0) * cn + c;
        const int32_t nk = kx1 - kx0;
        if (nc == 8) {
            for (int32_t j = 0; j < nk; j++)
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(xr + (size_t)j * cn),
                                      _mm256_loadu_ps(wr + (size_t)j * cn), acc);
        } else {
            for (int32_t j = 0; j < nk; j++)
                acc = _mm256_fmadd_ps(_mm256_maskload_ps(xr + (size_t)j * cn, mask),
                                      _mm256_maskload_ps(wr + (size_t)j * cn, mask), acc);
        }
    }
    return acc;
}

void eb_dwconv_f32_avx2(const eb_conv_params *p_in, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch)
{
    assert(p_in);
    const eb_conv_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    (void)packed;
    (void)scratch;
    assert(p && x && w && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c, sw = p->stride_w;
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    /* output columns whose window is inside the image: [ox_lo, ox_hi) */
    int32_t ox_lo, ox_hi;
    eb_window_interior(p->in_w, p->pad_left, p->k_w, sw, p->out_w, &ox_lo, &ox_hi);
    const int is3x3 = p->k_h == 3 && p->k_w == 3;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xn = x + (size_t)n * p->in_h * p->in_w * cn;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            const int row_inside = ky0 == 0 && ky1 == p->k_h;
            float *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn;
            for (int32_t c = 0; c < cn; c += 8) {
                const int nc = cn - c < 8 ? cn - c : 8;
                const __m256i mask = eb_avx2_mask(nc);
                const __m256 b = bias ? _mm256_maskload_ps(bias + c, mask) : _mm256_setzero_ps();
                if (is3x3 && row_inside && nc == 8) {
                    for (int32_t ox = 0; ox < ox_lo; ox++)
                        _mm256_storeu_ps(yrow + (size_t)ox * cn + c,
                                         eb_avx2_act(pixel_general(p, xn, w, b, iy0, ky0, ky1, ox, c, 8, mask), lo, hi));
                    const size_t rs = (size_t)p->in_w * cn; /* input row stride */
                    const __m256 w0 = _mm256_loadu_ps(w + c), w1 = _mm256_loadu_ps(w + cn + c),
                                 w2 = _mm256_loadu_ps(w + 2 * (size_t)cn + c);
                    const __m256 w3 = _mm256_loadu_ps(w + 3 * (size_t)cn + c),
                                 w4 = _mm256_loadu_ps(w + 4 * (size_t)cn + c),
                                 w5 = _mm256_loadu_ps(w + 5 * (size_t)cn + c);
                    const __m256 w6 = _mm256_loadu_ps(w + 6 * (size_t)cn + c),
                                 w7 = _mm256_loadu_ps(w + 7 * (size_t)cn + c),
                                 w8 = _mm256_loadu_ps(w + 8 * (size_t)cn + c);
                    for (int32_t ox = ox_lo; ox < ox_hi; ox++) {
                        const float *r0 =
                            xn + ((size_t)iy0 * p->in_w + (size_t)(ox * sw - p->pad_left)) * cn + c;
                        const float *r1 = r0 + rs, *r2 = r1 + rs;
                        __m256 acc = _mm256_fmadd_ps(_mm256_loadu_ps(r0), w0, b);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + cn), w1, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 2 * (size_t)cn), w2, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r1), w3, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + cn), w4, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + 2 * (size_t)cn), w5, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r2), w6, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + cn), w7, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + 2 * (size_t)cn), w8, acc);
                        _mm256_storeu_ps(yrow + (size_t)ox * cn + c, eb_avx2_act(acc, lo, hi));
                    }
                    for (int32_t ox = ox_hi; ox < p->out_w; ox++)
                        _mm256_storeu_ps(yrow + (size_t)ox * cn + c,
                                         eb_avx2_act(pixel_general(p, xn, w, b, iy0, ky0, ky1, ox, c, 8, mask), lo, hi));
                } else {
                    for (int32_t ox = 0; ox < p->out_w; ox++) {
                        const __m256 acc = eb_avx2_act(
                            pixel_general(p, xn, w, b, iy0, ky0, ky1, ox, c, nc, mask), lo, hi);
                        if (nc == 8)
                            _mm256_storeu_ps(yrow + (size_t)ox * cn + c, acc);
                        else
                            _mm256_maskstore_ps(yrow + (size_t)ox * cn + c, mask, acc);
                    }
                }
            }
        }
    }
}
