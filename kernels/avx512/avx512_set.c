/* avx512_set.c - the AVX-512 kernels in the dispatch table: conv2d and fully connected,
 * fp32 (AVX-512F FMA) and int8 (AVX512-VNNI vpdpbusd), and int8 depthwise (vpdpbusd).
 * eb_kernels_select() calls this after eb_kernels_fill_avx2, only when the CPU has
 * AVX512 F+BW+VL+VNNI with OS ZMM support, so every other op (fp32 depthwise, pools,
 * add, softmax, sparse fc) stays AVX2. */
#include "eb_avx512.h"
#include "eb_dispatch.h"

void eb_kernels_fill_avx512(eb_kernel_set *ks)
{
    ks->conv2d_f32 = (eb_conv_f32_kernel){"eb_conv2d_f32_avx512", EB_ISA_AVX512,
                                          eb_conv2d_f32_avx512_scratch_size,
                                          eb_conv2d_f32_avx512_pack_size,
                                          eb_conv2d_f32_avx512_pack, eb_conv2d_f32_avx512};
    ks->conv2d_s8 = (eb_conv_s8_kernel){"eb_conv2d_s8_avx512", EB_ISA_AVX512,
                                        eb_conv2d_s8_avx512_scratch_size,
                                        eb_conv2d_s8_avx512_pack_size,
                                        eb_conv2d_s8_avx512_pack, eb_conv2d_s8_avx512};
    ks->dwconv_s8 = (eb_conv_s8_kernel){"eb_dwconv_s8_avx512", EB_ISA_AVX512, NULL,
                                        eb_dwconv_s8_avx512_pack_size,
                                        eb_dwconv_s8_avx512_pack, eb_dwconv_s8_avx512};
    ks->fc_f32 = (eb_fc_f32_kernel){"eb_fc_f32_avx512", EB_ISA_AVX512, NULL,
                                    eb_fc_f32_avx512_pack_size, eb_fc_f32_avx512_pack,
                                    eb_fc_f32_avx512};
    ks->fc_s8 = (eb_fc_s8_kernel){"eb_fc_s8_avx512", EB_ISA_AVX512,
                                  eb_fc_s8_avx512_scratch_size, eb_fc_s8_avx512_pack_size,
                                  eb_fc_s8_avx512_pack, eb_fc_s8_avx512};
}
