/* test_amx.c - the AMX int8 kernels (kernels/amx) against ref, called directly (not
 * through dispatch): bit-exact outputs on tail-heavy shapes - channel and pixel counts
 * that are not multiples of 16, 32 or 64, depths not a multiple of 4 or 64, 1x1 and
 * windowed convs, stride 2, asymmetric padding, batch 2, non-zero zero points,
 * saturating requantization, MobileNetV1's layer sizes, several scratch chunks - plus
 * the permission (idempotent, covers threads started later).
 *
 * Tile loads and stores are invisible to AddressSanitizer, so every buffer handed to a
 * kernel ends at a page boundary followed by an inaccessible page (a read or write past
 * the end faults), and the rest of its pages hold a pattern checked afterwards (a write
 * before the start or into alignment slack fails). Skips visibly without AMX. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eb_kernels.h"
#include "kernel_test_util.h"

#if defined(EB_HAVE_AMX)
#include "../kernels/amx/eb_amx.h"

static void need_amx(void)
{
    char why[200];
    if (!eb_amx_enable(why, sizeof why))
        cr_skip_test("AMX kernels not tested: %s", why);
}

/* ---- guarded buffers ---------------------------------------------------------------- */

#define G_FILL 0xA5
#define G_MAX 16

typedef struct {
    unsigned char *map, *data, *p;
    size_t len, data_len, n;
} g_buf;

static g_buf g_bufs[G_MAX];
static int g_count;

/* n bytes (aligned to align) whose end is at most align - 1 bytes before an
 * inaccessible page; the pattern G_FILL everywhere else in the data pages. */
static void *g_alloc(size_t n, size_t align)
{
    cr_assert(g_count < G_MAX);
    const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    const size_t body = (n + align - 1) / align * align;
    const size_t data_len = (body + pg) / pg * pg;
    const size_t len = data_len + 2 * pg;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(m != MAP_FAILED);
    cr_assert_eq(mprotect(m, pg, PROT_NONE), 0);
    cr_assert_eq(mprotect(m + pg + data_len, pg, PROT_NONE), 0);
    g_buf *g = &g_bufs[g_count++];
    g->map = m;
    g->len = len;
    g->data = m + pg;
    g->data_len = data_len;
    g->p = g->data + data_len - body;
    g->n = n;
    memset(g->data, G_FILL, data_len);
    return g->p;
}

/* Fails when a kernel wrote outside a buffer; unmaps them all. */
static void g_check_free(const char *what)
{
    for (int i = 0; i < g_count; i++) {
        g_buf *g = &g_bufs[i];
        for (unsigned char *b = g->data; b < g->data + g->data_len; b++)
            if ((b < g->p || b >= g->p + g->n) && *b != G_FILL)
                cr_assert_fail("%s: byte %td outside buffer %d (of %zu bytes) was written", what,
                               b - g->p, i, g->n);
        munmap(g->map, g->len);
    }
    g_count = 0;
}

/* ---- data ------------------------------------------------------------------------------ */

static kt_rng rng;

static int8_t *g_s8(size_t n, int32_t lo, int32_t hi)
{
    int8_t *p = g_alloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)kt_int(&rng, lo, hi);
    return p;
}

/* RQ_MIXED: every branch of eb_requantize in each block of channels (so the kernels'
 * general requantization); RQ_RIGHT: no left shifts (their short exact form, see
 * kernels/amx/amx_requant.h); RQ_SATURATE: mostly left shifts. */
typedef enum { RQ_MIXED, RQ_RIGHT, RQ_SATURATE } rq_kind;

typedef struct {
    eb_requant q;
    int32_t *mult, *shift;
} t_rq;

/* Per-channel (mult, shift) reaching every branch of eb_requantize: mostly realistic
 * (2^-12..2^-4), some left shifts (saturating), large right shifts, shift 0, mult 0.
 * RQ_SATURATE: mostly left shifts, so most outputs hit the clamp; RQ_RIGHT: none. Zero points and the
 * clamp range random (sometimes the full range, sometimes ReLU-like). */
static t_rq make_rq(int32_t channels, rq_kind kind)
{
    t_rq r;
    r.mult = malloc((size_t)channels * sizeof(int32_t));
    r.shift = malloc((size_t)channels * sizeof(int32_t));
    cr_assert(r.mult && r.shift);
    for (int32_t c = 0; c < channels; c++) {
        int k = kt_int(&rng, 0, 9);
        if (kind == RQ_SATURATE)
            k = k < 7 ? 6 : k;
        if (kind == RQ_RIGHT && k == 6)
            k = kt_int(&rng, 0, 1) ? 7 : 8;
        /* below INT32_MAX - 255: ref adds out_zp to a saturated value in 64 bits, but
         * keep the product itself representable as in validation */
        r.mult[c] = kt_int(&rng, 1 << 30, INT32_MAX - 255);
        if (k <= 5)
            r.shift[c] = kt_int(&rng, -12, -4);
        else if (k == 6)
            r.shift[c] = kt_int(&rng, 1, 31);
        else if (k == 7)
            r.shift[c] = kt_int(&rng, -31, -20);
        else if (k == 8)
            r.shift[c] = 0;
        else {
            r.mult[c] = 0;
            r.shift[c] = 0;
        }
    }
    r.q.in_zp = kt_int(&rng, -128, 127);
    if (kt_int(&rng, 0, 4) == 0)
        r.q.in_zp = kt_int(&rng, 0, 1) ? -128 : 127;
    r.q.out_zp = kt_int(&rng, -128, 127);
    int32_t a = kt_int(&rng, -128, 127), b = kt_int(&rng, -128, 127);
    if (kt_int(&rng, 0, 2) == 0) {
        a = -128;
        b = 127;
    }
    r.q.act_min = a < b ? a : b;
    r.q.act_max = a < b ? b : a;
    r.q.mult = r.mult;
    r.q.shift = r.shift;
    cr_assert_eq(eb_requant_validate(&r.q, channels), EB_OK);
    return r;
}

static void free_rq(t_rq *r)
{
    free(r->mult);
    free(r->shift);
}

static void assert_same(const int8_t *got, const int8_t *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            cr_assert_fail("%s: element %zu is %d, ref says %d", what, i, got[i], want[i]);
}

/* share of outputs at act_min or act_max, for the tests that must saturate */
static double clamped_share(const int8_t *y, size_t n, const eb_requant *q)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += y[i] == q->act_min || y[i] == q->act_max;
    return n ? (double)c / (double)n : 0.0;
}

/* ---- conv2d -------------------------------------------------------------------------- */

typedef struct {
    int32_t batch, in_h, in_w, in_c, out_c, k_h, k_w, s_h, s_w, pt, pl, pb, pr;
    eb_padding pad;
} t_conv;

static eb_conv_params conv_params(const t_conv *c)
{
    eb_conv_params p = {0};
    p.batch = c->batch;
    p.in_h = c->in_h;
    p.in_w = c->in_w;
    p.in_c = c->in_c;
    p.out_c = c->out_c;
    p.k_h = c->k_h;
    p.k_w = c->k_w;
    p.stride_h = c->s_h;
    p.stride_w = c->s_w;
    p.pad_top = c->pt;
    p.pad_left = c->pl;
    p.pad_bottom = c->pb;
    p.pad_right = c->pr;
    cr_assert_eq(eb_conv_out_dims(&p, c->pad), EB_OK);
    cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
    return p;
}

/* How a test calls the kernel under test (directly, or on another thread). */
typedef void (*conv_runner)(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                            const int8_t *w, const int32_t *bias, const void *packed,
                            int8_t *y, void *scratch);

/* Runs ref and amx (through run, or directly when NULL) on one geometry; returns the
 * share of clamped outputs. */
static double check_conv_with(const t_conv *c, rq_kind kind, int with_bias, conv_runner run)
{
    const eb_conv_params p = conv_params(c);
    const size_t ni = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
    const size_t no = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
    const size_t nw = (size_t)p.out_c * p.k_h * p.k_w * p.in_c;
    t_rq rq = make_rq(p.out_c, kind);
    const int8_t *x = g_s8(ni, -128, 127);
    const int8_t *w = g_s8(nw, -127, 127);
    int32_t *bias = NULL;
    if (with_bias) {
        bias = g_alloc((size_t)p.out_c * sizeof(int32_t), 4);
        for (int32_t i = 0; i < p.out_c; i++)
            bias[i] = kind == RQ_SATURATE ? kt_int(&rng, -2000000, 2000000)
                                          : kt_int(&rng, -100000, 100000);
    }
    void *packed = g_alloc(eb_conv2d_s8_amx_pack_size(&p), 64);
    void *scratch = g_alloc(eb_conv2d_s8_amx_scratch_size(&p), 64);
    int8_t *got = g_alloc(no, 1);
    int8_t *want = malloc(no);
    cr_assert(want);
    eb_conv2d_s8_amx_pack(&p, &rq.q, w, bias, packed);
    eb_conv2d_s8_ref(&p, &rq.q, x, w, bias, NULL, want, NULL);
    char what[200];
    snprintf(what, sizeof what,
             "conv2d s8 amx b%d %dx%dx%d -> %dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d zp %d,%d",
             p.batch, p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.k_h, p.k_w,
             p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.pad_bottom, p.pad_right,
             rq.q.in_zp, rq.q.out_zp);
    /* twice with the same scratch: the second run starts from the first one's leftovers */
    for (int i = 0; i < 2; i++) {
        (run ? run : eb_conv2d_s8_amx)(&p, &rq.q, x, w, bias, packed, got, scratch);
        assert_same(got, want, no, what);
    }
    const double share = clamped_share(want, no, &rq.q);
    g_check_free(what);
    free(want);
    free_rq(&rq);
    return share;
}

static double check_conv(const t_conv *c, rq_kind kind, int with_bias)
{
    return check_conv_with(c, kind, with_bias, NULL);
}

static const int32_t tail_c[] = {1, 3, 17, 63, 65, 100};
#define NTAIL (sizeof tail_c / sizeof tail_c[0])

/* 1x1 as a direct GEMM: every in x out channel pair of the tail list, pixel counts 1,
 * 35 (not a multiple of 16 or 32) and 2 x 33. */
Test(amx_conv2d, pointwise_channel_and_pixel_tails)
{
    need_amx();
    rng = kt_seed(11);
    const t_conv geo[] = {
        {1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT},
        {1, 5, 7, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT},
        {2, 3, 11, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT},
    };
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++)
        for (size_t i = 0; i < NTAIL; i++)
            for (size_t o = 0; o < NTAIL; o++) {
                t_conv c = geo[g];
                c.in_c = tail_c[i];
                c.out_c = tail_c[o];
                check_conv(&c, (i + o) % 2 ? RQ_RIGHT : RQ_MIXED, (i + o) % 3 != 0);
            }
}

/* im2col: 3x3 with padding on every side (asymmetric too), stride 2 with SAME (the
 * extra pixel at the bottom/right), 1x1 stride 2, 5x3 with mixed strides, 2x2 VALID,
 * batch 2; depths 9 * in_c etc. (27, 153, 585: not multiples of 4 or 64). */
Test(amx_conv2d, windows_strides_padding)
{
    need_amx();
    rng = kt_seed(12);
    const t_conv geo[] = {
        {1, 7, 10, 0, 0, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT},
        {1, 8, 10, 0, 0, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME},
        {2, 6, 9, 0, 0, 3, 3, 1, 1, 2, 0, 1, 2, EB_PAD_EXPLICIT},
        {1, 9, 13, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, EB_PAD_EXPLICIT},
        {1, 8, 12, 0, 0, 5, 3, 2, 1, 3, 2, 4, 1, EB_PAD_EXPLICIT},
        {2, 7, 11, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, EB_PAD_VALID},
    };
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++)
        for (size_t i = 0; i < NTAIL; i++)
            for (size_t o = 0; o < NTAIL; o += 2) {
                t_conv c = geo[g];
                c.in_c = tail_c[i];
                c.out_c = tail_c[(o + g) % NTAIL];
                check_conv(&c, (g + i + o) % 2 ? RQ_RIGHT : RQ_MIXED, (g + i) % 2 == 0);
            }
}

/* Left shifts with large multipliers and biases: most outputs saturate to the clamp,
 * which must match ref exactly (zero points non-zero on both sides). */
Test(amx_conv2d, saturating_requantization)
{
    need_amx();
    rng = kt_seed(13);
    const t_conv c1 = {1, 6, 7, 65, 100, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT};
    const t_conv c3 = {2, 5, 6, 17, 33, 3, 3, 2, 2, 1, 0, 0, 1, EB_PAD_EXPLICIT};
    double s = check_conv(&c1, RQ_SATURATE, 1) + check_conv(&c3, RQ_SATURATE, 1);
    cr_assert_gt(s / 2, 0.5, "only %.0f %% of the outputs saturated", 50 * s);
}

/* Several scratch chunks of rows (K = 1024: 160 rows a chunk; K = 32: 5120 rows) and
 * several column blocks. */
Test(amx_conv2d, several_chunks)
{
    need_amx();
    rng = kt_seed(14);
    const t_conv geo[] = {
        {1, 17, 19, 1024, 40, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT},
        {1, 80, 71, 32, 24, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_EXPLICIT},
        {2, 23, 21, 64, 70, 3, 3, 1, 1, 1, 1, 1, 1, EB_PAD_EXPLICIT},
    };
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        check_conv(&geo[g], RQ_MIXED, 1);
        check_conv(&geo[g], RQ_RIGHT, 1);
    }
}

/* MobileNetV1 1.0/224's conv layers at full size (the first 3x3 stride-2 layer and
 * each distinct pointwise shape). */
Test(amx_conv2d, mobilenet_v1_layers, .timeout = 600)
{
    need_amx();
    rng = kt_seed(15);
    const t_conv geo[] = {
        {1, 224, 224, 3, 32, 3, 3, 2, 2, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 112, 112, 32, 64, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 56, 56, 64, 128, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 56, 56, 128, 128, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 28, 28, 128, 256, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 28, 28, 256, 256, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 14, 14, 256, 512, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 14, 14, 512, 512, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 7, 7, 512, 1024, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
        {1, 7, 7, 1024, 1024, 1, 1, 1, 1, 0, 0, 0, 0, EB_PAD_SAME},
    };
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++)
        check_conv(&geo[g], g % 2 ? RQ_MIXED : RQ_RIGHT, 1);
}

/* The short requantization is exact up to |acc| = 2^30 - 2 (EB_AMX_RQ_MAX_ACC). Inputs
 * and weights that reach the bound exactly: x = 127 with in_zp = -128 and w = +-127
 * everywhere, so acc = bias +- 255 * 127 * K, with the bias putting |acc| at the bound
 * (channels 0..31: the short form) or one past it (32..63: the general one) or at
 * +-(2^31 - 2) (64..95, where the short form would be wrong), every right shift 0..31
 * and the largest multipliers. */
Test(amx_conv2d, accumulators_at_the_bound)
{
    need_amx();
    const int32_t k = 100, n = 96;
    const eb_conv_params p = {.batch = 1, .in_h = 3, .in_w = 5, .in_c = k, .out_h = 3, .out_w = 5,
                              .out_c = n, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1};
    cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
    const size_t no = (size_t)15 * n;
    int8_t *x = g_alloc(15 * k, 1), *w = g_alloc((size_t)n * k, 1);
    int32_t *bias = g_alloc((size_t)n * sizeof(int32_t), 4);
    int32_t mult[96], shift[96];
    memset(x, 127, 15 * k);
    const int32_t top = (1 << 30) - 2, sum = 255 * 127 * k;
    for (int32_t c = 0; c < n; c++) {
        const int neg = c % 2;
        memset(w + (size_t)c * k, neg ? -127 : 127, (size_t)k);
        const int32_t b = c >= 64 ? INT32_MAX - 1 - sum : top - sum + (c >= 32);
        bias[c] = neg ? -b : b;
        mult[c] = INT32_MAX - 255 * (c % 3);
        shift[c] = -(c % 32);
    }
    const eb_requant q = {-128, 5, -128, 127, mult, shift};
    cr_assert_eq(eb_requant_validate(&q, n), EB_OK);
    void *packed = g_alloc(eb_conv2d_s8_amx_pack_size(&p), 64);
    void *scratch = g_alloc(eb_conv2d_s8_amx_scratch_size(&p), 64);
    int8_t *got = g_alloc(no, 1), *want = malloc(no);
    cr_assert(want);
    eb_conv2d_s8_amx_pack(&p, &q, w, bias, packed);
    eb_conv2d_s8_ref(&p, &q, x, w, bias, NULL, want, NULL);
    eb_conv2d_s8_amx(&p, &q, x, w, bias, packed, got, scratch);
    assert_same(got, want, no, "conv2d s8 amx, accumulators at the bound");
    g_check_free("accumulators at the bound");
    free(want);
}

/* ---- fully connected ------------------------------------------------------------------- */

static double check_fc(int32_t batch, int32_t in, int32_t out, rq_kind kind, int with_bias)
{
    const eb_fc_params p = {batch, in, out, EB_ACT_NONE};
    cr_assert_eq(eb_fc_validate(&p), EB_OK);
    const size_t no = (size_t)batch * out;
    t_rq rq = make_rq(out, kind);
    const int8_t *x = g_s8((size_t)batch * in, -128, 127);
    const int8_t *w = g_s8((size_t)out * in, -127, 127);
    int32_t *bias = NULL;
    if (with_bias) {
        bias = g_alloc((size_t)out * sizeof(int32_t), 4);
        for (int32_t i = 0; i < out; i++)
            bias[i] = kt_int(&rng, -100000, 100000);
    }
    void *packed = g_alloc(eb_fc_s8_amx_pack_size(&p), 64);
    void *scratch = g_alloc(eb_fc_s8_amx_scratch_size(&p), 64);
    int8_t *got = g_alloc(no, 1);
    int8_t *want = malloc(no);
    cr_assert(want);
    eb_fc_s8_amx_pack(&p, &rq.q, w, bias, packed);
    eb_fc_s8_ref(&p, &rq.q, x, w, bias, NULL, want, NULL);
    eb_fc_s8_amx(&p, &rq.q, x, w, bias, packed, got, scratch);
    char what[160];
    snprintf(what, sizeof what, "fc s8 amx batch %d %d -> %d zp %d,%d", batch, in, out,
             rq.q.in_zp, rq.q.out_zp);
    assert_same(got, want, no, what);
    const double share = clamped_share(want, no, &rq.q);
    g_check_free(what);
    free(want);
    free_rq(&rq);
    return share;
}

Test(amx_fc, batch_and_feature_tails)
{
    need_amx();
    rng = kt_seed(21);
    const int32_t batches[] = {1, 2, 3, 4, 5, 17, 33}; /* below 4: the avx512 path */
    const int32_t ins[] = {1, 3, 17, 63, 64, 65, 100, 1024};
    const int32_t outs[] = {1, 3, 17, 63, 65, 100, 1000};
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++)
        for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++)
            for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++)
                check_fc(batches[b], ins[i], outs[o], (b + i + o) % 2 ? RQ_RIGHT : RQ_MIXED,
                         (b + i + o) % 3 != 0);
}

Test(amx_fc, saturating_and_mobilenet_head)
{
    need_amx();
    rng = kt_seed(22);
    cr_assert_gt(check_fc(3, 100, 65, RQ_SATURATE, 1), 0.5);
    check_fc(1, 1024, 1000, RQ_RIGHT, 1);
    check_fc(2, 1280, 1000, RQ_MIXED, 1);
}

/* ---- permission ---------------------------------------------------------------------- */

Test(amx_enable, idempotent_and_ready)
{
    need_amx();
    char why[64] = "untouched";
    cr_assert(eb_amx_enable(why, sizeof why));
    cr_assert_str_empty(why, "a successful call leaves no reason, got \"%s\"", why);
    cr_assert(eb_amx_ready());
}

typedef struct {
    const eb_conv_params *p;
    const eb_requant *q;
    const int8_t *x, *w;
    const int32_t *bias;
    const void *packed;
    int8_t *y;
    void *scratch;
} conv_call;

static void *conv_thread(void *arg)
{
    const conv_call *c = arg;
    eb_conv2d_s8_amx(c->p, c->q, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
    return NULL;
}

/* the kernel on a thread of its own, started now (asserts stay on the test's thread) */
static void run_on_new_thread(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                              const int8_t *w, const int32_t *bias, const void *packed,
                              int8_t *y, void *scratch)
{
    const conv_call c = {p, q, x, w, bias, packed, y, scratch};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, conv_thread, (void *)&c), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);
}

/* The permission is per process: a thread started after eb_amx_enable runs tiles too
 * (its first tile instruction would raise SIGILL otherwise). */
Test(amx_enable, covers_threads_started_later)
{
    need_amx();
    rng = kt_seed(31);
    const t_conv c = {1, 9, 7, 100, 65, 3, 3, 2, 1, 1, 1, 1, 0, EB_PAD_EXPLICIT};
    check_conv_with(&c, RQ_MIXED, 1, run_on_new_thread);
}

#else

Test(amx, kernels)
{
    cr_skip_test("this build has no AMX kernels (not x86-64, or the compiler lacks "
                 "-mamx-int8): nothing to test");
}

#endif
