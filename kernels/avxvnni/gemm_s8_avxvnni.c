/* gemm_s8_avxvnni.c - the int8 GEMM core of conv2d and fully connected on AVX-VNNI
 * (see eb_avxvnni.h for the u8 route and the weight-sum correction).
 *
 * Tile: 6 rows x 16 channels = 12 ymm accumulators; per 4 K: 2 panel loads and 6
 * broadcasts for 12 vpdpbusd, which leaves 16 - 12 - 2 = 2 registers for broadcasts (VEX
 * has no embedded broadcast and only 16 ymm). Rows left over from the 6-row tiles
 * (batch-1 fully connected is all leftover) run across several panels at once instead,
 * so that they too keep 8-12 independent accumulators: 1 row x 4 panels, 2 x 3, 3 x 2.
 *
 * Lane order: lane j of a panel's quad holds channel (j & 3) | (j & 4) << 1 | (j & 8)
 * >> 1, i.e. the first accumulator holds channels 0-3 and 8-11, the second 4-7 and
 * 12-15. One packs_epi32 of the two then gives channels 0..15 in order as int16; the
 * zero point is added in int16 (saturating), a packs_epi16 of two rows and one qword
 * permutation give both rows' bytes, and one clamp serves 32 outputs. Saturation and
 * clamping are both monotonic and [act_min, act_max] lies inside int8, so this equals
 * ref's clamp of the 64-bit sum. */
#include <assert.h>
#include <string.h>

#include "avxvnni_util.h"
#include "eb_avxvnni.h"

#define NR 16
#define MR 6
#define MAXP 4 /* panels of a leftover-row tile */

static inline int lane_channel(int j)
{
    return (j & 3) | ((j & 4) << 1) | ((j & 8) >> 1);
}

static size_t panel_bytes(int32_t kq)
{
    return (size_t)NR * (size_t)kq;
}

static size_t weights_bytes(int32_t k, int32_t n)
{
    return eb_round_up((size_t)n, NR) * (size_t)eb_gemm_u8_kq(k);
}

size_t eb_gemm_s8_avxvnni_pack_size(int32_t k, int32_t n)
{
    return weights_bytes(k, n) + eb_round_up((size_t)n, NR) * sizeof(int32_t);
}

/* Panel p0, quad t: 16 int32 lanes, lane j = w[p0 + lane_channel(j)][4t .. 4t + 3]; zero
 * outside the matrix. After all panels: [round_up(n, 16)] int32 sums of each channel's
 * weights, in channel order. */
void eb_gemm_s8_avxvnni_pack(int32_t k, int32_t n, const int8_t *w, void *packed)
{
    assert(k > 0 && n > 0 && w && packed);
    const int32_t kq = eb_gemm_u8_kq(k);
    int8_t *dst = (int8_t *)packed;
    int32_t *sums = (int32_t *)(void *)((char *)packed + weights_bytes(k, n));
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        int8_t *panel = dst + (size_t)p0 * kq;
        for (int32_t t = 0; t < kq / 4; t++)
            for (int32_t j = 0; j < NR; j++)
                for (int32_t e = 0; e < 4; e++) {
                    const int32_t kk = 4 * t + e, ch = p0 + lane_channel(j);
                    panel[(size_t)t * 4 * NR + 4 * j + e] =
                        ch < n && kk < k ? w[(size_t)ch * k + kk] : 0;
                }
        for (int32_t j = 0; j < NR; j++) {
            int32_t s = 0;
            if (p0 + j < n)
                for (int32_t kk = 0; kk < k; kk++)
                    s += w[(size_t)(p0 + j) * k + kk];
            sums[p0 + j] = s;
        }
    }
}

void eb_s8_to_u8_avxvnni(const int8_t *src, int32_t k, int32_t kq, uint8_t *dst)
{
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    int32_t i = 0;
    for (; i + 32 <= k; i += 32)
        _mm256_storeu_si256((__m256i *)(void *)(dst + i),
                            _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(src + i)), flip));
    if (i < k) {
        /* the tail as chunks that overlap what is already done, or the run's start:
         * rewriting a byte writes the same value */
        const int32_t r = k - i;
        if (k >= 32) {
            const int32_t j = k - 32;
            _mm256_storeu_si256((__m256i *)(void *)(dst + j),
                                _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(src + j)), flip));
        } else if (r >= 16) {
            const __m128i f = _mm256_castsi256_si128(flip);
            _mm_storeu_si128((__m128i *)(void *)dst,
                             _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)src), f));
            _mm_storeu_si128((__m128i *)(void *)(dst + k - 16),
                             _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(src + k - 16)), f));
        } else if (r >= 8) {
            uint64_t v0, v1;
            memcpy(&v0, src, 8);
            memcpy(&v1, src + k - 8, 8);
            v0 ^= UINT64_C(0x8080808080808080);
            v1 ^= UINT64_C(0x8080808080808080);
            memcpy(dst, &v0, 8);
            memcpy(dst + k - 8, &v1, 8);
        } else if (r >= 4) {
            uint32_t v0, v1;
            memcpy(&v0, src, 4);
            memcpy(&v1, src + k - 4, 4);
            v0 ^= 0x80808080u;
            v1 ^= 0x80808080u;
            memcpy(dst, &v0, 4);
            memcpy(dst + k - 4, &v1, 4);
        } else {
            for (int32_t e = 0; e < r; e++)
                dst[e] = (uint8_t)(src[e] ^ 0x80);
        }
    }
    for (i = k; i < kq; i++)
        dst[i] = 0;
}

/* Requantization constants of one panel of 16 channels, in the lanes' channel order. */
typedef struct {
    eb_avx2_rq rq[2];
    __m256i bias[2]; /* bias - (in_zp + 128) * sum w */
    int nr;          /* channels of the panel inside the matrix (1..16) */
    int with_left;
} panel_q;

static void panel_q_make(panel_q *pq, const eb_requant *q, const int32_t *bias,
                         const int32_t *sums, int32_t p0, int32_t n)
{
    int32_t mult[NR], shift[NR];
    uint32_t b[NR];
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    pq->nr = n - p0 < NR ? (int)(n - p0) : NR;
    pq->with_left = 0;
    for (int j = 0; j < NR; j++) {
        const int32_t ch = p0 + lane_channel(j);
        const int in = ch < n;
        mult[j] = in ? q->mult[ch] : 0;
        shift[j] = in ? q->shift[ch] : 0;
        b[j] = in ? (bias ? (uint32_t)bias[ch] : 0u) - off * (uint32_t)sums[ch] : 0u;
        pq->with_left |= shift[j] > 0;
    }
    for (int h = 0; h < 2; h++) {
        pq->rq[h] = eb_avx2_rq_make(_mm256_loadu_si256((const __m256i *)(const void *)(mult + 8 * h)),
                                    _mm256_loadu_si256((const __m256i *)(const void *)(shift + 8 * h)));
        pq->bias[h] = _mm256_loadu_si256((const __m256i *)(const void *)(b + 8 * h));
    }
}

/* Output constants shared by every panel. */
typedef struct {
    __m256i zp16, lo8, hi8; /* out_zp as int16; act_min, act_max as int8 */
} out_q;

/* One row's 16 channels as int16, zero point added. */
EB_INLINE __m256i row16(__m256i a0, __m256i a1, const panel_q *pq, const out_q *oq)
{
    __m256i r0, r1;
    if (pq->with_left) {
        r0 = eb_avx2_requant(a0, &pq->rq[0], 1);
        r1 = eb_avx2_requant(a1, &pq->rq[1], 1);
    } else {
        r0 = eb_avx2_requant(a0, &pq->rq[0], 0);
        r1 = eb_avx2_requant(a1, &pq->rq[1], 0);
    }
    return _mm256_adds_epi16(_mm256_packs_epi32(r0, r1), oq->zp16);
}

EB_INLINE void store_bytes(int8_t *c, __m128i v, int nr)
{
    if (nr == NR) {
        _mm_storeu_si128((__m128i *)(void *)c, v);
    } else {
        int8_t buf[NR];
        _mm_storeu_si128((__m128i *)(void *)buf, v);
        memcpy(c, buf, (size_t)nr);
    }
}

/* Rows a and b (b may repeat a: then only a is stored) of one panel. */
EB_INLINE void store_rows(int8_t *ca, int8_t *cb, __m256i ha, __m256i hb, const panel_q *pq,
                          const out_q *oq)
{
    __m256i v = _mm256_permute4x64_epi64(_mm256_packs_epi16(ha, hb), 0xD8);
    v = _mm256_min_epi8(_mm256_max_epi8(v, oq->lo8), oq->hi8);
    store_bytes(ca, _mm256_castsi256_si128(v), pq->nr);
    if (cb)
        store_bytes(cb, _mm256_extracti128_si256(v, 1), pq->nr);
}

/* rows x (16 * np) tile: rows of A at a (stride lda), np consecutive panels from b. */
EB_INLINE void tile(const int rows, const int np, int32_t kq, const uint8_t *a, size_t lda,
                    const int8_t *b, const panel_q *pq, const out_q *oq, int8_t *c,
                    size_t ldc)
{
    __m256i acc[MR][2 * MAXP];
    const uint8_t *ap[MR];
    const size_t pb = panel_bytes(kq);
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        ap[i] = a + (size_t)i * lda;
#pragma GCC unroll 8
        for (int v = 0; v < 2 * np; v++)
            acc[i][v] = pq[v / 2].bias[v % 2];
    }
    for (int32_t kk = 0; kk < kq; kk += 4, b += 4 * NR) {
        /* one broadcast live at a time: 12 accumulators, 2 panel vectors and it fill
         * the 16 registers (more rows' broadcasts at once made GCC spill) */
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            int32_t quad;
            memcpy(&quad, ap[i] + kk, sizeof quad);
            const __m256i av = _mm256_set1_epi32(quad);
#pragma GCC unroll 8
            for (int v = 0; v < 2 * np; v++)
                acc[i][v] = eb_avxvnni_dpbusd(
                    acc[i][v], av,
                    _mm256_load_si256((const __m256i *)(const void *)(b + (size_t)(v / 2) * pb + 32 * (v % 2))));
        }
    }
#pragma GCC unroll 4
    for (int p = 0; p < np; p++) {
        int8_t *cp = c + (size_t)p * NR;
#pragma GCC unroll 3
        for (int i = 0; i + 1 < rows; i += 2)
            store_rows(cp + (size_t)i * ldc, cp + (size_t)(i + 1) * ldc,
                       row16(acc[i][2 * p], acc[i][2 * p + 1], &pq[p], oq),
                       row16(acc[i + 1][2 * p], acc[i + 1][2 * p + 1], &pq[p], oq), &pq[p], oq);
        if (rows & 1) {
            const __m256i h = row16(acc[rows - 1][2 * p], acc[rows - 1][2 * p + 1], &pq[p], oq);
            store_rows(cp + (size_t)(rows - 1) * ldc, NULL, h, h, &pq[p], oq);
        }
    }
}

/* The rows left after the 6-row tiles (1..5), over all panels, np panels at a time. */
EB_INLINE void leftover_rows(const int rows, const int np, int32_t n, int32_t kq,
                             const uint8_t *a, size_t lda, const int8_t *w,
                             const int32_t *bias, const int32_t *sums, const eb_requant *q,
                             const out_q *oq, int8_t *c, size_t ldc)
{
    const int32_t npan = (n + NR - 1) / NR;
    panel_q pq[MAXP];
    int32_t p = 0;
    for (; p + np <= npan; p += np) {
        for (int j = 0; j < np; j++)
            panel_q_make(&pq[j], q, bias, sums, (p + j) * NR, n);
        tile(rows, np, kq, a, lda, w + (size_t)p * panel_bytes(kq), pq, oq, c + (size_t)p * NR,
             ldc);
    }
    for (; p < npan; p++) {
        panel_q_make(&pq[0], q, bias, sums, p * NR, n);
        tile(rows, 1, kq, a, lda, w + (size_t)p * panel_bytes(kq), pq, oq, c + (size_t)p * NR,
             ldc);
    }
}

void eb_gemm_s8_avxvnni(int32_t m, int32_t n, int32_t kq, const uint8_t *a, size_t lda,
                        const void *packed, const int32_t *bias, const eb_requant *q,
                        int8_t *c, size_t ldc)
{
    assert(m > 0 && n > 0 && kq > 0 && (kq & 3) == 0 && a && packed && q && c);
    const int8_t *w = (const int8_t *)packed;
    const int32_t *sums =
        (const int32_t *)(const void *)(w + eb_round_up((size_t)n, NR) * (size_t)kq);
    out_q oq;
    oq.zp16 = _mm256_set1_epi16((short)q->out_zp);
    oq.lo8 = _mm256_set1_epi8((char)q->act_min);
    oq.hi8 = _mm256_set1_epi8((char)q->act_max);
    const int32_t mfull = m / MR * MR;
    if (mfull > 0)
        for (int32_t p0 = 0; p0 < n; p0 += NR) {
            panel_q pq;
            panel_q_make(&pq, q, bias, sums, p0, n);
            const int8_t *b = w + (size_t)p0 * kq;
            for (int32_t i = 0; i < mfull; i += MR)
                tile(MR, 1, kq, a + (size_t)i * lda, lda, b, &pq, &oq,
                     c + (size_t)i * ldc + p0, ldc);
        }
    const uint8_t *ai = a + (size_t)mfull * lda;
    int8_t *ci = c + (size_t)mfull * ldc;
    switch (m - mfull) {
    case 5: leftover_rows(5, 1, n, kq, ai, lda, w, bias, sums, q, &oq, ci, ldc); break;
    case 4: leftover_rows(4, 1, n, kq, ai, lda, w, bias, sums, q, &oq, ci, ldc); break;
    case 3: leftover_rows(3, 2, n, kq, ai, lda, w, bias, sums, q, &oq, ci, ldc); break;
    case 2: leftover_rows(2, 3, n, kq, ai, lda, w, bias, sums, q, &oq, ci, ldc); break;
    case 1: leftover_rows(1, 4, n, kq, ai, lda, w, bias, sums, q, &oq, ci, ldc); break;
    default: break;
    }
}
