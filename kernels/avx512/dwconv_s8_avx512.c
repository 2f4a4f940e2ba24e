/* dwconv_s8_avx512.c - int8 depthwise convolution on AVX512-VNNI, bit-exact to
 * eb_dwconv_s8_ref.
 *
 * Blocks of 64 channels (the last one masked). Taps are taken in groups of 4: the 4
 * taps' inputs (64 bytes each, made unsigned by ^ 0x80) are interleaved with two rounds
 * of unpacks into 4 vectors whose int32 lanes hold one channel's 4 taps, so vpdpbusd
 * against weights packed in the same order adds 4 taps x 16 channels per instruction.
 * As in the GEMM, sum (x + 128) w = sum (x - zp) w + (zp + 128) sum w, and the last
 * term is taken from the bias; a tap outside the image reads a buffer of in_zp (so it
 * adds (zp + 128) w, cancelled by the same term), and the taps that fill the last group
 * have weight 0. The unpacks permute channels within 128-bit lanes; packing the four
 * requantized vectors back to bytes (packs_epi32, packs_epi16) undoes the permutation.
 * Fewer than 64 channels that divide 64 (32, 16, ...), stride 1: 64 consecutive bytes
 * of a tap are the same tap of 64 / C neighbouring output pixels, whose outputs are
 * also consecutive, so interior pixels go 64 / C at a time with the weights repeated
 * across the block (lane c holds channel c % C). Windows of more than MAX_TAPS taps
 * use ref. */
#include <assert.h>
#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"

#define MAX_TAPS 64
#define MAX_GROUPS (MAX_TAPS / 4)

/* acc += 4-byte dot products of u8 lanes of a with s8 lanes of b (see gemm_s8_avx512.c
 * for why this is asm) */
EB_INLINE __m512i dw_dpbusd(__m512i acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

static int32_t taps(const eb_conv_params *p)
{
    return p->k_h * p->k_w;
}

static int32_t groups(const eb_conv_params *p)
{
    return (taps(p) + 3) / 4;
}

static int32_t blocks(const eb_conv_params *p)
{
    return (p->in_c + 63) / 64;
}

static size_t weights_bytes(const eb_conv_params *p)
{
    return (size_t)blocks(p) * (size_t)groups(p) * 4 * 64;
}

/* packed: [blocks][groups][4 vectors][16 lanes][4 taps] int8, then [blocks * 64] int32
 * sums of each channel's weights. Lane L of vector a holds channel
 * 64 b + 16 (L / 4) + 4 a + L % 4 (the order the unpacks produce). */
size_t eb_dwconv_s8_avx512_pack_size(const eb_conv_params *p)
{
    if (taps(p) > MAX_TAPS)
        return 0;
    return weights_bytes(p) + (size_t)blocks(p) * 64 * sizeof(int32_t);
}

/* output pixels per block: 64 / C when C < 64 divides 64 and the stride is 1, else 1 */
static int32_t pixels_per_block(const eb_conv_params *p)
{
    return p->in_c < 64 && 64 % p->in_c == 0 && p->stride_w == 1 ? 64 / p->in_c : 1;
}

/* The channel of lane `lane` of vector a in block b; -1 past the last channel. */
static int32_t lane_channel(const eb_conv_params *p, int32_t b, int32_t a, int32_t lane)
{
    const int32_t c = 64 * b + 16 * (lane / 4) + 4 * a + lane % 4;
    if (pixels_per_block(p) > 1)
        return c % p->in_c;
    return c < p->in_c ? c : -1;
}

void eb_dwconv_s8_avx512_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                              const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    assert(p && w && packed);
    if (taps(p) > MAX_TAPS)
        return;
    const int32_t nt = taps(p), ng = groups(p), cn = p->in_c;
    int8_t *dst = (int8_t *)packed;
    for (int32_t b = 0; b < blocks(p); b++)
        for (int32_t g = 0; g < ng; g++)
            for (int32_t a = 0; a < 4; a++)
                for (int32_t lane = 0; lane < 16; lane++)
                    for (int32_t e = 0; e < 4; e++, dst++) {
                        const int32_t c = lane_channel(p, b, a, lane), t = 4 * g + e;
                        *dst = c >= 0 && t < nt ? w[(size_t)t * cn + c] : 0;
                    }
    int32_t *sums = (int32_t *)(void *)((char *)packed + weights_bytes(p));
    for (int32_t c = 0; c < blocks(p) * 64; c++) {
        int32_t s = 0;
        for (int32_t t = 0; c < cn && t < nt; t++)
            s += w[(size_t)t * cn + c];
        sums[c] = s;
    }
}

/* Per-block constants, in the lane order of the accumulators. */
typedef struct {
    eb_avx512_rq rq[4];
    __m512i bias[4];
    int with_left;
} block_q;

static void block_q_make(block_q *bq, const eb_conv_params *p, const eb_requant *q,
                         const int32_t *bias, const int32_t *sums, int32_t b)
{
    int32_t mult[4][16], shift[4][16];
    uint32_t bv[4][16];
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    bq->with_left = 0;
    for (int32_t a = 0; a < 4; a++)
        for (int32_t lane = 0; lane < 16; lane++) {
            const int32_t c = lane_channel(p, b, a, lane);
            const int in = c >= 0;
            mult[a][lane] = in ? q->mult[c] : 0;
            shift[a][lane] = in ? q->shift[c] : 0;
            bv[a][lane] = in ? (bias ? (uint32_t)bias[c] : 0u) - off * (uint32_t)sums[c] : 0u;
            bq->with_left |= shift[a][lane] > 0;
        }
    for (int32_t a = 0; a < 4; a++) {
        bq->rq[a] = eb_avx512_rq_make(_mm512_loadu_si512((const void *)mult[a]),
                                      _mm512_loadu_si512((const void *)shift[a]));
        bq->bias[a] = _mm512_loadu_si512((const void *)bv[a]);
    }
}

EB_INLINE __m512i load_u8(const int8_t *src, __mmask64 m)
{
    return _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, (const void *)src),
                            _mm512_set1_epi8((char)0x80));
}

/* One output pixel of one block: src[4 * ng] tap pointers (at the block's channel 0). */
EB_INLINE void pixel(const int8_t *const *src, int32_t ng, const int8_t *wb, __mmask64 m,
                     const block_q *bq, const int with_left, __m512i zp16, __m512i lo8,
                     __m512i hi8, int8_t *out)
{
    __m512i acc0 = bq->bias[0], acc1 = bq->bias[1], acc2 = bq->bias[2], acc3 = bq->bias[3];
    for (int32_t g = 0; g < ng; g++, wb += 256) {
        const __m512i l0 = load_u8(src[4 * g], m), l1 = load_u8(src[4 * g + 1], m);
        const __m512i l2 = load_u8(src[4 * g + 2], m), l3 = load_u8(src[4 * g + 3], m);
        const __m512i a = _mm512_unpacklo_epi8(l0, l1), b = _mm512_unpackhi_epi8(l0, l1);
        const __m512i c = _mm512_unpacklo_epi8(l2, l3), d = _mm512_unpackhi_epi8(l2, l3);
        acc0 = dw_dpbusd(acc0, _mm512_unpacklo_epi16(a, c), _mm512_load_si512((const void *)wb));
        acc1 = dw_dpbusd(acc1, _mm512_unpackhi_epi16(a, c), _mm512_load_si512((const void *)(wb + 64)));
        acc2 = dw_dpbusd(acc2, _mm512_unpacklo_epi16(b, d), _mm512_load_si512((const void *)(wb + 128)));
        acc3 = dw_dpbusd(acc3, _mm512_unpackhi_epi16(b, d), _mm512_load_si512((const void *)(wb + 192)));
    }
    const __m512i r0 = eb_avx512_requant(acc0, &bq->rq[0], with_left);
    const __m512i r1 = eb_avx512_requant(acc1, &bq->rq[1], with_left);
    const __m512i r2 = eb_avx512_requant(acc2, &bq->rq[2], with_left);
    const __m512i r3 = eb_avx512_requant(acc3, &bq->rq[3], with_left);
    /* saturating packs are exact here: the clamp range lies inside int8 */
    const __m512i p01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), zp16);
    const __m512i p23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), zp16);
    const __m512i v = _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(p01, p23), lo8), hi8);
    _mm512_mask_storeu_epi8((void *)out, m, v);
}

void eb_dwconv_s8_avx512(const eb_conv_params *p_in, const eb_requant *q, const int8_t *x,
                         const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                         void *scratch)
{
    assert(p_in && q && x && w && y && p_in->in_c == p_in->out_c);
    if (taps(p_in) > MAX_TAPS) {
        eb_dwconv_s8_ref(p_in, q, x, w, bias, NULL, y, scratch);
        return;
    }
    assert(packed);
    const eb_conv_params pv = *p_in, *p = &pv; /* local: stores to y may alias *p_in */
    const int32_t cn = p->in_c, nt = taps(p), ng = groups(p), ppb = pixels_per_block(p);
    const int32_t *sums = (const int32_t *)(const void *)((const char *)packed + weights_bytes(p));
    const __m512i zp16 = _mm512_set1_epi16((short)q->out_zp);
    const __m512i lo8 = _mm512_set1_epi8((char)q->act_min), hi8 = _mm512_set1_epi8((char)q->act_max);
    int8_t zpbuf[64];
    memset(zpbuf, (int8_t)q->in_zp, sizeof zpbuf);
    const int8_t *src[4 * MAX_GROUPS];
    int32_t tky[MAX_TAPS], tkx[MAX_TAPS];
    size_t off[MAX_TAPS];
    for (int32_t t = 0; t < nt; t++) {
        tky[t] = t / p->k_w;
        tkx[t] = t % p->k_w;
        off[t] = ((size_t)tky[t] * p->in_w + (size_t)tkx[t]) * cn;
    }
    for (int32_t t = nt; t < 4 * ng; t++)
        src[t] = zpbuf; /* weight 0 */

    for (int32_t b = 0; b < blocks(p); b++) {
        const int32_t c0 = 64 * b, cb = cn - c0 < 64 ? cn - c0 : 64;
        const __mmask64 m = cb == 64 ? ~(__mmask64)0 : (((__mmask64)1 << cb) - 1);
        block_q bq;
        block_q_make(&bq, p, q, bias, sums, b);
        const int8_t *wb = (const int8_t *)packed + (size_t)b * ng * 256;
        for (int32_t n = 0; n < p->batch; n++) {
            const int8_t *xn = x + (size_t)n * p->in_h * p->in_w * cn + c0;
            for (int32_t oy = 0; oy < p->out_h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int rows_in = iy0 >= 0 && iy0 + p->k_h <= p->in_h;
                int8_t *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn + c0;
                for (int32_t ox = 0; ox < p->out_w; ox++) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_left;
                    if (ppb > 1 && rows_in && ix0 >= 0 && ix0 + ppb - 1 + p->k_w <= p->in_w &&
                        ox + ppb <= p->out_w) {
                        /* ppb interior pixels (stride 1) in one full block */
                        const int8_t *xp = xn + ((size_t)iy0 * p->in_w + (size_t)ix0) * cn;
                        for (int32_t t = 0; t < nt; t++)
                            src[t] = xp + off[t];
                        int8_t *out = yrow + (size_t)ox * cn;
                        if (bq.with_left)
                            pixel(src, ng, wb, ~(__mmask64)0, &bq, 1, zp16, lo8, hi8, out);
                        else
                            pixel(src, ng, wb, ~(__mmask64)0, &bq, 0, zp16, lo8, hi8, out);
                        ox += ppb - 1;
                        continue;
                    }
                    if (rows_in && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
                        const int8_t *xp = xn + ((size_t)iy0 * p->in_w + (size_t)ix0) * cn;
                        for (int32_t t = 0; t < nt; t++)
                            src[t] = xp + off[t];
                    } else {
                        for (int32_t t = 0; t < nt; t++) {
                            const int32_t iy = iy0 + tky[t], ix = ix0 + tkx[t];
                            src[t] = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w
                                         ? xn + ((size_t)iy * p->in_w + (size_t)ix) * cn
                                         : zpbuf;
                        }
                    }
                    int8_t *out = yrow + (size_t)ox * cn;
                    if (bq.with_left)
                        pixel(src, ng, wb, m, &bq, 1, zp16, lo8, hi8, out);
                    else
                        pixel(src, ng, wb, m, &bq, 0, zp16, lo8, hi8, out);
                }
            }
        }
    }
}
