/* commands.c - the table of subcommands and the small helpers they share. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"

static const eb_command cmd_list = {"list", "list kernels, models or targets", eb_cmd_list};
static const eb_command cmd_export = {"export", "write a model as a .ebm model file",
                                      eb_cmd_export};
#if defined(EB_HAVE_CJSON) /* run writes JSON reports */
static const eb_command cmd_run = {"run", "measure models on a target and write a JSON report",
                                   eb_cmd_run};
#endif
static const eb_command cmd_deploy = {"deploy", "put edgebench-agent on a board (SSH), or say how",
                                      eb_cmd_deploy};
#if defined(EB_HAVE_CJSON) /* lava collect writes JSON reports */
static const eb_command cmd_lava = {"lava", "LAVA labs: write a benchmark job, collect its report",
                                    eb_cmd_lava};
#endif
static const eb_command cmd_compare = {"compare", "regression gate between two reports",
                                       eb_cmd_compare};
static const eb_command cmd_plot = {"plot", "gnuplot charts from reports", eb_cmd_plot};
static const eb_command cmd_study = {"study", "hardware-selection table: measured and predicted",
                                     eb_cmd_study};
static const eb_command cmd_abworker = {"ab-worker", "(internal) the measuring child of ab",
                                        eb_cmd_abworker};
static const eb_command cmd_ab = {"ab", "interleaved A/B gate of two builds, kernel sets or variants",
                                  eb_cmd_ab};

static const eb_command cmd_bench = {"bench", "kernel benchmark: time, GFLOP/s, % of peak, vs ref",
                                     eb_cmd_bench};

const eb_command *const eb_commands[] = {
#if defined(EB_HAVE_CJSON) /* run writes JSON reports */
    &cmd_run,
#endif
    &cmd_list,
    &cmd_deploy,
#if defined(EB_HAVE_CJSON) /* lava collect writes JSON reports */
    &cmd_lava,
#endif
    &cmd_compare,
    &cmd_ab,
    &cmd_abworker,
    &cmd_plot,
    &cmd_study,
    &cmd_bench,
    &cmd_export,
    NULL,
};

const char *eb_version(void) { return EB_VERSION; }
const char *eb_git_revision(void) { return EB_GIT_REV; }
const char *eb_build_type(void) { return EB_BUILD_TYPE; }
const char *eb_compiler(void) { return EB_COMPILER; }
const char *eb_cflags(void) { return EB_CFLAGS; }

bool eb_sanitized_build(void)
{
#if defined(EB_SANITIZED)
    return true;
#else
    return false;
#endif
}

void eb_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("edgebench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void eb_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("edgebench: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool eb_parse_int(const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < min || v > max) {
        eb_error("%s expects a whole number from %ld to %ld, got '%s'", opt, min, max,
                 s ? s : "");
        return false;
    }
    *out = v;
    return true;
}

bool eb_parse_double(const char *opt, const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || errno || !isfinite(v) || v < min || v > max) {
        eb_error("%s expects a number from %g to %g, got '%s'", opt, min, max, s ? s : "");
        return false;
    }
    *out = v;
    return true;
}
