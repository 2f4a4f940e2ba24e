/* cmd_abworker.c - `edgebench ab-worker`: the measuring child of `edgebench ab`.
 *
 * Builds one model once, then measures on request, so ab can alternate two binaries in
 * windows a fraction of a second apart (the machine state changes in steps of seconds;
 * a child process per round would spend those seconds building the model). A line
 * protocol on stdin/stdout:
 *   worker -> "ready <model name>"            after build and warm-up
 *   ab     -> "measure <seconds>"             time inferences for that long (>= 3)
 *   worker -> "samples <n> <ms> <ms> ..."     each timed inference, in order
 *   ab     -> "quit" (or end of input)        exit 0
 *   worker -> "error <sentence>"              then exit 2
 * The timed loop is the harness's (eb_measure_run), so test builds slow it too. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eb_dispatch.h"
#include "engine.h"
#include "eb_model.h"

static void infer(void *user) { eb_context_run((eb_context *)user); }

int eb_cmd_abworker(int argc, char **argv)
{
    const char *model = NULL, *kernels = "auto";
    double warmup_s = 0.5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: edgebench ab-worker --model M [--kernels K] [--warmup-time S]\n"
                   "The measuring child of 'edgebench ab' (a line protocol on stdin/stdout;\n"
                   "see bench/cmd_abworker.c). Not meant to be run by hand.\n");
            return EB_EXIT_OK;
        } else if (v && !strcmp(a, "--model")) {
            model = argv[++i];
        } else if (v && !strcmp(a, "--kernels")) {
            kernels = argv[++i];
        } else if (v && !strcmp(a, "--warmup-time")) {
            if (!eb_parse_double(a, argv[++i], 0, 3600, &warmup_s))
                return EB_EXIT_USAGE;
        } else {
            printf("error unknown or incomplete option '%s'\n", a);
            return EB_EXIT_USAGE;
        }
    }
    if (!model) {
        printf("error ab-worker needs --model\n");
        return EB_EXIT_USAGE;
    }
    char err[512];
    eb_model_options mo = {0};
    if (eb_kset_parse(kernels, &mo.kernels) != EB_OK) {
        printf("error unknown kernel set '%s'\n", kernels);
        return EB_EXIT_USAGE;
    }
    eb_model *m = NULL;
    eb_context *ctx = NULL;
    if (eb_model_build(model, &mo, &m, err, sizeof err) != EB_OK) {
        printf("error %s\n", err);
        return EB_EXIT_USAGE;
    }
    int rc = EB_EXIT_USAGE;
    if (eb_context_create(m, &ctx) != EB_OK) {
        printf("error cannot create a context for %s\n", model);
        goto done;
    }
    eb_context_fill_input(ctx, 0);
    eb_measure_settings warm = {.warmup = 3, .warmup_min_time_s = warmup_s,
                                .min_iterations = 1, .min_time_s = 0, .repetitions = 1,
                                .max_iterations = 1};
    eb_samples s;
    if (eb_measure_run(&warm, infer, ctx, NULL, &s) != EB_OK) {
        printf("error out of memory\n");
        goto done;
    }
    eb_samples_free(&s);
    printf("ready %s\n", eb_model_get_info(m)->name);
    fflush(stdout);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        double secs;
        if (!strncmp(line, "quit", 4))
            break;
        if (sscanf(line, "measure %lf", &secs) != 1 || !(secs > 0 && secs < 3600)) {
            printf("error expected 'measure <seconds>' or 'quit'\n");
            goto done;
        }
        /* no warm-up here: the model stays warm between requests */
        eb_measure_settings set = {.warmup = 0, .warmup_min_time_s = 0, .min_iterations = 3,
                                   .min_time_s = secs, .repetitions = 1,
                                   .max_iterations = 1000000};
        if (eb_measure_run(&set, infer, ctx, NULL, &s) != EB_OK) {
            printf("error out of memory\n");
            goto done;
        }
        printf("samples %zu", s.n);
        for (size_t i = 0; i < s.n; i++)
            printf(" %.6f", (double)s.ns[i] / 1e6);
        printf("\n");
        fflush(stdout);
        eb_samples_free(&s);
    }
    rc = EB_EXIT_OK;
done:
    fflush(stdout);
    eb_context_free(ctx);
    eb_model_free(m);
    return rc;
}
