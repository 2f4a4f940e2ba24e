/* gemm_f32_avx2.c - the fp32 GEMM core of conv2d and fully connected: a 6x16
 * register-tiled micro-kernel (12 accumulators, 2 weight vectors, 1 broadcast) over
 * weights packed in panels of 16 output channels, K-major, zero-padded.
 *
 * Loop order: for each panel of 16 channels, every 6-row tile of A. A panel (K * 64
 * bytes) stays in L1 while the rows of A stream from L2; callers block M so A fits L2. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

#define NR 16
#define MR 6

size_t eb_gemm_f32_avx2_pack_size(int32_t k, int32_t n)
{
    return eb_round_up((size_t)n, NR) * (size_t)k * sizeof(float);
}

void eb_gemm_f32_avx2_pack(int32_t k, int32_t n, const float *w, float *packed)
{
    assert(k > 0 && n > 0 && w && packed);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        float *dst = packed + (size_t)p0 * k;
        for (int32_t kk = 0; kk < k; kk++)
            for (int32_t j = 0; j < NR; j++)
                dst[(size_t)kk * NR + j] = p0 + j < n ? w[(size_t)(p0 + j) * k + kk] : 0.0f;
    }
}

/* rows x 16 tile: C rows [0, rows) = act(A rows . panel + bias), nr columns stored. */
EB_INLINE void tile_f32(const int rows, int32_t k, const float *a, size_t lda,
                        const float *b, __m256 bias0, __m256 bias1, __m256 lo, __m256 hi,
                        float *c, size_t ldc, int nr)
{
    __m256 acc0[MR], acc1[MR];
    const float *ap[MR];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        acc0[i] = bias0;
        acc1[i] = bias1;
        ap[i] = a + (size_t)i * lda;
    }
    for (int32_t kk = 0; kk < k; kk++) {
        const __m256 b0 = _mm256_load_ps(b);
        const __m256 b1 = _mm256_load_ps(b + 8);
        b += NR;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(ap[i] + kk);
            acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
        }
    }
    if (nr == NR) {
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            _mm256_storeu_ps(c + (size_t)i * ldc, eb_avx2_act(acc0[i], lo, hi));
            _mm256_storeu_ps(c + (size_t)i * ldc + 8, eb_avx2_act(acc1[i], lo, hi));
        }
    } else {
        const __m256i m0 = eb_avx2_mask(nr < 8 ? nr : 8);
        const __m256i m1 = eb_avx2_mask(nr > 8 ? nr - 8 : 0);
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            _mm256_maskstore_ps(c + (size_t)i * ldc, m0, eb_avx2_act(acc0[i], lo, hi));
            _mm256_maskstore_ps(c + (size_t)i * ldc + 8, m1, eb_avx2_act(acc1[i], lo, hi));
        }
    }
}

void eb_gemm_f32_avx2(int32_t m, int32_t n, int32_t k, const float *a, size_t lda,
                      const float *packed, const float *bias, eb_act act, float *c,
                      size_t ldc)
{
    assert(m > 0 && n > 0 && k > 0 && a && packed && c);
    __m256 lo, hi;
    eb_avx2_act_bounds(act, &lo, &hi);
    for (int32_t p0 = 0; p0 < n; p0 += NR) {
        const int nr = n - p0 < NR ? n - p0 : NR;
        const float *b = packed + (size_t)p0 * k;
        __m256 bias0 = _mm256_setzero_ps(), bias1 = _mm256_setzero_ps();
        if (bias) {
            bias0 = _mm256_maskload_ps(bias + p0, eb_avx2_mask(nr < 8 ? nr : 8));
            bias1 = _mm256_maskload_ps(bias + p0 + 8, eb_avx2_mask(nr > 8 ? nr - 8 : 0));
        }
        int32_t i = 0;
        for (; i + MR <= m; i += MR)
            tile_f32(MR, k, a + (size_t)i * lda, lda, b, bias0, bias1, lo, hi,
                     c + (size_t)i * ldc + p0, ldc, nr);
        const float *ai = a + (size_t)i * lda;
        float *ci = c + (size_t)i * ldc + p0;
        switch (m - i) {
        case 5: tile_f32(5, k, ai, lda, b, bias0, bias1, lo, hi, ci, ldc, nr); break;
        case 4: tile_f32(4, k, ai, lda, b, bias0, bias1, lo, hi, ci, ldc, nr); break;
        case 3: tile_f32(3, k, ai, lda, b, bias0, bias1, lo, hi, ci, ldc, nr); break;
        case 2: tile_f32(2, k, ai, lda, b, bias0, bias1, lo, hi, ci, ldc, nr); break;
        case 1: tile_f32(1, k, ai, lda, b, bias0, bias1, lo, hi, ci, ldc, nr); break;
        default: break;
        }
    }
}
