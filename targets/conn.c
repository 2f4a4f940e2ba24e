/* conn.c - serial devices and agents on pseudo-terminals. */
#include "eb_conn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "eb_port.h"
#include "eb_proto.h"

static void remove_models_dir(eb_conn *c);

void eb_conn_init(eb_conn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = c->hold_fd = c->err_fd = -1;
}

eb_status eb_conn_open_serial(eb_conn *c, const char *port, int baud, char *err,
                              size_t errlen)
{
    eb_conn_init(c);
    snprintf(c->port, sizeof c->port, "%s", port);
    c->fd = eb_port_serial_open(port, baud);
    if (c->fd < 0) {
        snprintf(err, errlen, "cannot open %s at %d baud: %s", port, baud,
                 errno == EINVAL ? "unsupported baud rate or not a serial device"
                                 : strerror(errno));
        return EB_ERR_IO;
    }
    snprintf(c->how, sizeof c->how, "serial %s at %d baud", port, baud);
    snprintf(c->transport, sizeof c->transport, "serial");
    return EB_OK;
}

eb_status eb_conn_open(eb_conn *c, const char *port, int baud, char *err, size_t errlen)
{
    return eb_conn_is_url(port) ? eb_conn_open_net(c, port, baud, err, errlen)
                                : eb_conn_open_serial(c, port, baud, err, errlen);
}

static size_t telnet_filter(void *ctx, char *buf, size_t n)
{
    return eb_telnet_filter(ctx, buf, n);
}

void eb_conn_attach(eb_conn *c, eb_linereader *rd)
{
    if (c->telnet) {
        rd->filter = telnet_filter;
        rd->filter_ctx = &c->tn;
    }
}

eb_status eb_conn_spawn(eb_conn *c, char *const argv[], char *err, size_t errlen)
{
    eb_conn_init(c);
    int m, s;
    if (openpty(&m, &s, NULL, NULL, NULL) != 0) {
        snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
        return EB_ERR_IO;
    }
    /* Raw before anyone writes: a cooked slave would echo our lines back to us. */
    struct termios t;
    if (tcgetattr(s, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(s, TCSANOW, &t);
    }
    fcntl(m, F_SETFD, FD_CLOEXEC);
    fcntl(s, F_SETFD, FD_CLOEXEC);
    snprintf(c->port, sizeof c->port, "%s", ttyname(s) ? ttyname(s) : "pty");

    char *args[16];
    int n = 0;
    size_t hl = 0;
    for (; argv[n] && n < 15; n++) {
        args[n] = strcmp(argv[n], "@PTY") ? argv[n] : c->port;
        hl += (size_t)snprintf(c->how + hl, hl < sizeof c->how ? sizeof c->how - hl : 0,
                               "%s%s", n ? " " : "", args[n]);
    }
    args[n] = NULL;

    int errpipe[2]; /* tells the parent when exec fails */
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        close(m);
        close(s);
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return EB_ERR_IO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(m);
        close(s);
        close(errpipe[0]);
        close(errpipe[1]);
        snprintf(err, errlen, "cannot start %s: %s", args[0], strerror(errno));
        return EB_ERR_IO;
    }
    if (pid == 0) {
        setsid(); /* its own session: a terminal's Ctrl-C reaches the host, not the agent */
        setenv("EB_AGENT_QUIET", "1", 1); /* the host reports; the agent's banner is noise */
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execvp(args[0], args);
        int e = errno;
        if (write(errpipe[1], &e, sizeof e) < 0) {
        }
        _exit(127);
    }
    close(errpipe[1]);
    int e = 0;
    ssize_t got = read(errpipe[0], &e, sizeof e);
    close(errpipe[0]);
    if (got == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        close(m);
        close(s);
        snprintf(err, errlen, "cannot start %s: %s", args[0], strerror(e));
        return EB_ERR_IO;
    }
    c->fd = m;
    c->hold_fd = s;
    c->child = pid;
    snprintf(c->transport, sizeof c->transport, "emulated");
    return EB_OK;
}

static bool executable(const char *p)
{
    return access(p, X_OK) == 0;
}

static bool in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%.1000s", path);
    char *save = NULL;
    for (char *d = strtok_r(tmp, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char full[1200];
        snprintf(full, sizeof full, "%s/%s", d, prog);
        if (executable(full))
            return true;
    }
    return false;
}

eb_status eb_conn_spawn_emulated(eb_conn *c, const eb_target *t, const char *agent,
                                 char *err, size_t errlen)
{
    char found[1024] = "";
    if (agent) {
        if (!executable(agent)) {
            snprintf(err, errlen, "--agent %s is not an executable file", agent);
            return EB_ERR_ARG;
        }
        snprintf(found, sizeof found, "%s", agent);
    } else {
        const char *env = getenv("EDGEBENCH_AGENT");
        char cands[4][900];
        int nc = 0;
        if (env && *env)
            snprintf(cands[nc++], sizeof cands[0], "%.800s", env);
        if (t->agent[0]) {
            snprintf(cands[nc++], sizeof cands[0], "%s", t->agent);
#ifdef EB_SOURCE_DIR
            snprintf(cands[nc++], sizeof cands[0], "%s/%s", EB_SOURCE_DIR, t->agent);
#endif
        }
        for (int i = 0; i < nc && !found[0]; i++)
            if (executable(cands[i]))
                snprintf(found, sizeof found, "%.900s", cands[i]);
        if (!found[0]) {
            snprintf(err, errlen,
                     "no %s edgebench-agent found for --emulate (looked for %s); build it with "
                     "scripts/cross-test.sh or pass --agent PATH",
                     t->desc.arch, t->agent[0] ? t->agent : "an agent path in the target file");
            return EB_ERR_ARG;
        }
    }
    char *argv[10];
    int n = 0;
    if (t->qemu[0]) {
        if (!in_path(t->qemu)) {
            snprintf(err, errlen, "%s not found: install qemu-user (scripts/bootstrap.sh does)",
                     t->qemu);
            return EB_ERR_UNSUPPORTED;
        }
        argv[n++] = (char *)t->qemu;
        if (t->qemu_cpu[0]) {
            argv[n++] = (char *)"-cpu";
            argv[n++] = (char *)t->qemu_cpu;
        }
    }
    argv[n++] = found;
    argv[n++] = (char *)"@PTY";
    const char *td = getenv("TMPDIR");
    char dir[sizeof c->models_dir];
    snprintf(dir, sizeof dir, "%.200s/edgebench-emulate-XXXXXX", td && *td ? td : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary folder for the emulated agent's models: "
                 "%s", strerror(errno));
        return EB_ERR_IO;
    }
    argv[n++] = (char *)"--models-dir";
    argv[n++] = dir;
    argv[n] = NULL;
    eb_status st = eb_conn_spawn(c, argv, err, errlen); /* (it resets c) */
    snprintf(c->models_dir, sizeof c->models_dir, "%s", dir);
    if (st != EB_OK)
        remove_models_dir(c);
    return st;
}

/* The emulated agent's folder: its regular files (uploads) and the folder itself. */
static void remove_models_dir(eb_conn *c)
{
    if (!c->models_dir[0])
        return;
    DIR *d = opendir(c->models_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", c->models_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(c->models_dir);
    c->models_dir[0] = 0;
}

void eb_conn_release(eb_conn *c)
{
    if (c->hold_fd >= 0) {
        close(c->hold_fd);
        c->hold_fd = -1;
    }
}

void eb_conn_close(eb_conn *c)
{
    eb_conn_release(c);
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->err_fd >= 0) {
        close(c->err_fd);
        c->err_fd = -1;
    }
    if (c->child > 0) {
        int status;
        /* ssh ends by itself once its input closed (the board's agent sees the end of
         * its input too): give it a moment before the signal */
        for (int i = 0; c->ssh_host[0] && i < 50 && waitpid(c->child, &status, WNOHANG) == 0;
             i++)
            usleep(20000);
        if (waitpid(c->child, &status, WNOHANG) == 0) {
            kill(c->child, SIGTERM);
            int64_t deadline = eb_mono_ms() + 2000;
            while (waitpid(c->child, &status, WNOHANG) == 0) {
                if (eb_mono_ms() > deadline) {
                    kill(c->child, SIGKILL);
                    waitpid(c->child, &status, 0);
                    break;
                }
                usleep(10000);
            }
        }
        c->child = 0;
    }
    remove_models_dir(c);
}
