/* eb_proto.h - the edgebench agent line protocol, shared by the agent (on the board) and
 * the host client. targets/agent/README.md documents it for people; this header is the
 * single source of its strings and limits.
 *
 * Lines are ASCII and end with '\n' or '\r' (empty lines are ignored, so CR LF is one
 * line end; the agent sends CR LF so a serial terminal shows it well); at most
 * EB_PROTO_MAX_LINE bytes. A line may end with " *XXXX": four upper-case hex digits of
 * the CRC-16/CCITT-FALSE of every byte before the space. Every line the agent sends
 * carries one; commands that change state (run, upload, chunk, commit) must carry one;
 * read-only commands may omit it, so `help`, `id` and `models` can be typed by hand.
 */
#ifndef EB_PROTO_H
#define EB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol 2 added `threads=N` to `run` (one inference split over N threads), `threads=`
 * to `info` and `output_crc32=` to `done`. An agent answers `hello <v>` for every v from
 * EB_PROTO_MIN_VERSION to EB_PROTO_VERSION in that version (so an older host still talks
 * to it); the host asks for EB_PROTO_VERSION and, refused, for 1: a protocol-1 agent runs
 * one thread only, and the host refuses --threads above 1 for it (it would ignore the key). */
#define EB_PROTO_VERSION 2
#define EB_PROTO_MIN_VERSION 1
#define EB_PROTO_THREADS_VERSION 2 /* the first version whose run takes threads= */
#define EB_AGENT_NAME "edgebench-agent"

/* Limits (every length either side accepts is bounded by one of these). */
#define EB_PROTO_MAX_LINE 1024          /* bytes of one line, checksum included */
#define EB_PROTO_MAX_NAME 95            /* model names */
#define EB_PROTO_CHUNK_BYTES 512        /* raw bytes of one upload chunk (684 base64) */
#define EB_PROTO_MAX_UPLOAD (256u << 20) /* bytes of one uploaded .ebm file */
#define EB_PROTO_MAX_ITERS 1000000      /* timed inferences of one run */
#define EB_PROTO_MAX_WARMUP 100000
#define EB_PROTO_MAX_RESEND 4096        /* samples one `resend` may ask for */
#define EB_PROTO_MAX_THREADS 64         /* threads= of one run (eb_context_create_threads) */

/* Commands (host -> agent). Arguments in angle brackets, [*] = checksum required. */
#define EB_CMD_HELP "help"       /* help                        -> "# ..." lines, ok help */
#define EB_CMD_HELLO "hello"     /* hello <proto>               -> hello ... | err version */
#define EB_CMD_ID "id"           /* id                          -> id k=v..., kernel ..., ok id */
#define EB_CMD_MODELS "models"   /* models                      -> model <name>..., ok models */
#define EB_CMD_RUN "run"         /* run <tag> <model> <warmup> <iters> [kernels=<set>] [threads=<n>] [*] */
#define EB_CMD_LAST "last"       /* last                        -> info, kernel..., done, ok last */
#define EB_CMD_RESEND "resend"   /* resend <first> <count>      -> s lines, ok resend */
#define EB_CMD_ABORT "abort"     /* abort                       (only meaningful during a run) */
#define EB_CMD_SYNC "sync"       /* sync <nonce>                -> sync <nonce> */
#define EB_CMD_UPLOAD "upload"   /* upload <name> <size> <crc32> [*] -> ok upload ... */
#define EB_CMD_CHUNK "chunk"     /* chunk <offset> <base64> [*] -> ack <next_offset> */
#define EB_CMD_COMMIT "commit"   /* commit [*]                  -> ok commit <name> */

/* Reply line kinds (agent -> host): the first word of the line. */
#define EB_REP_READY "ready" /* ready edgebench-agent <version> proto=<n> (on start) */
#define EB_REP_OK "ok"       /* ok <command> [k=v ...]: a command finished */
#define EB_REP_ERR "err"     /* err <code> <sentence> */
#define EB_REP_HELLO "hello" /* hello edgebench-agent version=<v> proto=<n> */
#define EB_REP_ID "id"
#define EB_REP_KERNEL "kernel" /* kernel <op>_<dtype> <function name> */
#define EB_REP_MODEL "model"
#define EB_REP_INFO "info"   /* info k=v ...: the planner's figures of the model */
#define EB_REP_WARM "w"      /* w <i>: warm-up inference i finished */
#define EB_REP_START "start" /* start n=<iters>: timed inferences begin */
#define EB_REP_SAMPLE "s"    /* s <index> <nanoseconds> */
#define EB_REP_DONE "done"   /* done n=<n> complete=<0|1> peak_rss_bytes=<b> ... */
#define EB_REP_ACK "ack"     /* ack <next_offset> */
#define EB_REP_SYNC "sync"
#define EB_REP_COMMENT "#"   /* help text */

/* Error codes (second word of an err line). */
#define EB_ERRC_CRC "crc"         /* checksum missing or wrong: resend */
#define EB_ERRC_UNKNOWN "unknown" /* no such command */
#define EB_ERRC_ARGS "args"       /* bad or out-of-range arguments */
#define EB_ERRC_TOOLONG "toolong" /* line longer than EB_PROTO_MAX_LINE */
#define EB_ERRC_BUSY "busy"       /* a run is in progress */
#define EB_ERRC_VERSION "version" /* protocol versions differ */
#define EB_ERRC_MODEL "model"     /* model unknown or failed to build */
#define EB_ERRC_NOMEM "nomem"
#define EB_ERRC_IO "io"
#define EB_ERRC_OFFSET "offset"   /* chunk at the wrong offset: err offset <expected> */
#define EB_ERRC_STATE "state"     /* e.g. chunk without upload, last without a run */

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): check("123456789") = 0x29B1. */
uint16_t eb_proto_crc16(const void *data, size_t len);
/* CRC-32 (IEEE 802.3, reflected, as zlib): check("123456789") = 0xCBF43926. */
uint32_t eb_proto_crc32(uint32_t crc, const void *data, size_t len);

/* Appends " *XXXX" and "\r\n" to the text in buf (length len, capacity cap). Returns the
 * new length, or 0 when it does not fit (or the line would exceed EB_PROTO_MAX_LINE). */
size_t eb_proto_seal(char *buf, size_t len, size_t cap);

/* Checks a received line in place (no '\n'; a trailing '\r' is removed). When it ends
 * with a well-formed " *XXXX", verifies it and cuts it off. Returns 1 when a checksum
 * was present and right, 0 when none was present, -1 when present and wrong. */
int eb_proto_check(char *line);

/* Splits a line into at most max space-separated words (modifies it). */
int eb_proto_split(char *line, char **words, int max);

/* Looks up "key=value" among words; returns the value or NULL. */
const char *eb_proto_kv(char *const *words, int n, const char *key);

/* Strict unsigned decimal parse of a whole word into [0, max]. */
bool eb_proto_u64(const char *s, uint64_t max, uint64_t *out);

/* Base64 (RFC 4648, with padding). encode returns the output length (writes a NUL);
 * decode returns the byte count or -1 on malformed input or when it exceeds cap. */
size_t eb_base64_encode(const void *src, size_t n, char *dst, size_t cap);
long eb_base64_decode(const char *src, size_t n, void *dst, size_t cap);

/* Rewrites n freshly read bytes in place and returns how many are data (e.g. takes a
 * telnet server's commands out of the stream); never returns more than n. */
typedef size_t (*eb_read_filter)(void *ctx, char *buf, size_t n);

/* A line reader over a file descriptor with a deadline: it keeps partial input between
 * calls, bounds line length (overlong lines are discarded up to their newline and
 * reported as EB_ERR_NOMEM), and never blocks past timeout_ms. */
typedef struct {
    int fd;
    eb_read_filter filter; /* applied to every read before anything else; NULL: none */
    void *filter_ctx;
    char buf[EB_PROTO_MAX_LINE * 2];
    size_t len;
    bool discarding; /* inside an overlong line: drop until '\n' */
    bool eof;
    uint64_t bytes_in;
} eb_linereader;

void eb_linereader_init(eb_linereader *r, int fd);
/* Reads one line (without '\n') into line (cap >= EB_PROTO_MAX_LINE + 1).
 * EB_OK, EB_ERR_TIMEOUT, EB_ERR_IO (end of file or read error; r->eof set), or
 * EB_ERR_NOMEM (an overlong line was dropped). timeout_ms < 0 waits forever. */
eb_status eb_linereader_get(eb_linereader *r, char *line, size_t cap, int timeout_ms);
/* True when a complete line is already buffered. */
bool eb_linereader_ready(const eb_linereader *r);

/* Writes all of buf (retrying short writes and EINTR; gives up after timeout_ms). */
eb_status eb_write_all(int fd, const void *buf, size_t len, int timeout_ms);

/* Monotonic milliseconds, for deadlines. */
int64_t eb_mono_ms(void);

#ifdef __cplusplus
}
#endif
#endif
