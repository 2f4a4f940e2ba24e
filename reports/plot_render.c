/* plot_render.c - runs gnuplot on the scripts plot.c wrote (eb_plot.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eb_plot.h"

/* Runs `gnuplot script` in dir with stderr appended to log_fd. Returns 0 when gnuplot
 * ran and succeeded, 1 when it failed, -1 (with errno) when it could not be started. */
static int run_gnuplot(const char *dir, const char *script, int log_fd)
{
    int pfd[2]; /* reports exec failure: the child writes errno, CLOEXEC closes it on success */
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(pfd[0]);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        dup2(log_fd, STDERR_FILENO);
        int e = 0;
        if (chdir(dir) != 0) {
            e = errno;
        } else {
            execlp("gnuplot", "gnuplot", script, (char *)NULL);
            e = errno;
        }
        if (write(pfd[1], &e, sizeof e) != (ssize_t)sizeof e)
            _exit(126);
        _exit(127);
    }
    close(pfd[1]);
    int child_errno = 0;
    ssize_t got;
    do
        got = read(pfd[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof child_errno) {
        errno = child_errno;
        return -1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

eb_status eb_plot_render(const char *dir, const eb_plot_list *list, char *err, size_t errlen)
{
    char log[4096];
    snprintf(log, sizeof log, "%s/gnuplot.log", dir);
    int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (log_fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", log, strerror(errno));
        return EB_ERR_IO;
    }
    eb_status st = EB_OK;
    for (size_t i = 0; i < list->n && st == EB_OK; i++) {
        int rc = run_gnuplot(dir, list->items[i].script, log_fd);
        if (rc < 0) {
            int e = errno;
            if (e == ENOENT)
                snprintf(err, errlen,
                         "gnuplot is not installed or not on PATH; the data and scripts are in "
                         "'%s' (install gnuplot-nox, then run 'gnuplot <name>.gp' there)", dir);
            else
                snprintf(err, errlen, "cannot start gnuplot (%s); the data and scripts are in '%s'",
                         strerror(e), dir);
            st = EB_ERR_UNSUPPORTED;
        } else if (rc > 0) {
            snprintf(err, errlen, "gnuplot failed on '%s/%s' (its messages are in '%s')", dir,
                     list->items[i].script, log);
            st = EB_ERR_IO;
        }
    }
    close(log_fd);
    if (st == EB_ERR_UNSUPPORTED)
        remove(log); /* nothing ran: an empty log would only mislead */
    return st;
}
