/* board_fixture.h - real servers on loopback for the board tests: ser2net in front of a
 * pseudo-terminal with an agent on it (tests/agent_fixture.h's rig, faults included),
 * and the agent edgebench would find on a board (the aarch64 build under qemu-user when
 * it exists). Every server listens on 127.0.0.1 on a free port, keeps its configuration
 * in a temporary folder, runs in its own process group that the test kills at the end,
 * and dies with the test process if that crashes (PR_SET_PDEATHSIG). */
#ifndef BOARD_FIXTURE_H
#define BOARD_FIXTURE_H

#include <arpa/inet.h>
#include <fcntl.h>
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

#endif
