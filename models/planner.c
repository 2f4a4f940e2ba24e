/* planner.c - places every activation tensor in one arena from its lifetime.
 *
 * Greedy by size, as TFLite Micro's GreedyMemoryPlanner: tensors are taken largest
 * first and each goes to the lowest offset where it overlaps no already placed tensor
 * whose lifetime intersects its own. A second order (by first use) is tried too and
 * the smaller arena kept; both are cheap for graphs of a few hundred tensors. */
#include <stdlib.h>
#include <string.h>

#include "eb_graph.h"

static int cmp_by_size(const eb_gtensor *a, const eb_gtensor *b, int ia, int ib)
{
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return ia < ib ? -1 : (ia > ib);
}

static int cmp_by_first(const eb_gtensor *a, const eb_gtensor *b, int ia, int ib)
{
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return cmp_by_size(a, b, ia, ib);
}

/* Insertion sort of indices: n is small and the sort must be deterministic. */
static void sort_order(const eb_graph *g, int32_t *idx, int by_size)
{
    for (int32_t i = 1; i < g->nt; i++) {
        int32_t v = idx[i], j = i - 1;
        while (j >= 0) {
            const eb_gtensor *a = &g->t[v], *b = &g->t[idx[j]];
            int c = by_size ? cmp_by_size(a, b, v, idx[j]) : cmp_by_first(a, b, v, idx[j]);
            if (c >= 0)
                break;
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
}

static bool live_overlap(const eb_gtensor *a, const eb_gtensor *b)
{
    return a->first <= b->last && b->first <= a->last;
}

/* Places tensors in the given order; writes offsets into off[] and returns the arena. */
static uint64_t place(const eb_graph *g, const int32_t *order, uint64_t *off, int32_t *placed,
                      int32_t *cand)
{
    uint64_t arena = 0;
    int32_t np = 0;
    for (int32_t k = 0; k < g->nt; k++) {
        int32_t ti = order[k];
        const eb_gtensor *t = &g->t[ti];
        /* conflicting tensors, by offset */
        int32_t nc = 0;
        for (int32_t j = 0; j < np; j++) {
            if (!live_overlap(t, &g->t[placed[j]]))
                continue;
            int32_t v = placed[j], p = nc++;
            while (p > 0 && off[cand[p - 1]] > off[v]) {
                cand[p] = cand[p - 1];
                p--;
            }
            cand[p] = v;
        }
        uint64_t at = 0;
        for (int32_t j = 0; j < nc; j++) {
            int32_t v = cand[j];
            if (off[v] >= at + t->size)
                break; /* fits in the gap below v */
            if (off[v] + g->t[v].size > at)
                at = off[v] + g->t[v].size;
        }
        off[ti] = at;
        placed[np++] = ti;
        if (at + t->size > arena)
            arena = at + t->size;
    }
    return arena;
}

void eb_plan_arena(eb_graph *g, uint64_t *arena_bytes, uint64_t *lower_bound)
{
    size_t esz = eb_dtype_size(g->dtype);
    for (int32_t i = 0; i < g->nt; i++) {
        eb_gtensor *t = &g->t[i];
        uint64_t bytes = (uint64_t)eb_gtensor_elems(t) * esz;
        t->size = (bytes + EB_ARENA_ALIGN - 1) / EB_ARENA_ALIGN * EB_ARENA_ALIGN;
        t->first = t->last = -1;
        t->offset = 0;
    }
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        int32_t ins[2] = {op->in0, op->in1};
        for (int k = 0; k < 2; k++) {
            if (ins[k] < 0)
                continue;
            eb_gtensor *t = &g->t[ins[k]];
            if (t->first < 0)
                t->first = i;
            t->last = i;
        }
        eb_gtensor *o = &g->t[op->out];
        if (o->first < 0)
            o->first = i;
        if (o->last < i)
            o->last = i;
    }
    g->t[g->input].first = 0;
    g->t[g->input].last = g->nops - 1;
    g->t[g->output].last = g->nops - 1;

    uint64_t lb = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        uint64_t sum = 0;
        for (int32_t j = 0; j < g->nt; j++)
            if (g->t[j].first <= i && i <= g->t[j].last)
                sum += g->t[j].size;
        if (sum > lb)
            lb = sum;
    }

    size_t n = (size_t)g->nt;
    int32_t *order = malloc(n * sizeof *order), *placed = malloc(n * sizeof *placed);
    int32_t *cand = malloc(n * sizeof *cand);
    uint64_t *off = calloc(n, sizeof *off), *best = calloc(n, sizeof *best);
    uint64_t arena = 0;
    if (!order || !placed || !cand || !off || !best) {
        /* No memory for planning: fall back to no reuse at all (still correct). */
        for (int32_t i = 0; i < g->nt; i++) {
            g->t[i].offset = arena;
            arena += g->t[i].size;
        }
    } else {
        arena = UINT64_MAX;
        for (int pass = 0; pass < 2; pass++) {
            for (int32_t i = 0; i < g->nt; i++)
                order[i] = i;
            sort_order(g, order, pass == 0);
            uint64_t a = place(g, order, off, placed, cand);
            if (a < arena) {
                arena = a;
                memcpy(best, off, n * sizeof *off);
            }
        }
        for (int32_t i = 0; i < g->nt; i++)
            g->t[i].offset = best[i];
    }
    free(order);
    free(placed);
    free(cand);
    free(off);
    free(best);
    *arena_bytes = arena;
    *lower_bound = lb;
}
