/* test_avxvnni_set.c - the avxvnni kernel set: int8 conv2d, depthwise and fc come from
 * kernels/avxvnni and every other op (all of fp32) from avx2; auto takes it on a CPU
 * with AVX-VNNI and no AVX-512 VNNI, and the avx512 kernels replace it where both
 * exist; and whole int8 zoo models built with `--kernels avxvnni` give ref's outputs
 * bit for bit, on one thread and split over three. */
#include "dispatch_test_util.h"
#include "opt_test_util.h"

#include "eb_model.h"
#include "eb_model_internal.h"

static bool is_int8_gemm_op(const char *op, const char *dtype)
{
    return !strcmp(dtype, "s8") &&
           (!strcmp(op, "conv2d") || !strcmp(op, "dwconv") || !strcmp(op, "fc"));
}

Test(avxvnni_set, int8_conv_dwconv_fc_avxvnni_rest_avx2)
{
    t_need_isa(&t_isa_avxvnni);
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&t_fast, info, 64);
    cr_assert_eq(n, EB_KOP_COUNT);
    int mine = 0;
    for (size_t i = 0; i < n; i++) {
        const bool vnni = is_int8_gemm_op(info[i].op, info[i].dtype);
        /* the rest: avx2, or ref for ops no optimized set has (softmax_tfl) */
        const eb_isa rest = eb_isa_has_kernel(EB_ISA_AVX2, info[i].kop) ? EB_ISA_AVX2 : EB_ISA_REF;
        cr_assert_eq(info[i].isa, vnni ? EB_ISA_AVXVNNI : rest, "%s", info[i].name);
        cr_assert(strstr(info[i].name, vnni ? "_avxvnni" : rest == EB_ISA_AVX2 ? "_avx2" : "_ref"),
                  "%s", info[i].name);
        mine += vnni;
    }
    cr_assert_eq(mine, 3);
    cr_assert(t_fast.conv2d_s8.pack && t_fast.conv2d_s8.scratch_size);
    cr_assert(t_fast.dwconv_s8.pack && !t_fast.dwconv_s8.scratch_size);
    cr_assert(t_fast.fc_s8.pack && t_fast.fc_s8.scratch_size);
    /* int8 pack: 16-channel panels of K rounded up to 4, then the weight sums */
    const eb_conv_params p = {1, 4, 4, 30, 4, 4, 20, 1, 1, 1, 1, 0, 0, 0, 0, EB_ACT_NONE};
    cr_assert_eq(t_fast.conv2d_s8.pack_size(&p), 32 * 32 + 32 * sizeof(int32_t));
}

/* The selection auto makes, replayed over the ISA table for a CPU with `cpu`: every row
 * in order, each kernel where the CPU has its needs (as eb_kernels_select does for the
 * CPU it runs on). */
static eb_kernel_set auto_for(eb_features cpu)
{
    eb_kernel_set ks;
    eb_kernels_fill_isa(EB_ISA_REF, &ks);
    for (int i = 1; i < EB_ISA_COUNT; i++) {
        const eb_isa_info *ii = eb_isa_get((eb_isa)i);
        if (ii->fill && (ii->needs & ~cpu) == 0)
            ii->fill(&ks, cpu, NULL);
    }
    return ks;
}

Test(avxvnni_set, auto_prefers_amx_then_avx512_vnni_then_avx_vnni_then_avx2)
{
    if (!eb_isa_compiled(EB_ISA_AVXVNNI) || !eb_isa_compiled(EB_ISA_AVX512))
        cr_skip_test("this build has no avxvnni or avx512 kernels");
    const eb_features avx2 = EB_F(AVX2) | EB_F(FMA);
    const eb_features avx512 = EB_F(AVX512F) | EB_F(AVX512BW) | EB_F(AVX512VL);
    /* Alder Lake, N100: AVX-VNNI, no AVX-512 */
    eb_kernel_set ks = auto_for(avx2 | EB_F(AVXVNNI));
    cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_AVXVNNI);
    cr_expect_eq(ks.dwconv_s8.isa, EB_ISA_AVXVNNI);
    cr_expect_eq(ks.fc_s8.isa, EB_ISA_AVXVNNI);
    cr_expect_eq(ks.conv2d_f32.isa, EB_ISA_AVX2);
    cr_expect_eq(ks.add_s8.isa, EB_ISA_AVX2);
    /* Zen 5 (both VNNIs): the zmm kernels win; Sapphire Rapids adds AMX for conv and fc */
    ks = auto_for(avx2 | avx512 | EB_F(AVX512VNNI) | EB_F(AVXVNNI));
    cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_AVX512);
    cr_expect_eq(ks.dwconv_s8.isa, EB_ISA_AVX512);
    cr_expect_eq(ks.fc_s8.isa, EB_ISA_AVX512);
    if (eb_isa_compiled(EB_ISA_AMX)) {
        ks = auto_for(avx2 | avx512 | EB_F(AVX512VNNI) | EB_F(AVXVNNI) | EB_F(AMXTILE) |
                      EB_F(AMXINT8));
        cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_AMX);
        cr_expect_eq(ks.dwconv_s8.isa, EB_ISA_AVX512);
    }
    /* Ice Lake server: AVX512-VNNI only */
    ks = auto_for(avx2 | avx512 | EB_F(AVX512VNNI));
    cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_AVX512);
    /* Skylake-SP: AVX-512 without any VNNI; Haswell: AVX2 only */
    ks = auto_for(avx2 | avx512);
    cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_AVX2);
    cr_expect_eq(ks.conv2d_f32.isa, EB_ISA_AVX512);
    ks = auto_for(avx2);
    cr_expect_eq(ks.fc_s8.isa, EB_ISA_AVX2);
    /* AVX-VNNI alone is not enough: the set builds on AVX2+FMA */
    ks = auto_for(EB_F(AVXVNNI));
    cr_expect_eq(ks.conv2d_s8.isa, EB_ISA_REF);
}

Test(avxvnni_set, auto_and_forced_on_this_cpu)
{
    eb_kernel_set ks;
    cr_assert_eq(eb_kernels_select(EB_KSET_AUTO, &ks), EB_OK);
    const bool vnni256 = eb_isa_runnable(EB_ISA_AVXVNNI);
    /* auto takes avxvnni for an op exactly when no later row can run that op here */
    cr_assert_eq(ks.conv2d_s8.isa, t_auto_isa(EB_KOP_conv2d_s8), "auto chose %s", ks.conv2d_s8.name);
    cr_assert_eq(ks.dwconv_s8.isa, t_auto_isa(EB_KOP_dwconv_s8), "auto chose %s", ks.dwconv_s8.name);
    cr_assert_eq(ks.fc_s8.isa, t_auto_isa(EB_KOP_fc_s8), "auto chose %s", ks.fc_s8.name);
    if (vnni256) {
        const bool wider = eb_isa_runnable(EB_ISA_AVX512) &&
                           eb_cpu_has(eb_kernel_needs(EB_ISA_AVX512, EB_KOP_dwconv_s8));
        cr_assert_eq(ks.dwconv_s8.isa, wider ? EB_ISA_AVX512 : EB_ISA_AVXVNNI);
    }
    eb_status st = eb_kernels_select(EB_KSET_AVXVNNI, &ks);
    cr_assert_eq(st, vnni256 ? EB_OK : EB_ERR_UNSUPPORTED);
    if (vnni256) {
        cr_assert(eb_cpu_has(EB_F(AVX2) | EB_F(FMA) | EB_F(AVXVNNI)));
        cr_assert_eq(ks.conv2d_s8.isa, EB_ISA_AVXVNNI, "forced over avx512 too");
    } else {
        char why[128];
        cr_assert(eb_kset_why_not(EB_KSET_AVXVNNI, why, sizeof why) != NULL);
    }
}

/* Every int8 zoo architecture, dense and with half its channels (odd channel counts),
 * built with --kernels avxvnni, against ref on a few inputs. Under the sanitizers the
 * MobileNets other than V2 are left out (minutes with ref kernels). */
static const char *const e2e_models[] = {
    "ds_cnn_int8",          "ds_cnn_int8_c50",          "vww_mobilenet_v1_025_int8",
    "vww_mobilenet_v1_025_int8_c50", "resnet8_int8",     "resnet8_int8_c50",
    "fc_autoencoder_int8",  "fc_autoencoder_int8_c50",  "ds_cnn_int8_p75",
    "mobilenet_v2_int8",
#if !defined(EB_SANITIZED)
    "mobilenet_v2_int8_c50", "mobilenet_v1_int8",       "mobilenet_v1_int8_c50",
#endif
};

static void *run_once(const eb_model *m, int threads, uint32_t index)
{
    const eb_model_info *info = eb_model_get_info(m);
    eb_context *c;
    cr_assert_eq(eb_context_create_threads(m, threads, &c), EB_OK);
    eb_context_fill_input(c, index);
    eb_context_run(c);
    void *out = malloc(info->output_bytes);
    cr_assert(out);
    memcpy(out, eb_context_output(c), info->output_bytes);
    eb_context_free(c);
    return out;
}

Test(avxvnni_set, int8_zoo_models_bit_exact_to_ref, .timeout = 600)
{
    t_need_isa(&t_isa_avxvnni);
    for (size_t i = 0; i < sizeof e2e_models / sizeof e2e_models[0]; i++) {
        const char *name = e2e_models[i];
        eb_model *ref = NULL, *vnni = NULL;
        char err[512] = "";
        eb_model_options o = {EB_KSET_REF, NULL};
        cr_assert_eq(eb_model_build(name, &o, &ref, err, sizeof err), EB_OK, "%s: %s", name, err);
        cr_assert_eq(eb_model_with_kernels(ref, EB_KSET_AVXVNNI, &vnni, err, sizeof err), EB_OK,
                     "%s: %s", name, err);
        /* the model really runs avxvnni kernels for its int8 conv / dwconv / fc ops */
        const eb_model_info *info = eb_model_get_info(vnni);
        int ran = 0;
        for (int32_t op = 0; op < info->num_ops; op++) {
            eb_op_info oi;
            cr_assert_eq(eb_model_op_info(vnni, op, &oi), EB_OK);
            ran += strstr(oi.kernel, "_avxvnni") != NULL;
        }
        cr_assert(ran > 0, "%s: no op ran an avxvnni kernel", name);
        for (uint32_t input = 0; input < 3; input++) {
            /* input 2 also split over 3 threads: each kernel then runs on bands of rows */
            const int threads = input == 2 ? 3 : 1;
            void *a = run_once(ref, 1, input), *b = run_once(vnni, threads, input);
            cr_expect(memcmp(a, b, info->output_bytes) == 0,
                      "%s input %u, %d thread(s): avxvnni output differs from ref", name, input,
                      threads);
            free(a);
            free(b);
        }
        eb_model_free(vnni);
        eb_model_free(ref);
    }
}
