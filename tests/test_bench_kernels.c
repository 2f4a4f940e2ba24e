/* test_bench_kernels.c - `edgebench bench kernels`: the shapes data file (its layers add
 * up to the published MobileNet multiply-add counts), the shapes reader's merging and
 * errors, the peak chains, bad command lines (exit 2), and a small end-to-end run whose
 * JSON names the kernels with their rates, peak percentages and speed-ups. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "eb_dispatch.h"
#include "kernel_cases.h"
#include "peak.h"
#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eb_benchk_XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL);
    cr_redirect_stdout();
}

static void teardown(void)
{
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

TestSuite(bench_kernels, .init = setup, .fini = teardown);

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

static int run(int argc, const char **argv)
{
    return eb_cmd_bench(argc, (char **)argv);
}

static long long out_dim(int in, int stride)
{
    return (in + stride - 1) / stride; /* SAME */
}

/* Multiply-adds of the whole file per model, counting every layer a merged shape
 * stands for. The published figures: 569 M (V1) and 300 M (V2). */
Test(bench_kernels, data_file_matches_published_macs)
{
    eb_kshape *s;
    size_t n;
    char err[256];
    cr_assert_eq(eb_kshapes_load(EB_SOURCE_DIR "/bench/shapes_mobilenet.txt", &s, &n, err,
                                 sizeof err), EB_OK, "%s", err);
    long long macs[2] = {0, 0};
    const char *models[2] = {"mobilenet_v1:", "mobilenet_v2:"};
    for (size_t i = 0; i < n; i++) {
        long long oh = out_dim(s[i].in_h, s[i].stride), ow = out_dim(s[i].in_w, s[i].stride);
        long long per = 0;
        if (s[i].op == EB_BOP_CONV2D)
            per = oh * ow * s[i].out_c * s[i].k * s[i].k * s[i].in_c;
        else if (s[i].op == EB_BOP_DWCONV)
            per = oh * ow * s[i].in_c * s[i].k * s[i].k;
        else if (s[i].op == EB_BOP_FC)
            per = (long long)s[i].in_c * s[i].out_c;
        cr_assert(strstr(s[i].layers, "...") == NULL, "layers list truncated: %s", s[i].layers);
        for (int m = 0; m < 2; m++) {
            const char *p = strstr(s[i].layers, models[m]);
            if (!p)
                continue;
            int count = 1;
            for (p += strlen(models[m]); *p && *p != ' '; p++)
                count += *p == ',';
            macs[m] += per * count;
        }
    }
    cr_assert_eq(macs[0], 568740352LL, "MobileNetV1: %lld multiply-adds", macs[0]);
    cr_assert_eq(macs[1], 300774272LL, "MobileNetV2: %lld multiply-adds", macs[1]);
    free(s);
}

Test(bench_kernels, identical_shapes_are_merged)
{
    char path[300];
    snprintf(path, sizeof path, "%s/s.txt", tmpdir);
    write_file(path, "# comment\n\n"
                     "m1 a conv2d 1 1 4 4 8 8 relu6\n"
                     "m1 b conv2d 1 1 4 4 8 8 relu6   # same shape\n"
                     "m2 c conv2d 1 1 4 4 8 8 relu6\n"
                     "m1 d conv2d 1 1 4 4 8 8 none\n");
    eb_kshape *s;
    size_t n;
    char err[256];
    cr_assert_eq(eb_kshapes_load(path, &s, &n, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(n, 2);
    cr_assert_eq(s[0].nlayers, 3);
    cr_assert_str_eq(s[0].layers, "m1:a,b m2:c");
    cr_assert_str_eq(s[1].layers, "m1:d");
    cr_assert_eq(s[1].act, EB_ACT_NONE);
    free(s);
}

static void expect_format_error(const char *text, const char *needle)
{
    char path[300];
    snprintf(path, sizeof path, "%s/bad.txt", tmpdir);
    write_file(path, text);
    eb_kshape *s = NULL;
    size_t n = 0;
    char err[256] = "";
    cr_assert_eq(eb_kshapes_load(path, &s, &n, err, sizeof err), EB_ERR_FORMAT, "%s", text);
    cr_assert(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
    cr_assert_null(s);
}

Test(bench_kernels, shapes_file_errors_name_the_line)
{
    expect_format_error("m a conv2d 1 1 4 4 8 8 none\nm b conv3d 1 1 4 4 8 8 none\n", ":2: unknown op");
    expect_format_error("m a conv2d 1 1 4 4 8 none\n", ":1: expected 10 fields");
    expect_format_error("\n\nm a dwconv 3 1 4 4 8 16 none\n", ":3: dwconv keeps");
    expect_format_error("m a conv2d 0 1 4 4 8 8 none\n", ":1: k must be");
    expect_format_error("m a conv2d 1 1 4 4 8 8 gelu\n", "act must be");
    expect_format_error("# nothing\n", "no layers");
    eb_kshape *s;
    size_t n;
    char err[256];
    cr_assert_eq(eb_kshapes_load("/nonexistent/shapes.txt", &s, &n, err, sizeof err), EB_ERR_IO);
}

Test(bench_kernels, default_data_file_is_found)
{
    char path[4096];
    cr_assert(eb_kshapes_default_path(path, sizeof path));
    cr_assert(strstr(path, "shapes_mobilenet.txt") != NULL);
}

Test(bench_kernels, peak_chains)
{
    cr_assert_not(eb_peak_available(EB_ISA_REF, EB_F32), "ref has no defined peak");
    if (!eb_isa_runnable(EB_ISA_AVX2))
        cr_skip_test("no AVX2+FMA: the AVX2 peak chains are not run");
    cr_assert(eb_peak_available(EB_ISA_AVX2, EB_F32) && eb_peak_available(EB_ISA_AVX2, EB_S8));
    /* any AVX2 core does more than one 8-wide FMA per ns */
    cr_assert_gt(eb_peak_measure(EB_ISA_AVX2, EB_F32, 0.002), 1e9);
    cr_assert_gt(eb_peak_measure(EB_ISA_AVX2, EB_S8, 0.002), 1e9);
}

Test(bench_kernels, peak_chains_avx512)
{
    if (!eb_isa_runnable(EB_ISA_AVX512)) {
        cr_assert_not(eb_peak_available(EB_ISA_AVX512, EB_S8), "no chain without the ISA");
        cr_skip_test("no AVX512 F+BW+VL+VNNI: the avx512 peak chains are not run");
    }
    cr_assert(eb_peak_available(EB_ISA_AVX512, EB_F32) && eb_peak_available(EB_ISA_AVX512, EB_S8));
    cr_assert(strstr(eb_peak_method(EB_ISA_AVX512, EB_S8), "vpdpbusd") != NULL);
    /* loose bounds, like the AVX2 test's: a 2 ms window on a loaded host can lose most
     * of its time to other processes */
    cr_assert_gt(eb_peak_measure(EB_ISA_AVX512, EB_F32, 0.002), 2e9);
    cr_assert_gt(eb_peak_measure(EB_ISA_AVX512, EB_S8, 0.002), 2e9);
}

Test(bench_kernels, peak_chain_avxvnni)
{
    if (!eb_isa_runnable(EB_ISA_AVXVNNI)) {
        cr_assert_not(eb_peak_available(EB_ISA_AVXVNNI, EB_S8), "no chain without the ISA");
        cr_skip_test("no AVX-VNNI: the avxvnni peak chain is not run");
    }
    cr_assert(eb_peak_available(EB_ISA_AVXVNNI, EB_S8));
    cr_assert_not(eb_peak_available(EB_ISA_AVXVNNI, EB_F32), "the set's fp32 is avx2's");
    cr_assert(strstr(eb_peak_method(EB_ISA_AVXVNNI, EB_S8), "vpdpbusd ymm") != NULL);
    cr_assert_gt(eb_peak_measure(EB_ISA_AVXVNNI, EB_S8, 0.002), 2e9);
}

Test(bench_kernels, bad_command_lines_exit_2)
{
    const char *a1[] = {"bench", "kernels", "--op", "conv3d"};
    cr_assert_eq(run(4, a1), EB_EXIT_USAGE);
    const char *a2[] = {"bench", "kernels", "--rounds", "0"};
    cr_assert_eq(run(4, a2), EB_EXIT_USAGE);
    const char *a3[] = {"bench", "kernels", "--dtype", "int4"};
    cr_assert_eq(run(4, a3), EB_EXIT_USAGE);
    const char *a4[] = {"bench", "kernels", "--shapes", "/nonexistent/x.txt"};
    cr_assert_eq(run(4, a4), EB_EXIT_USAGE);
    const char *a5[] = {"bench", "kernels", "--min-time"};
    cr_assert_eq(run(3, a5), EB_EXIT_USAGE);
    const char *a6[] = {"bench", "frobnicate"};
    cr_assert_eq(run(2, a6), EB_EXIT_USAGE);
    const char *a7[] = {"bench", "kernels", "--model", "resnet50", "--min-time", "0"};
    cr_assert_eq(run(6, a7), EB_EXIT_USAGE, "no layer matches");
    const char *a8[] = {"bench", "kernels", "--kernels", "neon"};
    cr_assert_eq(run(4, a8), eb_isa_runnable(EB_ISA_NEON) ? EB_EXIT_OK : EB_EXIT_USAGE);
    const char *a9[] = {"bench", "kernels", "--help"};
    cr_assert_eq(run(3, a9), EB_EXIT_OK);
}

Test(bench_kernels, end_to_end_json)
{
    char shapes[300], json[300];
    snprintf(shapes, sizeof shapes, "%s/s.txt", tmpdir);
    snprintf(json, sizeof json, "%s/out.json", tmpdir);
    write_file(shapes, "t conv1 conv2d 3 2 9 11 3 16 relu6\n"
                       "t pw conv2d 1 1 6 5 24 17 none\n"
                       "t dw dwconv 3 1 7 9 33 33 relu6\n"
                       "t fc fc 1 1 1 1 40 10 none\n"
                       "t pool gap 3 1 3 3 20 20 none\n"
                       "t res add 1 1 3 3 20 20 none\n"
                       "t sm softmax 1 1 1 1 10 10 none\n");
    const char *argv[] = {"bench", "kernels", "--shapes", shapes, "--op", "all", "--min-time",
                          "0.001", "--rounds", "2", "--json", json};
    cr_assert_eq(run(12, argv), EB_EXIT_OK);
    cr_assert_eq(access(json, R_OK), 0, "JSON written");
    const bool avx2 = eb_isa_runnable(EB_ISA_AVX2), avx512 = eb_isa_runnable(EB_ISA_AVX512);
#if defined(EB_HAVE_CJSON)
    FILE *f = fopen(json, "r");
    char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    cJSON *doc = cJSON_Parse(buf);
    cr_assert_not_null(doc, "valid JSON");
    const cJSON *res = cJSON_GetObjectItem(doc, "results");
    cr_assert_eq(cJSON_GetArraySize(res), 16, "8 cases (7 lines + 1 sparse twin) x 2 dtypes");
    const cJSON *r;
    int convs = 0;
    cJSON_ArrayForEach(r, res) {
        const char *kernel = cJSON_GetObjectItem(r, "kernel")->valuestring;
        const char *op = cJSON_GetObjectItem(r, "op")->valuestring;
        cr_assert_gt(cJSON_GetObjectItem(r, "calls")->valuedouble, 1, "two rounds: >= 2 calls");
        cr_assert_gt(cJSON_GetObjectItem(r, "best_s")->valuedouble, 0.0);
        if (!avx2)
            continue;
        /* auto: AVX2, or the sets over it (avx512, amx) on a CPU that has them */
        cr_assert(strstr(kernel, "_avx2") != NULL ||
                      (avx512 && (strstr(kernel, "_avx512") || strstr(kernel, "_amx"))),
                  "%s", kernel);
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(r, "speedup_vs_ref")), "%s", kernel);
        const cJSON *pct = cJSON_GetObjectItem(r, "pct_of_peak");
        if (!strcmp(op, "conv2d") || !strcmp(op, "dwconv") || !strcmp(op, "fc")) {
            cr_assert(cJSON_IsNumber(pct) && pct->valuedouble > 0.0, "%s %% of peak", kernel);
            convs++;
        } else if (!strcmp(op, "softmax")) {
            cr_assert(cJSON_IsNull(pct), "softmax has no multiply-add peak");
        }
    }
    if (avx2) {
        cr_assert_eq(convs, 8);
        /* f32 and int8 of each ISA in use (avx512 leaves fc_sparse and fp32 dwconv to
         * AVX2) */
        int isas = avx512 ? 4 : 2;
        isas += eb_isa_runnable(EB_ISA_AMX) && eb_peak_available(EB_ISA_AMX, EB_S8);
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "peaks")), isas);
    }
    cJSON_Delete(doc);
#else
    (void)avx2;
    (void)avx512;
#endif
}
