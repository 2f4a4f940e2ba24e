/* gemm_s8_avx2.c - the int8 GEMM core of conv2d and fully connected.
 *
 * Route: A holds (x - in_zp) as int16 and weights are packed as int16 pairs, so
 * vpmaddwd gives exact int32 pair sums (|(x - zp) * w| <= 255 * 127; two of them fit
 * int32 easily) and vpaddd accumulates. vpmaddubsw would do twice the MACs per
 * instruction but saturates its int16 pair sums (255 * 127 * 2 > 32767), so it cannot be
 * bit-exact for full-range inputs.
 *
 * Tile: 6 rows x 16 channels = 12 int32 accumulators; each K pair costs 6 broadcasts
 * (one int32 = two int16 of A), 2 panel loads, 12 vpmaddwd and 12 vpaddd. The epilogue
 * requantizes exactly as eb_requantize (see avx2_util.h). */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_quant.h"

#define NR 16
#define MR 6

size_t eb_gemm_s8_avx2_pack_size(int32_t k, int32_t n)
{
    return eb_round_up((size_t)n, NR) * (size_t)eb_gemm_s8_kp(k) * sizeof(int16_t);
}

/* Panel p, K pair t: 32 int16 = channels 0..7 as (w[2t], w[2t+1]) pairs, then 8..15. */
void eb_gemm_s8_avx2_pack(int32_t k, int32_t n, const int8_t *w, int16_t *packed)
{
    assert(k > 0 && n > 0 && w && packed);
    const int32_t kp = eb_gemm_s8_kp(k);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        int16_t *dst = packed + (size_t)p0 * kp;
        for (int32_t t = 0; t < kp / 2; t++)
            for (int32_t j = 0; j < NR; j++)
                for (int32_t e = 0; e < 2; e++) {
                    const int32_t kk = 2 * t + e, ch = p0 + j;
                    dst[(size_t)t * 2 * NR + 2 * j + e] =
                        ch < n && kk < k ? w[(size_t)ch * k + kk] : 0;
                }
    }
}

void eb_s8_to_s16_avx2(const int8_t *src, int32_t k, int32_t kp, int32_t zp, int16_t *dst)
{
    const __m256i vzp = _mm256_set1_epi16((int16_t)zp);
    int32_t i = 0;
    for (; i + 16 <= k; i += 16) {
        __m256i v = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(src + i)));
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), _mm256_sub_epi16(v, vzp));
    }
    for (; i < k; i++)
        dst[i] = (int16_t)(src[i] - zp);
    for (; i < kp; i++)
        dst[i] = 0;
}

/* Requantization constants of one panel of 16 channels. */
typedef struct {
    eb_avx2_rq rq[2];
    __m256i bias[2];
    int with_left;
} panel_q;

static void panel_q_make(panel_q *pq, const eb_requant *q, const int32_t *bias, int32_t p0,
                         int nr)
{
    int32_t mult[NR] = {0}, shift[NR] = {0}, b[NR] = {0};
    pq->with_left = 0;
    for (int j = 0; j < nr; j++) {
        mult[j] = q->mult[p0 + j];
        shift[j] = q->shift[p0 + j];
        b[j] = bias ? bias[p0 + j] : 0;
        pq->with_left |= shift[j] > 0;
    }
    for (int h = 0; h < 2; h++) {
        pq->rq[h] = eb_avx2_rq_make(_mm256_loadu_si256((const __m256i *)(const void *)(mult + 8 * h)),
                                    _mm256_loadu_si256((const __m256i *)(const void *)(shift + 8 * h)));
        pq->bias[h] = _mm256_loadu_si256((const __m256i *)(const void *)(b + 8 * h));
    }
}

EB_INLINE void store_row(int8_t *c, __m256i a0, __m256i a1, const panel_q *pq, __m256i zp,
                         __m256i lo, __m256i hi, int nr)
{
    __m256i r0, r1;
    if (pq->with_left) {
        r0 = eb_avx2_requant_clamp(a0, &pq->rq[0], 1, zp, lo, hi);
        r1 = eb_avx2_requant_clamp(a1, &pq->rq[1], 1, zp, lo, hi);
    } else {
        r0 = eb_avx2_requant_clamp(a0, &pq->rq[0], 0, zp, lo, hi);
        r1 = eb_avx2_requant_clamp(a1, &pq->rq[1], 0, zp, lo, hi);
    }
    __m128i v = eb_avx2_pack16(r0, r1);
    if (nr == NR) {
        _mm_storeu_si128((__m128i *)(void *)c, v);
    } else {
        int8_t buf[NR];
        _mm_storeu_si128((__m128i *)(void *)buf, v);
        memcpy(c, buf, (size_t)nr);
    }
}

EB_INLINE void tile_s8(const int rows, int32_t kp, const int16_t *a, size_t lda,
                       const int16_t *b, const panel_q *pq, __m256i zp, __m256i lo,
                       __m256i hi, int8_t *c, size_t ldc, int nr)
{
    __m256i acc0[MR], acc1[MR];
    const int16_t *ap[MR];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        acc0[i] = pq->bias[0];
        acc1[i] = pq->bias[1];
        ap[i] = a + (size_t)i * lda;
    }
    for (int32_t kk = 0; kk < kp; kk += 2) {
        const __m256i b0 = _mm256_load_si256((const __m256i *)(const void *)b);
        const __m256i b1 = _mm256_load_si256((const __m256i *)(const void *)(b + 16));
        b += 2 * NR;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            int32_t pair;
            memcpy(&pair, ap[i] + kk, sizeof pair);
            const __m256i av = _mm256_set1_epi32(pair);
            acc0[i] = _mm256_add_epi32(acc0[i], _mm256_madd_epi16(av, b0));
            acc1[i] = _mm256_add_epi32(acc1[i], _mm256_madd_epi16(av, b1));
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++)
        store_row(c + (size_t)i * ldc, acc0[i], acc1[i], pq, zp, lo, hi, nr);
}

void eb_gemm_s8_avx2(int32_t m, int32_t n, int32_t kp, const int16_t *a, size_t lda,
                     const int16_t *packed, const int32_t *bias, const eb_requant *q,
                     int8_t *c, size_t ldc)
{
    assert(m > 0 && n > 0 && kp > 0 && (kp & 1) == 0 && a && packed && q && c);
    const __m256i zp = _mm256_set1_epi32(q->out_zp);
    const __m256i lo = _mm256_set1_epi32(q->act_min), hi = _mm256_set1_epi32(q->act_max);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        const int nr = n - p0 < NR ? n - p0 : NR;
        const int16_t *b = packed + (size_t)p0 * kp;
        panel_q pq;
        panel_q_make(&pq, q, bias, p0, nr);
        int32_t i = 0;
        for (; i + MR <= m; i += MR)
            tile_s8(MR, kp, a + (size_t)i * lda, lda, b, &pq, zp, lo, hi,
                    c + (size_t)i * ldc + p0, ldc, nr);
        const int16_t *ai = a + (size_t)i * lda;
        int8_t *ci = c + (size_t)i * ldc + p0;
        switch (m - i) {
        case 5: tile_s8(5, kp, ai, lda, b, &pq, zp, lo, hi, ci, ldc, nr); break;
        case 4: tile_s8(4, kp, ai, lda, b, &pq, zp, lo, hi, ci, ldc, nr); break;
        case 3: tile_s8(3, kp, ai, lda, b, &pq, zp, lo, hi, ci, ldc, nr); break;
        case 2: tile_s8(2, kp, ai, lda, b, &pq, zp, lo, hi, ci, ldc, nr); break;
        case 1: tile_s8(1, kp, ai, lda, b, &pq, zp, lo, hi, ci, ldc, nr); break;
        default: break;
        }
    }
}
