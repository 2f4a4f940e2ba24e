/* fuzz_npy.c - libFuzzer target for the input-tensor reader (models/input.c): raw files
 * and .npy headers, for an int8 and a float32 input shape (the int8 one also reading
 * float32 data, quantized with its input scale). A refusal must be one sentence;
 * an acceptance must not have written past the input's bytes.
 *
 * Build and run (the tree of fuzz_tflite_import.c):
 *   cmake --build build-fuzz -j2 --target fuzz_npy
 *   mkdir -p build-fuzz/npy_corpus
 *   build-fuzz/fuzz/fuzz_npy -max_len=4096 -timeout=10 build-fuzz/npy_corpus
 */
#ifndef _GNU_SOURCE /* fmemopen; CMake defines it for every file */
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eb_model_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const eb_model_info shapes[2] = {
        /* a scale and zero point: float32 data is quantized (raw 420 bytes, or <f4 .npy) */
        {.name = "s8", .dtype = EB_S8, .in_h = 7, .in_w = 5, .in_c = 3, .input_bytes = 105,
         .in_scale = 0.0123, .in_zp = -7},
        {.name = "f32", .dtype = EB_F32, .in_h = 1, .in_w = 1, .in_c = 24, .input_bytes = 96},
    };
    static uint8_t one;
    for (int k = 0; k < 2; k++) {
        /* fmemopen needs a non-empty buffer: an empty input is one empty stream */
        FILE *f = size ? fmemopen((void *)data, size, "rb") : fmemopen(&one, 1, "r");
        if (!f)
            return 0;
        if (!size)
            (void)fgetc(f);
        uint8_t dst[128 + 1];
        memset(dst, 0xa5, sizeof dst);
        char err[256] = "";
        eb_status st = eb_read_input_stream(&shapes[k], f, "fuzz", dst, err, sizeof err);
        fclose(f);
        if (st != EB_OK && (!err[0] || strchr(err, '\n')))
            __builtin_trap();
        if (dst[shapes[k].input_bytes] != 0xa5)
            __builtin_trap(); /* wrote past the input */
    }
    return 0;
}
