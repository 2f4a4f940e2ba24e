/* cmd_deploy.c - `edgebench deploy --target T`: puts the edgebench-agent build that matches
 * the board's architecture on an SSH board and checks it with the version handshake; for
 * a board on a serial line, says what to copy and how to start it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_conn.h"
#include "eb_deploy.h"
#include "eb_remote.h"
#include "eb_target.h"

static void deploy_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench deploy --target NAME|FILE [--host USER@HOST] [--agent PATH]\n\n"
            "Puts edgebench-agent on a board. For an SSH target (\"transport\": \"ssh\", or\n"
            "--host) it copies the static agent build for the target's architecture\n"
            "(build-aarch64/ or build-armhf/, see targets/agent/README.md) to\n"
            "~/.local/bin/edgebench-agent on the board (or the target's \"agent_path\"),\n"
            "checks it with the version handshake and says where it put it. For a board on\n"
            "a serial line it prints what to copy and how to start the agent there.\n\n"
            "  --target NAME|FILE   the board (targets/*.json)\n"
            "  --host USER@HOST     SSH destination (default: the target file's \"host\")\n"
            "  --agent PATH         the agent binary to copy (default: the build for the\n"
            "                       target's arch)\n\n"
            "Exit status: 0 deployed (or instructions printed), 2 it could not be done.\n");
}

/* A board on a serial line (or on a serial server): the user copies and starts it. */
static int serial_instructions(const eb_target *t, const char *agent)
{
    const char *port = t->device[0] ? t->device : "/dev/ttyUSB0";
    printf("target %s is reached on a serial line (%s), which cannot carry files, so copy the "
           "agent yourself:\n\n"
           "  1. copy %s to the board (scp, a USB stick or the SD card)\n"
           "  2. on the board, stop any login console on its end of the line (for example\n"
           "     'sudo systemctl stop serial-getty@ttyGS0') and start the agent there:\n"
           "       ./edgebench-agent /dev/ttyGS0          # USB gadget serial\n"
           "       ./edgebench-agent /dev/serial0         # GPIO UART\n"
           "  3. here: edgebench run --target %s --model mobilenet_int8\n\n"
           "If the board is also reachable over SSH, 'edgebench deploy --target %s --host "
           "USER@HOST' copies it for you.\n",
           t->desc.name, port, agent, t->desc.name, t->desc.name);
    return EB_EXIT_OK;
}

int eb_cmd_deploy(int argc, char **argv)
{
    const char *target_name = NULL, *host = NULL, *agent_opt = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            deploy_usage(stdout);
            return EB_EXIT_OK;
        }
        const char **dst = !strcmp(a, "--target") ? &target_name
                           : !strcmp(a, "--host") ? &host
                           : !strcmp(a, "--agent") ? &agent_opt : NULL;
        if (!dst) {
            eb_error("unknown option '%s' for deploy; see 'edgebench deploy --help'", a);
            return EB_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            eb_error("%s needs a value; see 'edgebench deploy --help'", a);
            return EB_EXIT_USAGE;
        }
        *dst = argv[++i];
    }
    if (!target_name) {
        eb_error("deploy needs --target NAME (e.g. --target rpi4); see 'edgebench deploy "
                 "--help'");
        return EB_EXIT_USAGE;
    }
    if (host && (!*host || host[0] == '-' || strpbrk(host, " \t\n"))) {
        eb_error("--host expects an SSH destination such as pi@raspberrypi.local, got '%s'",
                 host);
        return EB_EXIT_USAGE;
    }
    char err[1024];
    static eb_target t;
    if (eb_target_load(target_name, &t, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    if (!strcmp(t.desc.transport, "local")) {
        eb_error("target '%s' is this machine: runs on it need no agent", t.desc.name);
        return EB_EXIT_USAGE;
    }
    char agent[1024];
    if (eb_deploy_find_agent(&t, agent_opt, agent, sizeof agent, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    eb_elf_info elf;
    if (eb_elf_inspect(agent, &elf, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    if (strcmp(elf.arch, t.desc.arch)) {
        eb_error("%s is an %s build, but target '%s' is %s; pass the %s build with --agent",
                 agent, elf.arch, t.desc.name, t.desc.arch, t.desc.arch);
        return EB_EXIT_USAGE;
    }
    if (!elf.is_static)
        eb_warn("%s is dynamically linked: it runs only where the board's C library matches "
                "the build machine's (the cross builds are static)", agent);
    bool ssh = host || !strcmp(t.desc.transport, "ssh");
    if (!ssh)
        return serial_instructions(&t, agent);
    if (!host)
        host = t.host;
    if (!*host) {
        eb_error("target '%s' names no SSH host; give one with --host USER@HOST", t.desc.name);
        return EB_EXIT_USAGE;
    }

    char where[600];
    if (eb_deploy_ssh(&t, host, agent, where, sizeof where, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    printf("copied %s (%s, %s) to %s:%s\n", agent, elf.arch,
           elf.is_static ? "static" : "dynamic", host, where);

    /* the handshake, exactly as a run starts it */
    eb_conn c;
    if (eb_conn_open_ssh(&c, &t, host, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    eb_remote_opts ro = {.reply_ms = 15000, .retries = 2};
    static eb_remote r;
    eb_remote_init(&r, c.fd, c.fd, &ro);
    char why[600];
    eb_status st = eb_remote_hello(&r, why, sizeof why);
    if (st != EB_OK) {
        if (st != EB_ERR_PROTOCOL)
            eb_conn_ssh_diagnose(&c, eb_target_ref(&t), why, sizeof why);
        eb_error("the agent was copied to %s:%s but does not answer the handshake: %s", host,
                 where, why);
        eb_conn_close(&c);
        return EB_EXIT_USAGE;
    }
    eb_conn_close(&c);
    for (char *p = r.os; *p; p++) /* the agent writes spaces as '_' on the line */
        if (*p == '_')
            *p = ' ';
    for (char *p = r.cpu; *p; p++)
        if (*p == '_')
            *p = ' ';
    printf("handshake: %s %s (protocol %d) on %s %s, %d cores, %s\n", EB_AGENT_NAME,
           r.version, r.proto, r.arch, r.cpu, r.cores, r.os);
    if (strcmp(r.arch, t.desc.arch))
        eb_warn("the agent runs as %s but target '%s' says %s", r.arch, t.desc.name,
                t.desc.arch);
    if (strcmp(r.version, eb_version()))
        eb_warn("the agent is version %s, this edgebench %s", r.version, eb_version());
    printf("next: edgebench run --target %s%s%s --model mobilenet_int8\n", eb_target_ref(&t),
           host != t.host ? " --host " : "", host != t.host ? host : "");
    return EB_EXIT_OK;
}
