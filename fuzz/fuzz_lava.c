/* fuzz_lava.c - `edgebench lava collect` (bench/lava_collect.c) on a job's log or results
 * as a lab's server (or anyone) may return them: the input is one file's text, read as
 * results (JSON or lavacli YAML) and, failing that, as a log in which the agent's sealed
 * lines are looked for. The report it may build must be freed cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_report.h"
#include "lava.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_lava_%d.log", (int)getpid());
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static eb_lava_case cases[64];
    eb_lava_parse_results(text, cases, 64);
    free(text);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    const char *files[1] = {path};
    static eb_report rep;
    char err[1024];
    eb_lava_collect(files, 1, "rpi4", &rep, err, sizeof err);
    eb_report_free(&rep); /* empty after a failure */
    return 0;
}
