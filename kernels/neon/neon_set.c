/* neon_set.c - the NEON kernels in the dispatch table. Every op has a NEON kernel;
 * with the dot-product extension the GEMM-like int8 ops (conv2d, fc) take the SDOT
 * versions instead of the ARMv8.0 ones. */
#include "eb_dispatch.h"
#include "neon_kernels.h"

void eb_kernels_fill_neon(eb_kernel_set *ks, bool has_dotprod)
{
    ks->conv2d_f32 = (eb_conv_f32_kernel){"eb_conv2d_f32_neon", EB_ISA_NEON,
                                          eb_conv2d_f32_neon_scratch_size,
                                          eb_conv2d_f32_neon_pack_size,
                                          eb_conv2d_f32_neon_pack, eb_conv2d_f32_neon};
    ks->conv2d_s8 = (eb_conv_s8_kernel){"eb_conv2d_s8_neon", EB_ISA_NEON,
                                        eb_conv2d_s8_neon_scratch_size,
                                        eb_conv2d_s8_neon_pack_size, eb_conv2d_s8_neon_pack,
                                        eb_conv2d_s8_neon};
    ks->dwconv_f32 = (eb_conv_f32_kernel){"eb_dwconv_f32_neon", EB_ISA_NEON, NULL, NULL, NULL,
                                          eb_dwconv_f32_neon};
    ks->dwconv_s8 = (eb_conv_s8_kernel){"eb_dwconv_s8_neon", EB_ISA_NEON, NULL, NULL, NULL,
                                        eb_dwconv_s8_neon};
    ks->fc_f32 = (eb_fc_f32_kernel){"eb_fc_f32_neon", EB_ISA_NEON, NULL,
                                    eb_fc_f32_neon_pack_size, eb_fc_f32_neon_pack,
                                    eb_fc_f32_neon};
    ks->fc_s8 = (eb_fc_s8_kernel){"eb_fc_s8_neon", EB_ISA_NEON, NULL, eb_fc_s8_neon_pack_size,
                                  eb_fc_s8_neon_pack, eb_fc_s8_neon};
    ks->spfc_f32 = (eb_spfc_f32_kernel){"eb_spfc_f32_neon", EB_ISA_NEON, eb_spfc_f32_neon};
    ks->spfc_s8 = (eb_spfc_s8_kernel){"eb_spfc_s8_neon", EB_ISA_NEON, eb_spfc_s8_neon};
    ks->avgpool_f32 =
        (eb_pool_f32_kernel){"eb_avgpool_f32_neon", EB_ISA_NEON, eb_avgpool_f32_neon};
    ks->avgpool_s8 = (eb_pool_s8_kernel){"eb_avgpool_s8_neon", EB_ISA_NEON, eb_avgpool_s8_neon};
    ks->maxpool_f32 =
        (eb_pool_f32_kernel){"eb_maxpool_f32_neon", EB_ISA_NEON, eb_maxpool_f32_neon};
    ks->maxpool_s8 = (eb_pool_s8_kernel){"eb_maxpool_s8_neon", EB_ISA_NEON, eb_maxpool_s8_neon};
    ks->gap_f32 = (eb_gap_f32_kernel){"eb_gap_f32_neon", EB_ISA_NEON, eb_gap_f32_neon};
    ks->gap_s8 = (eb_gap_s8_kernel){"eb_gap_s8_neon", EB_ISA_NEON, eb_gap_s8_neon};
    ks->add_f32 = (eb_add_f32_kernel){"eb_add_f32_neon", EB_ISA_NEON, eb_add_f32_neon};
    ks->add_s8 = (eb_add_s8_kernel){"eb_add_s8_neon", EB_ISA_NEON, eb_add_s8_neon};
    ks->softmax_f32 =
        (eb_softmax_f32_kernel){"eb_softmax_f32_neon", EB_ISA_NEON, eb_softmax_f32_neon};
    ks->softmax_s8 =
        (eb_softmax_s8_kernel){"eb_softmax_s8_neon", EB_ISA_NEON, eb_softmax_s8_neon};

#if defined(EB_HAVE_NEON_DOT)
    if (has_dotprod) {
        ks->conv2d_s8 = (eb_conv_s8_kernel){"eb_conv2d_s8_neondot", EB_ISA_NEON_DOT,
                                            eb_conv2d_s8_neon_scratch_size,
                                            eb_conv2d_s8_neondot_pack_size,
                                            eb_conv2d_s8_neondot_pack, eb_conv2d_s8_neondot};
        ks->fc_s8 = (eb_fc_s8_kernel){"eb_fc_s8_neondot", EB_ISA_NEON_DOT, NULL,
                                      eb_fc_s8_neondot_pack_size, eb_fc_s8_neondot_pack,
                                      eb_fc_s8_neondot};
    }
#else
    (void)has_dotprod; /* ARMv7 builds have no SDOT kernels */
#endif
}
