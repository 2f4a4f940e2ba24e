/* ref_set.c - the scalar reference kernels in the dispatch table. */
#include "eb_dispatch.h"

void eb_kernels_fill_ref(eb_kernel_set *ks)
{
    ks->conv2d_f32 = (eb_conv_f32_kernel){"eb_conv2d_f32_ref", EB_ISA_REF,
                                          eb_conv2d_f32_ref_scratch_size, NULL, NULL,
                                          eb_conv2d_f32_ref};
    ks->conv2d_s8 = (eb_conv_s8_kernel){"eb_conv2d_s8_ref", EB_ISA_REF,
                                        eb_conv2d_s8_ref_scratch_size, NULL, NULL,
                                        eb_conv2d_s8_ref};
    ks->dwconv_f32 = (eb_conv_f32_kernel){"eb_dwconv_f32_ref", EB_ISA_REF, NULL, NULL, NULL,
                                          eb_dwconv_f32_ref};
    ks->dwconv_s8 = (eb_conv_s8_kernel){"eb_dwconv_s8_ref", EB_ISA_REF, NULL, NULL, NULL,
                                        eb_dwconv_s8_ref};
    ks->fc_f32 = (eb_fc_f32_kernel){"eb_fc_f32_ref", EB_ISA_REF, NULL, NULL, NULL,
                                    eb_fc_f32_ref};
    ks->fc_s8 = (eb_fc_s8_kernel){"eb_fc_s8_ref", EB_ISA_REF, NULL, NULL, NULL, eb_fc_s8_ref};
    ks->spfc_f32 = (eb_spfc_f32_kernel){"eb_spfc_f32_ref", EB_ISA_REF, eb_spfc_f32_ref};
    ks->spfc_s8 = (eb_spfc_s8_kernel){"eb_spfc_s8_ref", EB_ISA_REF, eb_spfc_s8_ref};
    ks->avgpool_f32 = (eb_pool_f32_kernel){"eb_avgpool_f32_ref", EB_ISA_REF, eb_avgpool_f32_ref};
    ks->avgpool_s8 = (eb_pool_s8_kernel){"eb_avgpool_s8_ref", EB_ISA_REF, eb_avgpool_s8_ref};
    ks->maxpool_f32 = (eb_pool_f32_kernel){"eb_maxpool_f32_ref", EB_ISA_REF, eb_maxpool_f32_ref};
    ks->maxpool_s8 = (eb_pool_s8_kernel){"eb_maxpool_s8_ref", EB_ISA_REF, eb_maxpool_s8_ref};
    ks->gap_f32 = (eb_gap_f32_kernel){"eb_gap_f32_ref", EB_ISA_REF, eb_gap_f32_ref};
    ks->gap_s8 = (eb_gap_s8_kernel){"eb_gap_s8_ref", EB_ISA_REF, eb_gap_s8_ref};
    ks->add_f32 = (eb_add_f32_kernel){"eb_add_f32_ref", EB_ISA_REF, eb_add_f32_ref};
    ks->add_s8 = (eb_add_s8_kernel){"eb_add_s8_ref", EB_ISA_REF, eb_add_s8_ref};
    ks->softmax_f32 = (eb_softmax_f32_kernel){"eb_softmax_f32_ref", EB_ISA_REF,
                                              eb_softmax_f32_ref};
    ks->softmax_s8 = (eb_softmax_s8_kernel){"eb_softmax_s8_ref", EB_ISA_REF, eb_softmax_s8_ref};
}
