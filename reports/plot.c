/* plot.c - gnuplot data and scripts for latency histograms, per-layer breakdowns,
 * variants side by side and targets side by side (eb_plot.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_outfile.h"
#include "eb_plot.h"
#include "eb_stats.h"

/* Profile op names and types are shown cut to this many characters. */
#define PLOT_OP_NAME 47
#define PLOT_OP_TYPE 23

#define EB_COLORS_N 8
static const char *const colors[EB_COLORS_N] = {"#3465a4", "#f57900", "#4e9a06", "#cc0000",
                                               "#75507b", "#c4a000", "#06989a", "#555753"};

/* file-name-safe copy: letters, digits, '-', '.', '_' kept, the rest '_' */
static void safe_name(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; *src && i + 1 < cap; src++)
        dst[i++] = (strchr("-._", *src) || (*src >= '0' && *src <= '9') ||
                    (*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z'))
                       ? *src : '_';
    dst[i] = 0;
}

/* Report strings are untrusted (a report may come from anyone's CI run) and gnuplot is a
 * shell away: a newline would start a command of its own (`system "..."`), and gnuplot
 * runs backquoted commands even inside double-quoted strings. So every string from a
 * report reaches a script only through these two: as a single-quoted literal (no
 * escapes, no backquote or macro substitution; a quote is doubled) or inside a comment,
 * and in both every control character becomes a space. */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'')
            fputc('\'', f);
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('\'', f);
}

/* A copy for comments: one line, no control characters (and no backquote, although
 * gnuplot does not substitute in comments). */
static void gp_comment(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; *src && i + 1 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        dst[i++] = c < 0x20 || c == 0x7f ? ' ' : c == '`' ? '\'' : (char)c;
    }
    dst[i] = 0;
}

typedef struct {
    const char *dir;
    eb_plot_format fmt;
    eb_plot_list *list;
    char *err;
    size_t errlen;
    /* the report being plotted: how titles name it and how file names tell it apart
     * from another report of the same target */
    char label[160], tag[160];
} plot_ctx;

static eb_status add_item(plot_ctx *c, const char *base, const char *what, eb_plot_item **out)
{
    eb_plot_item *items = realloc(c->list->items, (c->list->n + 1) * sizeof *items);
    if (!items) {
        snprintf(c->err, c->errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    c->list->items = items;
    eb_plot_item *it = &items[c->list->n++];
    memset(it, 0, sizeof *it);
    char safe[320];
    safe_name(safe, sizeof safe, base);
    /* names that differ only in characters a file name cannot hold ("m#int8", "m_int8"),
     * or one model twice in a run, would share files: the later plot gets _2, _3, ... */
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i + 1 < c->list->n && !taken; i++) {
            char stem[sizeof items[i].script];
            snprintf(stem, sizeof stem, "%s", items[i].script);
            stem[strlen(stem) - 3] = 0; /* ".gp" */
            taken = !strcmp(stem, safe);
        }
        if (!taken)
            break;
        char again[320];
        safe_name(again, sizeof again, base);
        snprintf(safe, sizeof safe, "%.300s_%d", again, k);
    }
    snprintf(it->script, sizeof it->script, "%s.gp", safe);
    snprintf(it->data, sizeof it->data, "%s.dat", safe);
    snprintf(it->image, sizeof it->image, "%s.%s", safe, c->fmt == EB_PLOT_SVG ? "svg" : "png");
    snprintf(it->what, sizeof it->what, "%s", what);
    *out = it;
    return EB_OK;
}

static eb_status open_in(plot_ctx *c, const char *name, eb_outfile *of)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    return eb_outfile_open(of, path, c->err, c->errlen);
}

static void script_header(FILE *f, const plot_ctx *c, const eb_plot_item *it, int w, int h)
{
    char what[sizeof it->what];
    gp_comment(what, sizeof what, it->what);
    fprintf(f, "# edgebench plot: %s\n# render from this directory: gnuplot %s\n", what,
            it->script);
    if (c->fmt == EB_PLOT_SVG)
        fprintf(f, "set terminal svg size %d,%d dynamic noenhanced font \"DejaVu Sans,13\" "
                   "background rgb \"white\"\n", w, h);
    else
        fprintf(f, "set terminal pngcairo size %d,%d noenhanced font \"DejaVu Sans,11\"\n", w, h);
    fprintf(f, "set output '%s'\nset encoding utf8\nset datafile missing \"NaN\"\n"
               "set border 3\nset tics nomirror\nset grid ytics lc rgb \"#dddddd\"\n"
               "set key top right opaque box lc rgb \"#bbbbbb\"\n", it->image);
}

/* "12.21 ms", "0.356 ms", "123.4 ms" */
static void fmt_ms(double v, char *dst, size_t cap)
{
    snprintf(dst, cap, v < 10 ? "%.3f ms" : v < 100 ? "%.2f ms" : "%.1f ms", v);
}

/* ---- latency histogram with median / p90 / p99 ---- */

static eb_status plot_histogram(plot_ctx *c, const eb_report_result *r)
{
    if (r->n_samples < 2)
        return EB_OK;
    size_t n = r->n_samples;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return EB_ERR_NOMEM;
    memcpy(s, r->samples_ms, n * sizeof *s);
    eb_sort_doubles(s, n);
    double q[5];
    const double qs[5] = {0.25, 0.5, 0.75, 0.9, 0.99};
    for (int i = 0; i < 5; i++)
        q[i] = eb_quantile_inplace(s, n, qs[i]); /* s stays a permutation; sort again */
    eb_sort_doubles(s, n);
    double lo = s[0], hi = s[n - 1];
    /* far outliers would squeeze the body into a bar or two: cut the axis at a robust
     * distance from the body and say how many samples lie beyond */
    double cut = q[2] + 6 * (q[2] - q[0]);
    size_t hidden = 0;
    if (hi > cut && cut > lo) {
        hi = cut;
        for (size_t i = 0; i < n; i++)
            hidden += s[i] > hi;
    }
    double iqr = q[2] - q[0];
    double bw = iqr > 0 ? 2 * iqr / cbrt((double)n) : (hi - lo) / 10;
    int nbins = bw > 0 ? (int)ceil((hi - lo) / bw) : 1;
    if (nbins < 10)
        nbins = 10;
    if (nbins > 80)
        nbins = 80;
    if (hi <= lo) {
        lo -= 0.005 * lo + 1e-9;
        hi += 0.005 * hi + 1e-9;
    }
    bw = (hi - lo) / nbins;
    size_t *count = calloc((size_t)nbins, sizeof *count);
    if (!count) {
        free(s);
        return EB_ERR_NOMEM;
    }
    size_t maxc = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] > hi)
            continue;
        int b = (int)((s[i] - lo) / bw);
        if (b >= nbins)
            b = nbins - 1;
        if (++count[b] > maxc)
            maxc = count[b];
    }
    free(s);

    char base[320], what[400];
    char th[24] = ""; /* `run --threads 1,2,4`: one histogram per count */
    if (r->threads > 1)
        snprintf(th, sizeof th, ", %d threads", r->threads);
    if (r->threads > 1)
        snprintf(base, sizeof base, "latency_%s_%s_t%d", c->tag, r->name, r->threads);
    else
        snprintf(base, sizeof base, "latency_%s_%s", c->tag, r->name);
    snprintf(what, sizeof what, "latency histogram of %s on %s%s", r->name, c->label, th);
    eb_plot_item *it;
    eb_status st = add_item(c, base, what, &it);
    eb_outfile of;
    if (st == EB_OK && (st = open_in(c, it->data, &of)) == EB_OK) {
        char line[sizeof what];
        gp_comment(line, sizeof line, what);
        fprintf(of.f, "# %s: bin centre (ms), inferences in the bin\n", line);
        for (int b = 0; b < nbins; b++)
            fprintf(of.f, "%.9g %zu\n", lo + (b + 0.5) * bw, count[b]);
        st = eb_outfile_commit(&of, c->err, c->errlen);
    }
    free(count);
    if (st != EB_OK || (st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    script_header(f, c, it, 1000, 600);
    char title[400];
    snprintf(title, sizeof title, "%s on %s: latency per inference (%zu inferences%s%s)", r->name,
             c->label, n, r->scenario[0] && strcmp(r->scenario, "single-stream") ? ", offline" : "",
             th);
    fprintf(f, "set title ");
    gp_str(f, title);
    fprintf(f, "\nset xlabel \"latency per inference (ms)\"\nset ylabel \"inferences per bin\"\n");
    if (hidden) {
        fprintf(f, "set label %s%zu slower inference%s beyond %.3g ms not shown%s at graph 0.98, "
                   "graph 0.60 right\n", "\"", hidden, hidden == 1 ? "" : "s", hi, "\"");
    }
    fprintf(f, "set xrange [%.9g:%.9g]\nset yrange [0:%zu]\n", lo - bw, hi + bw,
            maxc + maxc / 5 + 1);
    fprintf(f, "set boxwidth %.9g absolute\nset style fill solid 0.55 border lc rgb \"%s\"\n",
            bw * 0.95, colors[0]);
    const char *names[3] = {"median", "p90", "p99"};
    const double marks[3] = {q[1], q[3], q[4]};
    const char *mcol[3] = {"#cc0000", "#f57900", "#75507b"};
    const char *dash[3] = {"1", "2", "3"};
    for (int i = 0; i < 3; i++)
        if (marks[i] <= hi + bw)
            fprintf(f, "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead lw 2 dt %s lc rgb "
                       "\"%s\" front\n", marks[i], marks[i], dash[i], mcol[i]);
    fprintf(f, "set key outside bottom center horizontal noopaque nobox\nset bmargin 6\n");
    fprintf(f, "plot '%s' using 1:2 with boxes lc rgb \"%s\" title \"inferences\"", it->data,
            colors[0]);
    for (int i = 0; i < 3; i++) {
        char v[32];
        fmt_ms(marks[i], v, sizeof v);
        fprintf(f, ", \\\n     NaN with lines lw 2 dt %s lc rgb \"%s\" title \"%s %s%s\"", dash[i],
                mcol[i], names[i], v, marks[i] <= hi + bw ? "" : " (off the axis)");
    }
    fprintf(f, "\n");
    return eb_outfile_commit(&of, c->err, c->errlen);
}

/* ---- per-layer time breakdown ---- */

static eb_status plot_profile(plot_ctx *c, const eb_report_result *r)
{
    if (r->n_profile == 0)
        return EB_OK;
    char base[320], what[400];
    snprintf(base, sizeof base, "profile_%s_%s", c->tag, r->name);
    snprintf(what, sizeof what, "time per layer of %s on %s", r->name, c->label);
    eb_plot_item *it;
    eb_status st = add_item(c, base, what, &it);
    if (st != EB_OK)
        return st;
    /* the distinct op types, in order of first appearance, one colour each; op names
     * and types are cut at PLOT_OP_NAME and PLOT_OP_TYPE characters */
    char types[16][PLOT_OP_TYPE + 1];
    int ntypes = 0;
    double total = 0;
    for (size_t i = 0; i < r->n_profile; i++) {
        if (isfinite(r->profile[i].median_ms))
            total += r->profile[i].median_ms;
        char type[PLOT_OP_TYPE + 1];
        snprintf(type, sizeof type, "%.*s", PLOT_OP_TYPE, r->profile[i].type);
        bool seen = false;
        for (int t = 0; t < ntypes; t++)
            seen |= !strcmp(types[t], type);
        if (!seen && ntypes < 16)
            snprintf(types[ntypes++], sizeof types[0], "%s", type);
    }
    eb_outfile of;
    if ((st = open_in(c, it->data, &of)) != EB_OK)
        return st;
    char line[sizeof what];
    gp_comment(line, sizeof line, what);
    fprintf(of.f, "# %s: index, op, type, median ms, share of the total, GMAC/s\n", line);
    for (size_t i = 0; i < r->n_profile; i++) {
        const eb_report_profile_op *op = &r->profile[i];
        char name[PLOT_OP_NAME + 1], type[PLOT_OP_TYPE + 1];
        safe_name(name, sizeof name, op->op[0] ? op->op : "op");
        safe_name(type, sizeof type, op->type[0] ? op->type : "op");
        fprintf(of.f, "%zu \"%s\" \"%s\" %.9g %.6g %.6g\n", i, name, type,
                isfinite(op->median_ms) ? op->median_ms : 0, isfinite(op->share) ? op->share : 0,
                op->gmacs);
    }
    if ((st = eb_outfile_commit(&of, c->err, c->errlen)) != EB_OK)
        return st;
    if ((st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    int width = r->n_profile > 40 ? (int)(r->n_profile * 24) : 1000;
    script_header(f, c, it, width > 3000 ? 3000 : width, 620);
    char title[400];
    snprintf(title, sizeof title, "%s on %s: median time per layer (sum %.3g ms over %zu ops)",
             r->name, c->label, total, r->n_profile);
    fprintf(f, "set title ");
    gp_str(f, title);
    fprintf(f, "\nset ylabel \"median time per op (ms)\"\nset xlabel \"op, in execution order\"\n"
               "set xtics rotate by 60 right font \",9\"\nset xrange [-1:%zu]\nset yrange [0:*]\n"
               "set offsets 0, 0, graph 0.08, 0\nset key outside right top\n"
               "set boxwidth 0.75\nset style fill solid 0.8 noborder\n",
            r->n_profile);
    fprintf(f, "plot '%s' using 1:(0):xtic(2) with points ps 0 notitle", it->data);
    for (int t = 0; t < ntypes; t++) {
        char type[32];
        safe_name(type, sizeof type, types[t][0] ? types[t] : "op");
        fprintf(f, ", \\\n     '%s' using 1:(strcol(3) eq \"%s\" ? $4 : NaN) with boxes lc rgb "
                   "\"%s\" title \"%s\"", it->data, type, colors[t % EB_COLORS_N], type);
    }
    /* shares of the big layers, above their bars */
    fprintf(f, ", \\\n     '%s' using 1:4:($5 >= 0.04 ? sprintf(\"%%.0f%%%%\", 100*$5) : \"\") "
               "with labels offset 0,0.7 font \",8\" notitle\n", it->data);
    return eb_outfile_commit(&of, c->err, c->errlen);
}

/* ---- confusion matrix of a dataset run: a heat map of each true class's share of
 * predictions, with the counts written in the cells ---- */

static void class_label(const eb_report_accuracy *a, int32_t k, char *dst, size_t cap)
{
    if (a->names && a->names[k][0])
        snprintf(dst, cap, "%d %.30s", (int)k, a->names[k]);
    else
        snprintf(dst, cap, "%d", (int)k);
}

static eb_status plot_confusion(plot_ctx *c, const eb_report_result *r)
{
    const eb_report_accuracy *a = r->accuracy;
    if (!a || a->classes < 1 || !a->confusion)
        return EB_OK;
    int32_t k = a->classes;
    char base[320], what[400];
    snprintf(base, sizeof base, "confusion_%s_%s", c->tag, r->name);
    snprintf(what, sizeof what, "confusion matrix of %s on %s", r->name, c->label);
    eb_plot_item *it;
    eb_status st = add_item(c, base, what, &it);
    if (st != EB_OK)
        return st;
    eb_outfile of;
    if ((st = open_in(c, it->data, &of)) != EB_OK)
        return st;
    char line[sizeof what];
    gp_comment(line, sizeof line, what);
    fprintf(of.f, "# %s: predicted class, true class, inputs, share of the true class's inputs\n",
            line);
    for (int32_t t = 0; t < k; t++) {
        const uint64_t *row = &a->confusion[(size_t)t * (size_t)k];
        uint64_t n = 0;
        for (int32_t p = 0; p < k; p++)
            n += row[p];
        for (int32_t p = 0; p < k; p++)
            fprintf(of.f, "%d %d %llu %.6g\n", (int)p, (int)t, (unsigned long long)row[p],
                    n ? (double)row[p] / (double)n : 0.0);
        fprintf(of.f, "\n");
    }
    if ((st = eb_outfile_commit(&of, c->err, c->errlen)) != EB_OK)
        return st;
    if ((st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    int side = k <= 12 ? 760 : k * 56 + 120;
    if (side > 3000)
        side = 3000;
    script_header(f, c, it, side + 160, side + 60);
    char title[400], ds[160];
    gp_comment(ds, sizeof ds, a->dataset);
    double top1 = a->inputs ? 100.0 * (double)a->correct / (double)a->inputs : 0;
    snprintf(title, sizeof title, "%s on %s: confusion matrix, top-1 %.1f %% of %llu inputs",
             r->name, c->label, top1, (unsigned long long)a->inputs);
    fprintf(f, "set title ");
    gp_str(f, title);
    fprintf(f, "\nset xlabel \"predicted class\"\nset ylabel \"true class\"\n"
               "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\nset size ratio -1\n"
               "unset grid\nset border 15\nset tics scale 0\nset key off\n"
               "set palette defined (0 \"#ffffff\", 0.25 \"#c6dbef\", 0.6 \"#4292c6\", 1 \"#08306b\")\n"
               "set cbrange [0:1]\nset cblabel \"share of the true class's inputs\"\n",
            (int)k - 1, (int)k - 1);
    for (int axis = 0; axis < 2; axis++) {
        fprintf(f, "set %s (", axis ? "ytics" : "xtics");
        for (int32_t t = 0; t < k; t++) {
            char lab[48];
            class_label(a, t, lab, sizeof lab);
            gp_str(f, lab);
            fprintf(f, " %d%s", (int)t, t + 1 < k ? ", " : "");
        }
        fprintf(f, ")\n");
    }
    fprintf(f, "set xtics rotate by 45 right\n");
    fprintf(f, "plot '%s' using 1:2:4 with image", it->data);
    if (k <= 40)
        for (int dark = 0; dark < 2; dark++)
            fprintf(f, ", \\\n     '%s' using 1:2:($3 > 0 && ($4 > 0.5) == %d ? sprintf(\"%%d\", $3) "
                       ": \"\") with labels tc rgb \"%s\" font \",%d\"", it->data, dark,
                    dark ? "#ffffff" : "#000000", k <= 16 ? 11 : 8);
    fprintf(f, "\n");
    return eb_outfile_commit(&of, c->err, c->errlen);
}

/* ---- variants side by side: latency, size, fidelity ---- */

/* the results a variants plot compares: one thread count (the report's first) */
static bool variant_row(const eb_report *rep, const eb_report_result *r, const char *model)
{
    return !strcmp(r->model, model) &&
           (rep->settings.n_thread_counts < 2 || r->threads == rep->settings.thread_counts[0]);
}

static eb_status plot_variants(plot_ctx *c, const eb_report *rep, const char *model)
{
    size_t nv = 0;
    for (size_t i = 0; i < rep->n_results; i++)
        nv += variant_row(rep, &rep->results[i], model);
    if (nv < 2)
        return EB_OK;
    char base[320], what[400];
    snprintf(base, sizeof base, "variants_%s_%s", c->tag, model);
    snprintf(what, sizeof what, "variants of %s on %s: latency, size, fidelity", model,
             c->label);
    eb_plot_item *it;
    eb_status st = add_item(c, base, what, &it);
    if (st != EB_OK)
        return st;
    eb_outfile of;
    if ((st = open_in(c, it->data, &of)) != EB_OK)
        return st;
    char line[sizeof what];
    gp_comment(line, sizeof line, what);
    fprintf(of.f, "# %s\n# index, variant, p50 ms, ci95 low, ci95 high, model MiB, SQNR dB "
                  "(NaN: the fp32 reference), top-1 agreement\n", line);
    size_t k = 0;
    double max_sqnr = 0;
    for (size_t i = 0; i < rep->n_results; i++) {
        const eb_report_result *r = &rep->results[i];
        if (!variant_row(rep, r, model))
            continue;
        char v[64];
        safe_name(v, sizeof v, r->variant[0] ? r->variant : r->name);
        double med = r->latency.median;
        double lo = isfinite(r->latency.ci95_lo) ? r->latency.ci95_lo : med;
        double hi = isfinite(r->latency.ci95_hi) ? r->latency.ci95_hi : med;
        double sq = r->has_fidelity && isfinite(r->fidelity.sqnr_db) ? r->fidelity.sqnr_db : NAN;
        if (isfinite(sq) && sq > max_sqnr)
            max_sqnr = sq;
        double bytes = (double)r->memory.weights_bytes + (double)r->memory.packed_bytes;
        fprintf(of.f, "%zu \"%s\" %.9g %.9g %.9g %.6g %.4g %.4g\n", k++, v, med, lo, hi,
                bytes / (1024.0 * 1024.0), sq, r->has_fidelity ? r->fidelity.top1_agreement : 1.0);
    }
    if ((st = eb_outfile_commit(&of, c->err, c->errlen)) != EB_OK)
        return st;
    if ((st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    script_header(f, c, it, 1350, 560);
    char title[300];
    snprintf(title, sizeof title, "%s on %s: variants side by side (speed, size, fidelity)",
             model, c->label);
    fprintf(f, "set multiplot layout 1,3 title ");
    gp_str(f, title);
    fprintf(f, " font \",13\"\nunset key\nset xtics rotate by 45 right\nset xrange [-0.6:%zu.4]\n"
               "set yrange [0:*]\nset offsets 0, 0, graph 0.1, 0\nset boxwidth 0.65\n"
               "set style fill solid 0.75 noborder\nset bmargin 7\n", nv - 1);
    fprintf(f, "set title \"latency (median, bars: 95 %% CI)\"\nset ylabel \"ms per inference (lower is better)\"\n"
               "plot '%s' using 1:3:xtic(2) with boxes lc rgb \"%s\", '' using 1:3:4:5 with "
               "yerrorbars lc rgb \"black\" pt 0 lw 1.5, '' using 1:5:(sprintf(\"%%.3g\", $3)) "
               "with labels offset 0,0.8\n",
            it->data, colors[0]);
    fprintf(f, "set title \"model size\"\nset ylabel \"weights + packed (MiB, lower is better)\"\n"
               "plot '%s' using 1:6:xtic(2) with boxes lc rgb \"%s\", '' using 1:6:(sprintf(\"%%.3g\", "
               "$6)) with labels offset 0,0.8\n", it->data, colors[1]);
    fprintf(f, "set title \"fidelity against fp32\"\nset ylabel \"output SQNR (dB, higher is better)\"\n"
               "set yrange [0:%.4g]\n"
               "plot '%s' using 1:7:xtic(2) with boxes lc rgb \"%s\", '' using 1:(%.4g/2):"
               "(strcol(7) eq \"NaN\" || strcol(7) eq \"nan\" ? \"fp32 reference\" : \"\") with labels "
               "rotate by 90, '' using 1:7:(sprintf(\"%%.1f dB\", $7)) with labels offset 0,0.8\n",
            max_sqnr > 0 ? max_sqnr * 1.15 : 10, it->data, colors[2],
            max_sqnr > 0 ? max_sqnr * 1.15 : 10);
    fprintf(f, "unset multiplot\n");
    return eb_outfile_commit(&of, c->err, c->errlen);
}

/* ---- `run --threads 1,2,4`: speed-up against threads, per model ---- */

static eb_status plot_scaling(plot_ctx *c, const eb_report *rep)
{
    const eb_report_settings *s = &rep->settings;
    if (s->n_thread_counts < 2)
        return EB_OK;
    char base[320], what[400];
    snprintf(base, sizeof base, "scaling_%s", c->tag);
    snprintf(what, sizeof what, "speed-up against threads per inference on %s", c->label);
    eb_plot_item *it;
    eb_status st = add_item(c, base, what, &it);
    eb_outfile of;
    if (st != EB_OK || (st = open_in(c, it->data, &of)) != EB_OK)
        return st;
    char line[sizeof what];
    gp_comment(line, sizeof line, what);
    fprintf(of.f, "# %s\n# one block per model: threads, p50 ms, speed-up over %d thread%s\n",
            line, s->thread_counts[0], s->thread_counts[0] == 1 ? "" : "s");
    size_t nblocks = 0, names[EB_COLORS_N * 4];
    int most = 1;
    for (size_t i = 0; i < rep->n_results && nblocks < sizeof names / sizeof names[0]; i++) {
        bool first = true;
        for (size_t k = 0; k < i; k++)
            first &= strcmp(rep->results[k].name, rep->results[i].name) != 0;
        if (!first)
            continue;
        const eb_report_result *b = NULL;
        for (size_t k = 0; k < rep->n_results && !b; k++)
            if (!strcmp(rep->results[k].name, rep->results[i].name) &&
                rep->results[k].threads == s->thread_counts[0])
                b = &rep->results[k];
        names[nblocks++] = i;
        char nm[160];
        gp_comment(nm, sizeof nm, rep->results[i].name);
        fprintf(of.f, "%s# %s\n", nblocks > 1 ? "\n\n" : "", nm);
        for (int t = 0; t < s->n_thread_counts; t++)
            for (size_t k = 0; k < rep->n_results; k++) {
                const eb_report_result *r = &rep->results[k];
                if (strcmp(r->name, rep->results[i].name) || r->threads != s->thread_counts[t])
                    continue;
                double up = b && r->latency.median > 0 ? b->latency.median / r->latency.median
                                                       : NAN;
                fprintf(of.f, "%d %.9g %.9g\n", r->threads, r->latency.median, up);
                most = r->threads > most ? r->threads : most;
            }
    }
    if ((st = eb_outfile_commit(&of, c->err, c->errlen)) != EB_OK)
        return st;
    if ((st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    script_header(f, c, it, 900, 650);
    char title[300];
    snprintf(title, sizeof title, "%s: speed-up of one inference with threads (median "
             "latency at %d thread%s / at N)", c->label, s->thread_counts[0],
             s->thread_counts[0] == 1 ? "" : "s");
    fprintf(f, "set title ");
    gp_str(f, title);
    fprintf(f, "\nset xlabel \"threads per inference\"\nset ylabel \"speed-up\"\n"
               "set xrange [0.5:%d.5]\nset yrange [0:%d]\nset xtics 1\nset grid\n"
               "set key outside bottom center horizontal noopaque nobox\nset bmargin 6\n",
            most, most + 1);
    fprintf(f, "plot x * %g with lines dt 2 lc rgb \"#888888\" title \"ideal\"",
            1.0 / s->thread_counts[0]);
    for (size_t i = 0; i < nblocks; i++) {
        fprintf(f, ", \\\n     '%s' index %zu using 1:3 with linespoints lw 2 pt 7 lc rgb \"%s\" "
                   "title ", it->data, i, colors[i % EB_COLORS_N]);
        gp_str(f, rep->results[names[i]].name);
    }
    fprintf(f, "\n");
    return eb_outfile_commit(&of, c->err, c->errlen);
}

/* ---- targets side by side: grouped bars with CI ---- */

static void series_label(const eb_report *reps, size_t n, size_t i, char *dst, size_t cap,
                         char *tag, size_t tagcap)
{
    const char *target = reps[i].target.name, *kset = reps[i].environment.kernel_set;
    bool dup_target = false, dup_kset = false;
    for (size_t j = 0; j < n; j++) {
        if (j == i)
            continue;
        if (!strcmp(reps[j].target.name, target)) {
            dup_target = true;
            dup_kset |= !strcmp(reps[j].environment.kernel_set, kset);
        }
    }
    const char *file = strrchr(reps[i].path, '/');
    file = file ? file + 1 : reps[i].path;
    char stem[128];
    snprintf(stem, sizeof stem, "%.127s", file);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = 0;
    char t[160];
    if (!dup_target) {
        snprintf(dst, cap, "%s", target);
        snprintf(t, sizeof t, "%s", target);
    } else if (!dup_kset && kset[0]) {
        snprintf(dst, cap, "%s, kernels %s", target, kset);
        snprintf(t, sizeof t, "%.60s_%.30s", target, kset);
    } else {
        snprintf(dst, cap, "%s (%s)", target, file);
        snprintf(t, sizeof t, "%.60s_%.90s", target, stem);
    }
    if (tag)
        safe_name(tag, tagcap, t);
}

static eb_status plot_targets(plot_ctx *c, const eb_report *reps, size_t n)
{
    if (n < 2)
        return EB_OK;
    /* the union of result names, in first-seen order */
    const char **names = malloc(sizeof *names * 256);
    if (!names)
        return EB_ERR_NOMEM;
    size_t nn = 0;
    double vmin = INFINITY, vmax = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < reps[i].n_results && nn < 256; j++) {
            const eb_report_result *r = &reps[i].results[j];
            bool seen = false;
            for (size_t k = 0; k < nn; k++)
                seen |= !strcmp(names[k], r->name);
            if (!seen)
                names[nn++] = r->name;
            double med = r->latency.median;
            if (isfinite(med) && med > 0) {
                vmin = fmin(vmin, med);
                vmax = fmax(vmax, med);
            }
        }
    eb_plot_item *it;
    eb_status st = add_item(c, "targets", "median latency per target, side by side", &it);
    eb_outfile of;
    if (st != EB_OK || (st = open_in(c, it->data, &of)) != EB_OK) {
        free(names);
        return st;
    }
    fprintf(of.f, "# %s\n# result, then per report: p50 ms, ci95 low, ci95 high\n", it->what);
    for (size_t k = 0; k < nn; k++) {
        char nm[140];
        safe_name(nm, sizeof nm, names[k]);
        fprintf(of.f, "\"%s\"", nm);
        for (size_t i = 0; i < n; i++) {
            const eb_report_result *r = NULL;
            for (size_t j = 0; j < reps[i].n_results && !r; j++)
                if (!strcmp(reps[i].results[j].name, names[k]))
                    r = &reps[i].results[j];
            if (!r || !isfinite(r->latency.median)) {
                fprintf(of.f, " NaN NaN NaN");
                continue;
            }
            double med = r->latency.median;
            double lo = isfinite(r->latency.ci95_lo) ? r->latency.ci95_lo : med;
            double hi = isfinite(r->latency.ci95_hi) ? r->latency.ci95_hi : med;
            fprintf(of.f, " %.9g %.9g %.9g", med, lo, hi);
        }
        fputc('\n', of.f);
    }
    free(names);
    if ((st = eb_outfile_commit(&of, c->err, c->errlen)) != EB_OK)
        return st;
    if ((st = open_in(c, it->script, &of)) != EB_OK)
        return st;
    FILE *f = of.f;
    script_header(f, c, it, nn > 8 ? (int)(nn * 110) : 1000, 600);
    bool logy = vmax > 30 * vmin;
    fprintf(f, "set title \"median latency per inference by target (error bars: 95 %% CI of the "
               "median)\"\nset ylabel \"median latency (ms%s)\"\n"
               "set style data histograms\nset style histogram errorbars gap 2 lw 1.2\n"
               "set style fill solid 0.75 border -1\nset xtics rotate by 30 right\n"
               "set bmargin 6\nset xrange [-0.6:%zu.6]\n%s\n",
            logy ? ", log scale" : "", nn - 1, logy ? "set logscale y\nset yrange [*:*]" : "set yrange [0:*]");
    fprintf(f, "plot ");
    for (size_t i = 0; i < n; i++) {
        char label[640];
        series_label(reps, n, i, label, sizeof label, NULL, 0);
        fprintf(f, "%s'%s' using %zu:%zu:%zu%s lc rgb \"%s\" title ", i ? ", \\\n     " : "",
                it->data, 2 + 3 * i, 3 + 3 * i, 4 + 3 * i, i == 0 ? ":xtic(1)" : "",
                colors[i % EB_COLORS_N]);
        gp_str(f, label);
    }
    fprintf(f, "\n");
    return eb_outfile_commit(&of, c->err, c->errlen);
}

eb_status eb_plot_write(const eb_report *reports, size_t n, const char *dir,
                        eb_plot_format fmt, eb_plot_list *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    eb_status st = eb_mkdirs(dir, 0777, err, errlen);
    if (st != EB_OK)
        return st;
    plot_ctx c = {.dir = dir, .fmt = fmt, .list = out, .err = err, .errlen = errlen};
    if (errlen)
        err[0] = 0;
    for (size_t i = 0; i < n && st == EB_OK; i++) {
        const eb_report *rep = &reports[i];
        series_label(reports, n, i, c.label, sizeof c.label, c.tag, sizeof c.tag);
        for (size_t j = 0; j < rep->n_results && st == EB_OK; j++) {
            st = plot_histogram(&c, &rep->results[j]);
            if (st == EB_OK)
                st = plot_profile(&c, &rep->results[j]);
            if (st == EB_OK)
                st = plot_confusion(&c, &rep->results[j]);
        }
        for (size_t j = 0; j < rep->n_results && st == EB_OK; j++) {
            bool first = true; /* one variants plot per model */
            for (size_t k = 0; k < j; k++)
                first &= strcmp(rep->results[k].model, rep->results[j].model) != 0;
            if (first)
                st = plot_variants(&c, rep, rep->results[j].model);
        }
        if (st == EB_OK)
            st = plot_scaling(&c, rep);
    }
    if (st == EB_OK) /* several reports: usually several targets, else several runs */
        st = plot_targets(&c, reports, n);
    if (st != EB_OK && !err[0])
        snprintf(err, errlen, "cannot write plots into '%s': %s", dir, eb_status_str(st));
    return st;
}

void eb_plot_list_free(eb_plot_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
