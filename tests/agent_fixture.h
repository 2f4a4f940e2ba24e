/* agent_fixture.h - test helpers for the agent protocol: a stand-in model backend (tests
 * only: the shipped agent uses models/eb_model.h), an agent in a child process, and a
 * line-level fault-injecting proxy between host and agent.
 *
 *   host (eb_remote on a pty slave, opened as a serial device)
 *     <-> pty master <-> proxy thread (faults) <-> socketpair <-> agent child process
 */
#ifndef AGENT_FIXTURE_H
#define AGENT_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "eb_agent.h"
#include "eb_conn.h"
#include "eb_proto.h"
#include "eb_remote.h"

/* ---- stand-in backend: one model whose inference spins for a fixed time ---------- */

static unsigned fx_infer_us = 200;
static int fx_agent_proto; /* the in-process agent's newest protocol (0: EB_PROTO_VERSION) */

static inline void fx_list(void *self, void (*emit)(void *, const char *), void *user)
{
    (void)self;
    emit(user, "standin_tiny");
}

static inline eb_status fx_open(void *self, const char *name, const char *kernels,
                                int threads, eb_agent_model_info *info, void **model,
                                char *err, size_t errlen)
{
    (void)self;
    (void)kernels;
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    if (strcmp(base, "standin_tiny") && !strstr(base, ".ebm")) {
        snprintf(err, errlen, "unknown model '%s'; valid names: standin_tiny", name);
        return EB_ERR_ARG;
    }
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", base);
    snprintf(info->arch, sizeof info->arch, "standin");
    snprintf(info->variant, sizeof info->variant, "int8");
    info->macs = 1000;
    info->params = 100;
    info->weights_bytes = 120;
    info->arena_bytes = 4096;
    info->arena_lower_bound_bytes = 4000;
    info->scratch_bytes = 64;
    info->threads = threads;
    info->n_kernels = 1;
    snprintf(info->kernels[0].op, sizeof info->kernels[0].op, "fc_s8");
    snprintf(info->kernels[0].name, sizeof info->kernels[0].name, "eb_fc_s8_ref");
    *model = (void *)1;
    return EB_OK;
}

static inline void fx_infer(void *m)
{
    (void)m;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) <
           (long)fx_infer_us * 1000L);
}

static inline void fx_close(void *m) { (void)m; }

static const eb_agent_backend fx_backend = {NULL, fx_list, fx_open, fx_infer, fx_close, NULL};

/* ---- the agent in a child process ------------------------------------------------- */

static inline pid_t fx_spawn_agent(int fd, const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        signal(SIGPIPE, SIG_IGN);
        eb_agent_config cfg = {.backend = &fx_backend, .models_dir = dir,
                               .proto = fx_agent_proto};
        eb_agent *a = eb_agent_new(&cfg);
        eb_agent_serve(a, fd, fd);
        eb_agent_free(a);
        _exit(0);
    }
    return pid;
}

/* ---- the proxy --------------------------------------------------------------------- */

typedef enum {
    FX_FLIP,         /* flip bit 2 of the byte at arg (from the line start) */
    FX_DROP_BYTE,    /* drop the byte at arg */
    FX_DROP_NEWLINE, /* drop the line's newline (it merges with the next) */
    FX_DROP_LINE,    /* drop the whole line */
    FX_TRUNCATE,     /* keep only the first arg bytes, then the newline */
    FX_HOLD,         /* forward nothing from this line on (a reply that never comes) */
    FX_KILL,         /* kill the agent (the line stays up, nothing answers any more) */
    FX_HOOK,         /* call the proxy's hook (e.g. kill a server in between), then forward */
} fx_action;

typedef struct {
    int to_host;        /* 1: agent->host lines, 0: host->agent lines */
    const char *prefix; /* the line starts with this */
    int nth;            /* act on the nth matching line (1-based) */
    fx_action action;
    int arg;
    int seen;           /* internal */
} fx_rule;

typedef struct {
    int host_fd;  /* pty master */
    int agent_fd; /* our end of the socketpair */
    pid_t agent;
    fx_rule rules[8];
    int n_rules;
    const char *garbage_to_host; /* written before anything else */
    size_t garbage_len;
    volatile int stop;
    pthread_t th[2];
    int applied; /* how many rules fired */
    /* line assembly per direction */
    char buf[2][4 * EB_PROTO_MAX_LINE];
    size_t len[2];
    int held[2];
    volatile int killed;
    void (*hook)(void *);
    void *hook_arg;
} fx_proxy;

/* Gives up after 2 s without progress: a reader that went away (a server killed in a
 * test) must not hang the proxy thread. */
static inline void fx_write(int fd, const char *p, size_t n)
{
    int stalled = 0;
    while (n > 0) {
        struct pollfd pw = {.fd = fd, .events = POLLOUT};
        if (poll(&pw, 1, 50) <= 0) {
            if (++stalled > 40)
                return;
            continue;
        }
        ssize_t w = write(fd, p, n);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return;
        stalled = 0;
        p += w;
        n -= (size_t)w;
    }
}

/* Handles one complete line (with its '\n') travelling in direction d. */
static inline void fx_line(fx_proxy *x, int d, char *line, size_t n)
{
    int out = d ? x->host_fd : x->agent_fd;
    if (x->held[d] || x->killed)
        return;
    for (int i = 0; i < x->n_rules; i++) {
        fx_rule *r = &x->rules[i];
        if (r->to_host != d || strncmp(line, r->prefix, strlen(r->prefix)))
            continue;
        if (++r->seen != r->nth)
            continue;
        __atomic_add_fetch(&x->applied, 1, __ATOMIC_SEQ_CST);
        switch (r->action) {
        case FX_FLIP:
            if ((size_t)r->arg < n - 1)
                line[r->arg] ^= 0x04;
            break;
        case FX_DROP_BYTE:
            if ((size_t)r->arg < n - 1) {
                memmove(line + r->arg, line + r->arg + 1, n - (size_t)r->arg - 1);
                n--;
            }
            break;
        case FX_DROP_NEWLINE:
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            break;
        case FX_DROP_LINE:
            return;
        case FX_TRUNCATE:
            if ((size_t)r->arg < n) {
                line[r->arg] = '\n';
                n = (size_t)r->arg + 1;
            }
            break;
        case FX_HOLD:
            x->held[d] = 1;
            return;
        case FX_KILL:
            kill(x->agent, SIGKILL);
            x->killed = 1;
            return;
        case FX_HOOK:
            if (x->hook)
                x->hook(x->hook_arg);
            break;
        }
    }
    fx_write(out, line, n);
}

/* One thread per direction, so a blocked write one way never stalls the other (a
 * serial line is full duplex). */
typedef struct {
    fx_proxy *x;
    int d; /* 1: agent -> host */
} fx_dir;

static inline void *fx_run(void *arg)
{
    fx_dir *fd = arg;
    fx_proxy *x = fd->x;
    int d = fd->d;
    if (d && x->garbage_to_host)
        fx_write(x->host_fd, x->garbage_to_host, x->garbage_len);
    int in = d ? x->agent_fd : x->host_fd;
    while (!x->stop) {
        if (d && x->killed)
            break;
        struct pollfd p = {.fd = in, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        char tmp[4096];
        ssize_t got = read(in, tmp, sizeof tmp);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got <= 0) {
            if (d) /* the agent is gone */
                x->killed = 1;
            else
                usleep(10000);
            continue;
        }
        for (ssize_t i = 0; i < got; i++) {
            if (x->len[d] < sizeof x->buf[d])
                x->buf[d][x->len[d]++] = tmp[i];
            if (tmp[i] == '\n' || x->len[d] == sizeof x->buf[d]) {
                fx_line(x, d, x->buf[d], x->len[d]);
                x->len[d] = 0;
            }
        }
    }
    return NULL;
}

/* A full rig: agent child + proxy + host opened as a serial device. */
typedef struct {
    fx_proxy x;
    int host_fd;
    eb_remote r;
    char dir[64];
    int slave_fd;     /* exec rigs: the pty slave kept open (the host opens it by name) */
    char slave[128];  /* its path, for --port */
    fx_dir dirs[2];   /* the proxy threads' arguments */
} fx_rig;

/* The real agent (argv: the program, e.g. {"qemu-aarch64", "-cpu", "cortex-a72", AGENT},
 * NULL-terminated) with its stdin/stdout on our end of a socketpair. */
static inline pid_t fx_spawn_exec(const char *const *argv, int fd, const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fd, 0);
        dup2(fd, 1);
        const char *args[16];
        int n = 0;
        for (; argv[n] && n < 12; n++)
            args[n] = argv[n];
        args[n++] = "--models-dir";
        args[n++] = dir;
        args[n] = NULL;
        execvp(args[0], (char *const *)args);
        _exit(127);
    }
    return pid;
}

static inline void fx_rig_start_generic(fx_rig *g, const char *const *agent_exec,
                                        const fx_rule *rules, int n_rules, const char *garbage,
                                        size_t garbage_len, const eb_remote_opts *o);

static inline void fx_rig_start(fx_rig *g, const fx_rule *rules, int n_rules, const char *garbage,
                         size_t garbage_len, const eb_remote_opts *o)
{
    fx_rig_start_generic(g, NULL, rules, n_rules, garbage, garbage_len, o);
}

/* The real agent behind the proxy; the host side is left to the caller (g->slave). */
static inline void fx_rig_start_exec(fx_rig *g, const char *agent, const fx_rule *rules, int n_rules)
{
    const char *argv[] = {agent, NULL};
    fx_rig_start_generic(g, argv, rules, n_rules, NULL, 0, NULL);
}

/* The same with an agent command line (e.g. under qemu-user) and garbage sent to the
 * host before anything else. */
static inline void fx_rig_start_cmd(fx_rig *g, const char *const *argv, const fx_rule *rules,
                                    int n_rules, const char *garbage, size_t garbage_len)
{
    fx_rig_start_generic(g, argv, rules, n_rules, garbage, garbage_len, NULL);
}

static inline void fx_rig_start_generic(fx_rig *g, const char *const *agent_exec,
                                        const fx_rule *rules, int n_rules, const char *garbage,
                                        size_t garbage_len, const eb_remote_opts *o)
{
    memset(g, 0, sizeof *g);
    snprintf(g->dir, sizeof g->dir, "/tmp/eb_agent_test_XXXXXX");
    if (!mkdtemp(g->dir))
        abort();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    int m, s;
    if (openpty(&m, &s, NULL, NULL, NULL) != 0)
        abort();
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    g->x.agent = agent_exec ? fx_spawn_exec(agent_exec, sv[1], g->dir)
                            : fx_spawn_agent(sv[1], g->dir);
    close(sv[1]);
    g->x.agent_fd = sv[0];
    g->x.host_fd = m;
    /* the proxy never blocks on a side that stopped reading (fx_write gives up) */
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    for (int i = 0; i < n_rules; i++)
        g->x.rules[i] = rules[i];
    g->x.n_rules = n_rules;
    g->x.garbage_to_host = garbage;
    g->x.garbage_len = garbage_len;
    /* per rig: several rigs may run at once */
    g->dirs[0] = (fx_dir){&g->x, 0};
    g->dirs[1] = (fx_dir){&g->x, 1};
    pthread_create(&g->x.th[0], NULL, fx_run, &g->dirs[0]);
    pthread_create(&g->x.th[1], NULL, fx_run, &g->dirs[1]);
    g->slave_fd = -1;
    snprintf(g->slave, sizeof g->slave, "%s", ttyname(s));
    if (agent_exec) { /* the caller's host opens g->slave; keep it open meanwhile */
        g->slave_fd = s;
        g->host_fd = -1;
        return;
    }
    /* The host opens the pty's slave by name, as it opens /dev/ttyUSB0. */
    eb_conn c;
    char err[256];
    if (eb_conn_open_serial(&c, ttyname(s), 115200, err, sizeof err) != EB_OK)
        abort();
    close(s);
    g->host_fd = c.fd;
    eb_remote_init(&g->r, g->host_fd, g->host_fd, o);
}

static inline void fx_rig_stop(fx_rig *g)
{
    g->x.stop = 1;
    pthread_join(g->x.th[0], NULL);
    pthread_join(g->x.th[1], NULL);
    if (g->host_fd >= 0)
        close(g->host_fd);
    if (g->slave_fd >= 0)
        close(g->slave_fd);
    if (g->x.host_fd >= 0)
        close(g->x.host_fd);
    close(g->x.agent_fd);
    kill(g->x.agent, SIGKILL);
    waitpid(g->x.agent, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g->dir);
    if (system(cmd) != 0) {
    }
}

#endif
