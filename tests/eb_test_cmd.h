/* eb_test_cmd.h - run an edgebench command function in-process with its stdout and
 * stderr captured, for the command tests. */
#ifndef EB_TEST_CMD_H
#define EB_TEST_CMD_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int rc;
    char *out; /* captured stdout (malloc'd) */
    char *err; /* captured stderr (malloc'd) */
} eb_cmd_capture;

static inline char *eb_test_read_fd(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)(n > 0 ? n : 0) + 1);
    size_t got = n > 0 ? fread(b, 1, (size_t)n, f) : 0;
    b[got] = 0;
    return b;
}

/* Calls fn(argc, argv) with argv = {args..., NULL}; the list ends with NULL. */
static inline eb_cmd_capture eb_test_cmd(int (*fn)(int, char **), const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    FILE *fo = tmpfile(), *fe = tmpfile();
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    eb_cmd_capture c;
    c.rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    fseek(fo, 0, SEEK_END);
    fseek(fe, 0, SEEK_END);
    c.out = eb_test_read_fd(fo);
    c.err = eb_test_read_fd(fe);
    fclose(fo);
    fclose(fe);
    return c;
}

static inline void eb_test_cmd_free(eb_cmd_capture *c)
{
    free(c->out);
    free(c->err);
}

/* A fresh empty folder under /tmp (path written to buf). */
static inline void eb_test_tmpdir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/eb_test_XXXXXX");
    if (!mkdtemp(buf))
        buf[0] = 0;
}

#endif
