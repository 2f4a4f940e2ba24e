/* dwconv_s8_avx2.c - int8 depthwise convolution, bit-exact to eb_dwconv_s8_ref.
 *
 * Full blocks of 16 channels: taps are taken in pairs; the two taps' int8 inputs are
 * widened to int16 and interleaved (vpunpcklwd/hwd), so one vpmaddwd against weights
 * packed in the same interleaved order gives 8 exact int32 two-tap sums. The zero point
 * is not subtracted per tap: sum (x - zp) w = sum x w - zp sum w, and the last term is
 * folded into the bias. A tap outside the image must then contribute x == zp, so its
 * input pointer is redirected to a 16-byte buffer of zp. Leftover channels (< 16) use
 * a plain int32 route (widen, subtract zp, vpmulld), valid taps only. */
#include <assert.h>

#include "avx2_util.h"
#include "eb_avx2.h"
#include "eb_quant.h"

#define MAX_TAPS 64 /* larger windows take the plain route for every channel */

static int32_t taps(const eb_conv_params *p)
{
    return p->k_h * p->k_w;
}

static int32_t fast_blocks(const eb_conv_params *p)
{
    return taps(p) <= MAX_TAPS ? p->in_c / 16 : 0;
}

/* packed: [fast_blocks][pairs][32] int16 interleaved weights, then [in_c] int32 sums of
 * each channel's weights over the window. */
size_t eb_dwconv_s8_avx2_pack_size(const eb_conv_params *p)
{
    const size_t pairs = (size_t)(taps(p) + 1) / 2;
    return eb_round_up((size_t)fast_blocks(p) * pairs * 32 * sizeof(int16_t), 64) +
           (size_t)p->in_c * sizeof(int32_t);
}

static int32_t *wsum_of(const eb_conv_params *p, void *packed)
{
    const size_t pairs = (size_t)(taps(p) + 1) / 2;
    return (int32_t *)(void *)((char *)packed +
                               eb_round_up((size_t)fast_blocks(p) * pairs * 32 * sizeof(int16_t), 64));
}

void eb_dwconv_s8_avx2_pack(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                            const int32_t *bias, void *packed)
{
    (void)q;
    (void)bias;
    assert(p && w && packed);
    const int32_t nt = taps(p), cn = p->in_c, pairs = (nt + 1) / 2;
    int16_t *dst = (int16_t *)packed;
    for (int32_t b = 0; b < fast_blocks(p); b++) {
        for (int32_t t = 0; t < pairs; t++, dst += 32) {
            for (int32_t i = 0; i < 32; i++) {
                /* position i: half (lo/hi unpack), 128-bit lane, channel j, tap e */
                const int32_t half = i / 16, lane = (i / 8) % 2, j = (i % 8) / 2, e = i % 2;
                const int32_t c = 16 * b + 8 * lane + 4 * half + j, tap = 2 * t + e;
                dst[i] = tap < nt ? w[(size_t)tap * cn + c] : 0;
            }
        }
    }
    int32_t *ws = wsum_of(p, packed);
    for (int32_t c = 0; c < cn; c++) {
        int32_t s = 0;
        for (int32_t t = 0; t < nt; t++)
            s += w[(size_t)t * cn + c];
        ws[c] = s;
    }
}

/* Loads 8 int32 of `v` starting at c in the channel order of the unpacked halves:
 * half 0 -> c+0..3, c+8..11; half 1 -> c+4..7, c+12..15. */
static __m256i load_half(const int32_t *v, int32_t c, int half)
{
    const __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(v + c));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(v + c + 8));
    return half ? _mm256_permute2x128_si256(a, b, 0x31) : _mm256_permute2x128_si256(a, b, 0x20);
}

/* The plain route for channels [c, c + nc), nc <= 8, of one output pixel. */
static void pixel_plain(const eb_conv_params *p, const eb_requant *q, const int8_t *xn,
                        const int8_t *w, const int32_t *bias, int32_t iy0, int32_t ix0,
                        int32_t c, int nc, int8_t *out)
{
    const int32_t cn = p->in_c;
    const __m256i mask = eb_avx2_mask(nc), zp = _mm256_set1_epi32(q->in_zp);
    __m256i acc = bias ? _mm256_maskload_epi32(bias + c, mask) : _mm256_setzero_si256();
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h)
            continue;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= p->in_w)
                continue;
            __m256i xv = eb_avx2_load_s8x8(xn + ((size_t)iy * p->in_w + ix) * cn + c, nc);
            __m256i wv = eb_avx2_load_s8x8(w + ((size_t)ky * p->k_w + kx) * cn + c, nc);
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(_mm256_sub_epi32(xv, zp), wv));
        }
    }
    const eb_avx2_rq rq = eb_avx2_rq_make(_mm256_maskload_epi32(q->mult + c, mask),
                                          _mm256_maskload_epi32(q->shift + c, mask));
    const __m256i v = eb_avx2_requant_clamp(acc, &rq, 1, _mm256_set1_epi32(q->out_zp),
                                            _mm256_set1_epi32(q->act_min),
                                            _mm256_set1_epi32(q->act_max));
    eb_avx2_store_s8x8(out, v, nc);
}

void eb_dwconv_s8_avx2(const eb_conv_params *p_in, const eb_requant *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                       void *scratch)
{
    assert(p_in);
    const eb_conv_params pv = *p_in, *p = &pv; /* a local copy: vector stores may alias *p_in */
    (void)scratch;
    assert(p && q && x && w && packed && y && p->in_c == p->out_c);
    const int32_t cn = p->in_c, nt = taps(p), pairs = (nt + 1) / 2, nb = fast_blocks(p);
    const int16_t *wp = (const int16_t *)packed;
    const int32_t *wsum = wsum_of(p, (void *)(uintptr_t)packed);
    const __m256i ozp = _mm256_set1_epi32(q->out_zp);
    const __m256i lo = _mm256_set1_epi32(q->act_min), hi = _mm256_set1_epi32(q->act_max);
    int8_t zpbuf[16];
    memset(zpbuf, (int8_t)q->in_zp, sizeof zpbuf);
    const int8_t *src[2 * ((MAX_TAPS + 1) / 2)];
    int32_t bias_c[16];
    int32_t tky[MAX_TAPS], tkx[MAX_TAPS];
    size_t off[MAX_TAPS];
    if (nb > 0) {
        for (int32_t t = 0; t < nt; t++) {
            tky[t] = t / p->k_w;
            tkx[t] = t % p->k_w;
            off[t] = ((size_t)tky[t] * p->in_w + (size_t)tkx[t]) * cn;
        }
        src[2 * pairs - 1] = zpbuf; /* the missing partner of an odd last tap */
    }

    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *xn = x + (size_t)n * p->in_h * p->in_w * cn;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int8_t *yrow = y + (((size_t)n * p->out_h + oy) * p->out_w) * cn;
            for (int32_t b = 0; b < nb; b++) {
                const int32_t c0 = 16 * b;
                for (int j = 0; j < 16; j++)
                    bias_c[j] = (bias ? bias[c0 + j] : 0) - q->in_zp * wsum[c0 + j];
                __m256i bias_h[2];
                eb_avx2_rq rq[2];
                int with_left = 0;
                for (int j = 0; j < 16; j++)
                    with_left |= q->shift[c0 + j] > 0;
                for (int h = 0; h < 2; h++) {
                    bias_h[h] = load_half(bias_c, 0, h);
                    rq[h] = eb_avx2_rq_make(load_half(q->mult, c0, h), load_half(q->shift, c0, h));
                }
                const int16_t *wb = wp + (size_t)b * pairs * 32;
                for (int32_t ox = 0; ox < p->out_w; ox++) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_left;
                    if (iy0 >= 0 && iy0 + p->k_h <= p->in_h && ix0 >= 0 &&
                        ix0 + p->k_w <= p->in_w) {
                        const int8_t *xp = xn + ((size_t)iy0 * p->in_w + (size_t)ix0) * cn + c0;
                        for (int32_t t = 0; t < nt; t++)
                            src[t] = xp + off[t];
                    } else {
                        for (int32_t t = 0; t < nt; t++) {
                            const int32_t iy = iy0 + tky[t], ix = ix0 + tkx[t];
                            src[t] = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w
                                         ? xn + ((size_t)iy * p->in_w + (size_t)ix) * cn + c0
                                         : zpbuf;
                        }
                    }
                    __m256i acc0 = bias_h[0], acc1 = bias_h[1];
                    for (int32_t t = 0; t < pairs; t++) {
                        const __m256i xa = _mm256_cvtepi8_epi16(
                            _mm_loadu_si128((const __m128i *)(const void *)src[2 * t]));
                        const __m256i xb = _mm256_cvtepi8_epi16(
                            _mm_loadu_si128((const __m128i *)(const void *)src[2 * t + 1]));
                        const __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)(wb + 32 * t));
                        const __m256i w1 =
                            _mm256_load_si256((const __m256i *)(const void *)(wb + 32 * t + 16));
                        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_unpacklo_epi16(xa, xb), w0));
                        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_unpackhi_epi16(xa, xb), w1));
                    }
                    __m256i r0, r1;
                    if (with_left) {
                        r0 = eb_avx2_requant_clamp(acc0, &rq[0], 1, ozp, lo, hi);
                        r1 = eb_avx2_requant_clamp(acc1, &rq[1], 1, ozp, lo, hi);
                    } else {
                        r0 = eb_avx2_requant_clamp(acc0, &rq[0], 0, ozp, lo, hi);
                        r1 = eb_avx2_requant_clamp(acc1, &rq[1], 0, ozp, lo, hi);
                    }
                    /* halves hold c0..3|c8..11 and c4..7|c12..15: packs restores order */
                    const __m256i v16 = _mm256_packs_epi32(r0, r1);
                    const __m128i v8 = _mm_packs_epi16(_mm256_castsi256_si128(v16),
                                                       _mm256_extracti128_si256(v16, 1));
                    _mm_storeu_si128((__m128i *)(void *)(yrow + (size_t)ox * cn + c0), v8);
                }
            }
            for (int32_t c = 16 * nb; c < cn; c += 8) {
                const int nc = cn - c < 8 ? cn - c : 8;
                for (int32_t ox = 0; ox < p->out_w; ox++)
                    pixel_plain(p, q, xn, w, bias, iy0, ox * p->stride_w - p->pad_left, c, nc,
                                yrow + (size_t)ox * cn + c);
            }
        }
    }
}
