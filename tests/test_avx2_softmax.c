/* test_avx2_softmax.c - eb_softmax_{f32,s8}_avx2 against ref: depths 1..40 (every
 * leftover of the 8- and 32-lane loops), 1000 and 1001, several rows, betas and input
 * ranges (including rows where most exponentials underflow).
 * fp32 tolerance: outputs lie in [0, 1] and a row sums to 1, which is the magnitude of
 * the normalising sum; each output may differ from ref by EB_T_F32_TOL (the vector exp
 * is within a few ulp of expf). int8 bit-exact. */
#include "avx2_test_util.h"

static void check(int32_t rows, int32_t depth, float beta, float range)
{
    const size_t n = (size_t)rows * depth;
    eb_softmax_params p = {.rows = rows, .depth = depth, .beta = beta};
    float *xf = t_f32(n, -range, range);
    float *wf = (float *)t_alloc(n * 4), *gf = (float *)t_alloc(n * 4);
    cr_assert_eq(eb_softmax_validate(&p, EB_F32), EB_OK);
    t_ref.softmax_f32.run(&p, xf, wf);
    t_avx2.softmax_f32.run(&p, xf, gf);
    double *mag = (double *)t_alloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        mag[i] = 1.0;
    char what[96];
    snprintf(what, sizeof what, "softmax f32 %dx%d beta %g range %g", rows, depth, beta, range);
    t_assert_f32_close(gf, wf, mag, n, what);

    uint32_t table[256];
    cr_assert_eq(eb_softmax_s8_prepare(&p, range / 100.0, beta, table), EB_OK);
    cr_assert_eq(eb_softmax_validate(&p, EB_S8), EB_OK);
    int8_t *xs = t_s8(n, -128, 127);
    int8_t *ws = (int8_t *)t_alloc(n), *gs = (int8_t *)t_alloc(n);
    t_ref.softmax_s8.run(&p, xs, ws);
    t_avx2.softmax_s8.run(&p, xs, gs);
    snprintf(what, sizeof what, "softmax s8 %dx%d scale %g beta %g", rows, depth, range / 100.0, beta);
    t_assert_s8_equal(gs, ws, n, what);
    free(xf), free(wf), free(gf), free(mag), free(xs), free(ws), free(gs);
}

Test(avx2_softmax, f32_and_s8)
{
    t_need_avx2();
    t_seed(71);
    for (int32_t d = 1; d <= 40; d++)
        check(3, d, 1.0f, 4.0f);
    check(2, 1000, 1.0f, 10.0f);
    check(2, 1001, 0.5f, 50.0f);
    check(5, 64, 2.0f, 100.0f);
    check(1, 2, 1.0f, 0.5f);
}

/* A table with huge entries makes the int8 kernel take its exact scalar route. */
Test(avx2_softmax, s8_huge_table)
{
    t_need_avx2();
    t_seed(72);
    uint32_t table[256];
    for (int i = 0; i < 256; i++)
        table[i] = 0x80000000u + (uint32_t)i * 1000u;
    eb_softmax_params p = {.rows = 2, .depth = 50, .beta = 1.0f, .exp_table = table};
    int8_t *x = t_s8(100, -128, 127), want[100], got[100];
    t_ref.softmax_s8.run(&p, x, want);
    t_avx2.softmax_s8.run(&p, x, got);
    t_assert_s8_equal(got, want, 100, "softmax s8 huge table");
    free(x);
}
