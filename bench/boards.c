/* boards.c - several boards measured at once by child `edgebench run` processes. */
#include "boards.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void eb_progress_line(bool final, const char *fmt, ...)
{
    static int64_t last;
    int64_t t = now_ms();
    if (!final && t - last < 200)
        return;
    last = t;
    va_list ap;
    va_start(ap, fmt);
    fputs(EB_PROGRESS_PREFIX, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(ap);
}

static void start(eb_board_job *j)
{
    j->exit_code = -1;
    j->error[0] = j->progress[0] = '\0';
    j->len = 0;
    j->pid = -1;
    j->fd = -1;
    j->start_ms = now_ms();
    snprintf(j->progress, sizeof j->progress, "starting");
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(j->error, sizeof j->error, "cannot create a pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(j->error, sizeof j->error, "cannot start a worker: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return;
    }
    if (pid == 0) {
        /* same process group: a Ctrl-C on the terminal reaches every worker, which then
         * writes what it measured */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        dup2(p[1], STDERR_FILENO);
        execv(j->argv[0], j->argv);
        fprintf(stderr, "edgebench: cannot start %s: %s\n", j->argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    j->pid = pid;
    j->fd = p[0];
}

/* One line the child wrote to stderr. */
static void take_line(eb_board_job *j, char *line)
{
    size_t pl = strlen(EB_PROGRESS_PREFIX);
    if (!strncmp(line, EB_PROGRESS_PREFIX, pl)) {
        snprintf(j->progress, sizeof j->progress, "%s", line + pl);
        return;
    }
    const char *e = "edgebench: ";
    if (!strncmp(line, e, strlen(e)) && strncmp(line + strlen(e), "warning: ", 9))
        snprintf(j->error, sizeof j->error, "%s", line + strlen(e));
}

static void drain(eb_board_job *j)
{
    for (;;) {
        ssize_t got = read(j->fd, j->buf + j->len, sizeof j->buf - 1 - j->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            close(j->fd);
            j->fd = -1;
            return;
        }
        j->len += (size_t)got;
        j->buf[j->len] = '\0';
        char *nl, *s = j->buf;
        while ((nl = strchr(s, '\n'))) {
            *nl = '\0';
            take_line(j, s);
            s = nl + 1;
        }
        j->len -= (size_t)(s - j->buf);
        memmove(j->buf, s, j->len);
        if (j->len == sizeof j->buf - 1) /* a line too long to matter: drop it */
            j->len = 0;
        return;
    }
}

static const char *state(const eb_board_job *j, char *buf, size_t cap)
{
    if (j->pid > 0)
        return j->progress;
    if (j->exit_code == 0)
        snprintf(buf, cap, "done in %.1f s", (double)j->wall_ms / 1000);
    else if (j->exit_code == 130)
        snprintf(buf, cap, "interrupted after %.1f s", (double)j->wall_ms / 1000);
    else
        snprintf(buf, cap, "failed after %.1f s: %s", (double)j->wall_ms / 1000,
                 j->error[0] ? j->error : "the worker ended without saying why");
    return buf;
}

static void draw(const eb_board_job *jobs, size_t n, FILE *out, bool redraw)
{
    if (redraw)
        fprintf(out, "\033[%zuA", n);
    for (size_t i = 0; i < n; i++) {
        char buf[700];
        fprintf(out, "\r\033[K  %-14s %.100s\n", jobs[i].label, state(&jobs[i], buf, sizeof buf));
    }
    fflush(out);
}

void eb_boards_run(eb_board_job *jobs, size_t n, FILE *out, bool tty, double timeout_s,
                   const volatile sig_atomic_t *stop)
{
    for (size_t i = 0; i < n; i++)
        start(&jobs[i]);
    if (tty && out)
        draw(jobs, n, out, false);
    bool signalled = false;
    int64_t drawn = now_ms();
    for (;;) {
        struct pollfd p[EB_BOARDS_MAX];
        size_t idx[EB_BOARDS_MAX], np = 0, running = 0;
        for (size_t i = 0; i < n; i++) {
            if (jobs[i].pid > 0)
                running++;
            if (jobs[i].fd >= 0) {
                p[np] = (struct pollfd){.fd = jobs[i].fd, .events = POLLIN};
                idx[np++] = i;
            }
        }
        if (!running)
            break;
        if (np)
            poll(p, np, 200);
        else
            usleep(20000);
        for (size_t k = 0; k < np; k++)
            if (p[k].revents)
                drain(&jobs[idx[k]]);
        if (stop && *stop && !signalled) {
            signalled = true;
            for (size_t i = 0; i < n; i++)
                if (jobs[i].pid > 0)
                    kill(jobs[i].pid, SIGINT);
        }
        for (size_t i = 0; i < n; i++) {
            eb_board_job *j = &jobs[i];
            if (j->pid <= 0)
                continue;
            int64_t age = now_ms() - j->start_ms;
            if (age > (int64_t)(timeout_s * 1000)) {
                kill(j->pid, SIGKILL);
                snprintf(j->error, sizeof j->error, "no result within %.0f s; stopped", timeout_s);
            }
            int status;
            if (waitpid(j->pid, &status, WNOHANG) != j->pid)
                continue;
            /* what it wrote before it ended is in the pipe (a program it started may
             * hold the pipe open longer: do not wait for the end of it) */
            while (j->fd >= 0) {
                struct pollfd q = {.fd = j->fd, .events = POLLIN};
                if (poll(&q, 1, 0) <= 0) {
                    close(j->fd);
                    j->fd = -1;
                } else {
                    drain(j);
                }
            }
            j->pid = -1;
            j->wall_ms = age;
            j->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            if (WIFSIGNALED(status) && !j->error[0])
                snprintf(j->error, sizeof j->error, "the worker died of signal %d",
                         WTERMSIG(status));
            if (out && !tty) {
                char buf[700];
                fprintf(out, "  %-14s %s\n", j->label, state(j, buf, sizeof buf));
                fflush(out);
            }
        }
        if (tty && out && now_ms() - drawn >= 100) {
            draw(jobs, n, out, true);
            drawn = now_ms();
        }
    }
    if (tty && out)
        draw(jobs, n, out, true);
}
