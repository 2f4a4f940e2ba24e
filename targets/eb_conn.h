/* eb_conn.h - how the host reaches a target: a serial device, a serial line served on
 * the network (a raw TCP server, or telnet with RFC 2217 as ser2net serves it), or an
 * agent started on a pseudo-terminal (under qemu-user for --emulate, or directly for a
 * host-built agent). */
#ifndef EB_CONN_H
#define EB_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eb_proto.h"
#include "eb_status.h"
#include "eb_target.h"
#include "eb_telnet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int fd;           /* host side (serial device, pty master or socket) */
    int hold_fd;      /* pty slave kept open until the handshake (-1: none) */
    pid_t child;      /* the agent process we started, or 0 */
    char port[256];   /* device, pty path or URL, for messages */
    char how[512];    /* what was started ("qemu-aarch64 -cpu cortex-a72 ...") */
    char transport[16]; /* for the report: "serial", "tcp", "rfc2217", "ssh", "emulated" */
    bool telnet;      /* the bytes pass through tn (rfc2217://) */
    eb_telnet tn;
    /* ssh: the child is the ssh client; what it and the board's shell wrote to stderr
     * goes to err_fd (an unlinked temporary file, -1: none) */
    int err_fd;
    char ssh_host[256];
    int exit_status;  /* of the child, once it ended */
    /* --emulate: the agent's --models-dir, a private temporary folder (uploads land
     * there, not in the caller's working folder), emptied and removed on close */
    char models_dir[256];
} eb_conn;

/* A closed connection (every descriptor -1), safe to eb_conn_close. */
void eb_conn_init(eb_conn *c);

/* True for "tcp://..." and "rfc2217://..." (a serial line on the network). */
bool eb_conn_is_url(const char *port);

/* Opens a serial device, or a URL: tcp://HOST:PORT (a raw TCP serial server, ser2net's
 * `tcp` accepter) or rfc2217://HOST:PORT (telnet with the com port option, ser2net's
 * `telnet(rfc2217)` accepter; the far line is set to baud 8N1). On failure err says
 * which port and why (refused, unknown host, no answer, no such device). */
eb_status eb_conn_open(eb_conn *c, const char *port, int baud, char *err, size_t errlen);

/* The network part of eb_conn_open. */
eb_status eb_conn_open_net(eb_conn *c, const char *url, int baud, char *err,
                           size_t errlen);

/* Starts the target's agent on an SSH host (`ssh [ssh_options] HOST 'edgebench-agent
 * --stdio ...'`, BatchMode, connect timeout, keep-alives) with the protocol on c->fd.
 * Fails only when ssh cannot be started: whether anybody answers shows in the handshake,
 * and eb_conn_ssh_diagnose then says why not. */
eb_status eb_conn_open_ssh(eb_conn *c, const eb_target *t, const char *host, char *err,
                           size_t errlen);

/* After a failed handshake over ssh: one sentence on why (unknown or changed host key,
 * refused key, connection refused, unknown host, no agent installed, an agent of
 * another architecture, ...), from ssh's exit status and what it wrote. */
void eb_conn_ssh_diagnose(eb_conn *c, const char *target_name, char *err, size_t errlen);

/* The same from what ssh wrote (text) and its exit status (code, -1: still running). */
void eb_ssh_explain(const char *text, int code, const char *host, const char *target_name,
                    char *err, size_t errlen);

/* The last line ssh (or the board's shell) wrote to stderr so far. */
void eb_conn_ssh_stderr(const eb_conn *c, char *buf, size_t cap);

/* The remote command that starts the target's agent on the protocol (for messages). */
void eb_ssh_agent_command(const eb_target *t, char *buf, size_t cap);

/* Runs one remote command over ssh with stdin from in_fd (-1: nothing), waits at most
 * timeout_s, and gives its exit code and its output (stdout and stderr together). */
eb_status eb_ssh_run(const eb_target *t, const char *host, const char *remote, int in_fd,
                     int timeout_s, char *output, size_t outcap, int *exit_code, char *err,
                     size_t errlen);

/* Makes rd read through the connection's decoding (telnet), if it has one. */
void eb_conn_attach(eb_conn *c, eb_linereader *rd);

/* Opens a serial device raw 8N1. On failure err says which port and why. */
eb_status eb_conn_open_serial(eb_conn *c, const char *port, int baud, char *err,
                              size_t errlen);

/* Starts argv (argv[0] looked up in PATH) with its last argument replaced by the path of
 * a new pty's slave, e.g. {"qemu-aarch64", "-cpu", "cortex-a72", AGENT, NULL-slot}. The
 * argv array must have one free slot before its NULL terminator marked by "@PTY". */
eb_status eb_conn_spawn(eb_conn *c, char *const argv[], char *err, size_t errlen);

/* Finds the agent binary and qemu for a target's --emulate run and starts it. agent:
 * an explicit binary (--agent) or NULL for the target's default. */
eb_status eb_conn_spawn_emulated(eb_conn *c, const eb_target *t, const char *agent,
                                 char *err, size_t errlen);

/* Closes the pty slave copy kept for the handshake (so a dead agent reads as EOF). */
void eb_conn_release(eb_conn *c);

/* Closes the line; stops and reaps a started agent (SIGTERM, then SIGKILL after 2 s). */
void eb_conn_close(eb_conn *c);

#ifdef __cplusplus
}
#endif
#endif
