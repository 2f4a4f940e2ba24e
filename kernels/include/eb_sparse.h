/* eb_sparse.h - compressed weights for pruned fully-connected and 1x1 conv layers.
 *
 * CSR by output channel: row r (an output channel) holds nnz values at
 * values[row_ptr[r] .. row_ptr[r+1]) with input indices col_idx[...] (ascending).
 * A 1x1 conv over an HxW image is the same op with batch = H*W (NHWC rows are pixels).
 * The values array is separate (float or int8) so one index structure serves both
 * datatypes. Column indices are 16-bit: in_features is limited to 65535. */
#ifndef EB_SPARSE_H
#define EB_SPARSE_H

#include <stdint.h>

#include "eb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t rows, cols; /* out_features, in_features */
    int32_t nnz;
    const int32_t *row_ptr;  /* [rows + 1], row_ptr[0] == 0, row_ptr[rows] == nnz */
    const uint16_t *col_idx; /* [nnz] */
} eb_csr;

/* Checks the structure (monotone row_ptr, indices < cols, ascending per row). */
eb_status eb_csr_validate(const eb_csr *w);

/* y = act(W x + bias), W sparse; same requantization as eb_fc_s8_ref. */
void eb_spfc_f32_ref(const eb_fc_params *p, const eb_csr *w, const float *values,
                     const float *x, const float *bias, float *y);
void eb_spfc_s8_ref(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                    const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y);

#ifdef __cplusplus
}
#endif
#endif
