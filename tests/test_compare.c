/* test_compare.c - the regression gate on synthetic reports of known shape: verdicts,
 * exit codes, warnings, and the JUnit / Markdown outputs. */
#include <criterion/criterion.h>
#include <math.h>
#include <sys/stat.h>

#include "cli.h"
#include "eb_compare.h"
#include "eb_fixture_reports.h"

static char dir[128];

static void setup(void) { fx_tmpdir(dir, sizeof dir, "compare"); }
static void teardown(void) { fx_rmdir(dir); }

TestSuite(compare, .init = setup, .fini = teardown);

/* Writes a one-result report with samples around center (ms) and returns its path. */
static const char *write_one(const char *file, double center, double noise, size_t n,
                             uint64_t seed, const char *cpu, const char *kset)
{
    static char paths[8][256];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 256, "%s/%s", dir, file);
    double *s = malloc(n * sizeof *s);
    fx_samples(s, n, center, noise, noise / 4, seed);
    fx_result r = {.target = "host", .model = "mobilenet_v1", .variant = "int8", .samples = s,
                   .n = n, .planned_total_bytes = 8e6, .peak_rss_bytes = 2e7,
                   .weights_bytes = 4.2e6, .energy_j = center * 1e-3 * 15};
    char *json = fx_report(&r, 1, cpu ? cpu : "Fixture CPU", kset ? kset : "auto", 1);
    fx_write(path, json);
    free(json);
    free(s);
    return path;
}

static int run_compare(const char *base, const char *cur, const char *extra1, const char *extra2)
{
    char *argv[8] = {"compare", (char *)base, (char *)cur, "--quiet"};
    int argc = 4;
    if (extra1)
        argv[argc++] = (char *)extra1;
    if (extra2)
        argv[argc++] = (char *)extra2;
    return eb_cmd_compare(argc, argv);
}

static void outcome_of(const char *base, const char *cur, const eb_cmp_options *o,
                       eb_cmp_outcome *out)
{
    eb_report b, c;
    char err[512];
    cr_assert_eq(eb_report_read(base, &b, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_report_read(cur, &c, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_compare_reports(&b, &c, o, out, err, sizeof err), EB_OK, "%s", err);
    eb_report_free(&b);
    eb_report_free(&c);
}

Test(compare, ten_percent_slowdown_low_noise_is_a_regression)
{
    const char *b = write_one("base.json", 10.0, 0.02, 100, 1, NULL, NULL);
    const char *c = write_one("cur.json", 11.0, 0.02, 100, 2, NULL, NULL);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_outcome out;
    outcome_of(b, c, &o, &out);
    cr_assert_eq(out.n_rows, 1);
    cr_assert_eq(out.rows[0].verdict, EB_VERDICT_REGRESSION, "note: %s", out.rows[0].note);
    cr_assert(fabs(out.rows[0].change - 0.10) < 0.02, "change %g", out.rows[0].change);
    cr_assert(out.rows[0].p < 1e-6);
    cr_assert(out.rows[0].ci_lo > 1.05 && out.rows[0].ci_hi < 1.15, "[%g, %g]",
              out.rows[0].ci_lo, out.rows[0].ci_hi);
    cr_assert_eq(out.regressions, 1);
    eb_cmp_outcome_free(&out);
    cr_assert_eq(run_compare(b, c, NULL, NULL), EB_EXIT_GATE);
    /* with a threshold above the change it is significant but not a regression */
    cr_assert_eq(run_compare(b, c, "--threshold", "15"), EB_EXIT_OK);
}

Test(compare, slowdown_in_thirty_percent_noise_with_few_samples_is_not_significant)
{
    const char *b = write_one("base.json", 10.0, 0.30, 8, 11, NULL, NULL);
    const char *c = write_one("cur.json", 11.0, 0.30, 8, 12, NULL, NULL);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_outcome out;
    outcome_of(b, c, &o, &out);
    cr_assert_eq(out.rows[0].verdict, EB_VERDICT_SAME);
    cr_assert(out.rows[0].p >= o.alpha, "p %g", out.rows[0].p);
    cr_assert(out.rows[0].ci_hi - out.rows[0].ci_lo > 0.2, "a wide interval: [%g, %g]",
              out.rows[0].ci_lo, out.rows[0].ci_hi);
    /* CV far above 10 %: both sides are flagged */
    cr_assert_geq(out.n_warnings, 2);
    cr_assert(strstr(out.warnings[0], "CV") != NULL, "%s", out.warnings[0]);
    eb_cmp_outcome_free(&out);
    cr_assert_eq(run_compare(b, c, NULL, NULL), EB_EXIT_OK);
}

Test(compare, identical_distributions_pass)
{
    int regressions = 0, improvements = 0;
    for (uint64_t seed = 100; seed < 120; seed++) {
        const char *b = write_one("base.json", 10.0, 0.05, 60, seed, NULL, NULL);
        const char *c = write_one("cur.json", 10.0, 0.05, 60, seed + 1000, NULL, NULL);
        eb_cmp_options o;
        eb_cmp_options_default(&o);
        o.metrics = EB_METRIC_P50 | EB_METRIC_P90 | EB_METRIC_THROUGHPUT;
        eb_cmp_outcome out;
        outcome_of(b, c, &o, &out);
        regressions += out.regressions;
        improvements += out.improvements;
        eb_cmp_outcome_free(&out);
    }
    cr_assert_eq(regressions, 0);
    cr_assert_eq(improvements, 0);
    /* the very same samples: p = 1, change 0 */
    const char *b = write_one("same.json", 10.0, 0.05, 60, 5, NULL, NULL);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_outcome out;
    outcome_of(b, b, &o, &out);
    cr_assert_float_eq(out.rows[0].p, 1.0, 1e-9);
    cr_assert_float_eq(out.rows[0].change, 0.0, 1e-12);
    eb_cmp_outcome_free(&out);
    cr_assert_eq(run_compare(b, b, NULL, NULL), EB_EXIT_OK);
}

Test(compare, speedup_is_an_improvement_and_exit_zero)
{
    const char *b = write_one("base.json", 10.0, 0.02, 80, 21, NULL, NULL);
    const char *c = write_one("cur.json", 8.5, 0.02, 80, 22, NULL, NULL);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    o.metrics = EB_METRIC_P50 | EB_METRIC_THROUGHPUT | EB_METRIC_ENERGY;
    eb_cmp_outcome out;
    outcome_of(b, c, &o, &out);
    cr_assert_eq(out.n_rows, 3);
    for (size_t i = 0; i < out.n_rows; i++)
        cr_assert_eq(out.rows[i].verdict, EB_VERDICT_IMPROVEMENT, "%s: %s", out.rows[i].metric,
                     out.rows[i].note);
    /* throughput goes up when latency goes down: its interval sits above 1 */
    cr_assert_str_eq(out.rows[1].metric, "throughput");
    cr_assert(out.rows[1].change > 0.1 && out.rows[1].ci_lo > 1.1, "%g [%g, %g]",
              out.rows[1].change, out.rows[1].ci_lo, out.rows[1].ci_hi);
    eb_cmp_outcome_free(&out);
    cr_assert_eq(run_compare(b, c, "--metric", "all"), EB_EXIT_OK);
}

Test(compare, memory_is_compared_exactly)
{
    const char *b = write_one("base.json", 10.0, 0.02, 40, 31, NULL, NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/cur.json", dir);
    double s[40];
    fx_samples(s, 40, 10.0, 0.02, 0.005, 31); /* same samples as the baseline */
    fx_result r = {.target = "host", .model = "mobilenet_v1", .variant = "int8", .samples = s,
                   .n = 40, .planned_total_bytes = 8.8e6, .peak_rss_bytes = 2e7,
                   .weights_bytes = 4.2e6, .energy_j = 0.15};
    char *json = fx_report(&r, 1, "Fixture CPU", "auto", 1);
    fx_write(path, json);
    free(json);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    o.metrics = EB_METRIC_MEMORY | EB_METRIC_SIZE;
    eb_cmp_outcome out;
    outcome_of(b, path, &o, &out);
    cr_assert_eq(out.n_rows, 3, "memory, rss, size");
    cr_assert_str_eq(out.rows[0].metric, "memory");
    cr_assert(out.rows[0].exact);
    cr_assert_eq(out.rows[0].verdict, EB_VERDICT_REGRESSION);
    cr_assert_float_eq(out.rows[0].change, 0.1, 1e-12);
    cr_assert_eq(out.rows[1].verdict, EB_VERDICT_SAME);
    cr_assert_eq(out.rows[2].verdict, EB_VERDICT_SAME);
    eb_cmp_outcome_free(&out);
    cr_assert_eq(run_compare(b, path, "--metric", "memory"), EB_EXIT_GATE);
    cr_assert_eq(run_compare(b, path, "--metric", "p50"), EB_EXIT_OK);
}

Test(compare, input_errors_exit_two)
{
    const char *b = write_one("base.json", 10.0, 0.02, 40, 41, NULL, NULL);
    /* missing pair: a different model */
    char other[256];
    snprintf(other, sizeof other, "%s/other.json", dir);
    double s[40];
    fx_samples(s, 40, 10, 0.02, 0, 1);
    fx_result r = {.target = "host", .model = "resnet8", .variant = "int8", .samples = s, .n = 40};
    char *json = fx_report(&r, 1, "Fixture CPU", "auto", 1);
    fx_write(other, json);
    free(json);
    cr_assert_eq(run_compare(b, other, NULL, NULL), EB_EXIT_USAGE);
    /* schema mismatch */
    char v2[256];
    snprintf(v2, sizeof v2, "%s/v3.json", dir);
    json = fx_report(&r, 1, "Fixture CPU", "auto", 3);
    fx_write(v2, json);
    free(json);
    cr_assert_eq(run_compare(b, v2, NULL, NULL), EB_EXIT_USAGE);
    eb_report rep;
    char err[512];
    cr_assert_neq(eb_report_read(v2, &rep, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "schema_version 3") != NULL, "%s", err);
    /* too few samples to ever reach alpha 0.01 */
    const char *few = write_one("few.json", 10.0, 0.02, 3, 42, NULL, NULL);
    cr_assert_eq(run_compare(b, few, NULL, NULL), EB_EXIT_USAGE);
    eb_report x, y;
    eb_cmp_outcome out;
    cr_assert_eq(eb_report_read(b, &x, err, sizeof err), EB_OK);
    cr_assert_eq(eb_report_read(few, &y, err, sizeof err), EB_OK);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    cr_assert_neq(eb_compare_reports(&x, &y, &o, &out, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "too few samples") != NULL, "%s", err);
    eb_report_free(&x);
    eb_report_free(&y);
    /* not JSON, missing file, bad options */
    char junk[256];
    snprintf(junk, sizeof junk, "%s/junk.json", dir);
    fx_write(junk, "{ not json");
    cr_assert_eq(run_compare(b, junk, NULL, NULL), EB_EXIT_USAGE);
    cr_assert_eq(run_compare(b, "/nonexistent/x.json", NULL, NULL), EB_EXIT_USAGE);
    cr_assert_eq(run_compare(b, b, "--metric", "p42"), EB_EXIT_USAGE);
    cr_assert_eq(run_compare(b, b, "--threshold", "abc"), EB_EXIT_USAGE);
    char *argv1[] = {"compare", (char *)b};
    cr_assert_eq(eb_cmd_compare(2, argv1), EB_EXIT_USAGE);
    /* --allow-missing turns the missing pair into a warning, but with nothing in common
     * there is still nothing to compare */
    cr_assert_eq(run_compare(b, other, "--allow-missing", NULL), EB_EXIT_USAGE);
}

Test(compare, warns_on_different_cpus_and_kernel_sets)
{
    const char *b = write_one("base.json", 10.0, 0.02, 60, 51, "CPU One", "auto");
    const char *c = write_one("cur.json", 10.0, 0.02, 60, 52, "CPU Two", "ref");
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_outcome out;
    outcome_of(b, c, &o, &out);
    bool cpu = false, kset = false;
    for (size_t i = 0; i < out.n_warnings; i++) {
        cpu |= strstr(out.warnings[i], "different CPUs") != NULL;
        kset |= strstr(out.warnings[i], "different kernel sets") != NULL;
    }
    cr_assert(cpu && kset);
    eb_cmp_outcome_free(&out);
}

/* A small XML well-formedness check: tags nest and close, attributes are quoted,
 * no raw '<' or stray '&' in text. Returns the number of elements named `count_tag`. */
static int xml_check(const char *s, const char *count_tag, bool *ok)
{
    char stack[32][64];
    int depth = 0, count = 0;
    *ok = true;
    while (*s) {
        if (*s == '&') {
            if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) &&
                strncmp(s, "&quot;", 6) && strncmp(s, "&apos;", 6))
                *ok = false;
            s++;
            continue;
        }
        if (*s != '<') {
            s++;
            continue;
        }
        if (s[1] == '?') {
            s = strstr(s, "?>");
            if (!s) {
                *ok = false;
                return count;
            }
            s += 2;
            continue;
        }
        bool closing = s[1] == '/';
        const char *p = s + 1 + closing;
        char name[64];
        size_t n = strcspn(p, " />\n");
        if (n == 0 || n >= sizeof name) {
            *ok = false;
            return count;
        }
        memcpy(name, p, n);
        name[n] = 0;
        p += n;
        /* attributes: name="value" with no '<' inside */
        while (*p && *p != '>' && !(*p == '/' && p[1] == '>')) {
            if (*p == '"') {
                const char *e = strchr(p + 1, '"');
                if (!e || memchr(p + 1, '<', (size_t)(e - p - 1))) {
                    *ok = false;
                    return count;
                }
                p = e;
            }
            p++;
        }
        if (!*p) {
            *ok = false;
            return count;
        }
        bool self = *p == '/';
        s = p + (self ? 2 : 1);
        if (closing) {
            if (depth == 0 || strcmp(stack[depth - 1], name)) {
                *ok = false;
                return count;
            }
            depth--;
        } else {
            count += !strcmp(name, count_tag);
            if (!self) {
                if (depth == 32) {
                    *ok = false;
                    return count;
                }
                snprintf(stack[depth++], 64, "%s", name);
            }
        }
    }
    if (depth)
        *ok = false;
    return count;
}

Test(compare, junit_and_markdown_are_well_formed)
{
    /* a model name with characters XML and Markdown must escape */
    char b[256], c[256];
    snprintf(b, sizeof b, "%s/base.json", dir);
    snprintf(c, sizeof c, "%s/cur.json", dir);
    double s1[50], s2[50], s3[50], s4[50];
    fx_samples(s1, 50, 10, 0.02, 0, 61);
    fx_samples(s2, 50, 11, 0.02, 0, 62);
    fx_samples(s3, 50, 5, 0.02, 0, 63);
    fx_samples(s4, 50, 5, 0.02, 0, 64);
    fx_result rb[2] = {{.target = "host", .model = "a<b>&\"c'|d", .variant = "int8", .samples = s1,
                        .n = 50},
                       {.target = "host", .model = "ds_cnn", .variant = "fp32", .samples = s3,
                        .n = 50}};
    fx_result rc[2] = {rb[0], rb[1]};
    rc[0].samples = s2;
    rc[1].samples = s4;
    char *j = fx_report(rb, 2, "Fixture CPU", "auto", 1);
    fx_write(b, j);
    free(j);
    j = fx_report(rc, 2, "Other CPU", "auto", 1);
    fx_write(c, j);
    free(j);
    char junit[256], md[256];
    snprintf(junit, sizeof junit, "%s/out/gate.xml", dir);
    snprintf(md, sizeof md, "%s/gate.md", dir);
    /* unwritable path: exit 2 and nothing left behind */
    cr_assert_eq(run_compare(b, c, "--junit", junit), EB_EXIT_USAGE);
    snprintf(junit, sizeof junit, "%s/gate.xml", dir);
    char *argv[] = {"compare", b, c, "--quiet", "--metric", "p50,p99", "--junit", junit,
                    "--markdown", md};
    cr_assert_eq(eb_cmd_compare(10, argv), EB_EXIT_GATE);

    char *x = fx_slurp(junit);
    cr_assert_not_null(x);
    bool ok;
    int cases = xml_check(x, "testcase", &ok);
    cr_assert(ok, "JUnit XML is not well-formed:\n%s", x);
    cr_assert_eq(cases, 4, "one test case per pair and metric");
    cr_assert_eq(xml_check(x, "failure", &ok), 2, "p50 and p99 of the slowed model fail");
    cr_assert(strstr(x, "failures=\"2\"") != NULL);
    cr_assert(strstr(x, "a&lt;b&gt;&amp;&quot;c&apos;|d") != NULL);
    cr_assert(strstr(x, "different CPUs") != NULL, "warnings go to system-err");
    free(x);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout '%s'", junit);
        cr_assert_eq(system(cmd), 0, "xmllint rejects %s", junit);
    }

    char *m = fx_slurp(md);
    cr_assert_not_null(m);
    /* every table line has the same number of unescaped '|' as the header */
    int header_bars = -1, table_lines = 0;
    for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != '|')
            continue;
        int bars = 0;
        for (char *p = line; *p; p++)
            bars += *p == '|' && (p == line || p[-1] != '\\');
        if (header_bars < 0)
            header_bars = bars;
        cr_assert_eq(bars, header_bars, "line '%s'", line);
        table_lines++;
    }
    cr_assert_eq(header_bars, 9);
    cr_assert_eq(table_lines, 2 + 4, "header, separator and four rows");
    free(m);
    struct stat st;
    snprintf(junit, sizeof junit, "%s/out", dir);
    cr_assert_neq(stat(junit, &st), 0, "no directory or temp file was created");
}

Test(compare, passes_on_the_reports_own_warnings)
{
    const char *b = write_one("base.json", 10.0, 0.02, 60, 71, NULL, NULL);
    char *text = fx_slurp(b);
    char *at = strstr(text, "\"warnings\":");
    cr_assert_not_null(at);
    char *open = strchr(at, '[');
    char patched[1 << 16];
    cr_assert(strlen(text) + 64 < sizeof patched);
    snprintf(patched, sizeof patched, "%.*s[\"test build: slowed\", %s", (int)(open - text), text,
             open + 1);
    /* "[]" became "[\"...\", ]": drop the trailing comma */
    char *comma = strstr(patched, "\", ]");
    cr_assert_not_null(comma);
    memmove(comma + 1, comma + 3, strlen(comma + 3) + 1);
    char cur[256];
    snprintf(cur, sizeof cur, "%s/warned.json", dir);
    fx_write(cur, patched);
    free(text);
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    eb_cmp_outcome out;
    outcome_of(b, cur, &o, &out);
    bool seen = false;
    for (size_t i = 0; i < out.n_warnings; i++)
        seen |= strstr(out.warnings[i], "current report: test build: slowed") != NULL;
    cr_assert(seen);
    eb_cmp_outcome_free(&out);
}
