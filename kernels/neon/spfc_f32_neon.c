/* spfc_f32_neon.c - fp32 fully connected with CSR weights: per output, the stored
 * weights are read 4 at a time and the matching inputs gathered into a vector by lane
 * loads; the last 1..3 nonzeros are scalar. */
#include <assert.h>

#include "eb_sparse.h"
#include "neon_common.h"
#include "neon_kernels.h"

void eb_spfc_f32_neon(const eb_fc_params *p, const eb_csr *w, const float *values,
                      const float *x, const float *bias, float *y)
{
    assert(p && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    for (int32_t b = 0; b < p->batch; b++) {
        const float *xr = x + (size_t)b * p->in_features;
        float *yr = y + (size_t)b * p->out_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            int32_t k = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (; k + 4 <= end; k += 4) {
                const uint16_t *ci = w->col_idx + k;
                float32x4_t xv = vdupq_n_f32(0.0f);
                xv = vld1q_lane_f32(xr + ci[0], xv, 0);
                xv = vld1q_lane_f32(xr + ci[1], xv, 1);
                xv = vld1q_lane_f32(xr + ci[2], xv, 2);
                xv = vld1q_lane_f32(xr + ci[3], xv, 3);
                acc = eb_vmla_f32(acc, vld1q_f32(values + k), xv);
            }
            float s = (bias ? bias[o] : 0.0f) + eb_vaddv_f32(acc);
            for (; k < end; k++)
                s += values[k] * xr[w->col_idx[k]];
            yr[o] = eb_act_f32(s, p->act);
        }
    }
}
