/* eb_avx512.h - the AVX-512 kernels (internal: callers reach them through the dispatch
 * table filled by eb_kernels_fill_avx512, which runs after eb_kernels_fill_avx2 and
 * overwrites conv2d, depthwise and fully connected, fp32 and int8). Plain C, no
 * intrinsics; only files in this folder are compiled with -mavx512f -mavx512bw
 * -mavx512vl -mavx512vnni (plus -mavx2 -mfma).
 *
 * Same signatures and semantics as the ref kernels (eb_kernels.h). Differences:
 *  - weights are repacked once (pack_size/pack); the caller passes the packed buffer
 *    (64-byte aligned) as `packed`. The int8 pack does not read q or bias: it stores the
 *    per-channel weight sums, and the run folds them with the run's q->in_zp and bias.
 *  - conv2d (int8 always, fp32 unless 1x1 stride 1 unpadded) and int8 fc want scratch.
 *  - int8 results are bit-exact to ref for parameters that passed validation
 *    (multipliers >= 0). fp32 results differ from ref only by summation order (FMA).
 */
#ifndef EB_AVX512_H
#define EB_AVX512_H

#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"

/* ---- GEMM cores ------------------------------------------------------------------- */

/* fp32: C[m][n] = act(bias[n] + sum_k A[m][k] * W[n][k]); W packed in panels of 64
 * output channels, K-major. */
size_t eb_gemm_f32_avx512_pack_size(int32_t k, int32_t n);
void eb_gemm_f32_avx512_pack(int32_t k, int32_t n, const float *w, float *packed);
void eb_gemm_f32_avx512(int32_t m, int32_t n, int32_t k, const float *a, size_t lda,
                        const float *packed, const float *bias, eb_act act, float *c,
                        size_t ldc);

/* int8 through vpdpbusd (u8 x s8 -> s32, no saturation): A holds x + 128 as uint8
 * (x ^ 0x80) with the depth padded to kq = a multiple of 4; W is packed in panels of 64
 * channels, 4 consecutive K per int32 lane, followed by each channel's weight sum. Then
 * sum (x + 128) w = sum (x - zp) w + (zp + 128) sum w, so the accumulator starts at
 * bias - (zp + 128) * sum w (int32 wrap-around arithmetic, exact whenever ref's own sum
 * fits int32) and is requantized exactly as eb_requantize. */
static inline int32_t eb_gemm_u8_kq(int32_t k) { return (k + 3) & ~3; }
size_t eb_gemm_s8_avx512_pack_size(int32_t k, int32_t n);
void eb_gemm_s8_avx512_pack(int32_t k, int32_t n, const int8_t *w, void *packed);
void eb_gemm_s8_avx512(int32_t m, int32_t n, int32_t kq, const uint8_t *a, size_t lda,
                       const void *packed, const int32_t *bias, const eb_requant *q,
                       int8_t *c, size_t ldc);
/* dst[i] = src[i] + 128 as uint8 for i < k, 0 up to kq. */
void eb_s8_to_u8_avx512(const int8_t *src, int32_t k, int32_t kq, uint8_t *dst);

/* ---- the kernels of the dispatch table ------------------------------------------- */

size_t eb_conv2d_f32_avx512_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_f32_avx512_pack_size(const eb_conv_params *p);
void eb_conv2d_f32_avx512_pack(const eb_conv_params *p, const float *w, void *packed);
void eb_conv2d_f32_avx512(const eb_conv_params *p, const float *x, const float *w,
                          const float *bias, const void *packed, float *y, void *scratch);

size_t eb_conv2d_s8_avx512_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_s8_avx512_pack_size(const eb_conv_params *p);
void eb_conv2d_s8_avx512_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                              const int32_t *bias, void *packed);
void eb_conv2d_s8_avx512(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                         const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                         void *scratch);

/* depthwise fp32 (16 channels per zmm) */
void eb_dwconv_f32_avx512(const eb_conv_params *p, const float *x, const float *w,
                          const float *bias, const void *packed, float *y, void *scratch);

/* depthwise int8 (VNNI, 4 taps per instruction); windows over 64 taps run ref */
size_t eb_dwconv_s8_avx512_pack_size(const eb_conv_params *p);
size_t eb_dwconv_s8_avx512_scratch_size(const eb_conv_params *p);
void eb_dwconv_s8_avx512_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                              const int32_t *bias, void *packed);
void eb_dwconv_s8_avx512(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                         const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                         void *scratch);

size_t eb_fc_f32_avx512_pack_size(const eb_fc_params *p);
void eb_fc_f32_avx512_pack(const eb_fc_params *p, const float *w, void *packed);
void eb_fc_f32_avx512(const eb_fc_params *p, const float *x, const float *w,
                      const float *bias, const void *packed, float *y, void *scratch);
size_t eb_fc_s8_avx512_scratch_size(const eb_fc_params *p);
size_t eb_fc_s8_avx512_pack_size(const eb_fc_params *p);
void eb_fc_s8_avx512_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                          const int32_t *bias, void *packed);
void eb_fc_s8_avx512(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                     const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                     void *scratch);

#endif
