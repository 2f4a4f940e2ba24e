/* fuzz_tflite.c - libFuzzer target for the .tflite reader (models/tflite_reader.c):
 * every input is parsed; an accepted model is checked again and described, so the
 * describe code walks whatever the reader let through.
 *
 * Build and run (from the repository root; clang 14 as packaged in Debian 12):
 *   mkdir -p build-fuzz/tflite_corpus
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *         -Imodels -Ikernels/include fuzz/fuzz_tflite.c models/tflite_reader.c \
 *         models/tflite_describe.c -lm -o build-fuzz/fuzz_tflite
 *   cc -Imodels -Ikernels/include -Itests fuzz/tflite_seeds.c models/tflite_reader.c \
 *      models/tflite_describe.c -lm -o build-fuzz/tflite_seeds
 *   build-fuzz/tflite_seeds build-fuzz/tflite_corpus      # seeds from tests/tflite_builder.h
 *   cp ../shared/models/mlperf_tiny/kws_ref_model.tflite build-fuzz/tflite_corpus/  # optional
 *   build-fuzz/fuzz_tflite -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
 *         -dict=fuzz/tflite.dict build-fuzz/tflite_corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    eb_tflite_model *m = NULL;
    char err[256];
    if (eb_tflite_parse(data, size, &m, err, sizeof err) != EB_OK) {
        if (m || !err[0])
            __builtin_trap(); /* a refusal always leaves no model and one sentence */
        return 0;
    }
    if (eb_tflite_check(m, err, sizeof err) != EB_OK)
        __builtin_trap(); /* parse already ran the check */
    if (sink)
        eb_tflite_describe(m, sink);
    eb_tflite_free(m);
    return 0;
}
