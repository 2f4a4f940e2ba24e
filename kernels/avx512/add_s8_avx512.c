/* add_s8_avx512.c - int8 elementwise add as TFLite, bit-exact to ref: 16 lanes of
 * ((x - zp) << left_shift) rescaled per input, summed and requantized (the avx2
 * kernel's arithmetic, twice as wide; the tail is masked). */
#include <assert.h>

#include "avx512_util.h"
#include "eb_avx512.h"

void eb_add_s8_avx512(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);

void eb_add_s8_avx512(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y);
    const __m128i ls = _mm_cvtsi32_si128(p->left_shift);
    const __m512i azp = _mm512_set1_epi32(p->a_zp), bzp = _mm512_set1_epi32(p->b_zp);
    const eb_avx512_rq ra =
        eb_avx512_rq_make(_mm512_set1_epi32(p->a_mult), _mm512_set1_epi32(p->a_shift));
    const eb_avx512_rq rb =
        eb_avx512_rq_make(_mm512_set1_epi32(p->b_mult), _mm512_set1_epi32(p->b_shift));
    const eb_avx512_rq ro =
        eb_avx512_rq_make(_mm512_set1_epi32(p->out_mult), _mm512_set1_epi32(p->out_shift));
    const int la = p->a_shift > 0, lb = p->b_shift > 0, lout = p->out_shift > 0;
    const __m512i ozp = _mm512_set1_epi32(p->out_zp);
    const __m512i lo = _mm512_set1_epi32(p->act_min), hi = _mm512_set1_epi32(p->act_max);
    const int32_t size = p->size; /* a local: vector stores may alias *p */
    for (int32_t i = 0; i < size; i += 16) {
        const int32_t n = size - i < 16 ? size - i : 16;
        const __mmask16 m = (__mmask16)((1u << n) - 1u);
        const __m512i xa = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, (const void *)(a + i)));
        const __m512i xb = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, (const void *)(b + i)));
        const __m512i av = _mm512_sll_epi32(_mm512_sub_epi32(xa, azp), ls);
        const __m512i bv = _mm512_sll_epi32(_mm512_sub_epi32(xb, bzp), ls);
        const __m512i sum =
            _mm512_add_epi32(eb_avx512_requant(av, &ra, la), eb_avx512_requant(bv, &rb, lb));
        __m512i o = _mm512_add_epi32(eb_avx512_requant(sum, &ro, lout), ozp);
        o = _mm512_min_epi32(_mm512_max_epi32(o, lo), hi);
        _mm_mask_storeu_epi8((void *)(y + i), m, _mm512_cvtepi32_epi8(o));
    }
}
