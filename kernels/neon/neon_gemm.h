/* neon_gemm.h - the matrix-multiply cores behind the NEON conv2d and fully-connected
 * kernels (internal to kernels/neon).
 *
 * Both ops reduce to out[m][n] = f(sum_k row_m[k] * w[n][k]) where a row is one input
 * vector (fc) or one output pixel's receptive field (conv2d, gathered by im2col; OHWI
 * weights are already [out_c][k_h*k_w*in_c]). The weights are packed once into blocks
 * of NR output channels; a call computes up to MR rows against every block.
 *
 * Packed layouts (all sizes multiples of 16 bytes):
 *  - f32, NR = 8:  per block, k steps of 8 floats (one per channel; zero past n).
 *  - s8,  NR = 4 (ARMv8.0 / ARMv7, "c16"): per block, int32 bias_corr[4], then per
 *    16-deep k step 4 channels x 16 bytes (zero past k and past n).
 *  - s8 dot, NR = 8 (SDOT, "c4"): per block, int32 bias_corr[8], then per 4-deep k
 *    group 8 channels x 4 bytes, k padded to 16 with zeros.
 * bias_corr[n] = bias[n] - in_zp * sum_k w[n][k], so the int8 cores multiply raw int8
 * inputs and the zero point costs nothing in the inner loop. For conv padding the
 * im2col row holds in_zp, whose product the correction cancels exactly, as ref's
 * "padded taps add nothing". */
#ifndef EB_NEON_GEMM_H
#define EB_NEON_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"

#define EB_GEMM_MR 4 /* rows per call */
#define EB_GEMM_F32_NR 8
#define EB_GEMM_S8_NR 4
#define EB_GEMM_S8DOT_NR 8
#define EB_GEMM_S8_KB 16 /* int8 k step: rows padded to this are read without a tail */

/* Bytes of packed weights for n outputs of depth k. */
size_t eb_neon_gemm_f32_pack_size(int32_t n, int32_t k);
size_t eb_neon_gemm_s8_pack_size(int32_t n, int32_t k);
size_t eb_neon_gemm_s8dot_pack_size(int32_t n, int32_t k);

void eb_neon_gemm_f32_pack(int32_t n, int32_t k, const float *w, void *packed);
void eb_neon_gemm_s8_pack(int32_t n, int32_t k, const int8_t *w, const int32_t *bias,
                          int32_t in_zp, void *packed);
void eb_neon_gemm_s8dot_pack(int32_t n, int32_t k, const int8_t *w, const int32_t *bias,
                             int32_t in_zp, void *packed);

/* rows[0..mr) are read (k values each; rows[m] for m >= mr may repeat a valid row),
 * out[m][0..n) is written for m < mr. fp32: bias may be NULL. */
void eb_neon_gemm_f32(int32_t mr, const float *const *rows, int32_t k, int32_t n,
                      const void *packed, const float *bias, eb_act act, float *const *out);

/* int8 cores share one signature so conv2d/fc can take either. */
typedef void (*eb_neon_gemm_s8_fn)(int32_t mr, const int8_t *const *rows, int32_t k,
                                   int32_t n, const void *packed, const eb_requant *q,
                                   int8_t *const *out);
void eb_neon_gemm_s8(int32_t mr, const int8_t *const *rows, int32_t k, int32_t n,
                     const void *packed, const eb_requant *q, int8_t *const *out);
#if defined(EB_HAVE_NEON_DOT)
void eb_neon_gemm_s8dot(int32_t mr, const int8_t *const *rows, int32_t k, int32_t n,
                        const void *packed, const eb_requant *q, int8_t *const *out);
#endif

#endif
