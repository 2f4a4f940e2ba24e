/* test_mean.c - the mean op: eb_mean_s8_ref (TFLite's reference integer Mean) on
 * hand-worked values, the difference from the global pool's arithmetic, the graph op. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "eb_dispatch.h"
#include "eb_gop.h"
#include "eb_model_internal.h"
#include "eb_quant.h"

Test(mean_s8_ref, hand_worked)
{
    /* 2x2x1, in zp 1, in/out = 1: sums -> requantize (x1) -> / 4 half away from zero */
    eb_gap_params p = {.batch = 1, .h = 2, .w = 2, .c = 1, .in_zp = 1, .out_zp = -3,
                       .act_min = -128, .act_max = 127};
    cr_assert_eq(eb_quantize_multiplier(1.0, &p.mult, &p.shift), EB_OK);
    cr_assert_eq(eb_gap_validate(&p), EB_OK);
    int8_t y;
    const int8_t a[4] = {3, 4, 1, 1}; /* sum 5 -> 1.25 -> 1 */
    eb_mean_s8_ref(&p, a, &y);
    cr_expect_eq(y, -2);
    const int8_t b[4] = {3, 4, 2, 1}; /* sum 6 -> 1.5 -> 2 */
    eb_mean_s8_ref(&p, b, &y);
    cr_expect_eq(y, -1);
    const int8_t c[4] = {-1, -2, 1, 1}; /* sum -5 -> -1.25 -> -1 */
    eb_mean_s8_ref(&p, c, &y);
    cr_expect_eq(y, -4);
    const int8_t d[4] = {-1, -1, 1, 1}; /* sum -4 -> -1 */
    eb_mean_s8_ref(&p, d, &y);
    cr_expect_eq(y, -4);
    /* in/out = 0.5: the requantization rounds first (sum 6 -> 3 -> 0.75 -> 1) */
    cr_assert_eq(eb_quantize_multiplier(0.5, &p.mult, &p.shift), EB_OK);
    eb_mean_s8_ref(&p, b, &y);
    cr_expect_eq(y, -2);
}

Test(mean_graph, keeps_channels_and_refuses_other_shapes)
{
    eb_graph *g = eb_graph_new(EB_S8);
    snprintf(g->name, sizeof g->name, "mean_test");
    int32_t x = eb_graph_add_tensor(g, 5, 3, 7), y = eb_graph_add_tensor(g, 1, 1, 7);
    g->input = x, g->output = y;
    g->t[x].scale = 0.1, g->t[x].zp = 4;
    g->t[y].scale = 0.05, g->t[y].zp = -9;
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_MEAN;
    snprintf(op.name, sizeof op.name, "mean");
    op.in0 = x, op.in1 = -1, op.out = y;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    cr_assert_geq(eb_graph_add_op(g, &op), 0);
    eb_graph *bad = eb_graph_clone(g);
    bad->t[1].c = 6;
    char err[256] = "";
    cr_assert_neq(eb_graph_check(bad, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "mean op 0 (mean) output is not 1x1xC"), "%s", err);
    eb_graph_free(bad);
    eb_model *m = NULL;
    cr_assert_eq(eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s", err);
    cr_assert_str_eq(m->x[0].type, "mean");
    cr_assert_str_eq(m->x[0].kernel, "eb_mean_s8_ref");
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, 0);
    eb_context_run(c);
    const int8_t *in = eb_context_input(c), *out = eb_context_output(c);
    for (int ch = 0; ch < 7; ch++) {
        int32_t sum = 0;
        for (int i = 0; i < 15; i++)
            sum += in[i * 7 + ch] - 4;
        int32_t acc = sum * 2; /* in/out = 2 exactly */
        acc = acc > 0 ? (acc + 7) / 15 : (acc - 7) / 15;
        cr_expect_eq(out[ch], acc - 9, "channel %d", ch);
    }
    eb_context_free(c);
    eb_model_free(m);
}
