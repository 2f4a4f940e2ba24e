/* peak_avxvnni.c - the AVX-VNNI multiply-add chain of peak.h. Compiled with the avxvnni
 * flags (bench/CMakeLists.txt) on x86-64 only; peak.c calls it only when the CPU can run
 * the avxvnni kernel set. */
#if defined(__AVX2__) && defined(__AVXVNNI__)
#include <stdint.h>

#include "peak.h"

/* 12 chains of VEX vpdpbusd ymm (u8 x s8 -> s32, 32 multiply-adds each; latency 5 x 2
 * ports = 10 in flight needed). In asm so the compiler can neither drop the unused
 * results nor spill; {vex} so that the assembler does not pick the EVEX form, which
 * needs AVX-512; register contents do not affect the timing of integer instructions. */
#define EB_Y_DP(k) "%{vex%} vpdpbusd %%ymm15, %%ymm14, %%ymm" #k "\n\t"
#define EB_Y_ZERO(k) "vpxor %%ymm" #k ", %%ymm" #k ", %%ymm" #k "\n\t"
#define EB_Y12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

double eb_peak_s8_avxvnni(uint64_t iters)
{
    uint64_t n = iters;
    if (n == 0)
        return 0.0;
    __asm__ volatile(EB_Y_ZERO(14) EB_Y_ZERO(15)
                     "1:\n\t" EB_Y12(EB_Y_DP)
                     "dec %0\n\t"
                     "jnz 1b\n\t"
                     "vzeroupper"
                     : "+r"(n)
                     :
                     : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm14", "xmm15");
    return 12.0 * 32.0 * 2.0 * (double)iters;
}
#endif
