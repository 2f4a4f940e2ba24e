/* avgpool_f32_avx2.c - fp32 average pool over channels 8 at a time; the window is
 * summed in the same order as ref, so results match it exactly. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_window.h"

void eb_avgpool_f32_avx2(const eb_pool_params *p_in, const float *x, float *y)
{
    assert(p_in);
    const eb_pool_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    assert(p && x && y);
    const int32_t cn = p->c;
    __m256 lo, hi;
    eb_avx2_act_bounds(p->act, &lo, &hi);
    for (int32_t n = 0; n < p->batch; n++) {
        const float *xn = x + (size_t)n * p->in_h * p->in_w * cn;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            eb_window_taps(iy0, p->in_h, p->k_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                eb_window_taps(ix0, p->in_w, p->k_w, &kx0, &kx1);
                const int32_t count = (ky1 - ky0) * (kx1 - kx0);
                assert(count > 0);
                const __m256 div = _mm256_set1_ps((float)count);
                float *out = y + (((size_t)n * p->out_h + oy) * p->out_w + ox) * cn;
                for (int32_t c = 0; c < cn; c += 8) {
                    const int nc = cn - c < 8 ? cn - c : 8;
                    const __m256i mask = eb_avx2_mask(nc);
                    __m256 sum = _mm256_setzero_ps();
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const float *xr =
                            xn + ((size_t)(iy0 + ky) * p->in_w + (size_t)(ix0 + kx0)) * cn + c;
                        for (int32_t j = 0; j < kx1 - kx0; j++)
                            sum = _mm256_add_ps(sum, _mm256_maskload_ps(xr + (size_t)j * cn, mask));
                    }
                    _mm256_maskstore_ps(out + c, mask, eb_avx2_act(_mm256_div_ps(sum, div), lo, hi));
                }
            }
        }
    }
}
