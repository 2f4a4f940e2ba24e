/* test_avx2_set.c - the AVX2 kernel set: every op and datatype of the table comes from
 * avx2 when forced (and under auto on an AVX2 CPU), names say so, and the kernels that
 * want packed weights or scratch expose the functions for them. */
#include "dispatch_test_util.h"
#include "avx2_test_util.h"

Test(avx2_set, forced_set_is_all_avx2)
{
    t_need_avx2();
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&t_avx2, info, 64);
    cr_assert_eq(n, EB_KOP_COUNT, "%zu entries", n);
    for (size_t i = 0; i < n; i++) {
        if (t_ref_only(info[i].op)) {
            cr_assert_eq(info[i].isa, EB_ISA_REF, "%s", info[i].name);
            continue;
        }
        cr_assert_eq(info[i].isa, EB_ISA_AVX2, "%s %s is %s", info[i].op, info[i].dtype,
                     info[i].name);
        cr_assert(strstr(info[i].name, "_avx2") != NULL, "%s", info[i].name);
    }
    eb_kernel_set autos;
    cr_assert_eq(eb_kernels_select(EB_KSET_AUTO, &autos), EB_OK);
    /* auto: the conv2d of the best set over AVX2 this CPU has (avxvnni, avx512, amx) */
    cr_assert_eq(autos.conv2d_s8.isa, t_auto_isa(EB_KOP_conv2d_s8), "%s", autos.conv2d_s8.name);
    if (t_auto_isa(EB_KOP_conv2d_s8) == EB_ISA_AVX2)
        cr_assert_str_eq(autos.conv2d_s8.name, "eb_conv2d_s8_avx2");
    cr_assert_str_eq(autos.softmax_f32.name, "eb_softmax_f32_avx2");
}

Test(avx2_set, pack_and_scratch_hooks)
{
    t_need_avx2();
    cr_assert(t_avx2.conv2d_f32.pack_size && t_avx2.conv2d_f32.pack);
    cr_assert(t_avx2.conv2d_s8.pack_size && t_avx2.conv2d_s8.pack && t_avx2.conv2d_s8.scratch_size);
    cr_assert(t_avx2.dwconv_s8.pack_size && t_avx2.dwconv_s8.pack);
    cr_assert(t_avx2.fc_f32.pack_size && t_avx2.fc_s8.pack_size && t_avx2.fc_s8.scratch_size);
    eb_conv_params p = {1, 8, 8, 16, 8, 8, 32, 1, 1, 1, 1, 0, 0, 0, 0, EB_ACT_NONE};
    cr_assert_eq(t_avx2.conv2d_f32.scratch_size(&p), 0, "a 1x1 conv reads its input in place");
    cr_assert_geq(t_avx2.conv2d_f32.pack_size(&p), 32 * 16 * sizeof(float));
}
