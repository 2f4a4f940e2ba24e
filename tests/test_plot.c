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
