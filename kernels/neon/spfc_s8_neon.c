/* spfc_s8_neon.c - int8 fully connected with CSR weights: 8 stored weights per step,
 * their inputs gathered by lane loads, (x - in_zp) * w multiply-accumulated in int32;
 * the sum is ref's exactly, and so is the scalar requantization. */
#include <assert.h>

#include "eb_sparse.h"
#include "neon_common.h"
#include "neon_kernels.h"

void eb_spfc_s8_neon(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                     const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y)
{
    assert(p && q && w && x && y && (values || w->nnz == 0));
    assert(w->rows == p->out_features && w->cols == p->in_features);
    const int16x8_t zp = vdupq_n_s16((int16_t)q->in_zp);
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *xr = x + (size_t)b * p->in_features;
        int8_t *yr = y + (size_t)b * p->out_features;
        for (int32_t o = 0; o < p->out_features; o++) {
            int32_t k = w->row_ptr[o];
            const int32_t end = w->row_ptr[o + 1];
            int32x4_t a0 = vdupq_n_s32(0), a1 = a0;
            for (; k + 8 <= end; k += 8) {
                const uint16_t *ci = w->col_idx + k;
                int8x8_t xv = vdup_n_s8(0);
                xv = vld1_lane_s8(xr + ci[0], xv, 0);
                xv = vld1_lane_s8(xr + ci[1], xv, 1);
                xv = vld1_lane_s8(xr + ci[2], xv, 2);
                xv = vld1_lane_s8(xr + ci[3], xv, 3);
                xv = vld1_lane_s8(xr + ci[4], xv, 4);
                xv = vld1_lane_s8(xr + ci[5], xv, 5);
                xv = vld1_lane_s8(xr + ci[6], xv, 6);
                xv = vld1_lane_s8(xr + ci[7], xv, 7);
                const int16x8_t xs = vsubq_s16(vmovl_s8(xv), zp);
                const int16x8_t ws = vmovl_s8(vld1_s8(values + k));
                a0 = vmlal_s16(a0, vget_low_s16(xs), vget_low_s16(ws));
                a1 = vmlal_s16(a1, vget_high_s16(xs), vget_high_s16(ws));
            }
            int32_t acc = (bias ? bias[o] : 0) + eb_vaddv_s32(vaddq_s32(a0, a1));
            for (; k < end; k++)
                acc += ((int32_t)xr[w->col_idx[k]] - q->in_zp) * (int32_t)values[k];
            int64_t v = (int64_t)q->out_zp + eb_requantize(acc, q->mult[o], q->shift[o]);
            yr[o] = (int8_t)eb_clamp_i64(v, q->act_min, q->act_max);
        }
    }
}
