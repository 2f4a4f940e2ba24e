/* cmd_compare.c - `edgebench compare BASELINE.json CURRENT.json`: the regression gate. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eb_bootstrap.h"
#include "eb_compare.h"

static void compare_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench compare BASELINE.json CURRENT.json [options]\n\n"
            "Pairs the results of two reports by (target, model, variant, scenario, threads)\n"
            "and decides per pair and metric: regression, improvement or no significant\n"
            "change. Exit status: 0 no regression, 1 regression, 2 usage or input error.\n\n"
            "  --metric LIST     p50,p90,p99,throughput,memory,size,energy or all (default p50)\n"
            "  --threshold PCT   smallest change that counts, in percent (default 5)\n"
            "  --alpha A         significance level of the U test (default 0.01)\n"
            "  --cv-warn PCT     warn when a side's CV is above this percent (default 10)\n"
            "  --resamples N     bootstrap resamples for the ratio interval (default %d)\n"
            "  --junit FILE      also write JUnit XML (one test case per pair and metric)\n"
            "  --markdown FILE   also write a Markdown table (for a pull-request comment)\n"
            "  --allow-missing   a result present on one side only is a warning, not an error\n"
            "  --quiet           print only warnings and errors\n",
            EB_BOOTSTRAP_RESAMPLES);
}

/* "5", "5%" or "5 %" -> 0.05 */
bool eb_parse_percent(const char *opt, const char *s, double max_pct, double *frac)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s ? s : "");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '%' || buf[n - 1] == ' '))
        buf[--n] = 0;
    double v;
    if (!eb_parse_double(opt, buf, 0, max_pct, &v))
        return false;
    *frac = v / 100;
    return true;
}

static void print_side(const char *label, const eb_report *r)
{
    const char *git = r->edgebench.git, *cpu = r->environment.brand;
    printf("%-9s %s (%s%s%s%s%s)\n", label, r->path, r->created_utc[0] ? r->created_utc : "no date",
           git[0] ? ", git " : "", git, cpu[0] ? ", " : "", cpu);
}

int eb_cmd_compare(int argc, char **argv)
{
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    const char *files[2] = {NULL, NULL}, *junit = NULL, *markdown = NULL;
    int nfiles = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            compare_usage(stdout);
            return EB_EXIT_OK;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (!strcmp(a, "--allow-missing")) {
            o.allow_missing = true;
        } else if (a[0] == '-' && a[1] == '-' && !v) {
            eb_error("%s needs a value; see 'edgebench compare --help'", a);
            return EB_EXIT_USAGE;
        } else if (!strcmp(a, "--metric") || !strcmp(a, "--metrics")) {
            char bad[64];
            if (!eb_metrics_parse(v, &o.metrics, bad, sizeof bad)) {
                eb_error("unknown metric '%s'; valid: p50, p90, p99, throughput, memory, "
                         "size, energy, all", bad);
                return EB_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--threshold")) {
            if (!eb_parse_percent(a, v, 1000, &o.threshold))
                return EB_EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--alpha")) {
            if (!eb_parse_double(a, v, 1e-12, 0.5, &o.alpha))
                return EB_EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--cv-warn")) {
            if (!eb_parse_percent(a, v, 1000, &o.cv_warn))
                return EB_EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--resamples")) {
            long n;
            if (!eb_parse_int(a, v, 100, 1000000, &n))
                return EB_EXIT_USAGE;
            o.resamples = (int)n;
            i++;
        } else if (!strcmp(a, "--junit")) {
            junit = v;
            i++;
        } else if (!strcmp(a, "--markdown")) {
            markdown = v;
            i++;
        } else if (a[0] == '-' && a[1]) {
            eb_error("unknown option '%s' for compare; see 'edgebench compare --help'", a);
            return EB_EXIT_USAGE;
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            eb_error("compare takes two reports (baseline and current), got a third: '%s'", a);
            return EB_EXIT_USAGE;
        }
    }
    if (nfiles != 2) {
        eb_error("compare needs two reports: edgebench compare BASELINE.json CURRENT.json");
        return EB_EXIT_USAGE;
    }
    char err[1024];
    eb_report base, cur;
    if (eb_report_read(files[0], &base, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    if (eb_report_read(files[1], &cur, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        eb_report_free(&base);
        return EB_EXIT_USAGE;
    }
    eb_cmp_outcome out;
    int rc = EB_EXIT_USAGE;
    if (eb_compare_reports(&base, &cur, &o, &out, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done_reports;
    }
    if (!quiet) {
        print_side("baseline", &base);
        print_side("current", &cur);
        eb_cmp_print_table(stdout, &out, &o);
        fflush(stdout);
    }
    for (size_t i = 0; i < out.n_warnings; i++)
        eb_warn("%s", out.warnings[i]);
    if (junit && eb_cmp_write_junit(junit, &out, &o, "edgebench compare", err, sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    if (markdown && eb_cmp_write_markdown(markdown, &out, &o, "edgebench compare", err,
                                          sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    rc = out.regressions ? EB_EXIT_GATE : EB_EXIT_OK;
done:
    eb_cmp_outcome_free(&out);
done_reports:
    eb_report_free(&base);
    eb_report_free(&cur);
    return rc;
}
