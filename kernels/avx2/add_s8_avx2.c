/* add_s8_avx2.c - int8 elementwise add as TFLite, bit-exact to ref: 8 lanes of
 * ((x - zp) << left_shift) rescaled per input, summed and requantized. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

void eb_add_s8_avx2(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y);
    const __m128i ls = _mm_cvtsi32_si128(p->left_shift);
    const __m256i azp = _mm256_set1_epi32(p->a_zp), bzp = _mm256_set1_epi32(p->b_zp);
    const eb_avx2_rq ra = eb_avx2_rq_make(_mm256_set1_epi32(p->a_mult), _mm256_set1_epi32(p->a_shift));
    const eb_avx2_rq rb = eb_avx2_rq_make(_mm256_set1_epi32(p->b_mult), _mm256_set1_epi32(p->b_shift));
    const eb_avx2_rq ro = eb_avx2_rq_make(_mm256_set1_epi32(p->out_mult), _mm256_set1_epi32(p->out_shift));
    const int la = p->a_shift > 0, lb = p->b_shift > 0, lout = p->out_shift > 0;
    const __m256i ozp = _mm256_set1_epi32(p->out_zp);
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    const int32_t size = p->size; /* a local: vector stores may alias *p */
    for (int32_t i = 0; i < size; i += 8) {
        const int n = size - i < 8 ? size - i : 8;
        __m256i av = _mm256_sll_epi32(_mm256_sub_epi32(eb_avx2_load_s8x8(a + i, n), azp), ls);
        __m256i bv = _mm256_sll_epi32(_mm256_sub_epi32(eb_avx2_load_s8x8(b + i, n), bzp), ls);
        __m256i sum = _mm256_add_epi32(eb_avx2_requant(av, &ra, la), eb_avx2_requant(bv, &rb, lb));
        eb_avx2_store_s8x8(y + i, eb_avx2_requant_clamp(sum, &ro, lout, ozp, lo, hi), n);
    }
}
