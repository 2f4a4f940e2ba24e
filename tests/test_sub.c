/* test_sub.c - the elementwise SUB op: eb_sub_{f32,s8}_ref against hand-worked values and
 * a restatement of TFLite's integer SUB (its ADD with the second input's multiplier
 * negated); SUB in a graph, built, run by the executor, exported to .ebm and loaded back. */
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

Test(sub_f32_ref, hand_worked)
{
    const float a[5] = {1, -2.5f, 3, 4, 10}, b[5] = {2, 2, -1, 0.25f, 1};
    float y[5];
    eb_add_params p = {.size = 5, .act = EB_ACT_NONE};
    cr_assert_eq(eb_add_validate(&p), EB_OK);
    eb_sub_f32_ref(&p, a, b, y);
    const float want[5] = {-1, -4.5f, 4, 3.75f, 9};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(y[i], want[i], "at %d: %g", i, y[i]);
    p.act = EB_ACT_RELU6;
    eb_sub_f32_ref(&p, a, b, y);
    cr_expect(y[0] == 0 && y[1] == 0 && y[2] == 4 && y[3] == 3.75f && y[4] == 6);
}

Test(sub_s8_ref, hand_worked)
{
    /* a and b: scale 0.5, zero point 0; out: scale 0.5, zero point 10: out = 10 + a - b */
    eb_add_params p;
    cr_assert_eq(eb_add_s8_prepare(&p, 0.5, 0, 0.5, 0, 0.5, 10, EB_ACT_NONE), EB_OK);
    p.size = 5;
    cr_assert_eq(eb_add_validate(&p), EB_OK);
    const int8_t a[5] = {3, 0, -20, 100, -100}, b[5] = {1, 0, 20, -100, 100};
    int8_t y[5];
    eb_sub_s8_ref(&p, a, b, y);
    cr_expect_eq(y[0], 12);
    cr_expect_eq(y[1], 10);
    cr_expect_eq(y[2], -30);
    cr_expect_eq(y[3], 127);  /* 210, saturated */
    cr_expect_eq(y[4], -128); /* -190, saturated */
    cr_assert_eq(eb_add_s8_prepare(&p, 0.5, 0, 0.5, 0, 0.5, 10, EB_ACT_RELU), EB_OK);
    p.size = 5;
    eb_sub_s8_ref(&p, a, b, y);
    cr_expect(y[0] == 12 && y[2] == 10, "relu clamps at the output zero point");
}

/* TFLite's integer SUB (PrepareGeneralSubOp: ADD's parameters, input2's multiplier times
 * -1), restated with the test's own requantizer. */
static int32_t restated_sub(const eb_add_params *p, int32_t a, int32_t b)
{
    int32_t sa = kt_requant((a - p->a_zp) * (1 << p->left_shift), p->a_mult, p->a_shift);
    int32_t sb = kt_requant((b - p->b_zp) * (1 << p->left_shift), -p->b_mult, p->b_shift);
    return kt_clamp((int64_t)p->out_zp + kt_requant(sa + sb, p->out_mult, p->out_shift),
                    p->act_min, p->act_max);
}

Test(sub_s8_ref, random_scales_match_the_restated_arithmetic_and_the_real_difference)
{
    kt_rng r = kt_seed(41);
    for (int t = 0; t < 300; t++) {
        const double sa = kt_uniform(&r, 0.001, 0.2), sb = kt_uniform(&r, 0.001, 0.2);
        const double so = kt_uniform(&r, 0.002, 0.5);
        const int32_t az = kt_int(&r, -128, 127), bz = kt_int(&r, -128, 127);
        const int32_t oz = kt_int(&r, -128, 127);
        eb_add_params p;
        cr_assert_eq(eb_add_s8_prepare(&p, sa, az, sb, bz, so, oz, (eb_act)(t % 3)), EB_OK);
        enum { N = 40 };
        p.size = N;
        int8_t a[N], b[N], y[N];
        kt_fill_s8(&r, a, N, -128, 127);
        kt_fill_s8(&r, b, N, -128, 127);
        eb_sub_s8_ref(&p, a, b, y);
        for (int i = 0; i < N; i++) {
            cr_assert_eq(y[i], restated_sub(&p, a[i], b[i]), "case %d at %d", t, i);
            double real = (sa * (a[i] - az) - sb * (b[i] - bz)) / so + oz;
            if (real > p.act_min + 1 && real < p.act_max - 1)
                cr_assert(fabs(y[i] - real) <= 1.0, "case %d at %d: %d vs %.3f", t, i, y[i],
                          real);
        }
    }
}

/* input 3x4x5 -> maxpool 3x3 (same size) -> y = input - pooled */
static eb_graph *sub_graph(eb_dtype dt)
{
    eb_graph *g = eb_graph_new(dt);
    snprintf(g->name, sizeof g->name, "sub_test");
    int32_t x = eb_graph_add_tensor(g, 3, 4, 5), m = eb_graph_add_tensor(g, 3, 4, 5);
    int32_t y = eb_graph_add_tensor(g, 3, 4, 5);
    g->input = x;
    g->output = y;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_MAXPOOL;
    snprintf(op.name, sizeof op.name, "pool");
    op.in0 = x, op.in1 = -1, op.out = m;
    op.k_h = op.k_w = 3;
    op.stride_h = op.stride_w = 1;
    op.pad_top = op.pad_left = op.pad_bottom = op.pad_right = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    memset(&op, 0, sizeof op);
    op.type = EB_OP_SUB;
    snprintf(op.name, sizeof op.name, "diff");
    op.in0 = x, op.in1 = m, op.out = y;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    if (dt == EB_S8) {
        g->t[x].scale = 1.0 / 128, g->t[x].zp = 3;
        g->t[m].scale = 1.0 / 128, g->t[m].zp = 3;
        g->t[y].scale = 1.0 / 64, g->t[y].zp = 60;
    }
    return g;
}

static void run_sub(eb_model *m, void *out, size_t bytes)
{
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, 4);
    eb_context_run(c);
    memcpy(out, eb_context_output(c), bytes);
    eb_context_free(c);
}

Test(sub_graph, runs_in_a_graph_and_survives_ebm)
{
    for (int k = 0; k < 2; k++) {
        eb_dtype dt = k ? EB_S8 : EB_F32;
        eb_model *m = NULL;
        char err[256] = "";
        cr_assert_eq(eb_model_from_graph(sub_graph(dt), EB_KSET_AUTO, &m, err, sizeof err),
                     EB_OK, "%s", err);
        cr_assert_str_eq(m->x[1].type, "sub");
        cr_assert_str_eq(m->x[1].kernel, k ? "eb_sub_s8_ref" : "eb_sub_f32_ref");
        uint8_t y[240], y2[240];
        size_t bytes = 60 * eb_dtype_size(dt);
        run_sub(m, y, bytes);
        eb_context *c = NULL;
        cr_assert_eq(eb_context_create(m, &c), EB_OK);
        eb_context_fill_input(c, 4);
        const void *x = eb_context_input(c);
        for (int i = 0; i < 60; i++) {
            int yy = i / 20, xx = (i / 5) % 4, ch = i % 5;
            double mf = -1e9;
            int32_t mq = -128;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int py = yy + dy, px = xx + dx;
                    if (py < 0 || py > 2 || px < 0 || px > 3)
                        continue;
                    int j = (py * 4 + px) * 5 + ch;
                    if (dt == EB_F32 && ((const float *)x)[j] > mf)
                        mf = ((const float *)x)[j];
                    if (dt == EB_S8 && ((const int8_t *)x)[j] > mq)
                        mq = ((const int8_t *)x)[j];
                }
            if (dt == EB_F32) {
                float v = ((const float *)y)[i], want = ((const float *)x)[i] - (float)mf;
                cr_assert_eq(v, want, "[%d] %g, want %g", i, v, want);
            } else {
                int8_t v = ((const int8_t *)y)[i];
                int32_t want = restated_sub(&m->x[1].p.add, ((const int8_t *)x)[i], mq);
                cr_assert_eq(v, want, "[%d] %d, want %d", i, v, want);
            }
        }
        eb_context_free(c);
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(eb_ebm_serialize(m->g, &buf, &len), EB_OK);
        eb_graph *g2 = NULL;
        cr_assert_eq(eb_ebm_parse(buf, len, &g2, err, sizeof err), EB_OK, "%s", err);
        free(buf);
        eb_model *m2 = NULL;
        cr_assert_eq(eb_model_from_graph(g2, EB_KSET_REF, &m2, err, sizeof err), EB_OK, "%s",
                     err);
        run_sub(m2, y2, bytes);
        cr_assert(!memcmp(y, y2, bytes), "the loaded model computes something else");
        eb_model_free(m2);
        eb_model_free(m);
    }
}

Test(sub_graph, mismatched_shapes_are_refused)
{
    eb_graph *g = sub_graph(EB_F32);
    g->t[2].c = 4;
    char err[256] = "";
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "sub op 1 (diff) has mismatched shapes") != NULL, "%s", err);
    eb_graph_free(g);
}

/* .ebm: a file with an op type after MUL is version 3; an older version cannot hold one */
Test(sub_graph, ebm_version_3_for_the_new_op_types)
{
    eb_graph *g = sub_graph(EB_F32);
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(eb_ebm_serialize(g, &buf, &len), EB_OK);
    cr_expect_eq(buf[4], 3, "written as version %d", buf[4]);
    buf[4] = 2; /* the same file claiming version 2, its CRC recomputed */
    uint32_t crc = eb_ebm_crc32(buf, len - 4);
    for (int i = 0; i < 4; i++)
        buf[len - 4 + i] = (uint8_t)(crc >> (8 * i));
    eb_graph *g2 = NULL;
    char err[256] = "";
    cr_assert_eq(eb_ebm_parse(buf, len, &g2, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "op 1 has type 10, which version 2 files do not have"), "%s", err);
    free(buf);
    g->op[1].type = EB_OP_ADD; /* an add instead: nothing of version 3 */
    cr_assert_eq(eb_ebm_serialize(g, &buf, &len), EB_OK);
    cr_expect_eq(buf[4], 1);
    free(buf);
    eb_graph_free(g);
}
