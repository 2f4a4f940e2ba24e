/* spfc_s8_avx2.c - int8 fully connected / 1x1 conv with CSR weights, bit-exact to ref
 * (integer sums do not depend on order).
 *
 * Many rows: 8 rows of (x - in_zp) are transposed into a [in_features][8] int32 tile on
 * the stack; each stored weight is one broadcast, one vpmulld and one add over 8 rows.
 * Few rows: the row's (x - in_zp) is widened to int32 on the stack and 8 stored weights
 * at a time gather their inputs (vpgatherdd). Very wide rows fall back to scalar code. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_quant.h"

#define TILE_MAX_IN 1024 /* 8 x 1024 int32 = 32 KiB of stack */
#define ROW_MAX_IN 8192  /* 8192 int32 = 32 KiB of stack */

static int32_t hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

static int8_t finish(const eb_requant *q, int32_t o, int32_t acc)
{
    int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[o], q->shift[o]);
    return (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
}

static void rows_tiled(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                       const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    int32_t xt[TILE_MAX_IN * 8] __attribute__((aligned(32)));
    const int32_t k = p->in_features, nout = p->out_features;
    const __m256i ozp = _mm256_set1_epi32(q->out_zp);
    const __m256i lo = _mm256_set1_epi32(q->act_min), hi = _mm256_set1_epi32(q->act_max);
    for (int32_t b0 = 0; b0 < p->batch; b0 += 8) {
        const int nb = p->batch - b0 < 8 ? p->batch - b0 : 8;
        for (int32_t i = 0; i < k; i++)
            for (int l = 0; l < 8; l++)
                xt[(size_t)i * 8 + l] = l < nb ? x[(size_t)(b0 + l) * k + i] - q->in_zp : 0;
        for (int32_t o = 0; o < nout; o++) {
            __m256i acc0 = _mm256_set1_epi32(bias ? bias[o] : 0), acc1 = _mm256_setzero_si256();
            int32_t j = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            for (; j + 2 <= end; j += 2) {
                acc0 = _mm256_add_epi32(acc0, _mm256_mullo_epi32(_mm256_set1_epi32(values[j]),
                    _mm256_load_si256((const __m256i *)(const void *)(xt + (size_t)w->col_idx[j] * 8))));
                acc1 = _mm256_add_epi32(acc1, _mm256_mullo_epi32(_mm256_set1_epi32(values[j + 1]),
                    _mm256_load_si256((const __m256i *)(const void *)(xt + (size_t)w->col_idx[j + 1] * 8))));
            }
            if (j < end)
                acc0 = _mm256_add_epi32(acc0, _mm256_mullo_epi32(_mm256_set1_epi32(values[j]),
                    _mm256_load_si256((const __m256i *)(const void *)(xt + (size_t)w->col_idx[j] * 8))));
            const eb_avx2_rq rq = eb_avx2_rq_make(_mm256_set1_epi32(q->mult[o]),
                                                  _mm256_set1_epi32(q->shift[o]));
            const __m256i v = eb_avx2_requant_clamp(_mm256_add_epi32(acc0, acc1), &rq,
                                                    q->shift[o] > 0, ozp, lo, hi);
            int8_t out[16];
            _mm_storeu_si128((__m128i *)(void *)out, eb_avx2_pack8(v));
            for (int l = 0; l < nb; l++)
                y[(size_t)(b0 + l) * nout + o] = out[l];
        }
    }
}

static void rows_gather(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                        const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    int32_t xr[ROW_MAX_IN] __attribute__((aligned(32)));
    const int32_t k = p->in_features;
    for (int32_t b = 0; b < p->batch; b++) {
        for (int32_t i = 0; i < k; i++)
            xr[i] = x[(size_t)b * k + i] - q->in_zp;
        for (int32_t o = 0; o < p->out_features; o++) {
            __m256i acc = _mm256_setzero_si256();
            int32_t j = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            for (; j + 8 <= end; j += 8) {
                const __m256i idx = _mm256_cvtepu16_epi32(
                    _mm_loadu_si128((const __m128i *)(const void *)(w->col_idx + j)));
                int64_t v8;
                memcpy(&v8, values + j, 8);
                const __m256i wv = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v8));
                acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(wv, _mm256_i32gather_epi32(xr, idx, 4)));
            }
            int32_t s = (bias ? bias[o] : 0) + hsum_epi32(acc);
            for (; j < end; j++)
                s += xr[w->col_idx[j]] * values[j];
            y[(size_t)b * p->out_features + o] = finish(q, o, s);
        }
    }
}

static void rows_scalar(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                        const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            int32_t s = bias ? bias[o] : 0;
            for (int32_t j = w->row_ptr[o]; j < w->row_ptr[o + 1]; j++)
                s += (xr[w->col_idx[j]] - q->in_zp) * values[j];
            y[(size_t)b * p->out_features + o] = finish(q, o, s);
        }
    }
}

void eb_spfc_s8_avx2(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                     const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    assert(p && q && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    if (p->batch >= 4 && p->in_features <= TILE_MAX_IN)
        rows_tiled(p, q, w, values, x, bias, y);
    else if (p->in_features <= ROW_MAX_IN)
        rows_gather(p, q, w, values, x, bias, y);
    else
        rows_scalar(p, q, w, values, x, bias, y);
}
