/* add_f32_avx2.c - elementwise y = act(a + b); identical to ref. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

void eb_add_f32_avx2(const eb_add_params *p, const float *a, const float *b, float *y)
{
    assert(p && a && b && y);
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    const int32_t size = p->size; /* a local: vector stores may alias *p */
    int32_t i = 0;
    for (; i + 8 <= size; i += 8)
        _mm256_storeu_ps(y + i, eb_avx2_act(_mm256_add_ps(_mm256_loadu_ps(a + i),
                                                          _mm256_loadu_ps(b + i)), lo, hi));
    if (i < size) {
        const __m256i m = eb_avx2_mask(size - i);
        _mm256_maskstore_ps(y + i, m, eb_avx2_act(_mm256_add_ps(_mm256_maskload_ps(a + i, m),
                                                                _mm256_maskload_ps(b + i, m)), lo, hi));
    }
}
