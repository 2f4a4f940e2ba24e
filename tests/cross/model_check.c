/* model_check.c - the model library on this machine's kernels, in plain C (no Criterion)
 * so it also runs under qemu-user in cross builds: synthetic weights and int8 models are
 * bit-identical to the x86 ones (pinned CRCs), and the optimized kernel set gives the
 * same outputs as ref through the executor (int8 bit-exact, fp32 within tolerance).
 *   model_check [--quiet]     exit status 0 when everything passed */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model.h"
#include "eb_model_internal.h"

static int failures;
static int quiet;

static void check(int ok, const char *what)
{
    if (!ok)
        failures++;
    if (!ok || !quiet)
        printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

static uint32_t graph_crc(const eb_graph *g)
{
    uint8_t *buf;
    size_t len;
    if (eb_ebm_serialize(g, &buf, &len) != EB_OK)
        return 0;
    uint32_t crc = eb_ebm_crc32(buf, len - 4); /* = the stored CRC */
    free(buf);
    return crc;
}

static void *run(const eb_model *m, uint32_t input)
{
    const eb_model_info *info = eb_model_get_info(m);
    eb_context *c;
    if (eb_context_create(m, &c) != EB_OK)
        return NULL;
    eb_context_fill_input(c, input);
    eb_context_run(c);
    void *out = malloc(info->output_bytes);
    memcpy(out, eb_context_output(c), info->output_bytes);
    eb_context_free(c);
    return out;
}

int main(int argc, char **argv)
{
    quiet = argc > 1 && !strcmp(argv[1], "--quiet");
    char what[256];

    eb_graph *g;
    check(eb_zoo_build_graph("ds_cnn", &g) == EB_OK, "ds_cnn graph builds");
    uint32_t crc = graph_crc(g);
    snprintf(what, sizeof what, "ds_cnn fp32 synthetic weights CRC %08x (x86: 13de7cd4)", crc);
    check(crc == 0x13de7cd4u, what);
    eb_graph_free(g);

    const char *names[] = {"ds_cnn_int8", "ds_cnn_int8_p75", "resnet8_int8_c50",
                           "vww_mobilenet_v1_025_int8_p50", "fc_autoencoder_int8",
                           "resnet8_fp32", "ds_cnn_fp32_p90", "fc_autoencoder_fp32_c50"};
    /* int8 models are calibrated with ref fp32 kernels: the same model everywhere */
    const uint32_t int8_crc[] = {0x65c10158u};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        eb_model *ref = NULL, *opt = NULL;
        char err[512] = "";
        eb_model_options o = {EB_KSET_REF, NULL};
        eb_status st = eb_model_build(names[i], &o, &ref, err, sizeof err);
        snprintf(what, sizeof what, "%s builds (%s)", names[i], err);
        check(st == EB_OK, what);
        if (st != EB_OK)
            continue;
        if (i == 0) {
            crc = graph_crc(ref->g);
            snprintf(what, sizeof what, "ds_cnn_int8 model CRC %08x (x86: %08x)", crc,
                     int8_crc[0]);
            check(crc == int8_crc[0], what);
        }
        st = eb_model_with_kernels(ref, EB_KSET_AUTO, &opt, err, sizeof err);
        check(st == EB_OK, "optimized kernel set prepares");
        if (st != EB_OK) {
            eb_model_free(ref);
            continue;
        }
        const eb_model_info *info = eb_model_get_info(ref);
        for (uint32_t in = 0; in < 2; in++) {
            void *a = run(ref, in), *b = run(opt, in);
            int same = a && b;
            if (same && info->dtype == EB_S8)
                same = !memcmp(a, b, info->output_bytes);
            else if (same)
                for (int32_t k = 0; k < info->out_size; k++) {
                    float x = ((float *)a)[k], y = ((float *)b)[k];
                    if (fabsf(x - y) > 1e-4f + 1e-3f * fabsf(x))
                        same = 0;
                }
            snprintf(what, sizeof what, "%s input %u: %s equals ref%s", names[i], in,
                     eb_model_kernels(opt)->conv2d_s8.name,
                     info->dtype == EB_S8 ? " bit for bit" : " within 1e-3");
            check(same, what);
            free(a);
            free(b);
        }
        eb_model_free(opt);
        eb_model_free(ref);
    }
    printf("model_check: %d failure%s\n", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
