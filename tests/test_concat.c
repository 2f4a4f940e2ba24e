/* test_concat.c - the concat op: eb_concat_{f32,s8}_ref on hand-worked rows (int8: a
 * copied and a requantized input), the axis read from the shapes, int8 post-training
 * quantization of a graph joining differently quantized tensors, threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_gop.h"
#include "eb_model_internal.h"
#include "eb_quant.h"

Test(concat_ref, rows_of_both_inputs)
{
    const float a[4] = {1, 2, 3, 4}, b[6] = {10, 11, 12, 13, 14, 15};
    float y[10];
    eb_concat_params p = {.outer = 2, .a_inner = 2, .b_inner = 3};
    cr_assert_eq(eb_concat_validate(&p), EB_OK);
    eb_concat_f32_ref(&p, a, b, y);
    const float want[10] = {1, 2, 10, 11, 12, 3, 4, 13, 14, 15};
    cr_assert(!memcmp(y, want, sizeof want));
    /* int8: a copied, b (scale 0.5 zp 4 onto scale 0.25 zp -2) requantized: -2 + 2 (b - 4) */
    const int8_t qa[4] = {-128, 0, 5, 127}, qb[6] = {4, 5, 3, 100, -128, 70};
    int8_t qy[10];
    p.b_requant = 1, p.b_zp = 4, p.out_zp = -2;
    cr_assert_eq(eb_quantize_multiplier(2.0, &p.b_mult, &p.b_shift), EB_OK);
    cr_assert_eq(eb_concat_validate(&p), EB_OK);
    eb_concat_s8_ref(&p, qa, qb, qy);
    const int8_t qwant[10] = {-128, 0, -2, 0, -4, 5, 127, 127, -128, 127};
    for (int i = 0; i < 10; i++)
        cr_expect_eq(qy[i], qwant[i], "[%d] %d, want %d", i, qy[i], qwant[i]);
    p.b_inner = 0;
    cr_expect_eq(eb_concat_validate(&p), EB_ERR_ARG);
}

/* x (h x w x c) -> relu -> y = concat(x, relu(x)) with y's shape given */
static eb_graph *graph(int32_t h, int32_t w, int32_t c, int32_t yh, int32_t yw, int32_t yc)
{
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "concat_test");
    int32_t x = eb_graph_add_tensor(g, h, w, c), r = eb_graph_add_tensor(g, h, w, c);
    int32_t y = eb_graph_add_tensor(g, yh, yw, yc);
    g->input = x;
    g->output = y;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    op.type = EB_OP_RELU;
    snprintf(op.name, sizeof op.name, "relu");
    op.in0 = x, op.in1 = -1, op.out = r;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    op.type = EB_OP_CONCAT;
    snprintf(op.name, sizeof op.name, "join");
    op.in0 = x, op.in1 = r, op.out = y;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    return g;
}

static void run(eb_model *m, int threads, void *out)
{
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create_threads(m, threads, &c), EB_OK);
    eb_context_fill_input(c, 1);
    eb_context_run(c);
    memcpy(out, eb_context_output(c), m->info.output_bytes);
    eb_context_free(c);
}

Test(concat_graph, every_axis_from_the_shapes)
{
    const int32_t shapes[3][3] = {{6, 4, 5}, {3, 8, 5}, {3, 4, 10}}; /* h, w, c */
    for (int ax = 0; ax < 3; ax++) {
        eb_model *m = NULL;
        char err[256] = "";
        eb_graph *g = graph(3, 4, 5, shapes[ax][0], shapes[ax][1], shapes[ax][2]);
        cr_assert_eq(eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s",
                     err);
        cr_assert_str_eq(m->x[1].type, "concat");
        float y[120];
        run(m, 1, y);
        eb_context *c = NULL;
        cr_assert_eq(eb_context_create(m, &c), EB_OK);
        eb_context_fill_input(c, 1);
        const float *x = eb_context_input(c);
        for (int i = 0; i < 60; i++) {
            int hh = i / 20, ww = (i / 5) % 4, cc = i % 5;
            int a[3] = {hh, ww, cc}, b[3] = {hh, ww, cc};
            b[ax] += ax == 0 ? 3 : ax == 1 ? 4 : 5;
            int ia = (a[0] * shapes[ax][1] + a[1]) * shapes[ax][2] + a[2];
            int ib = (b[0] * shapes[ax][1] + b[1]) * shapes[ax][2] + b[2];
            cr_assert_eq(y[ia], x[i], "axis %d [%d]", ax, i);
            cr_assert_eq(y[ib], x[i] > 0 ? x[i] : 0, "axis %d [%d]", ax, i);
        }
        eb_context_free(c);
        eb_model_free(m);
    }
    eb_graph *g = graph(3, 4, 5, 3, 4, 9);
    char err[256] = "";
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "concat op 1 (join) output is not its inputs joined"), "%s", err);
    eb_graph_free(g);
}

Test(concat_graph, int8_quantization_requantizes_and_threads_agree)
{
    /* x in [-1, 1) and relu(x) in [0, 1) get different scales; the output covers both */
    eb_graph *g = graph(32, 32, 24, 32, 32, 48);
    char err[256] = "";
    cr_assert_eq(eb_quantize_graph(&g, NULL, true, err, sizeof err), EB_OK, "%s", err);
    cr_assert(g->t[1].scale != g->t[2].scale || g->t[1].zp != g->t[2].zp);
    eb_model *m = NULL;
    cr_assert_eq(eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s", err);
    const eb_concat_params *p = &m->x[1].p.concat;
    cr_assert(p->a_requant || p->b_requant, "one input is requantized");
    static int8_t y1[32 * 32 * 48], y3[32 * 32 * 48];
    run(m, 1, y1);
    run(m, 3, y3);
    cr_assert(!memcmp(y1, y3, sizeof y1), "3 threads differ from 1");
    /* dequantized, the output is x then relu(x) within a step of the output scale */
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, 1);
    const int8_t *x = eb_context_input(c);
    const eb_gtensor *tx = &m->g->t[0], *ty = &m->g->t[2];
    for (int px = 0; px < 32 * 32; px++)
        for (int k = 0; k < 24; k++) {
            double xv = tx->scale * (x[px * 24 + k] - tx->zp);
            double a = ty->scale * (y1[px * 48 + k] - ty->zp);
            double b = ty->scale * (y1[px * 48 + 24 + k] - ty->zp);
            cr_assert(fabs(a - xv) <= ty->scale * 1.01, "px %d ch %d", px, k);
            cr_assert(fabs(b - (xv > 0 ? xv : 0)) <= ty->scale * 1.01 + tx->scale, "px %d ch %d",
                      px, k);
        }
    eb_context_free(c);
    eb_model_free(m);
}
