/* peak_avx512.c - the AVX-512 multiply-add chains of peak.h. Compiled with the avx512
 * flags (bench/CMakeLists.txt) on x86-64 only; peak.c calls it only when the CPU can run
 * the avx512 kernel set. */
#if defined(__AVX512F__) && defined(__AVX512VNNI__)
#include <immintrin.h>
#include <stdint.h>

#include "peak.h"

/* 12 chains of vfmadd231ps zmm (latency 4 x 2 pipes = 8 in flight needed) and 12 of
 * vpdpbusd zmm (u8 x s8 -> s32, 64 multiply-adds each). Written in asm so the compiler
 * can neither drop the unused results nor spill; register contents do not affect the
 * timing of integer instructions; the FMA chains start at 0 and add 0 * 0 (no
 * denormals, no NaN). */
#define EB_Z_FMA(k) "vfmadd231ps %%zmm31, %%zmm30, %%zmm" #k "\n\t"
#define EB_Z_DP(k) "vpdpbusd %%zmm31, %%zmm30, %%zmm" #k "\n\t"
#define EB_Z_ZERO(k) "vpxord %%zmm" #k ", %%zmm" #k ", %%zmm" #k "\n\t"
#define EB_Z12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define EB_Z_CLOBBER                                                                     \
    "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",  \
        "xmm10", "xmm11", "xmm30", "xmm31"

double eb_peak_f32_avx512(uint64_t iters)
{
    uint64_t n = iters;
    if (n == 0)
        return 0.0;
    __asm__ volatile(EB_Z12(EB_Z_ZERO) EB_Z_ZERO(30) EB_Z_ZERO(31)
                     "1:\n\t" EB_Z12(EB_Z_FMA)
                     "dec %0\n\t"
                     "jnz 1b\n\t"
                     "vzeroupper"
                     : "+r"(n)
                     :
                     : EB_Z_CLOBBER);
    return 12.0 * 16.0 * 2.0 * (double)iters;
}

double eb_peak_s8_avx512(uint64_t iters)
{
    uint64_t n = iters;
    if (n == 0)
        return 0.0;
    __asm__ volatile(EB_Z_ZERO(30) EB_Z_ZERO(31)
                     "1:\n\t" EB_Z12(EB_Z_DP)
                     "dec %0\n\t"
                     "jnz 1b\n\t"
                     "vzeroupper"
                     : "+r"(n)
                     :
                     : EB_Z_CLOBBER);
    return 12.0 * 64.0 * 2.0 * (double)iters;
}
#endif
