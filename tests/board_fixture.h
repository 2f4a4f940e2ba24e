/* board_fixture.h - real servers on loopback for the board tests: ser2net in front of a
 * pseudo-terminal with an agent on it (tests/agent_fixture.h's rig, faults included),
 * Debian's sshd with host and user keys generated for the test and the board's agent as
 * the remote command, a TCP relay that slows or cuts a connection, and the agent
 * edgebench would find on a board (the aarch64 build under qemu-user when it exists). Every server listens on 127.0.0.1 on a free port, keeps its configuration
 * in a temporary folder, runs in its own process group that the test kills at the end,
 * and dies with the test process if that crashes (PR_SET_PDEATHSIG). */
#ifndef BOARD_FIXTURE_H
#define BOARD_FIXTURE_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agent_fixture.h"

#define BF_AARCH64_AGENT EB_SOURCE_DIR "/build-aarch64/targets/agent/edgebench-agent"
#define BF_HOST_AGENT EB_BINARY_DIR "/targets/agent/edgebench-agent"

static inline bool bf_in_path(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

/* The board's agent: the aarch64 build under qemu-aarch64 -cpu cortex-a72 (what an rpi4
 * runs) when scripts/cross-test.sh or scripts/test.sh built it, else the host build (a
 * warning says so). arch gets the architecture the target file must name. */
static inline const char *const *bf_agent_argv(const char **arch)
{
    static const char *qemu[] = {"qemu-aarch64", "-cpu", "cortex-a72", BF_AARCH64_AGENT, NULL};
    static const char *host[] = {BF_HOST_AGENT, NULL};
    static bool warned;
    if (access(BF_AARCH64_AGENT, X_OK) == 0 && bf_in_path("qemu-aarch64")) {
        *arch = "aarch64";
        return qemu;
    }
    if (!warned)
        cr_log_warn("no aarch64 agent at %s: the host agent stands in for the board (build it "
                    "with scripts/build.sh build-aarch64 "
                    "-DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake)", BF_AARCH64_AGENT);
    warned = true;
    *arch = "x86_64";
    return host;
}

/* A port nothing listens on right now. */
static inline int bf_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        abort();
    close(fd);
    return ntohs(a.sin_port);
}

/* True once something listens on 127.0.0.1:port (read from /proc/net/tcp, so the check
 * opens no session on the server). */
static inline bool bf_listening(int port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return false;
    char line[512], want[32];
    snprintf(want, sizeof want, "0100007F:%04X", port);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char local[64], remote[64], state[8];
        if (sscanf(line, "%*d: %63s %63s %7s", local, remote, state) == 3)
            found = !strcmp(local, want) && !strcmp(state, "0A");
    }
    fclose(f);
    return found;
}

static inline bool bf_wait_listening(int port, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (bf_listening(port))
            return true;
        usleep(20000);
    }
    return false;
}

/* Starts argv in its own process group, output appended to log. */
static inline pid_t bf_daemon(const char *const *argv, const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (null >= 0)
            dup2(null, 0);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

static inline void bf_stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(-*pid, SIGKILL);
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
    }
    *pid = 0;
}

static inline void bf_rmrf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
    }
}

/* A target file for a board reached at device (a port or URL) with the agent's arch. */
static inline void bf_write_target(const char *path, const char *name, const char *arch,
                                   const char *extra_json)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"name\": \"%s\", \"description\": \"a test board\", \"arch\": \"%s\","
            " \"cores\": 4, \"clock_mhz\": 1500, \"memory_bytes\": 4294967296,"
            " \"price_usd\": 55,"
            " \"power_model\": {\"idle_w\": 2.7, \"active_w\": 6.4, \"source\": \"test\"},"
            " %s}\n",
            name, arch, extra_json);
    fclose(f);
}

/* ---- ser2net in front of the agent rig ------------------------------------------ */

typedef struct {
    fx_rig rig;       /* agent <-> faults <-> pty; ser2net opens rig.slave */
    pid_t pid;
    int raw_port;     /* tcp accepter */
    int rfc_port;     /* telnet(rfc2217) accepter */
    char dir[64], cfg[128], log[128];
    char raw_url[64], rfc_url[64];
} bf_ser2net;

static inline void bf_ser2net_config(bf_ser2net *s, const char *device)
{
    FILE *f = fopen(s->cfg, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "connection: &raw\n"
            "  accepter: tcp,127.0.0.1,%d\n"
            "  connector: serialdev,%s,115200n81,local\n"
            "  options:\n"
            "    kickolduser: true\n"
            "connection: &rfc\n"
            "  accepter: telnet(rfc2217),tcp,127.0.0.1,%d\n"
            "  connector: serialdev,%s,115200n81,local\n"
            "  options:\n"
            "    kickolduser: true\n",
            s->raw_port, device, s->rfc_port, device);
    fclose(f);
}

/* ser2net for device (NULL: the rig's pty, started with the given faults). */
static inline void bf_ser2net_start(bf_ser2net *s, const char *device, const fx_rule *rules,
                                    int n_rules, const char *garbage, size_t garbage_len)
{
    memset(s, 0, sizeof *s);
    cr_assert(bf_in_path("ser2net"), "ser2net is not installed; run scripts/bootstrap.sh");
    s->rig.x.agent = -1;
    if (!device) {
        const char *arch;
        fx_rig_start_cmd(&s->rig, bf_agent_argv(&arch), rules, n_rules, garbage, garbage_len);
        device = s->rig.slave;
    }
    snprintf(s->dir, sizeof s->dir, "/tmp/eb_ser2net_XXXXXX");
    cr_assert_not_null(mkdtemp(s->dir));
    snprintf(s->cfg, sizeof s->cfg, "%s/ser2net.yaml", s->dir);
    snprintf(s->log, sizeof s->log, "%s/ser2net.log", s->dir);
    s->raw_port = bf_free_port();
    do
        s->rfc_port = bf_free_port();
    while (s->rfc_port == s->raw_port);
    bf_ser2net_config(s, device);
    char pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/ser2net.pid", s->dir);
    /* -n: stay in the foreground; -u: no UUCP lock files under /var/lock */
    const char *argv[] = {"ser2net", "-n", "-u", "-c", s->cfg, "-P", pidfile, NULL};
    s->pid = bf_daemon(argv, s->log);
    cr_assert(bf_wait_listening(s->raw_port, 10000) && bf_wait_listening(s->rfc_port, 10000),
              "ser2net listens on 127.0.0.1:%d and :%d (log %s)", s->raw_port, s->rfc_port,
              s->log);
    snprintf(s->raw_url, sizeof s->raw_url, "tcp://127.0.0.1:%d", s->raw_port);
    snprintf(s->rfc_url, sizeof s->rfc_url, "rfc2217://127.0.0.1:%d", s->rfc_port);
}

static inline void bf_ser2net_stop(bf_ser2net *s)
{
    bf_stop(&s->pid);
    if (s->rig.x.agent > 0)
        fx_rig_stop(&s->rig);
    bf_rmrf(s->dir);
}

/* ---- sshd: a board reached over SSH --------------------------------------------- */

typedef struct {
    pid_t pid;
    int port;
    char dir[64];     /* keys, configurations, logs */
    char home[128];   /* the board user's HOME (sshd's SetEnv), with .local/bin */
    char log[128];
    const char *arch; /* of the agent the board runs */
    char prefix[32];  /* agent_prefix for target files: "qemu-board" runs it under qemu */
} bf_sshd;

static inline void bf_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void bf_sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A client configuration DIR/<name>: host alias "board" at 127.0.0.1:port, logging in
 * with key (a file in DIR) and checking the host key against known (a file in DIR). */
static inline void bf_ssh_config(const bf_sshd *s, const char *name, int port, const char *key,
                                 const char *known, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", s->dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    const struct passwd *pw = getpwuid(getuid());
    fprintf(f,
            "Host board\n"
            "  HostName 127.0.0.1\n"
            "  Port %d\n"
            "  User %s\n"
            "  IdentityFile %s/%s\n"
            "  IdentitiesOnly yes\n"
            "  HostKeyAlias board\n"
            "  UserKnownHostsFile %s/%s\n"
            "  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n"
            "  LogLevel ERROR\n",
            port, pw ? pw->pw_name : "root", s->dir, key, s->dir, known);
    fclose(f);
}

/* The agent the board runs, installed where `edgebench deploy` puts it (install false:
 * only the qemu wrapper, for the deploy test). */
static inline void bf_sshd_start(bf_sshd *s, bool install)
{
    memset(s, 0, sizeof *s);
    cr_assert_eq(access("/usr/sbin/sshd", X_OK), 0,
                 "/usr/sbin/sshd missing: install openssh-server (scripts/bootstrap.sh)");
    cr_assert(bf_in_path("ssh") && bf_in_path("ssh-keygen"),
              "ssh missing: install openssh-client (scripts/bootstrap.sh)");
    snprintf(s->dir, sizeof s->dir, "/tmp/eb_sshd_XXXXXX");
    cr_assert_not_null(mkdtemp(s->dir));
    snprintf(s->home, sizeof s->home, "%s/home", s->dir);
    snprintf(s->log, sizeof s->log, "%s/sshd.log", s->dir);
    bf_sh("mkdir -p %s/.local/bin %s/bin && cd %s && ssh-keygen -q -t ed25519 -N '' -C "
          "eb-test-host -f host_ed25519 && ssh-keygen -q -t ed25519 -N '' -C eb-test-user -f "
          "id_ed25519 && ssh-keygen -q -t ed25519 -N '' -C eb-test-other -f other_ed25519 && "
          "cp id_ed25519.pub authorized_keys && (printf 'board '; cat host_ed25519.pub) > "
          "known_hosts && : > empty_known_hosts",
          s->home, s->home, s->dir);
    /* sshd insists on its privilege separation folder (absent in fresh containers) */
    if (access("/run/sshd", F_OK) != 0 && getuid() == 0)
        mkdir("/run/sshd", 0755);
    const char *const *agent = bf_agent_argv(&s->arch);
    bool qemu = !strcmp(agent[0], "qemu-aarch64");
    if (qemu) {
        /* what binfmt_misc would do on an x86 machine posing as the board */
        char wrapper[256];
        snprintf(wrapper, sizeof wrapper, "%s/bin/qemu-board", s->home);
        FILE *f = fopen(wrapper, "w");
        cr_assert_not_null(f);
        fprintf(f, "#!/bin/sh\n"
                   "p=$(command -v \"$1\") || { echo \"qemu-board: $1: not found\" >&2; exit 127; }\n"
                   "shift\n"
                   "exec qemu-aarch64 -cpu cortex-a72 \"$p\" \"$@\"\n");
        fclose(f);
        chmod(wrapper, 0755);
        snprintf(s->prefix, sizeof s->prefix, "qemu-board");
    }
    if (install)
        bf_sh("cp %s %s/.local/bin/edgebench-agent", qemu ? agent[3] : agent[0], s->home);
    s->port = bf_free_port();
    char cfg[128];
    snprintf(cfg, sizeof cfg, "%s/sshd_config", s->dir);
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "ListenAddress 127.0.0.1\n"
            "Port %d\n"
            "HostKey %s/host_ed25519\n"
            "PidFile %s/sshd.pid\n"
            "AuthorizedKeysFile %s/authorized_keys\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "UsePAM no\n"
            "StrictModes no\n"
            "PermitRootLogin prohibit-password\n"
            "PermitUserEnvironment no\n"
            "SetEnv HOME=%s PATH=%s/bin:/usr/local/bin:/usr/bin:/bin\n"
            "LogLevel VERBOSE\n",
            s->port, s->dir, s->dir, s->dir, s->home, s->home);
    fclose(f);
    const char *argv[] = {"/usr/sbin/sshd", "-D", "-e", "-f", cfg, NULL};
    s->pid = bf_daemon(argv, s->log);
    cr_assert(bf_wait_listening(s->port, 10000), "sshd listens on 127.0.0.1:%d (log %s)",
              s->port, s->log);
}

/* A target file for the board behind ssh config `config` (from bf_ssh_config). */
static inline void bf_ssh_target(const bf_sshd *s, const char *path, const char *name,
                                 const char *config, const char *agent_path)
{
    char extra[700];
    snprintf(extra, sizeof extra,
             "\"transport\": \"ssh\", \"host\": \"board\", \"ssh_options\": [\"-F\", \"%s\"],"
             " \"agent_prefix\": \"%s\"%s%s%s, \"cpu\": \"Cortex-A72\"",
             config, s->prefix, agent_path ? ", \"agent_path\": \"" : "",
             agent_path ? agent_path : "", agent_path ? "\"" : "");
    bf_write_target(path, name, s->arch, extra);
}

static inline void bf_sshd_stop(bf_sshd *s)
{
    bf_stop(&s->pid);
    bf_rmrf(s->dir);
}

/* ---- a TCP relay that slows a connection down or cuts it ------------------------- */

typedef struct {
    int listen_fd, port, to_port;
    int delay_ms;      /* pause after every chunk forwarded, either way */
    size_t chunk;      /* bytes per chunk */
    long cut_after;    /* cut both sides once this many bytes went to the client (<0: never) */
    volatile long down_bytes;
    volatile int cut, stop;
    pthread_t th;
} bf_relay;

static inline void *bf_relay_main(void *arg)
{
    bf_relay *r = arg;
    while (!r->stop) {
        struct pollfd lp = {.fd = r->listen_fd, .events = POLLIN};
        if (poll(&lp, 1, 50) <= 0)
            continue;
        int c = accept(r->listen_fd, NULL, NULL);
        if (c < 0)
            continue;
        int u = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(r->to_port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (connect(u, (struct sockaddr *)&a, sizeof a) != 0) {
            close(c);
            close(u);
            continue;
        }
        int fds[2] = {c, u};
        bool open = true;
        while (open && !r->stop) {
            struct pollfd p[2] = {{.fd = c, .events = POLLIN}, {.fd = u, .events = POLLIN}};
            if (poll(p, 2, 50) <= 0)
                continue;
            for (int d = 0; d < 2 && open; d++) {
                if (!(p[d].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                char buf[4096];
                size_t want = r->chunk && r->chunk < sizeof buf ? r->chunk : sizeof buf;
                ssize_t n = read(fds[d], buf, want);
                if (n <= 0) {
                    open = false;
                    break;
                }
                if (d == 1) {
                    r->down_bytes += n;
                    if (r->cut_after >= 0 && r->down_bytes > r->cut_after) {
                        r->cut = 1;
                        open = false;
                        break;
                    }
                }
                fx_write(fds[1 - d], buf, (size_t)n);
                if (r->delay_ms)
                    usleep((useconds_t)r->delay_ms * 1000);
            }
        }
        close(c);
        close(u);
    }
    return NULL;
}

static inline void bf_relay_start(bf_relay *r, int to_port, int delay_ms, size_t chunk,
                                  long cut_after)
{
    memset(r, 0, sizeof *r);
    r->to_port = to_port;
    r->delay_ms = delay_ms;
    r->chunk = chunk;
    r->cut_after = cut_after;
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(bind(r->listen_fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              listen(r->listen_fd, 4) == 0 &&
              getsockname(r->listen_fd, (struct sockaddr *)&a, &len) == 0);
    r->port = ntohs(a.sin_port);
    pthread_create(&r->th, NULL, bf_relay_main, r);
}

static inline void bf_relay_stop(bf_relay *r)
{
    r->stop = 1;
    pthread_join(r->th, NULL);
    close(r->listen_fd);
}

#endif
