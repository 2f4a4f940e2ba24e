/* fuzz_tflite_import.c - libFuzzer target for the .tflite importer
 * (models/tflite_import.c) behind the reader: every input the reader accepts is turned
 * into a graph (with the mapping log written, so its printing runs too); a graph the
 * importer accepts is prepared for the ref kernels and, when small enough to stay fast,
 * run once on a zero input, so whatever the importer lets through must also be safe to
 * execute. Refusals must leave no graph and one sentence.
 *
 * Build and run (clang 14 as packaged in Debian 12), from the repository root:
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DEB_FUZZ=ON -DEB_TESTS=OFF
 *   cmake --build build-fuzz -j2 --target fuzz_tflite_import tflite_seeds
 *   mkdir -p build-fuzz/import_corpus && build-fuzz/fuzz/tflite_seeds build-fuzz/import_corpus
 *   cp ../shared/models/mlperf_tiny/<model>.tflite build-fuzz/import_corpus/   # optional
 *   build-fuzz/fuzz/fuzz_tflite_import -max_len=400000 -timeout=10 -rss_limit_mb=2048 \
 *       -dict=fuzz/tflite.dict build-fuzz/import_corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    eb_tflite_model *m = NULL;
    char err[512];
    if (eb_tflite_parse(data, size, &m, err, sizeof err) != EB_OK)
        return 0;
    eb_graph *g = (eb_graph *)1;
    err[0] = 0;
    /* a legacy uint8 model is converted first, as eb_tflite_import_file does */
    static eb_tflite_owned own;
    eb_status st = eb_tflite_uint8_to_int8(m, &own, err, sizeof err);
    if (st != EB_OK) {
        eb_tflite_free(m);
        if (!err[0] || strchr(err, '\n'))
            __builtin_trap();
        return 0;
    }
    st = eb_tflite_import(m, "fuzz.tflite", sink, &g, err, sizeof err);
    eb_tflite_owned_free(&own);
    eb_tflite_free(m); /* the graph owns copies of everything it needs */
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
    if (i->macs < 2000000 && i->arena_bytes < (64u << 20) &&
        eb_context_create(em, &c) == EB_OK) {
        memset(eb_context_input(c), 0, i->input_bytes);
        eb_context_run(c);
        eb_context_free(c);
    }
    eb_model_free(em);
    return 0;
}
