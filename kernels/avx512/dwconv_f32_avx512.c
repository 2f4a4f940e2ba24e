/* dwconv_f32_avx512.c - fp32 depthwise convolution on AVX-512F, vectorized over
 * channels (16 per zmm; the last < 16 masked). Each output pixel is a chain of FMAs
 * over its window taps (ref's order, bias first). 3x3 windows inside the image take an
 * unrolled path: for 16 channels over a whole output row with the 9 weight vectors in
 * registers, or, strided over wide rows, pixel by pixel with all channels of a pixel
 * together. Everything else takes the per-tap loop over valid taps. */
#include <assert.h>

#include "avx512_util.h"
#include "eb_avx512.h"
#include "eb_window.h"

/* One output pixel, channels [c, c + 16) under mask m: valid taps only. */
EB_INLINE __m512 pixel_general(const eb_conv_params *p, const float *xn, const float *w,
                               __m512 b, int32_t iy0, int32_t ky0, int32_t ky1, int32_t ox,
                               int32_t c, __mmask16 m)
{
    const int32_t cn = p->in_c;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32_t kx0, kx1;
    eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
    __m512 acc = b;
    for (int32_t ky = ky0; ky < ky1; ky++) {
        const float *xr = xn + ((size_t)(iy0 + ky) * p->in_w + (size_t)(ix0 + kx0)) * cn + c;
        const float *wr = w + ((size_t)ky * p->k_w + (size_t)kx0) * cn + c;
        for (int32_t j = 0; j < kx1 - kx0; j++)
            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, xr + (size_t)j * cn),
                                  _mm512_maskz_loadu_ps(m, wr + (size_t)j * cn), acc);
    }
    return acc;
}

/* min(hi, max(lo, v)) keeps a NaN v as NaN, like eb_act_f32 */
EB_INLINE __m512 clamp(__m512 lo, __m512 hi, __m512 v)
{
    return _mm512_min_ps(hi, _mm512_max_ps(lo, v));
}

void eb_dwconv_f32_avx512(const eb_conv_params *p_in, const float *x, const float *w,
                          const float *bias, const void *packed, float *y, void *scratch)
{
    assert(p_in);
    const eb_conv_params pv = *p_in, *p = &pv; /* local: stores to y may alias *p_in */
    (void)packed;
    (void)scratch;
    assert(x && w && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c, sw = p->stride_w;
    /* min(hi, max(lo, v)) keeps a NaN v as NaN, like eb_act_f32 */
    const __m512 lo = _mm512_set1_ps(p->act == EB_ACT_NONE ? -__builtin_inff() : 0.0f);
    const __m512 hi = _mm512_set1_ps(p->act == EB_ACT_RELU6 ? 6.0f : __builtin_inff());
    /* output columns whose window is inside the image: [ox_lo, ox_hi) */
    int32_t ox_lo, ox_hi;
    eb_window_interior(p->in_w, p->pad_left, p->k_w, sw, p->out_w, &ox_lo, &ox_hi);
    const int is3x3 = p->k_h == 3 && p->k_w == 3;
    const size_t rs = (size_t)p->in_w * cn; /* input row stride */
    const size_t c1 = (size_t)cn, c2 = 2 * (size_t)cn;
    /* Strided windows over wide rows: 16 channels at a time over a row would fetch
     * every row once per 16 channels and use one cache line of each pixel in 2 or more
     * (bench kernels: 1.5x on the 112-wide stride-2 layers of MobileNetV1/V2 this way;
     * slower on the narrower ones and at stride 1) */
    const int pixel_major = sw >= 2 && p->in_w >= 64;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xn = x + (size_t)n * p->in_h * p->in_w * cn;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            const int row_inside = ky0 == 0 && ky1 == p->k_h;
            float *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn;
            if (!(is3x3 && row_inside)) {
                for (int32_t ox = 0; ox < p->out_w; ox++)
                    for (int32_t c = 0; c < cn; c += 16) {
                        const __mmask16 m = eb_avx512_mask16(cn - c);
                        const __m512 b =
                            bias ? _mm512_maskz_loadu_ps(m, bias + c) : _mm512_setzero_ps();
                        _mm512_mask_storeu_ps(yrow + (size_t)ox * cn + c, m,
                                              clamp(lo, hi, pixel_general(p, xn, w, b, iy0, ky0,
                                                                          ky1, ox, c, m)));
                    }
                continue;
            }
            if (!pixel_major) {
                /* 16 channels at a time over the row, the 9 weights in registers; at
                 * stride 1 two output rows together when the next is inside too: its
                 * window rows are this one's shifted by one, so 4 input rows serve both
                 * (6 loads per output instead of 9, and a third less from L2) */
                const int pair = p->stride_h == 1 && oy + 1 < p->out_h && iy0 + 4 <= p->in_h;
                float *yrow2 = yrow + (size_t)p->out_w * cn;
                for (int32_t c = 0; c < cn; c += 16) {
                    const __mmask16 m = eb_avx512_mask16(cn - c);
                    const __m512 b =
                        bias ? _mm512_maskz_loadu_ps(m, bias + c) : _mm512_setzero_ps();
                    int32_t ox = 0;
                    for (; ox < ox_lo; ox++) {
                        _mm512_mask_storeu_ps(yrow + (size_t)ox * cn + c, m,
                                              clamp(lo, hi, pixel_general(p, xn, w, b, iy0, 0, 3,
                                                                          ox, c, m)));
                        if (pair)
                            _mm512_mask_storeu_ps(yrow2 + (size_t)ox * cn + c, m,
                                                  clamp(lo, hi, pixel_general(p, xn, w, b, iy0 + 1,
                                                                              0, 3, ox, c, m)));
                    }
                    const __m512 w0 = _mm512_maskz_loadu_ps(m, w + c),
                                 w1 = _mm512_maskz_loadu_ps(m, w + c1 + c),
                                 w2 = _mm512_maskz_loadu_ps(m, w + c2 + c);
                    const __m512 w3 = _mm512_maskz_loadu_ps(m, w + 3 * c1 + c),
                                 w4 = _mm512_maskz_loadu_ps(m, w + 4 * c1 + c),
                                 w5 = _mm512_maskz_loadu_ps(m, w + 5 * c1 + c);
                    const __m512 w6 = _mm512_maskz_loadu_ps(m, w + 6 * c1 + c),
                                 w7 = _mm512_maskz_loadu_ps(m, w + 7 * c1 + c),
                                 w8 = _mm512_maskz_loadu_ps(m, w + 8 * c1 + c);
                    for (; ox < ox_hi; ox++) {
                        const float *r0 =
                            xn + ((size_t)iy0 * p->in_w + (size_t)(ox * sw - p->pad_left)) * cn + c;
                        const float *r1 = r0 + rs, *r2 = r1 + rs;
                        __m512 v0 = _mm512_maskz_loadu_ps(m, r0);
                        __m512 v1 = _mm512_maskz_loadu_ps(m, r0 + c1);
                        __m512 v2 = _mm512_maskz_loadu_ps(m, r0 + c2);
                        __m512 acc = _mm512_fmadd_ps(v0, w0, b);
                        acc = _mm512_fmadd_ps(v1, w1, acc);
                        acc = _mm512_fmadd_ps(v2, w2, acc);
                        v0 = _mm512_maskz_loadu_ps(m, r1);
                        v1 = _mm512_maskz_loadu_ps(m, r1 + c1);
                        v2 = _mm512_maskz_loadu_ps(m, r1 + c2);
                        acc = _mm512_fmadd_ps(v0, w3, acc);
                        acc = _mm512_fmadd_ps(v1, w4, acc);
                        acc = _mm512_fmadd_ps(v2, w5, acc);
                        /* the next row's window starts at r1: the same taps, in order */
                        __m512 acc2 = b;
                        if (pair) {
                            acc2 = _mm512_fmadd_ps(v0, w0, acc2);
                            acc2 = _mm512_fmadd_ps(v1, w1, acc2);
                            acc2 = _mm512_fmadd_ps(v2, w2, acc2);
                        }
                        v0 = _mm512_maskz_loadu_ps(m, r2);
                        v1 = _mm512_maskz_loadu_ps(m, r2 + c1);
                        v2 = _mm512_maskz_loadu_ps(m, r2 + c2);
                        acc = _mm512_fmadd_ps(v0, w6, acc);
                        acc = _mm512_fmadd_ps(v1, w7, acc);
                        acc = _mm512_fmadd_ps(v2, w8, acc);
                        _mm512_mask_storeu_ps(yrow + (size_t)ox * cn + c, m, clamp(lo, hi, acc));
                        if (pair) {
                            acc2 = _mm512_fmadd_ps(v0, w3, acc2);
                            acc2 = _mm512_fmadd_ps(v1, w4, acc2);
                            acc2 = _mm512_fmadd_ps(v2, w5, acc2);
                            const float *r3 = r2 + rs;
                            acc2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r3), w6, acc2);
                            acc2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r3 + c1), w7, acc2);
                            acc2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, r3 + c2), w8, acc2);
                            _mm512_mask_storeu_ps(yrow2 + (size_t)ox * cn + c, m,
                                                  clamp(lo, hi, acc2));
                        }
                    }
                    for (; ox < p->out_w; ox++) {
                        _mm512_mask_storeu_ps(yrow + (size_t)ox * cn + c, m,
                                              clamp(lo, hi, pixel_general(p, xn, w, b, iy0, 0, 3,
                                                                          ox, c, m)));
                        if (pair)
                            _mm512_mask_storeu_ps(yrow2 + (size_t)ox * cn + c, m,
                                                  clamp(lo, hi, pixel_general(p, xn, w, b, iy0 + 1,
                                                                              0, 3, ox, c, m)));
                    }
                }
                oy += pair;
                continue;
            }
            /* pixel by pixel, all channels of one pixel before the next, so the three
             * input rows are read once and in order; the weights are L1 hits */
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int inside = ox >= ox_lo && ox < ox_hi;
                const float *r0 =
                    xn + ((size_t)iy0 * p->in_w + (size_t)(ox * sw - p->pad_left)) * cn;
                for (int32_t c = 0; c < cn; c += 16) {
                    const __mmask16 m = eb_avx512_mask16(cn - c);
                    const __m512 b =
                        bias ? _mm512_maskz_loadu_ps(m, bias + c) : _mm512_setzero_ps();
                    __m512 acc;
                    if (inside) {
                        const float *a0 = r0 + c, *a1 = a0 + rs, *a2 = a1 + rs;
                        const float *wc = w + c;
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a0),
                                              _mm512_maskz_loadu_ps(m, wc), b);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a0 + c1),
                                              _mm512_maskz_loadu_ps(m, wc + c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a0 + c2),
                                              _mm512_maskz_loadu_ps(m, wc + c2), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a1),
                                              _mm512_maskz_loadu_ps(m, wc + 3 * c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a1 + c1),
                                              _mm512_maskz_loadu_ps(m, wc + 4 * c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a1 + c2),
                                              _mm512_maskz_loadu_ps(m, wc + 5 * c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a2),
                                              _mm512_maskz_loadu_ps(m, wc + 6 * c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a2 + c1),
                                              _mm512_maskz_loadu_ps(m, wc + 7 * c1), acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a2 + c2),
                                              _mm512_maskz_loadu_ps(m, wc + 8 * c1), acc);
                    } else {
                        acc = pixel_general(p, xn, w, b, iy0, ky0, ky1, ox, c, m);
                    }
                    _mm512_mask_storeu_ps(yrow + (size_t)ox * cn + c, m, clamp(lo, hi, acc));
                }
            }
        }
    }
}
