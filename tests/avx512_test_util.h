/* avx512_test_util.h - for tests/test_avx512_*.c: the helpers of avx2_test_util.h (data,
 * requantization parameters that reach every branch, comparisons, and the fp32
 * tolerance EB_T_F32_TOL stated there) plus t_fast, the forced avx512 kernel set, with a
 * visible skip when the CPU (or build) lacks AVX512 F+BW+VL+VNNI. */
#ifndef EB_AVX512_TEST_UTIL_H
#define EB_AVX512_TEST_UTIL_H

#include "avx2_test_util.h"

static eb_kernel_set t_fast;

static inline void t_need_avx512(void)
{
    if (!eb_isa_runnable(EB_ISA_AVX512))
        cr_skip_test("this CPU (or build) has no AVX512 F+BW+VL+VNNI: avx512 kernel not tested");
    cr_assert_eq(eb_kernels_select(EB_KSET_REF, &t_ref), EB_OK);
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX512, &t_fast), EB_OK);
}

#endif
