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

size_t eb_amx_pack_bytes(const eb_amx_plan *pl)
{
    return weights_bytes(pl) + 2 * (size_t)pl->np * sizeof(int32_t);
}

void eb_amx_pack(const eb_amx_plan *pl, const int8_t *w, void *packed)
{
    assert(pl && w && packed);
    const int32_t n = pl->n, k = pl->k, kp = pl->kp;
    int8_t *dst = (int8_t *)packed;
    int32_t *sums = (int32_t *)(void *)(dst + weights_bytes(pl)), *abs_sums = sums + pl->np;
    for (int32_t c0 = 0; c0 < pl->np; c0 += 16) {
        int8_t *panel = dst + (size_t)c0 * kp;
        for (int32_t t = 0; t < kp / 4; t++)
            for (int32_t j = 0; j < 16; j++)
                for (int32_t e = 0; e < 4; e++) {
                    const int32_t kk = 4 * t + e, ch = c0 + j;
                    panel[(size_t)t * 64 + 4 * j + e] = ch < n && kk < k ? w[(size_t)ch * k + kk] : 0;
                }
    }
    for (int32_t ch = 0; ch < pl->np; ch++) {
        int32_t s = 0, a = 0; /* |a| <= 127 k: fits for any valid conv */
        if (ch < n)
            for (int32_t kk = 0; kk < k; kk++) {
                const int32_t v = w[(size_t)ch * k + kk];
                s += v;
                a += v < 0 ? -v : v;
            }
        sums[ch] = s;
        abs_sums[ch] = a;
    }
}


/* Requantization constants of one block of 32 channels. */
typedef struct {
    union {
        eb_amx_rq fast[2];    /* when `fast` */
        eb_avx512_rq slow[2]; /* otherwise: any validated parameters */
    } rq;
    __m512i zp16;     /* out_zp as int16 */
    __m256i lo8, hi8; /* act_min, act_max as int8 */
    __mmask32 keep;   /* channels of the block inside n */
    int fast, with_left;
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
    bq->lo8 = _mm256_set1_epi8((char)q->act_min);
    bq->hi8 = _mm256_set1_epi8((char)q->act_max);
    bq->keep = nr >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << nr) - 1u);
}

size_t eb_amx_scratch_bytes(const eb_amx_plan *pl)
{
    return round64((size_t)pl->mc * (size_t)pl->kp) + round64((size_t)pl->np * sizeof(int32_t)) +
           (size_t)pl->np / 32 * sizeof(blk_q) + 2 * 32 * 32 * sizeof(int32_t);
}

/* LDTILECFG's 64-byte operand (palette 1). */
typedef struct {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} eb_amx_tilecfg;

eb_amx_scratch eb_amx_begin(const eb_amx_plan *pl, const eb_requant *q,
                            const int32_t *bias, const void *packed, void *scratch)
{
    assert(eb_amx_ready()); /* the tile instructions below need the permission */
    assert(((uintptr_t)scratch & 63) == 0 && ((uintptr_t)packed & 63) == 0);
    eb_amx_scratch s;
    char *base = (char *)scratch;
    s.a = (uint8_t *)base;
    base += round64((size_t)pl->mc * (size_t)pl->kp);
    s.fb = (int32_t *)(void *)base;
    base += round64((size_t)pl->np * sizeof(int32_t));
    s.bq = base;
    base += (size_t)pl->np / 32 * sizeof(blk_q);
    s.tb = (int32_t *)(void *)base;

    /* Per block of 32 channels: may it use eb_amx_requant (no left shift, and
     * |acc| <= |bias| + 255 sum |w| within its bound)? Its accumulators then start 2^31
     * higher (the uint32 input of eb_amx_requant). Then bias - (in_zp + 128) * sum w, in
     * uint32 (wraps like ref's int32 sum). */
    const int32_t *sums = (const int32_t *)(const void *)((const int8_t *)packed + weights_bytes(pl));
    const int32_t *abs_sums = sums + pl->np;
    const uint32_t off = (uint32_t)(q->in_zp + 128);
    for (int32_t c0 = 0; c0 < pl->np; c0 += 32) {
        uint8_t fast = 1;
        for (int32_t j = c0; j < c0 + 32 && j < pl->n; j++) {
            const int64_t b = bias ? (int64_t)bias[j] : 0;
            const int64_t bound = (b < 0 ? -b : b) + 255 * (int64_t)abs_sums[j];
            fast &= q->shift[j] <= 0 && bound <= EB_AMX_RQ_MAX_ACC;
        }
        blk_q_make((blk_q *)s.bq + c0 / 32, q, c0, pl->n - c0 < 32 ? pl->n - c0 : 32, fast);
        for (int32_t j = c0; j < c0 + 32; j++) {
            const uint32_t b = j < pl->n && bias ? (uint32_t)bias[j] : 0u;
            s.fb[j] = (int32_t)(b - off * (uint32_t)sums[j] + (fast ? UINT32_C(1) << 31 : 0u));
        }
    }

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
    /* GCC's intrinsics declare no memory operands for ldtilecfg and tileloadd: make the
     * configuration and the folded biases visible before them */
    EB_AMX_BARRIER();
    _tile_loadconfig(&cfg);
    return s;
}

void eb_amx_end(void)
{
    _tile_release();
}

/* Two requantized vectors of 16 channels to 32 int8: saturating packs (exact: the clamp
 * range lies inside int8 and saturation and clamping are both monotonic, as in the
 * avx512 store64), the zero point added in int16, a dword permutation that undoes the
 * packs' lane interleave, the clamp. */
EB_INLINE void store32(__m512i r0, __m512i r1, const blk_q *bq, int8_t *c)
{
    const __m512i p = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), bq->zp16);
    /* dword 4l + i of packs(p, p): channels 4l .. 4l + 3 of r0 (i = 0, 2), of r1 (1, 3) */
    const __m512i v = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_packs_epi16(p, p));
    const __m256i o = _mm256_min_epi8(_mm256_max_epi8(_mm512_castsi512_si256(v), bq->lo8), bq->hi8);
    _mm256_mask_storeu_epi8((void *)c, bq->keep, o);
}

/* One row of 32 accumulators to 32 int8. kind: 0 fast, 1 slow, 2 slow with left shifts. */
EB_INLINE void epi_row(const int32_t *t, const blk_q *bq, const int kind, int8_t *c)
{
    const __m512i a0 = _mm512_load_si512((const void *)t);
    const __m512i a1 = _mm512_load_si512((const void *)(t + 16));
    if (kind == 0)
        store32(eb_amx_requant(a0, &bq->rq.fast[0]), eb_amx_requant(a1, &bq->rq.fast[1]), bq, c);
    else
        store32(eb_avx512_requant(a0, &bq->rq.slow[0], kind == 2),
                eb_avx512_requant(a1, &bq->rq.slow[1], kind == 2), bq, c);
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
    if (pd->q->fast)
        for (int32_t e = e0; e < e1; e++)
            epi_row(pd->t + 32 * e, pd->q, 0, pd->c + (size_t)e * ldc);
    else if (!pd->q->with_left)
        for (int32_t e = e0; e < e1; e++)
            epi_row(pd->t + 32 * e, pd->q, 1, pd->c + (size_t)e * ldc);
    else
        for (int32_t e = e0; e < e1; e++)
            epi_row(pd->t + 32 * e, pd->q, 2, pd->c + (size_t)e * ldc);
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
    const int32_t per_step = (blk + kp / kb - 1) / (kp / kb);
    const int8_t *w = (const int8_t *)packed;
    const blk_q *bq = (const blk_q *)s->bq;
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
        const int32_t *fb = s->fb + n0;
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
