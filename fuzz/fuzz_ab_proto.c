/* fuzz_ab_proto.c - the ab <-> ab-worker line protocol (bench/ab_proto.c): what a
 * --baseline/--candidate binary may send ab ("samples ..."), and what ab-worker reads
 * ("measure ..."). Each input line is parsed both ways. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ab_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = 0;
    double *x = NULL;
    size_t n = 0;
    char err[256] = "";
    eb_status st = eb_ab_parse_samples(line, &x, &n, err, sizeof err);
    if (st == EB_OK) {
        if (!x || n == 0 || n > EB_AB_MAX_SAMPLES)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if (!(x[i] >= 0) || !isfinite(x[i]))
                __builtin_trap();
    } else if (x || !err[0]) {
        __builtin_trap();
    }
    free(x);
    double secs;
    if (eb_ab_parse_measure(line, &secs) && !(secs > 0 && secs < 3600))
        __builtin_trap();
    free(line);
    return 0;
}
