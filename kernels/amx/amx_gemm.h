/* amx_gemm.h - the tile GEMM core shared by conv2d_s8_amx.c and fc_s8_amx.c (internal;
 * include only from files built with the folder's flags).
 *
 * C[m][n] = requant(bias[n] + sum_k (A[m][k] - 128 - in_zp) W[n][k]) where A holds
 * x + 128 as uint8 (see ../avx512/eb_avx512.h for the folding). Tiles, one
 * configuration per kernel call:
 *   tmm0..3  C: a 2 x 2 block of 16 x 16 int32 accumulators (rows mr, 64 bytes)
 *   tmm4..5  A: two row tiles, mr rows of kb bytes of A (stride kp)
 *   tmm6..7  B: two column tiles, kb / 4 rows of 64 bytes (16 channels x 4 depths)
 * so a block is 2 mr rows x 32 channels and a tile step covers kb of the depth. The
 * accumulators start from the folded bias (a tile load with stride 0 repeats its row);
 * after the last step they go to a 32 x 32 int32 buffer, and the requantization of
 * one block (AVX-512, the avx512 set's eb_avx512_requant) runs interleaved with the
 * tile steps of the next, so vector units and the tile unit work at the same time.
 *
 * Packed (at model build, from w, q and bias): the B panels; the folded biases (np
 * int32, + 2^31 in the blocks that use amx_requant.h's short form); the requantization
 * constants of each block of 32 channels (about 900 bytes each). Scratch: A, mc rows of
 * kp bytes; two tile buffers of 32 x 32 int32 (+ 64 bytes). */
#ifndef EB_AMX_GEMM_H
#define EB_AMX_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "../avx512/eb_avx512.h"
#include "eb_kernels.h"

/* Fewer output rows than this (pixels, or the batch of a fully connected layer): the
 * kernels run the avx512 set's, whose packing they then use too. */
#define EB_AMX_MIN_ROWS 4

typedef struct {
    int32_t m, n, k; /* rows of C, channels, depth */
    int32_t kb;      /* depth of one tile step: kq (<= 64) or 64 */
    int32_t kp;      /* padded depth of a row of A and of a panel, a multiple of kb */
    int32_t np;      /* channels padded to 32 */
    int32_t mr;      /* rows of an A or C tile, 1..16 */
    int32_t mc;      /* rows of A per scratch chunk, a multiple of 2 mr */
} eb_amx_plan;

/* The plan of an m x n x k product (deterministic: pack and run agree). */
eb_amx_plan eb_amx_plan_make(int32_t m, int32_t n, int32_t k);

size_t eb_amx_pack_bytes(const eb_amx_plan *pl);
/* w is [n][k] (OHWI conv weights read as [out_c][k_h * k_w * in_c]); q and bias (may
 * be NULL) are folded in: the run must use the same. */
void eb_amx_pack(const eb_amx_plan *pl, const eb_requant *q, const int8_t *w,
                 const int32_t *bias, void *packed);

size_t eb_amx_scratch_bytes(const eb_amx_plan *pl);

/* Pointers into scratch. */
typedef struct {
    uint8_t *a;  /* mc rows of kp bytes */
    int32_t *tb; /* 2 x 32 x 32 accumulators */
} eb_amx_scratch;

/* Carves scratch and configures the tiles (LDTILECFG). Every tile instruction of a
 * call lies between eb_amx_begin and eb_amx_end. q: only checked against the pack's. */
eb_amx_scratch eb_amx_begin(const eb_amx_plan *pl, const eb_requant *q, const void *packed,
                            void *scratch);
void eb_amx_end(void);

/* rows (1..mc) rows of C from the first rows rows of s->a; the A rows from rows up to
 * the next multiple of 2 mr are zeroed here. c is row-major with stride ldc. */
void eb_amx_gemm(const eb_amx_plan *pl, const eb_amx_scratch *s, int32_t rows,
                 const void *packed, int8_t *c, size_t ldc);

#endif
