/* fuzz_target.c - target description files (targets/target.c): strict JSON, every field's
 * bounds, and what `run --target FILE` does next with them: the report header written
 * from the description must be a valid report. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_report.h"
#include "eb_target.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    eb_target t;
    char err[1024] = "";
    if (eb_target_parse_bytes((const char *)data, size, "fuzz.json", &t, err, sizeof err) !=
        EB_OK) {
        if (!err[0])
            __builtin_trap();
        return 0;
    }
    /* a report carrying this target must validate: whatever a target file may say, a
     * report can hold */
    eb_report r;
    eb_report_init(&r);
    snprintf(r.created_utc, sizeof r.created_utc, "2026-01-01T00:00:00Z");
    snprintf(r.edgebench.version, sizeof r.edgebench.version, "0");
    snprintf(r.settings.kernels, sizeof r.settings.kernels, "auto");
    snprintf(r.settings.scenario, sizeof r.settings.scenario, "single-stream");
    r.settings.min_iterations = r.settings.repetitions = r.settings.max_iterations = 1;
    snprintf(r.environment.kernel_set, sizeof r.environment.kernel_set, "auto");
    eb_run_report_target(&r.target, &t.desc);
    char *text = eb_report_to_string(&r);
    if (!text)
        __builtin_trap();
    cJSON *tree = NULL;
    if (eb_report_parse(text, &tree, err, sizeof err) != EB_OK) {
        fprintf(stderr, "a valid target gives an invalid report: %s\n", err);
        __builtin_trap();
    }
    cJSON_Delete(tree);
    free(text);
    return 0;
}
