/* test_avx2_add.c - eb_add_{f32,s8}_avx2 against ref: sizes 1..70 (every leftover of
 * the 8-lane loop) and 1000, input/output scales that give the rescaling multipliers
 * right and left shifts, every fused activation. fp32 equals ref exactly (one add per
 * element); int8 bit-exact. */
#include "avx2_test_util.h"

Test(avx2_add, f32_and_s8)
{
    t_need_avx2();
    t_seed(61);
    const double scales[][3] = {{0.05, 0.05, 0.1}, {0.02, 0.3, 0.25}, {0.5, 0.01, 0.004},
                                {1.0 / 128, 1.0 / 64, 1.0 / 32}, {0.1, 0.2, 1e-4}};
    for (int32_t size = 1; size <= 71; size++) {
        if (size == 71)
            size = 1000;
        for (int s = 0; s < 5; s++) {
            eb_act act = (eb_act)((size + s) % 3);
            eb_add_params p;
            cr_assert_eq(eb_add_s8_prepare(&p, scales[s][0], t_randi(-128, 127), scales[s][1],
                                           t_randi(-128, 127), scales[s][2], t_randi(-128, 127),
                                           act), EB_OK);
            p.size = size;
            cr_assert_eq(eb_add_validate(&p), EB_OK);
            float *af = t_f32((size_t)size, -8.0f, 8.0f), *bf = t_f32((size_t)size, -8.0f, 8.0f);
            int8_t *as = t_s8((size_t)size, -128, 127), *bs = t_s8((size_t)size, -128, 127);
            float *wf = (float *)t_alloc((size_t)size * 4), *gf = (float *)t_alloc((size_t)size * 4);
            int8_t *ws = (int8_t *)t_alloc((size_t)size), *gs = (int8_t *)t_alloc((size_t)size);
            t_ref.add_f32.run(&p, af, bf, wf);
            t_avx2.add_f32.run(&p, af, bf, gf);
            cr_assert(memcmp(wf, gf, (size_t)size * 4) == 0, "add f32 size %d differs", size);
            t_ref.add_s8.run(&p, as, bs, ws);
            t_avx2.add_s8.run(&p, as, bs, gs);
            t_assert_s8_equal(gs, ws, (size_t)size, "add s8");
            free(af), free(bf), free(as), free(bs), free(wf), free(gf), free(ws), free(gs);
        }
    }
}
