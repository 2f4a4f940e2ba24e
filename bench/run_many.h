/* run_many.h - `edgebench run --target a,b,c` (run_many.c). */
#ifndef EB_RUN_MANY_H
#define EB_RUN_MANY_H

#include <stdbool.h>

/* Measures on every target of the comma-separated list: the boards at once, one child
 * `run` each, then the local targets alone; one report per target (out_dir/<target>.json,
 * or reports/out/), and a line per result. argv is the `run` command line, passed on to
 * the children without --target, --out and --json. Exit status: 0 all complete, 2 some
 * target failed (the others' reports are kept), 130 interrupted. */
int eb_run_many(int argc, char **argv, const char *targets, const char *out_dir, bool json,
                bool quiet, bool emulate, bool single_board_option);

#endif
