/* avx2_util.h - vector helpers shared by the AVX2 kernels (include only from files
 * compiled with -mavx2 -mfma). */
#ifndef EB_AVX2_UTIL_H
#define EB_AVX2_UTIL_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "eb_kernels.h"

#define EB_INLINE static inline __attribute__((always_inline))

/* Lane mask with the first n (0..8) 32-bit lanes set, for maskload/maskstore. */
EB_INLINE __m256i eb_avx2_mask(int n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

/* fp32 activation clamp bounds: y = min(hi, max(lo, v)). The operand order keeps a NaN
 * v as NaN, like eb_act_f32. */
EB_INLINE void eb_avx2_act_bounds(eb_act act, __m256 *lo, __m256 *hi)
{
    *lo = _mm256_set1_ps(act == EB_ACT_NONE ? -__builtin_inff() : 0.0f);
    *hi = _mm256_set1_ps(act == EB_ACT_RELU6 ? 6.0f : __builtin_inff());
}

EB_INLINE __m256 eb_avx2_act(__m256 v, __m256 lo, __m256 hi)
{
    return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

/* Per-lane requantization constants derived from (mult, shift): what eb_requantize
 * needs besides the accumulator, computed once per group of 8 channels. */
typedef struct {
    __m256i mult;  /* Q31 multiplier, >= 0 (validated) */
    __m256i left;  /* max(shift, 0) */
    __m256i right; /* max(-shift, 0) */
    __m256i rmask; /* 2^right - 1 */
    __m256i rhalf; /* rmask >> 1 */
} eb_avx2_rq;

EB_INLINE eb_avx2_rq eb_avx2_rq_make(__m256i mult, __m256i shift)
{
    const __m256i zero = _mm256_setzero_si256();
    eb_avx2_rq r;
    r.mult = mult;
    r.left = _mm256_max_epi32(shift, zero);
    r.right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
    r.rmask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), r.right),
                               _mm256_set1_epi32(1));
    r.rhalf = _mm256_srli_epi32(r.rmask, 1);
    return r;
}

/* eb_requantize() on 8 lanes, bit for bit, for mult >= 0 (so the saturating case
 * a == b == INT32_MIN of the doubling high multiply cannot occur).
 *
 * The doubling high multiply: ref computes (ab + nudge) / 2^31 truncated, nudge = 2^30
 * for ab >= 0 and 1 - 2^30 otherwise. For ab < 0 the truncating division of the negative
 * ab + 1 - 2^30 equals floor((ab + 1 - 2^30 + 2^31 - 1) / 2^31) = floor((ab + 2^30) /
 * 2^31), the same expression as for ab >= 0. So it is one 64-bit add and bits 31..62 of
 * the sum (the result fits int32), with no sign-dependent nudge. `with_left` = false
 * skips the saturating left shift when no lane has shift > 0. */
EB_INLINE __m256i eb_avx2_requant(__m256i acc, const eb_avx2_rq *r, int with_left)
{
    __m256i x = acc;
    if (with_left) {
        __m256i shl = _mm256_sllv_epi32(acc, r->left);
        __m256i fits = _mm256_cmpeq_epi32(_mm256_srav_epi32(shl, r->left), acc);
        __m256i sat = _mm256_xor_si256(_mm256_set1_epi32(INT32_MAX), _mm256_srai_epi32(acc, 31));
        x = _mm256_blendv_epi8(sat, shl, fits);
    }
    const __m256i nudge = _mm256_set1_epi64x(INT64_C(1) << 30);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, r->mult), nudge);
    __m256i odd = _mm256_add_epi64(
        _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(r->mult, 32)), nudge);
    even = _mm256_srli_epi64(even, 31);
    odd = _mm256_slli_epi64(odd, 1);
    __m256i h = _mm256_blend_epi32(even, odd, 0xAA);
    /* rounding divide by 2^right, half away from zero (eb_rdivpot) */
    __m256i rem = _mm256_and_si256(h, r->rmask);
    __m256i thr = _mm256_sub_epi32(r->rhalf, _mm256_srai_epi32(h, 31));
    return _mm256_sub_epi32(_mm256_srav_epi32(h, r->right), _mm256_cmpgt_epi32(rem, thr));
}

/* out_zp + requant, clamped to [lo, hi]. The requantized value is first bounded to
 * [-512, 512]: with |zp| <= 128 and [lo, hi] inside int8 the result is the same as ref's
 * 64-bit add, and a saturated value cannot wrap when zp is added. */
EB_INLINE __m256i eb_avx2_requant_clamp(__m256i acc, const eb_avx2_rq *r, int with_left,
                                        __m256i zp, __m256i lo, __m256i hi)
{
    __m256i v = eb_avx2_requant(acc, r, with_left);
    v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(-512)), _mm256_set1_epi32(512));
    v = _mm256_add_epi32(v, zp);
    return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}

/* Two vectors of 8 int32 (already in int8 range) -> 16 int8 in order. */
EB_INLINE __m128i eb_avx2_pack16(__m256i a, __m256i b)
{
    __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
    return _mm_packs_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
}

/* One vector of 8 int32 (in int8 range) -> 8 int8 in the low 64 bits. */
EB_INLINE __m128i eb_avx2_pack8(__m256i a)
{
    __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    return _mm_packs_epi16(w, w);
}

/* Loads n (0..8) int8 and sign-extends them to int32 lanes (the rest 0), without
 * reading past the n bytes. */
EB_INLINE __m256i eb_avx2_load_s8x8(const int8_t *p, int n)
{
    if (n == 8) {
        int64_t v;
        memcpy(&v, p, 8);
        return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v));
    }
    int8_t buf[8] = {0};
    memcpy(buf, p, (size_t)n);
    int64_t v;
    memcpy(&v, buf, 8);
    return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v));
}

EB_INLINE void eb_avx2_store_s8x8(int8_t *p, __m256i v, int n)
{
    __m128i b = eb_avx2_pack8(v);
    if (n == 8) {
        _mm_storel_epi64((__m128i *)(void *)p, b);
    } else {
        int8_t buf[16];
        _mm_storeu_si128((__m128i *)(void *)buf, b);
        memcpy(p, buf, (size_t)n);
    }
}

static inline size_t eb_round_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

#endif
