/* im2col_u8_avx512.h - rows of the uint8 (x + 128) im2col matrix of an int8 convolution,
 * shared by the avx512 and amx conv2d kernels (include only from files compiled with the
 * avx512 int8 flags, AVX-512BW for the masked byte moves; needs eb_s8_to_u8_avx512 from
 * gemm_s8_avx512.c). */
#ifndef EB_IM2COL_U8_AVX512_H
#define EB_IM2COL_U8_AVX512_H

#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"

/* dst[i] = src[i] ^ 0x80 for n bytes; short runs (like a window row of a first layer's
 * 3 channels) as one masked load and store, which touch only the n bytes. */
static inline void eb_avx512_flip_run(const int8_t *src, int32_t n, uint8_t *dst)
{
    if (n >= 64) {
        eb_s8_to_u8_avx512(src, n, n, dst);
        return;
    }
    const __mmask64 m = _cvtu64_mask64((UINT64_C(1) << n) - 1);
    const __m512i v = _mm512_maskz_loadu_epi8(m, (const void *)src);
    _mm512_mask_storeu_epi8((void *)dst, m, _mm512_xor_si512(v, _mm512_set1_epi8((char)0x80)));
}

/* The im2col row of output pixel (n, oy, ox): the window's taps as x + 128 (uint8), pad
 * where a tap lies outside the image, zeros from the depth up to kq. A window row whose
 * taps are all inside the image is one contiguous run of k_w * in_c bytes in NHWC. */
static inline void eb_avx512_im2col_row_u8(const eb_conv_params *p, const int8_t *x,
                                           uint8_t pad, int32_t n, int32_t oy, int32_t ox,
                                           int32_t kq, uint8_t *dst)
{
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t c = p->in_c, run = p->k_w * c;
    const int row_inside = ix0 >= 0 && ix0 + p->k_w <= p->in_w;
    const int32_t depth = p->k_h * run;
    if (run <= 64 && kq - depth <= 64 && row_inside && iy0 >= 0 && iy0 + p->k_h <= p->in_h) {
        /* the window inside the image with short window rows (a first layer's few
         * channels): one masked move per window row and one for the zeros */
        const __mmask64 m = _cvtu64_mask64(run == 64 ? ~UINT64_C(0) : (UINT64_C(1) << run) - 1);
        const __m512i flip = _mm512_set1_epi8((char)0x80);
        const size_t rs = (size_t)p->in_w * (size_t)c;
        const int8_t *src = x + (((size_t)n * p->in_h + (size_t)iy0) * p->in_w + (size_t)ix0) * c;
        for (int32_t ky = 0; ky < p->k_h; ky++, src += rs)
            _mm512_mask_storeu_epi8((void *)(dst + (size_t)ky * run), m,
                                    _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, (const void *)src),
                                                     flip));
        const int32_t z = kq - depth;
        if (z > 0)
            _mm512_mask_storeu_epi8((void *)(dst + depth),
                                    _cvtu64_mask64(z == 64 ? ~UINT64_C(0) : (UINT64_C(1) << z) - 1),
                                    _mm512_setzero_si512());
        return;
    }
    uint8_t *d = dst;
    for (int32_t ky = 0; ky < p->k_h; ky++, d += run) {
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) {
            memset(d, pad, (size_t)run);
            continue;
        }
        const int8_t *row = x + (((size_t)n * p->in_h + iy) * p->in_w) * c;
        if (row_inside) {
            eb_avx512_flip_run(row + (size_t)ix0 * c, run, d);
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= p->in_w)
                memset(d + kx * c, pad, (size_t)c);
            else
                eb_avx512_flip_run(row + (size_t)ix * c, c, d + kx * c);
        }
    }
    for (int32_t i = p->k_h * p->k_w * p->in_c; i < kq; i++)
        dst[i] = 0;
}

#endif
