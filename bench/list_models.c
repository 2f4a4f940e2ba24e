/* list_models.c - `edgebench list models [--fidelity]`: every zoo variant with its size
 * and, on request, its fidelity against the fp32 dense model. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_model.h"

static void print_fidelity(const eb_fidelity *f)
{
    if (isinf(f->sqnr_db))
        printf(" %8s", "inf");
    else
        printf(" %8.2f", f->sqnr_db);
    printf(" %7.4f %5.2f %10.4g", f->cosine, f->top1_agreement, f->max_abs_err);
}

int eb_list_models(eb_kset kset, bool fidelity, const char *arch)
{
    const char *const *names;
    size_t n = eb_zoo_names(&names);
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    if (arch) {
        bool known = false;
        for (size_t i = 0; i < na; i++)
            known |= !strcmp(arch, archs[i]);
        if (!strcmp(arch, "mobilenet"))
            arch = "mobilenet_v1", known = true;
        if (!known) {
            eb_error("unknown architecture '%s'; choose mobilenet_v1, mobilenet_v2, ds_cnn, "
                     "vww_mobilenet_v1_025, resnet8 or fc_autoencoder", arch);
            return EB_EXIT_USAGE;
        }
    }
    eb_model_options opt = {kset, NULL};
    printf("%-30s %9s %9s %9s %10s %9s", "model", "MACs(M)", "nzMACs(M)", "params",
           "weights_B", "arena_B");
    if (fidelity)
        printf(" %8s %7s %5s %10s", "sqnr_dB", "cosine", "top1", "max_err");
    printf("\n");
    eb_fidelity_ref *ref = NULL;
    char ref_arch[48] = "";
    int rc = EB_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (arch && (strncmp(names[i], arch, strlen(arch)) ||
                     (strncmp(names[i] + strlen(arch), "_fp32", 5) &&
                      strncmp(names[i] + strlen(arch), "_int8", 5))))
            continue;
        char err[512];
        eb_model_info info;
        eb_model *m = NULL;
        eb_status st;
        if (fidelity) {
            st = eb_model_build(names[i], &opt, &m, err, sizeof err);
            if (st == EB_OK)
                info = *eb_model_get_info(m);
        } else {
            st = eb_model_describe(names[i], &opt, &info, err, sizeof err);
        }
        if (st != EB_OK) {
            eb_error("%s", err);
            rc = EB_EXIT_USAGE;
            break;
        }
        printf("%-30s %9.2f %9.2f %9llu %10llu %9llu", info.name, info.macs / 1e6,
               info.macs_nonzero / 1e6, (unsigned long long)info.params,
               (unsigned long long)info.weights_bytes, (unsigned long long)info.arena_bytes);
        if (fidelity) {
            if (strcmp(ref_arch, info.arch)) {
                eb_fidelity_ref_free(ref);
                ref = NULL;
                st = eb_fidelity_ref_create(info.arch, &opt, &ref, err, sizeof err);
                if (st != EB_OK) {
                    printf("\n");
                    eb_error("%s", err);
                    eb_model_free(m);
                    rc = EB_EXIT_USAGE;
                    break;
                }
                snprintf(ref_arch, sizeof ref_arch, "%s", info.arch);
            }
            eb_fidelity f;
            st = eb_model_fidelity_vs(m, ref, &f);
            if (st == EB_OK)
                print_fidelity(&f);
            else
                printf(" %8s", "n/a");
        }
        printf("\n");
        fflush(stdout);
        eb_model_free(m);
    }
    eb_fidelity_ref_free(ref);
    return rc;
}
