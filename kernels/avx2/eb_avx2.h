/* eb_avx2.h - the AVX2+FMA kernels (internal: callers reach them through the dispatch
 * table filled by eb_kernels_fill_avx2). Plain C declarations, no intrinsics, so any
 * file may include it; only files in this folder are compiled with -mavx2 -mfma.
 *
 * Same signatures and semantics as the ref kernels (eb_kernels.h). Differences:
 *  - conv2d, fc and dwconv want their weights repacked once (pack_size/pack); the
 *    caller passes the packed buffer (64-byte aligned) as `packed`.
 *  - conv2d and fc want scratch memory (scratch_size; 64-byte aligned).
 *  - int8 results are bit-exact to ref for parameters that passed validation
 *    (multipliers >= 0). fp32 results differ from ref only by summation order (and, for
 *    softmax, by a polynomial exp accurate to about 2 ulp).
 */
#ifndef EB_AVX2_H
#define EB_AVX2_H

#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"
#include "eb_sparse.h"

/* ---- GEMM cores shared by conv2d (1x1 direct, others through im2col) and fc ------- */

/* fp32: C[m][n] = act(bias[n] + sum_k A[m][k] * W[n][k]), W packed by
 * eb_gemm_f32_avx2_pack into panels of 16 output channels. */
size_t eb_gemm_f32_avx2_pack_size(int32_t k, int32_t n);
void eb_gemm_f32_avx2_pack(int32_t k, int32_t n, const float *w, float *packed);
void eb_gemm_f32_avx2(int32_t m, int32_t n, int32_t k, const float *a, size_t lda,
                      const float *packed, const float *bias, eb_act act, float *c,
                      size_t ldc);

/* int8: A holds int16 (x - in_zp) with the depth padded to an even count kp; W is packed
 * by eb_gemm_s8_avx2_pack as int16 pairs in panels of 16 output channels. The int32
 * accumulator is requantized exactly as eb_requantize. */
static inline int32_t eb_gemm_s8_kp(int32_t k) { return (k + 1) & ~1; }
size_t eb_gemm_s8_avx2_pack_size(int32_t k, int32_t n);
void eb_gemm_s8_avx2_pack(int32_t k, int32_t n, const int8_t *w, int16_t *packed);
void eb_gemm_s8_avx2(int32_t m, int32_t n, int32_t kp, const int16_t *a, size_t lda,
                     const int16_t *packed, const int32_t *bias, const eb_requant *q,
                     int8_t *c, size_t ldc);
/* dst[i] = src[i] - zp for i < k, zero up to kp. */
void eb_s8_to_s16_avx2(const int8_t *src, int32_t k, int32_t kp, int32_t zp, int16_t *dst);

/* ---- the kernels of the dispatch table ------------------------------------------- */

size_t eb_conv2d_f32_avx2_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_f32_avx2_pack_size(const eb_conv_params *p);
void eb_conv2d_f32_avx2_pack(const eb_conv_params *p, const float *w, void *packed);
void eb_conv2d_f32_avx2(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch);

size_t eb_conv2d_s8_avx2_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_s8_avx2_pack_size(const eb_conv_params *p);
void eb_conv2d_s8_avx2_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed);
void eb_conv2d_s8_avx2(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch);

void eb_dwconv_f32_avx2(const eb_conv_params *p, const float *x, const float *w,
                        const float *bias, const void *packed, float *y, void *scratch);
size_t eb_dwconv_s8_avx2_pack_size(const eb_conv_params *p);
void eb_dwconv_s8_avx2_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed);
void eb_dwconv_s8_avx2(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch);

size_t eb_fc_f32_avx2_pack_size(const eb_fc_params *p);
void eb_fc_f32_avx2_pack(const eb_fc_params *p, const float *w, void *packed);
void eb_fc_f32_avx2(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                    const void *packed, float *y, void *scratch);
size_t eb_fc_s8_avx2_scratch_size(const eb_fc_params *p);
size_t eb_fc_s8_avx2_pack_size(const eb_fc_params *p);
void eb_fc_s8_avx2_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                        const int32_t *bias, void *packed);
void eb_fc_s8_avx2(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                   void *scratch);

void eb_spfc_f32_avx2(const eb_fc_params *p, const eb_csr *w, const float *values,
                      const float *x, const float *bias, float *y);
void eb_spfc_s8_avx2(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                     const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y);

void eb_avgpool_f32_avx2(const eb_pool_params *p, const float *x, float *y);
void eb_avgpool_s8_avx2(const eb_pool_params *p, const int8_t *x, int8_t *y);
void eb_maxpool_f32_avx2(const eb_pool_params *p, const float *x, float *y);
void eb_maxpool_s8_avx2(const eb_pool_params *p, const int8_t *x, int8_t *y);
void eb_gap_f32_avx2(const eb_gap_params *p, const float *x, float *y);
void eb_gap_s8_avx2(const eb_gap_params *p, const int8_t *x, int8_t *y);
void eb_add_f32_avx2(const eb_add_params *p, const float *a, const float *b, float *y);
void eb_add_s8_avx2(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);
void eb_softmax_f32_avx2(const eb_softmax_params *p, const float *x, float *y);
void eb_softmax_s8_avx2(const eb_softmax_params *p, const int8_t *x, int8_t *y);

#endif
