/* spfc_s8_ref.c - int8 fully connected with CSR weights; pruned weights are zero, so
 * only the stored ones contribute (x - in_zp) * w. Requantized as eb_fc_s8_ref. */
#include <assert.h>

#include "eb_quant.h"
#include "eb_sparse.h"

void eb_spfc_s8_ref(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                    const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    assert(p && q && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            int32_t acc = bias ? bias[o] : 0;
            for (int32_t k = w->row_ptr[o]; k < w->row_ptr[o + 1]; k++)
                acc += ((int32_t)xr[w->col_idx[k]] - q->in_zp) * (int32_t)values[k];
            int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[o], q->shift[o]);
            y[(size_t)b * p->out_features + o] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
        }
    }
}
