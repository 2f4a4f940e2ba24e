/* avxvnni_util.h - the one instruction the AVX-VNNI kernels add to avx2_util.h (include
 * only from files built with the avxvnni flags). */
#ifndef EB_AVXVNNI_UTIL_H
#define EB_AVXVNNI_UTIL_H

#include "avx2/avx2_util.h"

/* acc += the 4-byte dot products of the u8 lanes of a with the s8 lanes of b (exact, no
 * saturation). In asm, as in ../avx512/gemm_s8_avx512.c: GCC 12 does not tie the
 * accumulator of _mm256_dpbusd_avx_epi32 to its output register and copied and spilled
 * the 12 accumulators of a tile on every step. {vex} (written %{vex%} in asm) because the assembler otherwise
 * picks the EVEX (AVX512-VNNI + VL) encoding, which a CPU without AVX-512 cannot run;
 * "x" keeps the registers to the 16 that VEX can name; b may come from memory. */
EB_INLINE __m256i eb_avxvnni_dpbusd(__m256i acc, __m256i a, __m256i b)
{
    __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(a), "xm"(b));
    return acc;
}

#endif
