/* neon_common.h - helpers shared by the NEON kernels (aarch64 Advanced SIMD and
 * ARMv7-A NEON). Internal to kernels/neon: included only by files built with NEON
 * enabled. Where the two instruction sets differ (fused multiply-add, pairwise adds,
 * lane FMAs) the difference is hidden here so each kernel has one source. */
#ifndef EB_NEON_COMMON_H
#define EB_NEON_COMMON_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "eb_kernels.h"
#include "eb_quant.h"

#if defined(__aarch64__)
#define EB_NEON_A64 1
#endif

/* acc + a * b. ARMv7 NEON has no fused multiply-add without VFPv4; the unfused
 * multiply-accumulate rounds twice, which the fp32 tolerance of the tests covers. */
static inline float32x4_t eb_vmla_f32(float32x4_t acc, float32x4_t a, float32x4_t b)
{
#if defined(EB_NEON_A64)
    return vfmaq_f32(acc, a, b);
#else
    return vmlaq_f32(acc, a, b);
#endif
}

/* acc + w * x[lane], lane a constant 0..3. */
#if defined(EB_NEON_A64)
#define EB_VMLA_LANE_F32(acc, w, x, lane) vfmaq_laneq_f32((acc), (w), (x), (lane))
#else
#define EB_VMLA_LANE_F32(acc, w, x, lane)                                                \
    ((lane) < 2 ? vmlaq_lane_f32((acc), (w), vget_low_f32(x), (lane) & 1)                 \
                : vmlaq_lane_f32((acc), (w), vget_high_f32(x), (lane) & 1))
#endif

static inline float eb_vaddv_f32(float32x4_t v)
{
#if defined(EB_NEON_A64)
    return vaddvq_f32(v);
#else
    float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
}

static inline int32_t eb_vaddv_s32(int32x4_t v)
{
#if defined(EB_NEON_A64)
    return vaddvq_s32(v);
#else
    int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
    return vget_lane_s32(vpadd_s32(s, s), 0);
#endif
}

static inline float eb_vmaxv_f32(float32x4_t v)
{
#if defined(EB_NEON_A64)
    return vmaxvq_f32(v);
#else
    float32x2_t m = vpmax_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpmax_f32(m, m), 0);
#endif
}

static inline int8_t eb_vmaxv_s8(int8x16_t v)
{
#if defined(EB_NEON_A64)
    return vmaxvq_s8(v);
#else
    int8x8_t m = vpmax_s8(vget_low_s8(v), vget_high_s8(v));
    m = vpmax_s8(m, m);
    m = vpmax_s8(m, m);
    m = vpmax_s8(m, m);
    return vget_lane_s8(m, 0);
#endif
}

/* {sum(a), sum(b), sum(c), sum(d)}: the horizontal sums of four accumulators. */
static inline int32x4_t eb_vreduce4_s32(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d)
{
#if defined(EB_NEON_A64)
    return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
#else
    int32x2_t ab = vpadd_s32(vpadd_s32(vget_low_s32(a), vget_high_s32(a)),
                             vpadd_s32(vget_low_s32(b), vget_high_s32(b)));
    int32x2_t cd = vpadd_s32(vpadd_s32(vget_low_s32(c), vget_high_s32(c)),
                             vpadd_s32(vget_low_s32(d), vget_high_s32(d)));
    return vcombine_s32(ab, cd);
#endif
}

/* Products of the upper 8 int8 lanes, widened to int16 (SMULL2 on aarch64). */
static inline int16x8_t eb_vmull_high_s8(int8x16_t a, int8x16_t b)
{
#if defined(EB_NEON_A64)
    return vmull_high_s8(a, b);
#else
    return vmull_s8(vget_high_s8(a), vget_high_s8(b));
#endif
}

/* Fused activation for fp32 outputs. */
static inline float32x4_t eb_vact_f32(float32x4_t v, eb_act act)
{
    if (act == EB_ACT_NONE)
        return v;
    v = vmaxq_f32(v, vdupq_n_f32(0.0f));
    if (act == EB_ACT_RELU6)
        v = vminq_f32(v, vdupq_n_f32(6.0f));
    return v;
}

/* eb_requantize() on four lanes, bit for bit:
 *  - the saturating left shift is SQSHL;
 *  - gemmlowp's saturating rounding doubling high multiply is exactly SQRDMULH (it
 *    rounds half up, as eb_srdhm does, and saturates INT32_MIN * INT32_MIN);
 *  - the rounding right shift SRSHL rounds half up, so negative values are first
 *    moved down by one, which turns it into eb_rdivpot's round half away from zero.
 * lshift = max(shift, 0) and rneg = min(shift, 0) per lane (see eb_vrequant_shifts). */
static inline int32x4_t eb_vrequant(int32x4_t acc, int32x4_t mult, int32x4_t lshift,
                                    int32x4_t rneg)
{
    int32x4_t x = vqrdmulhq_s32(vqshlq_s32(acc, lshift), mult);
    int32x4_t fix = vshrq_n_s32(vandq_s32(x, rneg), 31); /* -1 where x < 0 and rneg < 0 */
    return vrshlq_s32(vqaddq_s32(x, fix), rneg);
}

static inline void eb_vrequant_shifts(int32x4_t shift, int32x4_t *lshift, int32x4_t *rneg)
{
    *lshift = vmaxq_s32(shift, vdupq_n_s32(0));
    *rneg = vminq_s32(shift, vdupq_n_s32(0));
}

/* out_zp + requantized value, clamped to [lo, hi] (already within int8), narrowed. The
 * add saturates, so a saturated requantized value clamps as in ref (64-bit add). */
static inline int8x8_t eb_vnarrow_clamp_s8(int32x4_t a, int32x4_t b, int32x4_t out_zp,
                                           int32x4_t lo, int32x4_t hi)
{
    a = vminq_s32(vmaxq_s32(vqaddq_s32(a, out_zp), lo), hi);
    b = vminq_s32(vmaxq_s32(vqaddq_s32(b, out_zp), lo), hi);
    return vqmovn_s16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
}

/* Stores the first n (0..8) lanes. */
static inline void eb_vst_partial_s8(int8_t *dst, int8x8_t v, int n)
{
    int8_t tmp[8];
    vst1_s8(tmp, v);
    memcpy(dst, tmp, (size_t)n);
}

static inline void eb_vst_partial_f32(float *dst, float32x4_t v, int n)
{
    float tmp[4];
    vst1q_f32(tmp, v);
    memcpy(dst, tmp, (size_t)n * sizeof(float));
}

static inline size_t eb_round_up(size_t v, size_t to)
{
    return (v + to - 1) / to * to;
}

#endif
