/* cmd_list.c - `edgebench list kernels|models|targets`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_dispatch.h"

static void list_usage(FILE *f)
{
    fprintf(f, "usage: edgebench list kernels [--kernels auto|ref|avx2|avx512|neon]\n"
               "       edgebench list models [--fidelity] [--arch ARCH] [--kernels SET]\n"
               "       edgebench list targets\n\n"
               "kernels  every kernel compiled into this binary: op, datatype, ISA, whether\n"
               "         this CPU can run it, and which one the chosen set uses per op\n"
               "models   every built-in model variant: MACs (dense and by nonzero weights),\n"
               "         parameters, weight bytes and planned arena bytes; --fidelity builds\n"
               "         and runs each one and adds SQNR, cosine, top-1 agreement and max abs\n"
               "         error against the fp32 dense model (slow: minutes for all of them);\n"
               "         --arch keeps one architecture\n"
               "targets  the target descriptions --target accepts (targets/*.json)\n");
}

static int list_kernels(eb_kset want)
{
    eb_kernel_set chosen;
    eb_status st = eb_kernels_select(want, &chosen);
    if (st != EB_OK) {
        eb_error("kernel set '%s' cannot run here: %s", eb_kset_name(want),
                 want == EB_KSET_AVX2     ? "this CPU or build has no AVX2+FMA"
                 : want == EB_KSET_AVX512 ? "this CPU or build has no AVX512 F+BW+VL+VNNI"
                                          : "this CPU or build has no NEON");
        return EB_EXIT_USAGE;
    }
    eb_kernel_info sel[64];
    size_t nsel = eb_kernel_set_describe(&chosen, sel, 64);

    const eb_cpu_features *f = eb_cpu_detect();
    printf("cpu features: avx2+fma %s, avx512f %s, avx512 f+bw+vl+vnni %s, neon %s, dotprod %s\n",
           f->avx2_fma ? "yes" : "no", f->avx512f ? "yes" : "no", f->avx512_vnni ? "yes" : "no",
           f->neon ? "yes" : "no", f->dotprod ? "yes" : "no");
    printf("kernel set: %s\n\n", eb_kset_name(want));
    printf("%-10s %-5s %-9s %-8s %-7s %s\n", "op", "dtype", "isa", "runnable", "chosen",
           "kernel");
    for (int isa = 0; isa < EB_ISA_COUNT; isa++) {
        if (!eb_isa_compiled((eb_isa)isa))
            continue;
        eb_kernel_set ks;
        eb_kernels_fill_isa((eb_isa)isa, &ks);
        eb_kernel_info info[64];
        size_t n = eb_kernel_set_describe(&ks, info, 64);
        for (size_t i = 0; i < n; i++) {
            if (info[i].isa != (eb_isa)isa)
                continue;
            bool is_chosen = false;
            for (size_t j = 0; j < nsel; j++)
                if (!strcmp(sel[j].name, info[i].name))
                    is_chosen = true;
            printf("%-10s %-5s %-9s %-8s %-7s %s\n", info[i].op, info[i].dtype,
                   eb_isa_name(info[i].isa), eb_isa_runnable(info[i].isa) ? "yes" : "no",
                   is_chosen ? "yes" : "-", info[i].name);
        }
    }
    return EB_EXIT_OK;
}

int eb_cmd_list(int argc, char **argv)
{
    eb_kset want = EB_KSET_AUTO;
    const char *what = NULL, *arch = NULL;
    bool fidelity = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            list_usage(stdout);
            return EB_EXIT_OK;
        } else if (!strcmp(argv[i], "--kernels")) {
            if (i + 1 >= argc || eb_kset_parse(argv[i + 1], &want) != EB_OK) {
                eb_error("--kernels expects one of auto, ref, avx2, avx512, neon");
                return EB_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(argv[i], "--fidelity")) {
            fidelity = true;
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
    if (!strcmp(what, "models"))
        return eb_list_models(want, fidelity, arch);
    if (!strcmp(what, "targets"))
        return eb_list_targets();
    eb_error("unknown list '%s'; choose kernels, models or targets", what);
    return EB_EXIT_USAGE;
}
