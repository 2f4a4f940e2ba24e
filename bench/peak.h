/* peak.h - this machine's measured compute ceiling per ISA and datatype, the
 * denominator of "% of peak" in `edgebench bench kernels`.
 *
 * Method: a register-only loop of independent multiply-add chains, long enough to be
 * throughput-bound (more chains than latency x ports), timed on one thread.
 *  - fp32 AVX2: 12 chains of vfmadd231ps ymm; 16 flops per instruction.
 *  - int8 AVX2: 6 chains of vpmaddubsw + vpmaddwd + vpaddd (the multiply-add sequence
 *    of AVX2 without VNNI); 32 multiply-adds = 64 ops per sequence.
 *  - fp32 avx512: 12 chains of vfmadd231ps zmm; 32 flops per instruction.
 *  - int8 avxvnni: 12 chains of VEX vpdpbusd ymm; 32 multiply-adds = 64 ops each.
 *  - int8 avx512: 12 chains of vpdpbusd zmm; 64 multiply-adds = 128 ops each.
 *  - int8 amx: 6 chains of tdpbusd on 16x64 tiles kept in registers; 16x16x64
 *    multiply-adds each (zero operands, as ../peers' peak2 measures it).
 * Rates are in flop/s (fp32) or op/s (int8, 2 ops per multiply-add), like the kernel
 * rates they are compared with. */
#ifndef EB_PEAK_H
#define EB_PEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "eb_dispatch.h"

/* true when this binary can measure a peak for (isa, dtype) on this CPU */
bool eb_peak_available(eb_isa isa, eb_dtype dt);

/* One measurement lasting about `seconds`; ops per second, 0 when unavailable. */
double eb_peak_measure(eb_isa isa, eb_dtype dt, double seconds);

/* One run of `iters` chain iterations: returns the seconds it took and stores the ops
 * done in *ops (0 s and 0 ops when unavailable). For callers that calibrate once and
 * then take many short samples. */
double eb_peak_sample(eb_isa isa, eb_dtype dt, uint64_t iters, double *ops);

/* What the chain is, for reports ("12 chains of vfmadd231ps ymm"). */
const char *eb_peak_method(eb_isa isa, eb_dtype dt);

/* The AVX2 chains themselves (peak_avx2.c, compiled with -mavx2 -mfma on x86-64 only):
 * run `iters` iterations and return the ops done. Call only when AVX2 is runnable. */
#if defined(EB_HAVE_AVX2)
double eb_peak_f32_avx2(uint64_t iters);
double eb_peak_s8_avx2(uint64_t iters);
#endif
#if defined(EB_HAVE_AVXVNNI)
double eb_peak_s8_avxvnni(uint64_t iters); /* peak_avxvnni.c */
#endif
#if defined(EB_HAVE_AVX512)
double eb_peak_f32_avx512(uint64_t iters); /* peak_avx512.c */
double eb_peak_s8_avx512(uint64_t iters);
#endif
#if defined(EB_HAVE_AMX)
double eb_peak_s8_amx(uint64_t iters); /* peak_amx.c: 6 TDPBUSD chains, tiles in registers */
#endif

#endif
