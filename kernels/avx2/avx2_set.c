/* avx2_set.c - the AVX2+FMA kernels in the dispatch table (every op and datatype).
 * eb_kernels_select() only calls this when the CPU has AVX2, FMA and OS YMM support. */
#include "eb_avx2.h"
#include "eb_dispatch.h"

void eb_kernels_fill_avx2(eb_kernel_set *ks)
{
    ks->conv2d_f32 = (eb_conv_f32_kernel){"eb_conv2d_f32_avx2", EB_ISA_AVX2,
                                          eb_conv2d_f32_avx2_scratch_size,
                                          eb_conv2d_f32_avx2_pack_size, eb_conv2d_f32_avx2_pack,
                                          eb_conv2d_f32_avx2};
    ks->conv2d_s8 = (eb_conv_s8_kernel){"eb_conv2d_s8_avx2", EB_ISA_AVX2,
                                        eb_conv2d_s8_avx2_scratch_size,
                                        eb_conv2d_s8_avx2_pack_size, eb_conv2d_s8_avx2_pack,
                                        eb_conv2d_s8_avx2};
    ks->dwconv_f32 = (eb_conv_f32_kernel){"eb_dwconv_f32_avx2", EB_ISA_AVX2, NULL, NULL, NULL,
                                          eb_dwconv_f32_avx2};
    ks->dwconv_s8 = (eb_conv_s8_kernel){"eb_dwconv_s8_avx2", EB_ISA_AVX2, NULL,
                                        eb_dwconv_s8_avx2_pack_size, eb_dwconv_s8_avx2_pack,
                                        eb_dwconv_s8_avx2};
    ks->fc_f32 = (eb_fc_f32_kernel){"eb_fc_f32_avx2", EB_ISA_AVX2, NULL, eb_fc_f32_avx2_pack_size,
                                    eb_fc_f32_avx2_pack, eb_fc_f32_avx2};
    ks->fc_s8 = (eb_fc_s8_kernel){"eb_fc_s8_avx2", EB_ISA_AVX2, eb_fc_s8_avx2_scratch_size,
                                  eb_fc_s8_avx2_pack_size, eb_fc_s8_avx2_pack, eb_fc_s8_avx2};
    ks->spfc_f32 = (eb_spfc_f32_kernel){"eb_spfc_f32_avx2", EB_ISA_AVX2, eb_spfc_f32_avx2};
    ks->spfc_s8 = (eb_spfc_s8_kernel){"eb_spfc_s8_avx2", EB_ISA_AVX2, eb_spfc_s8_avx2};
    ks->avgpool_f32 = (eb_pool_f32_kernel){"eb_avgpool_f32_avx2", EB_ISA_AVX2, eb_avgpool_f32_avx2};
    ks->avgpool_s8 = (eb_pool_s8_kernel){"eb_avgpool_s8_avx2", EB_ISA_AVX2, eb_avgpool_s8_avx2};
    ks->maxpool_f32 = (eb_pool_f32_kernel){"eb_maxpool_f32_avx2", EB_ISA_AVX2, eb_maxpool_f32_avx2};
    ks->maxpool_s8 = (eb_pool_s8_kernel){"eb_maxpool_s8_avx2", EB_ISA_AVX2, eb_maxpool_s8_avx2};
    ks->gap_f32 = (eb_gap_f32_kernel){"eb_gap_f32_avx2", EB_ISA_AVX2, eb_gap_f32_avx2};
    ks->gap_s8 = (eb_gap_s8_kernel){"eb_gap_s8_avx2", EB_ISA_AVX2, eb_gap_s8_avx2};
    ks->add_f32 = (eb_add_f32_kernel){"eb_add_f32_avx2", EB_ISA_AVX2, eb_add_f32_avx2};
    ks->add_s8 = (eb_add_s8_kernel){"eb_add_s8_avx2", EB_ISA_AVX2, eb_add_s8_avx2};
    ks->softmax_f32 = (eb_softmax_f32_kernel){"eb_softmax_f32_avx2", EB_ISA_AVX2,
                                              eb_softmax_f32_avx2};
    ks->softmax_s8 = (eb_softmax_s8_kernel){"eb_softmax_s8_avx2", EB_ISA_AVX2, eb_softmax_s8_avx2};
}
