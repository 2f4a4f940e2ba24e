/* test_planner.c - the arena planner: within 10 % of the lower bound on every zoo model,
 * never two simultaneously live tensors in the same bytes, and exact on small graphs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "eb_model.h"
#include "eb_model_internal.h"

/* Checks a planned graph: alignment, no overlap of live tensors, arena big enough,
 * and the lower bound recomputed independently. */
static void check_plan(const eb_graph *g, uint64_t arena, uint64_t lb, const char *what)
{
    uint64_t my_lb = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        uint64_t sum = 0;
        for (int32_t t = 0; t < g->nt; t++)
            if (g->t[t].first <= i && i <= g->t[t].last)
                sum += g->t[t].size;
        if (sum > my_lb)
            my_lb = sum;
    }
    cr_assert_eq(lb, my_lb, "%s: lower bound %llu, recomputed %llu", what,
                 (unsigned long long)lb, (unsigned long long)my_lb);
    for (int32_t a = 0; a < g->nt; a++) {
        const eb_gtensor *ta = &g->t[a];
        cr_assert_eq(ta->offset % EB_ARENA_ALIGN, 0, "%s: tensor %d misaligned", what, a);
        cr_assert(ta->size >= (uint64_t)eb_gtensor_elems(ta) * eb_dtype_size(g->dtype));
        cr_assert(ta->offset + ta->size <= arena, "%s: tensor %d past the arena", what, a);
        cr_assert(ta->first >= 0 && ta->last >= ta->first, "%s: tensor %d lifetime", what,
                  a);
        for (int32_t b = a + 1; b < g->nt; b++) {
            const eb_gtensor *tb = &g->t[b];
            bool live_together = ta->first <= tb->last && tb->first <= ta->last;
            bool overlap = ta->offset < tb->offset + tb->size &&
                           tb->offset < ta->offset + ta->size;
            cr_assert(!(live_together && overlap),
                      "%s: tensors %d [%d,%d] and %d [%d,%d] share bytes", what, a,
                      ta->first, ta->last, b, tb->first, tb->last);
        }
    }
    /* the lifetimes themselves: every op's inputs and output live during it */
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        int32_t ts[3] = {op->in0, op->in1, op->out};
        for (int k = 0; k < 3; k++)
            if (ts[k] >= 0)
                cr_assert(g->t[ts[k]].first <= i && i <= g->t[ts[k]].last,
                          "%s: tensor %d not live at op %d", what, ts[k], i);
    }
    cr_assert(g->t[g->input].first == 0 && g->t[g->input].last == g->nops - 1,
              "%s: the input must stay intact for the whole run", what);
}

Test(planner, every_zoo_graph_within_10_percent_and_no_overlap)
{
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    const char *variants[] = {"", "c50"};
    for (size_t i = 0; i < na; i++) {
        for (int v = 0; v < 2; v++) {
            eb_graph *g;
            cr_assert_eq(eb_zoo_build_graph(archs[i], &g), EB_OK);
            if (v == 1)
                cr_assert_eq(eb_prune_channels(&g, 50), EB_OK);
            uint64_t arena, lb;
            eb_plan_arena(g, &arena, &lb);
            char what[96];
            snprintf(what, sizeof what, "%s %s", archs[i], variants[v]);
            check_plan(g, arena, lb, what);
            cr_expect(arena <= lb + lb / 10, "%s: arena %llu > 1.1 x lower bound %llu", what,
                      (unsigned long long)arena, (unsigned long long)lb);
            eb_graph_free(g);
        }
    }
}

Test(planner, reported_by_every_variant)
{
    const char *const *names;
    size_t n = eb_zoo_names(&names);
    for (size_t i = 0; i < n; i++) {
        eb_model_info info;
        char err[256];
        eb_model_options o = {EB_KSET_REF, NULL};
        cr_assert_eq(eb_model_describe(names[i], &o, &info, err, sizeof err), EB_OK, "%s",
                     err);
        cr_expect(info.arena_bytes >= info.arena_lower_bound, "%s", names[i]);
        cr_expect(info.arena_bytes <= info.arena_lower_bound * 11 / 10, "%s: %llu vs %llu",
                  names[i], (unsigned long long)info.arena_bytes,
                  (unsigned long long)info.arena_lower_bound);
        /* an arena no bigger than the input and output together cannot be right */
        cr_expect(info.arena_bytes >= info.input_bytes + info.output_bytes, "%s", names[i]);
    }
}

/* A hand-made graph: in(1000 B) -> a(2000) -> b(500) -> add(b, a') ... checks exact
 * lifetimes, the bound and the reuse of dead space. fp32 sizes: elems * 4. */
static int32_t add_unary(eb_graph *g, eb_op_type type, int32_t in, int32_t c)
{
    int32_t t = eb_graph_add_tensor(g, 1, 1, c);
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = type;
    op.in0 = in;
    op.in1 = -1;
    op.out = t;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    eb_graph_add_op(g, &op);
    return t;
}

Test(planner, small_chain_with_residual)
{
    eb_graph *g = eb_graph_new(EB_F32);
    int32_t x = eb_graph_add_tensor(g, 1, 1, 64); /* 256 B */
    g->input = x;
    int32_t a = add_unary(g, EB_OP_FC, x, 512);    /* op 0: 2048 B */
    int32_t b = add_unary(g, EB_OP_FC, a, 256);    /* op 1: 1024 B */
    int32_t c = add_unary(g, EB_OP_FC, b, 256);    /* op 2: 1024 B, b dies after op 3 */
    int32_t s = eb_graph_add_tensor(g, 1, 1, 256); /* op 3: add(b, c) */
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_ADD;
    op.in0 = b;
    op.in1 = c;
    op.out = s;
    eb_graph_add_op(g, &op);
    int32_t y = add_unary(g, EB_OP_FC, s, 16); /* op 4: 64 B */
    g->output = y;
    uint64_t arena, lb;
    eb_plan_arena(g, &arena, &lb);
    check_plan(g, arena, lb, "chain");
    cr_expect_eq(g->t[b].first, 1);
    cr_expect_eq(g->t[b].last, 3, "b feeds the residual add at op 3");
    cr_expect_eq(g->t[a].last, 1);
    cr_expect_eq(g->t[y].last, 4);
    /* live sets: op0 {x,a}=2304, op1 {x,a,b}=3328, op2 {x,b,c}=2304, op3 {x,b,c,s}=3328 */
    cr_expect_eq(lb, 3328);
    cr_expect_eq(arena, 3328, "greedy by size is optimal here, got %llu",
                 (unsigned long long)arena);
    eb_graph_free(g);
}
