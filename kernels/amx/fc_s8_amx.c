/* fc_s8_amx.c - int8 fully connected on the tile GEMM core (amx_gemm.h): one row of A
 * (x + 128 as uint8, zero-padded to the tile depth) per batch item. A batch below
 * EB_AMX_MIN_ROWS runs the avx512 kernel: a tile row or two would waste most of every
 * TDPBUSD while the weights stream, and VNNI was faster there (batch 1, 1024 -> 1000:
 * about 21 us with tiles, 18 us with VNNI on the Xeon of the README). */
#include <assert.h>

#include "../avx512/eb_avx512.h"
#include "amx_gemm.h"
#include "eb_amx.h"

static eb_amx_plan fc_plan(const eb_fc_params *p)
{
    return eb_amx_plan_make(p->batch, p->out_features, p->in_features);
}

size_t eb_fc_s8_amx_scratch_size(const eb_fc_params *p)
{
    if (p->batch < EB_AMX_MIN_ROWS)
        return eb_fc_s8_avx512_scratch_size(p);
    const eb_amx_plan pl = fc_plan(p);
    return eb_amx_scratch_bytes(&pl);
}

size_t eb_fc_s8_amx_pack_size(const eb_fc_params *p)
{
    if (p->batch < EB_AMX_MIN_ROWS)
        return eb_fc_s8_avx512_pack_size(p);
    const eb_amx_plan pl = fc_plan(p);
    return eb_amx_pack_bytes(&pl);
}

void eb_fc_s8_amx_pack(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                       const int32_t *bias, void *packed)
{
    if (p->batch < EB_AMX_MIN_ROWS) {
        eb_fc_s8_avx512_pack(p, q, w, bias, packed);
        return;
    }
    const eb_amx_plan pl = fc_plan(p);
    eb_amx_pack(&pl, q, w, bias, packed);
}

void eb_fc_s8_amx(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                  const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                  void *scratch)
{
    assert(p && q && x && packed && y && scratch);
    if (p->batch < EB_AMX_MIN_ROWS) {
        eb_fc_s8_avx512(p, q, x, w, bias, packed, y, scratch);
        return;
    }
    const eb_fc_params pc = *p;
    const eb_amx_plan pl = fc_plan(&pc);
    const eb_amx_scratch s = eb_amx_begin(&pl, q, packed, scratch);
    for (int32_t m0 = 0; m0 < pl.m; m0 += pl.mc) {
        const int32_t rows = pl.m - m0 < pl.mc ? pl.m - m0 : pl.mc;
        if (pl.k == pl.kp) /* back to back: one pass */
            eb_s8_to_u8_avx512(x + (size_t)m0 * pl.k, rows * pl.k, rows * pl.k, s.a);
        else
            for (int32_t r = 0; r < rows; r++)
                eb_s8_to_u8_avx512(x + (size_t)(m0 + r) * pl.k, pl.k, pl.kp,
                                   s.a + (size_t)r * pl.kp);
        eb_amx_gemm(&pl, &s, rows, packed, y + (size_t)m0 * pc.out_features,
                    (size_t)pc.out_features);
    }
    eb_amx_end();
}
