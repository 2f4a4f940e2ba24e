/* kernel_test_util.h - shared helpers for the kernel tests: a seeded generator and an
 * independent restatement of TFLite's integer requantization (written from the formula,
 * not from eb_quant.h, so it can catch a mistake there). Header-only, static. */
#ifndef KERNEL_TEST_UTIL_H
#define KERNEL_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* xorshift64*: deterministic across platforms, unlike rand(). */
typedef struct {
    uint64_t s;
} kt_rng;

static inline kt_rng kt_seed(uint64_t seed)
{
    kt_rng r = {seed ? seed : 0x9e3779b97f4a7c15ull};
    return r;
}

static inline uint64_t kt_next(kt_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform integer in [lo, hi]. */
static inline int32_t kt_int(kt_rng *r, int32_t lo, int32_t hi)
{
    return lo + (int32_t)(kt_next(r) % (uint64_t)((int64_t)hi - lo + 1));
}

/* Uniform double in [lo, hi). */
static inline double kt_uniform(kt_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(kt_next(r) >> 11) * (1.0 / 9007199254740992.0));
}

static inline void kt_fill_f32(kt_rng *r, float *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)kt_uniform(r, lo, hi);
}

static inline void kt_fill_s8(kt_rng *r, int8_t *v, size_t n, int32_t lo, int32_t hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (int8_t)kt_int(r, lo, hi);
}

/* floor(a / 2^k) for any sign, k in 0..62. */
static inline int64_t kt_floor_pot(int64_t a, int k)
{
    int64_t d = INT64_C(1) << k;
    int64_t q = a / d;
    return (a % d != 0 && a < 0) ? q - 1 : q;
}

/* TFLite's MultiplyByQuantizedMultiplier, restated: saturating left shift, then the
 * doubling high product rounded to nearest with ties toward +infinity (gemmlowp's
 * SaturatingRoundingDoublingHighMul), then a right shift rounded half away from zero
 * (RoundingDivideByPOT). */
static inline int32_t kt_requant(int32_t acc, int32_t mult, int32_t shift)
{
    int64_t x = (int64_t)acc * (INT64_C(1) << (shift > 0 ? shift : 0));
    if (x > INT32_MAX)
        x = INT32_MAX;
    if (x < INT32_MIN)
        x = INT32_MIN;
    int64_t hi;
    if (x == INT32_MIN && mult == INT32_MIN)
        hi = INT32_MAX;
    else
        hi = kt_floor_pot(x * mult + (INT64_C(1) << 30), 31);
    int right = shift > 0 ? 0 : -shift;
    if (right == 0)
        return (int32_t)hi;
    int64_t mag = hi < 0 ? -hi : hi;
    mag = (mag + (INT64_C(1) << (right - 1))) >> right;
    return (int32_t)(hi < 0 ? -mag : mag);
}

static inline int32_t kt_clamp(int64_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

/* Nearest integer, ties away from zero, as a double -> int64 step for oracles. */
static inline int64_t kt_round(double v)
{
    return (int64_t)llround(v);
}

static inline float kt_act(double v, int act)
{
    if (act >= 1 && v < 0.0)
        v = 0.0;
    if (act == 2 && v > 6.0)
        v = 6.0;
    return (float)v;
}

#include "eb_kernels.h"
#include "eb_quant.h"

/* A random valid conv/pool geometry: small shapes that still hit strides, odd sizes,
 * asymmetric and explicit padding. Depthwise sets out_c = in_c. */
static inline void kt_random_conv(kt_rng *r, eb_conv_params *p, int depthwise)
{
    for (;;) {
        eb_conv_params c = {0};
        c.batch = kt_int(r, 1, 2);
        c.in_h = kt_int(r, 1, 10), c.in_w = kt_int(r, 1, 10);
        c.in_c = kt_int(r, 1, 9);
        c.out_c = depthwise ? c.in_c : kt_int(r, 1, 7);
        c.k_h = kt_int(r, 1, 5), c.k_w = kt_int(r, 1, 5);
        c.stride_h = kt_int(r, 1, 3), c.stride_w = kt_int(r, 1, 3);
        c.act = (eb_act)kt_int(r, 0, 2);
        int mode = kt_int(r, 0, 2);
        if (mode == EB_PAD_EXPLICIT) {
            c.pad_top = kt_int(r, 0, c.k_h - 1), c.pad_bottom = kt_int(r, 0, c.k_h - 1);
            c.pad_left = kt_int(r, 0, c.k_w - 1), c.pad_right = kt_int(r, 0, c.k_w - 1);
        }
        if (eb_conv_out_dims(&c, (eb_padding)mode) == EB_OK) {
            *p = c;
            return;
        }
    }
}

/* Per-channel int8 requantization for a layer whose accumulators sum k terms: real
 * multipliers chosen so outputs spread over the int8 range without all saturating. */
typedef struct {
    int32_t mult[64], shift[64];
    double real[64];
    double out_scale;
    eb_requant q;
} kt_requant_set;

static inline void kt_random_requant(kt_rng *r, kt_requant_set *s, int32_t channels,
                                     int32_t k, eb_act act)
{
    s->out_scale = kt_uniform(r, 0.02, 0.2);
    for (int32_t c = 0; c < channels && c < 64; c++) {
        s->real[c] = kt_uniform(r, 0.2, 3.0) * 0.002 / sqrt((double)k);
        eb_quantize_multiplier(s->real[c], &s->mult[c], &s->shift[c]);
    }
    s->q.in_zp = kt_int(r, -128, 127);
    s->q.out_zp = kt_int(r, -60, 60);
    eb_quant_act_range(act, s->out_scale, s->q.out_zp, &s->q.act_min, &s->q.act_max);
    s->q.mult = s->mult;
    s->q.shift = s->shift;
}

#endif
