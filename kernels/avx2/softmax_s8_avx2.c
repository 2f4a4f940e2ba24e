/* softmax_s8_avx2.c - int8 softmax from the exp table, bit-exact to ref. Table entries
 * are gathered 8 at a time (vpgatherdd) and summed in uint64. The rounding division
 * (t * 512 + sum) / (2 sum) is done in double: numerator and divisor are integers
 * below 2^53, so the correctly rounded quotient floors to the exact integer one. Tables
 * with entries >= 2^31 or rows whose sum reaches 2^52 take ref's scalar route. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"

static void row_scalar(const uint32_t *tab, const int8_t *xr, int32_t m, uint64_t sum,
                       int32_t d, int8_t *yr)
{
    for (int32_t i = 0; i < d; i++) {
        uint64_t num = (uint64_t)tab[xr[i] - m + 255] * 512u + sum;
        int32_t v = (int32_t)(num / (2u * sum)) - 128;
        yr[i] = (int8_t)(v > 127 ? 127 : v);
    }
}

void eb_softmax_s8_avx2(const eb_softmax_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y && p->exp_table);
    const uint32_t *tab = p->exp_table;
    int small_table = 1;
    for (int i = 0; i < 256; i++)
        small_table &= tab[i] < (UINT32_C(1) << 31);
    const int *tabi = (const int *)(const void *)tab;
    const int32_t d = p->depth;
    for (int32_t r = 0; r < p->rows; r++) {
        const int8_t *xr = x + (size_t)r * d;
        int8_t *yr = y + (size_t)r * d;
        int32_t m = -128, i = 0;
        if (d >= 32) {
            __m256i vm = _mm256_set1_epi8(-128);
            for (; i + 32 <= d; i += 32)
                vm = _mm256_max_epi8(vm, _mm256_loadu_si256((const __m256i *)(const void *)(xr + i)));
            int8_t t[32];
            _mm256_storeu_si256((__m256i *)(void *)t, vm);
            for (int l = 0; l < 32; l++)
                m = t[l] > m ? t[l] : m;
        }
        for (; i < d; i++)
            m = xr[i] > m ? xr[i] : m;
        const __m256i off = _mm256_set1_epi32(255 - m);
        __m256i s = _mm256_setzero_si256();
        for (i = 0; i + 8 <= d; i += 8) {
            const __m256i idx = _mm256_add_epi32(eb_avx2_load_s8x8(xr + i, 8), off);
            const __m256i t = _mm256_i32gather_epi32(tabi, idx, 4);
            s = _mm256_add_epi64(s, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(t)));
            s = _mm256_add_epi64(s, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(t, 1)));
        }
        uint64_t st[4];
        _mm256_storeu_si256((__m256i *)(void *)st, s);
        uint64_t sum = st[0] + st[1] + st[2] + st[3];
        for (; i < d; i++)
            sum += tab[xr[i] - m + 255];
        assert(sum > 0);
        if (!small_table || sum >= (UINT64_C(1) << 52)) {
            row_scalar(tab, xr, m, sum, d, yr);
            continue;
        }
        const __m256d vs = _mm256_set1_pd((double)sum), v2s = _mm256_set1_pd(2.0 * (double)sum);
        const __m256d k512 = _mm256_set1_pd(512.0);
        const __m256i c128 = _mm256_set1_epi32(128), c127 = _mm256_set1_epi32(127);
        for (i = 0; i < d; i += 8) {
            const int n = d - i < 8 ? d - i : 8;
            const __m256i idx = _mm256_add_epi32(eb_avx2_load_s8x8(xr + i, n), off);
            const __m256i t = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), tabi, idx,
                                                          eb_avx2_mask(n), 4);
            __m256d q0 = _mm256_fmadd_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(t)), k512, vs);
            __m256d q1 = _mm256_fmadd_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(t, 1)), k512, vs);
            q0 = _mm256_floor_pd(_mm256_div_pd(q0, v2s));
            q1 = _mm256_floor_pd(_mm256_div_pd(q1, v2s));
            __m256i v = _mm256_set_m128i(_mm256_cvttpd_epi32(q1), _mm256_cvttpd_epi32(q0));
            v = _mm256_min_epi32(_mm256_sub_epi32(v, c128), c127);
            eb_avx2_store_s8x8(yr + i, v, n);
        }
    }
}
