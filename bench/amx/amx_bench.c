/* amx_bench.c - eb_amx_bench: the AMX int8 peak next to eb_conv2d_s8_amx and
 * eb_conv2d_s8_avx512 on the conv2d layers of MobileNet (bench/shapes_mobilenet.txt),
 * one thread, in interleaved rounds: every round measures the peak chain and each layer
 * with both kernels, so the ratios of one round share the machine's state of the moment
 * (these VMs are noisy). Reports medians over the rounds; the totals are per round
 * (network order, every layer once) and then the median of the per-round ratios.
 *
 *   eb_amx_bench [--model mobilenet_v1|mobilenet_v2] [--all] [--rounds N]
 *                [--sample-ms MS] [--best] [--shapes FILE]
 *
 * Default: MobileNetV1's 1x1 convolutions, 5 rounds, samples of 20 ms. --all adds the
 * other conv2d layers (im2col). --best reports the fastest round instead of the median
 * (on a loaded machine, many short samples and --best estimate the unloaded speed). Exit 0 after a report, 2 on bad usage, 3 when this
 * CPU or OS cannot run AMX or AVX-512 (with the reason), 1 when the two kernels
 * disagree. Built for the baseline ISA: the kernels and the peak chains are in files
 * with their own flags. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../kernels/amx/eb_amx.h"
#include "../../kernels/avx512/eb_avx512.h"
#include "peak_amx.h"
#include "eb_dispatch.h"

#ifndef EB_SOURCE_DIR
#define EB_SOURCE_DIR "."
#endif

#define MAX_LAYERS 80
#define MAX_ROUNDS 99

typedef struct {
    char name[32];
    eb_conv_params p;
    double macs;
    int8_t *x, *w, *y_amx, *y_avx;
    int32_t *bias, *mult, *shift;
    eb_requant q;
    void *pk_amx, *pk_avx, *sc_amx, *sc_avx;
    long n_amx, n_avx;               /* calls per sample */
    double t_amx[MAX_ROUNDS], t_avx[MAX_ROUNDS]; /* seconds per call */
} layer;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *xalloc(size_t n)
{
    void *p = aligned_alloc(64, (n + 63) / 64 * 64 + 64);
    if (!p) {
        fprintf(stderr, "eb_amx_bench: out of memory\n");
        exit(2);
    }
    memset(p, 0, (n + 63) / 64 * 64 + 64);
    return p;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static int32_t rnd(int32_t lo, int32_t hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (int32_t)((rng >> 11) % (uint64_t)((int64_t)hi - lo + 1));
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int use_best; /* --best: the minimum time (maximum rate) instead of the median */

static double pick(const double *v, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    if (use_best)
        return s[0];
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

static void run_amx(layer *L)
{
    eb_conv2d_s8_amx(&L->p, &L->q, L->x, L->w, L->bias, L->pk_amx, L->y_amx, L->sc_amx);
}

static void run_avx(layer *L)
{
    eb_conv2d_s8_avx512(&L->p, &L->q, L->x, L->w, L->bias, L->pk_avx, L->y_avx, L->sc_avx);
}

/* seconds per call over n calls */
static double time_calls(void (*run)(layer *), layer *L, long n)
{
    const double t0 = now();
    for (long i = 0; i < n; i++)
        run(L);
    return (now() - t0) / (double)n;
}

/* calls per sample of about ms milliseconds */
static long calibrate(void (*run)(layer *), layer *L, double ms)
{
    run(L); /* warm caches and pages */
    const double t = time_calls(run, L, 3);
    long n = (long)(ms * 1e-3 / (t > 1e-9 ? t : 1e-9));
    return n < 1 ? 1 : n;
}

/* GMAC/s of one peak function over about ms milliseconds (iterations calibrated) */
static double peak_rate(double (*fn)(uint64_t), uint64_t *iters, double ms)
{
    if (!*iters) {
        uint64_t n = 1000;
        for (;;) {
            const double t0 = now();
            fn(n);
            const double t = now() - t0;
            if (t > 2e-3) {
                *iters = (uint64_t)((double)n * ms * 1e-3 / t) + 1;
                break;
            }
            n *= 4;
        }
    }
    const double t0 = now();
    const double macs = fn(*iters);
    return macs / (now() - t0) * 1e-9;
}

static int load_layers(const char *path, const char *model, int all, layer *out, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eb_amx_bench: cannot open %s (give --shapes FILE)\n", path);
        exit(2);
    }
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char m[32], name[32], op[16], act[16];
        int k, s, ih, iw, ic, oc;
        if (line[0] == '#' || sscanf(line, "%31s %31s %15s %d %d %d %d %d %d %15s", m, name, op,
                                     &k, &s, &ih, &iw, &ic, &oc, act) != 10)
            continue;
        if (strcmp(m, model) != 0 || strcmp(op, "conv2d") != 0 || (!all && k != 1))
            continue;
        if (n == max)
            break;
        layer *L = &out[n++];
        memset(L, 0, sizeof *L);
        snprintf(L->name, sizeof L->name, "%s", name);
        eb_conv_params *p = &L->p;
        p->batch = 1;
        p->in_h = ih;
        p->in_w = iw;
        p->in_c = ic;
        p->out_c = oc;
        p->k_h = p->k_w = k;
        p->stride_h = p->stride_w = s;
        p->act = EB_ACT_RELU6;
        if (eb_conv_out_dims(p, EB_PAD_SAME) != EB_OK || eb_conv2d_validate(p) != EB_OK) {
            fprintf(stderr, "eb_amx_bench: bad layer %s in %s\n", name, path);
            exit(2);
        }
    }
    fclose(f);
    return n;
}

/* Data, realistic requantization (right shifts, ReLU6-like clamp), packed weights. */
static void prepare(layer *L)
{
    const eb_conv_params *p = &L->p;
    const size_t ni = (size_t)p->in_h * p->in_w * p->in_c;
    const size_t no = (size_t)p->out_h * p->out_w * p->out_c;
    const size_t nw = (size_t)p->out_c * p->k_h * p->k_w * p->in_c;
    L->macs = (double)no * p->k_h * p->k_w * p->in_c;
    L->x = xalloc(ni);
    L->w = xalloc(nw);
    L->y_amx = xalloc(no);
    L->y_avx = xalloc(no);
    L->bias = xalloc((size_t)p->out_c * 4);
    L->mult = xalloc((size_t)p->out_c * 4);
    L->shift = xalloc((size_t)p->out_c * 4);
    for (size_t i = 0; i < ni; i++)
        L->x[i] = (int8_t)rnd(-128, 127);
    for (size_t i = 0; i < nw; i++)
        L->w[i] = (int8_t)rnd(-127, 127);
    for (int32_t c = 0; c < p->out_c; c++) {
        L->bias[c] = rnd(-20000, 20000);
        L->mult[c] = rnd(1 << 30, INT32_MAX);
        L->shift[c] = rnd(-10, -7);
    }
    L->q = (eb_requant){-3, -128, -128, 100, L->mult, L->shift};
    L->pk_amx = xalloc(eb_conv2d_s8_amx_pack_size(p));
    L->pk_avx = xalloc(eb_conv2d_s8_avx512_pack_size(p));
    L->sc_amx = xalloc(eb_conv2d_s8_amx_scratch_size(p));
    L->sc_avx = xalloc(eb_conv2d_s8_avx512_scratch_size(p));
    eb_conv2d_s8_amx_pack(p, &L->q, L->w, L->bias, L->pk_amx);
    eb_conv2d_s8_avx512_pack(p, &L->q, L->w, L->bias, L->pk_avx);
}

static void release(layer *L)
{
    void *ptrs[] = {L->x, L->w, L->y_amx, L->y_avx, L->bias, L->mult, L->shift,
                    L->pk_amx, L->pk_avx, L->sc_amx, L->sc_avx};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        free(ptrs[i]);
}

static void cpu_name(char *buf, size_t n)
{
    snprintf(buf, n, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            const char *c = strchr(line, ':');
            if (c) {
                snprintf(buf, n, "%s", c + 2);
                buf[strcspn(buf, "\n")] = '\0';
            }
            break;
        }
    fclose(f);
}

static int usage(void)
{
    fprintf(stderr, "usage: eb_amx_bench [--model mobilenet_v1|mobilenet_v2] [--all] "
                    "[--rounds N (1..%d)] [--sample-ms MS] [--best] [--shapes FILE]\n", MAX_ROUNDS);
    return 2;
}

int main(int argc, char **argv)
{
    const char *model = "mobilenet_v1", *shapes = EB_SOURCE_DIR "/bench/shapes_mobilenet.txt";
    int all = 0, rounds = 5;
    double sample_ms = 20.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--all"))
            all = 1;
        else if (!strcmp(argv[i], "--best"))
            use_best = 1;
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--shapes") && i + 1 < argc)
            shapes = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sample-ms") && i + 1 < argc)
            sample_ms = atof(argv[++i]);
        else
            return usage();
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || !(sample_ms > 0.0))
        return usage();

    char why[200];
    if (!eb_amx_enable(why, sizeof why)) {
        printf("eb_amx_bench: no AMX here: %s\n", why);
        return 3;
    }
    if (!eb_isa_runnable(EB_ISA_AVX512)) {
        printf("eb_amx_bench: this CPU or build cannot run the avx512 kernels\n");
        return 3;
    }

    static layer L[MAX_LAYERS];
    const int nl = load_layers(shapes, model, all, L, MAX_LAYERS);
    if (nl == 0) {
        fprintf(stderr, "eb_amx_bench: no conv2d layers of %s in %s\n", model, shapes);
        return 2;
    }
    for (int i = 0; i < nl; i++) {
        prepare(&L[i]);
        L[i].n_amx = calibrate(run_amx, &L[i], sample_ms);
        L[i].n_avx = calibrate(run_avx, &L[i], sample_ms);
        const size_t no = (size_t)L[i].p.out_h * L[i].p.out_w * L[i].p.out_c;
        if (memcmp(L[i].y_amx, L[i].y_avx, no) != 0) {
            printf("eb_amx_bench: %s: eb_conv2d_s8_amx and eb_conv2d_s8_avx512 disagree\n",
                   L[i].name);
            return 1;
        }
    }

    /* everything as seconds (per call, or per GMAC for the peaks): pick() takes the
     * median or, with --best, the minimum */
    double chain[MAX_ROUNDS], chain_rnd[MAX_ROUNDS], reload[MAX_ROUNDS];
    double tot_amx[MAX_ROUNDS], tot_avx[MAX_ROUNDS], pct[MAX_ROUNDS], ratio[MAX_ROUNDS];
    uint64_t it_chain = 0, it_chain_rnd = 0, it_reload = 0;
    double macs = 0.0;
    for (int i = 0; i < nl; i++)
        macs += L[i].macs;
    for (int r = 0; r < rounds; r++) {
        chain[r] = 1.0 / peak_rate(eb_amx_peak_chain, &it_chain, sample_ms);
        chain_rnd[r] = 1.0 / peak_rate(eb_amx_peak_chain_random, &it_chain_rnd, sample_ms);
        reload[r] = 1.0 / peak_rate(eb_amx_peak_reload, &it_reload, sample_ms);
        tot_amx[r] = tot_avx[r] = 0.0;
        for (int i = 0; i < nl; i++) {
            /* alternate which kernel goes first, so neither always follows the other */
            if (r % 2 == 0) {
                L[i].t_amx[r] = time_calls(run_amx, &L[i], L[i].n_amx);
                L[i].t_avx[r] = time_calls(run_avx, &L[i], L[i].n_avx);
            } else {
                L[i].t_avx[r] = time_calls(run_avx, &L[i], L[i].n_avx);
                L[i].t_amx[r] = time_calls(run_amx, &L[i], L[i].n_amx);
            }
            tot_amx[r] += L[i].t_amx[r];
            tot_avx[r] += L[i].t_avx[r];
        }
        pct[r] = 1.0 / (100.0 * macs * 1e-9 / tot_amx[r] * chain[r]); /* inverted, as a time */
        ratio[r] = tot_amx[r] / tot_avx[r];
    }

    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    const char *stat = use_best ? "the best round" : "medians";
    printf("eb_amx_bench: %s, 1 thread, %d interleaved rounds of %.0f ms samples (%s)\n",
           cpu, rounds, sample_ms, stat);
    const double pk = 1.0 / pick(chain, rounds), pk_rnd = 1.0 / pick(chain_rnd, rounds);
    printf("AMX peak chain (6 TDPBUSD chains, zero tiles in registers): %7.0f GMAC/s  <- %% peak\n", pk);
    printf("the same chain with random operand tiles:                   %7.0f GMAC/s\n", pk_rnd);
    printf("2x2 block, 4 tile loads (random, L1) per 4 TDPBUSD:         %7.0f GMAC/s\n",
           1.0 / pick(reload, rounds));
    printf("\n%-8s %-22s %7s %10s %7s %10s %10s\n", "layer", "shape", "MMAC", "amx GMAC/s",
           "% peak", "avx512", "amx/avx512");
    for (int i = 0; i < nl; i++) {
        const eb_conv_params *p = &L[i].p;
        char shape[40];
        snprintf(shape, sizeof shape, "%dx%dx%d>%d k%d s%d", p->in_h, p->in_w, p->in_c,
                 p->out_c, p->k_h, p->stride_h);
        const double ta = pick(L[i].t_amx, rounds), tv = pick(L[i].t_avx, rounds);
        const double ga = L[i].macs / ta * 1e-9, gv = L[i].macs / tv * 1e-9;
        printf("%-8s %-22s %7.1f %10.0f %7.1f %10.0f %10.2f\n", L[i].name, shape,
               L[i].macs * 1e-6, ga, 100.0 * ga / pk, gv, tv / ta);
    }
    /* totals: medians of the per-round totals, or (--best) the sum of each layer's best */
    double ta = pick(tot_amx, rounds), tv = pick(tot_avx, rounds);
    if (use_best) {
        ta = tv = 0.0;
        for (int i = 0; i < nl; i++) {
            ta += pick(L[i].t_amx, rounds);
            tv += pick(L[i].t_avx, rounds);
        }
    }
    /* medians: of the per-round ratios (each round's kernels and peak share the load of
     * the moment); best: of the best values */
    const double share = use_best ? 100.0 * macs / ta * 1e-9 / pk : 1.0 / pick(pct, rounds);
    const double speedup = use_best ? tv / ta : 1.0 / pick(ratio, rounds);
    printf("\nall %d layers (%.0f MMAC, each once): amx %.0f GMAC/s = %.1f %% of the peak "
           "chain (%.1f %% of the random-operand chain); avx512 %.0f GMAC/s; amx %.2fx "
           "avx512 (%s)\n",
           nl, macs * 1e-6, macs / ta * 1e-9, share, share * pk / pk_rnd, macs / tv * 1e-9,
           speedup, use_best ? "each layer's best round" : "medians of the per-round ratios");
    for (int i = 0; i < nl; i++)
        release(&L[i]);
    return 0;
}
