/* test_avx512_set.c - the avx512 kernel set: conv2d, depthwise and fc (fp32, int8) and
 * the int8 add come from kernels/avx512, every other op falls back to AVX2; auto picks it only when the CPU
 * has it; the feature bits it needs imply AVX-512F and AVX2+FMA. */
#include "dispatch_test_util.h"
#include "opt_test_util.h"

Test(avx512_set, conv_dwconv_fc_avx512_rest_avx2)
{
    t_need_avx512();
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&t_fast, info, 64);
    cr_assert_eq(n, EB_KOP_COUNT);
    int fast = 0;
    for (size_t i = 0; i < n; i++) {
        const bool gemm = !strcmp(info[i].op, "conv2d") || !strcmp(info[i].op, "fc") ||
                          !strcmp(info[i].op, "dwconv") ||
                          (!strcmp(info[i].op, "add") && !strcmp(info[i].dtype, "s8"));
        if (t_ref_only(info[i].op)) { /* (dispatch_test_util.h) */
            cr_assert_eq(info[i].isa, EB_ISA_REF, "%s", info[i].name);
            continue;
        }
        cr_assert_eq(info[i].isa, gemm ? EB_ISA_AVX512 : EB_ISA_AVX2, "%s", info[i].name);
        cr_assert(strstr(info[i].name, gemm ? "_avx512" : "_avx2") != NULL, "%s", info[i].name);
        fast += gemm;
    }
    cr_assert_eq(fast, 7);
}

Test(avx512_set, auto_follows_the_cpu)
{
    eb_kernel_set ks;
    cr_assert_eq(eb_kernels_select(EB_KSET_AUTO, &ks), EB_OK);
    const bool have = eb_isa_runnable(EB_ISA_AVX512);
    const bool vnni = have && eb_cpu_has(EB_F(AVX512BW) | EB_F(AVX512VL) | EB_F(AVX512VNNI));
    /* int8 conv: avx512 with VNNI, unless a set above it (amx) has one too */
    cr_assert_eq(ks.conv2d_s8.isa, t_auto_isa(EB_KOP_conv2d_s8));
    cr_assert(ks.conv2d_s8.isa != EB_ISA_AVX2 || !vnni);
    cr_assert_eq(ks.dwconv_s8.isa == EB_ISA_AVX512, vnni);
    cr_assert_eq(ks.fc_f32.isa == EB_ISA_AVX512, have);
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX512, &ks), have ? EB_OK : EB_ERR_UNSUPPORTED);
    if (have)
        cr_assert(eb_cpu_has(EB_F(AVX512F) | EB_F(AVX2) | EB_F(FMA)));
}

/* Each kernel carries its own needs: on a CPU with AVX-512F but no VNNI (Skylake-SP,
 * Knights Landing) the fp32 kernels are avx512 and the int8 ones stay avx2. */
Test(avx512_set, fp32_kernels_need_avx512f_only)
{
    const eb_isa_info *ii = eb_isa_get(EB_ISA_AVX512);
    if (!ii->fill)
        cr_skip_test("this build has no avx512 kernels");
    eb_kernel_set ks;
    eb_kernels_fill_isa(EB_ISA_AVX2, &ks);
    ii->fill(&ks, EB_F(AVX2) | EB_F(FMA) | EB_F(AVX512F), NULL);
    cr_assert_eq(ks.conv2d_f32.isa, EB_ISA_AVX512);
    cr_assert_eq(ks.dwconv_f32.isa, EB_ISA_AVX512);
    cr_assert_eq(ks.fc_f32.isa, EB_ISA_AVX512);
    cr_assert_eq(ks.conv2d_s8.isa, EB_ISA_AVX2);
    cr_assert_eq(ks.dwconv_s8.isa, EB_ISA_AVX2);
    cr_assert_eq(ks.fc_s8.isa, EB_ISA_AVX2);
    cr_assert_eq(eb_kernel_needs(EB_ISA_AVX512, EB_KOP_conv2d_f32), 0);
    cr_assert_eq(eb_kernel_needs(EB_ISA_AVX512, EB_KOP_conv2d_s8),
                 EB_F(AVX512BW) | EB_F(AVX512VL) | EB_F(AVX512VNNI));
    cr_assert(!eb_isa_has_kernel(EB_ISA_AVX512, EB_KOP_add_f32));
}

Test(avx512_set, pack_and_scratch_hooks)
{
    t_need_avx512();
    cr_assert(t_fast.conv2d_f32.pack_size && t_fast.conv2d_f32.pack);
    cr_assert(t_fast.conv2d_s8.pack_size && t_fast.conv2d_s8.pack && t_fast.conv2d_s8.scratch_size);
    cr_assert(t_fast.fc_f32.pack_size && t_fast.fc_s8.pack_size && t_fast.fc_s8.scratch_size);
    const eb_conv_params p = {1, 4, 4, 32, 4, 4, 32, 1, 1, 1, 1, 0, 0, 0, 0, EB_ACT_NONE};
    cr_assert_eq(t_fast.conv2d_f32.scratch_size(&p), 0, "a 1x1 conv reads its input in place");
    /* int8 pack: 64-channel panels of K rounded up to 4, then the weight sums */
    cr_assert_eq(t_fast.conv2d_s8.pack_size(&p), 64 * 32 + 64 * sizeof(int32_t));
}
