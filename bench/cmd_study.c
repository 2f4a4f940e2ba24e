/* cmd_study.c - `edgebench study --targets A,B --models X,Y -o DIR`: the hardware-selection
 * table (reports/eb_study.h). Reachable targets are measured with child `edgebench run`
 * processes; the rest are predicted by the host-calibrated roofline from the model's ops
 * (the model library) and the target file's peaks and bandwidth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif

#include "boards.h"
#include "child.h"
#include "cli.h"
#include "peak.h"
#include "eb_dispatch.h"
#include "eb_outfile.h"
#include "eb_plot.h"
#include "eb_report.h"
#include "eb_study.h"
#include "eb_target.h"
#include "eb_model.h"

#define MAX_ITEMS 32

static void study_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench study --targets A,B,... --models X,Y,... -o DIR [options]\n"
            "       edgebench study --from REPORT.json... [--targets ...] [--models ...] -o DIR\n\n"
            "A hardware-selection table per target and model: p50/p90 latency, throughput,\n"
            "energy per inference, peak memory against the target's memory, price, cost per\n"
            "million inferences, and whether the latency budget is met; as DIR/study.md,\n"
            "DIR/study.csv and plots. The host is measured (child 'edgebench run'); boards\n"
            "are measured when reachable (serial device present, SSH or serial-server board\n"
            "that answers; --emulate: under qemu), all at once with one worker each and a\n"
            "progress line per board, then the host alone; the others are predicted by a\n"
            "per-layer roofline calibrated on the host. Every cell says which.\n\n"
            "  --targets LIST        target names or files (default: those in --from)\n"
            "  --models LIST         model variants (default: those in --from)\n"
            "  --from REPORT...      use these reports' results as measurements (no runs)\n"
            "  -o, --out DIR         output directory\n"
            "  --latency-budget MS   mark which targets meet this p90 latency\n"
            "  --emulate             measure boards under emulation instead of predicting\n"
            "  --min-time S          measuring time per model for the runs (default 1)\n"
            "  --amortize-years Y    hardware price spread over Y years (default 3)\n"
            "  --kwh-price USD       electricity price (default 0.15)\n"
            "  --format png|svg      plot format (default png)\n"
            "  --validate            predict every published measurement in the target files\n"
            "                        (leave-one-out) and write DIR/validate.md, .csv and a\n"
            "                        predicted-vs-published plot; --targets limits the boards\n"
            "  --no-render           write the plot scripts without running gnuplot\n");
}

static size_t split_list(char *s, char **items, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        if (*tok)
            items[n++] = tok;
    return n;
}

/* The study's peaks from what the target file gives (eb_target's study figures): per
 * core from MACs per cycle at the clock, else the chip's peaks divided by its cores. */
static void study_peaks(const eb_target *t, eb_study_target *st)
{
    st->bandwidth_gbs = t->memory_bandwidth_gbs;
    double f32 = t->macs_per_cycle_fp32, i8 = t->macs_per_cycle_int8;
    double ghz = st->clock_mhz / 1000;
    if (isfinite(f32) && ghz > 0) {
        st->core_gmacs_fp32 = f32 * ghz;
        st->core_gmacs_int8 = isfinite(i8) ? i8 * ghz : NAN;
        snprintf(st->peak_source, sizeof st->peak_source,
                 "target file: %g fp32 / %g int8 MAC per cycle per core at %.0f MHz", f32, i8,
                 st->clock_mhz);
    } else if (st->cores > 0) {
        st->core_gmacs_fp32 = t->peak_gmacs_fp32 / st->cores;
        st->core_gmacs_int8 = t->peak_gmacs_int8 / st->cores;
        snprintf(st->peak_source, sizeof st->peak_source,
                 "target file: peak_gmacs_fp32/int8 divided by %d cores", st->cores);
    }
}

static double cpuinfo_mhz(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return NAN;
    char line[256];
    double mhz = NAN;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "cpu MHz", 7)) {
            const char *c = strchr(line, ':');
            if (c)
                mhz = atof(c + 1);
            break;
        }
    fclose(f);
    return mhz > 0 ? mhz : NAN;
}

/* A copy bandwidth of this machine: best of 5 memcpy of 64 MiB (read + write bytes). */
static double measure_copy_gbs(void)
{
    size_t n = (size_t)64 << 20;
    char *a = malloc(n), *b = malloc(n);
    double best = NAN;
    if (a && b) {
        memset(a, 1, n);
        memset(b, 2, n);
        for (int i = 0; i < 5; i++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            memcpy(b, a, n);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
            volatile char sink = b[i * 4096]; /* the copy is used: it cannot be elided */
            (void)sink;
            double gbs = 2.0 * (double)n / s / 1e9;
            if (!(best >= gbs))
                best = gbs;
        }
    }
    free(a);
    free(b);
    return best;
}

/* The host's peaks when its target file gives none: measured here with the same
 * register-only multiply-add chains as `edgebench bench kernels` (peak.h), for the best
 * ISA the auto kernel set runs, so the calibration's efficiency is measured/roofline of
 * the kernels actually used. Without a measurable chain (no AVX2): 2 MACs per cycle at
 * the clock the kernel reports, an estimate and said so. */
static void host_peaks(eb_study_target *st)
{
    if (isfinite(st->core_gmacs_fp32) && isfinite(st->bandwidth_gbs))
        return;
    double mhz = isfinite(st->clock_mhz) && st->clock_mhz > 0 ? st->clock_mhz : cpuinfo_mhz();
    st->clock_mhz = mhz;
    /* per datatype, the ISA of the auto set's conv2d, or the nearest set below it with a
     * chain (int8 may be on another set than fp32: avxvnni over avx2 on an N100, avx2
     * under avx512 without VNNI) */
    eb_kernel_set ks;
    eb_kernels_select(EB_KSET_AUTO, &ks);
    eb_isa isa = ks.conv2d_f32.isa, isa8 = ks.conv2d_s8.isa;
    while (isa != EB_ISA_REF && !eb_peak_available(isa, EB_F32))
        isa = eb_isa_get(isa)->base;
    while (isa8 != EB_ISA_REF && !eb_peak_available(isa8, EB_S8))
        isa8 = eb_isa_get(isa8)->base;
    char how[120]; /* with the bandwidth note, fits peak_source */
    if (!isfinite(st->core_gmacs_fp32)) {
        if (isa != EB_ISA_REF && isa8 != EB_ISA_REF) {
            double f32 = 0, i8 = 0;
            for (int r = 0; r < 3; r++) { /* best of 3: the host's speed moves in steps */
                double a = eb_peak_measure(isa, EB_F32, 0.2), b = eb_peak_measure(isa8, EB_S8, 0.2);
                f32 = a > f32 ? a : f32;
                i8 = b > i8 ? b : i8;
            }
            st->core_gmacs_fp32 = f32 / 2e9; /* ops/s, 2 ops per multiply-add */
            st->core_gmacs_int8 = i8 / 2e9;
            if (isa8 == isa)
                snprintf(how, sizeof how, "measured %s multiply-add chains, 1 thread (as bench kernels)",
                         eb_isa_name(isa));
            else
                snprintf(how, sizeof how, "measured %s (fp32) and %s (int8) multiply-add chains, "
                         "1 thread (as bench kernels)", eb_isa_name(isa), eb_isa_name(isa8));
        } else {
            st->core_gmacs_fp32 = st->core_gmacs_int8 = 2 * mhz / 1000;
            snprintf(how, sizeof how, "estimated: scalar, 2 MAC per cycle at %.0f MHz "
                     "(/proc/cpuinfo)", mhz);
        }
    } else {
        snprintf(how, sizeof how, "target file");
    }
    if (!isfinite(st->bandwidth_gbs))
        st->bandwidth_gbs = measure_copy_gbs();
    snprintf(st->peak_source, sizeof st->peak_source,
             "%s; bandwidth measured by memcpy of 64 MiB", how);
}

static eb_status load_target(const char *name, eb_study_target *st, bool *local, bool *net,
                             char *dev, size_t devlen, char *err, size_t errlen)
{
    eb_target t;
    eb_status s = eb_target_load(name, &t, err, errlen);
    if (s != EB_OK)
        return s;
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", t.desc.name);
    snprintf(st->arch, sizeof st->arch, "%s", t.desc.arch);
    st->cores = t.desc.cores;
    st->clock_mhz = t.desc.clock_mhz;
    st->memory_bytes = t.desc.memory_bytes >= 0 ? (double)t.desc.memory_bytes : NAN;
    st->price_usd = t.desc.price_usd;
    st->idle_w = t.desc.power_model.idle_w;
    st->active_w = t.desc.power_model.active_w;
    st->bandwidth_gbs = st->core_gmacs_fp32 = st->core_gmacs_int8 = NAN;
    study_peaks(&t, st);
    *local = !strcmp(t.desc.transport, "local");
    /* a board on the network (SSH, a serial server) is tried: it shows whether it answers */
    *net = !strcmp(t.desc.transport, "ssh") || strstr(t.device, "://");
    snprintf(dev, devlen, "%s", t.device);
    if (*local)
        host_peaks(st);
    return EB_OK;
}

/* The file a target's measured report is kept in: `study --from DIR/report_<target>.json`
 * rebuilds the table. */
static void report_path(const char *dir, const char *target, char *path, size_t cap)
{
    char safe[64];
    size_t k = 0;
    for (const char *p = target; *p && k + 1 < sizeof safe; p++)
        safe[k++] = (*p == '/' || *p == '.') ? '_' : *p;
    safe[k] = 0;
    snprintf(path, cap, "%s/report_%s.json", dir, safe);
}

/* `edgebench run --target T --model a,b --json` in a child; its report into *out. */
static eb_status measure(const char *target, char **models, size_t nm, bool emulate,
                         const char *min_time, const char *dir, eb_report *out, char *err,
                         size_t errlen)
{
    char list[2048] = "";
    for (size_t i = 0; i < nm; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", models[i]);
    }
    char *argv[24];
    int n = 0;
    argv[n++] = (char *)eb_self_exe();
    argv[n++] = "run";
    argv[n++] = "--target";
    argv[n++] = (char *)target;
    argv[n++] = "--model";
    argv[n++] = list;
    argv[n++] = "--min-time";
    argv[n++] = (char *)min_time;
    if (emulate)
        argv[n++] = "--emulate";
    argv[n++] = "--json";
    argv[n++] = "--quiet";
    argv[n] = NULL;
    fprintf(stderr, "edgebench study: measuring %s on %s%s\n", list, target,
            emulate ? " (emulated)" : "");
    eb_child_result cr;
    eb_status st = eb_child_run(argv, 3600, &cr, err, errlen);
    if (st != EB_OK)
        return st;
    if (cr.exit_code != 0) {
        char *end = cr.err + strlen(cr.err);
        while (end > cr.err && (end[-1] == '\n' || end[-1] == ' '))
            *--end = 0;
        const char *line = strrchr(cr.err, '\n');
        line = line ? line + 1 : cr.err;
        if (!strncmp(line, "edgebench: ", 11))
            line += 11;
        snprintf(err, errlen, "measuring on %s failed: %s", target, line);
        free(cr.out);
        return EB_ERR_IO;
    }
    char path[4096];
    report_path(dir, target, path, sizeof path);
    st = eb_report_read_text(cr.out, path, out, err, errlen);
    if (st == EB_OK && (st = eb_write_file_atomic(path, cr.out, err, errlen)) != EB_OK)
        eb_report_free(out);
    free(cr.out);
    return st;
}

/* The model's ops for the roofline and its planned memory, from the model library. */
static eb_status model_ops(const char *name, eb_study_model *m, char *err, size_t errlen)
{
    eb_model *mod;
    eb_model_options mo = {.kernels = EB_KSET_AUTO};
    eb_status st = eb_model_build(name, &mo, &mod, err, errlen);
    if (st != EB_OK)
        return st;
    const eb_model_info *info = eb_model_get_info(mod);
    snprintf(m->name, sizeof m->name, "%s", info->name);
    m->planned_total_bytes = (double)(info->weights_bytes + info->packed_bytes +
                                      info->arena_bytes + info->scratch_bytes);
    m->ops = calloc(info->num_ops > 0 ? (size_t)info->num_ops : 1, sizeof *m->ops);
    if (!m->ops) {
        eb_model_free(mod);
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    for (int32_t i = 0; i < info->num_ops; i++) {
        eb_op_info op;
        if (eb_model_op_info(mod, i, &op) != EB_OK)
            continue;
        eb_roof_op *r = &m->ops[m->n_ops++];
        r->macs = (double)op.macs;
        r->bytes = (double)op.bytes;
        r->units = op.split_units > 0 ? op.split_units : 1;
        r->int8 = op.kernel && strstr(op.kernel, "_s8") != NULL;
        r->kind = !op.type ? EB_ROOF_OTHER
                  : !strcmp(op.type, "conv2d") || !strcmp(op.type, "fc") ? EB_ROOF_GEMM
                  : !strcmp(op.type, "dwconv") ? EB_ROOF_DW : EB_ROOF_OTHER;
    }
    eb_model_free(mod);
    return EB_OK;
}

#if defined(EB_HAVE_CJSON)
static double cost_field(const cJSON *row, const char *k)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(row, k);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "cycles_per_mac");
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

/* The issue costs of t's core from targets/issue/neon_issue.json (scripts/mca_neon.py). */
static eb_status issue_costs(eb_val_target *t, char *err, size_t errlen)
{
    char path[900], *text = NULL, cpu[32];
    snprintf(path, sizeof path, "%s/issue/neon_issue.json", eb_targets_dir());
    size_t k = 0;
    for (const char *p = t->cpu; *p && k + 1 < sizeof cpu; p++)
        cpu[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    cpu[k] = 0;
    eb_issue_cost nan = {NAN, NAN, NAN, NAN, NAN};
    t->issue64 = t->issue32 = nan;
    eb_status st = eb_read_file(path, 1 << 20, &text, NULL, err, errlen);
    if (st != EB_OK)
        return st;
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(o, "cpus"), cpu);
    for (int b = 0; b < 2 && c; b++) {
        const cJSON *row = cJSON_GetObjectItemCaseSensitive(c, b ? "armhf" : "aarch64");
        eb_issue_cost *d = b ? &t->issue32 : &t->issue64;
        d->gemm_f32 = cost_field(row, "gemm_f32");
        d->dwconv_f32 = cost_field(row, "dwconv_f32");
        d->gemm_s8 = cost_field(row, "gemm_s8");
        d->dwconv_s8 = cost_field(row, "dwconv_s8");
        d->gemm_s8_dot = cost_field(row, "gemm_s8_dot");
    }
    if (!o)
        snprintf(err, errlen, "%.900s is not JSON", path);
    cJSON_Delete(o);
    return o ? EB_OK : EB_ERR_FORMAT;
}

#define MAX_FIGS 128

typedef struct {
    eb_val_target *vt;
    eb_val_figure *figs;
    eb_val_result *res;
    eb_study_model *models;
    const char *untested[MAX_ITEMS];
    size_t nt, nf, nm, nu;
    eb_val_summary sum;
} val_set;

static void val_free(val_set *v)
{
    for (size_t m = 0; v->models && m < v->nm; m++)
        free(v->models[m].ops);
    free(v->models);
    free(v->res);
    free(v->figs);
    free(v->vt);
    memset(v, 0, sizeof *v);
}

/* Every published figure of the targets (all shipped ones when targets_arg is NULL),
 * predicted leave-one-out. names must outlive v (untested points into it). */
static eb_status val_collect(const char *targets_arg, char *names, size_t names_cap, val_set *v,
                             char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (targets_arg)
        snprintf(names, names_cap, "%s", targets_arg);
    else
        eb_target_names(names, names_cap);
    char *tn[MAX_ITEMS];
    size_t nn = 0;
    for (char *tok = strtok(names, ", "); tok && nn < MAX_ITEMS; tok = strtok(NULL, ", "))
        tn[nn++] = tok;
    static eb_target tg;
    v->vt = calloc(MAX_ITEMS, sizeof *v->vt);
    v->figs = calloc(MAX_FIGS, sizeof *v->figs);
    v->res = calloc(MAX_FIGS, sizeof *v->res);
    v->models = calloc(MAX_FIGS, sizeof *v->models);
    if (!v->vt || !v->figs || !v->res || !v->models) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    eb_val_target *vt = v->vt;
    eb_val_figure *figs = v->figs;
    eb_study_model *models = v->models;
    for (size_t i = 0; i < nn; i++) {
        eb_status st = eb_target_load(tn[i], &tg, err, errlen);
        if (st != EB_OK)
            return st;
        if (!tg.n_published) {
            v->untested[v->nu++] = tn[i];
            continue;
        }
        eb_val_target *t = &vt[v->nt];
        snprintf(t->name, sizeof t->name, "%s", tg.desc.name);
        snprintf(t->cpu, sizeof t->cpu, "%.31s", tg.cpu);
        t->cores = tg.desc.cores;
        t->clock_mhz = tg.desc.clock_mhz;
        for (int k = 0; k < tg.n_isa_features; k++)
            t->dotprod |= !strcmp(tg.isa_features[k], "dotprod");
        t->bandwidth_gbs = tg.memory_bandwidth_gbs;
        if ((st = issue_costs(t, err, errlen)) != EB_OK)
            return st;
        for (int p = 0; p < tg.n_published && v->nf < MAX_FIGS; p++) {
            const eb_published *pub = &tg.published[p];
            size_t m = 0;
            while (m < v->nm && strcmp(models[m].name, pub->model))
                m++;
            if (m == v->nm) {
                char why[512];
                if ((st = model_ops(pub->model, &models[m], why, sizeof why)) != EB_OK) {
                    snprintf(err, errlen, "%.300s (published figure in %.400s)", why, tg.path);
                    return st;
                }
                snprintf(models[m].name, sizeof models[m].name, "%s", pub->model);
                v->nm++;
            }
            eb_val_figure *f = &figs[v->nf++];
            f->target = v->nt;
            f->model = &models[m];
            f->int8 = strstr(pub->model, "_int8") != NULL;
            snprintf(f->runtime, sizeof f->runtime, "%s", pub->runtime);
            f->threads = pub->threads;
            f->os_bits = pub->os_bits;
            f->published_ms = pub->latency_ms;
            snprintf(f->source, sizeof f->source, "%.200s, %.31s, %.255s", pub->title,
                     pub->date, pub->url);
        }
        v->nt++;
    }
    if (!v->nf) {
        snprintf(err, errlen, "no published figures in the targets given");
        return EB_ERR_ARG;
    }
    return eb_validate(vt, v->nt, figs, v->nf, v->res, &v->sum, err, errlen);
}

/* Each target's expected error, from the leave-one-out table of every shipped target's
 * published figures (what study.md states per target). NULL when none can be made. */
static eb_study_expected *expected_errors(size_t *n)
{
    *n = 0;
    char names[2048], err[1024];
    val_set v;
    eb_study_expected *e = NULL;
    if (val_collect(NULL, names, sizeof names, &v, err, sizeof err) == EB_OK &&
        (e = calloc(v.nt + 1, sizeof *e))) {
        for (size_t t = 0; t < v.nt; t++) {
            eb_study_expected *x = &e[(*n)++];
            snprintf(x->target, sizeof x->target, "%s", v.vt[t].name);
            eb_val_target_error(v.figs, v.res, v.nf, t, &x->median_abs_error,
                                &x->worst_abs_error, &x->figures);
        }
        e[*n].figures = v.nf; /* the total, after the last */
        e[*n].median_abs_error = v.sum.median_abs_error;
        e[*n].worst_abs_error = v.sum.worst_ratio;
    }
    val_free(&v);
    return e;
}

/* study --validate: every published figure of the targets, predicted leave-one-out. */
static int study_validate(char *targets_arg, const char *dir, eb_plot_format fmt, bool render)
{
    char names[2048], err[1024];
    val_set v;
    int rc = EB_EXIT_USAGE;
    eb_plot_list plots = {0};
    if (val_collect(targets_arg, names, sizeof names, &v, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    if (eb_validate_write(v.vt, v.nt, v.figs, v.nf, v.res, &v.sum, v.untested, v.nu, dir, fmt,
                          &plots, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    char md[4096];
    snprintf(md, sizeof md, "%s/validate.md", dir);
    char *text;
    if (eb_read_file(md, 1 << 24, &text, NULL, err, sizeof err) == EB_OK) {
        fputs(text, stdout);
        free(text);
    }
    if (render && eb_plot_render(dir, &plots, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    printf("\nwrote %s/validate.md, %s/validate.csv, %s/%s\n", dir, dir, dir,
           render ? plots.items[0].image : plots.items[0].script);
    rc = EB_EXIT_OK;
done:
    eb_plot_list_free(&plots);
    val_free(&v);
    return rc;
}

#endif

int eb_cmd_study(int argc, char **argv)
{
    eb_study_expected *expected = NULL; /* freed at done */
    char *targets_arg = NULL, *models_arg = NULL;
    const char *dir = NULL, *min_time = "1";
    const char *from[MAX_ITEMS];
    size_t nfrom = 0;
    bool emulate = false, render = true, validate = false;
    eb_plot_format fmt = EB_PLOT_PNG;
    eb_study_options so;
    eb_study_options_default(&so);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            study_usage(stdout);
            return EB_EXIT_OK;
        } else if (!strcmp(a, "--emulate")) {
            emulate = true;
        } else if (!strcmp(a, "--validate")) {
            validate = true;
        } else if (!strcmp(a, "--no-render")) {
            render = false;
        } else if (!strcmp(a, "--from")) {
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                if (nfrom == MAX_ITEMS) {
                    eb_error("--from takes at most %d reports", MAX_ITEMS);
                    return EB_EXIT_USAGE;
                }
                from[nfrom++] = argv[++i];
            }
            if (!nfrom) {
                eb_error("--from needs at least one report");
                return EB_EXIT_USAGE;
            }
        } else if (!v || a[0] != '-') {
            eb_error("%s: %s; see 'edgebench study --help'", a,
                     a[0] == '-' ? "needs a value" : "unexpected argument");
            return EB_EXIT_USAGE;
        } else {
            i++;
            if (!strcmp(a, "--targets") || !strcmp(a, "--target"))
                targets_arg = (char *)v;
            else if (!strcmp(a, "--models") || !strcmp(a, "--model"))
                models_arg = (char *)v;
            else if (!strcmp(a, "-o") || !strcmp(a, "--out"))
                dir = v;
            else if (!strcmp(a, "--min-time")) {
                if (!eb_parse_double(a, v, 0.01, 3600, &d))
                    return EB_EXIT_USAGE;
                min_time = v;
            } else if (!strcmp(a, "--latency-budget")) {
                if (!eb_parse_double(a, v, 1e-6, 1e9, &so.latency_budget_ms))
                    return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--amortize-years")) {
                if (!eb_parse_double(a, v, 0.01, 100, &so.amortize_years))
                    return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--kwh-price")) {
                if (!eb_parse_double(a, v, 0, 100, &so.kwh_usd))
                    return EB_EXIT_USAGE;
            } else if (!strcmp(a, "--format")) {
                if (!strcmp(v, "png"))
                    fmt = EB_PLOT_PNG;
                else if (!strcmp(v, "svg"))
                    fmt = EB_PLOT_SVG;
                else {
                    eb_error("--format expects png or svg, got '%s'", v);
                    return EB_EXIT_USAGE;
                }
            } else {
                eb_error("unknown option '%s' for study; see 'edgebench study --help'", a);
                return EB_EXIT_USAGE;
            }
        }
    }
    if (validate) {
#if defined(EB_HAVE_CJSON)
        return study_validate(targets_arg, dir ? dir : "validate", fmt, render);
#else
        eb_error("study --validate needs cJSON, which this build lacks");
        return EB_EXIT_USAGE;
#endif
    }
    if (!dir) {
        eb_error("study needs an output directory: -o DIR");
        return EB_EXIT_USAGE;
    }
    if (!nfrom && (!targets_arg || !models_arg)) {
        eb_error("study needs --targets and --models (or --from REPORT.json...)");
        return EB_EXIT_USAGE;
    }

    int rc = EB_EXIT_USAGE;
    char err[1024];
    char *tnames[MAX_ITEMS], *mnames[MAX_ITEMS];
    size_t nt = 0, nm = 0;
    char *tcopy = targets_arg ? strdup(targets_arg) : NULL;
    char *mcopy = models_arg ? strdup(models_arg) : NULL;
    eb_report *reps = calloc(MAX_ITEMS + 1, sizeof *reps); /* large: not on the stack */
    size_t nreps = 0;
    eb_study_target targets[MAX_ITEMS], host;
    bool have_host = false;
    eb_study_model models[MAX_ITEMS];
    memset(models, 0, sizeof models);
    eb_study_measured meas[512];
    size_t nmeas = 0;
    eb_study study = {0};
    eb_plot_list plots = {0};

    if (!reps) {
        eb_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < nfrom; i++) {
        if (eb_report_read(from[i], &reps[nreps], err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            goto done;
        }
        nreps++;
    }
    /* targets and models: as given, else everything the reports hold */
    if (tcopy)
        nt = split_list(tcopy, tnames, MAX_ITEMS);
    else
        for (size_t r = 0; r < nreps; r++) {
            bool seen = false;
            for (size_t k = 0; k < nt; k++)
                seen |= !strcmp(tnames[k], reps[r].target.name);
            if (!seen && nt < MAX_ITEMS)
                tnames[nt++] = reps[r].target.name;
        }
    if (mcopy)
        nm = split_list(mcopy, mnames, MAX_ITEMS);
    else
        for (size_t r = 0; r < nreps; r++)
            for (size_t j = 0; j < reps[r].n_results; j++) {
                bool seen = false;
                for (size_t k = 0; k < nm; k++)
                    seen |= !strcmp(mnames[k], reps[r].results[j].name);
                if (!seen && nm < MAX_ITEMS)
                    mnames[nm++] = reps[r].results[j].name;
            }
    if (!nt || !nm) {
        eb_error("study needs at least one target and one model");
        goto done;
    }
    bool reachable[MAX_ITEMS];
    for (size_t i = 0; i < nt; i++) {
        bool local, net;
        char dev[256];
        if (load_target(tnames[i], &targets[i], &local, &net, dev, sizeof dev, err,
                        sizeof err)) {
            eb_error("%s", err);
            goto done;
        }
        struct stat sb;
        reachable[i] = local || emulate || net || (dev[0] && stat(dev, &sb) == 0);
        if (local && !have_host) {
            host = targets[i];
            have_host = true;
        }
    }
    if (!have_host) { /* the calibration target, even when the table does not show it */
        bool local, net;
        char dev[256];
        if (load_target("host", &host, &local, &net, dev, sizeof dev, err, sizeof err) == EB_OK)
            have_host = true;
    }
    /* model names as the zoo spells them, and their ops for the predictions */
    for (size_t m = 0; m < nm; m++) {
        snprintf(models[m].name, sizeof models[m].name, "%s", mnames[m]);
        models[m].planned_total_bytes = NAN;
        if (model_ops(mnames[m], &models[m], err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            goto done;
        }
    }
    /* measurements: --from, else run on what can be reached (the host always, to
     * calibrate) */
    if (!nfrom) {
        if (eb_mkdirs(dir, 0777, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            goto done;
        }
        /* every reachable board at once (one worker each), then the host alone: its
         * measurement would be disturbed by the others' */
        static eb_board_job jobs[EB_BOARDS_MAX];
        static char paths[EB_BOARDS_MAX][4096];
        size_t nj = 0, job_target[EB_BOARDS_MAX];
        char list[2048] = "";
        for (size_t m = 0; m < nm; m++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", m ? "," : "", mnames[m]);
        }
        bool host_in_table = false;
        for (size_t i = 0; i < nt; i++) {
            bool is_host = have_host && !strcmp(targets[i].name, host.name);
            host_in_table |= is_host;
            if (!reachable[i] || is_host || nj == EB_BOARDS_MAX)
                continue;
            eb_board_job *j = &jobs[nj];
            memset(j, 0, sizeof *j);
            j->label = targets[i].name;
            report_path(dir, tnames[i], paths[nj], sizeof paths[nj]);
            unlink(paths[nj]);
            int k = 0;
            char **a = j->argv;
            a[k++] = (char *)eb_self_exe();
            a[k++] = "run";
            a[k++] = "--target";
            a[k++] = tnames[i];
            a[k++] = "--model";
            a[k++] = list;
            a[k++] = "--min-time";
            a[k++] = (char *)min_time;
            if (emulate)
                a[k++] = "--emulate";
            a[k++] = "--out";
            a[k++] = paths[nj];
            a[k++] = "--quiet";
            a[k++] = EB_PROGRESS_LINES_OPT;
            a[k] = NULL;
            job_target[nj++] = i;
        }
        if (nj) {
            fprintf(stderr, "edgebench study: measuring %s on %zu board%s at once%s\n", list, nj,
                    nj == 1 ? "" : "s", emulate ? " (emulated)" : "");
            eb_boards_run(jobs, nj, stderr, isatty(2), 3600, NULL);
        }
        for (size_t b = 0; b < nj; b++) {
            const char *name = targets[job_target[b]].name;
            if (jobs[b].exit_code != 0) {
                /* a board that does not answer is predicted like one that is absent */
                eb_warn("measuring on %s failed: %s; %s is predicted instead", name,
                        jobs[b].error[0] ? jobs[b].error : "the worker ended without saying why",
                        name);
                continue;
            }
            if (eb_report_read(paths[b], &reps[nreps], err, sizeof err) != EB_OK) {
                eb_warn("%s; %s is predicted instead", err, name);
                continue;
            }
            nreps++;
        }
        for (size_t i = 0; i < nt; i++) {
            bool is_host = have_host && !strcmp(targets[i].name, host.name);
            if (!is_host || !reachable[i])
                continue;
            if (measure(tnames[i], mnames, nm, false, min_time, dir, &reps[nreps], err,
                        sizeof err)) {
                eb_error("%s", err);
                goto done;
            }
            nreps++;
        }
        if (have_host && !host_in_table) {
            if (measure(host.name, mnames, nm, false, min_time, dir, &reps[nreps], err,
                        sizeof err)) {
                eb_error("%s", err);
                goto done;
            }
            nreps++;
        }
    }
    for (size_t r = 0; r < nreps; r++)
        for (size_t j = 0; j < reps[r].n_results && nmeas < 512; j++)
            meas[nmeas++] = (eb_study_measured){&reps[r].results[j], &reps[r]};
#if defined(EB_HAVE_CJSON)
    expected = expected_errors(&so.n_expected);
    so.expected = expected;
#endif
    if (eb_study_build(targets, nt, models, nm, meas, nmeas, have_host ? &host : NULL, &so,
                       &study, err, sizeof err) != EB_OK ||
        eb_study_write(&study, targets, nt, have_host ? &host : NULL, &so, dir, fmt, &plots, err,
                       sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    char md[4096];
    snprintf(md, sizeof md, "%s/study.md", dir);
    char *text;
    if (eb_read_file(md, 1 << 24, &text, NULL, err, sizeof err) == EB_OK) {
        fputs(text, stdout);
        free(text);
    }
    if (render && eb_plot_render(dir, &plots, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    printf("\nwrote %s/study.md, %s/study.csv", dir, dir);
    for (size_t i = 0; i < plots.n; i++)
        printf(", %s/%s", dir, render ? plots.items[i].image : plots.items[i].script);
    printf("\n");
    rc = EB_EXIT_OK;
done:
    free(expected);
    eb_plot_list_free(&plots);
    eb_study_free(&study);
    for (size_t m = 0; m < nm; m++)
        free(models[m].ops);
    for (size_t r = 0; r < nreps; r++)
        eb_report_free(&reps[r]);
    free(reps);
    free(tcopy);
    free(mcopy);
    return rc;
}
