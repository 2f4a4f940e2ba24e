/* eb_avxvnni.h - the int8 GEMM core shared by the AVX-VNNI conv2d and fully connected
 * kernels (internal; the kernels themselves are declared from avxvnni.inc by the fill
 * function). Plain C declarations, no intrinsics; only files in this folder are built
 * with -mavx2 -mfma -mavxvnni.
 *
 * The route is the avx512 set's (../avx512/eb_avx512.h) on ymm: vpdpbusd multiplies 4
 * unsigned bytes of A by 4 signed bytes of W and adds the four products to an int32
 * lane, exactly. A holds x + 128 as uint8 (x ^ 0x80) with the depth padded to kq =
 * eb_gemm_u8_kq(k), a multiple of 4; W is packed in panels of 16 channels, 4 consecutive
 * K per int32 lane, followed by each channel's weight sum. Since
 * sum (x + 128) w = sum (x - zp) w + (zp + 128) sum w, the accumulator starts at
 * bias - (zp + 128) * sum w (int32 wrap-around, exact whenever ref's own sum fits int32)
 * and is requantized exactly as eb_requantize (eb_avx2_requant, ../avx2/avx2_util.h).
 * The pack reads neither q nor bias, so a packed model does not depend on them. */
#ifndef EB_AVXVNNI_H
#define EB_AVXVNNI_H

#include <stddef.h>
#include <stdint.h>

#include "avx512/eb_avx512.h" /* eb_gemm_u8_kq: the same padded depth as the avx512 route */
#include "eb_kernels.h"

size_t eb_gemm_s8_avxvnni_pack_size(int32_t k, int32_t n);
void eb_gemm_s8_avxvnni_pack(int32_t k, int32_t n, const int8_t *w, void *packed);
/* C[m][n] (row stride ldc) = requantized (bias + sum_k (A - zp) W) for A of m rows of kq
 * bytes (row stride lda), W packed by eb_gemm_s8_avxvnni_pack with the same k and n. */
void eb_gemm_s8_avxvnni(int32_t m, int32_t n, int32_t kq, const uint8_t *a, size_t lda,
                        const void *packed, const int32_t *bias, const eb_requant *q,
                        int8_t *c, size_t ldc);
/* dst[i] = src[i] + 128 as uint8 for i < k, 0 for k <= i < kq; reads and writes only
 * those bytes. */
void eb_s8_to_u8_avxvnni(const int8_t *src, int32_t k, int32_t kq, uint8_t *dst);

#endif
