/* mul_f32_avx2.c - elementwise y = act(a * b), b repeating every b_size elements (one
 * value broadcast when b_size is 1); identical to ref (one rounding per product). */
#include <assert.h>

#include "avx2_util.h"

static inline void mul_run(const float *a, const float *b, float *y, int32_t n, int bcast,
                           __m256 lo, __m256 hi)
{
    const __m256 b1 = _mm256_set1_ps(b[0]);
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 bv = bcast ? b1 : _mm256_loadu_ps(b + i);
        _mm256_storeu_ps(y + i, eb_avx2_act(_mm256_mul_ps(_mm256_loadu_ps(a + i), bv), lo, hi));
    }
    if (i < n) {
        const __m256i m = eb_avx2_mask(n - i);
        __m256 bv = bcast ? b1 : _mm256_maskload_ps(b + i, m);
        _mm256_maskstore_ps(y + i, m, eb_avx2_act(_mm256_mul_ps(_mm256_maskload_ps(a + i, m), bv),
                                                  lo, hi));
    }
}

void eb_mul_f32_avx2(const eb_mul_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y && p->b_size > 0 && p->size % p->b_size == 0);
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    const int32_t size = p->size, bs = p->b_size; /* locals: vector stores may alias *p */
    if (bs == 1 || bs == size) {
        mul_run(a, b, y, size, bs == 1, lo, hi);
        return;
    }
    for (int32_t i = 0; i < size; i += bs)
        mul_run(a + i, b, y + i, bs, 0, lo, hi);
}
