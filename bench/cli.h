/* cli.h - the edgebench command line: subcommands, shared option helpers, exit codes.
 *
 * Exit status: 0 ok, 1 a gate failed (regression found), 2 usage or input error.
 * Every error is one sentence on stderr, prefixed "edgebench: ". */
#ifndef EB_CLI_H
#define EB_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_dispatch.h"

#define EB_EXIT_OK 0
#define EB_EXIT_GATE 1
#define EB_EXIT_USAGE 2

typedef struct {
    const char *name;    /* "run", "list", ... */
    const char *summary; /* one line for `edgebench --help` */
    int (*main)(int argc, char **argv); /* argv[0] is the subcommand name */
} eb_command;

/* Every subcommand, in --help order; NULL-terminated. Defined in commands.c. */
extern const eb_command *const eb_commands[];

const char *eb_version(void);      /* "0.1.0" */
const char *eb_git_revision(void); /* `git describe` at configure time */
const char *eb_build_type(void);
const char *eb_compiler(void);
const char *eb_cflags(void);
bool eb_sanitized_build(void);

/* Prints "edgebench: <message>\n" to stderr (printf format). */
void eb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void eb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing for options: whole string, in range; on failure prints
 * "edgebench: --opt expects ..." and returns false. */
bool eb_parse_int(const char *opt, const char *s, long min, long max, long *out);
bool eb_parse_double(const char *opt, const char *s, double min, double max, double *out);

int eb_cmd_list(int argc, char **argv);
int eb_cmd_export(int argc, char **argv);
/* `list models` (list_models.c); arch NULL: every architecture. */
int eb_list_models(eb_kset kset, bool fidelity, const char *arch);
int eb_cmd_run(int argc, char **argv);
int eb_cmd_deploy(int argc, char **argv); /* cmd_deploy.c */
int eb_cmd_lava(int argc, char **argv);   /* cmd_lava.c */
int eb_list_targets(void); /* `edgebench list targets` */
int eb_cmd_compare(int argc, char **argv);
int eb_cmd_plot(int argc, char **argv);
int eb_cmd_ab(int argc, char **argv);
int eb_cmd_abworker(int argc, char **argv);
int eb_cmd_study(int argc, char **argv);
int eb_cmd_bench(int argc, char **argv); /* bench kernels (cmd_bench_kernels.c) */

/* "5", "5%" -> 0.05 (percent options); prints the error like eb_parse_double. */
bool eb_parse_percent(const char *opt, const char *s, double max_pct, double *frac);

#endif
