/* mul_s8_avx2.c - int8 elementwise multiply as TFLite's MUL, bit-exact to ref: 8 lanes
 * of (a - a_zp) * (b - b_zp) in int32, requantized, plus the output zero point. */
#include <assert.h>

#include "avx2_util.h"

typedef struct {
    __m256i azp, bzp, ozp, lo, hi;
    eb_avx2_rq rq;
    int left;
} mul_consts;

static inline void mul_run(const mul_consts *k, const int8_t *a, const int8_t *b, int8_t *y,
                           int32_t n, int bcast)
{
    const __m256i b1 = _mm256_sub_epi32(_mm256_set1_epi32(b[0]), k->bzp);
    for (int32_t i = 0; i < n; i += 8) {
        const int m = n - i < 8 ? n - i : 8;
        __m256i av = _mm256_sub_epi32(eb_avx2_load_s8x8(a + i, m), k->azp);
        __m256i bv = bcast ? b1 : _mm256_sub_epi32(eb_avx2_load_s8x8(b + i, m), k->bzp);
        __m256i prod = _mm256_mullo_epi32(av, bv);
        eb_avx2_store_s8x8(y + i, eb_avx2_requant_clamp(prod, &k->rq, k->left, k->ozp, k->lo, k->hi),
                           m);
    }
}

void eb_mul_s8_avx2(const eb_mul_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    assert(p && a && b && y && p->b_size > 0 && p->size % p->b_size == 0);
    const mul_consts k = {
        _mm256_set1_epi32(p->a_zp), _mm256_set1_epi32(p->b_zp), _mm256_set1_epi32(p->out_zp),
        _mm256_set1_epi32(p->act_min), _mm256_set1_epi32(p->act_max),
        eb_avx2_rq_make(_mm256_set1_epi32(p->mult), _mm256_set1_epi32(p->shift)), p->shift > 0};
    const int32_t size = p->size, bs = p->b_size;
    if (bs == 1 || bs == size) {
        mul_run(&k, a, b, y, size, bs == 1);
        return;
    }
    for (int32_t i = 0; i < size; i += bs)
        mul_run(&k, a + i, b, y + i, bs, 0);
}
