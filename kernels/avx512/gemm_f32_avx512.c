/* gemm_f32_avx512.c - the fp32 GEMM core of conv2d and fully connected on AVX-512F: a
 * 6 x 64 register tile (24 zmm accumulators; per K step 4 panel loads and 6 broadcasts,
 * which the compiler folds into vfmadd231ps as {1to16} memory operands) over weights
 * packed in panels of 64 output channels, K-major, zero-padded. Loop order as in the
 * AVX2 core: per panel, every 6-row tile of A; callers block M so A fits L2. */
#include <assert.h>

#include "avx512_util.h"
#include "eb_avx512.h"

#define NR 64
#define MR 6

size_t eb_gemm_f32_avx512_pack_size(int32_t k, int32_t n)
{
    return eb_avx512_round_up((size_t)n, NR) * (size_t)k * sizeof(float);
}

void eb_gemm_f32_avx512_pack(int32_t k, int32_t n, const float *w, float *packed)
{
    assert(k > 0 && n > 0 && w && packed);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        float *dst = packed + (size_t)p0 * k;
        for (int32_t kk = 0; kk < k; kk++)
            for (int32_t j = 0; j < NR; j++)
                dst[(size_t)kk * NR + j] = p0 + j < n ? w[(size_t)(p0 + j) * k + kk] : 0.0f;
    }
}

/* rows x (16 * nv) tile: C = act(A . panel + bias), nr columns stored. */
EB_INLINE void tile_f32(const int rows, const int nv, int32_t k, const float *a, size_t lda,
                        const float *b, const __m512 *bias, __m512 lo, __m512 hi, float *c,
                        size_t ldc, int nr)
{
    __m512 acc[MR][4];
    const float *ap[MR];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            acc[i][v] = bias[v];
        ap[i] = a + (size_t)i * lda;
    }
    for (int32_t kk = 0; kk < k; kk++) {
        __m512 bv[4];
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            bv[v] = _mm512_load_ps(b + 16 * v);
        b += NR;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m512 av = _mm512_set1_ps(ap[i][kk]);
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++)
                acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            const __m512 r = _mm512_min_ps(hi, _mm512_max_ps(lo, acc[i][v]));
            if (nr >= 16 * (v + 1))
                _mm512_storeu_ps(ci + 16 * v, r);
            else
                _mm512_mask_storeu_ps(ci + 16 * v, eb_avx512_mask16(nr - 16 * v), r);
        }
    }
}

EB_INLINE void panel_rows(const int nv, int32_t m, int32_t k, const float *a, size_t lda,
                          const float *b, const __m512 *bias, __m512 lo, __m512 hi, float *c,
                          size_t ldc, int nr)
{
    int32_t i = 0;
    for (; i + MR <= m; i += MR)
        tile_f32(MR, nv, k, a + (size_t)i * lda, lda, b, bias, lo, hi, c + (size_t)i * ldc,
                 ldc, nr);
    const float *ai = a + (size_t)i * lda;
    float *ci = c + (size_t)i * ldc;
    switch (m - i) {
    case 5: tile_f32(5, nv, k, ai, lda, b, bias, lo, hi, ci, ldc, nr); break;
    case 4: tile_f32(4, nv, k, ai, lda, b, bias, lo, hi, ci, ldc, nr); break;
    case 3: tile_f32(3, nv, k, ai, lda, b, bias, lo, hi, ci, ldc, nr); break;
    case 2: tile_f32(2, nv, k, ai, lda, b, bias, lo, hi, ci, ldc, nr); break;
    case 1: tile_f32(1, nv, k, ai, lda, b, bias, lo, hi, ci, ldc, nr); break;
    default: break;
    }
}

void eb_gemm_f32_avx512(int32_t m, int32_t n, int32_t k, const float *a, size_t lda,
                        const float *packed, const float *bias, eb_act act, float *c,
                        size_t ldc)
{
    assert(m > 0 && n > 0 && k > 0 && a && packed && c);
    /* min(hi, max(lo, v)) keeps a NaN v as NaN, like eb_act_f32 */
    const __m512 lo = _mm512_set1_ps(act == EB_ACT_NONE ? -__builtin_inff() : 0.0f);
    const __m512 hi = _mm512_set1_ps(act == EB_ACT_RELU6 ? 6.0f : __builtin_inff());
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        const int nr = n - p0 < NR ? n - p0 : NR;
        const float *b = packed + (size_t)p0 * k;
        __m512 bv[4];
        for (int v = 0; v < 4; v++)
            bv[v] = bias && nr > 16 * v
                        ? _mm512_maskz_loadu_ps(eb_avx512_mask16(nr - 16 * v), bias + p0 + 16 * v)
                        : _mm512_setzero_ps();
        float *cp = c + p0;
        switch ((nr + 15) / 16) {
        case 4: panel_rows(4, m, k, a, lda, b, bv, lo, hi, cp, ldc, nr); break;
        case 3: panel_rows(3, m, k, a, lda, b, bv, lo, hi, cp, ldc, nr); break;
        case 2: panel_rows(2, m, k, a, lda, b, bv, lo, hi, cp, ldc, nr); break;
        default: panel_rows(1, m, k, a, lda, b, bv, lo, hi, cp, ldc, nr); break;
        }
    }
}
