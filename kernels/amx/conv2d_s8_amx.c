/* conv2d_s8_amx.c - int8 convolution on the tile GEMM core (amx_gemm.h). Chunks of
 * output pixels become rows of x + 128 as uint8 in scratch, padded with zeros to the
 * tile depth: a 1x1 stride-1 unpadded conv flips its input rows directly, anything else
 * goes through im2col (a padded tap holds in_zp + 128, i.e. x == in_zp, which adds
 * nothing, as in ref). Fewer than EB_AMX_MIN_ROWS output pixels: the avx512 kernel. */
#include <assert.h>

#include "../avx512/im2col_u8_avx512.h"
#include "amx_gemm.h"
#include "eb_amx.h"

static eb_amx_plan conv_plan(const eb_conv_params *p)
{
    return eb_amx_plan_make(p->batch * p->out_h * p->out_w, p->out_c,
                            p->k_h * p->k_w * p->in_c);
}

static int use_tiles(const eb_conv_params *p)
{
    return p->batch * p->out_h * p->out_w >= EB_AMX_MIN_ROWS;
}

size_t eb_conv2d_s8_amx_scratch_size(const eb_conv_params *p)
{
    if (!use_tiles(p))
        return eb_conv2d_s8_avx512_scratch_size(p);
    const eb_amx_plan pl = conv_plan(p);
    return eb_amx_scratch_bytes(&pl);
}

size_t eb_conv2d_s8_amx_pack_size(const eb_conv_params *p)
{
    if (!use_tiles(p))
        return eb_conv2d_s8_avx512_pack_size(p);
    const eb_amx_plan pl = conv_plan(p);
    return eb_amx_pack_bytes(&pl);
}

void eb_conv2d_s8_amx_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                           const int32_t *bias, void *packed)
{
    if (!use_tiles(p)) {
        eb_conv2d_s8_avx512_pack(p, q, w, bias, packed);
        return;
    }
    const eb_amx_plan pl = conv_plan(p);
    eb_amx_pack(&pl, q, w, bias, packed);
}

void eb_conv2d_s8_amx(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch)
{
    assert(p && q && x && packed && y && scratch);
    if (!use_tiles(p)) {
        eb_conv2d_s8_avx512(p, q, x, w, bias, packed, y, scratch);
        return;
    }
    const eb_conv_params pc = *p; /* local: stores to y could alias *p for the compiler */
    const eb_amx_plan pl = conv_plan(&pc);
    const int pointwise = pc.k_h == 1 && pc.k_w == 1 && pc.stride_h == 1 &&
                          pc.stride_w == 1 && pc.pad_top == 0 && pc.pad_left == 0 &&
                          pc.pad_bottom == 0 && pc.pad_right == 0;
    const uint8_t pad = (uint8_t)(q->in_zp + 128);
    const eb_amx_scratch s = eb_amx_begin(&pl, q, packed, scratch);
    int32_t n = 0, oy = 0, ox = 0; /* output pixel of row m0 + r, stepped */
    for (int32_t m0 = 0; m0 < pl.m; m0 += pl.mc) {
        const int32_t rows = pl.m - m0 < pl.mc ? pl.m - m0 : pl.mc;
        if (pointwise && pl.k == pl.kp) {
            /* the rows of A are the input's pixels back to back: one pass */
            eb_s8_to_u8_avx512(x + (size_t)m0 * pl.k, rows * pl.k, rows * pl.k, s.a);
        } else {
            for (int32_t r = 0; r < rows; r++) {
                uint8_t *row = s.a + (size_t)r * pl.kp;
                if (pointwise) {
                    eb_s8_to_u8_avx512(x + (size_t)(m0 + r) * pl.k, pl.k, pl.kp, row);
                    continue;
                }
                eb_avx512_im2col_row_u8(&pc, x, pad, n, oy, ox, pl.kp, row);
                if (++ox == pc.out_w) {
                    ox = 0;
                    if (++oy == pc.out_h) {
                        oy = 0;
                        n++;
                    }
                }
            }
        }
        eb_amx_gemm(&pl, &s, rows, packed, y + (size_t)m0 * pc.out_c, (size_t)pc.out_c);
    }
    eb_amx_end();
}
