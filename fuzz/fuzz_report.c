/* fuzz_report.c - the report reader: strict JSON (reports/json_strict.c), the schema
 * validator with the built-in schema (reports/json_schema.c), the conversion into
 * structs (reports/report_read.c), and what compare and plot do with a report that
 * passed: a comparison of the report with itself and its plot scripts,
 * whose lines must all be edgebench's own (no report string may start a gnuplot
 * command). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_compare.h"
#include "eb_plot.h"
#include "eb_report.h"
#include "fuzz_util.h"

static char plot_dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_tmpdir(plot_dir, sizeof plot_dir, "plot");
    return 0;
}

/* Every script line is a comment, a command edgebench issues or a continuation of its
 * plot command, and no backquote stands outside a single-quoted string. */
static void check_scripts(const eb_plot_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", plot_dir, l->items[i].script);
        FILE *f = fopen(path, "r");
        if (!f)
            __builtin_trap();
        char line[16384];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "# ", 2) && strncmp(line, "set ", 4) &&
                strncmp(line, "unset ", 6) && strncmp(line, "plot ", 5) &&
                strncmp(line, "     ", 5))
                __builtin_trap();
            int quoted = 0;
            for (const char *c = line; *c; c++) {
                quoted ^= *c == '\'';
                if (!quoted && *c == '`' && line[0] != '#')
                    __builtin_trap();
            }
        }
        fclose(f);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", plot_dir, l->items[i].data);
        unlink(path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    cJSON *tree = NULL;
    char err[1024] = "";
    if (eb_report_parse_bytes((const char *)data, size, &tree, err, sizeof err) != EB_OK) {
        if (tree || !err[0])
            __builtin_trap();
        return 0;
    }
    eb_report r;
    if (eb_report_from_json(tree, &r, err, sizeof err) == EB_OK) {
        char *text = eb_report_to_string(&r);
        free(text);
        /* what compare and plot do with it: the report against itself, its plots */
        eb_cmp_options o;
        eb_cmp_options_default(&o);
        o.resamples = 50;
        o.allow_missing = true;
        o.metrics = ~0u;
        eb_cmp_outcome out;
        memset(&out, 0, sizeof out);
        if (eb_compare_reports(&r, &r, &o, &out, err, sizeof err) == EB_OK) {
            FILE *devnull = fopen("/dev/null", "w");
            if (devnull) {
                eb_cmp_print_table(devnull, &out, &o);
                fclose(devnull);
            }
        }
        eb_cmp_outcome_free(&out);
        eb_plot_list l = {0};
        if (plot_dir[0] &&
            eb_plot_write(&r, 1, plot_dir, EB_PLOT_SVG, &l, err, sizeof err) == EB_OK)
            check_scripts(&l);
        eb_plot_list_free(&l);
        eb_report_free(&r);
    }
    cJSON_Delete(tree);
    return 0;
}
