/* test_pad.c - the pad op: eb_pad_{f32,s8}_ref on hand-worked tensors, the graph op's
 * check and int8 rule (the zero point, the input's quantization), and a padded tensor
 * split over threads equal to one thread. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_gop.h"
#include "eb_model_internal.h"

Test(pad_ref, hand_worked)
{
    /* 2x2x1 padded t1 l0 b0 r2 -> 3x4x1 */
    const float x[4] = {1, 2, 3, 4};
    float y[12];
    eb_pad_params p = {.in_h = 2, .in_w = 2, .c = 1, .pad_top = 1, .pad_right = 2,
                       .value = 0.0f};
    cr_assert_eq(eb_pad_validate(&p), EB_OK);
    eb_pad_f32_ref(&p, x, y);
    const float want[12] = {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0};
    cr_assert(!memcmp(y, want, sizeof want));
    const int8_t q[4] = {-1, 2, -3, 4};
    int8_t qy[12];
    p.qvalue = 9;
    eb_pad_s8_ref(&p, q, qy);
    const int8_t qwant[12] = {9, 9, 9, 9, -1, 2, 9, 9, -3, 4, 9, 9};
    cr_assert(!memcmp(qy, qwant, sizeof qwant));
    p.pad_left = -1;
    cr_expect_eq(eb_pad_validate(&p), EB_ERR_ARG);
}

static eb_graph *graph(eb_dtype dt, int32_t h, int32_t w, int32_t c, int32_t t, int32_t l,
                       int32_t b, int32_t r)
{
    eb_graph *g = eb_graph_new(dt);
    snprintf(g->name, sizeof g->name, "pad_test");
    int32_t x = eb_graph_add_tensor(g, h, w, c), y = eb_graph_add_tensor(g, h + t + b, w + l + r, c);
    g->input = x;
    g->output = y;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_PAD;
    snprintf(op.name, sizeof op.name, "pad");
    op.in0 = x, op.in1 = -1, op.out = y;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    op.pad_top = t, op.pad_left = l, op.pad_bottom = b, op.pad_right = r;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    g->t[x].scale = g->t[y].scale = 0.1;
    g->t[x].zp = g->t[y].zp = -20;
    return g;
}

static void run(eb_model *m, int threads, void *out)
{
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create_threads(m, threads, &c), EB_OK);
    eb_context_fill_input(c, 3);
    eb_context_run(c);
    memcpy(out, eb_context_output(c), m->info.output_bytes);
    eb_context_free(c);
}

Test(pad_graph, threads_split_rows_exactly)
{
    for (int k = 0; k < 2; k++) {
        eb_dtype dt = k ? EB_S8 : EB_F32;
        eb_model *m = NULL;
        char err[256] = "";
        cr_assert_eq(eb_model_from_graph(graph(dt, 40, 30, 33, 3, 1, 5, 2), EB_KSET_AUTO, &m,
                                         err, sizeof err),
                     EB_OK, "%s", err);
        cr_assert_str_eq(m->x[0].type, "pad");
        if (dt == EB_S8)
            cr_assert_eq(m->x[0].p.pad.qvalue, -20, "int8 pads with the zero point");
        cr_assert_gt(eb_xop_parts(&m->x[0], 3), 1, "big enough to split");
        static uint8_t y1[48 * 33 * 33 * 4], y3[48 * 33 * 33 * 4];
        size_t bytes = m->info.output_bytes;
        cr_assert_leq(bytes, sizeof y1);
        run(m, 1, y1);
        memset(y3, 0x5a, bytes);
        run(m, 3, y3);
        cr_assert(!memcmp(y1, y3, bytes), "%s: 3 threads differ from 1", k ? "int8" : "fp32");
        eb_model_free(m);
    }
}

Test(pad_graph, wrong_shapes_and_quantization_are_refused)
{
    eb_graph *g = graph(EB_F32, 3, 4, 5, 1, 0, 0, 0);
    g->t[1].h = 5; /* not 3 + 1 */
    char err[256] = "";
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "pad op 0 (pad) output is not its input padded by t1 l0 b0 r0"), "%s",
              err);
    eb_graph_free(g);
    g = graph(EB_S8, 3, 4, 5, 1, 0, 0, 0);
    g->t[1].zp = 0;
    eb_model *m = NULL;
    cr_assert_neq(eb_model_from_graph(g, EB_KSET_REF, &m, err, sizeof err), EB_OK);
}
