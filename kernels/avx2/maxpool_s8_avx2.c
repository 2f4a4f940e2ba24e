/* maxpool_s8_avx2.c - int8 max pool, 32 channels per vector (vpmaxsb); exact. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_quant.h"
#include "eb_window.h"

void eb_maxpool_s8_avx2(const eb_pool_params *p_in, const int8_t *x, int8_t *y)
{
    assert(p_in);
    const eb_pool_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    assert(p && x && y);
    const int32_t cn = p->c;
    const __m256i lo = _mm256_set1_epi8((int8_t)p->act_min);
    const __m256i hi = _mm256_set1_epi8((int8_t)p->act_max);
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *xn = x + (size_t)n * p->in_h * p->in_w * cn;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                const int8_t *x0 =
                    xn + ((size_t)(iy0 + ky0) * p->in_w + (size_t)(ix0 + kx0)) * cn;
                int32_t c = 0;
                for (; c + 32 <= cn; c += 32) {
                    __m256i m = _mm256_set1_epi8(-128);
                    for (int32_t ky = 0; ky < ky1 - ky0; ky++)
                        for (int32_t j = 0; j < kx1 - kx0; j++)
                            m = _mm256_max_epi8(m, _mm256_loadu_si256((const __m256i *)(const void *)(
                                                       x0 + ((size_t)ky * p->in_w + (size_t)j) * cn + c)));
                    m = _mm256_min_epi8(_mm256_max_epi8(m, lo), hi);
                    _mm256_storeu_si256((__m256i *)(void *)(out + c), m);
                }
                for (; c < cn; c++) {
                    int32_t m = -128;
                    for (int32_t ky = 0; ky < ky1 - ky0; ky++)
                        for (int32_t j = 0; j < kx1 - kx0; j++) {
                            int32_t v = x0[((size_t)ky * p->in_w + (size_t)j) * cn + c];
                            m = v > m ? v : m;
                        }
                    out[c] = (int8_t)eb_clamp_i32(m, p->act_min, p->act_max);
                }
            }
        }
    }
}
