/* test_avx512_set.c - the avx512 kernel set: conv2d, depthwise and fc (fp32, int8)
 * come from kernels/avx512, every other op falls back to AVX2; auto picks it only when the CPU
 * has it; the feature bits it needs imply AVX-512F and AVX2+FMA. */
#include "opt_test_util.h"

Test(avx512_set, conv_dwconv_fc_avx512_rest_avx2)
{
    t_need_avx512();
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&t_fast, info, 64);
    cr_assert_eq(n, 18);
    int fast = 0;
    for (size_t i = 0; i < n; i++) {
        const bool gemm = !strcmp(info[i].op, "conv2d") || !strcmp(info[i].op, "fc") ||
                          !strcmp(info[i].op, "dwconv");
        cr_assert_eq(info[i].isa, gemm ? EB_ISA_AVX512 : EB_ISA_AVX2, "%s", info[i].name);
        cr_assert(strstr(info[i].name, gemm ? "_avx512" : "_avx2") != NULL, "%s", info[i].name);
        fast += gemm;
    }
    cr_assert_eq(fast, 6);
}

Test(avx512_set, auto_follows_the_cpu)
{
    eb_kernel_set ks;
    cr_assert_eq(eb_kernels_select(EB_KSET_AUTO, &ks), EB_OK);
    const bool have = eb_isa_runnable(EB_ISA_AVX512);
    cr_assert_eq(ks.conv2d_s8.isa == EB_ISA_AVX512, have);
    cr_assert_eq(ks.fc_f32.isa == EB_ISA_AVX512, have);
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX512, &ks), have ? EB_OK : EB_ERR_UNSUPPORTED);
    const eb_cpu_features *f = eb_cpu_detect();
    if (f->avx512_vnni)
        cr_assert(f->avx512f && f->avx2_fma);
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
