/* softmax_f32_neon.c - fp32 softmax over the last dimension: vector max, a vector
 * exp (Cody-Waite range reduction to |r| <= ln2/2, degree-6 polynomial, 2^n through
 * the exponent bits; about 2 ulp), a float sum and one multiply by its reciprocal.
 * Ref uses expf and a double sum: outputs agree within a small relative tolerance. */
#include <assert.h>

#include "neon_common.h"
#include "neon_kernels.h"

static inline float32x4_t vexp(float32x4_t x)
{
    /* below -87 the result is under 2^-125 (flushed on ARMv7 anyway); above 88, inf */
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.0f)), vdupq_n_f32(88.0f));
    const float32x4_t t = eb_vmla_f32(vdupq_n_f32(0.5f), x, vdupq_n_f32(1.44269504f));
    int32x4_t i = vcvtq_s32_f32(t); /* truncates: make it floor(t) */
    i = vaddq_s32(i, vreinterpretq_s32_u32(vcgtq_f32(vcvtq_f32_s32(i), t)));
    const float32x4_t fi = vcvtq_f32_s32(i);
    float32x4_t r = vmlsq_f32(x, fi, vdupq_n_f32(0.693359375f));
    r = vmlsq_f32(r, fi, vdupq_n_f32(-2.12194440e-4f));
    float32x4_t poly = vdupq_n_f32(1.0f / 720.0f);
    poly = eb_vmla_f32(vdupq_n_f32(1.0f / 120.0f), poly, r);
    poly = eb_vmla_f32(vdupq_n_f32(1.0f / 24.0f), poly, r);
    poly = eb_vmla_f32(vdupq_n_f32(1.0f / 6.0f), poly, r);
    poly = eb_vmla_f32(vdupq_n_f32(0.5f), poly, r);
    poly = eb_vmla_f32(vdupq_n_f32(1.0f), poly, r);
    poly = eb_vmla_f32(vdupq_n_f32(1.0f), poly, r);
    const int32x4_t e = vshlq_n_s32(vaddq_s32(i, vdupq_n_s32(127)), 23);
    return vmulq_f32(poly, vreinterpretq_f32_s32(e));
}

void eb_softmax_f32_neon(const eb_softmax_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const int32_t d = p->depth;
    for (int32_t row = 0; row < p->rows; row++) {
        const float *xr = x + (size_t)row * d;
        float *yr = y + (size_t)row * d;
        int32_t i = 0;
        float m = xr[0];
        if (d >= 4) {
            float32x4_t vm = vld1q_f32(xr);
            for (i = 4; i + 4 <= d; i += 4)
                vm = vmaxq_f32(vm, vld1q_f32(xr + i));
            m = eb_vmaxv_f32(vm);
        }
        for (; i < d; i++)
            m = xr[i] > m ? xr[i] : m;

        const float32x4_t vmx = vdupq_n_f32(m), vbeta = vdupq_n_f32(p->beta);
        float32x4_t vsum = vdupq_n_f32(0.0f);
        for (i = 0; i + 4 <= d; i += 4) {
            const float32x4_t e = vexp(vmulq_f32(vbeta, vsubq_f32(vld1q_f32(xr + i), vmx)));
            vst1q_f32(yr + i, e);
            vsum = vaddq_f32(vsum, e);
        }
        float sum = eb_vaddv_f32(vsum);
        if (i < d) { /* the last 1..3 through a padded copy, same exp */
            float t[4] = {m, m, m, m};
            memcpy(t, xr + i, (size_t)(d - i) * sizeof(float));
            float e[4];
            vst1q_f32(e, vexp(vmulq_f32(vbeta, vsubq_f32(vld1q_f32(t), vmx))));
            for (int32_t j = 0; j < d - i; j++) {
                yr[i + j] = e[j];
                sum += e[j];
            }
        }

        const float inv = 1.0f / sum;
        for (i = 0; i + 4 <= d; i += 4)
            vst1q_f32(yr + i, vmulq_n_f32(vld1q_f32(yr + i), inv));
        for (; i < d; i++)
            yr[i] *= inv;
    }
}
