/* peak_amx.h - AMX int8 ceilings for bench kernels and eb_amx_bench (peak_amx.c). Each runs `iters`
 * iterations on the calling thread and returns the multiply-adds done. */
#ifndef EB_PEAK_AMX_H
#define EB_PEAK_AMX_H

#include <stdint.h>

double eb_amx_peak_chain(uint64_t iters);        /* 6 TDPBUSD chains, zero tiles in registers */
double eb_amx_peak_chain_random(uint64_t iters); /* the same with random operand tiles */
double eb_amx_peak_reload(uint64_t iters); /* 2 x 2 block, 4 tile loads (random) per 4 TDPBUSD */

#endif
