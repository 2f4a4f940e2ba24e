/* softmax_f32_avx2.c - fp32 softmax over rows. Same steps as ref (max, exp of
 * beta * (x - max), sum in double, multiply by 1/sum in double), with expf replaced by
 * a vector exp: n = round(x / ln2), r = x - n ln2 in two parts (Cody-Waite), e^r by
 * Cephes' degree-6 polynomial, times 2^n through the exponent bits. About 1-2 ulp of
 * expf; inputs below -87.3 (where expf is denormal or 0) give 0. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

static __m256 exp_ps(__m256 x)
{
    const __m256 lo = _mm256_set1_ps(-87.33f);
    const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_max_ps(lo, x); /* a NaN x stays NaN */
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 q = _mm256_set1_ps(1.9875691500e-4f);
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.3981999507e-3f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(8.3334519073e-3f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(4.1665795894e-2f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.6666665459e-1f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(5.0000001201e-1f));
    q = _mm256_fmadd_ps(q, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(under, _mm256_mul_ps(q, _mm256_castsi256_ps(e)));
}

void eb_softmax_f32_avx2(const eb_softmax_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const int32_t d = p->depth;
    const __m256 beta = _mm256_set1_ps(p->beta);
    for (int32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * d;
        float *yr = y + (size_t)r * d;
        float m = xr[0];
        int32_t i = 0;
        if (d >= 8) {
            __m256 vm = _mm256_loadu_ps(xr);
            for (i = 8; i + 8 <= d; i += 8)
                vm = _mm256_max_ps(_mm256_loadu_ps(xr + i), vm);
            float t[8];
            _mm256_storeu_ps(t, vm);
            for (int l = 0; l < 8; l++)
                m = t[l] > m ? t[l] : m;
        }
        for (; i < d; i++)
            m = xr[i] > m ? xr[i] : m;
        const __m256 vmax = _mm256_set1_ps(m);
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        for (i = 0; i < d; i += 8) {
            const __m256i mask = eb_avx2_mask(d - i < 8 ? d - i : 8);
            const __m256 v = _mm256_maskload_ps(xr + i, mask);
            __m256 e = exp_ps(_mm256_mul_ps(beta, _mm256_sub_ps(v, vmax)));
            e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
            _mm256_maskstore_ps(yr + i, mask, e);
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
            s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
        }
        double t[4];
        _mm256_storeu_pd(t, _mm256_add_pd(s0, s1));
        const __m256d inv = _mm256_set1_pd(1.0 / ((t[0] + t[1]) + (t[2] + t[3])));
        for (i = 0; i < d; i += 8) {
            const __m256i mask = eb_avx2_mask(d - i < 8 ? d - i : 8);
            const __m256 e = _mm256_maskload_ps(yr + i, mask);
            const __m128 a = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(e)), inv));
            const __m128 b = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)), inv));
            _mm256_maskstore_ps(yr + i, mask, _mm256_set_m128(b, a));
        }
    }
}
