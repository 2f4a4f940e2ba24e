/* fuzz_onnx.c - libFuzzer target for the .onnx reader and importer (models/onnx_load.c,
 * onnx_import.c): the bounded wire walk, protobuf-c's unpacking of the generated schema,
 * and the import of whatever unpacks (with the mapping log written, so its printing runs
 * too). External data is refused (no folder). A graph the importer accepts is prepared
 * for the ref kernels and, when small, run once on a zero input. Refusals must leave no
 * graph and one sentence. Seeds: fuzz/onnx_seeds.c (tests/onnx_builder.h models).
 *
 * By hand (see scripts/fuzz.sh):
 *   build-fuzz/fuzz/fuzz_onnx -max_len=200000 -timeout=10 build-fuzz/fuzz/seeds/onnx
 * In a build without ONNX support (no protobuf-c) this target does nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eb_model_internal.h"
#ifdef EB_HAVE_ONNX
#include "eb_onnx.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef EB_HAVE_ONNX
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    eb_graph *g = (eb_graph *)1;
    char err[512] = "";
    eb_status st = eb_onnx_import_buffer(data, size, NULL, "fuzz.onnx", sink, &g, err, sizeof err);
    if (st != EB_OK) {
        if (g || !err[0] || strchr(err, '\n'))
            __builtin_trap(); /* a refusal leaves no graph and one sentence */
        return 0;
    }
    eb_model *em = NULL;
    if (eb_model_from_graph(g, EB_KSET_REF, &em, err, sizeof err) != EB_OK)
        return 0; /* takes the graph also on failure */
    const eb_model_info *i = eb_model_get_info(em);
    eb_context *c = NULL;
    if (i->macs < 2000000 && i->arena_bytes < (64u << 20) && eb_context_create(em, &c) == EB_OK) {
        memset(eb_context_input(c), 0, i->input_bytes);
        eb_context_run(c);
        eb_context_free(c);
    }
    eb_model_free(em);
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
