/* eb_amx.h - the AMX int8 kernels (conv2d and fully connected through TDPBUSD) and the
 * process-wide AMX permission they need. Plain C, no intrinsics: callable from files
 * built for the baseline ISA. The kernel files of this folder are compiled with
 * -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mamx-tile -mamx-int8; amx_enable.c is
 * not (it runs on any x86-64 CPU to find out whether the rest may run).
 *
 * Permission: Linux hands out AMX tile state only on request. The feature table
 * (../include/eb_features.inc, detected in dispatch.c) checks CPUID.(7,0):EDX bits 24
 * (AMX-TILE) and 25 (AMX-INT8), that the OS enabled XSAVE and the tile state in XCR0
 * (bits 17 XTILECFG and 18 XTILEDATA), then calls arch_prctl(ARCH_REQ_XCOMP_PERM,
 * XFEATURE_XTILEDATA) once; the amx set of the ISA table needs both features, so dispatch
 * never picks it without the permission. The permission is process wide (every thread,
 * present and future; kept across fork, dropped by exec), so one successful request
 * before the first kernel covers a thread pool too. No kernel of this
 * folder may run before eb_amx_enable() returned true (asserted in debug builds): a
 * tile instruction without the permission kills the process with SIGILL.
 *
 * Kernels: same signatures and semantics as the ref kernels (eb_kernels.h) and the
 * avx512 set (../avx512/eb_avx512.h). Differences:
 *  - weights are repacked once (pack_size/pack, 64-byte aligned `packed`) into the
 *    B-tile layout: panels of 16 output channels (the channel count padded to 32), each
 *    kp / 4 rows of 64 bytes, row t holding for each of the 16 channels its 4 weights of
 *    depth 4t..4t+3 (the VNNI layout TDPBUSD reads), zero outside the matrix. kp is the
 *    depth padded to a multiple of 4 and, past 64, to a multiple of 64 (one tile step).
 *  - unlike the avx512 pack, the pack READS q and bias (bias may be NULL) and folds
 *    them in: bias - (in_zp + 128) * sum(w) per channel (the +128 makes activations
 *    unsigned, as in the avx512 set) and each block's requantization constants. The
 *    run must get the same q and bias (debug builds check q's scalars); the tile path
 *    reads neither bias nor w at run time.
 *  - both kernels want scratch of their scratch_size() (64-byte aligned): chunks of
 *    rows of x + 128 as uint8 and two 4 KiB tile buffers.
 *  - fewer than 4 output rows (batch of a fully connected layer, output pixels of a
 *    conv): they run, pack and size as the avx512 kernels (a tile row or two wastes
 *    most of every TDPBUSD; VNNI was faster there).
 *  - int8 results are bit-exact to ref for parameters that passed validation.
 *  - a call configures the tiles once (LDTILECFG) and releases them (TILERELEASE) at
 *    the end; it never allocates, prints or fails.
 */
#ifndef EB_AMX_H
#define EB_AMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "eb_dispatch.h"
#include "eb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Checks the CPU and OS and requests the tile permission (feature detection, once per
 * process). On false, writes why into why[0..n) (a sentence); why may be NULL. */
static inline bool eb_amx_enable(char *why, size_t n)
{
    const eb_features need = EB_F(AMXTILE) | EB_F(AMXINT8);
    if (eb_cpu_has(need)) {
        if (why && n)
            why[0] = '\0';
        return true;
    }
    if (why && n) {
        const char *w = eb_feature_why(EB_FEAT_AMXTILE);
        if (!w)
            w = eb_feature_why(EB_FEAT_AMXINT8);
        char lack[64];
        snprintf(why, n, "no %s: %s", eb_features_str(need & ~eb_cpu_detect(), "+", lack, sizeof lack),
                 w ? w : "the CPU lacks it (CPUID.(7,0):EDX bits 24-25)");
    }
    return false;
}

/* true when the tile permission is held (detection has run and succeeded). */
static inline bool eb_amx_ready(void)
{
    return eb_cpu_has(EB_F(AMXTILE) | EB_F(AMXINT8));
}

size_t eb_conv2d_s8_amx_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_s8_amx_pack_size(const eb_conv_params *p);
void eb_conv2d_s8_amx_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                           const int32_t *bias, void *packed);
void eb_conv2d_s8_amx(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch);

size_t eb_fc_s8_amx_scratch_size(const eb_fc_params *p);
size_t eb_fc_s8_amx_pack_size(const eb_fc_params *p);
void eb_fc_s8_amx_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                       const int32_t *bias, void *packed);
void eb_fc_s8_amx(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                  const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                  void *scratch);

#ifdef __cplusplus
}
#endif
#endif
