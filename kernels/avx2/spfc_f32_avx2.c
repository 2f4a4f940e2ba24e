/* spfc_f32_avx2.c - fp32 fully connected / 1x1 conv with CSR weights.
 *
 * Many rows (a pruned 1x1 conv has batch = pixels): 8 rows of x are transposed into a
 * [in_features][8] tile on the stack, so each stored weight is one broadcast and one FMA
 * over 8 rows at once. Few rows (a plain FC): per row, 8 stored weights at a time
 * gather their inputs (vgatherdps) and are summed horizontally. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_quant.h"

#define TILE_MAX_IN 1024 /* 8 x 1024 floats = 32 KiB of stack */

static float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static void rows_tiled(const eb_fc_params *p, const eb_csr *w, const float *values,
                       const float *x, const float *bias, float *y)
{
    float xt[TILE_MAX_IN * 8] __attribute__((aligned(32)));
    const int32_t k = p->in_features, nout = p->out_features;
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    for (int32_t b0 = 0; b0 < p->batch; b0 += 8) {
        const int nb = p->batch - b0 < 8 ? p->batch - b0 : 8;
        for (int32_t i = 0; i < k; i++)
            for (int l = 0; l < 8; l++)
                xt[(size_t)i * 8 + l] = l < nb ? x[(size_t)(b0 + l) * k + i] : 0.0f;
        for (int32_t o = 0; o < nout; o++) {
            __m256 acc0 = _mm256_set1_ps(bias ? bias[o] : 0.0f), acc1 = _mm256_setzero_ps();
            int32_t j = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            for (; j + 2 <= end; j += 2) {
                acc0 = _mm256_fmadd_ps(_mm256_set1_ps(values[j]),
                                       _mm256_load_ps(xt + (size_t)w->col_idx[j] * 8), acc0);
                acc1 = _mm256_fmadd_ps(_mm256_set1_ps(values[j + 1]),
                                       _mm256_load_ps(xt + (size_t)w->col_idx[j + 1] * 8), acc1);
            }
            if (j < end)
                acc0 = _mm256_fmadd_ps(_mm256_set1_ps(values[j]),
                                       _mm256_load_ps(xt + (size_t)w->col_idx[j] * 8), acc0);
            float out[8];
            _mm256_storeu_ps(out, eb_avx2_act(_mm256_add_ps(acc0, acc1), lo, hi));
            for (int l = 0; l < nb; l++)
                y[(size_t)(b0 + l) * nout + o] = out[l];
        }
    }
}

static void rows_gather(const eb_fc_params *p, const eb_csr *w, const float *values,
                        const float *x, const float *bias, float *y)
{
    for (int32_t b = 0; b < p->batch; b++) {
        const float *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            __m256 acc = _mm256_setzero_ps();
            int32_t j = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            for (; j + 8 <= end; j += 8) {
                const __m256i idx = _mm256_cvtepu16_epi32(
                    _mm_loadu_si128((const __m128i *)(const void *)(w->col_idx + j)));
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(values + j),
                                      _mm256_i32gather_ps(xr, idx, 4), acc);
            }
            float s = (bias ? bias[o] : 0.0f) + hsum(acc);
            for (; j < end; j++)
                s += values[j] * xr[w->col_idx[j]];
            y[(size_t)b * p->out_features + o] = eb_act_f32(s, p->act);
        }
    }
}

void eb_spfc_f32_avx2(const eb_fc_params *p, const eb_csr *w, const float *values,
                      const float *x, const float *bias, float *y)
{
    assert(p && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    if (p->batch >= 4 && p->in_features <= TILE_MAX_IN)
        rows_tiled(p, w, values, x, bias, y);
    else
        rows_gather(p, w, values, x, bias, y);
}
