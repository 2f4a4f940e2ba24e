/* dwconv_s8_avx512.c - int8 depthwise convolution on AVX512-VNNI, bit-exact to
 * eb_dwconv_s8_ref.
 *
 * Blocks of 64 channels (the last one masked). vpdpbusd adds 4 byte products per int32
 * lane, so each lane must hold one channel's 4 taps: here the 4 taps of a group are 4
 * rows of one window column (ky = 4 gy .. 4 gy + 3 at a fixed kx; rows past the window
 * have weight 0). For one output row, every input column the row's windows touch is
 * turned once into that form: its 4 rows (64 bytes each, made unsigned by ^ 0x80) are
 * interleaved with two rounds of unpacks into 4 vectors and kept in the scratch. An
 * output pixel then costs only its vpdpbusd (k_w x ceil(k_h / 4) groups of 4) and the
 * requantization, and a column is interleaved once for the k_w (stride 1) outputs that
 * read it, not once per output as a per-pixel interleave would.
 * As in the GEMM, sum (x + 128) w = sum (x - zp) w + (zp + 128) sum w, and the last
 * term is taken from the bias; a tap outside the image reads in_zp (so it adds
 * (zp + 128) w, cancelled by the same term). The unpacks permute channels within
 * 128-bit lanes; packing the four requantized vectors back to bytes (packs_epi32,
 * packs_epi16) undoes the permutation.
 * Fewer than 64 channels that divide 64 (32, 16, ...), stride 1: 64 consecutive bytes
 * of a row are the same tap of 64 / C neighbouring output pixels, whose outputs are
 * also consecutive, so pixels go 64 / C at a time with the weights repeated across the
 * block (lane c holds channel c % C). Windows of more than MAX_GROUPS groups use ref. */
#include <assert.h>
#include <string.h>

#include "avx512_util.h"
#include "eb_avx512.h"

#define MAX_GROUPS 32

/* acc += 4-byte dot products of u8 lanes of a with s8 lanes of b (see gemm_s8_avx512.c
 * for why this is asm) */
EB_INLINE __m512i dw_dpbusd(__m512i acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

/* groups of 4 rows per window column */
static int32_t row_groups(const eb_conv_params *p)
{
    return (p->k_h + 3) / 4;
}

static int32_t groups(const eb_conv_params *p)
{
    return p->k_w * row_groups(p);
}

static int fast(const eb_conv_params *p)
{
    return p->k_w <= MAX_GROUPS && groups(p) <= MAX_GROUPS;
}

static int32_t blocks(const eb_conv_params *p)
{
    return (p->in_c + 63) / 64;
}

/* Stride 1 vertically and at most 3 rows: a column's 4 interleaved rows serve two output
 * rows, the first with its taps in bytes 0..k_h-1, the next with them in bytes 1..k_h;
 * the weights are packed for both ("sets"). */
static int32_t sets(const eb_conv_params *p)
{
    return p->stride_h == 1 && p->k_h <= 3 ? 2 : 1;
}

static size_t weights_bytes(const eb_conv_params *p)
{
    return (size_t)blocks(p) * (size_t)sets(p) * (size_t)groups(p) * 4 * 64;
}

/* packed: [blocks][set][kx][row group][4 vectors][16 lanes][4 rows] int8 (byte e of set s
 * is row ky = 4 gy + e - s), then [blocks * 64] int32 sums of each channel's weights. Lane L of vector a holds channel
 * 64 b + 16 (L / 4) + 4 a + L % 4 (the order the unpacks produce). */
size_t eb_dwconv_s8_avx512_pack_size(const eb_conv_params *p)
{
    if (!fast(p))
        return 0;
    return weights_bytes(p) + (size_t)blocks(p) * 64 * sizeof(int32_t);
}

/* output pixels per block: 64 / C when C < 64 divides 64 and the stride is 1, else 1 */
static int32_t pixels_per_block(const eb_conv_params *p)
{
    return p->in_c < 64 && 64 % p->in_c == 0 && p->stride_w == 1 ? 64 / p->in_c : 1;
}

/* interleaved columns one output row reads: output blocks of ppb pixels, each reading
 * k_w columns (windows of 64 bytes starting at a pixel) */
static int32_t columns(const eb_conv_params *p)
{
    const int32_t ppb = pixels_per_block(p), nob = (p->out_w + ppb - 1) / ppb;
    return (nob - 1) * ppb * p->stride_w + p->k_w;
}

size_t eb_dwconv_s8_avx512_scratch_size(const eb_conv_params *p)
{
    if (!fast(p))
        return 0;
    return (size_t)columns(p) * (size_t)row_groups(p) * 4 * 64;
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
    if (!fast(p))
        return;
    const int32_t ngy = row_groups(p), cn = p->in_c;
    int8_t *dst = (int8_t *)packed;
    for (int32_t b = 0; b < blocks(p); b++)
        for (int32_t set = 0; set < sets(p); set++)
            for (int32_t kx = 0; kx < p->k_w; kx++)
                for (int32_t gy = 0; gy < ngy; gy++)
                    for (int32_t a = 0; a < 4; a++)
                        for (int32_t lane = 0; lane < 16; lane++)
                            for (int32_t e = 0; e < 4; e++, dst++) {
                                const int32_t c = lane_channel(p, b, a, lane);
                                const int32_t ky = 4 * gy + e - set;
                                *dst = c >= 0 && ky >= 0 && ky < p->k_h
                                           ? w[((size_t)ky * p->k_w + (size_t)kx) * cn + c]
                                           : 0;
                            }
    int32_t *sums = (int32_t *)(void *)((char *)packed + weights_bytes(p));
    const int32_t nt = p->k_h * p->k_w;
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

/* The 4 interleaved vectors of one window column: rows r[0..3] (64 bytes each, lanes
 * outside `valid[e]` read as in_zp), made unsigned. */
EB_INLINE void interleave(const int8_t *const r[4], const __mmask64 valid[4], __m512i zpv,
                          __m512i *dst)
{
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const __m512i l0 = _mm512_xor_si512(_mm512_mask_loadu_epi8(zpv, valid[0], r[0]), flip);
    const __m512i l1 = _mm512_xor_si512(_mm512_mask_loadu_epi8(zpv, valid[1], r[1]), flip);
    const __m512i l2 = _mm512_xor_si512(_mm512_mask_loadu_epi8(zpv, valid[2], r[2]), flip);
    const __m512i l3 = _mm512_xor_si512(_mm512_mask_loadu_epi8(zpv, valid[3], r[3]), flip);
    const __m512i a = _mm512_unpacklo_epi8(l0, l1), b = _mm512_unpackhi_epi8(l0, l1);
    const __m512i c = _mm512_unpacklo_epi8(l2, l3), d = _mm512_unpackhi_epi8(l2, l3);
    _mm512_storeu_si512((void *)dst, _mm512_unpacklo_epi16(a, c));
    _mm512_storeu_si512((void *)(dst + 1), _mm512_unpackhi_epi16(a, c));
    _mm512_storeu_si512((void *)(dst + 2), _mm512_unpacklo_epi16(b, d));
    _mm512_storeu_si512((void *)(dst + 3), _mm512_unpackhi_epi16(b, d));
}

/* One output block: column vectors col[kx * colstep] (each ngy groups of 4 vectors). */
EB_INLINE void outputs(const __m512i *col, size_t colstep, int32_t k_w, int32_t ngy,
                       const int8_t *wb, const block_q *bq, const int with_left, __m512i zp16,
                       __m512i lo8, __m512i hi8, __mmask64 m, int8_t *out)
{
    __m512i acc0 = bq->bias[0], acc1 = bq->bias[1], acc2 = bq->bias[2], acc3 = bq->bias[3];
    for (int32_t kx = 0; kx < k_w; kx++) {
        const __m512i *v = col + (size_t)kx * colstep;
        for (int32_t gy = 0; gy < ngy; gy++, v += 4, wb += 256) {
            acc0 = dw_dpbusd(acc0, _mm512_loadu_si512((const void *)v),
                             _mm512_load_si512((const void *)wb));
            acc1 = dw_dpbusd(acc1, _mm512_loadu_si512((const void *)(v + 1)),
                             _mm512_load_si512((const void *)(wb + 64)));
            acc2 = dw_dpbusd(acc2, _mm512_loadu_si512((const void *)(v + 2)),
                             _mm512_load_si512((const void *)(wb + 128)));
            acc3 = dw_dpbusd(acc3, _mm512_loadu_si512((const void *)(v + 3)),
                             _mm512_load_si512((const void *)(wb + 192)));
        }
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

/* bytes [lo, hi) of a 64-byte mask */
static __mmask64 byte_range(int32_t lo, int32_t hi)
{
    if (hi <= lo)
        return 0;
    const __mmask64 upto = hi >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << hi) - 1);
    return upto & ~(((__mmask64)1 << lo) - 1);
}

/* Interleave the columns the output row(s) starting at input row iy0 read: `nrows`
 * rows from iy0 (k_h for one output row, k_h + 1 for a pair). */
static void build_columns(const eb_conv_params *p, const int8_t *xn, int32_t iy0, int32_t nrows,
                          __mmask64 chan_mask, __m512i zpv, __m512i *cols)
{
    const int32_t cn = p->in_c, ppb = pixels_per_block(p), ngy = row_groups(p);
    const int32_t ncol = columns(p);
    const size_t colstep = (size_t)ngy * 4;
    /* per row of each group: its start (any row of the image where it is outside: its
     * loads are masked off) and whether it is read */
    uintptr_t rowp[4 * MAX_GROUPS];
    __mmask64 rowm[4 * MAX_GROUPS];
    for (int32_t t = 0; t < 4 * ngy; t++) {
        const int32_t iy = iy0 + t;
        const int in = t < nrows && iy >= 0 && iy < p->in_h;
        rowp[t] = (uintptr_t)xn + (in ? (uintptr_t)iy * (uintptr_t)p->in_w * (uintptr_t)cn : 0);
        rowm[t] = in ? ~(__mmask64)0 : 0;
    }
    const int8_t *r[4];
    __mmask64 rvalid[4];
    for (int32_t j = 0; j < ncol; j++) {
        /* pixels of the window starting at column ix: [ix, ix + ppb) */
        const int32_t ix = j - p->pad_left;
        if (ppb > 1 && j % ppb >= p->k_w)
            continue; /* no output block reads this window */
        __mmask64 cm;
        if (ppb > 1) {
            const int32_t first = ix < 0 ? -ix : 0;
            const int32_t last = p->in_w - ix < ppb ? p->in_w - ix : ppb;
            cm = byte_range(first * cn, last * cn);
        } else {
            cm = ix >= 0 && ix < p->in_w ? chan_mask : 0;
        }
        /* a masked-off byte is not read: the address may lie outside the tensor */
        const uintptr_t cx = (uintptr_t)((intptr_t)ix * cn);
        __m512i *dst = cols + (size_t)j * colstep;
        for (int32_t gy = 0; gy < ngy; gy++, dst += 4) {
            for (int32_t e = 0; e < 4; e++) {
                rvalid[e] = cm & rowm[4 * gy + e];
                r[e] = (const int8_t *)(rowp[4 * gy + e] + cx);
            }
            interleave(r, rvalid, zpv, dst);
        }
    }
}

/* The pixels of one output row from the interleaved columns, with the weights wb. */
static void row_outputs(const eb_conv_params *p, const __m512i *cols, __mmask64 chan_mask,
                        const int8_t *wb, const block_q *bq, __m512i zp16, __m512i lo8,
                        __m512i hi8, int8_t *yrow)
{
    const int32_t cn = p->in_c, ppb = pixels_per_block(p), ngy = row_groups(p);
    const size_t colstep = (size_t)ngy * 4;
    const size_t step = (size_t)ppb * (size_t)p->stride_w;
    for (int32_t ox = 0, k = 0; ox < p->out_w; ox += ppb, k++) {
        __mmask64 m = chan_mask;
        if (ppb > 1)
            m = byte_range(0, (p->out_w - ox < ppb ? p->out_w - ox : ppb) * cn);
        const __m512i *col = cols + (size_t)k * step * colstep;
        int8_t *out = yrow + (size_t)ox * cn;
        /* 3x3 with constants, so that the compiler unrolls it */
        if (p->k_w == 3 && ngy == 1 && !bq->with_left)
            outputs(col, 4, 3, 1, wb, bq, 0, zp16, lo8, hi8, m, out);
        else if (bq->with_left)
            outputs(col, colstep, p->k_w, ngy, wb, bq, 1, zp16, lo8, hi8, m, out);
        else
            outputs(col, colstep, p->k_w, ngy, wb, bq, 0, zp16, lo8, hi8, m, out);
    }
}

void eb_dwconv_s8_avx512(const eb_conv_params *p_in, const eb_requant *q, const int8_t *x,
                         const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                         void *scratch)
{
    assert(p_in && q && x && w && y && p_in->in_c == p_in->out_c);
    if (!fast(p_in)) {
        eb_dwconv_s8_ref(p_in, q, x, w, bias, NULL, y, NULL);
        return;
    }
    assert(packed && scratch);
    const eb_conv_params pv = *p_in, *p = &pv; /* local: stores to y may alias *p_in */
    const int32_t cn = p->in_c, ng = groups(p);
    const int32_t *sums = (const int32_t *)(const void *)((const char *)packed + weights_bytes(p));
    const __m512i zpv = _mm512_set1_epi8((char)q->in_zp);
    const __m512i zp16 = _mm512_set1_epi16((short)q->out_zp);
    const __m512i lo8 = _mm512_set1_epi8((char)q->act_min), hi8 = _mm512_set1_epi8((char)q->act_max);
    __m512i *cols = (__m512i *)scratch;

    for (int32_t b = 0; b < blocks(p); b++) {
        const int32_t c0 = 64 * b, cb = cn - c0 < 64 ? cn - c0 : 64;
        const __mmask64 m = byte_range(0, cb);
        block_q bq;
        block_q_make(&bq, p, q, bias, sums, b);
        const int8_t *wb = (const int8_t *)packed + (size_t)b * sets(p) * ng * 256;
        for (int32_t n = 0; n < p->batch; n++) {
            const int8_t *xn = x + (size_t)n * p->in_h * p->in_w * cn + c0;
            for (int32_t oy = 0; oy < p->out_h; oy++) {
                int8_t *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn + c0;
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int pair = sets(p) == 2 && oy + 1 < p->out_h;
                build_columns(p, xn, iy0, p->k_h + pair, m, zpv, cols);
                row_outputs(p, cols, m, wb, &bq, zp16, lo8, hi8, yrow);
                if (pair) {
                    row_outputs(p, cols, m, wb + (size_t)ng * 256, &bq, zp16, lo8, hi8,
                                yrow + (size_t)p->out_w * cn);
                    oy++;
                }
            }
        }
    }
}
