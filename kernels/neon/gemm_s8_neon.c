/* gemm_s8_neon.c - int8 matrix-multiply core without the dot-product extension
 * (ARMv8.0-A and ARMv7-A NEON): per row and output channel an int32x4 accumulator
 * takes 16 products per step as two SMULL (int8 x int8 -> int16, exact for any int8
 * pair) and two SADALP (pairwise add into int32); a final pairwise reduction gives 4
 * channels per row. A call's 4 rows run as two passes of 2 rows x 4 channels. */
#include <assert.h>

#include "neon_common.h"
#include "neon_gemm.h"

#define NR EB_GEMM_S8_NR
#define MR EB_GEMM_MR
#define KB EB_GEMM_S8_KB

/* 2 rows x 4 channels = 8 accumulators per pass. 4 rows would be 16 accumulators,
 * which fit aarch64's 32 registers in principle, but GCC 12 then spills inside the
 * loop; ARMv7's 16 q registers could not hold them at all. */
#define ROWS_PER_PASS 2

static size_t block_bytes(int32_t k)
{
    return NR * sizeof(int32_t) + (size_t)NR * eb_round_up((size_t)k, KB);
}

size_t eb_neon_gemm_s8_pack_size(int32_t n, int32_t k)
{
    return ((size_t)n + NR - 1) / NR * block_bytes(k);
}

void eb_neon_gemm_s8_pack(int32_t n, int32_t k, const int8_t *w, const int32_t *bias,
                          int32_t in_zp, void *packed)
{
    const size_t k16 = eb_round_up((size_t)k, KB);
    uint8_t *blk = packed;
    for (int32_t n0 = 0; n0 < n; n0 += NR, blk += block_bytes(k)) {
        int32_t corr[NR] = {0};
        int8_t *dst = (int8_t *)(blk + sizeof corr);
        memset(dst, 0, NR * k16);
        for (int j = 0; j < NR && n0 + j < n; j++) {
            const int8_t *wr = w + (size_t)(n0 + j) * k;
            int64_t wsum = 0;
            for (int32_t kk = 0; kk < k; kk++)
                wsum += wr[kk];
            /* modulo 2^32, as the accumulator: exact whenever ref's int32 sum is */
            int64_t c = (bias ? bias[n0 + j] : 0) - (int64_t)in_zp * wsum;
            corr[j] = (int32_t)(uint32_t)((uint64_t)c & 0xffffffffu);
            for (size_t kb = 0; kb < k16; kb += KB)
                for (int32_t i = 0; i < KB && (int32_t)kb + i < k; i++)
                    dst[kb * NR + (size_t)j * KB + i] = wr[kb + i];
        }
        memcpy(blk, corr, sizeof corr);
    }
}

/* acc[m][j] += products of 16 bytes of row m and channel j's 16 weights. */
static inline __attribute__((always_inline)) void step(int rows, int32x4_t acc[][NR],
                                                       const int8x16_t *xv,
                                                       const int8_t *wp)
{
    for (int j = 0; j < NR; j++) {
        const int8x16_t wv = vld1q_s8(wp + j * KB);
        for (int m = 0; m < rows; m++) {
            acc[m][j] = vpadalq_s16(acc[m][j], vmull_s8(vget_low_s8(xv[m]), vget_low_s8(wv)));
            acc[m][j] = vpadalq_s16(acc[m][j], eb_vmull_high_s8(xv[m], wv));
        }
    }
}

static inline __attribute__((always_inline)) void
tile(int rows, const int8_t *const *r, int32_t k, const uint8_t *blk, int nr,
     const eb_requant *q, int32_t n0, int8_t *const *out, int valid)
{
    int32x4_t acc[ROWS_PER_PASS][NR];
    for (int m = 0; m < rows; m++)
        for (int j = 0; j < NR; j++)
            acc[m][j] = vdupq_n_s32(0);
    const int8_t *wp = (const int8_t *)(blk + NR * sizeof(int32_t));
    const int32_t kfull = k / KB * KB;
    for (int32_t kk = 0; kk < kfull; kk += KB, wp += NR * KB) {
        int8x16_t xv[ROWS_PER_PASS];
        for (int m = 0; m < rows; m++)
            xv[m] = vld1q_s8(r[m] + kk);
        step(rows, acc, xv, wp);
    }
    if (kfull < k) { /* the rows end here: read their tail through a zeroed copy */
        int8x16_t xv[ROWS_PER_PASS];
        for (int m = 0; m < rows; m++) {
            int8_t t[KB] = {0};
            memcpy(t, r[m] + kfull, (size_t)(k - kfull));
            xv[m] = vld1q_s8(t);
        }
        step(rows, acc, xv, wp);
    }

    int32_t mult[NR] = {0}, shift[NR] = {0};
    memcpy(mult, q->mult + n0, (size_t)nr * sizeof(int32_t));
    memcpy(shift, q->shift + n0, (size_t)nr * sizeof(int32_t));
    int32x4_t lsh, rneg;
    eb_vrequant_shifts(vld1q_s32(shift), &lsh, &rneg);
    const int32x4_t vmult = vld1q_s32(mult);
    const int32x4_t corr = vld1q_s32((const int32_t *)blk);
    const int32x4_t zp = vdupq_n_s32(q->out_zp);
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    for (int m = 0; m < rows; m++) { /* constant trip count keeps acc in registers */
        if (m >= valid)
            continue;
        int32x4_t v = vaddq_s32(eb_vreduce4_s32(acc[m][0], acc[m][1], acc[m][2], acc[m][3]),
                                corr);
        v = eb_vrequant(v, vmult, lsh, rneg);
        eb_vst_partial_s8(out[m] + n0, eb_vnarrow_clamp_s8(v, v, zp, lo, hi), nr);
    }
}

void eb_neon_gemm_s8(int32_t mr, const int8_t *const *rows, int32_t k, int32_t n,
                     const void *packed, const eb_requant *q, int8_t *const *out)
{
    assert(mr >= 1 && mr <= MR && k > 0 && n > 0);
    const int8_t *r[MR];
    for (int m = 0; m < MR; m++)
        r[m] = rows[m < mr ? m : 0];
    const uint8_t *blk = packed;
    for (int32_t n0 = 0; n0 < n; n0 += NR, blk += block_bytes(k)) {
        const int nr = n - n0 < NR ? (int)(n - n0) : NR;
        for (int m0 = 0; m0 < mr; m0 += ROWS_PER_PASS)
            tile(ROWS_PER_PASS, r + m0, k, blk, nr, q, n0, out + m0, mr - m0);
    }
}
