/* gemm_s8_neondot.c - int8 matrix-multiply core with the ARMv8.2 dot-product
 * extension (SDOT): 4 rows x 8 output channels, each SDOT (by element) adds four
 * 4-deep int8 dot products to 4 channels' int32 accumulators, so no reduction is needed
 * at the end. The only file built with +dotprod; it runs only when HWCAP_ASIMDDP says
 * so (see eb_kernels_fill_neon). */
#include <assert.h>

#include "neon_common.h"
#include "neon_gemm.h"

#define NR EB_GEMM_S8DOT_NR
#define MR EB_GEMM_MR
#define KB EB_GEMM_S8_KB

static size_t block_bytes(int32_t k)
{
    return NR * sizeof(int32_t) + (size_t)NR * eb_round_up((size_t)k, KB);
}

size_t eb_neon_gemm_s8dot_pack_size(int32_t n, int32_t k)
{
    return ((size_t)n + NR - 1) / NR * block_bytes(k);
}

void eb_neon_gemm_s8dot_pack(int32_t n, int32_t k, const int8_t *w, const int32_t *bias,
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
            for (int32_t kk = 0; kk < k; kk++) {
                wsum += wr[kk];
                /* group kk/4 holds 8 channels x 4 bytes */
                dst[(size_t)(kk / 4) * NR * 4 + (size_t)j * 4 + kk % 4] = wr[kk];
            }
            int64_t c = (bias ? bias[n0 + j] : 0) - (int64_t)in_zp * wsum;
            corr[j] = (int32_t)(uint32_t)((uint64_t)c & 0xffffffffu);
        }
        memcpy(blk, corr, sizeof corr);
    }
}

static inline __attribute__((always_inline)) void step(int32x4_t acc[MR][2],
                                                       const int8x16_t *xv,
                                                       const int8_t *wp)
{
#define EB_DOT_GROUP(g)                                                                  \
    do {                                                                                 \
        const int8x16_t w0 = vld1q_s8(wp + (g) * 32), w1 = vld1q_s8(wp + (g) * 32 + 16); \
        for (int m = 0; m < MR; m++) {                                                   \
            acc[m][0] = vdotq_laneq_s32(acc[m][0], w0, xv[m], (g));                      \
            acc[m][1] = vdotq_laneq_s32(acc[m][1], w1, xv[m], (g));                      \
        }                                                                                \
    } while (0)
    EB_DOT_GROUP(0);
    EB_DOT_GROUP(1);
    EB_DOT_GROUP(2);
    EB_DOT_GROUP(3);
#undef EB_DOT_GROUP
}

void eb_neon_gemm_s8dot(int32_t mr, const int8_t *const *rows, int32_t k, int32_t n,
                        const void *packed, const eb_requant *q, int8_t *const *out)
{
    assert(mr >= 1 && mr <= MR && k > 0 && n > 0);
    const int8_t *r[MR];
    for (int m = 0; m < MR; m++)
        r[m] = rows[m < mr ? m : 0];
    const int32_t kfull = k / KB * KB;
    int8x16_t xtail[MR];
    if (kfull < k) { /* the rows end here: read their tail through a zeroed copy */
        for (int m = 0; m < MR; m++) {
            int8_t t[KB] = {0};
            memcpy(t, r[m] + kfull, (size_t)(k - kfull));
            xtail[m] = vld1q_s8(t);
        }
    }
    const int32x4_t zp = vdupq_n_s32(q->out_zp);
    const int32x4_t lo = vdupq_n_s32(q->act_min), hi = vdupq_n_s32(q->act_max);
    const uint8_t *blk = packed;
    for (int32_t n0 = 0; n0 < n; n0 += NR, blk += block_bytes(k)) {
        const int nr = n - n0 < NR ? (int)(n - n0) : NR;
        const int32_t *corr = (const int32_t *)blk;
        int32x4_t acc[MR][2];
        for (int m = 0; m < MR; m++) {
            acc[m][0] = vld1q_s32(corr);
            acc[m][1] = vld1q_s32(corr + 4);
        }
        const int8_t *wp = (const int8_t *)(blk + NR * sizeof(int32_t));
        for (int32_t kk = 0; kk < kfull; kk += KB, wp += NR * KB) {
            int8x16_t xv[MR];
            for (int m = 0; m < MR; m++)
                xv[m] = vld1q_s8(r[m] + kk);
            step(acc, xv, wp);
        }
        if (kfull < k)
            step(acc, xtail, wp);

        int32_t mult[NR] = {0}, shift[NR] = {0};
        memcpy(mult, q->mult + n0, (size_t)nr * sizeof(int32_t));
        memcpy(shift, q->shift + n0, (size_t)nr * sizeof(int32_t));
        int32x4_t lsh0, rneg0, lsh1, rneg1;
        eb_vrequant_shifts(vld1q_s32(shift), &lsh0, &rneg0);
        eb_vrequant_shifts(vld1q_s32(shift + 4), &lsh1, &rneg1);
        const int32x4_t mult0 = vld1q_s32(mult), mult1 = vld1q_s32(mult + 4);
        for (int m = 0; m < MR; m++) { /* constant trip count keeps acc in registers */
            if (m >= mr)
                continue;
            const int32x4_t v0 = eb_vrequant(acc[m][0], mult0, lsh0, rneg0);
            const int32x4_t v1 = eb_vrequant(acc[m][1], mult1, lsh1, rneg1);
            const int8x8_t o = eb_vnarrow_clamp_s8(v0, v1, zp, lo, hi);
            if (nr == NR)
                vst1_s8(out[m] + n0, o);
            else
                eb_vst_partial_s8(out[m] + n0, o, nr);
        }
    }
}
