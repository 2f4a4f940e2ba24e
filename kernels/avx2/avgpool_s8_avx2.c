/* avgpool_s8_avx2.c - int8 average pool, bit-exact to ref: int32 window sums over 8
 * channels at a time, then ref's rounding division (sum +- count/2) / count truncated.
 * The division is done in double: for integers |n| < 2^53 the correctly rounded
 * quotient truncates to the same integer as the exact one. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_window.h"

static __m256i div_trunc(__m256i n, __m256d d)
{
    __m128i a = _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(n)), d));
    __m128i b = _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(n, 1)), d));
    return _mm256_set_m128i(b, a);
}

void eb_avgpool_s8_avx2(const eb_pool_params *p_in, const int8_t *x, int8_t *y)
{
    assert(p_in);
    const eb_pool_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    assert(p && x && y);
    const int32_t cn = p->c;
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    const __m256i zero = _mm256_setzero_si256();
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
                const int32_t count = (ky1 - ky0) * (kx1 - kx0);
                assert(count > 0);
                const __m256d d = _mm256_set1_pd((double)count);
                const __m256i half = _mm256_set1_epi32(count / 2);
                int8_t *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                const int8_t *x0 =
                    xn + ((size_t)(iy0 + ky0) * p->in_w + (size_t)(ix0 + kx0)) * cn;
                for (int32_t c = 0; c < cn; c += 8) {
                    const int nc = cn - c < 8 ? cn - c : 8;
                    __m256i sum = zero;
                    for (int32_t ky = 0; ky < ky1 - ky0; ky++)
                        for (int32_t j = 0; j < kx1 - kx0; j++)
                            sum = _mm256_add_epi32(
                                sum, eb_avx2_load_s8x8(x0 + ((size_t)ky * p->in_w + (size_t)j) * cn + c, nc));
                    /* sum > 0 ? sum + half : sum - half */
                    const __m256i pos = _mm256_cmpgt_epi32(sum, zero);
                    const __m256i adj = _mm256_blendv_epi8(_mm256_sub_epi32(sum, half),
                                                           _mm256_add_epi32(sum, half), pos);
                    __m256i v = div_trunc(adj, d);
                    v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
                    eb_avx2_store_s8x8(out + c, v, nc);
                }
            }
        }
    }
}
