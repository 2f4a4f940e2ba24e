/* dwconv_s8_avxvnni.c - int8 depthwise convolution on AVX-VNNI, bit-exact to
 * eb_dwconv_s8_ref; the avx512 set's method (../avx512/dwconv_s8_avx512.c) on ymm.
 *
 * Blocks of 32 channels. Taps go in groups of 4: the 4 taps' inputs (32 bytes each, made
 * unsigned by ^ 0x80) are interleaved by two rounds of unpacks into 4 vectors whose
 * int32 lanes hold one channel's 4 taps, so one vpdpbusd against weights packed in the
 * same order adds 4 taps x 8 channels. As in the GEMM (eb_avxvnni.h), sum (x + 128) w =
 * sum (x - zp) w + (zp + 128) sum w and the last term comes out of the bias; a tap
 * outside the image reads a buffer of in_zp (adding (zp + 128) w, cancelled by the same
 * term), and the slots that fill the last group have weight 0. The unpacks permute
 * channels within 128-bit lanes; packing the four requantized vectors back to bytes
 * (packs_epi32, packs_epi16) undoes the permutation, so one clamp and one store serve
 * 32 outputs.
 *
 * Channel counts: C >= 32 runs blocks at 0, 32, ... and a last block at C - 32 that
 * overlaps its neighbour (it rewrites some outputs with the same values), so every load
 * and store is a full 32 bytes of one pixel. C < 32 that divides 32 with stride 1: 32
 * consecutive bytes of a tap are that tap of 32 / C neighbouring output pixels, whose
 * outputs are consecutive too, so interior pixels go 32 / C at a time with the weights
 * repeated across the lanes. The remaining pixels of C < 32 run one at a time, their
 * loads taken through a buffer where 32 bytes would pass the end of the input, their
 * first C bytes stored. Windows of more than MAX_TAPS taps use ref. */
#include <assert.h>
#include <string.h>

#include "avxvnni_util.h"
#include "eb_avxvnni.h"

#define MAX_TAPS 64
#define MAX_GROUPS (MAX_TAPS / 4)
#define BW 32 /* channels per block */

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
    return (p->in_c + BW - 1) / BW;
}

/* first channel of block b */
static int32_t block_c0(const eb_conv_params *p, int32_t b)
{
    const int32_t c0 = BW * b;
    return p->in_c >= BW && c0 > p->in_c - BW ? p->in_c - BW : c0;
}

/* output pixels per vector: 32 / C when C < 32 divides 32 and the stride is 1, else 1 */
static int32_t pixels_per_block(const eb_conv_params *p)
{
    return p->in_c < BW && BW % p->in_c == 0 && p->stride_w == 1 ? BW / p->in_c : 1;
}

/* The channel of lane `lane` of vector a in block b (the order the unpacks produce);
 * -1 for lanes past the channels of a C < 32 that does not divide 32. */
static int32_t lane_channel(const eb_conv_params *p, int32_t b, int32_t a, int32_t lane)
{
    const int32_t c = 16 * (lane / 4) + 4 * a + lane % 4;
    if (p->in_c >= BW)
        return block_c0(p, b) + c;
    if (pixels_per_block(p) > 1)
        return c % p->in_c;
    return c < p->in_c ? c : -1;
}

static size_t weights_bytes(const eb_conv_params *p)
{
    return (size_t)blocks(p) * (size_t)groups(p) * 4 * BW;
}

/* packed: [blocks][groups][4 vectors][8 lanes][4 taps] int8, then [C] int32 sums of
 * each channel's weights. */
size_t eb_dwconv_s8_avxvnni_pack_size(const eb_conv_params *p)
{
    if (taps(p) > MAX_TAPS)
        return 0;
    return weights_bytes(p) + (size_t)p->in_c * sizeof(int32_t);
}

void eb_dwconv_s8_avxvnni_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
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
                for (int32_t lane = 0; lane < 8; lane++)
                    for (int32_t e = 0; e < 4; e++, dst++) {
                        const int32_t c = lane_channel(p, b, a, lane), t = 4 * g + e;
                        *dst = c >= 0 && t < nt ? w[(size_t)t * cn + c] : 0;
                    }
    int32_t *sums = (int32_t *)(void *)((char *)packed + weights_bytes(p));
    for (int32_t c = 0; c < cn; c++) {
        int32_t s = 0;
        for (int32_t t = 0; t < nt; t++)
            s += w[(size_t)t * cn + c];
        sums[c] = s;
    }
}

/* Per-block constants, in the lane order of the accumulators. */
typedef struct {
    eb_avx2_rq rq[4];
    __m256i bias[4]; /* bias - (in_zp + 128) * sum w */
    int with_left;
} block_q;

static void block_q_make(block_q *bq, const eb_conv_params *p, const eb_requant *q,
                         const int32_t *bias, const int32_t *sums, int32_t b)
{
    int32_t mult[4][8], shift[4][8];
    uint32_t bv[4][8];
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    bq->with_left = 0;
    for (int32_t a = 0; a < 4; a++)
        for (int32_t lane = 0; lane < 8; lane++) {
            const int32_t c = lane_channel(p, b, a, lane);
            const int in = c >= 0;
            mult[a][lane] = in ? q->mult[c] : 0;
            shift[a][lane] = in ? q->shift[c] : 0;
            bv[a][lane] = in ? (bias ? (uint32_t)bias[c] : 0u) - off * (uint32_t)sums[c] : 0u;
            bq->with_left |= shift[a][lane] > 0;
        }
    for (int32_t a = 0; a < 4; a++) {
        bq->rq[a] = eb_avx2_rq_make(_mm256_loadu_si256((const __m256i *)(const void *)mult[a]),
                                    _mm256_loadu_si256((const __m256i *)(const void *)shift[a]));
        bq->bias[a] = _mm256_loadu_si256((const __m256i *)(const void *)bv[a]);
    }
}

/* Output constants. */
typedef struct {
    __m256i zp16, lo8, hi8; /* out_zp as int16; act_min, act_max as int8 */
} out_q;

EB_INLINE __m256i load_u8(const int8_t *src)
{
    return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)src),
                            _mm256_set1_epi8((char)0x80));
}

/* One vector of outputs (32 bytes) from src[4 * ng] tap pointers. */
EB_INLINE __m256i pixel(const int8_t *const *src, int32_t ng, const int8_t *wb,
                        const block_q *bq, const int with_left, const out_q *oq)
{
    __m256i acc0 = bq->bias[0], acc1 = bq->bias[1], acc2 = bq->bias[2], acc3 = bq->bias[3];
    for (int32_t g = 0; g < ng; g++, wb += 4 * BW) {
        const __m256i l0 = load_u8(src[4 * g]), l1 = load_u8(src[4 * g + 1]);
        const __m256i l2 = load_u8(src[4 * g + 2]), l3 = load_u8(src[4 * g + 3]);
        const __m256i a = _mm256_unpacklo_epi8(l0, l1), b = _mm256_unpackhi_epi8(l0, l1);
        const __m256i c = _mm256_unpacklo_epi8(l2, l3), d = _mm256_unpackhi_epi8(l2, l3);
        acc0 = eb_avxvnni_dpbusd(acc0, _mm256_unpacklo_epi16(a, c),
                                       _mm256_load_si256((const __m256i *)(const void *)wb));
        acc1 = eb_avxvnni_dpbusd(acc1, _mm256_unpackhi_epi16(a, c),
                                       _mm256_load_si256((const __m256i *)(const void *)(wb + 32)));
        acc2 = eb_avxvnni_dpbusd(acc2, _mm256_unpacklo_epi16(b, d),
                                       _mm256_load_si256((const __m256i *)(const void *)(wb + 64)));
        acc3 = eb_avxvnni_dpbusd(acc3, _mm256_unpackhi_epi16(b, d),
                                       _mm256_load_si256((const __m256i *)(const void *)(wb + 96)));
    }
    const __m256i r0 = eb_avx2_requant(acc0, &bq->rq[0], with_left);
    const __m256i r1 = eb_avx2_requant(acc1, &bq->rq[1], with_left);
    const __m256i r2 = eb_avx2_requant(acc2, &bq->rq[2], with_left);
    const __m256i r3 = eb_avx2_requant(acc3, &bq->rq[3], with_left);
    /* saturating packs are exact here: the clamp range lies inside int8 */
    const __m256i p01 = _mm256_adds_epi16(_mm256_packs_epi32(r0, r1), oq->zp16);
    const __m256i p23 = _mm256_adds_epi16(_mm256_packs_epi32(r2, r3), oq->zp16);
    return _mm256_min_epi8(_mm256_max_epi8(_mm256_packs_epi16(p01, p23), oq->lo8), oq->hi8);
}

EB_INLINE void pixel_store(const int8_t *const *src, int32_t ng, const int8_t *wb,
                           const block_q *bq, const out_q *oq, int8_t *out)
{
    const __m256i v = bq->with_left ? pixel(src, ng, wb, bq, 1, oq) : pixel(src, ng, wb, bq, 0, oq);
    _mm256_storeu_si256((__m256i *)(void *)out, v);
}

/* One output pixel of C < 32 channels: lanes past C are computed and dropped. A tap in
 * the input (not zpbuf) whose 32 bytes would pass xend is read from a copy of its C
 * bytes. */
static void pixel_narrow(const int8_t *const *src, int32_t ng, int32_t cn, const int8_t *xend,
                         const int8_t *zpbuf, const int8_t *wb, const block_q *bq,
                         const out_q *oq, int8_t *out)
{
    int8_t bounce[4 * MAX_GROUPS][BW];
    const int8_t *s[4 * MAX_GROUPS];
    for (int32_t t = 0; t < 4 * ng; t++) {
        s[t] = src[t];
        if (src[t] != zpbuf && xend - src[t] < BW) {
            memset(bounce[t], 0, BW);
            memcpy(bounce[t], src[t], (size_t)cn);
            s[t] = bounce[t];
        }
    }
    int8_t buf[BW];
    pixel_store(s, ng, wb, bq, oq, buf);
    memcpy(out, buf, (size_t)cn);
}

void eb_dwconv_s8_avxvnni(const eb_conv_params *p_in, const eb_requant *q, const int8_t *x,
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
    const int narrow = cn < BW;
    const int8_t *xend = x + (size_t)p->batch * p->in_h * p->in_w * cn;
    const int32_t *sums = (const int32_t *)(const void *)((const char *)packed + weights_bytes(p));
    out_q oq;
    oq.zp16 = _mm256_set1_epi16((short)q->out_zp);
    oq.lo8 = _mm256_set1_epi8((char)q->act_min);
    oq.hi8 = _mm256_set1_epi8((char)q->act_max);
    int8_t zpbuf[BW];
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
        const int32_t c0 = block_c0(p, b);
        block_q bq;
        block_q_make(&bq, p, q, bias, sums, b);
        const int8_t *wb = (const int8_t *)packed + (size_t)b * ng * 4 * BW;
        for (int32_t n = 0; n < p->batch; n++) {
            const int8_t *xn = x + (size_t)n * p->in_h * p->in_w * cn + c0;
            for (int32_t oy = 0; oy < p->out_h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int rows_in = iy0 >= 0 && iy0 + p->k_h <= p->in_h;
                int8_t *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn + c0;
                for (int32_t ox = 0; ox < p->out_w; ox++) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_left;
                    int8_t *out = yrow + (size_t)ox * cn;
                    if (ppb > 1 && rows_in && ix0 >= 0 && ix0 + ppb - 1 + p->k_w <= p->in_w &&
                        ox + ppb <= p->out_w) {
                        /* ppb interior pixels (stride 1) in one vector */
                        const int8_t *xp = xn + ((size_t)iy0 * p->in_w + (size_t)ix0) * cn;
                        for (int32_t t = 0; t < nt; t++)
                            src[t] = xp + off[t];
                        pixel_store(src, ng, wb, &bq, &oq, out);
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
                    if (narrow)
                        pixel_narrow(src, ng, cn, xend, zpbuf, wb, &bq, &oq, out);
                    else
                        pixel_store(src, ng, wb, &bq, &oq, out);
                }
            }
        }
    }
}
