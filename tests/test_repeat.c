/* test_repeat.c - the channel repeat (depth multipliers): eb_repeat_{f32,s8}_ref on
 * hand-worked values, the graph op's check, and a repeat split over threads. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_gop.h"
#include "eb_model_internal.h"

Test(repeat_ref, each_channel_in_place)
{
    const float x[4] = {1, 2, 3, 4}; /* 2 pixels x 2 channels */
    float y[12];
    eb_repeat_params p = {2, 2, 3};
    cr_assert_eq(eb_repeat_validate(&p), EB_OK);
    eb_repeat_f32_ref(&p, x, y);
    const float want[12] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4};
    cr_assert(!memcmp(y, want, sizeof want));
    const int8_t q[4] = {-128, 5, 0, 127};
    int8_t qy[12];
    eb_repeat_s8_ref(&p, q, qy);
    const int8_t qwant[12] = {-128, -128, -128, 5, 5, 5, 0, 0, 0, 127, 127, 127};
    cr_assert(!memcmp(qy, qwant, sizeof qwant));
    p.times = 0;
    cr_expect_eq(eb_repeat_validate(&p), EB_ERR_ARG);
}

static eb_graph *graph(int32_t c, int32_t oc)
{
    eb_graph *g = eb_graph_new(EB_S8);
    snprintf(g->name, sizeof g->name, "repeat_test");
    int32_t x = eb_graph_add_tensor(g, 40, 40, c), y = eb_graph_add_tensor(g, 40, 40, oc);
    g->input = x, g->output = y;
    g->t[x].scale = g->t[y].scale = 0.1;
    g->t[x].zp = g->t[y].zp = 7;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_REPEAT;
    snprintf(op.name, sizeof op.name, "rep");
    op.in0 = x, op.in1 = -1, op.out = y;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    return g;
}

Test(repeat_graph, threads_and_refusals)
{
    eb_model *m = NULL;
    char err[256] = "";
    cr_assert_eq(eb_model_from_graph(graph(9, 27), EB_KSET_AUTO, &m, err, sizeof err), EB_OK,
                 "%s", err);
    cr_assert_str_eq(m->x[0].type, "repeat");
    cr_assert_eq(m->x[0].p.repeat.times, 3);
    cr_assert_gt(eb_xop_parts(&m->x[0], 3), 1);
    static int8_t y1[40 * 40 * 27], y3[40 * 40 * 27];
    for (int t = 1; t <= 3; t += 2) {
        eb_context *c = NULL;
        cr_assert_eq(eb_context_create_threads(m, t, &c), EB_OK);
        eb_context_fill_input(c, 2);
        eb_context_run(c);
        memcpy(t == 1 ? y1 : y3, eb_context_output(c), sizeof y1);
        if (t == 1) {
            const int8_t *x = eb_context_input(c);
            for (int i = 0; i < 40 * 40 * 27; i++)
                cr_assert_eq(y1[i], x[(i / 27) * 9 + (i % 27) / 3], "[%d]", i);
        }
        eb_context_free(c);
    }
    cr_assert(!memcmp(y1, y3, sizeof y1), "3 threads differ from 1");
    eb_model_free(m);
    eb_graph *g = graph(9, 26);
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "repeat op 0 (rep) output is not its input's channels repeated"), "%s",
              err);
    eb_graph_free(g);
}
