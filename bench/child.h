/* child.h - runs another program (usually an edgebench binary) and collects its output,
 * for `ab` and `study`. */
#ifndef EB_CHILD_H
#define EB_CHILD_H

#include <stddef.h>

#include "eb_status.h"

typedef struct {
    char *out;       /* stdout, NUL-terminated (free it) */
    size_t out_len;
    char err[2048];  /* the last part of stderr, NUL-terminated */
    int exit_code;   /* -1: killed by a signal or the timeout */
    int timed_out;
} eb_child_result;

/* Runs argv[0] (looked up on PATH when it has no '/') with argv, stdin from /dev/null.
 * Waits at most timeout_s seconds, then kills it. EB_ERR_IO when it cannot be started
 * (err says why); otherwise EB_OK with the exit code in res (free res->out). */
eb_status eb_child_run(char *const argv[], double timeout_s, eb_child_result *res, char *err,
                       size_t errlen);

/* The running executable's path (/proc/self/exe), for children of the same build. */
const char *eb_self_exe(void);

#endif
