/* cmd_bench_kernels.c - `edgebench bench kernels`: times each kernel of the chosen set
 * on the layer shapes of a data file (MobileNetV1/V2 by default), single thread, and
 * reports time, GFLOP/s or GOP/s, the percentage of this machine's measured multiply-add
 * peak for the kernel's ISA and datatype, and the speed-up over ref.
 *
 * The host is shared and noisy, so the peak and the kernels are measured interleaved:
 * every round visits every case, measuring the peak chain just before the kernel and
 * its ref twin; a case's time is its best call over all rounds, and the peak is the best
 * of all its samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif

#include "cli.h"
#include "eb_dispatch.h"
#include "engine.h"
#include "eb_outfile.h"
#include "kernel_cases.h"
#include "peak.h"
#include "eb_stats.h"

/* Peak samples are short, like kernel calls, so that best-of compares like with like:
 * on a shared host a short window is more likely to run at full speed. */
#define PEAK_SAMPLE_S 0.001
#define PEAK_SAMPLES_PER_VISIT 2
#define MAX_SAMPLES (1 << 20)

static void bench_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench bench kernels [--op LIST] [--dtype LIST] [--kernels SET]\n"
            "                               [--model NAME] [--shapes FILE] [--min-time S]\n"
            "                               [--rounds N] [--no-ref] [--json FILE]\n\n"
            "Times every kernel of the chosen set on the layer shapes of a data file\n"
            "(MobileNetV1/V2, bench/shapes_mobilenet.txt), one thread, and prints per shape:\n"
            "best and median time per call, GFLOP/s (fp32) or GOP/s (int8; 2 ops per\n"
            "multiply-add), the percentage of this machine's peak for the kernel's ISA and\n"
            "datatype (measured by the same run: register-only multiply-add chains), and\n"
            "the speed-up over the ref kernel.\n\n"
            "  --op LIST       comma list of conv2d, dwconv, fc, gap, add, softmax,\n"
            "                  spfc (sparse fc: 1x1 conv shapes with 75%% of weights pruned,\n"
            "                  CSR; fc_sparse is the old name) or all; default: all but spfc\n"
            "  --dtype LIST    f32, int8 or both (default both; fp32 and s8 also accepted)\n"
            "  --kernels SET   %s (default auto: the best this\n"
            "                  CPU has; a set's ops over those of the set below it, as\n"
            "                  'edgebench list kernels' shows)\n"
            "  --model NAME    only layers of this model (mobilenet_v1, mobilenet_v2)\n"
            "  --shapes FILE   another shapes file (format in bench/shapes_mobilenet.txt)\n"
            "  --min-time S    seconds of timed calls per kernel and shape, spread over the\n"
            "                  rounds (default 0.2; at least one call per round)\n"
            "  --rounds N      interleaved rounds over all shapes (default 3)\n"
            "  --no-ref        do not time ref (no speed-up column)\n"
            "  --json FILE     also write the results as JSON (written atomically)\n",
            eb_kset_choices());
}

/* Seconds per call (or per op, for the peaks), accumulated over the rounds outside any
 * timed region. */
typedef struct {
    double *v;
    size_t n, cap;
} samples;

static void samples_push(samples *s, double x)
{
    if (s->n == s->cap) {
        if (s->cap >= MAX_SAMPLES)
            return;
        size_t nc = s->cap ? s->cap * 2 : 64;
        double *nv = (double *)realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return;
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = x;
}

static double samples_min(const samples *s)
{
    double m = INFINITY;
    for (size_t i = 0; i < s->n; i++)
        m = s->v[i] < m ? s->v[i] : m;
    return m;
}

static double samples_median(const samples *s)
{
    return s->n ? eb_median(s->v, s->n) : NAN;
}

typedef struct {
    const eb_kshape *shape;
    eb_kshape own; /* fc_sparse cases derive their shape from a 1x1 conv */
    eb_dtype dt;
    eb_kcase *kc, *ref; /* ref is NULL when not timed or when kc is ref itself */
    samples t, tref;
} bcase;

static void run_case(void *kc)
{
    eb_kcase_run(kc);
}

/* One round of a case: the harness's measurement engine (no warm-up: the rounds warm
 * each other) calls the kernel until `seconds` have passed, at least once, one sample
 * per call with only the clock reads around it; the samples join the case's afterwards. */
static void time_case(eb_kcase *kc, double seconds, samples *out)
{
    eb_measure_settings set = {0, 0.0, 1, seconds, MAX_SAMPLES, 1};
    eb_samples got;
    if (eb_measure_run(&set, run_case, kc, NULL, &got) == EB_OK)
        for (size_t i = 0; i < got.n; i++)
            samples_push(out, (double)got.ns[i] * 1e-9);
    eb_samples_free(&got);
}

typedef struct {
    samples s[EB_ISA_COUNT][2];
    uint64_t iters[EB_ISA_COUNT][2]; /* chain iterations of one sample, 0 = not calibrated */
} peaks;

/* Appends PEAK_SAMPLES_PER_VISIT samples (stored as seconds per op, so min = best). */
static void peak_visit(peaks *pk, eb_isa isa, eb_dtype dt)
{
    if (!eb_peak_available(isa, dt))
        return;
    double ops;
    if (!pk->iters[isa][dt]) {
        uint64_t it = 4096;
        double t = eb_peak_sample(isa, dt, it, &ops);
        while (t < 0.002 && it < (UINT64_C(1) << 40)) {
            it *= 2;
            t = eb_peak_sample(isa, dt, it, &ops);
        }
        pk->iters[isa][dt] = (uint64_t)((double)it * PEAK_SAMPLE_S / t) + 1;
    }
    for (int i = 0; i < PEAK_SAMPLES_PER_VISIT; i++) {
        double t = eb_peak_sample(isa, dt, pk->iters[isa][dt], &ops);
        if (t > 0 && ops > 0)
            samples_push(&pk->s[isa][dt], t / ops);
    }
}

static const char *dt_name(eb_dtype dt)
{
    return dt == EB_F32 ? "f32" : "int8";
}

static bool parse_dtypes(const char *s, bool want[2])
{
    want[0] = want[1] = false;
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        if (!strcmp(t, "f32") || !strcmp(t, "fp32") || !strcmp(t, "float32"))
            want[EB_F32] = true;
        else if (!strcmp(t, "int8") || !strcmp(t, "s8"))
            want[EB_S8] = true;
        else if (!strcmp(t, "both") || !strcmp(t, "all"))
            want[0] = want[1] = true;
        else
            return false;
    }
    return want[0] || want[1];
}

static bool parse_ops(const char *s, bool want[EB_BOP_COUNT])
{
    for (int i = 0; i < EB_BOP_COUNT; i++)
        want[i] = false;
    char buf[160];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    bool any = false;
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        eb_bop op;
        if (!strcmp(t, "all")) {
            for (int i = 0; i < EB_BOP_COUNT; i++)
                want[i] = true;
        } else if (eb_bop_parse(t, &op)) {
            want[op] = true;
        } else {
            return false;
        }
        any = true;
    }
    return any;
}

#if defined(EB_HAVE_CJSON)
/* A number, or null where it is not finite (no peak, no ref). */
static void add_num(cJSON *o, const char *k, double v)
{
    cJSON_AddItemToObject(o, k, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static cJSON *json_doc(const bcase *cs, size_t n, const peaks *pk, const char *kset,
                       double min_time, int rounds)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "schema", "edgebench-bench-kernels/1");
    cJSON_AddStringToObject(d, "edgebench_version", eb_version());
    cJSON_AddStringToObject(d, "git_revision", eb_git_revision());
    cJSON_AddStringToObject(d, "build_type", eb_build_type());
    cJSON_AddStringToObject(d, "compiler", eb_compiler());
    cJSON *cf = cJSON_AddObjectToObject(d, "cpu_features");
    for (int i = 0; i < EB_FEAT_COUNT; i++)
        cJSON_AddBoolToObject(cf, eb_feature_name((eb_feature)i),
                              eb_cpu_has((eb_features)1 << i));
    cJSON_AddStringToObject(d, "kernel_set", kset);
    cJSON_AddNumberToObject(d, "threads", 1);
    cJSON_AddNumberToObject(d, "min_time_s", min_time);
    cJSON_AddNumberToObject(d, "rounds", rounds);
    cJSON *pa = cJSON_AddArrayToObject(d, "peaks");
    for (int isa = 0; isa < EB_ISA_COUNT; isa++)
        for (int dt = 0; dt < 2; dt++) {
            const samples *ps = &pk->s[isa][dt];
            if (!ps->n)
                continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "isa", eb_isa_name((eb_isa)isa));
            cJSON_AddStringToObject(o, "dtype", dt_name((eb_dtype)dt));
            cJSON_AddStringToObject(o, "method", eb_peak_method((eb_isa)isa, (eb_dtype)dt));
            cJSON_AddStringToObject(o, "unit", dt == EB_F32 ? "flop/s" : "op/s");
            add_num(o, "best", 1.0 / samples_min(ps));
            add_num(o, "median", 1.0 / samples_median(ps));
            cJSON_AddNumberToObject(o, "samples", (double)ps->n);
            cJSON_AddItemToArray(pa, o);
        }
    cJSON *ra = cJSON_AddArrayToObject(d, "results");
    for (size_t i = 0; i < n; i++) {
        const bcase *c = &cs[i];
        const eb_kshape *s = c->shape;
        char desc[96];
        eb_kshape_describe(s, desc, sizeof desc);
        double best = samples_min(&c->t), ops = eb_kcase_ops(c->kc);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "layers", s->layers);
        cJSON_AddStringToObject(o, "op", eb_bop_name(s->op));
        cJSON_AddStringToObject(o, "dtype", dt_name(c->dt));
        cJSON_AddStringToObject(o, "shape", desc);
        cJSON_AddNumberToObject(o, "k", s->k);
        cJSON_AddNumberToObject(o, "stride", s->stride);
        cJSON_AddNumberToObject(o, "in_h", s->in_h);
        cJSON_AddNumberToObject(o, "in_w", s->in_w);
        cJSON_AddNumberToObject(o, "in_c", s->in_c);
        cJSON_AddNumberToObject(o, "out_c", s->out_c);
        cJSON_AddStringToObject(o, "kernel", eb_kcase_kernel(c->kc));
        cJSON_AddStringToObject(o, "isa", eb_isa_name(eb_kcase_isa(c->kc)));
        cJSON_AddNumberToObject(o, "ops_per_call", ops);
        cJSON_AddNumberToObject(o, "macs_per_call", eb_kcase_macs(c->kc));
        cJSON_AddNumberToObject(o, "calls", (double)c->t.n);
        add_num(o, "best_s", best);
        add_num(o, "median_s", samples_median(&c->t));
        add_num(o, "ops_per_s", ops / best);
        const samples *ps = &pk->s[eb_kcase_isa(c->kc)][c->dt];
        add_num(o, "pct_of_peak",
                eb_bop_is_mac(s->op) && ps->n ? 100.0 * ops / best * samples_min(ps) : NAN);
        if (c->ref) {
            cJSON_AddStringToObject(o, "ref_kernel", eb_kcase_kernel(c->ref));
            cJSON_AddNumberToObject(o, "ref_calls", (double)c->tref.n);
            add_num(o, "ref_best_s", samples_min(&c->tref));
            add_num(o, "ref_median_s", samples_median(&c->tref));
            add_num(o, "speedup_vs_ref", samples_min(&c->tref) / best);
        }
        cJSON_AddItemToArray(ra, o);
    }
    return d;
}
#endif

static int write_json(const char *path, const bcase *cs, size_t n, const peaks *pk,
                      const char *kset, double min_time, int rounds)
{
#if defined(EB_HAVE_CJSON)
    eb_outfile o;
    char err[512];
    cJSON *d = json_doc(cs, n, pk, kset, min_time, rounds);
    char *text = d ? cJSON_Print(d) : NULL;
    cJSON_Delete(d);
    if (!text) {
        eb_error("out of memory writing %s", path);
        return EB_EXIT_USAGE;
    }
    if (eb_outfile_open(&o, path, err, sizeof err) != EB_OK) {
        free(text);
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    fputs(text, o.f);
    fputc('\n', o.f);
    free(text);
    if (eb_outfile_commit(&o, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    return EB_EXIT_OK;
#else
    (void)cs, (void)n, (void)pk, (void)kset, (void)min_time, (void)rounds;
    eb_error("--json needs cJSON, which this build lacks; %s was not written", path);
    return EB_EXIT_USAGE;
#endif
}

/* Distinct model names in the layers lists ("mobilenet_v1:pw1 mobilenet_v2:b1_p"). */
static size_t list_models(const bcase *cs, size_t n, char models[][32], size_t max)
{
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = cs[i].shape->layers;
        while (*p) {
            const char *colon = strchr(p, ':');
            if (!colon)
                break;
            size_t len = (size_t)(colon - p);
            char name[32];
            if (len < sizeof name) {
                memcpy(name, p, len);
                name[len] = '\0';
                size_t j = 0;
                while (j < nm && strcmp(models[j], name))
                    j++;
                if (j == nm && nm < max)
                    snprintf(models[nm++], 32, "%s", name);
            }
            const char *sp = strchr(colon, ' ');
            if (!sp)
                break;
            p = sp + 1;
        }
    }
    return nm;
}

/* Per model and datatype, the figures the targets are about: 1x1 conv % of peak
 * (all its pointwise layers together, and the range per shape), depthwise 3x3 and the
 * first 3x3 conv as speed-ups over ref. */
static void print_summary(const bcase *cs, size_t n, const peaks *pk, const char *only)
{
    char models[8][32];
    const size_t nm = list_models(cs, n, models, 8);
    for (size_t m = 0; m < nm; m++) {
        if (only && strcmp(only, models[m]))
            continue;
        char key[40];
        snprintf(key, sizeof key, "%.31s:", models[m]);
        for (int dt = 0; dt < 2; dt++) {
            double pct_num = 0, pct_den = 0, lo = INFINITY, hi = 0;
            double dw_min = INFINITY, dw_max = 0, c3 = NAN;
            int cnt = 0, any = 0;
            for (size_t i = 0; i < n; i++) {
                const bcase *c = &cs[i];
                if (c->dt != (eb_dtype)dt || !strstr(c->shape->layers, key))
                    continue;
                any = 1;
                const samples *ps = &pk->s[eb_kcase_isa(c->kc)][dt];
                const double best = samples_min(&c->t);
                if (c->shape->op == EB_BOP_CONV2D && c->shape->k == 1 && ps->n) {
                    const double peak = 1.0 / samples_min(ps), pct = 100.0 * eb_kcase_ops(c->kc) / best / peak;
                    pct_num += eb_kcase_ops(c->kc) / peak; /* time at peak */
                    pct_den += best;
                    lo = pct < lo ? pct : lo;
                    hi = pct > hi ? pct : hi;
                    cnt++;
                }
                if (c->ref && c->shape->k == 3) {
                    const double sp = samples_min(&c->tref) / best;
                    if (c->shape->op == EB_BOP_DWCONV) {
                        dw_min = sp < dw_min ? sp : dw_min;
                        dw_max = sp > dw_max ? sp : dw_max;
                    } else if (c->shape->op == EB_BOP_CONV2D && isnan(c3)) {
                        c3 = sp;
                    }
                }
            }
            if (!any || (!cnt && !isfinite(dw_min) && isnan(c3)))
                continue;
            printf("%s %s:", models[m], dt_name((eb_dtype)dt));
            if (cnt)
                printf(" 1x1 conv %.1f%% of peak (%d shapes, %.1f..%.1f%%);", 100.0 * pct_num / pct_den,
                       cnt, lo, hi);
            if (isfinite(dw_min))
                printf(" depthwise 3x3 %.1fx..%.1fx ref;", dw_min, dw_max);
            if (!isnan(c3))
                printf(" first 3x3 conv %.1fx ref;", c3);
            printf("\n");
        }
    }
}

static int bench_kernels(int argc, char **argv)
{
    bool want_op[EB_BOP_COUNT], want_dt[2] = {true, true}, no_ref = false;
    peaks pk;
    memset(&pk, 0, sizeof pk);
    parse_ops("conv2d,dwconv,fc,gap,add,softmax", want_op);
    eb_kset kset = EB_KSET_AUTO;
    const char *model = NULL, *shapes_path = NULL, *json = NULL;
    double min_time = 0.2;
    long rounds = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool has_val = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bench_usage(stdout);
            return EB_EXIT_OK;
        } else if (!strcmp(a, "--no-ref")) {
            no_ref = true;
        } else if (!strcmp(a, "--op") || !strcmp(a, "--dtype") || !strcmp(a, "--kernels") ||
                   !strcmp(a, "--model") || !strcmp(a, "--shapes") || !strcmp(a, "--json") ||
                   !strcmp(a, "--min-time") || !strcmp(a, "--rounds")) {
            if (!has_val) {
                eb_error("%s needs a value; see 'edgebench bench kernels --help'", a);
                return EB_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--op") && !parse_ops(v, want_op)) {
                eb_error("--op expects a comma list of conv2d, dwconv, fc, spfc, gap, "
                         "add, softmax or all, got '%s'", v);
                return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--dtype") && !parse_dtypes(v, want_dt)) {
                eb_error("--dtype expects f32, int8 or both, got '%s'", v);
                return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--kernels") && eb_kset_parse(v, &kset) != EB_OK) {
                eb_error("--kernels expects one of %s, got '%s'", eb_kset_choices(), v);
                return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--model")) {
                model = v;
            } else if (!strcmp(a, "--shapes")) {
                shapes_path = v;
            } else if (!strcmp(a, "--json")) {
                json = v;
            } else if (!strcmp(a, "--min-time") &&
                       !eb_parse_double("--min-time", v, 0.0, 3600.0, &min_time)) {
                return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--rounds") && !eb_parse_int("--rounds", v, 1, 100, &rounds)) {
                return EB_EXIT_USAGE;
            }
        } else {
            eb_error("unknown option '%s' for 'bench kernels'; see 'edgebench bench kernels "
                     "--help'", a);
            return EB_EXIT_USAGE;
        }
    }

    eb_kernel_set ks, ref_ks;
    if (eb_kernels_select(kset, &ks) != EB_OK) {
        char why[256];
        eb_error("kernel set '%s' cannot run here: %s", eb_kset_name(kset),
                 eb_kset_why_not(kset, why, sizeof why));
        return EB_EXIT_USAGE;
    }
    eb_kernels_select(EB_KSET_REF, &ref_ks);

    char found[4096];
    if (!shapes_path) {
        if (!eb_kshapes_default_path(found, sizeof found)) {
            eb_error("cannot find shapes_mobilenet.txt next to the binary or in the source "
                     "tree; pass --shapes FILE");
            return EB_EXIT_USAGE;
        }
        shapes_path = found;
    }
    eb_kshape *shapes = NULL;
    size_t nshapes = 0;
    char err[512];
    if (eb_kshapes_load(shapes_path, &shapes, &nshapes, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }

    /* the cases: shape x dtype, plus fc_sparse twins of the 1x1 convs when asked */
    size_t cap = nshapes * 4, n = 0;
    bcase *cs = (bcase *)calloc(cap, sizeof *cs);
    int rc = EB_EXIT_OK;
    if (!cs) {
        eb_error("out of memory");
        free(shapes);
        return EB_EXIT_USAGE;
    }
    for (size_t i = 0; i < nshapes; i++) {
        const eb_kshape *s = &shapes[i];
        if (model) {
            char key[64];
            snprintf(key, sizeof key, "%s:", model);
            if (!strstr(s->layers, key))
                continue;
        }
        for (int v = 0; v < 2; v++) {
            eb_kshape own = *s;
            if (v == 1) { /* the sparse twin */
                if (!want_op[EB_BOP_SPFC] || s->op != EB_BOP_CONV2D || s->k != 1 ||
                    s->stride != 1)
                    continue;
                own.op = EB_BOP_SPFC;
            } else if (!want_op[s->op]) {
                continue;
            }
            for (int dt = 0; dt < 2; dt++) {
                if (!want_dt[dt])
                    continue;
                bcase *c = &cs[n];
                c->own = own;
                c->shape = &c->own;
                c->dt = (eb_dtype)dt;
                eb_status st = eb_kcase_create(c->shape, c->dt, &ks, &c->kc);
                if (st == EB_OK && !no_ref && eb_kcase_isa(c->kc) != EB_ISA_REF) {
                    st = eb_kcase_create(c->shape, c->dt, &ref_ks, &c->ref);
                    if (st == EB_OK)
                        eb_kcase_share_data(c->ref, c->kc);
                }
                if (st != EB_OK) {
                    eb_error("%s:%d: cannot set up this %s layer: %s", shapes_path, s->line,
                             eb_bop_name(own.op), eb_status_str(st));
                    n++;
                    rc = EB_EXIT_USAGE;
                    goto done;
                }
                n++;
            }
        }
    }
    if (n == 0) {
        eb_error("no layer of '%s' matches the --op/--dtype/--model filters", shapes_path);
        rc = EB_EXIT_USAGE;
        goto done;
    }

    char cfs[256];
    printf("edgebench bench kernels: %zu cases from %s, kernel set %s, 1 thread\n", n,
           shapes_path, eb_kset_name(kset));
    printf("cpu features: %s; %ld rounds, %.3g s per kernel and case%s\n",
           eb_features_str(eb_cpu_detect(), "+", cfs, sizeof cfs), rounds, min_time,
           eb_sanitized_build() ? " (SANITIZED BUILD: times are meaningless)" : "");
    fflush(stdout);
    if (strcmp(eb_build_type(), "Release") != 0)
        eb_warn("this is a %s build; kernel times are only meaningful in Release",
                eb_build_type());

    for (size_t i = 0; i < n; i++) { /* warm-up: touch every buffer once */
        eb_kcase_run(cs[i].kc);
        if (cs[i].ref)
            eb_kcase_run(cs[i].ref);
    }
    const bool tty = isatty(STDERR_FILENO);
    for (long r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            bcase *c = &cs[i];
            const eb_isa isa = eb_kcase_isa(c->kc);
            if (eb_bop_is_mac(c->shape->op))
                peak_visit(&pk, isa, c->dt);
            time_case(c->kc, min_time / (double)rounds, &c->t);
            if (c->ref)
                time_case(c->ref, min_time / (double)rounds, &c->tref);
            if (tty)
                fprintf(stderr, "\rround %ld/%ld: %zu/%zu", r + 1, rounds, i + 1, n);
        }
    }
    if (tty)
        fprintf(stderr, "\r%40s\r", "");

    for (int isa = 0; isa < EB_ISA_COUNT; isa++)
        for (int dt = 0; dt < 2; dt++) {
            const samples *s = &pk.s[isa][dt];
            if (s->n)
                printf("peak %s %s: %.1f %s best, %.1f median of %zu samples (%s)\n",
                       eb_isa_name((eb_isa)isa), dt_name((eb_dtype)dt), 1e-9 / samples_min(s),
                       dt == EB_F32 ? "GFLOP/s" : "GOP/s", 1e-9 / samples_median(s), s->n,
                       eb_peak_method((eb_isa)isa, (eb_dtype)dt));
        }
    printf("\n%-9s %-5s %-24s %-5s %10s %10s %8s %6s %10s %7s  %s\n", "op", "dtype", "shape",
           "isa", "best_us", "median_us", "G*/s", "%peak", "ref_us", "x_ref", "layers");
    for (size_t i = 0; i < n; i++) {
        const bcase *c = &cs[i];
        char desc[96], pct[16] = "-", refus[24] = "-", xref[16] = "-";
        eb_kshape_describe(c->shape, desc, sizeof desc);
        const double best = samples_min(&c->t), ops = eb_kcase_ops(c->kc);
        const samples *ps = &pk.s[eb_kcase_isa(c->kc)][c->dt];
        if (eb_bop_is_mac(c->shape->op) && ps->n)
            snprintf(pct, sizeof pct, "%.1f", 100.0 * ops / best * samples_min(ps));
        if (c->ref) {
            snprintf(refus, sizeof refus, "%.1f", 1e6 * samples_min(&c->tref));
            snprintf(xref, sizeof xref, "%.1f", samples_min(&c->tref) / best);
        }
        printf("%-9s %-5s %-24s %-5s %10.1f %10.1f %8.2f %6s %10s %7s  %s\n",
               eb_bop_name(c->shape->op), dt_name(c->dt), desc, eb_isa_name(eb_kcase_isa(c->kc)),
               1e6 * best, 1e6 * samples_median(&c->t), 1e-9 * ops / best, pct, refus, xref,
               c->shape->layers);
    }
    printf("\nG*/s: GFLOP/s for f32, GOP/s for int8 (2 ops per multiply-add; elements/s for "
           "gap, add, softmax).\n");
    print_summary(cs, n, &pk, model);
    if (json)
        rc = write_json(json, cs, n, &pk, eb_kset_name(kset), min_time, (int)rounds);

done:
    for (size_t i = 0; i < n; i++) {
        eb_kcase_free(cs[i].ref); /* before kc: it borrows kc's buffers */
        eb_kcase_free(cs[i].kc);
        free(cs[i].t.v);
        free(cs[i].tref.v);
    }
    for (int isa = 0; isa < EB_ISA_COUNT; isa++)
        for (int dt = 0; dt < 2; dt++)
            free(pk.s[isa][dt].v);
    free(cs);
    free(shapes);
    return rc;
}

int eb_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        bench_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EB_EXIT_USAGE : EB_EXIT_OK;
    }
    if (!strcmp(argv[1], "kernels"))
        return bench_kernels(argc - 1, argv + 1);
    eb_error("unknown benchmark '%s'; 'edgebench bench' knows: kernels", argv[1]);
    return EB_EXIT_USAGE;
}
