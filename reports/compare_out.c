/* compare_out.c - the gate's outputs: console table, JUnit XML, Markdown. */
#include <math.h>
#include <string.h>

#include "eb_compare.h"
#include "eb_outfile.h"

static void fmt_value(const char *unit, double v, char *dst, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(dst, cap, "-");
    } else if (!strcmp(unit, "ms")) {
        snprintf(dst, cap, v < 10 ? "%.3f ms" : v < 100 ? "%.2f ms" : "%.1f ms", v);
    } else if (!strcmp(unit, "bytes")) {
        if (v >= 1024.0 * 1024)
            snprintf(dst, cap, "%.2f MiB", v / (1024.0 * 1024));
        else if (v >= 1024)
            snprintf(dst, cap, "%.1f KiB", v / 1024);
        else
            snprintf(dst, cap, "%.0f B", v);
    } else if (!strcmp(unit, "J")) {
        if (v < 1e-3)
            snprintf(dst, cap, "%.2f uJ", v * 1e6);
        else if (v < 1)
            snprintf(dst, cap, "%.3f mJ", v * 1e3);
        else
            snprintf(dst, cap, "%.3f J", v);
    } else {
        snprintf(dst, cap, "%.1f %s", v, unit);
    }
}

static void fmt_change(double c, char *dst, size_t cap)
{
    if (!isfinite(c))
        snprintf(dst, cap, "-");
    else
        snprintf(dst, cap, "%+.2f %%", 100 * c);
}

static void fmt_ci(const eb_cmp_row *r, char *dst, size_t cap)
{
    if (!isfinite(r->ci_lo) || !isfinite(r->ci_hi))
        snprintf(dst, cap, r->exact ? "exact" : "-");
    else
        snprintf(dst, cap, "[%.3f, %.3f]", r->ci_lo, r->ci_hi);
}

static void fmt_p(const eb_cmp_row *r, char *dst, size_t cap)
{
    if (!isfinite(r->p))
        snprintf(dst, cap, "-");
    else if (r->p < 1e-300) /* below what a double's normal approximation resolves */
        snprintf(dst, cap, "<1e-300");
    else if (r->p < 1e-4)
        snprintf(dst, cap, "%.1e", r->p);
    else
        snprintf(dst, cap, "%.4f", r->p);
}

typedef struct {
    char base[32], cur[32], change[24], ci[40], p[16];
} row_text;

static void method_text(const eb_cmp_options *o, char *dst, size_t cap)
{
    if (o->method)
        snprintf(dst, cap, "%s", o->method);
    else
        snprintf(dst, cap, "%.0f %% interval of current/baseline from %d bootstrap resamples, "
                           "p from a two-sided Mann-Whitney U test on the raw samples",
                 100 * o->level, o->resamples);
}

static void row_strings(const eb_cmp_row *r, row_text *t)
{
    fmt_value(r->unit, r->base, t->base, sizeof t->base);
    fmt_value(r->unit, r->cur, t->cur, sizeof t->cur);
    fmt_change(r->change, t->change, sizeof t->change);
    fmt_ci(r, t->ci, sizeof t->ci);
    fmt_p(r, t->p, sizeof t->p);
}

static void summary_line(const eb_cmp_outcome *out, char *dst, size_t cap)
{
    size_t same = out->n_rows - (size_t)out->regressions - (size_t)out->improvements;
    snprintf(dst, cap, "%d regression%s, %d improvement%s, %zu without significant change "
                       "(%zu comparison%s)",
             out->regressions, out->regressions == 1 ? "" : "s", out->improvements,
             out->improvements == 1 ? "" : "s", same, out->n_rows, out->n_rows == 1 ? "" : "s");
}

void eb_cmp_print_table(FILE *f, const eb_cmp_outcome *out, const eb_cmp_options *o)
{
    int wpair = 4;
    for (size_t i = 0; i < out->n_rows; i++) {
        int l = (int)strlen(out->rows[i].pair);
        if (l > wpair)
            wpair = l;
    }
    char how[400];
    method_text(o, how, sizeof how);
    fprintf(f, "threshold %.1f %%, alpha %g, %s\n\n", 100 * o->threshold, o->alpha, how);
    fprintf(f, "%-*s  %-10s  %12s  %12s  %9s  %-16s  %8s  %s\n", wpair, "pair", "metric",
            "baseline", "current", "change", "ratio CI", "p", "verdict");
    for (size_t i = 0; i < out->n_rows; i++) {
        const eb_cmp_row *r = &out->rows[i];
        row_text t;
        row_strings(r, &t);
        fprintf(f, "%-*s  %-10s  %12s  %12s  %9s  %-16s  %8s  %s%s%s%s\n", wpair, r->pair,
                r->metric, t.base, t.cur, t.change, t.ci, t.p, eb_verdict_name(r->verdict),
                r->note[0] ? " (" : "", r->note, r->note[0] ? ")" : "");
    }
    char sum[160];
    summary_line(out, sum, sizeof sum);
    fprintf(f, "\n%s\n", sum);
}

static void xml_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc('?', f);
            else
                fputc(*s, f);
        }
    }
}

static void row_detail(FILE *f, const eb_cmp_row *r, void (*esc)(FILE *, const char *))
{
    row_text t;
    row_strings(r, &t);
    char buf[400];
    snprintf(buf, sizeof buf, "baseline %s, current %s, change %s, ratio CI %s, p %s%s%s",
             t.base, t.cur, t.change, t.ci, t.p, r->note[0] ? "; " : "", r->note);
    esc(f, buf);
}

eb_status eb_cmp_write_junit(const char *path, const eb_cmp_outcome *out,
                             const eb_cmp_options *o, const char *suite, char *err,
                             size_t errlen)
{
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    FILE *f = of.f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"");
    xml_escaped(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"0\">\n", out->n_rows,
            out->regressions);
    fprintf(f, "  <testsuite name=\"");
    xml_escaped(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", out->n_rows,
            out->regressions);
    fprintf(f, "    <properties>\n"
               "      <property name=\"threshold\" value=\"%g\"/>\n"
               "      <property name=\"alpha\" value=\"%g\"/>\n"
               "      <property name=\"confidence_level\" value=\"%g\"/>\n",
            o->threshold, o->alpha, o->level);
    char how[400];
    method_text(o, how, sizeof how);
    fprintf(f, "      <property name=\"method\" value=\"");
    xml_escaped(f, how);
    fprintf(f, "\"/>\n    </properties>\n");
    for (size_t i = 0; i < out->n_rows; i++) {
        const eb_cmp_row *r = &out->rows[i];
        char cls[300];
        snprintf(cls, sizeof cls, "edgebench.%s", r->pair);
        for (char *c = cls; *c; c++)
            if (*c == '/' || *c == ' ')
                *c = '.';
        fprintf(f, "    <testcase classname=\"");
        xml_escaped(f, cls);
        fprintf(f, "\" name=\"");
        xml_escaped(f, r->metric);
        fprintf(f, "\" time=\"0\">\n");
        if (r->verdict == EB_VERDICT_REGRESSION) {
            fprintf(f, "      <failure type=\"regression\" message=\"");
            char msg[480];
            snprintf(msg, sizeof msg, "%s %s: %s", r->pair, r->metric, r->note);
            xml_escaped(f, msg);
            fprintf(f, "\">");
            row_detail(f, r, xml_escaped);
            fprintf(f, "</failure>\n");
        } else {
            fprintf(f, "      <system-out>%s: ", eb_verdict_name(r->verdict));
            row_detail(f, r, xml_escaped);
            fprintf(f, "</system-out>\n");
        }
        fprintf(f, "    </testcase>\n");
    }
    if (out->n_warnings) {
        fprintf(f, "    <system-err>");
        for (size_t i = 0; i < out->n_warnings; i++) {
            fputs("warning: ", f);
            xml_escaped(f, out->warnings[i]);
            fputc('\n', f);
        }
        fprintf(f, "</system-err>\n");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    return eb_outfile_commit(&of, err, errlen);
}

static void md_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '>' ||
            *s == '[' || *s == ']' || *s == '\\')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

eb_status eb_cmp_write_markdown(const char *path, const eb_cmp_outcome *out,
                                const eb_cmp_options *o, const char *title, char *err,
                                size_t errlen)
{
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    FILE *f = of.f;
    char sum[160];
    summary_line(out, sum, sizeof sum);
    fprintf(f, "### ");
    md_escaped(f, title);
    fprintf(f, ": %s\n\n", out->regressions ? "regression found" : "no regression");
    char how[400];
    method_text(o, how, sizeof how);
    fprintf(f, "%s. Threshold %.1f %%, alpha %g; %s.\n\n", sum, 100 * o->threshold, o->alpha,
            how);
    fprintf(f, "| pair | metric | baseline | current | change | ratio CI | p | verdict |\n");
    fprintf(f, "|---|---|---:|---:|---:|---|---:|---|\n");
    for (size_t i = 0; i < out->n_rows; i++) {
        const eb_cmp_row *r = &out->rows[i];
        row_text t;
        row_strings(r, &t);
        fputs("| ", f);
        md_escaped(f, r->pair);
        fprintf(f, " | %s | %s | %s | %s | %s | %s | ", r->metric, t.base, t.cur, t.change,
                t.ci, t.p);
        if (r->verdict == EB_VERDICT_REGRESSION)
            fputs(":x: **regression**", f);
        else if (r->verdict == EB_VERDICT_IMPROVEMENT)
            fputs(":white_check_mark: improvement", f);
        else
            fputs("no significant change", f);
        if (r->note[0]) {
            fputs(" (", f);
            md_escaped(f, r->note);
            fputc(')', f);
        }
        fputs(" |\n", f);
    }
    if (out->n_warnings) {
        fprintf(f, "\n**Warnings**\n\n");
        for (size_t i = 0; i < out->n_warnings; i++) {
            fputs("- ", f);
            md_escaped(f, out->warnings[i]);
            fputc('\n', f);
        }
    }
    return eb_outfile_commit(&of, err, errlen);
}
