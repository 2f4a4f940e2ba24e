/* test_activation.c - the standalone activations (models/ops/activation.c): the fp32
 * kernels against hand-worked values, lut_s8, and the int8 tables the graph ops fill
 * (ReluX exactly; logistic/tanh as TFLite's float table; hard_swish's 16-bit fixed
 * point within one step of the real value and exact where the formula says so), in
 * graphs built, run, int8-quantized and round-tripped through .ebm. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_gop.h"
#include "eb_model_internal.h"
#include "eb_quant.h"
#include "kernel_test_util.h"

Test(activation_f32_ref, hand_worked)
{
    const float x[6] = {-4, -1.5f, 0, 1, 3, 7.5f};
    float y[6];
    eb_unary_params p = {.size = 6};
    cr_assert_eq(eb_unary_validate(&p), EB_OK);
    eb_relu_f32_ref(&p, x, y);
    cr_expect(y[0] == 0 && y[1] == 0 && y[2] == 0 && y[3] == 1 && y[5] == 7.5f);
    eb_relu6_f32_ref(&p, x, y);
    cr_expect(y[0] == 0 && y[3] == 1 && y[4] == 3 && y[5] == 6);
    eb_logistic_f32_ref(&p, x, y);
    cr_expect(y[2] == 0.5f && fabsf(y[3] - 0.7310586f) < 1e-6f && fabsf(y[0] - 0.0179862f) < 1e-6f);
    eb_tanh_f32_ref(&p, x, y);
    cr_expect(y[2] == 0 && fabsf(y[3] - 0.7615942f) < 1e-6f && fabsf(y[1] + 0.9051483f) < 1e-6f);
    eb_hard_swish_f32_ref(&p, x, y);
    /* x (x + 3) / 6 in [-3, 3]; 0 below, x above */
    cr_expect(y[0] == 0 && y[1] == -0.375f && y[2] == 0 && fabsf(y[3] - 2.0f / 3) < 1e-6f &&
              y[4] == 3 && y[5] == 7.5f);
    p.size = 0;
    cr_expect_eq(eb_unary_validate(&p), EB_ERR_ARG);
}

Test(lut_s8_ref, looks_up_every_value)
{
    eb_unary_params p = {.size = 256};
    for (int i = 0; i < 256; i++)
        p.table[i] = (int8_t)(127 - i); /* y = -1 - x */
    int8_t x[256], y[256];
    for (int i = 0; i < 256; i++)
        x[i] = (int8_t)(i - 128);
    eb_lut_s8_ref(&p, x, y);
    for (int i = 0; i < 256; i++)
        cr_assert_eq(y[i], -1 - x[i], "x %d", x[i]);
}

/* x (3x4x5) -> op -> y, int8 with the given quantizations */
static eb_graph *one_op(eb_op_type t, eb_dtype dt, double si, int32_t zi, double so, int32_t zo)
{
    eb_graph *g = eb_graph_new(dt);
    snprintf(g->name, sizeof g->name, "act_test");
    int32_t x = eb_graph_add_tensor(g, 3, 4, 5), y = eb_graph_add_tensor(g, 3, 4, 5);
    g->input = x;
    g->output = y;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = t;
    snprintf(op.name, sizeof op.name, "act");
    op.in0 = x, op.in1 = -1, op.out = y;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    g->t[x].scale = si, g->t[x].zp = zi;
    g->t[y].scale = so, g->t[y].zp = zo;
    return g;
}

static eb_model *build(eb_graph *g)
{
    eb_model *m = NULL;
    char err[256] = "";
    cr_assert_eq(eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s", err);
    return m;
}

Test(activation_s8, relu_tables_are_relux)
{
    /* the same quantization in and out: relu is max(x, zp), relu6 also <= zp + 6 / s */
    eb_model *m = build(one_op(EB_OP_RELU, EB_S8, 0.1, -5, 0.1, -5));
    cr_assert_str_eq(m->x[0].type, "relu");
    cr_assert_str_eq(m->x[0].kernel, "eb_lut_s8_ref");
    for (int q = -128; q < 128; q++)
        cr_assert_eq(m->x[0].p.unary.table[q + 128], q > -5 ? q : -5, "relu %d", q);
    eb_model_free(m);
    m = build(one_op(EB_OP_RELU6, EB_S8, 0.1, -5, 0.1, -5));
    for (int q = -128; q < 128; q++)
        cr_assert_eq(m->x[0].p.unary.table[q + 128], q < -5 ? -5 : (q > 55 ? 55 : q),
                     "relu6 %d", q);
    eb_model_free(m);
    /* rescaling by 1/2: (x - 3) / 2 rounded half away from zero, from zero point -100 */
    m = build(one_op(EB_OP_RELU, EB_S8, 0.1, 3, 0.2, -100));
    cr_expect_eq(m->x[0].p.unary.table[3 + 128], -100);
    cr_expect_eq(m->x[0].p.unary.table[4 + 128], -100 + 1); /* 0.5 -> 1 */
    cr_expect_eq(m->x[0].p.unary.table[8 + 128], -100 + 3); /* 2.5 -> 3 */
    cr_expect_eq(m->x[0].p.unary.table[-50 + 128], -100);
    eb_model_free(m);
}

Test(activation_s8, logistic_and_tanh_tables)
{
    eb_model *m = build(one_op(EB_OP_LOGISTIC, EB_S8, 0.05, 3, 1.0 / 256, -128));
    const int8_t *t = m->x[0].p.unary.table;
    cr_expect_eq(t[3 + 128], 0, "logistic(0) = 0.5 = 128/256");
    for (int q = -127; q < 128; q++)
        cr_assert_geq(t[q + 128], t[q + 127], "monotone at %d", q);
    for (int q = -128; q < 128; q++) {
        double real = 256.0 / (1.0 + exp(-0.05 * (q - 3))) - 128;
        cr_assert(fabs(t[q + 128] - real) <= 0.5 + 1e-4 || t[q + 128] == 127, "%d: %d vs %g",
                  q, t[q + 128], real);
    }
    eb_model_free(m);
    m = build(one_op(EB_OP_TANH, EB_S8, 0.05, 0, 1.0 / 128, 0));
    t = m->x[0].p.unary.table;
    for (int q = -60; q <= 60; q++) /* (saturation makes -128 and 127 differ) */
        cr_assert_eq(t[q + 128], -t[-q + 128], "tanh is odd at %d", q);
    cr_expect_eq(t[128], 0);
    cr_expect_eq(t[127 + 128], 127); /* tanh(6.35) * 128, saturated */
    eb_model_free(m);
}

Test(activation_s8, hard_swish_within_a_step_of_the_real_value)
{
    kt_rng r = kt_seed(5);
    int exact = 0, total = 0;
    for (int k = 0; k < 200; k++) {
        double si = kt_uniform(&r, 0.005, 0.1), so = kt_uniform(&r, 0.01, 0.1);
        int32_t zi = kt_int(&r, -128, 127), zo = kt_int(&r, -128, 0);
        eb_model *m = build(one_op(EB_OP_HARD_SWISH, EB_S8, (float)si, zi, (float)so, zo));
        const int8_t *t = m->x[0].p.unary.table;
        for (int q = -128; q < 128; q++) {
            double x = (float)si * (q - zi);
            double hs = x * fmin(6, fmax(0, x + 3)) / 6;
            double want = fmin(127, fmax(-128, round(hs / (float)so) + zo));
            cr_assert(fabs(t[q + 128] - want) <= 1, "case %d x %d: %d vs %g", k, q,
                      t[q + 128], want);
            exact += t[q + 128] == want;
            total++;
            if (x <= -3.05)
                cr_assert_eq(t[q + 128], zo, "case %d: hard_swish(%g) is 0", k, x);
        }
        eb_model_free(m);
    }
    cr_expect(exact > total * 9 / 10, "%d of %d exact", exact, total);
}

Test(activation, graphs_run_quantize_and_survive_ebm)
{
    const eb_op_type ops[] = {EB_OP_RELU, EB_OP_RELU6, EB_OP_LOGISTIC, EB_OP_TANH,
                              EB_OP_HARD_SWISH};
    const char *names[] = {"relu", "relu6", "logistic", "tanh", "hard_swish"};
    for (int k = 0; k < 5; k++) {
        eb_graph *g = one_op(ops[k], EB_F32, 1, 0, 1, 0);
        char err[256] = "";
        cr_assert_eq(eb_quantize_graph(&g, NULL, true, err, sizeof err), EB_OK, "%s", err);
        if (ops[k] == EB_OP_LOGISTIC)
            cr_expect(g->t[1].scale == 1.0 / 256 && g->t[1].zp == -128);
        if (ops[k] == EB_OP_TANH)
            cr_expect(g->t[1].scale == 1.0 / 128 && g->t[1].zp == 0);
        eb_model *m = build(g);
        cr_assert_str_eq(m->x[0].type, names[k]);
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(eb_ebm_serialize(m->g, &buf, &len), EB_OK);
        eb_graph *g2 = NULL;
        cr_assert_eq(eb_ebm_parse(buf, len, &g2, err, sizeof err), EB_OK, "%s", err);
        free(buf);
        eb_model *m2 = build(g2);
        int8_t y[2][60];
        eb_model *ms[2] = {m, m2};
        for (int j = 0; j < 2; j++) {
            eb_context *c = NULL;
            cr_assert_eq(eb_context_create(ms[j], &c), EB_OK);
            eb_context_fill_input(c, 2);
            eb_context_run(c);
            memcpy(y[j], eb_context_output(c), 60);
            eb_context_free(c);
        }
        cr_assert(!memcmp(y[0], y[1], 60), "%s: the loaded model computes something else",
                  names[k]);
        eb_model_free(m2);
        eb_model_free(m);
    }
}

Test(activation, a_fused_activation_or_reshape_is_refused)
{
    eb_graph *g = one_op(EB_OP_TANH, EB_F32, 1, 0, 1, 0);
    g->op[0].act = EB_ACT_RELU;
    char err[256] = "";
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "tanh op 0 (act) has a bad shape or activation"), "%s", err);
    g->op[0].act = EB_ACT_NONE;
    g->t[1].c = 4;
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    eb_graph_free(g);
}

Test(activation, split_over_threads_equals_one_thread)
{
    for (int k = 0; k < 2; k++) {
        eb_graph *g = eb_graph_new(k ? EB_S8 : EB_F32);
        snprintf(g->name, sizeof g->name, "act_threads");
        int32_t x = eb_graph_add_tensor(g, 64, 64, 17), y = eb_graph_add_tensor(g, 64, 64, 17);
        g->input = x, g->output = y;
        g->t[x].scale = 0.05, g->t[x].zp = 3, g->t[y].scale = 0.04, g->t[y].zp = -20;
        eb_gop op;
        memset(&op, 0, sizeof op);
        op.type = EB_OP_HARD_SWISH;
        snprintf(op.name, sizeof op.name, "hs");
        op.in0 = x, op.in1 = -1, op.out = y;
        op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
        cr_assert_geq(eb_graph_add_op(g, &op), 0);
        eb_model *m = build(g);
        cr_assert_gt(eb_xop_parts(&m->x[0], 3), 1);
        static uint8_t y1[64 * 64 * 17 * 4], y3[64 * 64 * 17 * 4];
        for (int t = 1; t <= 3; t += 2) {
            eb_context *c = NULL;
            cr_assert_eq(eb_context_create_threads(m, t, &c), EB_OK);
            eb_context_fill_input(c, 5);
            eb_context_run(c);
            memcpy(t == 1 ? y1 : y3, eb_context_output(c), m->info.output_bytes);
            eb_context_free(c);
        }
        cr_assert(!memcmp(y1, y3, m->info.output_bytes), "3 threads differ from 1");
        eb_model_free(m);
    }
}
