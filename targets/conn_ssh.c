/* conn_ssh.c - boards reached with the system's OpenSSH client: the agent runs as the
 * remote command (`ssh HOST edgebench-agent --stdio`) and speaks the protocol over the
 * connection's stdin/stdout. BatchMode (never a password or host-key prompt), a connect
 * timeout and keep-alives; the user's own ssh configuration and keys otherwise. */
#include "eb_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSH_CONNECT_TIMEOUT_S 10

/* The ssh command line: options, host, then the remote command (one argument, run by
 * the board's shell). Returns the argument count; argv points into t and buf. */
static int ssh_argv(const eb_target *t, const char *host, const char *remote, char **argv,
                    int cap)
{
    static char timeout[32];
    snprintf(timeout, sizeof timeout, "ConnectTimeout=%d", SSH_CONNECT_TIMEOUT_S);
    const char *fixed[] = {"ssh", "-T", "-e", "none", "-o", "BatchMode=yes", "-o", timeout,
                           "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"};
    int n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < cap; i++)
        argv[n++] = (char *)fixed[i];
    for (int i = 0; i < t->n_ssh_options && n < cap - 4; i++)
        argv[n++] = (char *)t->ssh_options[i];
    argv[n++] = (char *)host;
    if (remote)
        argv[n++] = (char *)remote;
    argv[n] = NULL;
    return n;
}

void eb_ssh_agent_command(const eb_target *t, char *buf, size_t cap)
{
    const char *agent = t->agent_path[0] ? t->agent_path : "edgebench-agent";
    /* ~/.local/bin is where `edgebench deploy` puts it; uploaded models go to a cache
     * folder, not into the home directory */
    snprintf(buf, cap,
             "mkdir -p ~/.cache/edgebench && PATH=\"$HOME/.local/bin:$PATH\" exec %s%s%s "
             "--stdio --models-dir ~/.cache/edgebench",
             t->agent_prefix, t->agent_prefix[0] ? " " : "", agent);
}

/* Starts ssh with stdin/stdout on one end of a socketpair (returned in *fd; -1 for
 * none: stdin from in_fd) and stderr into an unlinked temporary file (*err_fd). */
static eb_status start_ssh(char **argv, int in_fd, int *fd, int *err_fd, pid_t *pid,
                           char *err, size_t errlen)
{
    int sv[2] = {-1, -1};
    if (fd && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "cannot create a socket pair: %s", strerror(errno));
        return EB_ERR_IO;
    }
    char tmpl[] = "/tmp/edgebench-ssh-XXXXXX";
    int efd = mkostemp(tmpl, O_CLOEXEC);
    if (efd >= 0)
        unlink(tmpl);
    int errpipe[2];
    if (efd < 0 || pipe2(errpipe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot start ssh: %s", strerror(errno));
        if (efd >= 0)
            close(efd);
        if (sv[0] >= 0) {
            close(sv[0]);
            close(sv[1]);
        }
        return EB_ERR_IO;
    }
    pid_t p = fork();
    if (p == 0) {
        setsid(); /* no controlling terminal: nothing can prompt; Ctrl-C reaches us only */
        int in = fd ? sv[1] : in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        if (fd)
            dup2(sv[1], 1);
        dup2(efd, 2);
        if (!fd)
            dup2(efd, 1);
        execvp(argv[0], argv);
        int e = errno;
        if (write(errpipe[1], &e, sizeof e) < 0) {
        }
        _exit(127);
    }
    close(errpipe[1]);
    if (fd)
        close(sv[1]);
    int e = 0;
    ssize_t got = p > 0 ? read(errpipe[0], &e, sizeof e) : 0;
    close(errpipe[0]);
    if (p < 0 || got == (ssize_t)sizeof e) {
        if (p > 0)
            waitpid(p, NULL, 0);
        snprintf(err, errlen, "cannot start ssh: %s%s", strerror(p < 0 ? errno : e),
                 e == ENOENT ? " (install openssh-client; scripts/bootstrap.sh does)" : "");
        close(efd);
        if (fd)
            close(sv[0]);
        return EB_ERR_IO;
    }
    if (fd)
        *fd = sv[0];
    *err_fd = efd;
    *pid = p;
    return EB_OK;
}

eb_status eb_conn_open_ssh(eb_conn *c, const eb_target *t, const char *host, char *err,
                           size_t errlen)
{
    eb_conn_init(c);
    snprintf(c->port, sizeof c->port, "%s", host);
    snprintf(c->ssh_host, sizeof c->ssh_host, "%s", host);
    snprintf(c->transport, sizeof c->transport, "ssh");
    char remote[600];
    eb_ssh_agent_command(t, remote, sizeof remote);
    char *argv[48];
    ssh_argv(t, host, remote, argv, 44);
    size_t hl = 0;
    for (int i = 0; argv[i]; i++)
        hl += (size_t)snprintf(c->how + hl, hl < sizeof c->how ? sizeof c->how - hl : 0,
                               "%s%s", i ? " " : "", argv[i]);
    return start_ssh(argv, -1, &c->fd, &c->err_fd, &c->child, err, errlen);
}

/* The last non-empty line ssh (or the remote shell) wrote, into buf. */
static void last_line(const char *text, char *buf, size_t cap)
{
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(buf, cap, "%.*s", (int)(end - start), start);
}

static void read_errors(int fd, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (fd < 0)
        return;
    ssize_t n = pread(fd, buf, cap - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
}

void eb_conn_ssh_stderr(const eb_conn *c, char *buf, size_t cap)
{
    char all[4096];
    read_errors(c->err_fd, all, sizeof all);
    last_line(all, buf, cap);
}

/* Waits up to ms for the ssh child to end; its exit status or -1 while it runs. */
static int wait_exit(eb_conn *c, int ms)
{
    for (int waited = 0; c->child > 0; waited += 20) {
        int status;
        pid_t w = waitpid(c->child, &status, WNOHANG);
        if (w == c->child) {
            c->child = 0;
            c->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return c->exit_status;
        }
        if (waited >= ms)
            return -1;
        usleep(20000);
    }
    return c->exit_status;
}

void eb_conn_ssh_diagnose(eb_conn *c, const char *target_name, char *err, size_t errlen)
{
    int code = wait_exit(c, 3000);
    char all[4096];
    read_errors(c->err_fd, all, sizeof all);
    eb_ssh_explain(all, code, c->ssh_host, target_name, err, errlen);
}

void eb_ssh_explain(const char *all, int code, const char *h, const char *target_name,
                    char *err, size_t errlen)
{
    char last[300];
    last_line(all, last, sizeof last);
    if (strstr(all, "REMOTE HOST IDENTIFICATION HAS CHANGED"))
        snprintf(err, errlen, "the host key of %s has changed since your ssh last saw it; if "
                 "the board was reinstalled, remove the old key with 'ssh-keygen -R HOST' "
                 "and connect once with 'ssh %s' to accept the new one", h, h);
    else if (strstr(all, "Host key verification failed") || strstr(all, "host key is known"))
        snprintf(err, errlen, "the host key of %s is unknown to your ssh (edgebench never "
                 "accepts one by itself); connect once with 'ssh %s' to check and accept it",
                 h, h);
    else if (strstr(all, "Permission denied"))
        snprintf(err, errlen, "%s refused the login (%s); edgebench logs in with your ssh "
                 "keys only, never a password: install your key with 'ssh-copy-id %s'", h,
                 last, h);
    else if (strstr(all, "Connection refused"))
        snprintf(err, errlen, "nothing accepts SSH connections at %s (connection refused); is "
                 "sshd running on the board and is this its address and port?", h);
    else if (strstr(all, "Could not resolve hostname"))
        snprintf(err, errlen, "cannot resolve the host name of %s (%s)", h, last);
    else if (strstr(all, "timed out"))
        snprintf(err, errlen, "%s did not answer within %d s (%s); is the board on and on "
                 "this network?", h, SSH_CONNECT_TIMEOUT_S, last);
    else if (code == 127 || strstr(all, "edgebench-agent: not found") ||
             strstr(all, "command not found"))
        snprintf(err, errlen, "no edgebench-agent on %s (the board's shell said: %s); install "
                 "it with 'edgebench deploy --target %s'", h, last, target_name);
    else if (code == 126 || strstr(all, "Exec format error") ||
             strstr(all, "cannot execute"))
        snprintf(err, errlen, "the edgebench-agent on %s cannot run there (%s); deploy the "
                 "build for the board's architecture with 'edgebench deploy --target %s'", h,
                 last, target_name);
    else if (code >= 0)
        snprintf(err, errlen, "ssh %s ended before an edgebench-agent answered (exit %d%s%s)",
                 h, code, last[0] ? ": " : "", last);
    else
        snprintf(err, errlen, "no edgebench-agent answered over ssh %s (the remote command "
                 "runs but does not speak the agent protocol%s%s)", h, last[0] ? "; " : "",
                 last);
}

eb_status eb_ssh_run(const eb_target *t, const char *host, const char *remote, int in_fd,
                     int timeout_s, char *output, size_t outcap, int *exit_code, char *err,
                     size_t errlen)
{
    char *argv[48];
    ssh_argv(t, host, remote, argv, 44);
    eb_conn c;
    eb_conn_init(&c);
    snprintf(c.ssh_host, sizeof c.ssh_host, "%s", host);
    eb_status st = start_ssh(argv, in_fd, NULL, &c.err_fd, &c.child, err, errlen);
    if (st != EB_OK)
        return st;
    int code = wait_exit(&c, timeout_s * 1000);
    if (code < 0) {
        kill(c.child, SIGKILL);
        waitpid(c.child, NULL, 0);
        snprintf(err, errlen, "ssh %s did not finish within %d s", host, timeout_s);
        close(c.err_fd);
        return EB_ERR_TIMEOUT;
    }
    *exit_code = code;
    read_errors(c.err_fd, output, outcap);
    close(c.err_fd);
    return EB_OK;
}
