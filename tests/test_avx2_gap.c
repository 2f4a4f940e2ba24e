/* test_avx2_gap.c - eb_gap_{f32,s8}_avx2 against ref: channel counts of the tail list
 * plus 40, 64 and 1024 (vectors of 32 and leftovers), 1x1 to 7x7 and 13x11 images, batch
 * 1 and 2, requantization with left and right shifts. fp32 must equal ref exactly
 * (same summation order per channel), int8 bit-exact. */
#include "avx2_test_util.h"

static const int32_t chans[] = {1, 3, 7, 8, 9, 17, 33, 40, 64, 1024};
static const int32_t hw[][2] = {{1, 1}, {7, 7}, {13, 11}, {2, 3}};

Test(avx2_gap, f32_and_s8)
{
    t_need_avx2();
    t_seed(51);
    for (size_t i = 0; i < sizeof chans / sizeof chans[0]; i++)
        for (size_t s = 0; s < 4; s++)
            for (int32_t batch = 1; batch <= 2; batch++) {
                eb_gap_params p = {0};
                p.batch = batch;
                p.h = hw[s][0];
                p.w = hw[s][1];
                p.c = chans[i];
                p.in_zp = t_randi(-128, 127);
                p.out_zp = t_randi(-128, 127);
                double real = (s % 2 ? 3.7 : 0.9) / (p.h * p.w);
                cr_assert_eq(eb_quantize_multiplier(real, &p.mult, &p.shift), EB_OK);
                p.act_min = -128;
                p.act_max = t_randi(0, 127);
                cr_assert_eq(eb_gap_validate(&p), EB_OK);
                const size_t nx = (size_t)batch * p.h * p.w * p.c, ny = (size_t)batch * p.c;
                float *xf = t_f32(nx, -4.0f, 4.0f);
                int8_t *xs = t_s8(nx, -128, 127);
                float *wf = (float *)t_alloc(ny * 4), *gf = (float *)t_alloc(ny * 4);
                int8_t *ws = (int8_t *)t_alloc(ny), *gs = (int8_t *)t_alloc(ny);
                t_ref.gap_f32.run(&p, xf, wf);
                t_avx2.gap_f32.run(&p, xf, gf);
                cr_assert(memcmp(wf, gf, ny * 4) == 0, "gap f32 %dx%dx%d differs", p.h, p.w, p.c);
                t_ref.gap_s8.run(&p, xs, ws);
                t_avx2.gap_s8.run(&p, xs, gs);
                t_assert_s8_equal(gs, ws, ny, "gap s8");
                free(xf), free(xs), free(wf), free(gf), free(ws), free(gs);
            }
}
