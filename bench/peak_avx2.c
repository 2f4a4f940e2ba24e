/* peak_avx2.c - the AVX2 multiply-add chains of peak.h. The only file of bench/ that is
 * compiled with -mavx2 -mfma (bench/CMakeLists.txt), and only on x86-64; peak.c calls it
 * only when the CPU has AVX2+FMA. */
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <stdint.h>

#include "peak.h"

static volatile float sink_f;

/* 12 independent FMA chains: FMA latency 4 x 2 ports = 8 in flight needed; 12 leaves
 * margin. acc = acc * a + b with |a| < 1 stays finite and normal. */
double eb_peak_f32_avx2(uint64_t iters)
{
    const __m256 a = _mm256_set1_ps(0.9990234375f), b = _mm256_set1_ps(0.0009765625f);
    __m256 c0 = _mm256_set1_ps(1.0f), c1 = _mm256_set1_ps(2.0f), c2 = _mm256_set1_ps(3.0f);
    __m256 c3 = _mm256_set1_ps(4.0f), c4 = _mm256_set1_ps(5.0f), c5 = _mm256_set1_ps(6.0f);
    __m256 c6 = _mm256_set1_ps(7.0f), c7 = _mm256_set1_ps(8.0f), c8 = _mm256_set1_ps(9.0f);
    __m256 c9 = _mm256_set1_ps(10.0f), c10 = _mm256_set1_ps(11.0f), c11 = _mm256_set1_ps(12.0f);
    for (uint64_t i = 0; i < iters; i++) {
        c0 = _mm256_fmadd_ps(c0, a, b);
        c1 = _mm256_fmadd_ps(c1, a, b);
        c2 = _mm256_fmadd_ps(c2, a, b);
        c3 = _mm256_fmadd_ps(c3, a, b);
        c4 = _mm256_fmadd_ps(c4, a, b);
        c5 = _mm256_fmadd_ps(c5, a, b);
        c6 = _mm256_fmadd_ps(c6, a, b);
        c7 = _mm256_fmadd_ps(c7, a, b);
        c8 = _mm256_fmadd_ps(c8, a, b);
        c9 = _mm256_fmadd_ps(c9, a, b);
        c10 = _mm256_fmadd_ps(c10, a, b);
        c11 = _mm256_fmadd_ps(c11, a, b);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                             _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    sink_f = _mm256_cvtss_f32(s);
    return 12.0 * 8.0 * 2.0 * (double)iters;
}

/* 6 chains of u8 x s8 pair products (vpmaddubsw), pair sums to int32 (vpmaddwd with
 * ones) and accumulation (vpaddd): 32 multiply-adds per chain step. Written in asm so
 * the compiler can neither drop the unused results nor spill; register contents do not
 * affect integer timing. ymm13 = ones (int16), ymm14/15 = operands. */
#define EB_I8_STEP(t, acc)                                                               \
    "vpmaddubsw %%ymm15, %%ymm14, %%ymm" #t "\n\t"                                        \
    "vpmaddwd %%ymm13, %%ymm" #t ", %%ymm" #t "\n\t"                                      \
    "vpaddd %%ymm" #t ", %%ymm" #acc ", %%ymm" #acc "\n\t"

double eb_peak_s8_avx2(uint64_t iters)
{
    uint64_t n = iters;
    if (n == 0)
        return 0.0;
    __asm__ volatile("vpcmpeqw %%ymm13, %%ymm13, %%ymm13\n\t"
                     "vpsrlw $15, %%ymm13, %%ymm13\n\t"
                     "1:\n\t" EB_I8_STEP(0, 6) EB_I8_STEP(1, 7) EB_I8_STEP(2, 8)
                         EB_I8_STEP(3, 9) EB_I8_STEP(4, 10) EB_I8_STEP(5, 11)
                     "dec %0\n\t"
                     "jnz 1b\n\t"
                     "vzeroupper"
                     : "+r"(n)
                     :
                     : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm13", "xmm14", "xmm15");
    return 6.0 * 32.0 * 2.0 * (double)iters;
}
#endif
