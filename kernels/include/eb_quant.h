/* eb_quant.h - int8 quantization arithmetic shared by every kernel set.
 *
 * The requantization is TFLite's (gemmlowp's): an int32 accumulator is multiplied by a
 * Q31 fixed-point multiplier with a saturating, rounding, doubling high multiply (round
 * to nearest; as in gemmlowp an exact tie rounds toward +infinity, e.g. -1.5 -> -1),
 * then divided by a power of two with round half away from zero.
 * These are inline so that ref, avx2 and neon kernels share the exact same scalar
 * definition; vector versions must match them bit for bit. */
#ifndef EB_QUANT_H
#define EB_QUANT_H

#include <stdint.h>

#include "eb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Splits a positive real multiplier into mult (Q31, in [2^30, 2^31)) and shift (positive
 * = left) so that real ~= mult * 2^(shift - 31). Scales so small that shift < -31 give
 * mult = 0, shift = 0 (the result is 0, as in TFLite). Returns EB_ERR_ARG for a scale
 * that is not finite, <= 0, or >= 2^31 (the shift would pass 31). */
eb_status eb_quantize_multiplier(double real, int32_t *mult, int32_t *shift);

/* Quantized clamp range of a fused activation for an int8 output with the given
 * scale and zero point (ReLU: [zp, 127], ReLU6: [zp, zp + round(6 / scale)] clipped). */
void eb_quant_act_range(eb_act act, double scale, int32_t zp, int32_t *act_min,
                        int32_t *act_max);

static inline int32_t eb_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* x / 2^exponent, rounding half away from zero; exponent in 0..31. */
static inline int32_t eb_rdivpot(int32_t x, int32_t exponent)
{
    int64_t mask = (INT64_C(1) << exponent) - 1;
    int64_t rem = (int64_t)x & mask;
    int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int32_t)(((int64_t)x >> exponent) + (rem > threshold ? 1 : 0));
}

/* TFLite's MultiplyByQuantizedMultiplier; the left shift saturates instead of
 * overflowing. */
static inline int32_t eb_requantize(int32_t acc, int32_t mult, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    int64_t x = (int64_t)acc * (INT64_C(1) << left);
    if (x > INT32_MAX)
        x = INT32_MAX;
    if (x < INT32_MIN)
        x = INT32_MIN;
    return eb_rdivpot(eb_srdhm((int32_t)x, mult), right);
}

static inline int32_t eb_clamp_i32(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* For the final `out_zp + requantized` step: done in 64 bits it cannot overflow. */
static inline int32_t eb_clamp_i64(int64_t v, int32_t lo, int32_t hi)
{
    return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

static inline float eb_act_f32(float v, eb_act act)
{
    if (act == EB_ACT_NONE)
        return v;
    v = v < 0.0f ? 0.0f : v;
    if (act == EB_ACT_RELU6 && v > 6.0f)
        v = 6.0f;
    return v;
}

#ifdef __cplusplus
}
#endif
#endif
