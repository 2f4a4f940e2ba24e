/* eb_remote.h - the host side of the agent protocol (eb_proto.h): handshake, identify,
 * model upload and runs that stream per-inference times, with resynchronisation,
 * bounded retries and a timeout on every wait. Works on any pair of file descriptors:
 * a serial device, a pty, or pipes to a child process. */
#ifndef EB_REMOTE_H
#define EB_REMOTE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_agent.h"
#include "eb_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int reply_ms;   /* wait for the first reply to a command (default 3000) */
    int idle_ms;    /* silence allowed while a run streams (default 120000) */
    int retries;    /* attempts per command, chunk or resync (default 4) */
    FILE *trace;    /* every line sent (">") and received ("<"), or NULL */
    const volatile sig_atomic_t *stop; /* like eb_remote_interrupt, per client; may be NULL */
} eb_remote_opts;

typedef struct {
    int rfd, wfd;
    eb_linereader rd;
    eb_remote_opts o;
    unsigned nonce;
    /* what the agent said about itself (hello + id) */
    char version[32], arch[32], cpu[64], isa[128], os[128];
    int proto, cores, clock_mhz;
    uint64_t memory_bytes;
    int n_kernels;
    struct {
        char op[32];
        char name[64];
    } kernels[64];
    /* link health, for the report and tests */
    unsigned bad_lines;    /* lines dropped for a wrong or missing checksum */
    unsigned resyncs;      /* sync exchanges performed */
    unsigned retries_used; /* commands or chunks sent again */
    char noise[96];        /* the first dropped line's text (a login prompt, a server's
                            * message): it tells who answers when no agent does */
    /* the run being received, so lines that arrive while resynchronising are kept */
    struct eb_remote_run_result *active_run;
    char active_tag[16];
} eb_remote;

/* Set (e.g. by a SIGINT handler) to stop a run: the client sends abort once, collects
 * the agent's summary and keeps what it received. The caller clears it. */
extern volatile sig_atomic_t eb_remote_interrupt;

void eb_remote_init(eb_remote *r, int rfd, int wfd, const eb_remote_opts *o);

/* Version handshake, then `id`. EB_ERR_TIMEOUT: nobody answered; EB_ERR_PROTOCOL: an
 * agent of another protocol version (err says which and what to do); EB_ERR_IO: the
 * line closed. */
eb_status eb_remote_hello(eb_remote *r, char *err, size_t errlen);

/* Resynchronises: a newline, then `sync <nonce>` until the same nonce comes back. */
eb_status eb_remote_sync(eb_remote *r);

/* Uploads a model file as <name> (ending in .ebm) in checksummed chunks. */
eb_status eb_remote_upload(eb_remote *r, const char *path, const char *name, char *err,
                           size_t errlen);

typedef struct eb_remote_run_result {
    eb_agent_model_info info;
    bool have_info;
    uint64_t target;        /* iterations asked for */
    uint64_t *samples_ns;   /* [target]; valid where received[i] */
    uint8_t *received;
    uint64_t n_received;
    uint64_t agent_n;       /* samples the agent says it took (from done) */
    bool agent_done;        /* the done line arrived */
    bool complete;          /* every asked sample arrived and the agent finished */
    uint64_t peak_rss_bytes;
    bool have_output_crc;   /* protocol 2: the done line's output_crc32 */
    uint32_t output_crc32;  /* CRC-32 of the output tensor after the last inference */
    char stop_reason[256];  /* why it is incomplete (empty when complete) */
} eb_remote_run_result;

typedef void (*eb_remote_progress)(void *user, const char *phase, uint64_t done,
                                   uint64_t total);

/* Runs a model on the agent, each inference split over `threads` threads (1..64; above 1
 * needs an agent of protocol 2: a protocol-1 agent is refused with EB_ERR_PROTOCOL and a
 * sentence saying how to update it). Fills res (the caller frees it with
 * eb_remote_run_result_free). Returns EB_OK when the run took place, complete or not
 * (res->complete says which, res->stop_reason why not); an error status, with err set,
 * when the run could not start (unknown model, no reply, ...). */
eb_status eb_remote_run(eb_remote *r, const char *model, uint64_t warmup, uint64_t iters,
                        const char *kernels, int threads, eb_remote_run_result *res,
                        eb_remote_progress progress, void *user, char *err, size_t errlen);
void eb_remote_run_result_free(eb_remote_run_result *res);

/* Lines of a run read some other way (a LAVA job's log, agent_run.c): a line's words
 * (checksum verified and removed) go into res when they belong to the run tagged tag;
 * `id` and `kernel` lines into r's description of the agent (returns whether it was
 * one). res must be allocated as eb_remote_run does (target, samples_ns, received). */
void eb_remote_absorb(eb_remote_run_result *res, const char *tag, char **w, int n);
bool eb_remote_take_id(eb_remote *r, char **w, int n);

/* Received samples in order of index, in milliseconds; returns the count. */
size_t eb_remote_samples_ms(const eb_remote_run_result *res, double *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
