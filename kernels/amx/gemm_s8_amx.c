/* gemm_s8_amx.c - the int8 tile GEMM core of the AMX conv2d and fully connected (see
 * amx_gemm.h for the tile assignment and eb_amx.h for the packed layout).
 *
 * Why the block is 2 x 2 tiles: 8 tile registers hold 4 accumulators and the 2 + 2 A and
 * B tiles they need, so every loaded tile feeds two TDPBUSD (4 loads per 4 x 16 K
 * multiply-adds of 16 x 16 outputs), and the 4 independent accumulator chains cover
 * TDPBUSD's latency. The requantization is the part that costs: 12 to 17 vector
 * instructions per 16 outputs (amx_requant.h or eb_avx512_requant), against K / 64
 * tile-unit cycles for the same outputs, so it runs on the previous block while the
 * tile unit works on the current one. */
#include <assert.h>
#include <string.h>

#include "../avx512/avx512_util.h"
#include "amx_gemm.h"
#include "amx_requant.h"
#include "eb_amx.h"

#define EB_AMX_BARRIER() __asm__ volatile("" ::: "memory")

/* A scratch chunk of about this many bytes: with 32 channels of weights (32 kp bytes)
 * it stays in L2 while every panel of the layer sweeps it. */
#define EB_AMX_CHUNK_BYTES (160 * 1024)

/* Weights up to this size stay in L1 while the rows of A go by (see eb_amx_gemm). */
#define EB_AMX_SMALL_B_BYTES (16 * 1024)

static int32_t round_up32(int32_t v, int32_t a)
{
    return (v + a - 1) / a * a;
}

static size_t round64(size_t v)
{
    return (v + 63) / 64 * 64;
}

eb_amx_plan eb_amx_plan_make(int32_t m, int32_t n, int32_t k)
{
    assert(m > 0 && n > 0 && k > 0);
    eb_amx_plan pl;
    const int32_t kq = (k + 3) & ~3;
    pl.m = m;
    pl.n = n;
    pl.k = k;
    pl.kb = kq <= 64 ? kq : 64;
    pl.kp = round_up32(kq, pl.kb);
    pl.np = round_up32(n, 32);
    /* fewer than 32 rows: split them over the two row tiles instead of padding to 32 */
    pl.mr = m >= 32 ? 16 : (m + 1) / 2;
    const int32_t blk = 2 * pl.mr;
    int32_t mc = (int32_t)(EB_AMX_CHUNK_BYTES / (size_t)pl.kp) / blk * blk;
    if (mc < blk)
        mc = blk;
    if (mc > round_up32(m, blk))
        mc = round_up32(m, blk);
    pl.mc = mc;
    return pl;
}

static size_t weights_bytes(const eb_amx_plan *pl)
{
    return (size_t)pl->np * (size_t)pl->kp;
}

/* Requantization constants of one block of 32 channels. */
typedef struct {
    union {
        eb_amx_rq fast[2];    /* when `fast` */
        eb_avx512_rq slow[2]; /* otherwise: any validated parameters */
    } rq;
    __m512i zp16;     /* out_zp as int16 */
    __m512i lo8, hi8; /* act_min, act_max as int8 */
    __mmask32 keep;   /* channels of the block inside n */
    int fast, with_left;
    int32_t in_zp, out_zp, act_min, act_max; /* the pack's q, checked by the run */
} blk_q;

static void blk_q_make(blk_q *bq, const eb_requant *q, int32_t n0, int32_t nr, int fast)
{
    memset(bq, 0, sizeof *bq);
    int32_t mult[32] = {0}, shift[32] = {0};
    bq->with_left = 0;
    for (int32_t j = 0; j < nr; j++) {
        mult[j] = q->mult[n0 + j];
        shift[j] = q->shift[n0 + j];
        bq->with_left |= shift[j] > 0;
    }
    bq->fast = fast;
    for (int h = 0; h < 2; h++)
        if (fast)
            bq->rq.fast[h] = eb_amx_rq_make(mult + 16 * h, shift + 16 * h);
        else
            bq->rq.slow[h] = eb_avx512_rq_make(_mm512_loadu_si512((const void *)(mult + 16 * h)),
                                               _mm512_loadu_si512((const void *)(shift + 16 * h)));
    bq->zp16 = _mm512_set1_epi16((short)q->out_zp);
    bq->lo8 = _mm512_set1_epi8((char)q->act_min);
    bq->hi8 = _mm512_set1_epi8((char)q->act_max);
    bq->keep = nr >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << nr) - 1u);
    bq->in_zp = q->in_zp;
    bq->out_zp = q->out_zp;
    bq->act_min = q->act_min;
    bq->act_max = q->act_max;
}

/* The packed buffer: B panels, then the folded biases (np int32), then one blk_q per
 * block of 32 channels. */
static int32_t *packed_fb(const eb_amx_plan *pl, const void *packed)
{
    return (int32_t *)(void *)((char *)(uintptr_t)packed + weights_bytes(pl));
}

static blk_q *packed_bq(const eb_amx_plan *pl, const void *packed)
{
    return (blk_q *)(void *)((char *)packed_fb(pl, packed) + round64((size_t)pl->np * 4));
}

size_t eb_amx_pack_bytes(const eb_amx_plan *pl)
{
    return weights_bytes(pl) + round64((size_t)pl->np * 4) + (size_t)pl->np / 32 * sizeof(blk_q);
}

void eb_amx_pack(const eb_amx_plan *pl, const eb_requant *q, const int8_t *w,
                 const int32_t *bias, void *packed)
{
    assert(pl && q && w && packed && ((uintptr_t)packed & 63) == 0);
    const int32_t n = pl->n, k = pl->k, kp = pl->kp;
    int8_t *dst = (int8_t *)packed;
    for (int32_t c0 = 0; c0 < pl->np; c0 += 16) {
        int8_t *panel = dst + (size_t)c0 * kp;
        for (int32_t t = 0; t < kp / 4; t++)
            for (int32_t j = 0; j < 16; j++)
                for (int32_t e = 0; e < 4; e++) {
                    const int32_t kk = 4 * t + e, ch = c0 + j;
                    panel[(size_t)t * 64 + 4 * j + e] = ch < n && kk < k ? w[(size_t)ch * k + kk] : 0;
                }
    }
    /* Per block of 32 channels: may it use eb_amx_requant (no left shift, and |acc| <=
     * |bias| + 255 sum |w| within EB_AMX_RQ_MAX_ACC)? Its accumulators then start 2^31
     * higher (eb_amx_requant's uint32 input). Either way from bias - (in_zp + 128) sum w,
     * in uint32 (wraps like ref's int32 sum, exact whenever ref's is). */
    int32_t *fb = packed_fb(pl, packed);
    blk_q *bq = packed_bq(pl, packed);
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    for (int32_t c0 = 0; c0 < pl->np; c0 += 32) {
        int32_t sum[32] = {0};
        int fast = 1;
        for (int32_t j = 0; j < 32 && c0 + j < n; j++) {
            const int8_t *wc = w + (size_t)(c0 + j) * k;
            int64_t a = 0;
            for (int32_t kk = 0; kk < k; kk++) {
                sum[j] += wc[kk];
                a += wc[kk] < 0 ? -wc[kk] : wc[kk];
            }
            const int64_t b = bias ? (int64_t)bias[c0 + j] : 0;
            fast &= q->shift[c0 + j] <= 0 && (b < 0 ? -b : b) + 255 * a <= EB_AMX_RQ_MAX_ACC;
        }
        for (int32_t j = 0; j < 32; j++) {
            const uint32_t b = c0 + j < n && bias ? (uint32_t)bias[c0 + j] : 0u;
            fb[c0 + j] = (int32_t)(b - off * (uint32_t)sum[j] + (fast ? UINT32_C(1) << 31 : 0u));
        }
        blk_q_make(bq + c0 / 32, q, c0, n - c0 < 32 ? n - c0 : 32, fast);
    }
}

size_t eb_amx_scratch_bytes(const eb_amx_plan *pl)
{
    /* + 64: the one-lane-on loads of the last tile buffer row (requant16) */
    return round64((size_t)pl->mc * (size_t)pl->kp) + 2 * 32 * 32 * sizeof(int32_t) + 64;
}

/* LDTILECFG's 64-byte operand (palette 1). */
typedef struct {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} eb_amx_tilecfg;

eb_amx_scratch eb_amx_begin(const eb_amx_plan *pl, const eb_requant *q, const void *packed,
                            void *scratch)
{
    assert(eb_amx_ready()); /* the tile instructions below need the permission */
    assert(((uintptr_t)scratch & 63) == 0 && ((uintptr_t)packed & 63) == 0);
    /* the run's parameters are the pack's (the cheap part of that contract) */
    assert(packed_bq(pl, packed)->out_zp == q->out_zp &&
           packed_bq(pl, packed)->in_zp == q->in_zp &&
           packed_bq(pl, packed)->act_min == q->act_min &&
           packed_bq(pl, packed)->act_max == q->act_max);
    (void)q;
    (void)packed;
    eb_amx_scratch s;
    s.a = (uint8_t *)scratch;
    s.tb = (int32_t *)(void *)((char *)scratch + round64((size_t)pl->mc * (size_t)pl->kp));

    _Alignas(64) eb_amx_tilecfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 4; t++) {
        cfg.rows[t] = (uint8_t)pl->mr;
        cfg.colsb[t] = 64;
    }
    for (int t = 4; t < 6; t++) {
        cfg.rows[t] = (uint8_t)pl->mr;
        cfg.colsb[t] = (uint16_t)pl->kb;
    }
    for (int t = 6; t < 8; t++) {
        cfg.rows[t] = (uint8_t)(pl->kb / 4);
        cfg.colsb[t] = 64;
    }
    /* GCC's intrinsics declare no memory operand for ldtilecfg: make the configuration
     * visible before it */
    EB_AMX_BARRIER();
    _tile_loadconfig(&cfg);
    return s;
}

void eb_amx_end(void)
{
    _tile_release();
}

/* Requantized vectors of 16 channels to int8: saturating packs (exact: the clamp range
 * lies inside int8 and saturation and clamping are both monotonic, as in the avx512
 * store64), the zero point added in int16, a dword permutation that undoes the packs'
 * lane interleave, the clamp. store32: one row (r0, r1); store64: two rows at once
 * (r0, r1 to c0; r2, r3 to c1), fewer instructions per output. */
EB_INLINE void store32(__m512i r0, __m512i r1, const blk_q *bq, int8_t *c)
{
    const __m512i p = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), bq->zp16);
    /* dword 4l + i of packs(p, p): channels 4l .. 4l + 3 of r0 (i = 0, 2), of r1 (1, 3) */
    const __m512i v = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_packs_epi16(p, p));
    const __m256i o = _mm256_min_epi8(_mm256_max_epi8(_mm512_castsi512_si256(v),
                                                      _mm512_castsi512_si256(bq->lo8)),
                                      _mm512_castsi512_si256(bq->hi8));
    _mm256_mask_storeu_epi8((void *)c, bq->keep, o);
}

EB_INLINE void store64(__m512i r0, __m512i r1, __m512i r2, __m512i r3, const blk_q *bq,
                       int8_t *c0, int8_t *c1)
{
    const __m512i p01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), bq->zp16);
    const __m512i p23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), bq->zp16);
    /* dword 4l + i: channels 4l .. 4l + 3 of r_i */
    __m512i v = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
        _mm512_packs_epi16(p01, p23));
    v = _mm512_min_epi8(_mm512_max_epi8(v, bq->lo8), bq->hi8);
    _mm256_mask_storeu_epi8((void *)c0, bq->keep, _mm512_castsi512_si256(v));
    _mm256_mask_storeu_epi8((void *)c1, bq->keep, _mm512_extracti64x4_epi64(v, 1));
}

/* 16 requantized channels from the tile buffer at t. kind: 0 the short form (t holds
 * acc + 2^31; lanes 2i + 1 come from a load one lane on, see amx_requant.h), 1 general,
 * 2 general with left shifts. */
EB_INLINE __m512i requant16(const int32_t *t, const blk_q *bq, int h, const int kind)
{
    const __m512i a = _mm512_load_si512((const void *)t);
    if (kind == 0)
        return eb_amx_requant2(a, _mm512_loadu_si512((const void *)(t + 1)), &bq->rq.fast[h]);
    return eb_avx512_requant(a, &bq->rq.slow[h], kind == 2);
}

/* rows e0 .. e1 - 1 of the tile buffer t (32 int32 a row) to c (stride ldc) */
EB_INLINE void epi_span(const int32_t *t, const blk_q *bq, const int kind, int8_t *c,
                        size_t ldc, int32_t e0, int32_t e1)
{
    int32_t e = e0;
    for (; e + 2 <= e1; e += 2) {
        const int32_t *r = t + 32 * e;
        store64(requant16(r, bq, 0, kind), requant16(r + 16, bq, 1, kind),
                requant16(r + 32, bq, 0, kind), requant16(r + 48, bq, 1, kind), bq,
                c + (size_t)e * ldc, c + (size_t)(e + 1) * ldc);
    }
    if (e < e1)
        store32(requant16(t + 32 * e, bq, 0, kind), requant16(t + 32 * e + 16, bq, 1, kind), bq,
                c + (size_t)e * ldc);
}

/* A block whose accumulators wait in a tile buffer for their requantization. */
typedef struct {
    const int32_t *t; /* 32 x 32 int32 */
    const blk_q *q;
    int8_t *c;        /* its first output row */
    int32_t rows;     /* valid rows (0: none) */
} pending;

EB_INLINE void epi_rows(const pending *pd, int32_t e0, int32_t e1, size_t ldc)
{
    if (e0 >= e1)
        return;
    if (pd->q->fast)
        epi_span(pd->t, pd->q, 0, pd->c, ldc, e0, e1);
    else if (!pd->q->with_left)
        epi_span(pd->t, pd->q, 1, pd->c, ldc, e0, e1);
    else
        epi_span(pd->t, pd->q, 2, pd->c, ldc, e0, e1);
}

void eb_amx_gemm(const eb_amx_plan *pl, const eb_amx_scratch *s, int32_t rows,
                 const void *packed, int8_t *c, size_t ldc)
{
    assert(rows > 0 && rows <= pl->mc && packed && c);
    const int32_t mr = pl->mr, blk = 2 * mr, kp = pl->kp, kb = pl->kb;
    const size_t lda = (size_t)kp;
    const int32_t padded = round_up32(rows, blk);
    if (padded > rows)
        memset(s->a + (size_t)rows * lda, 0, (size_t)(padded - rows) * lda);
    EB_AMX_BARRIER(); /* the rows of A are written before the tile loads read them */
    /* rows of the pending block to requantize per tile step: all of them in the steps
     * of the next block */
    int32_t per_step = (blk + kp / kb - 1) / (kp / kb);
    per_step += per_step & 1; /* pairs of rows (store64) */
    const int8_t *w = (const int8_t *)packed;
    const blk_q *bq = packed_bq(pl, packed);
    const int32_t *fbs = packed_fb(pl, packed);
    int32_t *tb[2] = {s->tb, s->tb + 32 * 32};
    int cur = 0;
    pending pd = {tb[1], bq, c, 0};
    /* One stream of blocks, so the requantization of the previous block runs during the
     * tile steps of the current one. Column by column (a panel pair of B stays in L1
     * while A streams), or block row by block row when all of B fits in L1 (A's block
     * stays, and every output row is written at once). */
    const int32_t nrow = padded / blk, ncol = pl->np / 32;
    const int rows_outer = (size_t)pl->np * lda <= EB_AMX_SMALL_B_BYTES;
    for (int32_t i = 0; i < nrow * ncol; i++) {
        const int32_t col = rows_outer ? i % ncol : i / nrow;
        const int32_t r0 = (rows_outer ? i / ncol : i % nrow) * blk, n0 = 32 * col;
        const int8_t *b0 = w + (size_t)n0 * lda, *b1 = b0 + (size_t)16 * lda;
        const int32_t *fb = fbs + n0;
        _tile_loadd(0, fb, 0);
        _tile_loadd(1, fb + 16, 0);
        _tile_loadd(2, fb, 0);
        _tile_loadd(3, fb + 16, 0);
        const uint8_t *a0 = s->a + (size_t)r0 * lda, *a1 = a0 + (size_t)mr * lda;
        int32_t e = 0;
        for (int32_t kk = 0; kk < kp; kk += kb) {
            _tile_loadd(4, a0 + kk, lda);
            _tile_loadd(6, b0 + (size_t)kk * 16, 64);
            _tile_loadd(7, b1 + (size_t)kk * 16, 64);
            _tile_loadd(5, a1 + kk, lda);
            _tile_dpbusd(0, 4, 6);
            _tile_dpbusd(1, 4, 7);
            _tile_dpbusd(2, 5, 6);
            _tile_dpbusd(3, 5, 7);
            const int32_t e1 = e + per_step < pd.rows ? e + per_step : pd.rows;
            epi_rows(&pd, e, e1, ldc);
            e = e1;
        }
        epi_rows(&pd, e, pd.rows, ldc); /* none left unless per_step is short */
        int32_t *t = tb[cur];
        _tile_stored(0, t, 128);
        _tile_stored(1, t + 16, 128);
        _tile_stored(2, t + 32 * mr, 128);
        _tile_stored(3, t + 32 * mr + 16, 128);
        pd.t = t;
        pd.q = bq + col;
        pd.c = c + (size_t)r0 * ldc + n0;
        pd.rows = rows - r0 < blk ? rows - r0 : blk;
        cur ^= 1;
    }
    epi_rows(&pd, 0, pd.rows, ldc);
}
