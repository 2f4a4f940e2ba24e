/* test_mul.c - the elementwise MUL op: eb_mul_{f32,s8}_ref against hand-worked values and
 * a restatement of TFLite's integer MUL; every broadcast form; and MUL in a graph, built
 * and run by the executor with the ref and the auto kernel sets. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_graph.h"
#include "eb_kernels.h"
#include "eb_model_internal.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(mul_f32_ref, hand_worked_and_broadcast)
{
    const float a[6] = {1, -2.5f, 3, 4, -8, 0.5f}, b[6] = {2, 2, -1, 0.25f, 1, -4};
    float y[6];
    eb_mul_params p = {.size = 6, .b_size = 6, .act = EB_ACT_NONE};
    cr_assert_eq(eb_mul_validate(&p), EB_OK);
    eb_mul_f32_ref(&p, a, b, y);
    const float want[6] = {2, -5, -3, 1, -8, -2};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(y[i], want[i], "at %d: %g", i, y[i]);
    p.b_size = 1; /* a scalar */
    eb_mul_f32_ref(&p, a, b, y);
    cr_expect(y[0] == 2 && y[1] == -5 && y[5] == 1);
    p.b_size = 3; /* per channel of a 1x2x3 tensor */
    p.act = EB_ACT_RELU6;
    eb_mul_f32_ref(&p, a, b, y);
    cr_expect(y[0] == 2 && y[1] == 0 && y[2] == 0 && y[3] == 6 && y[4] == 0 && y[5] == 0);
    p.b_size = 4; /* 6 is not a multiple of 4 */
    cr_expect_eq(eb_mul_validate(&p), EB_ERR_ARG);
}

Test(mul_s8_ref, hand_worked)
{
    /* a: scale 0.5 zp 2, b: scale 0.25 zp -4, out: scale 0.125 zp 1:
     * out = 1 + (a - 2) * (b + 4) * 0.5 * 0.25 / 0.125 = 1 + (a - 2) * (b + 4) */
    eb_mul_params p;
    cr_assert_eq(eb_mul_s8_prepare(&p, 0.5, 2, 0.25, -4, 0.125, 1, EB_ACT_NONE), EB_OK);
    p.size = p.b_size = 5;
    cr_assert_eq(eb_mul_validate(&p), EB_OK);
    const int8_t a[5] = {3, 2, 12, -100, 5}, b[5] = {-2, 100, 6, 0, -9};
    int8_t y[5];
    eb_mul_s8_ref(&p, a, b, y);
    cr_expect_eq(y[0], 3);    /* 1 + 1 * 2 */
    cr_expect_eq(y[1], 1);    /* a at its zero point */
    cr_expect_eq(y[2], 101);  /* 1 + 10 * 10 */
    cr_expect_eq(y[3], -128); /* 1 - 102 * 4, saturated */
    cr_expect_eq(y[4], -14);  /* 1 + 3 * -5 */
    cr_assert_eq(eb_mul_s8_prepare(&p, 0.5, 2, 0.25, -4, 0.125, 1, EB_ACT_RELU), EB_OK);
    p.size = p.b_size = 5;
    eb_mul_s8_ref(&p, a, b, y);
    cr_expect(y[0] == 3 && y[3] == 1 && y[4] == 1, "relu clamps at the output zero point");
}

/* TFLite's integer MUL, restated with the test's own requantizer. */
static int32_t restated_mul(const eb_mul_params *p, int32_t a, int32_t b)
{
    int32_t prod = (a - p->a_zp) * (b - p->b_zp);
    return kt_clamp((int64_t)p->out_zp + kt_requant(prod, p->mult, p->shift), p->act_min,
                    p->act_max);
}

Test(mul_s8_ref, random_scales_match_the_restated_arithmetic_and_the_real_product)
{
    kt_rng r = kt_seed(77);
    for (int t = 0; t < 300; t++) {
        const double sa = kt_uniform(&r, 0.001, 0.2), sb = kt_uniform(&r, 0.001, 0.2);
        const double so = kt_uniform(&r, 0.0005, 0.5);
        const int32_t az = kt_int(&r, -128, 127), bz = kt_int(&r, -128, 127);
        const int32_t oz = kt_int(&r, -128, 127);
        eb_mul_params p;
        cr_assert_eq(eb_mul_s8_prepare(&p, sa, az, sb, bz, so, oz, (eb_act)(t % 3)), EB_OK);
        enum { N = 24 };
        p.size = N;
        p.b_size = t % 3 == 0 ? 1 : t % 3 == 1 ? 8 : N;
        int8_t a[N], b[N], y[N];
        kt_fill_s8(&r, a, N, -128, 127);
        kt_fill_s8(&r, b, N, -128, 127);
        eb_mul_s8_ref(&p, a, b, y);
        for (int i = 0; i < N; i++) {
            const int32_t bi = b[i % p.b_size];
            cr_assert_eq(y[i], restated_mul(&p, a[i], bi), "case %d at %d", t, i);
            /* within one step of the real product, where it is not clamped */
            double real = sa * (a[i] - az) * sb * (bi - bz) / so + oz;
            if (real > p.act_min + 1 && real < p.act_max - 1)
                cr_assert(fabs(y[i] - real) <= 1.0, "case %d at %d: %d vs %.3f", t, i, y[i],
                          real);
        }
    }
}

/* input 3x4x5 -> gap -> 1x1x5 -> mul(input, gap) per channel -> output */
static eb_graph *se_graph(eb_dtype dt)
{
    eb_graph *g = eb_graph_new(dt);
    snprintf(g->name, sizeof g->name, "mul_test");
    int32_t x = eb_graph_add_tensor(g, 3, 4, 5), s = eb_graph_add_tensor(g, 1, 1, 5);
    int32_t y = eb_graph_add_tensor(g, 3, 4, 5);
    g->input = x;
    g->output = y;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_GAP;
    snprintf(op.name, sizeof op.name, "gap");
    op.in0 = x, op.in1 = -1, op.out = s;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    op.type = EB_OP_MUL;
    snprintf(op.name, sizeof op.name, "scale");
    op.in0 = x, op.in1 = s, op.out = y;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    if (dt == EB_S8) {
        g->t[x].scale = 1.0 / 128, g->t[x].zp = 3;
        g->t[s].scale = 1.0 / 128, g->t[s].zp = 3;
        g->t[y].scale = 1.0 / 256, g->t[y].zp = -5;
    }
    return g;
}

static void run_graph(eb_dtype dt, eb_kset ks, void *out, size_t bytes)
{
    eb_model *m = NULL;
    char err[256] = "";
    cr_assert_eq(eb_model_from_graph(se_graph(dt), ks, &m, err, sizeof err), EB_OK, "%s", err);
    cr_assert_str_eq(m->x[1].type, "mul");
    cr_assert(!strncmp(m->x[1].kernel, dt == EB_F32 ? "eb_mul_f32_" : "eb_mul_s8_", 10));
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, 4);
    eb_context_run(c);
    memcpy(out, eb_context_output(c), bytes);
    if (dt == EB_F32) { /* y = x * mean_c(x), per channel */
        const float *x = eb_context_input(c), *y = out;
        for (int ch = 0; ch < 5; ch++) {
            double mean = 0;
            for (int i = 0; i < 12; i++)
                mean += x[i * 5 + ch];
            mean /= 12;
            for (int i = 0; i < 12; i++)
                cr_assert(fabs(y[i * 5 + ch] - x[i * 5 + ch] * mean) < 1e-5, "ch %d px %d", ch, i);
        }
    }
    eb_context_free(c);
    eb_model_free(m);
}

Test(mul_graph, per_channel_scale_runs_and_auto_equals_ref)
{
    float f_ref[60], f_auto[60];
    run_graph(EB_F32, EB_KSET_REF, f_ref, sizeof f_ref);
    run_graph(EB_F32, EB_KSET_AUTO, f_auto, sizeof f_auto);
    cr_assert(!memcmp(f_ref, f_auto, sizeof f_ref), "fp32: auto differs from ref");
    int8_t q_ref[60], q_auto[60];
    run_graph(EB_S8, EB_KSET_REF, q_ref, sizeof q_ref);
    run_graph(EB_S8, EB_KSET_AUTO, q_auto, sizeof q_auto);
    cr_assert(!memcmp(q_ref, q_auto, sizeof q_ref), "int8: auto differs from ref");
}

Test(mul_graph, mismatched_factor_is_refused)
{
    eb_graph *g = se_graph(EB_F32);
    g->t[2].c = 4; /* the product of 3x4x5 by 1x1x5 cannot be 3x4x4 */
    char err[256] = "";
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "mul op 1") != NULL, "%s", err);
    eb_graph_free(g);
}
