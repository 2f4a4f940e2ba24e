/* avx512_util.h - vector helpers shared by the AVX-512 kernels (include only from files
 * compiled with the avx512 flags). */
#ifndef EB_AVX512_UTIL_H
#define EB_AVX512_UTIL_H

#include <immintrin.h>
#include <stdint.h>

#include "eb_kernels.h"

#define EB_INLINE static inline __attribute__((always_inline))

/* mask of the first n (0..16) lanes */
EB_INLINE __mmask16 eb_avx512_mask16(int n)
{
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n > 0 ? n : 0)) - 1u);
}

/* Per-lane constants of eb_requantize besides the accumulator (16 channels). */
typedef struct {
    __m512i mult;  /* Q31 multiplier, >= 0 (validated) */
    __m512i mult_odd; /* mult >> 32: the odd lanes' multipliers in the even positions */
    __m512i left;  /* max(shift, 0) */
    __m512i right; /* max(-shift, 0) */
    __m512i rmask; /* 2^right - 1 */
    __m512i rhalf; /* rmask >> 1 */
} eb_avx512_rq;

EB_INLINE eb_avx512_rq eb_avx512_rq_make(__m512i mult, __m512i shift)
{
    const __m512i zero = _mm512_setzero_si512();
    eb_avx512_rq r;
    r.mult = mult;
    r.mult_odd = _mm512_srli_epi64(mult, 32);
    r.left = _mm512_max_epi32(shift, zero);
    r.right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
    r.rmask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), r.right),
                               _mm512_set1_epi32(1));
    r.rhalf = _mm512_srli_epi32(r.rmask, 1);
    return r;
}

/* eb_requantize() on 16 lanes, bit for bit, for mult >= 0 (the same derivation as
 * eb_avx2_requant in ../avx2/avx2_util.h: the doubling high multiply is bits 31..62 of
 * a*b + 2^30 for either sign; then a rounding divide by 2^right, half away from zero).
 * `with_left` = false skips the saturating left shift when no lane has shift > 0. */
EB_INLINE __m512i eb_avx512_requant(__m512i acc, const eb_avx512_rq *r, int with_left)
{
    __m512i x = acc;
    if (with_left) {
        __m512i shl = _mm512_sllv_epi32(acc, r->left);
        __mmask16 fits = _mm512_cmpeq_epi32_mask(_mm512_srav_epi32(shl, r->left), acc);
        __m512i sat = _mm512_xor_si512(_mm512_set1_epi32(INT32_MAX), _mm512_srai_epi32(acc, 31));
        x = _mm512_mask_blend_epi32(fits, sat, shl);
    }
    const __m512i nudge = _mm512_set1_epi64(INT64_C(1) << 30);
    __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, r->mult), nudge);
    __m512i odd = _mm512_add_epi64(
        _mm512_mul_epi32(_mm512_srli_epi64(x, 32), r->mult_odd), nudge);
    even = _mm512_srli_epi64(even, 31);
    odd = _mm512_slli_epi64(odd, 1);
    __m512i h = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, odd);
    __m512i rem = _mm512_and_si512(h, r->rmask);
    __m512i thr = _mm512_sub_epi32(r->rhalf, _mm512_srai_epi32(h, 31));
    __mmask16 up = _mm512_cmpgt_epi32_mask(rem, thr);
    __m512i q = _mm512_srav_epi32(h, r->right);
    return _mm512_mask_add_epi32(q, up, q, _mm512_set1_epi32(1));
}

static inline size_t eb_avx512_round_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

#endif
