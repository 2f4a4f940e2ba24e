/* gemm_f32_neon.c - fp32 4x8 matrix-multiply core for conv2d and fully connected:
 * 4 rows x 8 output channels of float32x4 accumulators, 4 k steps per load of a row. */
#include <assert.h>

#include "neon_common.h"
#include "neon_gemm.h"

#define NR EB_GEMM_F32_NR
#define MR EB_GEMM_MR

size_t eb_neon_gemm_f32_pack_size(int32_t n, int32_t k)
{
    size_t blocks = ((size_t)n + NR - 1) / NR;
    return blocks * (size_t)k * NR * sizeof(float);
}

void eb_neon_gemm_f32_pack(int32_t n, int32_t k, const float *w, void *packed)
{
    float *dst = packed;
    for (int32_t n0 = 0; n0 < n; n0 += NR) {
        for (int32_t kk = 0; kk < k; kk++) {
            for (int32_t j = 0; j < NR; j++)
                *dst++ = n0 + j < n ? w[(size_t)(n0 + j) * k + kk] : 0.0f;
        }
    }
}

void eb_neon_gemm_f32(int32_t mr, const float *const *rows, int32_t k, int32_t n,
                      const void *packed, const float *bias, eb_act act, float *const *out)
{
    assert(mr >= 1 && mr <= MR && k > 0 && n > 0);
    const float *r[MR];
    for (int m = 0; m < MR; m++)
        r[m] = rows[m < mr ? m : 0];
    const float *wp = packed;
    for (int32_t n0 = 0; n0 < n; n0 += NR) {
        const int nr = n - n0 < NR ? (int)(n - n0) : NR;
        float b[NR] = {0};
        if (bias)
            memcpy(b, bias + n0, (size_t)nr * sizeof(float));
        const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
        float32x4_t acc[MR][2];
        for (int m = 0; m < MR; m++) {
            acc[m][0] = b0;
            acc[m][1] = b1;
        }
        int32_t kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            float32x4_t xv[MR];
            for (int m = 0; m < MR; m++)
                xv[m] = vld1q_f32(r[m] + kk);
#define EB_F32_STEP(lane)                                                                \
    do {                                                                                 \
        const float32x4_t w0 = vld1q_f32(wp), w1 = vld1q_f32(wp + 4);                    \
        wp += NR;                                                                        \
        for (int m = 0; m < MR; m++) {                                                   \
            acc[m][0] = EB_VMLA_LANE_F32(acc[m][0], w0, xv[m], lane);                    \
            acc[m][1] = EB_VMLA_LANE_F32(acc[m][1], w1, xv[m], lane);                    \
        }                                                                                \
    } while (0)
            EB_F32_STEP(0);
            EB_F32_STEP(1);
            EB_F32_STEP(2);
            EB_F32_STEP(3);
#undef EB_F32_STEP
        }
        for (; kk < k; kk++) {
            const float32x4_t w0 = vld1q_f32(wp), w1 = vld1q_f32(wp + 4);
            wp += NR;
            for (int m = 0; m < MR; m++) {
                const float32x4_t xs = vdupq_n_f32(r[m][kk]);
                acc[m][0] = eb_vmla_f32(acc[m][0], w0, xs);
                acc[m][1] = eb_vmla_f32(acc[m][1], w1, xs);
            }
        }
        for (int m = 0; m < MR; m++) { /* constant trip count keeps acc in registers */
            if (m >= mr)
                continue;
            float *o = out[m] + n0;
            const float32x4_t v0 = eb_vact_f32(acc[m][0], act);
            const float32x4_t v1 = eb_vact_f32(acc[m][1], act);
            if (nr == NR) {
                vst1q_f32(o, v0);
                vst1q_f32(o + 4, v1);
            } else if (nr > 4) {
                vst1q_f32(o, v0);
                eb_vst_partial_f32(o + 4, v1, nr - 4);
            } else {
                eb_vst_partial_f32(o, v0, nr);
            }
        }
    }
}
