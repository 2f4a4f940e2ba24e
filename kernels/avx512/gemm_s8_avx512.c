/* gemm_s8_avx512.c - the int8 GEMM core of conv2d and fully connected on AVX512-VNNI.
 *
 * Route: vpdpbusd multiplies 4 unsigned bytes of A by 4 signed bytes of W and adds the
 * four products to an int32 lane without saturation, so it is exact. Activations are
 * made unsigned by adding 128 (x ^ 0x80), and the accumulator starts from
 * bias - (in_zp + 128) * sum(w), which removes both the shift and the zero point (see
 * eb_avx512.h). Arithmetic on the accumulator wraps like int32 in two's complement, so
 * the final sum equals ref's whenever ref's does not overflow.
 *
 * Tile: 6 rows x 64 channels = 24 zmm accumulators; per 4 K: 4 panel loads and 6
 * broadcasts (folded into vpdpbusd as {1to16} memory operands) for 24 vpdpbusd. A panel
 * of 64 channels is kq * 64 bytes (64 KiB at K = 1024) and stays in L1/L2 while the rows
 * of A stream. The epilogue requantizes 16 lanes at a time (avx512_util.h). */
#include <assert.h>
#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"

#define NR 64
#define MR 6

/* acc += the 4-byte dot products of u8 lanes of a with s8 lanes of b. In asm because
 * GCC 12 does not tie the accumulator of the _mm512_dpbusd_epi32 builtin to its output
 * register: it copied every accumulator twice per instruction and spilled them. */
EB_INLINE __m512i dpbusd(__m512i acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

static size_t weights_bytes(int32_t k, int32_t n)
{
    return eb_avx512_round_up((size_t)n, NR) * (size_t)eb_gemm_u8_kq(k);
}

size_t eb_gemm_s8_avx512_pack_size(int32_t k, int32_t n)
{
    return weights_bytes(k, n) + eb_avx512_round_up((size_t)n, NR) * sizeof(int32_t);
}

/* Panel p0, quad t: 64 int32 lanes, lane j = w[p0 + j][4t .. 4t + 3]; zero outside the
 * matrix. After all panels: [round_up(n, 64)] int32 sums of each channel's weights. */
void eb_gemm_s8_avx512_pack(int32_t k, int32_t n, const int8_t *w, void *packed)
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
                    const int32_t kk = 4 * t + e, ch = p0 + j;
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

void eb_s8_to_u8_avx512(const int8_t *src, int32_t k, int32_t kq, uint8_t *dst)
{
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    int32_t i = 0;
    for (; i + 64 <= k; i += 64)
        _mm512_storeu_si512((void *)(dst + i),
                            _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + i)), flip));
    if (i < k) {
        const __mmask64 m = (__mmask64)(~UINT64_C(0) >> (64 - (k - i)));
        __m512i v = _mm512_maskz_loadu_epi8(m, (const void *)(src + i));
        _mm512_mask_storeu_epi8((void *)(dst + i), m, _mm512_xor_si512(v, flip));
        i = k;
    }
    for (; i < kq; i++)
        dst[i] = 0;
}

/* Requantization constants of one panel of 64 channels. */
typedef struct {
    eb_avx512_rq rq[4];
    __m512i bias[4]; /* bias - (in_zp + 128) * sum w */
    __m512i zp16, lo8, hi8; /* out_zp as int16; act_min, act_max as int8 */
    int with_left;
} panel_q;

static void panel_q_make(panel_q *pq, const eb_requant *q, const int32_t *bias,
                         const int32_t *sums, int32_t p0, int nr)
{
    int32_t mult[NR] = {0}, shift[NR] = {0};
    uint32_t b[NR] = {0};
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    pq->zp16 = _mm512_set1_epi16((short)q->out_zp);
    pq->lo8 = _mm512_set1_epi8((char)q->act_min);
    pq->hi8 = _mm512_set1_epi8((char)q->act_max);
    pq->with_left = 0;
    for (int j = 0; j < nr; j++) {
        mult[j] = q->mult[p0 + j];
        shift[j] = q->shift[p0 + j];
        b[j] = (bias ? (uint32_t)bias[p0 + j] : 0u) - off * (uint32_t)sums[p0 + j];
        pq->with_left |= shift[j] > 0;
    }
    for (int h = 0; h < 4; h++) {
        pq->rq[h] = eb_avx512_rq_make(_mm512_loadu_si512((const void *)(mult + 16 * h)),
                                      _mm512_loadu_si512((const void *)(shift + 16 * h)));
        pq->bias[h] = _mm512_loadu_si512((const void *)(b + 16 * h));
    }
}

/* Requantizes 16 accumulators of channels [16v, 16v + 16) of the panel and stores the
 * first nr - 16v of them. By value: an accumulator array passed by address made GCC
 * keep the accumulators in memory inside the K loop. */
EB_INLINE void store16(int8_t *c, __m512i acc, const panel_q *pq, const int v, __m512i zp,
                       __m512i lo, __m512i hi, int nr)
{
    __m512i r = pq->with_left ? eb_avx512_requant(acc, &pq->rq[v], 1)
                              : eb_avx512_requant(acc, &pq->rq[v], 0);
    /* clamp to [lo - zp, hi - zp] first, then add zp: no int32 overflow (ref adds in
     * 64 bits) */
    r = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, _mm512_sub_epi32(lo, zp)),
                                          _mm512_sub_epi32(hi, zp)),
                         zp);
    const __m128i b = _mm512_cvtepi32_epi8(r);
    if (nr >= 16 * (v + 1))
        _mm_storeu_si128((__m128i *)(void *)(c + 16 * v), b);
    else
        _mm_mask_storeu_epi8((void *)(c + 16 * v), eb_avx512_mask16(nr - 16 * v), b);
}

/* rows x (16 * nv) tile. */
EB_INLINE void tile_s8(const int rows, const int nv, int32_t kq, const uint8_t *a,
                       size_t lda, const int8_t *b, const panel_q *pq, __m512i zp,
                       __m512i lo, __m512i hi, int8_t *c, size_t ldc, int nr)
{
    __m512i acc[MR][4];
    const uint8_t *ap[MR];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            acc[i][v] = pq->bias[v];
        ap[i] = a + (size_t)i * lda;
    }
    for (int32_t kk = 0; kk < kq; kk += 4) {
        __m512i bv[4];
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            bv[v] = _mm512_load_si512((const void *)(b + 64 * v));
        b += 4 * NR;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            int32_t quad;
            memcpy(&quad, ap[i] + kk, sizeof quad);
            const __m512i av = _mm512_set1_epi32(quad);
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++)
                acc[i][v] = dpbusd(acc[i][v], av, bv[v]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            store16(c + (size_t)i * ldc, acc[i][v], pq, v, zp, lo, hi, nr);
}

/* The full 6 x 64 tile with named accumulators: GCC keeps these 24 in registers, where
 * the array form of tile_s8 made it copy and spill them every iteration. */
#define EB_B32(p) _mm512_set1_epi32(eb_load32(p))
#define EB_ROW(i)                                                                        \
    do {                                                                                 \
        const __m512i av = EB_B32(a##i + kk);                                            \
        c##i##0 = dpbusd(c##i##0, av, b0);                                  \
        c##i##1 = dpbusd(c##i##1, av, b1);                                  \
        c##i##2 = dpbusd(c##i##2, av, b2);                                  \
        c##i##3 = dpbusd(c##i##3, av, b3);                                  \
    } while (0)
#define EB_INIT(i)                                                                       \
    __m512i c##i##0 = pq->bias[0], c##i##1 = pq->bias[1], c##i##2 = pq->bias[2],         \
            c##i##3 = pq->bias[3];                                                       \
    const uint8_t *a##i = a + (size_t)(i) * lda
#define EB_STORE(i) store64(c + (size_t)(i) * ldc, c##i##0, c##i##1, c##i##2, c##i##3, pq)

static inline int32_t eb_load32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A full row of 64 channels: requantize the 4 vectors, then saturating packs to bytes
 * (exact: the clamp range lies inside int8, and saturation and clamping are both
 * monotonic), the zero point added in int16, one clamp for 64 bytes, and a dword
 * permutation that undoes the packs' 128-bit lane interleave. */
EB_INLINE void store64(int8_t *c, __m512i a0, __m512i a1, __m512i a2, __m512i a3,
                       const panel_q *pq)
{
    __m512i r0, r1, r2, r3;
    if (pq->with_left) {
        r0 = eb_avx512_requant(a0, &pq->rq[0], 1);
        r1 = eb_avx512_requant(a1, &pq->rq[1], 1);
        r2 = eb_avx512_requant(a2, &pq->rq[2], 1);
        r3 = eb_avx512_requant(a3, &pq->rq[3], 1);
    } else {
        r0 = eb_avx512_requant(a0, &pq->rq[0], 0);
        r1 = eb_avx512_requant(a1, &pq->rq[1], 0);
        r2 = eb_avx512_requant(a2, &pq->rq[2], 0);
        r3 = eb_avx512_requant(a3, &pq->rq[3], 0);
    }
    const __m512i p01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), pq->zp16);
    const __m512i p23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), pq->zp16);
    __m512i v = _mm512_packs_epi16(p01, p23); /* dword 4l + k: channels 16k + 4l .. +3 */
    v = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), v);
    v = _mm512_min_epi8(_mm512_max_epi8(v, pq->lo8), pq->hi8);
    _mm512_storeu_si512((void *)c, v);
}

static void tile_s8_6x64(int32_t kq, const uint8_t *a, size_t lda, const int8_t *b,
                         const panel_q *pq, int8_t *c, size_t ldc)
{
    EB_INIT(0);
    EB_INIT(1);
    EB_INIT(2);
    EB_INIT(3);
    EB_INIT(4);
    EB_INIT(5);
    for (int32_t kk = 0; kk < kq; kk += 4, b += 4 * NR) {
        const __m512i b0 = _mm512_load_si512((const void *)b);
        const __m512i b1 = _mm512_load_si512((const void *)(b + 64));
        const __m512i b2 = _mm512_load_si512((const void *)(b + 128));
        const __m512i b3 = _mm512_load_si512((const void *)(b + 192));
        EB_ROW(0);
        EB_ROW(1);
        EB_ROW(2);
        EB_ROW(3);
        EB_ROW(4);
        EB_ROW(5);
    }
    EB_STORE(0);
    EB_STORE(1);
    EB_STORE(2);
    EB_STORE(3);
    EB_STORE(4);
    EB_STORE(5);
}

/* All rows of one panel with nv vectors of channels. */
EB_INLINE void panel_rows(const int nv, int32_t m, int32_t kq, const uint8_t *a, size_t lda,
                          const int8_t *b, const panel_q *pq, __m512i zp, __m512i lo,
                          __m512i hi, int8_t *c, size_t ldc, int nr)
{
    int32_t i = 0;
    if (nv == 4 && nr == NR)
        for (; i + MR <= m; i += MR)
            tile_s8_6x64(kq, a + (size_t)i * lda, lda, b, pq, c + (size_t)i * ldc, ldc);
    for (; i + MR <= m; i += MR)
        tile_s8(MR, nv, kq, a + (size_t)i * lda, lda, b, pq, zp, lo, hi, c + (size_t)i * ldc,
                ldc, nr);
    const uint8_t *ai = a + (size_t)i * lda;
    int8_t *ci = c + (size_t)i * ldc;
    switch (m - i) {
    case 5: tile_s8(5, nv, kq, ai, lda, b, pq, zp, lo, hi, ci, ldc, nr); break;
    case 4: tile_s8(4, nv, kq, ai, lda, b, pq, zp, lo, hi, ci, ldc, nr); break;
    case 3: tile_s8(3, nv, kq, ai, lda, b, pq, zp, lo, hi, ci, ldc, nr); break;
    case 2: tile_s8(2, nv, kq, ai, lda, b, pq, zp, lo, hi, ci, ldc, nr); break;
    case 1: tile_s8(1, nv, kq, ai, lda, b, pq, zp, lo, hi, ci, ldc, nr); break;
    default: break;
    }
}

void eb_gemm_s8_avx512(int32_t m, int32_t n, int32_t kq, const uint8_t *a, size_t lda,
                       const void *packed, const int32_t *bias, const eb_requant *q,
                       int8_t *c, size_t ldc)
{
    assert(m > 0 && n > 0 && kq > 0 && (kq & 3) == 0 && a && packed && q && c);
    const __m512i zp = _mm512_set1_epi32(q->out_zp);
    const __m512i lo = _mm512_set1_epi32(q->act_min), hi = _mm512_set1_epi32(q->act_max);
    const int8_t *w = (const int8_t *)packed;
    const int32_t *sums = (const int32_t *)(const void *)(w + eb_avx512_round_up((size_t)n, NR) * (size_t)kq);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        const int nr = n - p0 < NR ? n - p0 : NR;
        const int8_t *b = w + (size_t)p0 * kq;
        panel_q pq;
        panel_q_make(&pq, q, bias, sums, p0, nr);
        int8_t *cp = c + p0;
        switch ((nr + 15) / 16) {
        case 4: panel_rows(4, m, kq, a, lda, b, &pq, zp, lo, hi, cp, ldc, nr); break;
        case 3: panel_rows(3, m, kq, a, lda, b, &pq, zp, lo, hi, cp, ldc, nr); break;
        case 2: panel_rows(2, m, kq, a, lda, b, &pq, zp, lo, hi, cp, ldc, nr); break;
        default: panel_rows(1, m, kq, a, lda, b, &pq, zp, lo, hi, cp, ldc, nr); break;
        }
    }
}
