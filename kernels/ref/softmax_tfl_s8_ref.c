/* softmax_tfl_s8_ref.c - TFLite's reference int8 softmax, bit for bit (imported models;
 * the zoo keeps edgebench's exp-table softmax_s8).
 *
 * The arithmetic is gemmlowp's fixed point on int32: a number with I integer bits is
 * raw / 2^(31 - I); the product of two has the sum of their integer bits and is the
 * saturating rounding doubling high multiply (eb_srdhm) of the raws. Written here from
 * the TFLite quantization spec's description of the reference kernel: x - max rescaled to
 * 5 integer bits, exp of a negative value (a polynomial on [-1/4, 0) and a product of
 * exp(-2^k) constants for the bits above), the sum of exps with 12 integer bits, its
 * reciprocal by Newton-Raphson, and each output divided down to 8 bits. */
#include <assert.h>

#include "eb_kernels.h"
#include "eb_quant.h"

/* x * 2^e (e in 1..30), saturating to the int32 range. */
static int32_t sat_shl(int32_t x, int e)
{
    const int32_t limit = (int32_t)((UINT32_C(1) << (31 - e)) - 1);
    if (x > limit)
        return INT32_MAX;
    if (x < -limit)
        return INT32_MIN;
    return (int32_t)((uint32_t)x << e);
}

/* x / 2^e rounding half away from zero, for any e in 0..62. */
static int32_t rdivpot64(int32_t x, int e)
{
    const int64_t mask = (INT64_C(1) << e) - 1;
    const int64_t rem = (int64_t)x & mask;
    const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int32_t)(((int64_t)x >> e) + (rem > threshold ? 1 : 0));
}

/* exp(a) for a (0 integer bits) in [-1/4, 0): Taylor series around -1/8, result Q0.31. */
static int32_t exp_quarter(int32_t a)
{
    const int32_t exp_m1_8 = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = a + (1 << 28); /* a + 1/8 */
    const int32_t x2 = eb_srdhm(x, x);
    const int32_t x3 = eb_srdhm(x2, x);
    const int32_t x4 = eb_srdhm(x2, x2);
    const int32_t x4_4 = eb_rdivpot(x4, 2);
    const int32_t rest = eb_rdivpot(eb_srdhm(x4_4 + x3, one_third) + x2, 1);
    return exp_m1_8 + eb_srdhm(exp_m1_8, x + rest);
}

/* exp(a) for a <= 0 with 5 integer bits (26 fractional), result Q0.31 (1.0 saturates to
 * INT32_MAX). a = q - 1/4 + r with q the part in [-1/4, 0) and r a multiple of 1/4: the
 * bits of -r select factors exp(-1/4), exp(-1/2), ..., exp(-16). */
static int32_t exp_negative(int32_t a)
{
    static const int32_t factor[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};
    const int32_t quarter = 1 << 24;
    const int32_t q = (int32_t)((uint32_t)a & (uint32_t)(quarter - 1)) - quarter;
    int32_t result = exp_quarter(sat_shl(q, 5));
    const int32_t rem = q - a;
    for (int k = 0; k < 7; k++)
        if (rem & (INT32_C(1) << (24 + k)))
            result = eb_srdhm(result, factor[k]);
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1) (Q0.31), result Q0.31: Newton-Raphson on half the
 * denominator, in numbers with 2 integer bits. */
static int32_t one_over_one_plus(int32_t a)
{
    const int64_t s = (int64_t)a + INT32_MAX;
    const int32_t half_den = (int32_t)((s + (s >= 0 ? 1 : -1)) / 2);
    const int32_t c48_17 = 1515870810, c_m32_17 = -1010580540; /* 48/17, -32/17 */
    int32_t x = c48_17 + eb_srdhm(half_den, c_m32_17);
    for (int i = 0; i < 3; i++) {
        const int32_t one_minus = (1 << 29) - eb_srdhm(half_den, x);
        x = x + sat_shl(eb_srdhm(x, one_minus), 2);
    }
    return sat_shl(x, 1);
}

static int32_t rescaled_diff(const eb_softmax_params *p, int32_t d)
{
    /* d >= diff_min, so d * 2^in_left_shift stays within int32 */
    return eb_srdhm((int32_t)((int64_t)d * (INT64_C(1) << p->in_left_shift)), p->in_mult);
}

void eb_softmax_tfl_s8_ref(const eb_softmax_params *p, const int8_t *x, int8_t *y)
{
    assert(p && x && y && p->in_mult > 0 && p->in_left_shift >= 0 && p->in_left_shift < 31);
    for (int32_t r = 0; r < p->rows; r++) {
        const int8_t *xr = x + (size_t)r * p->depth;
        int8_t *yr = y + (size_t)r * p->depth;
        int32_t m = xr[0];
        for (int32_t i = 1; i < p->depth; i++)
            m = xr[i] > m ? xr[i] : m;
        int32_t sum = 0; /* 12 integer bits */
        for (int32_t i = 0; i < p->depth; i++) {
            const int32_t d = xr[i] - m;
            if (d >= p->diff_min)
                sum += eb_rdivpot(exp_negative(rescaled_diff(p, d)), 12);
        }
        assert(sum > 0);
        const int headroom = __builtin_clz((uint32_t)sum);
        const int bits_over_unit = 12 - headroom;
        const int32_t recip =
            one_over_one_plus((int32_t)(((uint32_t)sum << headroom) - (UINT32_C(1) << 31)));
        for (int32_t i = 0; i < p->depth; i++) {
            const int32_t d = xr[i] - m;
            int32_t v = -128;
            if (d >= p->diff_min) {
                const int32_t e = exp_negative(rescaled_diff(p, d));
                v = rdivpot64(eb_srdhm(recip, e), bits_over_unit + 31 - 8) - 128;
                v = v > 127 ? 127 : (v < -128 ? -128 : v);
            }
            yr[i] = (int8_t)v;
        }
    }
}
