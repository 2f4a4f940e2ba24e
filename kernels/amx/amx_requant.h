/* amx_requant.h - a shorter exact form of eb_requantize for the common case, used by the
 * AMX GEMM epilogue, where the requantization costs more vector instructions than the
 * tile unit spends on the products (include only from files built with the folder's
 * flags). 8 or 9 instructions per 16 lanes instead of eb_avx512_requant's 14.
 *
 * Valid for a lane when its shift <= 0 (r = -shift right, no left shift), mult >= 0 and
 * |acc| <= 2^30 - 2; the caller checks these per block of channels (the accumulator
 * bound from |bias| + 255 * sum |w|) and uses eb_avx512_requant otherwise.
 *
 * Input: ua = acc + 2^31 as uint32 (the AMX accumulators start from the folded bias
 * plus 2^31, so this costs nothing). With h = srdhm(acc, mult) = floor((acc * mult +
 * 2^30) / 2^31) (equal to eb_srdhm for mult >= 0) and r >= 1, eb_rdivpot rounds
 * half away from zero: R = floor((h + 2^(r-1) - [h < 0]) / 2^r), and [h < 0] may be
 * replaced by [acc < 0] (they differ only when h = 0, where both give 0). Write
 * H = h + 2^(r-1) - 1; as 2 acc m = ua (2m) - m 2^32,
 *     H = floor(V / 2^32),  V = ua * 2m + 2^31 + (2^(r-1) - 1 - m) 2^32,
 * one unsigned 32 x 32 -> 64 multiply (2m < 2^32) plus a per-lane 64-bit constant,
 * exact in wrapping 64-bit arithmetic because |V| < 2^63 under the bound. Then
 *     R = (H + [acc >= 0]) >> r,  [acc >= 0] = ua >> 31 (logical).
 * r = 0 (R = h): the constant drops 2^(r-1) - 1 and the correction shifts by 32
 * (vpsrlvd gives 0). mult = 0 gives R = 0 either way, like eb_requantize. */
#ifndef EB_AMX_REQUANT_H
#define EB_AMX_REQUANT_H

#include <immintrin.h>
#include <stdint.h>

#include "../avx512/avx512_util.h"

/* the largest |acc| eb_amx_requant is exact for */
#define EB_AMX_RQ_MAX_ACC ((INT64_C(1) << 30) - 2)

/* Per-lane constants of 16 channels. */
typedef struct {
    __m512i m2e, m2o; /* 2 mult of lanes 2i and 2i + 1, in the low dword of qword i */
    __m512i ce, co;   /* the 64-bit constant of V for lanes 2i and 2i + 1 */
    __m512i sc;       /* 31, or 32 where r = 0 */
    __m512i rs;       /* r */
} eb_amx_rq;

/* mult[16] >= 0, shift[16] <= 0 */
static inline eb_amx_rq eb_amx_rq_make(const int32_t *mult, const int32_t *shift)
{
    uint32_t m2[16];
    uint64_t c[16];
    int32_t sc[16], rs[16];
    for (int j = 0; j < 16; j++) {
        const int32_t r = -shift[j];
        const int64_t half_m1 = r > 0 ? (INT64_C(1) << (r - 1)) - 1 : 0;
        m2[j] = 2u * (uint32_t)mult[j];
        c[j] = (uint64_t)(INT64_C(1) << 31) +
               ((uint64_t)(half_m1 - (int64_t)mult[j]) << 32); /* mod 2^64 */
        sc[j] = r > 0 ? 31 : 32;
        rs[j] = r;
    }
    eb_amx_rq q;
    uint64_t me[8], mo[8], ce[8], co[8];
    for (int i = 0; i < 8; i++) {
        me[i] = m2[2 * i];
        mo[i] = m2[2 * i + 1];
        ce[i] = c[2 * i];
        co[i] = c[2 * i + 1];
    }
    q.m2e = _mm512_loadu_si512((const void *)me);
    q.m2o = _mm512_loadu_si512((const void *)mo);
    q.ce = _mm512_loadu_si512((const void *)ce);
    q.co = _mm512_loadu_si512((const void *)co);
    q.sc = _mm512_loadu_si512((const void *)sc);
    q.rs = _mm512_loadu_si512((const void *)rs);
    return q;
}

/* eb_requantize(acc, mult, shift) on 16 lanes from ua = acc + 2^31 (see above). odd
 * holds lanes 2i + 1 of ua in the low dwords of its qwords (the high dwords are
 * ignored): a load of ua's memory one lane further costs no vector instruction. */
EB_INLINE __m512i eb_amx_requant2(__m512i ua, __m512i odd, const eb_amx_rq *q)
{
    const __m512i ve = _mm512_add_epi64(_mm512_mul_epu32(ua, q->m2e), q->ce);
    const __m512i vo = _mm512_add_epi64(_mm512_mul_epu32(odd, q->m2o), q->co);
    /* H: the high dwords, the odd ones in place in vo, the even ones moved down from ve */
    const __m512i h = _mm512_mask_shuffle_epi32(vo, (__mmask16)0x5555, ve, _MM_PERM_DDBB);
    return _mm512_srav_epi32(_mm512_add_epi32(h, _mm512_srlv_epi32(ua, q->sc)), q->rs);
}

EB_INLINE __m512i eb_amx_requant(__m512i ua, const eb_amx_rq *q)
{
    return eb_amx_requant2(ua, _mm512_srli_epi64(ua, 32), q);
}

#endif
