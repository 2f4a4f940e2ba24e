/* study_validate.c - `study --validate`: the issue-width/bandwidth/threads model of
 * eb_study.h against published measurements, leave-one-out, as Markdown, CSV and a
 * predicted-vs-published plot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_outfile.h"
#include "eb_study.h"

static double op_cost(const eb_issue_cost *c, const eb_roof_op *op, bool dot)
{
    if (op->kind == EB_ROOF_GEMM)
        return op->int8 ? (dot && isfinite(c->gemm_s8_dot) ? c->gemm_s8_dot : c->gemm_s8)
                        : c->gemm_f32;
    if (op->kind == EB_ROOF_DW)
        return op->int8 ? c->dwconv_s8 : c->dwconv_f32;
    return 0;
}

double eb_val_raw_ms(const eb_val_target *t, const eb_study_model *m, bool int8, int threads,
                     int os_bits, double *compute_ms, double *memory_ms)
{
    (void)int8; /* each op carries its own datatype */
    const eb_issue_cost *c = os_bits == 32 ? &t->issue32 : &t->issue64;
    bool dot = t->dotprod && os_bits == 64;
    double hz = t->clock_mhz * 1e6, bw = t->bandwidth_gbs * 1e9;
    double total = 0, comp = 0, mem = 0;
    if (!(hz > 0) || !(bw > 0))
        return NAN;
    for (size_t i = 0; i < m->n_ops; i++) {
        const eb_roof_op *op = &m->ops[i];
        double cpm = op->macs > 0 ? op_cost(c, op, dot) : 0;
        if (!isfinite(cpm))
            return NAN;
        double tc = op->macs * cpm / hz * eb_thread_share(op->units, threads, t->cores);
        double tm = op->bytes / bw;
        if (tc >= tm)
            comp += tc;
        else
            mem += tm;
        total += tc > tm ? tc : tm;
    }
    if (compute_ms)
        *compute_ms = comp * 1e3;
    if (memory_ms)
        *memory_ms = mem * 1e3;
    return total * 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* geometric mean of published/raw over the figures of one dtype, skipping `skip` */
static double fit_k(const eb_val_figure *f, const eb_val_result *r, size_t nf, bool int8,
                    size_t skip)
{
    double s = 0;
    size_t n = 0;
    for (size_t i = 0; i < nf; i++)
        if (i != skip && f[i].int8 == int8 && isfinite(r[i].raw_ms) && r[i].raw_ms > 0) {
            s += log(f[i].published_ms / r[i].raw_ms);
            n++;
        }
    return n ? exp(s / (double)n) : NAN;
}

eb_status eb_validate(const eb_val_target *ts, size_t nt, const eb_val_figure *figs, size_t nf,
                      eb_val_result *res, eb_val_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    sum->median_abs_error = sum->worst_ratio = NAN;
    for (size_t i = 0; i < nf; i++) {
        if (figs[i].target >= nt || !figs[i].model || !(figs[i].published_ms > 0)) {
            snprintf(err, errlen, "published figure %zu: bad target, model or value", i);
            return EB_ERR_ARG;
        }
        eb_val_result *r = &res[i];
        r->raw_ms = eb_val_raw_ms(&ts[figs[i].target], figs[i].model, figs[i].int8,
                                  figs[i].threads, figs[i].os_bits, &r->compute_ms,
                                  &r->memory_ms);
    }
    double *abs_err = malloc((nf ? nf : 1) * sizeof *abs_err);
    if (!abs_err) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < nf; i++) {
        eb_val_result *r = &res[i];
        r->k = fit_k(figs, res, nf, figs[i].int8, i);
        r->predicted_ms = r->k * r->raw_ms;
        r->error = r->predicted_ms / figs[i].published_ms - 1;
        if (!isfinite(r->error))
            continue;
        abs_err[sum->n++] = fabs(r->error);
        double ratio = r->predicted_ms / figs[i].published_ms;
        ratio = ratio < 1 ? 1 / ratio : ratio;
        if (!(sum->worst_ratio >= ratio))
            sum->worst_ratio = ratio;
    }
    if (sum->n) {
        qsort(abs_err, sum->n, sizeof *abs_err, cmp_double);
        size_t n = sum->n;
        sum->median_abs_error = n % 2 ? abs_err[n / 2] : (abs_err[n / 2 - 1] + abs_err[n / 2]) / 2;
    }
    sum->k_fp32 = fit_k(figs, res, nf, false, (size_t)-1);
    sum->k_int8 = fit_k(figs, res, nf, true, (size_t)-1);
    free(abs_err);
    return EB_OK;
}

/* ---- output ---- */

static double target_median(const eb_val_figure *f, const eb_val_result *r, size_t nf,
                            size_t t, double *worst, size_t *count);

void eb_val_target_error(const eb_val_figure *f, const eb_val_result *r, size_t nf, size_t t,
                         double *median, double *worst, size_t *count)
{
    double w = 0;
    size_t n = 0;
    double m = target_median(f, r, nf, t, &w, &n);
    *median = m;
    *worst = n ? w : NAN;
    *count = n;
}

static double target_median(const eb_val_figure *f, const eb_val_result *r, size_t nf,
                            size_t t, double *worst, size_t *count)
{
    double v[64];
    size_t n = 0;
    *worst = 0;
    for (size_t i = 0; i < nf && n < 64; i++)
        if (f[i].target == t && isfinite(r[i].error)) {
            v[n++] = fabs(r[i].error);
            *worst = fmax(*worst, fabs(r[i].error));
        }
    *count = n;
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *model_name(const eb_val_figure *f)
{
    return f->model->name;
}

static eb_status write_md(const eb_val_target *ts, size_t nt, const eb_val_figure *f,
                          size_t nf, const eb_val_result *r, const eb_val_summary *s,
                          const char *const *untested, size_t nu, const char *dir, char *err,
                          size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validate.md", dir);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    FILE *o = of.f;
    fprintf(o, "# Study predictions against published measurements\n\n"
               "Each published figure is predicted leave-one-out: the runtime constant k "
               "of its dtype is fitted on the other figures only.\n\n"
               "| target | model | runtime | threads | OS | published ms | predicted ms | "
               "error | issue-bound ms | memory-bound ms | k |\n"
               "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < nf; i++)
        fprintf(o, "| %s | %s | %s | %d | %d-bit | %.4g | %.4g | %+.0f %% | %.3g | %.3g | %.3g |\n",
                ts[f[i].target].name, model_name(&f[i]), f[i].runtime, f[i].threads,
                f[i].os_bits, f[i].published_ms, r[i].predicted_ms, 100 * r[i].error,
                r[i].k * r[i].compute_ms, r[i].k * r[i].memory_ms, r[i].k);
    fprintf(o, "\nLeave-one-out over %zu figures: median absolute error **%.1f %%**, worst "
               "figure off by **%.2fx** (goal: <= 25 %% and < 2x: %s).\n",
            s->n, 100 * s->median_abs_error, s->worst_ratio,
            s->median_abs_error <= 0.25 && s->worst_ratio < 2 ? "met" : "**not met**");
    fprintf(o, "\n## Expected error per target\n\n| target | figures | median abs error | "
               "worst abs error |\n|---|---:|---:|---:|\n");
    for (size_t t = 0; t < nt; t++) {
        double worst;
        size_t n;
        double med = target_median(f, r, nf, t, &worst, &n);
        if (n)
            fprintf(o, "| %s | %zu | %.0f %% | %.0f %% |\n", ts[t].name, n, 100 * med,
                    100 * worst);
    }
    for (size_t u = 0; u < nu; u++)
        fprintf(o, "| %s | 0 | no published figure: its predictions are unvalidated | - |\n",
                untested[u]);
    fprintf(o, "\n## Model\n\n"
               "- per op: `max(MACs x cycles/MAC / clock x share, bytes / bandwidth)`, "
               "summed; cycles/MAC from llvm-mca on edgebench's NEON inner loops for the core "
               "and word size (targets/issue/neon_issue.json, scripts/mca_neon.py); bandwidth "
               "from the target file (measured where its source says so); share = the largest "
               "part of the op when edgebench's pool splits its output rows (batch rows, "
               "64-element blocks) over min(threads, cores) threads, 1 for ops under 200 k MACs "
               "/ 32 k elements; memory is shared by the threads. Not modelled: fork/join cost "
               "per op, shared-cache contention, clocks lowered with all cores busy, and the "
               "published runtime's own kernels (XNNPACK's, not edgebench's: k absorbs the "
               "difference per dtype).\n"
               "- predicted = k x that, k = geometric mean of published / model over the "
               "figures of the same dtype (fitted on all: fp32 %.3g, int8 %.3g); in the table "
               "each k leaves its own figure out.\n\n## Sources\n\n",
            s->k_fp32, s->k_int8);
    for (size_t i = 0; i < nf; i++) {
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(f[j].source, f[i].source);
        if (!dup)
            fprintf(o, "- %s\n", f[i].source);
    }
    fprintf(o, "\n| target | cpu | cores | MHz | bandwidth GB/s | cycles/MAC 64-bit gemm f32, "
               "dw f32, gemm s8, dw s8, sdot | 32-bit gemm f32, dw f32, gemm s8, dw s8 |\n"
               "|---|---|---:|---:|---:|---|---|\n");
    for (size_t t = 0; t < nt; t++) {
        const eb_issue_cost *a = &ts[t].issue64, *b = &ts[t].issue32;
        fprintf(o, "| %s | %s | %d | %.0f | %.3g | %.3g, %.3g, %.3g, %.3g, %.3g | %.3g, %.3g, "
                   "%.3g, %.3g |\n", ts[t].name, ts[t].cpu, ts[t].cores, ts[t].clock_mhz,
                ts[t].bandwidth_gbs, a->gemm_f32, a->dwconv_f32, a->gemm_s8, a->dwconv_s8,
                ts[t].dotprod ? a->gemm_s8_dot : NAN, b->gemm_f32, b->dwconv_f32, b->gemm_s8,
                b->dwconv_s8);
    }
    return eb_outfile_commit(&of, err, errlen);
}

static void csv_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

static eb_status write_csv(const eb_val_target *ts, const eb_val_figure *f, size_t nf,
                           const eb_val_result *r, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validate.csv", dir);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    fprintf(of.f, "target,model,runtime,threads,os_bits,published_ms,predicted_ms,error,"
                  "raw_ms,compute_ms,memory_ms,k_loo,source\n");
    for (size_t i = 0; i < nf; i++) {
        fprintf(of.f, "%s,%s,", ts[f[i].target].name, model_name(&f[i]));
        csv_str(of.f, f[i].runtime);
        fprintf(of.f, ",%d,%d,%.9g,%.9g,%.6f,%.9g,%.9g,%.9g,%.6g,", f[i].threads, f[i].os_bits,
                f[i].published_ms, r[i].predicted_ms, r[i].error, r[i].raw_ms,
                r[i].compute_ms, r[i].memory_ms, r[i].k);
        csv_str(of.f, f[i].source);
        fputc('\n', of.f);
    }
    return eb_outfile_commit(&of, err, errlen);
}

/* ---- the plot: labels placed so that none overlaps another label or a point ----
 *
 * The plot area is fixed on the canvas (PLOT_X0.. in pixels), so a figure's pixel
 * position is known here; each label takes the first free place among candidates around
 * its point at growing distances (a thin line joins it to its point when it had to move
 * away), judged with a box of LABEL_CHAR_W pixels per character. */

#define CANVAS_W 1000
#define CANVAS_H 900
#define PLOT_PX 700    /* the square plot area, pixels */
#define PLOT_X0 110    /* its left edge */
#define PLOT_Y0 110    /* its bottom edge, from the bottom of the canvas */
#define LABEL_CHAR_W 6.6
#define LABEL_H 13.0
#define POINT_R 7.0

typedef struct {
    double x0, y0, x1, y1;
} box;

static bool boxes_meet(box a, box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static double to_px(double v, double lo, double hi)
{
    return (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) * PLOT_PX;
}

static void label_text(const eb_val_figure *f, char *dst, size_t cap)
{
    const char *m = model_name(f);
    snprintf(dst, cap, "%s %s %d-bit %dt", strstr(m, "v1") ? "v1" : strstr(m, "v2") ? "v2" : m,
             f->int8 ? "int8" : "fp32", f->os_bits, f->threads);
}

/* Places n labels (text width w[i] px) for points (px[i], py[i]) inside the plot area:
 * out the label's anchor (left edge, vertical centre) in plot pixels. */
static void place_labels(const double *px, const double *py, const double *w, size_t n,
                         double *lx, double *ly)
{
    box *taken = malloc((2 * n + 1) * sizeof *taken);
    size_t nt = 0;
    for (size_t i = 0; taken && i < n; i++)
        taken[nt++] = (box){px[i] - POINT_R, py[i] - POINT_R, px[i] + POINT_R, py[i] + POINT_R};
    static const double dirs[][2] = {{1, 0.35}, {1, -0.35}, {-1, 0.35}, {-1, -0.35},
                                     {0.4, 1},  {0.4, -1},  {-0.4, 1}, {-0.4, -1},
                                     {1, 1},    {1, -1},    {-1, 1},   {-1, -1}};
    for (size_t i = 0; i < n; i++) {
        bool done = false;
        for (double r = 10; r <= 260 && !done; r += 12)
            for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !done; d++) {
                double cx = px[i] + dirs[d][0] * r, cy = py[i] + dirs[d][1] * r;
                double x0 = dirs[d][0] >= 0 ? cx : cx - w[i];
                box b = {x0 - 2, cy - LABEL_H / 2 - 1, x0 + w[i] + 2, cy + LABEL_H / 2 + 1};
                if (b.x0 < 2 || b.y0 < 2 || b.x1 > PLOT_PX - 2 || b.y1 > PLOT_PX - 2)
                    continue;
                if (i < 2 * n && b.y1 > PLOT_PX - 120 && b.x0 < 170)
                    continue; /* the key, top left */
                bool clash = false;
                for (size_t k = 0; k < nt && !clash; k++)
                    clash = boxes_meet(b, taken[k]);
                if (clash)
                    continue;
                lx[i] = x0;
                ly[i] = cy;
                if (taken)
                    taken[nt++] = b;
                done = true;
            }
        if (!done) { /* nowhere free: right of the point */
            lx[i] = px[i] + 10;
            ly[i] = py[i];
        }
    }
    free(taken);
}

static eb_status write_plot(const eb_val_target *ts, size_t nt, const eb_val_figure *f,
                            size_t nf, const eb_val_result *r, const eb_val_summary *s,
                            const char *dir, eb_plot_format fmt, eb_plot_list *plots,
                            char *err, size_t errlen)
{
    eb_plot_item *items = realloc(plots->items, (plots->n + 1) * sizeof *items);
    if (!items) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    plots->items = items;
    eb_plot_item *it = &items[plots->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->script, sizeof it->script, "validate.gp");
    snprintf(it->data, sizeof it->data, "validate.dat");
    snprintf(it->image, sizeof it->image, "validate.%s", fmt == EB_PLOT_SVG ? "svg" : "png");
    snprintf(it->what, sizeof it->what, "predicted against published latency");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, it->data);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    double lo = INFINITY, hi = 0;
    /* one block per target (gnuplot 'index'), two blank lines apart */
    fprintf(of.f, "# published_ms predicted_ms label; one block per target\n");
    for (size_t t = 0; t < nt; t++) {
        fprintf(of.f, "# %s\n", ts[t].name);
        bool any = false;
        for (size_t i = 0; i < nf; i++) {
            if (f[i].target != t || !isfinite(r[i].predicted_ms))
                continue;
            char label[160];
            label_text(&f[i], label, sizeof label);
            fprintf(of.f, "%.9g %.9g \"%s\"\n", f[i].published_ms, r[i].predicted_ms, label);
            lo = fmin(lo, fmin(f[i].published_ms, r[i].predicted_ms));
            hi = fmax(hi, fmax(f[i].published_ms, r[i].predicted_ms));
            any = true;
        }
        if (!any)
            fprintf(of.f, "NaN NaN \"\"\n");
        fprintf(of.f, "\n\n");
    }
    if ((st = eb_outfile_commit(&of, err, errlen)) != EB_OK)
        return st;
    if (!(hi > 0)) {
        lo = 1;
        hi = 100;
    }
    lo = pow(10, floor(log10(lo / 1.5)));
    hi = pow(10, ceil(log10(hi * 1.5)));
    /* where each label goes */
    double *px = calloc(nf ? 5 * nf : 1, sizeof *px);
    if (!px) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    double *py = px + nf, *w = py + nf, *lx = w + nf, *ly = lx + nf;
    size_t *which = malloc((nf ? nf : 1) * sizeof *which);
    size_t np = 0;
    for (size_t i = 0; which && i < nf; i++) {
        if (!isfinite(r[i].predicted_ms))
            continue;
        char label[160];
        label_text(&f[i], label, sizeof label);
        which[np] = i;
        px[np] = to_px(f[i].published_ms, lo, hi);
        py[np] = to_px(r[i].predicted_ms, lo, hi);
        w[np] = LABEL_CHAR_W * (double)strlen(label);
        np++;
    }
    place_labels(px, py, w, np, lx, ly);
    snprintf(path, sizeof path, "%s/%s", dir, it->script);
    if ((st = eb_outfile_open(&of, path, err, errlen)) != EB_OK) {
        free(px);
        free(which);
        return st;
    }
    FILE *o = of.f;
    fprintf(o, "# edgebench study --validate plot\n# render from this directory: gnuplot %s\n",
            it->script);
    if (fmt == EB_PLOT_SVG)
        fprintf(o, "set terminal svg size %d,%d dynamic noenhanced font \"DejaVu Sans,13\" "
                   "background rgb \"white\"\n", CANVAS_W, CANVAS_H);
    else
        fprintf(o, "set terminal pngcairo size %d,%d noenhanced font \"DejaVu Sans,12\"\n",
                CANVAS_W, CANVAS_H);
    /* the plot area at fixed pixels, so the labels' places computed above hold */
    fprintf(o, "set output '%s'\nset datafile missing \"NaN\"\nset logscale xy\n"
               "set xrange [%g:%g]\nset yrange [%g:%g]\n"
               "set lmargin at screen %.6f\nset rmargin at screen %.6f\n"
               "set bmargin at screen %.6f\nset tmargin at screen %.6f\n"
               "set grid xtics ytics mxtics mytics lc rgb \"#e0e0e0\"\nset format x \"%%g\"\n"
               "set format y \"%%g\"\nset key top left box opaque\n"
               "set title \"edgebench study: predicted vs published latency (leave-one-out)\\n"
               "median |error| %.0f %%, worst %.2fx over %zu figures\"\n"
               "set xlabel \"published latency, ms\"\nset ylabel \"predicted latency, ms\"\n",
            it->image, lo, hi, lo, hi, (double)PLOT_X0 / CANVAS_W,
            (double)(PLOT_X0 + PLOT_PX) / CANVAS_W, (double)PLOT_Y0 / CANVAS_H,
            (double)(PLOT_Y0 + PLOT_PX) / CANVAS_H, 100 * s->median_abs_error, s->worst_ratio,
            s->n);
    static const char *const colors[] = {"#3465a4", "#f57900", "#4e9a06", "#cc0000",
                                         "#75507b", "#c4a000", "#06989a", "#555753"};
    for (size_t k = 0; k < np; k++) {
        size_t i = which[k];
        char label[160];
        label_text(&f[i], label, sizeof label);
        const char *col = colors[f[i].target % 8];
        double sx = (PLOT_X0 + lx[k]) / CANVAS_W, sy = (PLOT_Y0 + ly[k]) / CANVAS_H;
        fprintf(o, "set label %zu \"%s\" at screen %.6f,%.6f left font \",9\" tc rgb \"%s\" "
                   "front\n", k + 1, label, sx, sy, col);
        double ax = lx[k] < px[k] ? lx[k] + w[k] : lx[k];
        if (hypot(ax - px[k], ly[k] - py[k]) > 16)
            fprintf(o, "set arrow %zu from first %.9g,%.9g to screen %.6f,%.6f nohead lw 0.6 "
                       "lc rgb \"%s\" back\n", k + 1, f[i].published_ms, r[i].predicted_ms,
                    (PLOT_X0 + ax) / CANVAS_W, sy, col);
    }
    free(px);
    free(which);
    fprintf(o, "plot x with lines lw 2 lc rgb \"#000000\" title \"1:1\", \\\n"
               "     2*x with lines dt 2 lc rgb \"#888888\" title \"2x off\", \\\n"
               "     0.5*x with lines dt 2 lc rgb \"#888888\" notitle");
    for (size_t t = 0; t < nt; t++) {
        bool any = false;
        for (size_t i = 0; i < nf; i++)
            any |= f[i].target == t && isfinite(r[i].predicted_ms);
        if (!any)
            continue;
        fprintf(o, ", \\\n     '%s' index %zu using 1:2 with points pt %zu ps 2 lc rgb \"%s\" "
                   "title \"%s\"",
                it->data, t, 5 + 2 * (t % 4), colors[t % 8], ts[t].name);
    }
    fprintf(o, "\n");
    return eb_outfile_commit(&of, err, errlen);
}

eb_status eb_validate_write(const eb_val_target *ts, size_t nt, const eb_val_figure *figs,
                            size_t nf, const eb_val_result *res, const eb_val_summary *sum,
                            const char *const *untested, size_t nuntested, const char *dir,
                            eb_plot_format fmt, eb_plot_list *plots, char *err, size_t errlen)
{
    memset(plots, 0, sizeof *plots);
    eb_status st = eb_mkdirs(dir, 0777, err, errlen);
    if (st == EB_OK)
        st = write_md(ts, nt, figs, nf, res, sum, untested, nuntested, dir, err, errlen);
    if (st == EB_OK)
        st = write_csv(ts, figs, nf, res, dir, err, errlen);
    if (st == EB_OK)
        st = write_plot(ts, nt, figs, nf, res, sum, dir, fmt, plots, err, errlen);
    return st;
}
