/* avx2_test_util.h - shared by the tests/test_avx2_*.c files: picks the ref and AVX2
 * kernel sets (skipping visibly when the CPU lacks AVX2), deterministic random data,
 * requantization parameters that reach every branch, aligned buffers, comparisons.
 *
 * fp32 tolerance (stated once, used by every fp32 test): an AVX2 result may differ from
 * ref by at most EB_T_F32_TOL times the magnitude of its sum, i.e. |bias| + sum |x * w|
 * over the terms ref adds (plus a tiny absolute floor for sums of zeros). Reordered and
 * fused (FMA) float sums of n terms stay within about n * 2^-24 of that magnitude in the
 * worst case and sqrt(n) * 2^-24 typically; 1e-5 covers the windows tested here. */
#ifndef EB_AVX2_TEST_UTIL_H
#define EB_AVX2_TEST_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_quant.h"

#define EB_T_F32_TOL 1e-5
#define EB_T_F32_FLOOR 1e-30

static eb_kernel_set t_ref, t_avx2;

/* Fills t_ref and t_avx2, or skips the test with a message when AVX2 cannot run. */
static inline void t_need_avx2(void)
{
    if (!eb_isa_runnable(EB_ISA_AVX2))
        cr_skip_test("this CPU (or build) has no AVX2+FMA: AVX2 kernel not tested");
    cr_assert_eq(eb_kernels_select(EB_KSET_REF, &t_ref), EB_OK);
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX2, &t_avx2), EB_OK);
}

static uint64_t t_rng_state = 0x9E3779B97F4A7C15ull;

static inline void t_seed(uint64_t s)
{
    t_rng_state = s * 0x9E3779B97F4A7C15ull + 1;
}

static inline uint32_t t_rand(void)
{
    uint64_t x = t_rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t_rng_state = x;
    return (uint32_t)(x >> 16);
}

/* uniform integer in [lo, hi] */
static inline int32_t t_randi(int32_t lo, int32_t hi)
{
    uint32_t span = (uint32_t)hi - (uint32_t)lo + 1u; /* 0 means the full 2^32 range */
    uint32_t r = span ? t_rand() % span : t_rand() * 65537u;
    return (int32_t)((uint32_t)lo + r);
}

static inline float t_randf(float lo, float hi)
{
    return lo + (hi - lo) * (float)(t_rand() & 0xFFFFFF) / (float)0x1000000;
}

/* Exact-size buffer (so AddressSanitizer sees any read past the end), filled with
 * garbage so that kernels reading memory they did not write show it. */
static inline void *t_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    cr_assert(p != NULL);
    memset(p, 0xA5, bytes);
    return p;
}

/* 64-byte aligned buffer for packed weights and scratch (the kernels' contract). */
static inline void *t_alloc_aligned(size_t bytes)
{
    size_t n = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, n ? n : 64);
    cr_assert(p != NULL);
    memset(p, 0xA5, n);
    return p;
}

static inline float *t_f32(size_t n, float lo, float hi)
{
    float *p = (float *)t_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        p[i] = t_randf(lo, hi);
    return p;
}

static inline int8_t *t_s8(size_t n, int32_t lo, int32_t hi)
{
    int8_t *p = (int8_t *)t_alloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)t_randi(lo, hi);
    return p;
}

static inline int32_t *t_s32(size_t n, int32_t lo, int32_t hi)
{
    int32_t *p = (int32_t *)t_alloc(n * sizeof(int32_t));
    for (size_t i = 0; i < n; i++)
        p[i] = t_randi(lo, hi);
    return p;
}

/* Per-channel requantization covering the branches of eb_requantize: mostly realistic
 * multipliers (real scale 2^-12..2^-4), some with a left shift (saturation reachable),
 * some with a large right shift, some zero. act range random inside [-128, 127]. */
typedef struct {
    eb_requant q;
    int32_t *mult, *shift;
} t_requant;

static inline t_requant t_make_requant(int32_t channels)
{
    t_requant r;
    r.mult = (int32_t *)t_alloc((size_t)channels * sizeof(int32_t));
    r.shift = (int32_t *)t_alloc((size_t)channels * sizeof(int32_t));
    for (int32_t c = 0; c < channels; c++) {
        int kind = t_randi(0, 9);
        /* below INT32_MAX - 255: a saturated product plus out_zp must still fit int32,
         * or ref itself would overflow */
        r.mult[c] = t_randi(1 << 30, INT32_MAX - 255);
        if (kind <= 5)
            r.shift[c] = t_randi(-12, -4);
        else if (kind == 6)
            r.shift[c] = t_randi(1, 31);
        else if (kind == 7)
            r.shift[c] = t_randi(-31, -20);
        else if (kind == 8)
            r.shift[c] = 0;
        else {
            r.mult[c] = 0;
            r.shift[c] = 0;
        }
    }
    r.q.in_zp = t_randi(-128, 127);
    r.q.out_zp = t_randi(-128, 127);
    int32_t a = t_randi(-128, 127), b = t_randi(-128, 127);
    if (t_randi(0, 2) == 0) {
        a = -128;
        b = 127;
    }
    r.q.act_min = a < b ? a : b;
    r.q.act_max = a < b ? b : a;
    r.q.mult = r.mult;
    r.q.shift = r.shift;
    return r;
}

static inline void t_free_requant(t_requant *r)
{
    free(r->mult);
    free(r->shift);
}

/* int8 outputs must be identical. */
static inline void t_assert_s8_equal(const int8_t *got, const int8_t *want, size_t n,
                                     const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            cr_assert_fail("%s: element %zu is %d, ref says %d", what, i, got[i], want[i]);
}

/* fp32 outputs within EB_T_F32_TOL of the magnitude mag[i] of each sum. */
static inline void t_assert_f32_close(const float *got, const float *want, const double *mag,
                                      size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        double tol = EB_T_F32_TOL * mag[i] + EB_T_F32_FLOOR;
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= tol))
            cr_assert_fail("%s: element %zu is %.9g, ref says %.9g (|diff| %.3g > tol %.3g)",
                           what, i, got[i], want[i], d, tol);
    }
}

#endif
