/* kernel_check.c - compares every optimized kernel compiled into this binary (NEON,
 * NEON SDOT, AVX2, AVX-512) with ref, in plain C so it runs under qemu-user, where Criterion
 * cannot (its runner re-executes itself, which needs binfmt registration).
 *
 * int8 must match ref bit for bit. fp32 passes when |got - ref| <= 2^-16 * mag, where
 * mag is the magnitude of the sum behind that output (ref run on |inputs|: |bias| +
 * sum |x * w| for conv/fc, the mean of |x| for pools); softmax outputs pass when
 * |got - ref| <= 2^-16 * ref + 2^-30. Shapes hit every tail: channels 1, 3, 7, 8, 9,
 * 17, 33, 64, widths that are no multiple of 4/8/16, stride 2, padding on every side.
 * Inputs and outputs end at an inaccessible page, so reading or writing past the end
 * faults; candidate outputs start as NaN (fp32) or ~ref (int8), so a skipped element
 * cannot pass.
 *
 *   kernel_check [--expect-dotprod yes|no] [--quiet]
 * --expect-dotprod: also check what the CPU reports and that the automatic choice for
 * int8 conv2d/fc is the SDOT kernel (yes) or the ARMv8.0 one (no). Exit status 0 when
 * everything matched, 1 on any mismatch, 2 on bad usage. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eb_dispatch.h"
#include "eb_kernels.h"
#include "eb_quant.h"
#include "eb_sparse.h"
#if defined(EB_HAVE_NEON)
#include "neon_common.h"
#endif

#define F32_TOL (1.0 / 65536.0)
#define SOFTMAX_ABS_TOL (1.0 / 1073741824.0)

static struct {
    int cases, failed, skipped;
    bool quiet;
} g;

/* ---- deterministic random numbers --------------------------------------------------- */

static uint64_t rng_state = 0x243f6a8885a308d3u;

static uint64_t rng_next(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int32_t rng_int(int32_t lo, int32_t hi) /* inclusive */
{
    return lo + (int32_t)(rng_next() % (uint64_t)((int64_t)hi - lo + 1));
}

static float rng_f32(float lo, float hi)
{
    return lo + (hi - lo) * (float)((rng_next() >> 40) * (1.0 / 16777216.0));
}

static void fill_f32(float *p, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rng_f32(lo, hi);
}

static void fill_s8(int8_t *p, size_t n, int32_t lo, int32_t hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)rng_int(lo, hi);
}

/* NHWC int8 with a random centre per channel plus +-spread noise, so that pooled and
 * averaged outputs differ between channels instead of all landing on one value. */
static void fill_s8_channels(int8_t *p, size_t pixels, int32_t c, int32_t spread)
{
    int32_t centre[512];
    for (int32_t j = 0; j < c && j < 512; j++)
        centre[j] = rng_int(-110, 110);
    for (size_t i = 0; i < pixels; i++)
        for (int32_t j = 0; j < c; j++)
            p[i * c + j] = (int8_t)eb_clamp_i32(centre[j % 512] + rng_int(-spread, spread),
                                                -128, 127);
}

/* ---- buffers that end at an inaccessible page ------------------------------------- */

#define MAX_BUFS 32
static struct {
    void *map;
    size_t len;
} bufs[MAX_BUFS];
static int nbufs;

/* `bytes` rounded up to `align`, placed so that the buffer ends at a PROT_NONE page. */
static void *galloc_align(size_t bytes, size_t align)
{
    const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    const size_t need = (bytes + align - 1) / align * align;
    const size_t len = (need + pg - 1) / pg * pg + pg;
    if (nbufs == MAX_BUFS) {
        fprintf(stderr, "kernel_check: too many buffers in one case\n");
        exit(2);
    }
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect((char *)map + len - pg, pg, PROT_NONE) != 0) {
        perror("kernel_check: mmap/mprotect");
        exit(2);
    }
    bufs[nbufs].map = map;
    bufs[nbufs].len = len;
    nbufs++;
    return (char *)map + len - pg - need;
}

static void *galloc(size_t bytes) /* tight: the last element touches the guard page */
{
    return galloc_align(bytes, 1);
}

static void gfree_all(void)
{
    for (int i = 0; i < nbufs; i++)
        munmap(bufs[i].map, bufs[i].len);
    nbufs = 0;
}

/* ---- comparison and reporting -------------------------------------------------------- */

static void report(const char *kernel, const char *desc, bool ok, const char *why)
{
    g.cases++;
    if (!ok)
        g.failed++;
    if (!ok || !g.quiet)
        printf("%s %-24s %s%s%s\n", ok ? "PASS" : "FAIL", kernel, desc, why[0] ? ": " : "",
               why);
}

static bool cmp_s8(const int8_t *ref, const int8_t *got, size_t n, char *why, size_t whylen)
{
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (ref[i] != got[i] && bad++ == 0)
            first = i;
    }
    if (bad) {
        snprintf(why, whylen, "%zu of %zu differ, first [%zu] ref %d got %d", bad, n, first,
                 ref[first], got[first]);
    } else { /* how spread the outputs are: all-saturated outputs would prove little */
        bool seen[256] = {false};
        int distinct = 0;
        for (size_t i = 0; i < n; i++)
            if (!seen[(uint8_t)ref[i]]) {
                seen[(uint8_t)ref[i]] = true;
                distinct++;
            }
        snprintf(why, whylen, "%d distinct values", distinct);
    }
    return bad == 0;
}

/* |got - ref| <= rel * mag + abs_tol per element; NaN never passes. */
static bool cmp_f32(const float *ref, const float *got, const float *mag, size_t n,
                    double rel, double abs_tol, char *why, size_t whylen)
{
    size_t bad = 0, first = 0;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)got[i] - (double)ref[i]);
        const double lim = rel * fabs((double)mag[i]) + abs_tol;
        if (!(d <= lim)) {
            if (bad++ == 0)
                first = i;
        } else if (lim > 0 && d / lim > worst) {
            worst = d / lim;
        }
    }
    if (bad)
        snprintf(why, whylen, "%zu of %zu out of tolerance, first [%zu] ref %.9g got %.9g mag %.3g",
                 bad, n, first, ref[first], got[first], mag[first]);
    else
        snprintf(why, whylen, "max error %.2f of tolerance", worst);
    return bad == 0;
}

static void nan_fill(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
}

static void not_fill(int8_t *dst, const int8_t *ref, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (int8_t)~ref[i];
}

static float *abs_copy(const float *p, size_t n)
{
    if (!p)
        return NULL;
    float *a = malloc(n * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] = fabsf(p[i]);
    return a;
}

static const eb_act acts[3] = {EB_ACT_NONE, EB_ACT_RELU, EB_ACT_RELU6};
static const char *const act_names[3] = {"none", "relu", "relu6"};

/* ---- int8 quantization parameters ----------------------------------------------------- */

typedef struct {
    eb_requant q;
    int32_t mult[512], shift[512];
} quant;

/* Per-channel multipliers that spread an accumulator of `depth` int8 products over the
 * int8 range; variant picks the clamp (full, ReLU-like, narrow) and, for variant % 4
 * == 3, multipliers above 1 (saturating left shifts). Every 7th channel gets a tiny
 * multiplier (right shifts near 31). */
static void make_quant(quant *qu, int32_t channels, int32_t depth, int variant)
{
    eb_requant *q = &qu->q;
    q->in_zp = rng_int(-128, 127);
    q->out_zp = rng_int(-100, 100);
    switch (variant % 3) {
    case 0: q->act_min = -128, q->act_max = 127; break;
    case 1: q->act_min = q->out_zp, q->act_max = 127; break;
    default: q->act_min = q->out_zp - 20, q->act_max = q->out_zp + 40; break;
    }
    if (q->act_max > 127)
        q->act_max = 127;
    if (q->act_min < -128)
        q->act_min = -128;
    const double base = 1.0 / (sqrt((double)depth) * 90.0 * 70.0) * 60.0;
    for (int32_t c = 0; c < channels; c++) {
        double s = base * rng_f32(0.25f, 4.0f);
        if (variant % 4 == 3 && c % 2 == 1)
            s = rng_f32(1.1f, 300.0f);
        if (c % 7 == 6)
            s = ldexp(rng_f32(0.5f, 1.0f), -rng_int(20, 33));
        if (eb_quantize_multiplier(s, &qu->mult[c], &qu->shift[c]) != EB_OK) {
            fprintf(stderr, "kernel_check: bad test multiplier %g\n", s);
            exit(2);
        }
    }
    /* the largest multiplier with the largest left shift: the requantized value
     * saturates at +-(2^31 - 1), and adding out_zp must clamp as ref's 64-bit add does,
     * never wrap */
    if (variant % 4 == 3)
        for (int32_t c = 10; c < channels; c += 11) {
            qu->mult[c] = INT32_MAX;
            qu->shift[c] = 31;
        }
    q->mult = qu->mult;
    q->shift = qu->shift;
    if (eb_requant_validate(q, channels) != EB_OK) {
        fprintf(stderr, "kernel_check: invalid test requantization\n");
        exit(2);
    }
}

/* ---- conv2d and depthwise --------------------------------------------------------------- */

typedef struct {
    int32_t batch, in_h, in_w, k_h, k_w, stride_h, stride_w, pt, pl, pb, pr;
} geom;

static const geom conv_geoms[] = {
    {1, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1},   /* 3x3 SAME */
    {1, 9, 11, 3, 3, 2, 2, 1, 2, 2, 1},  /* stride 2, uneven padding on every side */
    {2, 6, 5, 1, 1, 1, 1, 0, 0, 0, 0},   /* pointwise, batch 2 */
    {1, 7, 9, 1, 1, 2, 2, 0, 0, 0, 0},   /* 1x1 stride 2 */
    {1, 8, 7, 5, 5, 1, 1, 2, 2, 2, 2},   /* 5x5 */
    {1, 6, 13, 1, 3, 1, 2, 0, 1, 0, 2},  /* 1x3, stride (1, 2) */
    {1, 13, 4, 3, 1, 2, 1, 1, 0, 2, 0},  /* 3x1, stride (2, 1) */
};
#define NGEOMS (sizeof conv_geoms / sizeof conv_geoms[0])

static const int32_t channels[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NCH 8

static eb_conv_params conv_params(const geom *gm, int32_t ic, int32_t oc, eb_act act)
{
    eb_conv_params p = {gm->batch, gm->in_h, gm->in_w, ic, 0, 0, oc, gm->k_h, gm->k_w,
                        gm->stride_h, gm->stride_w, gm->pt, gm->pl, gm->pb, gm->pr, act};
    if (eb_conv_out_dims(&p, EB_PAD_EXPLICIT) != EB_OK || eb_conv2d_validate(&p) != EB_OK) {
        fprintf(stderr, "kernel_check: invalid test geometry\n");
        exit(2);
    }
    return p;
}

static void conv_desc(char *d, size_t n, const eb_conv_params *p, const char *extra)
{
    snprintf(d, n, "b%d %dx%dx%d -> %dx%dx%d k%dx%d s%d,%d pad t%d l%d b%d r%d %s",
             (int)p->batch, (int)p->in_h, (int)p->in_w, (int)p->in_c, (int)p->out_h,
             (int)p->out_w, (int)p->out_c, (int)p->k_h, (int)p->k_w, (int)p->stride_h,
             (int)p->stride_w, (int)p->pad_top, (int)p->pad_left, (int)p->pad_bottom,
             (int)p->pad_right, extra);
}

static void conv_f32_case(const eb_conv_f32_kernel *k, const eb_conv_params *p, bool dw,
                          bool with_bias)
{
    const size_t nx = (size_t)p->batch * p->in_h * p->in_w * p->in_c;
    const size_t nw = (size_t)(dw ? 1 : p->out_c) * p->k_h * p->k_w * p->in_c;
    const size_t ny = (size_t)p->batch * p->out_h * p->out_w * p->out_c;
    float *x = galloc(nx * 4), *w = galloc(nw * 4);
    float *bias = with_bias ? galloc((size_t)p->out_c * 4) : NULL;
    float *got = galloc(ny * 4), *ref = malloc(ny * 4), *mag = malloc(ny * 4);
    fill_f32(x, nx, -1.0f, 1.0f);
    fill_f32(w, nw, -1.0f, 1.0f);
    if (bias)
        fill_f32(bias, (size_t)p->out_c, -1.0f, 1.0f);
    void (*ref_run)(const eb_conv_params *, const float *, const float *, const float *,
                    const void *, float *, void *) = dw ? eb_dwconv_f32_ref : eb_conv2d_f32_ref;
    ref_run(p, x, w, bias, NULL, ref, NULL);
    float *ax = abs_copy(x, nx), *aw = abs_copy(w, nw), *ab = abs_copy(bias, (size_t)p->out_c);
    eb_conv_params pm = *p;
    pm.act = EB_ACT_NONE;
    ref_run(&pm, ax, aw, ab, NULL, mag, NULL);

    void *packed = NULL, *scratch = NULL;
    if (k->pack_size && k->pack_size(p)) {
        packed = galloc_align(k->pack_size(p), 64);
        k->pack(p, w, packed);
    }
    if (k->scratch_size && k->scratch_size(p))
        scratch = galloc_align(k->scratch_size(p), 64);
    nan_fill(got, ny);
    k->run(p, x, w, bias, packed, got, scratch);

    char why[200], desc[160];
    bool ok = cmp_f32(ref, got, mag, ny, F32_TOL, 0.0, why, sizeof why);
    char extra[40];
    snprintf(extra, sizeof extra, "act %s%s", act_names[p->act], bias ? "" : " no-bias");
    conv_desc(desc, sizeof desc, p, extra);
    report(k->name, desc, ok, why);
    free(ref), free(mag), free(ax), free(aw), free(ab);
    gfree_all();
}

static void conv_s8_case(const eb_conv_s8_kernel *k, const eb_conv_params *p, bool dw,
                         bool with_bias, int variant)
{
    const size_t nx = (size_t)p->batch * p->in_h * p->in_w * p->in_c;
    const size_t nw = (size_t)(dw ? 1 : p->out_c) * p->k_h * p->k_w * p->in_c;
    const size_t ny = (size_t)p->batch * p->out_h * p->out_w * p->out_c;
    const int32_t depth = (dw ? 1 : p->in_c) * p->k_h * p->k_w;
    int8_t *x = galloc(nx), *w = galloc(nw), *got = galloc(ny), *ref = malloc(ny);
    int32_t *bias = with_bias ? galloc((size_t)p->out_c * 4) : NULL;
    static quant qu;
    make_quant(&qu, p->out_c, depth, variant);
    fill_s8(x, nx, -128, 127);
    fill_s8(w, nw, variant % 5 == 4 ? -128 : -127, 127); /* -128 too: not excluded */
    if (bias)
        for (int32_t c = 0; c < p->out_c; c++)
            bias[c] = rng_int(-20000, 20000);
    (dw ? eb_dwconv_s8_ref : eb_conv2d_s8_ref)(p, &qu.q, x, w, bias, NULL, ref, NULL);

    void *packed = NULL, *scratch = NULL;
    if (k->pack_size && k->pack_size(p)) {
        packed = galloc_align(k->pack_size(p), 64);
        k->pack(p, &qu.q, w, bias, packed);
    }
    if (k->scratch_size && k->scratch_size(p))
        scratch = galloc_align(k->scratch_size(p), 64);
    not_fill(got, ref, ny);
    k->run(p, &qu.q, x, w, bias, packed, got, scratch);

    char why[200] = "", desc[160], extra[64];
    bool ok = cmp_s8(ref, got, ny, why, sizeof why);
    snprintf(extra, sizeof extra, "zp %d/%d clamp [%d,%d]%s", (int)qu.q.in_zp,
             (int)qu.q.out_zp, (int)qu.q.act_min, (int)qu.q.act_max, bias ? "" : " no-bias");
    conv_desc(desc, sizeof desc, p, extra);
    report(k->name, desc, ok, why);
    free(ref);
    gfree_all();
}

/* conv2d: every channel pair on the first geometry, a spread of pairs on the rest. */
static void check_conv(const eb_conv_f32_kernel *kf, const eb_conv_s8_kernel *ks)
{
    int n = 0;
    for (size_t gi = 0; gi < NGEOMS; gi++) {
        for (int a = 0; a < NCH; a++) {
            for (int b = 0; b < NCH; b++) {
                if (gi > 0 && b != (a + 3 * (int)gi) % NCH)
                    continue;
                n++;
                const eb_conv_params p =
                    conv_params(&conv_geoms[gi], channels[a], channels[b], acts[n % 3]);
                if (kf)
                    conv_f32_case(kf, &p, false, n % 5 != 0);
                if (ks)
                    conv_s8_case(ks, &p, false, n % 5 != 0, n);
            }
        }
    }
}

/* A few layers at the sizes of the zoo's models (MobileNet, DS-CNN, ResNet-8). */
static void check_conv_large(const eb_conv_f32_kernel *kf, const eb_conv_s8_kernel *ks)
{
    static const struct {
        geom gm;
        int32_t ic, oc;
    } layers[] = {
        {{1, 33, 33, 3, 3, 2, 2, 0, 0, 1, 1}, 3, 32},    /* MobileNet stem, SAME s2 */
        {{1, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0}, 128, 136}, /* pointwise, deep */
        {{1, 25, 5, 10, 4, 2, 2, 4, 1, 4, 1}, 1, 64},    /* DS-CNN first layer */
        {{1, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 16, 16},   /* ResNet-8 block */
        {{1, 8, 8, 3, 3, 2, 2, 0, 0, 1, 1}, 32, 64},     /* ResNet-8 downsampling */
    };
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const eb_conv_params p =
            conv_params(&layers[i].gm, layers[i].ic, layers[i].oc, acts[(i + 1) % 3]);
        if (kf)
            conv_f32_case(kf, &p, false, true);
        if (ks)
            conv_s8_case(ks, &p, false, true, (int)i);
    }
}

static void check_dwconv(const eb_conv_f32_kernel *kf, const eb_conv_s8_kernel *ks)
{
    int n = 0;
    for (size_t gi = 0; gi < NGEOMS; gi++) {
        for (int a = 0; a < NCH; a++) {
            n++;
            const eb_conv_params p =
                conv_params(&conv_geoms[gi], channels[a], channels[a], acts[n % 3]);
            if (kf)
                conv_f32_case(kf, &p, true, n % 5 != 0);
            if (ks)
                conv_s8_case(ks, &p, true, n % 5 != 0, n);
        }
    }
    /* wide channels: the 16/8/4-wide paths plus tails at once */
    const geom big = {1, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1};
    const int32_t wide[] = {100, 129, 200};
    for (int i = 0; i < 3; i++) {
        const eb_conv_params p = conv_params(&big, wide[i], wide[i], acts[i]);
        if (kf)
            conv_f32_case(kf, &p, true, true);
        if (ks)
            conv_s8_case(ks, &p, true, true, i);
    }
}

/* ---- fully connected, dense and sparse --------------------------------------------------- */

static const int32_t fc_in[] = {1, 3, 7, 8, 9, 17, 33, 64, 100, 257};
static const int32_t batches[] = {1, 2, 3, 4, 5, 7};

static void fc_f32_case(const eb_fc_f32_kernel *k, const eb_fc_params *p, bool with_bias)
{
    const size_t nx = (size_t)p->batch * p->in_features;
    const size_t nw = (size_t)p->out_features * p->in_features;
    const size_t ny = (size_t)p->batch * p->out_features;
    float *x = galloc(nx * 4), *w = galloc(nw * 4);
    float *bias = with_bias ? galloc((size_t)p->out_features * 4) : NULL;
    float *got = galloc(ny * 4), *ref = malloc(ny * 4), *mag = malloc(ny * 4);
    fill_f32(x, nx, -1.0f, 1.0f);
    fill_f32(w, nw, -1.0f, 1.0f);
    if (bias)
        fill_f32(bias, (size_t)p->out_features, -1.0f, 1.0f);
    eb_fc_f32_ref(p, x, w, bias, NULL, ref, NULL);
    float *ax = abs_copy(x, nx), *aw = abs_copy(w, nw), *ab = abs_copy(bias, (size_t)p->out_features);
    eb_fc_params pm = *p;
    pm.act = EB_ACT_NONE;
    eb_fc_f32_ref(&pm, ax, aw, ab, NULL, mag, NULL);
    void *packed = NULL, *scratch = NULL;
    if (k->pack_size && k->pack_size(p)) {
        packed = galloc_align(k->pack_size(p), 64);
        k->pack(p, w, packed);
    }
    if (k->scratch_size && k->scratch_size(p))
        scratch = galloc_align(k->scratch_size(p), 64);
    nan_fill(got, ny);
    k->run(p, x, w, bias, packed, got, scratch);
    char why[200], desc[96];
    bool ok = cmp_f32(ref, got, mag, ny, F32_TOL, 0.0, why, sizeof why);
    snprintf(desc, sizeof desc, "b%d %d -> %d act %s%s", (int)p->batch, (int)p->in_features,
             (int)p->out_features, act_names[p->act], bias ? "" : " no-bias");
    report(k->name, desc, ok, why);
    free(ref), free(mag), free(ax), free(aw), free(ab);
    gfree_all();
}

static void fc_s8_case(const eb_fc_s8_kernel *k, const eb_fc_params *p, bool with_bias,
                       int variant)
{
    const size_t nx = (size_t)p->batch * p->in_features;
    const size_t nw = (size_t)p->out_features * p->in_features;
    const size_t ny = (size_t)p->batch * p->out_features;
    int8_t *x = galloc(nx), *w = galloc(nw), *got = galloc(ny), *ref = malloc(ny);
    int32_t *bias = with_bias ? galloc((size_t)p->out_features * 4) : NULL;
    static quant qu;
    make_quant(&qu, p->out_features, p->in_features, variant);
    fill_s8(x, nx, -128, 127);
    fill_s8(w, nw, variant % 5 == 4 ? -128 : -127, 127);
    if (bias)
        for (int32_t c = 0; c < p->out_features; c++)
            bias[c] = rng_int(-20000, 20000);
    eb_fc_s8_ref(p, &qu.q, x, w, bias, NULL, ref, NULL);
    void *packed = NULL, *scratch = NULL;
    if (k->pack_size && k->pack_size(p)) {
        packed = galloc_align(k->pack_size(p), 64);
        k->pack(p, &qu.q, w, bias, packed);
    }
    if (k->scratch_size && k->scratch_size(p))
        scratch = galloc_align(k->scratch_size(p), 64);
    not_fill(got, ref, ny);
    k->run(p, &qu.q, x, w, bias, packed, got, scratch);
    char why[200] = "", desc[128];
    bool ok = cmp_s8(ref, got, ny, why, sizeof why);
    snprintf(desc, sizeof desc, "b%d %d -> %d zp %d/%d clamp [%d,%d]%s", (int)p->batch,
             (int)p->in_features, (int)p->out_features, (int)qu.q.in_zp, (int)qu.q.out_zp,
             (int)qu.q.act_min, (int)qu.q.act_max, bias ? "" : " no-bias");
    report(k->name, desc, ok, why);
    free(ref);
    gfree_all();
}

static void check_fc(const eb_fc_f32_kernel *kf, const eb_fc_s8_kernel *ks)
{
    int n = 0;
    for (size_t i = 0; i < sizeof fc_in / sizeof fc_in[0]; i++) {
        for (int o = 0; o < NCH; o++) {
            n++;
            const eb_fc_params p = {batches[n % 6], fc_in[i], channels[o], acts[n % 3]};
            if (kf)
                fc_f32_case(kf, &p, n % 4 != 0);
            if (ks)
                fc_s8_case(ks, &p, n % 4 != 0, n);
        }
    }
    /* classifier heads and the anomaly-detection autoencoder */
    static const int32_t big[][3] = {{1, 1024, 10}, {2, 640, 128}, {1, 1000, 12}, {5, 250, 37}};
    for (int i = 0; i < 4; i++) {
        const eb_fc_params p = {big[i][0], big[i][1], big[i][2], acts[i % 3]};
        if (kf)
            fc_f32_case(kf, &p, true);
        if (ks)
            fc_s8_case(ks, &p, true, i);
    }
}

/* Random CSR with the given density (0: every row empty). */
static void make_csr(eb_csr *c, int32_t rows, int32_t cols, double density)
{
    int32_t *row_ptr = galloc(((size_t)rows + 1) * 4);
    uint16_t *all = malloc((size_t)rows * cols * 2);
    int32_t nnz = 0;
    row_ptr[0] = 0;
    for (int32_t r = 0; r < rows; r++) {
        for (int32_t k = 0; k < cols; k++)
            if ((double)(rng_next() >> 11) * (1.0 / 9007199254740992.0) < density)
                all[nnz++] = (uint16_t)k;
        row_ptr[r + 1] = nnz;
    }
    uint16_t *col = galloc((size_t)nnz * 2); /* tight, so reading past nnz faults */
    memcpy(col, all, (size_t)nnz * 2);
    free(all);
    c->rows = rows;
    c->cols = cols;
    c->nnz = nnz;
    c->row_ptr = row_ptr;
    c->col_idx = col;
    if (eb_csr_validate(c) != EB_OK) {
        fprintf(stderr, "kernel_check: invalid test CSR\n");
        exit(2);
    }
}

static void check_spfc(const eb_spfc_f32_kernel *kf, const eb_spfc_s8_kernel *ks)
{
    static const int32_t in[] = {1, 3, 9, 17, 33, 64, 100};
    static const int32_t out[] = {1, 7, 8, 33};
    static const double dens[] = {0.0, 0.1, 0.3, 0.7, 1.0};
    int n = 0;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        for (size_t o = 0; o < sizeof out / sizeof out[0]; o++) {
            n++;
            const eb_fc_params p = {batches[n % 6], in[i], out[o], acts[n % 3]};
            const double density = dens[n % 5];
            const size_t nx = (size_t)p.batch * p.in_features, ny = (size_t)p.batch * p.out_features;
            char desc[128], why[200] = "";
            if (kf) {
                eb_csr c;
                make_csr(&c, p.out_features, p.in_features, density);
                float *vals = galloc((size_t)c.nnz * 4), *x = galloc(nx * 4);
                float *bias = n % 4 ? galloc((size_t)p.out_features * 4) : NULL;
                float *got = galloc(ny * 4), *ref = malloc(ny * 4), *mag = malloc(ny * 4);
                fill_f32(vals, (size_t)c.nnz, -1.0f, 1.0f);
                fill_f32(x, nx, -1.0f, 1.0f);
                if (bias)
                    fill_f32(bias, (size_t)p.out_features, -1.0f, 1.0f);
                eb_spfc_f32_ref(&p, &c, vals, x, bias, ref);
                float *av = abs_copy(vals, (size_t)c.nnz), *ax = abs_copy(x, nx);
                float *ab = abs_copy(bias, (size_t)p.out_features);
                eb_fc_params pm = p;
                pm.act = EB_ACT_NONE;
                eb_spfc_f32_ref(&pm, &c, av, ax, ab, mag);
                nan_fill(got, ny);
                kf->run(&p, &c, vals, x, bias, got);
                bool ok = cmp_f32(ref, got, mag, ny, F32_TOL, 0.0, why, sizeof why);
                snprintf(desc, sizeof desc, "b%d %d -> %d nnz %d act %s", (int)p.batch,
                         (int)p.in_features, (int)p.out_features, (int)c.nnz, act_names[p.act]);
                report(kf->name, desc, ok, why);
                free(ref), free(mag), free(av), free(ax), free(ab);
                gfree_all();
            }
            if (ks) {
                eb_csr c;
                make_csr(&c, p.out_features, p.in_features, density);
                static quant qu;
                make_quant(&qu, p.out_features, c.nnz / p.out_features + 1, n);
                int8_t *vals = galloc((size_t)c.nnz), *x = galloc(nx);
                int32_t *bias = n % 4 ? galloc((size_t)p.out_features * 4) : NULL;
                int8_t *got = galloc(ny), *ref = malloc(ny);
                fill_s8(vals, (size_t)c.nnz, -128, 127);
                fill_s8(x, nx, -128, 127);
                if (bias)
                    for (int32_t j = 0; j < p.out_features; j++)
                        bias[j] = rng_int(-20000, 20000);
                eb_spfc_s8_ref(&p, &qu.q, &c, vals, x, bias, ref);
                not_fill(got, ref, ny);
                ks->run(&p, &qu.q, &c, vals, x, bias, got);
                bool ok = cmp_s8(ref, got, ny, why, sizeof why);
                snprintf(desc, sizeof desc, "b%d %d -> %d nnz %d zp %d/%d", (int)p.batch,
                         (int)p.in_features, (int)p.out_features, (int)c.nnz,
                         (int)qu.q.in_zp, (int)qu.q.out_zp);
                report(ks->name, desc, ok, why);
                free(ref);
                gfree_all();
            }
        }
    }
}

/* ---- pools ------------------------------------------------------------------------------ */

static const geom pool_geoms[] = {
    {1, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0},     /* 2x2/2 VALID, odd sizes */
    {1, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1},     /* 3x3/2 padded on every side */
    {2, 6, 5, 3, 3, 1, 1, 1, 0, 2, 1},     /* uneven padding, batch 2 */
    {1, 5, 11, 5, 3, 2, 3, 2, 1, 2, 2},    /* 5x3, stride (2, 3) */
    {1, 21, 20, 21, 20, 1, 1, 0, 0, 0, 0}, /* whole image: 420-element windows */
    {1, 41, 5, 41, 1, 1, 1, 0, 0, 0, 0},   /* 41: float 1/41 is low, quotients need +1 */
};

typedef void pool_f32_ref(const eb_pool_params *, const float *, float *);
typedef void pool_s8_ref(const eb_pool_params *, const int8_t *, int8_t *);

/* One pool kernel (fp32 or int8; the other NULL) against its ref on every geometry. */
static void check_pool(const eb_pool_f32_kernel *kf, pool_f32_ref *rff,
                       const eb_pool_s8_kernel *ks8, pool_s8_ref *rfs)
{
    int n = 0;
    for (size_t gi = 0; gi < sizeof pool_geoms / sizeof pool_geoms[0]; gi++) {
        const geom *gm = &pool_geoms[gi];
        for (int a = 0; a < NCH; a++) {
            n++;
            eb_pool_params p = {gm->batch, gm->in_h, gm->in_w, channels[a], 0, 0, gm->k_h,
                                gm->k_w, gm->stride_h, gm->stride_w, gm->pt, gm->pl, gm->pb,
                                gm->pr, acts[n % 3], -128, 127};
            if (n % 3 == 1)
                p.act_min = rng_int(-128, 0);
            if (n % 3 == 2)
                p.act_min = rng_int(-128, -60), p.act_max = rng_int(0, 60);
            if (eb_pool_out_dims(&p, EB_PAD_EXPLICIT) != EB_OK || eb_pool_validate(&p) != EB_OK) {
                fprintf(stderr, "kernel_check: invalid pool geometry\n");
                exit(2);
            }
            const size_t nx = (size_t)p.batch * p.in_h * p.in_w * p.c;
            const size_t ny = (size_t)p.batch * p.out_h * p.out_w * p.c;
            char desc[128], why[200] = "";
            snprintf(desc, sizeof desc, "b%d %dx%dx%d -> %dx%d k%dx%d s%d,%d pad t%d l%d b%d r%d",
                     (int)p.batch, (int)p.in_h, (int)p.in_w, (int)p.c, (int)p.out_h,
                     (int)p.out_w, (int)p.k_h, (int)p.k_w, (int)p.stride_h, (int)p.stride_w,
                     (int)p.pad_top, (int)p.pad_left, (int)p.pad_bottom, (int)p.pad_right);
            const eb_pool_f32_kernel *pf[1] = {kf};
            pool_f32_ref *rf[1] = {rff};
            for (int j = 0; j < 1; j++) {
                if (!pf[j])
                    continue;
                float *x = galloc(nx * 4), *got = galloc(ny * 4);
                float *ref = malloc(ny * 4), *mag = malloc(ny * 4);
                fill_f32(x, nx, -4.0f, 4.0f);
                rf[j](&p, x, ref);
                float *ax = abs_copy(x, nx);
                eb_pool_params pm = p;
                pm.act = EB_ACT_NONE;
                rf[j](&pm, ax, mag);
                nan_fill(got, ny);
                pf[j]->run(&p, x, got);
                bool ok = cmp_f32(ref, got, mag, ny, F32_TOL, 0.0, why, sizeof why);
                report(pf[j]->name, desc, ok, why);
                free(ref), free(mag), free(ax);
                gfree_all();
            }
            const eb_pool_s8_kernel *ps[1] = {ks8};
            pool_s8_ref *rs[1] = {rfs};
            for (int j = 0; j < 1; j++) {
                if (!ps[j])
                    continue;
                int8_t *x = galloc(nx), *got = galloc(ny), *ref = malloc(ny);
                /* skewed inputs too, so that means land on .5 ties and both signs */
                if (n % 3 == 0)
                    fill_s8(x, nx, -128, 127);
                else
                    fill_s8_channels(x, nx / (size_t)p.c, p.c, n % 3 == 1 ? 3 : 30);
                rs[j](&p, x, ref);
                not_fill(got, ref, ny);
                ps[j]->run(&p, x, got);
                why[0] = '\0';
                bool ok = cmp_s8(ref, got, ny, why, sizeof why);
                report(ps[j]->name, desc, ok, why);
                free(ref);
                gfree_all();
            }
        }
    }
}

static void check_gap(const eb_gap_f32_kernel *kf, const eb_gap_s8_kernel *ks)
{
    static const int32_t hw[][2] = {{1, 1}, {3, 5}, {7, 7}, {2, 9}, {16, 17}};
    int n = 0;
    for (size_t i = 0; i < sizeof hw / sizeof hw[0]; i++) {
        for (int a = 0; a < NCH + 1; a++) {
            n++;
            const int32_t c = a < NCH ? channels[a] : 100;
            eb_gap_params p = {1 + n % 2, hw[i][0], hw[i][1], c, 0, 0, 0, 0, -128, 127};
            const size_t nx = (size_t)p.batch * p.h * p.w * p.c, ny = (size_t)p.batch * p.c;
            char desc[96], why[200] = "";
            if (kf) {
                float *x = galloc(nx * 4), *got = galloc(ny * 4);
                float *ref = malloc(ny * 4), *mag = malloc(ny * 4);
                fill_f32(x, nx, -2.0f, 2.0f);
                eb_gap_f32_ref(&p, x, ref);
                float *ax = abs_copy(x, nx);
                eb_gap_f32_ref(&p, ax, mag);
                nan_fill(got, ny);
                kf->run(&p, x, got);
                bool ok = cmp_f32(ref, got, mag, ny, F32_TOL, 0.0, why, sizeof why);
                snprintf(desc, sizeof desc, "b%d %dx%dx%d", (int)p.batch, (int)p.h, (int)p.w,
                         (int)p.c);
                report(kf->name, desc, ok, why);
                free(ref), free(mag), free(ax);
                gfree_all();
            }
            if (ks) {
                p.in_zp = n % 5 ? rng_int(-30, 30) : rng_int(-128, 127);
                p.out_zp = rng_int(-50, 50);
                double s = rng_f32(0.5f, 1.2f) / (double)(p.h * p.w);
                if (n % 4 == 3)
                    s = rng_f32(1.5f, 40.0f);
                eb_quantize_multiplier(s, &p.mult, &p.shift);
                if (n % 3 == 1)
                    p.act_min = p.out_zp;
                if (eb_gap_validate(&p) != EB_OK) {
                    fprintf(stderr, "kernel_check: invalid gap params\n");
                    exit(2);
                }
                int8_t *x = galloc(nx), *got = galloc(ny), *ref = malloc(ny);
                fill_s8_channels(x, nx / (size_t)p.c, p.c, 40);
                eb_gap_s8_ref(&p, x, ref);
                not_fill(got, ref, ny);
                ks->run(&p, x, got);
                why[0] = '\0';
                bool ok = cmp_s8(ref, got, ny, why, sizeof why);
                snprintf(desc, sizeof desc, "b%d %dx%dx%d zp %d/%d shift %d", (int)p.batch,
                         (int)p.h, (int)p.w, (int)p.c, (int)p.in_zp, (int)p.out_zp,
                         (int)p.shift);
                report(ks->name, desc, ok, why);
                free(ref);
                gfree_all();
            }
        }
    }
}

/* ---- elementwise add and softmax ---------------------------------------------------------- */

static const int32_t sizes[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 64, 100, 1000};
#define NSIZES (sizeof sizes / sizeof sizes[0])

typedef void add_f32_ref_fn(const eb_add_params *, const float *, const float *, float *);
typedef void add_s8_ref_fn(const eb_add_params *, const int8_t *, const int8_t *, int8_t *);

/* add and sub (one signature): against their ref kernels */
static void check_binary(const eb_add_f32_kernel *kf, const eb_add_s8_kernel *ks,
                         add_f32_ref_fn *ref_f32, add_s8_ref_fn *ref_s8)
{
    for (size_t i = 0; i < NSIZES; i++) {
        const size_t n = (size_t)sizes[i];
        char desc[96], why[200] = "";
        if (kf) {
            eb_add_params p = {sizes[i], acts[i % 3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            float *a = galloc(n * 4), *b = galloc(n * 4), *got = galloc(n * 4);
            float *ref = malloc(n * 4), *mag = malloc(n * 4);
            fill_f32(a, n, -8.0f, 8.0f);
            fill_f32(b, n, -8.0f, 8.0f);
            ref_f32(&p, a, b, ref);
            for (size_t j = 0; j < n; j++)
                mag[j] = fabsf(a[j]) + fabsf(b[j]);
            nan_fill(got, n);
            kf->run(&p, a, b, got);
            bool ok = cmp_f32(ref, got, mag, n, F32_TOL, 0.0, why, sizeof why);
            snprintf(desc, sizeof desc, "n %d act %s", (int)n, act_names[p.act]);
            report(kf->name, desc, ok, why);
            free(ref), free(mag);
            gfree_all();
        }
        if (ks) {
            eb_add_params p;
            const double sa = rng_f32(0.01f, 0.1f), sb = rng_f32(0.01f, 0.1f);
            const double so = rng_f32(0.02f, 0.2f);
            if (eb_add_s8_prepare(&p, sa, rng_int(-128, 127), sb, rng_int(-128, 127), so,
                                  rng_int(-128, 127), acts[i % 3]) != EB_OK) {
                fprintf(stderr, "kernel_check: eb_add_s8_prepare failed\n");
                exit(2);
            }
            p.size = sizes[i];
            int8_t *a = galloc(n), *b = galloc(n), *got = galloc(n), *ref = malloc(n);
            fill_s8(a, n, -128, 127);
            fill_s8(b, n, -128, 127);
            ref_s8(&p, a, b, ref);
            not_fill(got, ref, n);
            ks->run(&p, a, b, got);
            bool ok = cmp_s8(ref, got, n, why, sizeof why);
            snprintf(desc, sizeof desc, "n %d scales %.3f %.3f -> %.3f act %s", (int)n, sa, sb,
                     so, act_names[p.act]);
            report(ks->name, desc, ok, why);
            free(ref);
            gfree_all();
        }
    }
}

/* mul: b as large as a, one value (b_size 1), or one per channel (b_size c, NHWC). */
static void check_mul(const eb_mul_f32_kernel *kf, const eb_mul_s8_kernel *ks)
{
    static const int32_t rows[] = {1, 3, 7};
    for (size_t i = 0; i < NSIZES; i++) {
        for (int form = 0; form < 3; form++) {
            const int32_t bs = sizes[i], r = rows[(i + (size_t)form) % 3];
            const int32_t size = form == 0 ? bs : bs * r;
            const int32_t b_size = form == 1 ? 1 : bs;
            const size_t n = (size_t)size, nb = (size_t)b_size;
            char desc[128], why[200] = "";
            if (kf) {
                eb_mul_params p = {size, b_size, acts[i % 3], 0, 0, 0, 0, 0, 0, 0};
                float *a = galloc(n * 4), *b = galloc(nb * 4), *got = galloc(n * 4);
                float *ref = malloc(n * 4), *mag = malloc(n * 4);
                fill_f32(a, n, -8.0f, 8.0f);
                fill_f32(b, nb, -8.0f, 8.0f);
                eb_mul_f32_ref(&p, a, b, ref);
                for (size_t j = 0; j < n; j++)
                    mag[j] = fabsf(a[j] * b[j % nb]);
                nan_fill(got, n);
                kf->run(&p, a, b, got);
                bool ok = cmp_f32(ref, got, mag, n, F32_TOL, 0.0, why, sizeof why);
                snprintf(desc, sizeof desc, "n %d b %d act %s", size, b_size, act_names[p.act]);
                report(kf->name, desc, ok, why);
                free(ref), free(mag);
                gfree_all();
            }
            if (ks) {
                eb_mul_params p;
                /* small output scales saturate: products reach 255 * 256 */
                const double sa = rng_f32(0.01f, 0.1f), sb = rng_f32(0.01f, 0.1f);
                const double so = form == 2 ? rng_f32(0.0001f, 0.001f) : rng_f32(0.005f, 0.5f);
                if (eb_mul_s8_prepare(&p, sa, rng_int(-128, 127), sb, rng_int(-128, 127), so,
                                      rng_int(-128, 127), acts[i % 3]) != EB_OK) {
                    fprintf(stderr, "kernel_check: eb_mul_s8_prepare failed\n");
                    exit(2);
                }
                p.size = size;
                p.b_size = b_size;
                int8_t *a = galloc(n), *b = galloc(nb), *got = galloc(n), *ref = malloc(n);
                fill_s8(a, n, -128, 127);
                fill_s8(b, nb, -128, 127);
                eb_mul_s8_ref(&p, a, b, ref);
                not_fill(got, ref, n);
                ks->run(&p, a, b, got);
                bool ok = cmp_s8(ref, got, n, why, sizeof why);
                snprintf(desc, sizeof desc, "n %d b %d scales %.3f %.3f -> %.4f act %s", size,
                         b_size, sa, sb, so, act_names[p.act]);
                report(ks->name, desc, ok, why);
                free(ref);
                gfree_all();
            }
        }
    }
}

static void check_softmax(const eb_softmax_f32_kernel *kf, const eb_softmax_s8_kernel *ks)
{
    static const float betas[] = {1.0f, 0.37f, 2.5f};
    for (size_t i = 0; i < NSIZES; i++) {
        const int32_t rows = 1 + (int32_t)(i % 3);
        const size_t n = (size_t)rows * sizes[i];
        char desc[96], why[200] = "";
        if (kf) {
            eb_softmax_params p = {.rows = rows, .depth = sizes[i], .beta = betas[i % 3]};
            float *x = galloc(n * 4), *got = galloc(n * 4), *ref = malloc(n * 4);
            fill_f32(x, n, -10.0f, 10.0f);
            eb_softmax_f32_ref(&p, x, ref);
            nan_fill(got, n);
            kf->run(&p, x, got);
            bool ok = cmp_f32(ref, got, ref, n, F32_TOL, SOFTMAX_ABS_TOL, why, sizeof why);
            snprintf(desc, sizeof desc, "%d x %d beta %.2f", (int)rows, (int)sizes[i],
                     (double)p.beta);
            report(kf->name, desc, ok, why);
            free(ref);
            gfree_all();
        }
        if (ks) {
            eb_softmax_params p;
            static uint32_t table[256];
            const double in_scale = rng_f32(0.02f, 0.3f);
            if (eb_softmax_s8_prepare(&p, in_scale, 1.0, table) != EB_OK) {
                fprintf(stderr, "kernel_check: eb_softmax_s8_prepare failed\n");
                exit(2);
            }
            p.rows = rows;
            p.depth = sizes[i];
            int8_t *x = galloc(n), *got = galloc(n), *ref = malloc(n);
            fill_s8(x, n, -128, 127);
            eb_softmax_s8_ref(&p, x, ref);
            not_fill(got, ref, n);
            ks->run(&p, x, got);
            bool ok = cmp_s8(ref, got, n, why, sizeof why);
            snprintf(desc, sizeof desc, "%d x %d in_scale %.3f", (int)rows, (int)sizes[i],
                     in_scale);
            report(ks->name, desc, ok, why);
            free(ref);
            gfree_all();
        }
    }
}

/* TFLite's int8 softmax (ref only): within one step of the exact softmax of the
 * dequantized input, every output, and the row's maximum maps to the largest output. */
static void check_softmax_tfl_s8(const eb_softmax_s8_kernel *k)
{
    for (size_t i = 0; i < NSIZES; i++) {
        if (sizes[i] > 2048)
            continue;
        const int32_t rows = 1 + (int32_t)(i % 3);
        const size_t n = (size_t)rows * sizes[i];
        char desc[96], why[200] = "";
        eb_softmax_params p;
        memset(&p, 0, sizeof p);
        const double in_scale = rng_f32(0.02f, 0.3f);
        if (eb_softmax_tfl_s8_prepare(&p, in_scale, 1.0) != EB_OK) {
            fprintf(stderr, "kernel_check: eb_softmax_tfl_s8_prepare failed\n");
            exit(2);
        }
        p.rows = rows;
        p.depth = sizes[i];
        int8_t *x = galloc(n), *got = galloc(n);
        fill_s8(x, n, -128, 127);
        not_fill(got, x, n);
        k->run(&p, x, got);
        bool ok = true;
        for (int32_t r = 0; r < rows && ok; r++) {
            const int8_t *xr = x + (size_t)r * p.depth, *yr = got + (size_t)r * p.depth;
            int32_t m = xr[0];
            for (int32_t j = 1; j < p.depth; j++)
                m = xr[j] > m ? xr[j] : m;
            double sum = 0.0;
            for (int32_t j = 0; j < p.depth; j++)
                sum += exp(in_scale * (xr[j] - m));
            for (int32_t j = 0; j < p.depth && ok; j++) {
                double want = round(exp(in_scale * (xr[j] - m)) / sum * 256.0) - 128.0;
                want = want > 127.0 ? 127.0 : want;
                if (fabs(want - yr[j]) > 1.0) {
                    snprintf(why, sizeof why, "row %d [%d]: %d, exact %.0f", (int)r, (int)j,
                             yr[j], want);
                    ok = false;
                }
            }
        }
        snprintf(desc, sizeof desc, "%d x %d in_scale %.3f", (int)rows, (int)sizes[i], in_scale);
        report(k->name, desc, ok, why);
        gfree_all();
    }
}

/* ---- the NEON requantization against eb_requantize -------------------------------------- */

#if defined(EB_HAVE_NEON)
static void check_neon_requant(void)
{
    static const int32_t edge_acc[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN,
                                       INT32_MIN + 1, 1 << 30, -(1 << 30), 12345, -12345,
                                       (1 << 16) + (1 << 15), -((1 << 16) + (1 << 15))};
    static const int32_t edge_mult[] = {0, 1 << 30, (1 << 30) + 1, INT32_MAX, 1518500250,
                                        1073741825, 2147483647 - 12};
    long n = 0, bad = 0;
    char first[160] = "";
    int32_t acc[4], mult[4], shift[4], got[4];
    for (int it = 0; it < 60000; it++) {
        for (int l = 0; l < 4; l++) {
            const int pick = rng_int(0, 3);
            acc[l] = pick == 0 ? edge_acc[rng_int(0, 15)]
                     : pick == 1 ? (int32_t)(rng_next() >> 32)
                     : pick == 2 ? rng_int(-100000, 100000)
                                 : rng_int(-64, 64) << rng_int(0, 24); /* ties */
            mult[l] = rng_int(0, 2) ? rng_int(1 << 30, INT32_MAX) : edge_mult[rng_int(0, 6)];
            shift[l] = rng_int(-31, 31);
        }
        int32x4_t lsh, rneg;
        eb_vrequant_shifts(vld1q_s32(shift), &lsh, &rneg);
        vst1q_s32(got, eb_vrequant(vld1q_s32(acc), vld1q_s32(mult), lsh, rneg));
        for (int l = 0; l < 4; l++) {
            n++;
            const int32_t want = eb_requantize(acc[l], mult[l], shift[l]);
            if (want != got[l] && bad++ == 0)
                snprintf(first, sizeof first,
                         "first: acc %d mult %d shift %d: want %d got %d", (int)acc[l],
                         (int)mult[l], (int)shift[l], (int)want, (int)got[l]);
        }
    }
    char desc[64], why[200];
    snprintf(desc, sizeof desc, "%ld random and edge lanes vs eb_requantize", n);
    snprintf(why, sizeof why, "%ld differ, %s", bad, first);
    report("eb_vrequant (neon)", desc, bad == 0, bad ? why : "");
}
#endif

/* ---- sets and dispatch -------------------------------------------------------------------- */

/* The checks of each op of eb_ops.inc: check_<op id>(entry). A new op without one does
 * not compile. */
static void check_conv2d_f32(const eb_conv_f32_kernel *k)
{
    check_conv(k, NULL);
    check_conv_large(k, NULL);
}
static void check_conv2d_s8(const eb_conv_s8_kernel *k)
{
    check_conv(NULL, k);
    check_conv_large(NULL, k);
}
static void check_dwconv_f32(const eb_conv_f32_kernel *k) { check_dwconv(k, NULL); }
static void check_dwconv_s8(const eb_conv_s8_kernel *k) { check_dwconv(NULL, k); }
static void check_fc_f32(const eb_fc_f32_kernel *k) { check_fc(k, NULL); }
static void check_fc_s8(const eb_fc_s8_kernel *k) { check_fc(NULL, k); }
static void check_spfc_f32(const eb_spfc_f32_kernel *k) { check_spfc(k, NULL); }
static void check_spfc_s8(const eb_spfc_s8_kernel *k) { check_spfc(NULL, k); }
static void check_avgpool_f32(const eb_pool_f32_kernel *k)
{
    check_pool(k, eb_avgpool_f32_ref, NULL, NULL);
}
static void check_avgpool_s8(const eb_pool_s8_kernel *k)
{
    check_pool(NULL, NULL, k, eb_avgpool_s8_ref);
}
static void check_maxpool_f32(const eb_pool_f32_kernel *k)
{
    check_pool(k, eb_maxpool_f32_ref, NULL, NULL);
}
static void check_maxpool_s8(const eb_pool_s8_kernel *k)
{
    check_pool(NULL, NULL, k, eb_maxpool_s8_ref);
}
static void check_gap_f32(const eb_gap_f32_kernel *k) { check_gap(k, NULL); }
static void check_gap_s8(const eb_gap_s8_kernel *k) { check_gap(NULL, k); }
static void check_add_f32(const eb_add_f32_kernel *k)
{
    check_binary(k, NULL, eb_add_f32_ref, eb_add_s8_ref);
}
static void check_add_s8(const eb_add_s8_kernel *k)
{
    check_binary(NULL, k, eb_add_f32_ref, eb_add_s8_ref);
}
static void check_sub_f32(const eb_add_f32_kernel *k)
{
    check_binary(k, NULL, eb_sub_f32_ref, eb_sub_s8_ref);
}
static void check_sub_s8(const eb_add_s8_kernel *k)
{
    check_binary(NULL, k, eb_sub_f32_ref, eb_sub_s8_ref);
}
static void check_softmax_f32(const eb_softmax_f32_kernel *k) { check_softmax(k, NULL); }
static void check_softmax_s8(const eb_softmax_s8_kernel *k) { check_softmax(NULL, k); }
static void check_mul_f32(const eb_mul_f32_kernel *k) { check_mul(k, NULL); }
static void check_mul_s8(const eb_mul_s8_kernel *k) { check_mul(NULL, k); }

/* unary (one signature for every activation): against the op's ref on the tail sizes;
 * int8 runs a table of random entries */
typedef void unary_f32_ref_fn(const eb_unary_params *, const float *, float *);

static void check_unary(const eb_unary_f32_kernel *kf, const eb_unary_s8_kernel *ks,
                        unary_f32_ref_fn *ref_f32)
{
    for (size_t i = 0; i < NSIZES; i++) {
        const size_t n = (size_t)sizes[i];
        char desc[96], why[200] = "";
        eb_unary_params p;
        memset(&p, 0, sizeof p);
        p.size = sizes[i];
        if (kf) {
            float *x = galloc(n * 4), *got = galloc(n * 4);
            float *ref = malloc(n * 4), *mag = malloc(n * 4);
            fill_f32(x, n, -8.0f, 8.0f);
            ref_f32(&p, x, ref);
            for (size_t j = 0; j < n; j++)
                mag[j] = fabsf(x[j]) + 1.0f;
            nan_fill(got, n);
            kf->run(&p, x, got);
            bool ok = cmp_f32(ref, got, mag, n, F32_TOL, 0.0, why, sizeof why);
            snprintf(desc, sizeof desc, "n %d", (int)n);
            report(kf->name, desc, ok, why);
            free(ref), free(mag);
            gfree_all();
        }
        if (ks) {
            fill_s8(p.table, 256, -128, 127);
            int8_t *x = galloc(n), *got = galloc(n), *ref = malloc(n);
            fill_s8(x, n, -128, 127);
            eb_lut_s8_ref(&p, x, ref);
            not_fill(got, ref, n);
            ks->run(&p, x, got);
            bool ok = cmp_s8(ref, got, n, why, sizeof why);
            snprintf(desc, sizeof desc, "n %d random table", (int)n);
            report(ks->name, desc, ok, why);
            free(ref);
            gfree_all();
        }
    }
}
static void check_relu_f32(const eb_unary_f32_kernel *k) { check_unary(k, NULL, eb_relu_f32_ref); }
static void check_relu6_f32(const eb_unary_f32_kernel *k)
{
    check_unary(k, NULL, eb_relu6_f32_ref);
}
static void check_logistic_f32(const eb_unary_f32_kernel *k)
{
    check_unary(k, NULL, eb_logistic_f32_ref);
}
static void check_tanh_f32(const eb_unary_f32_kernel *k) { check_unary(k, NULL, eb_tanh_f32_ref); }
static void check_hard_swish_f32(const eb_unary_f32_kernel *k)
{
    check_unary(k, NULL, eb_hard_swish_f32_ref);
}
static void check_lut_s8(const eb_unary_s8_kernel *k) { check_unary(NULL, k, NULL); }

/* concat: rows of the tail sizes joined; int8 with a copied and a requantized input */
static void check_concat(const eb_concat_f32_kernel *kf, const eb_concat_s8_kernel *ks)
{
    for (size_t i = 0; i < NSIZES; i++) {
        eb_concat_params p;
        memset(&p, 0, sizeof p);
        p.outer = 3;
        p.a_inner = sizes[i];
        p.b_inner = sizes[(i + 3) % NSIZES];
        const size_t na = 3 * (size_t)p.a_inner, nb = 3 * (size_t)p.b_inner, n = na + nb;
        char desc[96], why[200] = "";
        snprintf(desc, sizeof desc, "3 rows of %d + %d", (int)p.a_inner, (int)p.b_inner);
        if (kf) {
            float *a = galloc(na * 4), *b = galloc(nb * 4), *got = galloc(n * 4);
            float *ref = malloc(n * 4), *mag = malloc(n * 4);
            fill_f32(a, na, -8.0f, 8.0f);
            fill_f32(b, nb, -8.0f, 8.0f);
            eb_concat_f32_ref(&p, a, b, ref);
            for (size_t j = 0; j < n; j++)
                mag[j] = 1.0f;
            nan_fill(got, n);
            kf->run(&p, a, b, got);
            report(kf->name, desc, cmp_f32(ref, got, mag, n, 0.0, 0.0, why, sizeof why), why);
            free(ref), free(mag);
            gfree_all();
        }
        if (ks) {
            p.b_requant = 1, p.b_zp = 5, p.out_zp = -3;
            eb_quantize_multiplier(0.37, &p.b_mult, &p.b_shift);
            int8_t *a = galloc(na), *b = galloc(nb), *got = galloc(n), *ref = malloc(n);
            fill_s8(a, na, -128, 127);
            fill_s8(b, nb, -128, 127);
            eb_concat_s8_ref(&p, a, b, ref);
            not_fill(got, ref, n);
            ks->run(&p, a, b, got);
            report(ks->name, desc, cmp_s8(ref, got, n, why, sizeof why), why);
            free(ref);
            gfree_all();
        }
    }
}
static void check_concat_f32(const eb_concat_f32_kernel *k) { check_concat(k, NULL); }
static void check_concat_s8(const eb_concat_s8_kernel *k) { check_concat(NULL, k); }

/* pad: tail widths and channels, padding on every side */
static void check_pad(const eb_pad_f32_kernel *kf, const eb_pad_s8_kernel *ks)
{
    for (size_t i = 0; i < NSIZES; i++) {
        eb_pad_params p;
        memset(&p, 0, sizeof p);
        p.in_h = 3;
        p.in_w = 1 + (int32_t)(i % 5);
        p.c = sizes[i] < 64 ? sizes[i] : 64;
        p.pad_top = (int32_t)(i % 2), p.pad_left = (int32_t)(i % 3);
        p.pad_bottom = (int32_t)(i % 4), p.pad_right = 1;
        p.value = -0.5f, p.qvalue = -7;
        const size_t nx = (size_t)p.in_h * p.in_w * p.c;
        const size_t n = (size_t)(p.in_h + p.pad_top + p.pad_bottom) *
                         (p.in_w + p.pad_left + p.pad_right) * p.c;
        char desc[96], why[200] = "";
        snprintf(desc, sizeof desc, "3x%dx%d pad t%d l%d b%d r%d", (int)p.in_w, (int)p.c,
                 (int)p.pad_top, (int)p.pad_left, (int)p.pad_bottom, (int)p.pad_right);
        if (kf) {
            float *x = galloc(nx * 4), *got = galloc(n * 4), *ref = malloc(n * 4);
            float *mag = malloc(n * 4);
            fill_f32(x, nx, -8.0f, 8.0f);
            eb_pad_f32_ref(&p, x, ref);
            for (size_t j = 0; j < n; j++)
                mag[j] = 1.0f;
            nan_fill(got, n);
            kf->run(&p, x, got);
            report(kf->name, desc, cmp_f32(ref, got, mag, n, 0.0, 0.0, why, sizeof why), why);
            free(ref), free(mag);
            gfree_all();
        }
        if (ks) {
            int8_t *x = galloc(nx), *got = galloc(n), *ref = malloc(n);
            fill_s8(x, nx, -128, 127);
            eb_pad_s8_ref(&p, x, ref);
            not_fill(got, ref, n);
            ks->run(&p, x, got);
            report(ks->name, desc, cmp_s8(ref, got, n, why, sizeof why), why);
            free(ref);
            gfree_all();
        }
    }
}
static void check_pad_f32(const eb_pad_f32_kernel *k) { check_pad(k, NULL); }
static void check_pad_s8(const eb_pad_s8_kernel *k) { check_pad(NULL, k); }

/* mean_s8 (the gap signature): against ref on the gap shapes */
static void check_mean_s8(const eb_gap_s8_kernel *k)
{
    for (size_t i = 0; i < NSIZES; i++) {
        eb_gap_params p;
        memset(&p, 0, sizeof p);
        p.batch = 1, p.h = 1 + (int32_t)(i % 4), p.w = 2 + (int32_t)(i % 7);
        p.c = sizes[i] < 64 ? sizes[i] : 64;
        p.in_zp = -7, p.out_zp = 11, p.act_min = -128, p.act_max = 127;
        eb_quantize_multiplier(0.83, &p.mult, &p.shift);
        const size_t nx = (size_t)p.h * p.w * p.c, n = (size_t)p.c;
        int8_t *x = galloc(nx), *got = galloc(n), *ref = malloc(n);
        fill_s8(x, nx, -128, 127);
        eb_mean_s8_ref(&p, x, ref);
        not_fill(got, ref, n);
        k->run(&p, x, got);
        char desc[96], why[200] = "";
        snprintf(desc, sizeof desc, "%dx%dx%d", (int)p.h, (int)p.w, (int)p.c);
        report(k->name, desc, cmp_s8(ref, got, n, why, sizeof why), why);
        free(ref);
        gfree_all();
    }
}

/* repeat: tail channel counts, 1..4 times */
static void check_repeat(const eb_repeat_f32_kernel *kf, const eb_repeat_s8_kernel *ks)
{
    for (size_t i = 0; i < NSIZES; i++) {
        eb_repeat_params p = {5, sizes[i] < 64 ? sizes[i] : 64, 1 + (int32_t)(i % 4)};
        const size_t nx = (size_t)p.outer * p.c, n = nx * (size_t)p.times;
        char desc[96], why[200] = "";
        snprintf(desc, sizeof desc, "5 x %d channels x %d", (int)p.c, (int)p.times);
        if (kf) {
            float *x = galloc(nx * 4), *got = galloc(n * 4), *ref = malloc(n * 4);
            float *mag = malloc(n * 4);
            fill_f32(x, nx, -8.0f, 8.0f);
            eb_repeat_f32_ref(&p, x, ref);
            for (size_t j = 0; j < n; j++)
                mag[j] = 1.0f;
            nan_fill(got, n);
            kf->run(&p, x, got);
            report(kf->name, desc, cmp_f32(ref, got, mag, n, 0.0, 0.0, why, sizeof why), why);
            free(ref), free(mag);
            gfree_all();
        }
        if (ks) {
            int8_t *x = galloc(nx), *got = galloc(n), *ref = malloc(n);
            fill_s8(x, nx, -128, 127);
            eb_repeat_s8_ref(&p, x, ref);
            not_fill(got, ref, n);
            ks->run(&p, x, got);
            report(ks->name, desc, cmp_s8(ref, got, n, why, sizeof why), why);
            free(ref);
            gfree_all();
        }
    }
}
static void check_repeat_f32(const eb_repeat_f32_kernel *k) { check_repeat(k, NULL); }
static void check_repeat_s8(const eb_repeat_s8_kernel *k) { check_repeat(NULL, k); }

/* Every kernel of one ISA (walking the op list), each where this CPU has its needs. */
static int check_isa(eb_isa isa)
{
    eb_kernel_set ks;
    eb_kernels_fill_isa(isa, &ks);
    eb_kernel_info info[EB_KOP_COUNT];
    size_t n = eb_kernel_set_describe(&ks, info, EB_KOP_COUNT), mine = 0;
    for (size_t i = 0; i < n; i++)
        mine += info[i].isa == isa;
    printf("== %s: %zu kernels against ref\n", eb_isa_name(isa), mine);
    const int before = g.cases;
#define EB_KPARAMS(...)
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(id, op, dtype, cls)                                                          \
    if (ks.id.isa == isa) {                                                                \
        eb_features need = eb_kernel_needs(isa, EB_KOP_##id);                              \
        char nb[128];                                                                      \
        if (eb_cpu_has(need)) {                                                            \
            check_##id(&ks.id);                                                            \
        } else {                                                                           \
            printf("SKIP %s: this CPU lacks %s\n", ks.id.name,                             \
                   eb_features_str(need & ~eb_cpu_detect(), "+", nb, sizeof nb));          \
            g.skipped++;                                                                   \
        }                                                                                  \
    }
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KPARAMS
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
    return g.cases - before;
}

#if defined(EB_HAVE_NEON)
#if defined(EB_HAVE_NEON_DOT)
static sigjmp_buf probe_jmp;

static void on_sigill(int sig)
{
    (void)sig;
    siglongjmp(probe_jmp, 1);
}

/* Runs an SDOT kernel directly, bypassing dispatch: true when the CPU raised SIGILL.
 * Shows that the emulated CPU really has (or lacks) the instructions the dispatch
 * decision is about. */
static bool sdot_faults(void)
{
    eb_kernel_set ks;
    eb_kernels_fill_isa(EB_ISA_NEON_DOT, &ks);
    const eb_fc_params p = {1, 32, 8, EB_ACT_NONE};
    static int8_t x[32], w[256], y[8];
    static int32_t mult[8], shift[8];
    static _Alignas(64) uint8_t packed[4096];
    for (int i = 0; i < 8; i++)
        mult[i] = 1 << 30;
    const eb_requant q = {0, 0, -128, 127, mult, shift};
    if (ks.fc_s8.pack_size(&p) > sizeof packed)
        return false;
    ks.fc_s8.pack(&p, &q, w, NULL, packed);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigill;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, &old);
    volatile bool faulted = false;
    if (sigsetjmp(probe_jmp, 1) == 0)
        ks.fc_s8.run(&p, &q, x, w, NULL, packed, y, NULL);
    else
        faulted = true;
    sigaction(SIGILL, &old, NULL);
    return faulted;
}
#endif

/* The automatic choice for int8 conv2d and fc must follow the dot-product feature, and
 * the chosen kernels must run (no illegal instruction) and match ref. */
static void check_dispatch(bool want_dot)
{
    char why[200] = "";
    bool has_dot = eb_cpu_has(EB_F(DOTPROD));
    bool ok = has_dot == want_dot;
    snprintf(why, sizeof why, "CPU reports neon %s, dotprod %s",
             eb_cpu_has(EB_F(NEON)) ? "yes" : "no", has_dot ? "yes" : "no");
    report("eb_cpu_detect", want_dot ? "expect dotprod" : "expect no dotprod", ok, why);

    eb_kernel_set ks;
    if (eb_kernels_select(EB_KSET_AUTO, &ks) != EB_OK) {
        report("eb_kernels_select", "auto", false, "failed");
        return;
    }
    const char *want_conv = want_dot ? "eb_conv2d_s8_neondot" : "eb_conv2d_s8_neon";
    const char *want_fc = want_dot ? "eb_fc_s8_neondot" : "eb_fc_s8_neon";
    snprintf(why, sizeof why, "chose %s and %s", ks.conv2d_s8.name, ks.fc_s8.name);
    report("eb_kernels_select", "auto picks the int8 GEMM kernels for this CPU",
           !strcmp(ks.conv2d_s8.name, want_conv) && !strcmp(ks.fc_s8.name, want_fc), why);

#if defined(EB_HAVE_NEON_DOT)
    const bool faults = sdot_faults();
    report("eb_fc_s8_neondot", "run directly, bypassing dispatch", faults != want_dot,
           faults ? "SIGILL: this CPU has no SDOT" : "ran: this CPU has SDOT");
#endif

    const eb_conv_params p = conv_params(&conv_geoms[1], 17, 33, EB_ACT_NONE);
    conv_s8_case(&ks.conv2d_s8, &p, false, true, 0);
    const eb_fc_params fp = {3, 100, 33, EB_ACT_NONE};
    fc_s8_case(&ks.fc_s8, &fp, true, 1);
}
#endif

int main(int argc, char **argv)
{
    int expect_dot = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) {
            g.quiet = true;
        } else if (!strcmp(argv[i], "--expect-dotprod") && i + 1 < argc &&
                   (!strcmp(argv[i + 1], "yes") || !strcmp(argv[i + 1], "no"))) {
            expect_dot = !strcmp(argv[++i], "yes");
        } else {
            fprintf(stderr, "usage: kernel_check [--expect-dotprod yes|no] [--quiet]\n");
            return 2;
        }
    }
    char fb[256];
    printf("kernel_check: cpu features %s\n", eb_features_str(eb_cpu_detect(), " ", fb, sizeof fb));

    if (expect_dot >= 0) {
#if defined(EB_HAVE_NEON)
        check_dispatch(expect_dot == 1);
#else
        report("eb_kernels_select", "--expect-dotprod", false, "this build has no NEON kernels");
#endif
    }
#if defined(EB_HAVE_NEON)
    if (eb_isa_runnable(EB_ISA_NEON))
        check_neon_requant();
#endif
    int tested = 0;
    for (int i = 0; i < EB_ISA_COUNT; i++) {
        const eb_isa isa = (eb_isa)i;
        if (isa == EB_ISA_REF || !eb_isa_compiled(isa))
            continue;
        if (!eb_isa_runnable(isa)) {
            char nb[128];
            printf("SKIP %s kernels: this CPU lacks %s\n", eb_isa_name(isa),
                   eb_features_str(eb_isa_get(isa)->needs & ~eb_cpu_detect(), "+", nb,
                                   sizeof nb));
            g.skipped++;
            continue;
        }
        tested += check_isa(isa) > 0;
    }
    if (!tested)
        printf("kernel_check: no optimized kernel set runs here; only ref is present\n");
    printf("kernel_check: %d cases, %d failed, %d sets skipped\n", g.cases, g.failed,
           g.skipped);
    return g.failed ? 1 : 0;
}
