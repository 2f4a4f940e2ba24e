/* gap_f32_avx2.c - fp32 global average pool. The output row is the accumulator: pixels
 * are added in order, as in ref, so each channel's sum (and result) is identical. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

void eb_gap_f32_avx2(const eb_gap_params *p_in, const float *x, float *y)
{
    assert(p_in);
    const eb_gap_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    assert(p && x && y);
    const size_t hw = (size_t)p->h * p->w;
    const int32_t cn = p->c;
    const __m256 div = _mm256_set1_ps((float)hw);
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xb = x + (size_t)n * hw * cn;
        float *yb = y + (size_t)n * cn;
        for (int32_t c = 0; c < cn; c += 32) {
            const int32_t nc = cn - c < 32 ? cn - c : 32;
            if (nc == 32) {
                __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
                for (size_t i = 0; i < hw; i++) {
                    const float *xr = xb + i * cn + c;
                    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(xr));
                    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(xr + 8));
                    s2 = _mm256_add_ps(s2, _mm256_loadu_ps(xr + 16));
                    s3 = _mm256_add_ps(s3, _mm256_loadu_ps(xr + 24));
                }
                _mm256_storeu_ps(yb + c, _mm256_div_ps(s0, div));
                _mm256_storeu_ps(yb + c + 8, _mm256_div_ps(s1, div));
                _mm256_storeu_ps(yb + c + 16, _mm256_div_ps(s2, div));
                _mm256_storeu_ps(yb + c + 24, _mm256_div_ps(s3, div));
            } else {
                for (int32_t c8 = c; c8 < c + nc; c8 += 8) {
                    const __m256i mask = eb_avx2_mask(c + nc - c8 < 8 ? c + nc - c8 : 8);
                    __m256 s = _mm256_setzero_ps();
                    for (size_t i = 0; i < hw; i++)
                        s = _mm256_add_ps(s, _mm256_maskload_ps(xb + i * cn + c8, mask));
                    _mm256_maskstore_ps(yb + c8, mask, _mm256_div_ps(s, div));
                }
            }
        }
    }
}
