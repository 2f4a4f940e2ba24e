/* cmd_list.c - `edgebench list kernels|models|targets`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_dispatch.h"
#include "eb_model.h"

static void list_usage(FILE *f)
{
    fprintf(f, "usage: edgebench list kernels [--kernels SET]\n"
               "       edgebench list models [--fidelity] [--arch ARCH] [--kernels SET]\n"
               "       edgebench list models --describe FILE.tflite|FILE.onnx\n"
               "       edgebench list targets\n\n"
               "kernels  every kernel compiled into this binary: op, datatype, ISA, whether\n"
               "         this CPU can run it, and which one the chosen set uses per op;\n"
               "         then the kernel sets (SET: %s) with what each needs\n"
               "models   every built-in model variant: MACs (dense and by nonzero weights),\n"
               "         parameters, weight bytes and planned arena bytes; --fidelity builds\n"
               "         and runs each one and adds SQNR, cosine, top-1 agreement and max abs\n"
               "         error against the fp32 dense model (slow: minutes for all of them);\n"
               "         --arch keeps one architecture; --describe FILE.tflite reads a\n"
               "         TFLite file and prints its operators, tensors and quantization, then\n"
               "         what each operator becomes in edgebench (or why it cannot run);\n"
               "         FILE.onnx: what each ONNX node becomes (folded, fused, a view, an\n"
               "         op) and the edgebench model, or the node it cannot run\n"
               "targets  the target descriptions --target accepts (targets/*.json)\n",
            eb_kset_choices());
}

static int list_kernels(eb_kset want)
{
    eb_kernel_set chosen;
    char why[256], buf[256];
    if (eb_kernels_select(want, &chosen) != EB_OK) {
        eb_error("kernel set '%s' cannot run here: %s", eb_kset_name(want),
                 eb_kset_why_not(want, why, sizeof why));
        return EB_EXIT_USAGE;
    }
    eb_kernel_info sel[EB_KOP_COUNT];
    size_t nsel = eb_kernel_set_describe(&chosen, sel, EB_KOP_COUNT);

    printf("cpu features: %s\n", eb_features_str(eb_cpu_detect(), " ", buf, sizeof buf));
    for (int i = 0; i < EB_FEAT_COUNT; i++)
        if (eb_feature_why((eb_feature)i))
            printf("  no %s: %s\n", eb_feature_name((eb_feature)i),
                   eb_feature_why((eb_feature)i));
    printf("kernel set: %s\n\n", eb_kset_name(want));
    printf("%-10s %-5s %-9s %-8s %-7s %s\n", "op", "dtype", "isa", "runnable", "chosen",
           "kernel");
    for (int isa = 0; isa < EB_ISA_COUNT; isa++) {
        if (!eb_isa_compiled((eb_isa)isa))
            continue;
        eb_kernel_set ks;
        eb_kernels_fill_isa((eb_isa)isa, &ks);
        eb_kernel_info info[EB_KOP_COUNT];
        size_t n = eb_kernel_set_describe(&ks, info, EB_KOP_COUNT);
        for (size_t i = 0; i < n; i++) {
            if (info[i].isa != (eb_isa)isa)
                continue;
            bool is_chosen = false;
            for (size_t j = 0; j < nsel; j++)
                if (!strcmp(sel[j].name, info[i].name))
                    is_chosen = true;
            eb_features extra = eb_kernel_needs((eb_isa)isa, info[i].kop);
            bool runnable = eb_isa_runnable((eb_isa)isa) && eb_cpu_has(extra);
            printf("%-10s %-5s %-9s %-8s %-7s %s", info[i].op, info[i].dtype,
                   eb_isa_name(info[i].isa), runnable ? "yes" : "no", is_chosen ? "yes" : "-",
                   info[i].name);
            if (extra)
                printf(" (also needs %s)", eb_features_str(extra, "+", buf, sizeof buf));
            printf("\n");
        }
    }
    printf("\n%-9s %-8s %-9s %s\n", "set", "runnable", "over", "needs");
    for (int isa = 0; isa < EB_ISA_COUNT; isa++) {
        const eb_isa_info *ii = eb_isa_get((eb_isa)isa);
        if (!eb_isa_compiled((eb_isa)isa))
            continue;
        printf("%-9s %-8s %-9s %s%s\n", ii->name, eb_isa_runnable((eb_isa)isa) ? "yes" : "no",
               isa == EB_ISA_REF ? "-" : eb_isa_name(ii->base),
               eb_features_str(ii->needs, "+", buf, sizeof buf),
               ii->ext ? " (extension: used within its base set)" : "");
    }
    return EB_EXIT_OK;
}

int eb_cmd_list(int argc, char **argv)
{
    eb_kset want = EB_KSET_AUTO;
    const char *what = NULL, *arch = NULL, *describe = NULL;
    bool fidelity = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            list_usage(stdout);
            return EB_EXIT_OK;
        } else if (!strcmp(argv[i], "--kernels")) {
            if (i + 1 >= argc || eb_kset_parse(argv[i + 1], &want) != EB_OK) {
                eb_error("--kernels expects one of %s", eb_kset_choices());
                return EB_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(argv[i], "--fidelity")) {
            fidelity = true;
        } else if (!strcmp(argv[i], "--describe")) {
            if (i + 1 >= argc) {
                eb_error("--describe needs a .tflite or .onnx file");
                return EB_EXIT_USAGE;
            }
            describe = argv[++i];
        } else if (!strcmp(argv[i], "--arch")) {
            if (i + 1 >= argc) {
                eb_error("--arch needs an architecture name");
                return EB_EXIT_USAGE;
            }
            arch = argv[++i];
        } else if (argv[i][0] == '-') {
            eb_error("unknown option '%s' for 'list'; see 'edgebench list --help'", argv[i]);
            return EB_EXIT_USAGE;
        } else if (!what) {
            what = argv[i];
        } else {
            eb_error("'list' takes one of kernels, models, targets; got also '%s'", argv[i]);
            return EB_EXIT_USAGE;
        }
    }
    if (!what) {
        list_usage(stderr);
        return EB_EXIT_USAGE;
    }
    if (!strcmp(what, "kernels"))
        return list_kernels(want);
    if (!strcmp(what, "models") && describe) {
        char err[1024] = "";
        eb_status ds = eb_model_is_onnx(describe)
                           ? eb_model_describe_onnx(describe, stdout, err, sizeof err)
                           : eb_model_describe_tflite(describe, stdout, err, sizeof err);
        if (ds != EB_OK) {
            fflush(stdout);
            eb_error("%s", err);
            return EB_EXIT_USAGE;
        }
        return EB_EXIT_OK;
    }
    if (!strcmp(what, "models"))
        return eb_list_models(want, fidelity, arch);
    if (!strcmp(what, "targets"))
        return eb_list_targets();
    eb_error("unknown list '%s'; choose kernels, models or targets", what);
    return EB_EXIT_USAGE;
}
