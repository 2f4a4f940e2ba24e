/* test_plot.c - gnuplot data, scripts and rendering; gnuplot missing still leaves the
 * data and scripts behind with a clear error. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"
#include "eb_fixture_reports.h"
#include "eb_plot.h"

static char dir[128];
static void setup(void) { fx_tmpdir(dir, sizeof dir, "plot"); }
static void teardown(void) { fx_rmdir(dir); }
TestSuite(plot, .init = setup, .fini = teardown);

static const char *profile =
    "[{\"op\":\"conv_0\",\"type\":\"conv2d\",\"kernel\":\"k\",\"macs\":1000,\"median_ms\":0.4,"
    "\"gmacs\":2.5,\"share\":0.4},"
    "{\"op\":\"dw_1\",\"type\":\"dwconv\",\"kernel\":\"k\",\"macs\":100,\"median_ms\":0.1,"
    "\"gmacs\":1,\"share\":0.1},"
    "{\"op\":\"fc\",\"type\":\"fc\",\"kernel\":\"k\",\"macs\":500,\"median_ms\":0.5,"
    "\"gmacs\":1,\"share\":0.5}]";

/* host: two variants of one model (one profiled); rpi4: the same, slower. */
static void write_reports(char *host, char *rpi4, size_t cap)
{
    static double s[4][120];
    fx_samples(s[0], 120, 10, 0.03, 0.01, 1);
    fx_samples(s[1], 120, 4, 0.03, 0.01, 2);
    fx_samples(s[2], 120, 60, 0.03, 0.01, 3);
    fx_samples(s[3], 120, 25, 0.03, 0.01, 4);
    fx_result h[2] = {{.target = "host", .model = "mobilenet_v1", .variant = "fp32",
                       .samples = s[0], .n = 120, .weights_bytes = 16e6},
                      {.target = "host", .model = "mobilenet_v1", .variant = "int8",
                       .samples = s[1], .n = 120, .weights_bytes = 4e6, .sqnr_db = 38,
                       .profile_json = profile}};
    fx_result r[2] = {h[0], h[1]};
    r[0].target = r[1].target = "rpi4";
    r[0].samples = s[2];
    r[1].samples = s[3];
    snprintf(host, cap, "%s/host.json", dir);
    snprintf(rpi4, cap, "%s/rpi4.json", dir);
    char *j = fx_report(h, 2, "CPU", "auto", 1);
    fx_write(host, j);
    free(j);
    j = fx_report(r, 2, "CPU", "auto", 1);
    fx_write(rpi4, j);
    free(j);
}

static bool exists(const char *d, const char *name)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", d, name);
    return stat(p, &st) == 0 && st.st_size > 0;
}

static bool gnuplot_available(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

Test(plot, writes_every_kind_of_plot)
{
    char host[256], rpi4[256], out[300];
    write_reports(host, rpi4, sizeof host);
    snprintf(out, sizeof out, "%s/plots/sub", dir);
    eb_report reps[2];
    char err[512];
    cr_assert_eq(eb_report_read(host, &reps[0], err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_report_read(rpi4, &reps[1], err, sizeof err), EB_OK, "%s", err);
    eb_plot_list list;
    cr_assert_eq(eb_plot_write(reps, 2, out, EB_PLOT_PNG, &list, err, sizeof err), EB_OK, "%s",
                 err);
    /* 4 histograms, 2 profiles, 2 variants, 1 targets */
    cr_assert_eq(list.n, 9, "got %zu plots", list.n);
    const char *want[] = {"latency_host_mobilenet_v1_int8", "profile_host_mobilenet_v1_int8",
                          "variants_host_mobilenet_v1", "variants_rpi4_mobilenet_v1", "targets"};
    for (size_t w = 0; w < 5; w++) {
        char gp[300], dat[300];
        snprintf(gp, sizeof gp, "%s.gp", want[w]);
        snprintf(dat, sizeof dat, "%s.dat", want[w]);
        cr_assert(exists(out, gp) && exists(out, dat), "%s missing", want[w]);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", out, gp);
        char *text = fx_slurp(path);
        cr_assert(strstr(text, "noenhanced") != NULL, "%s: underscores must stay literal", gp);
        cr_assert(strstr(text, "set title") || strstr(text, "multiplot"), "%s has a title", gp);
        cr_assert(strstr(text, "(ms") != NULL || strstr(text, "ms per inference") != NULL ||
                      strstr(text, "(ms)") != NULL,
                  "%s names its unit", gp);
        free(text);
    }
    /* the histogram's bins hold every sample (no far outliers in this set) */
    char path[1024];
    snprintf(path, sizeof path, "%s/latency_host_mobilenet_v1_int8.dat", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[256];
    double total = 0, centre, count;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%lf %lf", &centre, &count) == 2)
            total += count;
    fclose(f);
    cr_assert_float_eq(total, 120, 1e-9);
    /* the targets table holds both reports' medians side by side */
    snprintf(path, sizeof path, "%s/targets.dat", out);
    char *t = fx_slurp(path);
    cr_assert(strstr(t, "\"mobilenet_v1_int8\"") != NULL);
    free(t);
    if (gnuplot_available()) {
        cr_assert_eq(eb_plot_render(out, &list, err, sizeof err), EB_OK, "%s", err);
        for (size_t i = 0; i < list.n; i++) {
            snprintf(path, sizeof path, "%s/%s", out, list.items[i].image);
            FILE *png = fopen(path, "rb");
            cr_assert_not_null(png, "%s was not rendered", list.items[i].image);
            unsigned char magic[8] = {0};
            cr_assert_eq(fread(magic, 1, 8, png), 8);
            fclose(png);
            cr_assert(magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G', "%s is not a PNG",
                      list.items[i].image);
        }
    }
    eb_plot_list_free(&list);
    eb_report_free(&reps[0]);
    eb_report_free(&reps[1]);
}

Test(plot, svg_format)
{
    char host[256], rpi4[256], out[300];
    write_reports(host, rpi4, sizeof host);
    snprintf(out, sizeof out, "%s/svg", dir);
    char *argv[] = {"plot", host, "-o", out, "--format", "svg"};
    int rc = eb_cmd_plot(6, argv);
    if (!gnuplot_available()) {
        cr_assert_eq(rc, EB_EXIT_USAGE);
        return;
    }
    cr_assert_eq(rc, EB_EXIT_OK);
    char path[400];
    snprintf(path, sizeof path, "%s/variants_host_mobilenet_v1.svg", out);
    char *svg = fx_slurp(path);
    cr_assert_not_null(svg);
    cr_assert(strstr(svg, "<svg") != NULL);
    cr_assert(strstr(svg, "mobilenet_v1 on host") != NULL, "the title is in the SVG text");
    free(svg);
}

Test(plot, gnuplot_missing_still_writes_data_and_scripts)
{
    char host[256], rpi4[256], out[300], empty[300];
    write_reports(host, rpi4, sizeof host);
    snprintf(out, sizeof out, "%s/nognuplot", dir);
    snprintf(empty, sizeof empty, "%s/emptybin", dir);
    mkdir(empty, 0755);
    char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", empty, 1);
    eb_report rep;
    char err[512];
    cr_assert_eq(eb_report_read(host, &rep, err, sizeof err), EB_OK);
    eb_plot_list list;
    cr_assert_eq(eb_plot_write(&rep, 1, out, EB_PLOT_PNG, &list, err, sizeof err), EB_OK);
    eb_status st = eb_plot_render(out, &list, err, sizeof err);
    char *argv[] = {"plot", host, rpi4, "-o", out};
    int rc = eb_cmd_plot(5, argv);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    cr_assert_eq(st, EB_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "gnuplot is not installed") != NULL, "%s", err);
    cr_assert(strstr(err, out) != NULL, "the error says where the scripts are: %s", err);
    cr_assert_eq(rc, EB_EXIT_USAGE);
    cr_assert(exists(out, "latency_host_mobilenet_v1_int8.gp"));
    cr_assert(exists(out, "latency_host_mobilenet_v1_int8.dat"));
    cr_assert(exists(out, "targets.gp"));
    cr_assert(!exists(out, "latency_host_mobilenet_v1_int8.png"));
    cr_assert(!exists(out, "gnuplot.log"));
    eb_plot_list_free(&list);
    eb_report_free(&rep);
}

Test(plot, bad_input_exits_two)
{
    char *a1[] = {"plot", "/nonexistent.json", "-o", dir};
    cr_assert_eq(eb_cmd_plot(4, a1), EB_EXIT_USAGE);
    char *a2[] = {"plot", "x.json"};
    cr_assert_eq(eb_cmd_plot(2, a2), EB_EXIT_USAGE);
    char *a3[] = {"plot", "x.json", "-o", dir, "--format", "gif"};
    cr_assert_eq(eb_cmd_plot(6, a3), EB_EXIT_USAGE);
}

Test(plot, two_reports_of_one_target_do_not_overwrite_each_other)
{
    char host[256], rpi4[256], other[256], out[300];
    write_reports(host, rpi4, sizeof host);
    /* a second host report, kernels ref */
    double s[60];
    fx_samples(s, 60, 30, 0.03, 0.01, 9);
    fx_result r = {.target = "host", .model = "mobilenet_v1", .variant = "int8", .samples = s,
                   .n = 60};
    char *j = fx_report(&r, 1, "CPU", "ref", 1);
    snprintf(other, sizeof other, "%s/host_ref.json", dir);
    fx_write(other, j);
    free(j);
    snprintf(out, sizeof out, "%s/two", dir);
    char *argv[] = {"plot", host, other, "-o", out, "--no-render"};
    cr_assert_eq(eb_cmd_plot(6, argv), EB_EXIT_OK);
    cr_assert(exists(out, "latency_host_auto_mobilenet_v1_int8.gp"));
    cr_assert(exists(out, "latency_host_ref_mobilenet_v1_int8.gp"));
    char path[400];
    snprintf(path, sizeof path, "%s/targets.gp", out);
    char *gp = fx_slurp(path);
    cr_assert(gp && strstr(gp, "host, kernels ref") && strstr(gp, "host, kernels auto"));
    free(gp);
}

/* Every line of a script edgebench writes: a comment, a command edgebench itself issues,
 * or a continuation of its plot command. Nothing from a report may start a line. */
static void assert_script_lines_are_ours(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[8192];
    static const char *const starts[] = {"# ", "set ", "unset ", "plot ", "     "};
    while (fgets(line, sizeof line, f)) {
        bool ok = false;
        for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
            ok = ok || !strncmp(line, starts[i], strlen(starts[i]));
        cr_assert(ok, "%s: a line edgebench did not write: %s", path, line);
        /* gnuplot substitutes backquotes everywhere but in single-quoted strings */
        bool quoted = false;
        for (const char *c = line; *c; c++) {
            if (*c == '\'')
                quoted = !quoted;
            cr_assert(quoted || *c != '`', "%s: a backquote gnuplot would run: %s", path, line);
        }
    }
    fclose(f);
}

/* Found by hand: a result name carrying a newline and `system "..."` ran that shell
 * command when the report was plotted (the name reached the script's header comment),
 * and a backquoted command ran from inside any double-quoted title. A report from an
 * untrusted source (a pull request's CI artifact) executed code on the plotting machine. */
Test(plot, report_strings_cannot_run_commands)
{
    char marker[200], marker2[200], marker3[200];
    snprintf(marker, sizeof marker, "%s/pwned_newline", dir);
    snprintf(marker2, sizeof marker2, "%s/pwned_backquote", dir);
    snprintf(marker3, sizeof marker3, "%s/pwned_target", dir);
    char model[512], variant[512], target[400];
    snprintf(model, sizeof model, "m\nsystem \"touch %s\"\nx", marker);
    snprintf(variant, sizeof variant, "int8`touch %s`'\"\\\r!", marker2);
    snprintf(target, sizeof target, "t`touch %s`", marker3);
    double s[2][40];
    fx_samples(s[0], 40, 10, 0.03, 0.01, 1);
    fx_samples(s[1], 40, 12, 0.03, 0.01, 2);
    fx_result r[2] = {{.target = target, .model = model, .variant = variant, .samples = s[0],
                       .n = 40, .profile_json = profile},
                      {.target = target, .model = model, .variant = "fp32", .samples = s[1],
                       .n = 40}};
    char path[1024], path2[300], out[300];
    snprintf(path, sizeof path, "%s/evil.json", dir);
    snprintf(path2, sizeof path2, "%s/evil2.json", dir);
    snprintf(out, sizeof out, "%s/evilplots", dir);
    char *j = fx_report(r, 2, "CPU`touch /nonexistent`", "auto", 1);
    cr_assert_not_null(j);
    fx_write(path, j);
    fx_write(path2, j);
    free(j);
    char *argv[] = {"plot", path, path2, "-o", out, "--no-render"};
    cr_assert_eq(eb_cmd_plot(6, argv), EB_EXIT_OK);
    eb_report reps[2];
    char err[512];
    cr_assert_eq(eb_report_read(path, &reps[0], err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_report_read(path2, &reps[1], err, sizeof err), EB_OK, "%s", err);
    eb_plot_list list;
    cr_assert_eq(eb_plot_write(reps, 2, out, EB_PLOT_SVG, &list, err, sizeof err), EB_OK, "%s",
                 err);
    cr_assert_geq(list.n, 5);
    for (size_t i = 0; i < list.n; i++) {
        snprintf(path, sizeof path, "%s/%s", out, list.items[i].script);
        assert_script_lines_are_ours(path);
    }
    if (gnuplot_available())
        cr_assert_eq(eb_plot_render(out, &list, err, sizeof err), EB_OK, "%s", err);
    struct stat st;
    cr_assert_neq(stat(marker, &st), 0, "the newline in a name ran a command");
    cr_assert_neq(stat(marker2, &st), 0, "a backquote in a name ran a command");
    cr_assert_neq(stat(marker3, &st), 0, "a backquote in a target name ran a command");
    eb_plot_list_free(&list);
    eb_report_free(&reps[0]);
    eb_report_free(&reps[1]);
}

/* Found by fuzz/fuzz_report.c: result names that differ only in characters file names
 * cannot hold ("m#int8" and "m_int8"), or the same model twice in one run, gave their
 * plots the same file names, and the second overwrote the first without a word. */
Test(plot, results_whose_names_map_to_one_file_name_keep_their_plots)
{
    double s[3][40];
    for (int i = 0; i < 3; i++)
        fx_samples(s[i], 40, 10 + i, 0.03, 0.01, (uint64_t)i + 1);
    fx_result r[3] = {{.target = "host", .model = "m", .variant = "int8", .samples = s[0], .n = 40},
                      {.target = "host", .model = "m#", .variant = "int8", .samples = s[1],
                       .n = 40},
                      {.target = "host", .model = "m", .variant = "int8", .samples = s[2],
                       .n = 40}};
    /* names: "m_int8", "m#_int8" -> m__int8 ... make the second collide exactly */
    char path[300], out[300];
    snprintf(path, sizeof path, "%s/collide.json", dir);
    snprintf(out, sizeof out, "%s/collide", dir);
    char *j = fx_report(r, 3, "CPU", "auto", 1);
    /* rename result 1 to "m#int8": safe_name makes it m_int8 like the others */
    char *at = strstr(j, "\"m#_int8\"");
    cr_assert_not_null(at);
    memmove(at + 3, at + 4, strlen(at + 4) + 1); /* drop the '_' */
    fx_write(path, j);
    free(j);
    eb_report rep;
    char err[512];
    cr_assert_eq(eb_report_read(path, &rep, err, sizeof err), EB_OK, "%s", err);
    cr_assert_str_eq(rep.results[1].name, "m#int8");
    eb_plot_list list;
    cr_assert_eq(eb_plot_write(&rep, 1, out, EB_PLOT_SVG, &list, err, sizeof err), EB_OK, "%s",
                 err);
    cr_assert_geq(list.n, 3, "three histograms (and the variants of m)");
    for (size_t a = 0; a < list.n; a++)
        for (size_t b = a + 1; b < list.n; b++) {
            cr_assert_str_neq(list.items[a].script, list.items[b].script);
            cr_assert_str_neq(list.items[a].data, list.items[b].data);
            cr_assert_str_neq(list.items[a].image, list.items[b].image);
        }
    for (size_t i = 0; i < list.n; i++)
        cr_assert(exists(out, list.items[i].script) && exists(out, list.items[i].data),
                  "%s", list.items[i].script);
    eb_plot_list_free(&list);
    eb_report_free(&rep);
}
