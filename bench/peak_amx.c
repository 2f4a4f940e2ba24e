/* peak_amx.c - the AMX multiply-add ceilings that bench kernels (peak.c) and eb_amx_bench
 * compare the kernels with. Built with the amx set's flags (the ISA table), and to
 * nothing where that set is not built; call only after eb_amx_enable() succeeded.
 *  - chain: 6 accumulator tiles (16 x 16 int32) each += a 16 x 64 u8 tile times a
 *    16 x 64 s8 tile (TDPBUSD), all tiles in registers: the tile unit's own rate. With
 *    zero operands (as ../shared/peers/xnnpack/peak2.c measures it) or with random
 *    bytes, as real layers have: TDPBUSD takes longer on random data (measured about
 *    1.2 to 1.5 times on this Xeon), so both are reported.
 *  - reload: the 2 x 2 block of the kernels' inner loop (4 tile loads of random bytes
 *    from L1, then 4 TDPBUSD), the best the GEMM core can do on one core. */
#if defined(EB_HAVE_AMX)
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "peak_amx.h"

typedef struct {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} peak_cfg;

static void config_full(void)
{
    _Alignas(64) peak_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.rows[t] = 16;
        cfg.colsb[t] = 64;
    }
    __asm__ volatile("" ::: "memory");
    _tile_loadconfig(&cfg);
}

/* 4 KiB of zeros, and 4 KiB of pseudo-random bytes (filled on first use) */
static _Alignas(64) uint8_t peak_src[4 * 1024], peak_rnd[4 * 1024];

static const uint8_t *random_src(void)
{
    if (!peak_rnd[0]) {
        uint32_t x = 0x12345678u;
        for (size_t i = 0; i < sizeof peak_rnd; i++) {
            x = x * 1664525u + 1013904223u;
            peak_rnd[i] = (uint8_t)(x >> 24);
        }
        peak_rnd[0] |= 1;
    }
    return peak_rnd;
}

static double chain(uint64_t iters, const uint8_t *src)
{
    config_full();
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    _tile_zero(4);
    _tile_zero(5);
    _tile_loadd(6, src, 64);
    _tile_loadd(7, src + 1024, 64);
    for (uint64_t i = 0; i < iters; i++) {
        _tile_dpbusd(0, 6, 7);
        _tile_dpbusd(1, 6, 7);
        _tile_dpbusd(2, 6, 7);
        _tile_dpbusd(3, 6, 7);
        _tile_dpbusd(4, 6, 7);
        _tile_dpbusd(5, 6, 7);
    }
    _tile_release();
    return 6.0 * 16 * 16 * 64 * (double)iters;
}

double eb_amx_peak_chain(uint64_t iters)
{
    return chain(iters, peak_src);
}

double eb_amx_peak_chain_random(uint64_t iters)
{
    return chain(iters, random_src());
}

double eb_amx_peak_reload(uint64_t iters)
{
    const uint8_t *src = random_src();
    config_full();
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (uint64_t i = 0; i < iters; i++) {
        _tile_loadd(4, src, 64);
        _tile_loadd(6, src + 1024, 64);
        _tile_loadd(7, src + 2048, 64);
        _tile_loadd(5, src + 3072, 64);
        _tile_dpbusd(0, 4, 6);
        _tile_dpbusd(1, 4, 7);
        _tile_dpbusd(2, 5, 6);
        _tile_dpbusd(3, 5, 7);
    }
    _tile_release();
    return 4.0 * 16 * 16 * 64 * (double)iters;
}

/* peak.h's row: ops (2 per multiply-add) of the register-only chain */
double eb_peak_s8_amx(uint64_t iters)
{
    return 2.0 * eb_amx_peak_chain(iters);
}
#endif
