/* spfc_f32_ref.c - fully connected (or 1x1 conv, batch = pixels) with CSR weights. */
#include <assert.h>

#include "eb_quant.h"
#include "eb_sparse.h"

void eb_spfc_f32_ref(const eb_fc_params *p, const eb_csr *w, const float *values,
                     const float *x, const float *bias, float *y)
{
    assert(p && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    for (int32_t b = 0; b < p->batch; b++) {
        const float *xr = x + (size_t)b * p->in_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            float acc = bias ? bias[o] : 0.0f;
            for (int32_t k = w->row_ptr[o]; k < w->row_ptr[o + 1]; k++)
                acc += values[k] * xr[w->col_idx[k]];
            y[(size_t)b * p->out_features + o] = eb_act_f32(acc, p->act);
        }
    }
}
