/* cmd_export.c - `edgebench export --model NAME -o FILE.ebm`: writes a model file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_model.h"

static void export_usage(FILE *f)
{
    fprintf(f, "usage: edgebench export --model NAME -o FILE.ebm [--calib DIR] "
               "[--kernels SET]\n\n"
               "Builds a model (a zoo variant such as mobilenet_v1_int8_p75, or another .ebm\n"
               "file) and writes it as a .ebm model file, atomically. '--model FILE.ebm'\n"
               "runs it anywhere a model name is accepted.\n\n"
               "  --model NAME   variant name or .ebm path ('edgebench list models')\n"
               "  -o FILE        output path\n"
               "  --calib DIR    int8 calibration inputs: every file in DIR is one input tensor\n"
               "                 of raw little-endian float32 values (NHWC); default: generated\n"
               "  --kernels SET  kernel set used while building (the file does not depend on it):\n"
               "                 %s\n", eb_kset_choices());
}

int eb_cmd_export(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *calib = NULL;
    eb_kset kset = EB_KSET_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            export_usage(stdout);
            return EB_EXIT_OK;
        }
        bool takes = !strcmp(a, "--model") || !strcmp(a, "-o") || !strcmp(a, "--output") ||
                     !strcmp(a, "--calib") || !strcmp(a, "--kernels");
        if (!takes) {
            eb_error("unknown option '%s' for 'export'; see 'edgebench export --help'", a);
            return EB_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            eb_error("%s needs a value", a);
            return EB_EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--model"))
            model = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--calib"))
            calib = v;
        else if (eb_kset_parse(v, &kset) != EB_OK) {
            eb_error("--kernels expects one of %s", eb_kset_choices());
            return EB_EXIT_USAGE;
        }
    }
    if (!model || !out) {
        eb_error("export needs --model NAME and -o FILE.ebm");
        return EB_EXIT_USAGE;
    }
    eb_model_options opt = {kset, calib};
    eb_model *m;
    char err[768];
    if (eb_model_build(model, &opt, &m, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    eb_status st = eb_model_export(m, out, err, sizeof err);
    if (st != EB_OK) {
        eb_error("%s", err);
        eb_model_free(m);
        return EB_EXIT_USAGE;
    }
    const eb_model_info *info = eb_model_get_info(m);
    printf("wrote %s: %s, %.2f M MACs, %llu params, %llu weight bytes, %llu arena bytes\n",
           out, info->name, info->macs / 1e6, (unsigned long long)info->params,
           (unsigned long long)info->weights_bytes, (unsigned long long)info->arena_bytes);
    eb_model_free(m);
    return EB_EXIT_OK;
}
