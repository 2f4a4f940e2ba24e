/* child.c - fork/exec with stdout and stderr collected through pipes, and a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"

#define EB_CHILD_MAX_OUT ((size_t)512 << 20)

const char *eb_self_exe(void)
{
    static char path[4096];
    if (!path[0]) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0)
            snprintf(path, sizeof path, "edgebench");
        else
            path[n] = 0;
    }
    return path;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

eb_status eb_child_run(char *const argv[], double timeout_s, eb_child_result *res, char *err,
                       size_t errlen)
{
    memset(res, 0, sizeof *res);
    int po[2], pe[2], px[2]; /* stdout, stderr, exec failure */
    if (pipe2(po, O_CLOEXEC) != 0)
        goto pipe_fail;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        goto pipe_fail;
    }
    if (pipe2(px, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        goto pipe_fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start '%s': %s", argv[0], strerror(errno));
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]), close(px[0]), close(px[1]);
        return EB_ERR_IO;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(po[1], STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        execvp(argv[0], argv);
        int e = errno;
        if (write(px[1], &e, sizeof e) != (ssize_t)sizeof e)
            _exit(126);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    close(px[1]);
    int child_errno = 0;
    ssize_t got;
    do
        got = read(px[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(px[0]);
    if (got == (ssize_t)sizeof child_errno) {
        close(po[0]);
        close(pe[0]);
        waitpid(pid, NULL, 0);
        snprintf(err, errlen, "cannot run '%s': %s", argv[0], strerror(child_errno));
        return EB_ERR_IO;
    }
    size_t cap = 1 << 16, len = 0, elen = 0;
    char *out = malloc(cap + 1);
    char ebuf[sizeof res->err];
    double deadline = now_s() + timeout_s;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        double left = deadline - now_s();
        if (left <= 0) {
            res->timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        int pr = poll(fds, 2, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[65536];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            if (i == 0 && out) {
                if (len + (size_t)n > cap && cap < EB_CHILD_MAX_OUT) {
                    while (len + (size_t)n > cap)
                        cap *= 2;
                    char *grown = realloc(out, cap + 1);
                    if (!grown) {
                        free(out);
                        out = NULL;
                        continue;
                    }
                    out = grown;
                }
                if (len + (size_t)n <= cap) {
                    memcpy(out + len, buf, (size_t)n);
                    len += (size_t)n;
                }
            } else if (i == 1) {
                /* keep the last part of stderr: that is where the error sentence is */
                for (ssize_t k = 0; k < n; k++) {
                    if (elen + 1 >= sizeof ebuf) {
                        memmove(ebuf, ebuf + sizeof ebuf / 2, elen - sizeof ebuf / 2);
                        elen -= sizeof ebuf / 2;
                    }
                    ebuf[elen++] = buf[k];
                }
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    ebuf[elen] = 0;
    snprintf(res->err, sizeof res->err, "%s", ebuf);
    if (!out) {
        snprintf(err, errlen, "out of memory reading the output of '%s'", argv[0]);
        return EB_ERR_NOMEM;
    }
    out[len] = 0;
    res->out = out;
    res->out_len = len;
    res->exit_code = WIFEXITED(status) && !res->timed_out ? WEXITSTATUS(status) : -1;
    return EB_OK;
pipe_fail:
    snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
    return EB_ERR_IO;
}
