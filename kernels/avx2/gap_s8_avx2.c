/* gap_s8_avx2.c - int8 global average pool (TFLite MEAN), bit-exact to ref: int32
 * sums of x over the pixels, minus hw * in_zp (the same integer as ref's
 * sum(x - in_zp), which validation keeps inside int32), requantized 8 lanes at a time. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

void eb_gap_s8_avx2(const eb_gap_params *p_in, const int8_t *x, int8_t *y)
{
    assert(p_in);
    const eb_gap_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w;
    const int32_t cn = p->c;
    const __m256i corr = _mm256_set1_epi32((int32_t)hw * p->in_zp);
    const eb_avx2_rq rq = eb_avx2_rq_make(_mm256_set1_epi32(p->mult), _mm256_set1_epi32(p->shift));
    const int with_left = p->shift > 0;
    const __m256i ozp = _mm256_set1_epi32(p->out_zp);
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *xb = x + (size_t)n * hw * cn;
        int8_t *yb = y + (size_t)n * cn;
        int32_t c = 0;
        for (; c + 32 <= cn; c += 32) {
            __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(),
                            _mm256_setzero_si256(), _mm256_setzero_si256()};
            for (size_t i = 0; i < hw; i++) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(xb + i * cn + c));
                const __m256i v0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(v));
                const __m256i v1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(v, 1));
                s[0] = _mm256_add_epi32(s[0], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(v0)));
                s[1] = _mm256_add_epi32(s[1], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(v0, 1)));
                s[2] = _mm256_add_epi32(s[2], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(v1)));
                s[3] = _mm256_add_epi32(s[3], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(v1, 1)));
            }
            __m256i r[4];
            for (int h = 0; h < 4; h++)
                r[h] = eb_avx2_requant_clamp(_mm256_sub_epi32(s[h], corr), &rq, with_left, ozp, lo, hi);
            _mm_storeu_si128((__m128i *)(void *)(yb + c), eb_avx2_pack16(r[0], r[1]));
            _mm_storeu_si128((__m128i *)(void *)(yb + c + 16), eb_avx2_pack16(r[2], r[3]));
        }
        for (; c < cn; c += 8) {
            const int nc = cn - c < 8 ? cn - c : 8;
            __m256i s = _mm256_setzero_si256();
            for (size_t i = 0; i < hw; i++)
                s = _mm256_add_epi32(s, eb_avx2_load_s8x8(xb + i * cn + c, nc));
            eb_avx2_store_s8x8(yb + c,
                               eb_avx2_requant_clamp(_mm256_sub_epi32(s, corr), &rq, with_left, ozp, lo, hi),
                               nc);
        }
    }
}
