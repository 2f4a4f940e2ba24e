/* cmd_plot.c - `edgebench plot REPORT.json... -o DIR [--format png|svg]`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eb_plot.h"

static void plot_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench plot REPORT.json... -o DIR [--format png|svg] [--no-render]\n\n"
            "Writes gnuplot data (.dat) and scripts (.gp) into DIR and renders them:\n"
            "  latency_<target>_<result>   latency histogram with median, p90 and p99 marked\n"
            "  profile_<target>_<result>   time per layer (reports made with --profile)\n"
            "  confusion_<target>_<result> confusion matrix as a heat map (reports made with --dataset)\n"
            "  variants_<target>_<model>   variants side by side: latency, size, fidelity\n"
            "  targets                     several reports: median latency per target, with CI\n"
            "Without gnuplot the data and scripts are still written (exit status 2).\n\n"
            "  -o, --out DIR     output directory (created if missing)\n"
            "  --format F        png (default) or svg\n"
            "  --no-render       write data and scripts only\n");
}

int eb_cmd_plot(int argc, char **argv)
{
    const char *dir = NULL;
    eb_plot_format fmt = EB_PLOT_PNG;
    bool render = true;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    int rc = EB_EXIT_USAGE;
    eb_report *reps = NULL;
    size_t nreps = 0;
    eb_plot_list list = {0};
    if (!files) {
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            plot_usage(stdout);
            rc = EB_EXIT_OK;
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (!v) {
                eb_error("%s needs a directory", a);
                goto done;
            }
            dir = v;
            i++;
        } else if (!strcmp(a, "--format")) {
            if (v && !strcmp(v, "png")) {
                fmt = EB_PLOT_PNG;
            } else if (v && !strcmp(v, "svg")) {
                fmt = EB_PLOT_SVG;
            } else {
                eb_error("--format expects png or svg, got '%s'", v ? v : "");
                goto done;
            }
            i++;
        } else if (!strcmp(a, "--no-render")) {
            render = false;
        } else if (a[0] == '-' && a[1]) {
            eb_error("unknown option '%s' for plot; see 'edgebench plot --help'", a);
            goto done;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles || !dir) {
        eb_error("plot needs at least one report and an output directory: edgebench plot "
                 "REPORT.json... -o DIR");
        goto done;
    }
    reps = calloc(nfiles, sizeof *reps);
    if (!reps) {
        eb_error("out of memory");
        goto done;
    }
    char err[1024];
    for (size_t i = 0; i < nfiles; i++) {
        if (eb_report_read(files[i], &reps[i], err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            goto done;
        }
        nreps++;
    }
    if (eb_plot_write(reps, nreps, dir, fmt, &list, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    if (render && eb_plot_render(dir, &list, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    for (size_t i = 0; i < list.n; i++)
        printf("%s/%s  %s%s\n", dir, render ? list.items[i].image : list.items[i].script,
               list.items[i].what, render ? "" : " (script; not rendered)");
    rc = EB_EXIT_OK;
done:
    for (size_t i = 0; i < nreps; i++)
        eb_report_free(&reps[i]);
    free(reps);
    free(files);
    eb_plot_list_free(&list);
    return rc;
}
