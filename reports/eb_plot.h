/* eb_plot.h - gnuplot data files and scripts from reports, and their rendering.
 *
 * Every plot is a pair <name>.dat + <name>.gp in the output directory; the script
 * renders <name>.png (or .svg) when run from that directory (`gnuplot <name>.gp`), so a
 * user can edit and re-render without edgebench. */
#ifndef EB_PLOT_H
#define EB_PLOT_H

#include <stddef.h>

#include "eb_report.h"
#include "eb_status.h"

typedef enum { EB_PLOT_PNG = 0, EB_PLOT_SVG } eb_plot_format;

typedef struct {
    char script[340]; /* file names inside the output directory */
    char data[340];
    char image[340];
    char what[400];   /* one line: "latency histogram of mobilenet_v1_int8 on host" */
} eb_plot_item;

typedef struct {
    eb_plot_item *items;
    size_t n;
} eb_plot_list;

/* Writes the data and scripts of every plot the reports support into dir (created if
 * missing): a latency histogram per result, a per-layer breakdown per result with a
 * profile, variants side by side per (target, model) with two or more variants, and
 * targets side by side when the reports cover two or more targets. */
eb_status eb_plot_write(const eb_report *reports, size_t n, const char *dir,
                        eb_plot_format fmt, eb_plot_list *out, char *err, size_t errlen);

/* Runs `gnuplot` (found on PATH) on every script, from dir. EB_ERR_UNSUPPORTED when
 * gnuplot cannot be started (not installed); EB_ERR_IO when a script fails (err holds
 * gnuplot's first message; its whole output is in dir/gnuplot.log). */
eb_status eb_plot_render(const char *dir, const eb_plot_list *list, char *err, size_t errlen);

void eb_plot_list_free(eb_plot_list *l);

#endif
