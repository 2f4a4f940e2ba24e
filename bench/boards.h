/* boards.h - measuring several boards at once: one child `edgebench run` per board (a
 * board waits on its own line and clock, so boards do not disturb each other), a
 * progress line per board, and each child's outcome kept on its own: a board that fails
 * or hangs does not lose the others' results. */
#ifndef EB_BOARDS_H
#define EB_BOARDS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EB_BOARDS_MAX 16
#define EB_BOARD_MAX_ARGS 96

/* A child `run` started with this option writes its progress to stderr as lines
 * "@progress TEXT" (instead of redrawing a terminal line), for the parent to show. */
#define EB_PROGRESS_LINES_OPT "--progress-lines"
#define EB_PROGRESS_PREFIX "@progress "

typedef struct {
    const char *label;                /* the target's name */
    char *argv[EB_BOARD_MAX_ARGS + 1]; /* the child's command line, NULL-terminated */
    /* outcome */
    int exit_code;       /* the child's; -1 when it could not start or was killed */
    char error[512];     /* its last error sentence ("" when none) */
    char progress[160];  /* its latest progress */
    int64_t wall_ms;
    /* internal */
    int pid, fd;
    char buf[1024];
    size_t len;
    int64_t start_ms;
} eb_board_job;

/* Runs every job at once and returns when all have ended. On a terminal (tty) one line
 * per job is redrawn in place on out; otherwise a line is printed as each job ends.
 * timeout_s bounds each child. When *stop becomes set (Ctrl-C), the children are asked
 * to stop (SIGINT: they write what they measured) and then waited for. */
void eb_boards_run(eb_board_job *jobs, size_t n, FILE *out, bool tty, double timeout_s,
                   const volatile sig_atomic_t *stop);

/* Writes a progress line the eb_boards_run parent reads (see EB_PROGRESS_LINES_OPT),
 * at most every 200 ms unless final. */
void eb_progress_line(bool final, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
