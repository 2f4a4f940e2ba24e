/* fuzz_ebm.c - the .ebm model loader (models/ebm.c) and what a loaded file is used for:
 * the graph checks, building the model (planner, packing, requantization) and, when the
 * model is small, one inference. A real file needs its size field and CRC-32 right, so
 * the target fixes both before parsing: mutations reach the structural checks instead
 * of stopping at the checksum (the CRC itself is covered by tests/test_ebm.c).
 * Invariant: a file that loads serializes to a file that loads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model.h"
#include "eb_model_internal.h"

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (4u << 20))
        return 0;
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    if (size >= 292 && !memcmp(b, "EBMF", 4)) {
        put_u32(b + 16, (uint32_t)size);
        put_u32(b + 20, 0);
        put_u32(b + size - 4, eb_ebm_crc32(b, size - 4));
    }
    eb_graph *g = NULL;
    char err[512] = "";
    if (eb_ebm_parse(b, size, &g, err, sizeof err) != EB_OK) {
        if (g || !err[0])
            __builtin_trap(); /* a refusal leaves nothing and says why */
        free(b);
        return 0;
    }
    /* what was loaded saves, and loads again */
    uint8_t *again;
    size_t alen;
    if (eb_ebm_serialize(g, &again, &alen) != EB_OK)
        __builtin_trap();
    eb_graph *g2 = NULL;
    if (eb_ebm_parse(again, alen, &g2, err, sizeof err) != EB_OK)
        __builtin_trap();
    eb_graph_free(g2);
    free(again);
    uint64_t work = 0;
    for (int32_t i = 0; i < g->nops; i++)
        work += eb_gop_work(g, &g->op[i]);
    eb_model *m = NULL;
    if (eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err) == EB_OK) {
        const eb_model_info *info = eb_model_get_info(m);
        eb_context *c = NULL;
        if (work <= 4000000 && info->arena_bytes + info->scratch_bytes <= (64u << 20) &&
            eb_context_create(m, &c) == EB_OK) {
            eb_context_fill_input(c, 0);
            eb_context_run(c);
            eb_context_free(c);
        }
        eb_model_free(m);
    }
    free(b);
    return 0;
}
