/* remote.c - the host side of the agent protocol: handshake, uploads and runs, with
 * resynchronisation after corrupted or dropped bytes and bounded retries. */
#include "eb_remote.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t eb_remote_interrupt = 0;

#define MAX_WORDS 16

void eb_remote_init(eb_remote *r, int rfd, int wfd, const eb_remote_opts *o)
{
    memset(r, 0, sizeof *r);
    r->rfd = rfd;
    r->wfd = wfd;
    if (o)
        r->o = *o;
    if (r->o.reply_ms <= 0)
        r->o.reply_ms = 3000;
    if (r->o.idle_ms <= 0)
        r->o.idle_ms = 120000;
    if (r->o.retries <= 0)
        r->o.retries = 4;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r->nonce = (unsigned)(ts.tv_nsec ^ (getpid() << 16));
    eb_linereader_init(&r->rd, rfd);
}

static bool interrupted(const eb_remote *r)
{
    return eb_remote_interrupt || (r->o.stop && *r->o.stop);
}

static void trace(eb_remote *r, const char *dir, const char *line)
{
    if (r->o.trace)
        fprintf(r->o.trace, "%s %s\n", dir, line);
}

static eb_status send_line(eb_remote *r, const char *text)
{
    char buf[EB_PROTO_MAX_LINE + 8];
    size_t len = strlen(text);
    if (len > EB_PROTO_MAX_LINE - 6)
        return EB_ERR_ARG;
    memcpy(buf, text, len);
    len = eb_proto_seal(buf, len, sizeof buf);
    if (!len)
        return EB_ERR_ARG;
    trace(r, ">", text);
    return eb_write_all(r->wfd, buf, len, r->o.reply_ms);
}

/* The next line with a valid checksum (others are counted and dropped). When
 * interruptible, returns early with EB_ERR_TIMEOUT once eb_remote_interrupt is set. */
static eb_status next_line_i(eb_remote *r, char *line, size_t cap, int timeout_ms,
                             bool interruptible)
{
    int64_t deadline = eb_mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - eb_mono_ms();
        if (left <= 0)
            return EB_ERR_TIMEOUT;
        if (interruptible && interrupted(r))
            return EB_ERR_TIMEOUT;
        eb_status st = eb_linereader_get(&r->rd, line, cap, left > 200 ? 200 : (int)left);
        if (st == EB_ERR_TIMEOUT)
            continue;
        if (st == EB_ERR_NOMEM) {
            r->bad_lines++;
            continue;
        }
        if (st != EB_OK)
            return st;
        int c = eb_proto_check(line);
        if (c == 1) {
            trace(r, "<", line);
            return EB_OK;
        }
        r->bad_lines++;
        trace(r, "< (dropped: bad or missing checksum)", line);
        if (!r->noise[0] && c == 0) {
            size_t k = 0;
            for (const char *p = line; *p && k + 1 < sizeof r->noise; p++)
                if (*p >= ' ' && *p < 127 && *p != '\'')
                    r->noise[k++] = *p;
            r->noise[k] = '\0';
        }
    }
}

static eb_status next_line(eb_remote *r, char *line, size_t cap, int timeout_ms)
{
    return next_line_i(r, line, cap, timeout_ms, false);
}

#define absorb eb_remote_absorb

eb_status eb_remote_sync(eb_remote *r)
{
    for (int attempt = 0; attempt < r->o.retries; attempt++) {
        r->resyncs++;
        char cmd[48];
        unsigned nonce = ++r->nonce;
        snprintf(cmd, sizeof cmd, "sync %08x", nonce);
        /* A bare newline ends whatever partial line the agent holds. */
        if (eb_write_all(r->wfd, "\n", 1, r->o.reply_ms) != EB_OK || send_line(r, cmd) != EB_OK)
            return EB_ERR_IO;
        /* During a run the agent answers between inferences, so allow a long one. */
        int wait = r->active_run ? r->o.idle_ms : r->o.reply_ms;
        int64_t deadline = eb_mono_ms() + wait;
        for (;;) {
            int64_t left = deadline - eb_mono_ms();
            if (left <= 0)
                break;
            char line[EB_PROTO_MAX_LINE + 1];
            eb_status st = next_line(r, line, sizeof line, (int)left);
            if (st == EB_ERR_IO)
                return st;
            if (st != EB_OK)
                break;
            char *w[MAX_WORDS];
            int n = eb_proto_split(line, w, MAX_WORDS);
            if (n == 2 && !strcmp(w[0], EB_REP_SYNC)) {
                char want[16];
                snprintf(want, sizeof want, "%08x", nonce);
                if (!strcmp(w[1], want))
                    return EB_OK;
                continue; /* an older sync's answer */
            }
            if (r->active_run)
                absorb(r->active_run, r->active_tag, w, n);
        }
    }
    return EB_ERR_TIMEOUT;
}

/* ---- one command and its answer ----------------------------------------------------- */

typedef enum {
    REPLY_OTHER, /* not part of the answer: keep waiting (the deadline stands) */
    REPLY_MORE,  /* part of the answer: keep reading (the deadline starts again) */
    REPLY_DONE,  /* the answer is complete */
    REPLY_RETRY, /* the command was damaged or the answer lost: send it again */
    REPLY_FAIL,  /* a final error answer (the handler said why) */
} reply_verdict;

typedef reply_verdict (*reply_fn)(eb_remote *r, void *ctx, char **w, int n, int attempt);

typedef struct {
    const char *cmd;
    int attempts;       /* sends at most */
    bool newline_first; /* before each send, a bare newline instead of a resync (handshake) */
    reply_fn on_line;
    void *ctx;
} exchange_spec;

/* The retry-and-resync loop every command shares: sends cmd and gives each valid reply
 * line to on_line until it says done or fail. When no answer comes within reply_ms, or
 * on_line asks for it, resynchronises and sends the command again, at most x->attempts
 * times. EB_OK: done; EB_ERR_PROTOCOL: failed; EB_ERR_TIMEOUT: no complete answer;
 * EB_ERR_IO: the line closed or cannot be written. */
static eb_status exchange(eb_remote *r, const exchange_spec *x)
{
    for (int attempt = 0; attempt < x->attempts; attempt++) {
        if (attempt) {
            r->retries_used++;
            if (!x->newline_first && eb_remote_sync(r) == EB_ERR_IO)
                return EB_ERR_IO;
        }
        /* A bare newline ends whatever was on the line before (boot messages, noise). */
        if (x->newline_first && eb_write_all(r->wfd, "\n", 1, r->o.reply_ms) != EB_OK)
            return EB_ERR_IO;
        if (send_line(r, x->cmd) != EB_OK)
            return EB_ERR_IO;
        int64_t deadline = eb_mono_ms() + r->o.reply_ms;
        for (;;) {
            int64_t left = deadline - eb_mono_ms();
            if (left <= 0)
                break;
            char line[EB_PROTO_MAX_LINE + 1];
            eb_status st = next_line(r, line, sizeof line, (int)left);
            if (st == EB_ERR_IO)
                return st;
            if (st != EB_OK)
                break;
            char *w[MAX_WORDS];
            int n = eb_proto_split(line, w, MAX_WORDS);
            reply_verdict v = x->on_line(r, x->ctx, w, n, attempt);
            if (v == REPLY_DONE)
                return EB_OK;
            if (v == REPLY_FAIL)
                return EB_ERR_PROTOCOL;
            if (v == REPLY_RETRY)
                break;
            if (v == REPLY_MORE)
                deadline = eb_mono_ms() + r->o.reply_ms;
        }
    }
    return EB_ERR_TIMEOUT;
}

static bool is_reply(char *const *w, int n, const char *kind, const char *what)
{
    return n >= 2 && !strcmp(w[0], kind) && !strcmp(w[1], what);
}

/* ---- handshake ----------------------------------------------------------------- */

/* What the agent says is copied as printable ASCII ('?' for anything else): it ends up
 * in reports (which must be UTF-8 JSON) and on the console (no terminal escapes). */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (unsigned char)src[i] >= 0x20 && (unsigned char)src[i] <= 0x7e ? src[i] : '?';
    dst[i] = 0;
}

static void copy_kv(char *const *w, int n, const char *key, char *dst, size_t cap)
{
    const char *v = eb_proto_kv(w, n, key);
    copy_text(dst, cap, v ? v : "");
}

static int kv_int(char *const *w, int n, const char *key)
{
    const char *v = eb_proto_kv(w, n, key);
    uint64_t x;
    return v && eb_proto_u64(v, 1000000000, &x) ? (int)x : 0;
}

/* `id`: the id line, then a kernel line per op, then `ok id`. */
static reply_verdict on_id(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    bool *got_id = ctx;
    (void)attempt;
    if (n >= 2 && !strcmp(w[0], EB_REP_ID)) {
        *got_id = true;
        r->n_kernels = 0; /* the listing starts again after the id line */
        copy_kv(w, n, "version", r->version, sizeof r->version);
        copy_kv(w, n, "arch", r->arch, sizeof r->arch);
        copy_kv(w, n, "cpu", r->cpu, sizeof r->cpu);
        copy_kv(w, n, "isa", r->isa, sizeof r->isa);
        copy_kv(w, n, "os", r->os, sizeof r->os);
        r->cores = kv_int(w, n, "cores");
        r->clock_mhz = kv_int(w, n, "clock_mhz");
        const char *m = eb_proto_kv(w, n, "memory_bytes");
        uint64_t mb = 0;
        r->memory_bytes = m && eb_proto_u64(m, UINT64_MAX, &mb) ? mb : 0;
        return REPLY_MORE;
    }
    if (n == 3 && !strcmp(w[0], EB_REP_KERNEL)) {
        if (*got_id && r->n_kernels < 64) {
            copy_text(r->kernels[r->n_kernels].op, sizeof r->kernels[0].op, w[1]);
            copy_text(r->kernels[r->n_kernels].name, sizeof r->kernels[0].name, w[2]);
            r->n_kernels++;
        }
        return REPLY_MORE;
    }
    if (is_reply(w, n, EB_REP_OK, EB_CMD_ID))
        return *got_id ? REPLY_DONE : REPLY_RETRY; /* the id line itself was lost: ask again */
    return REPLY_OTHER;
}

bool eb_remote_take_id(eb_remote *r, char **w, int n)
{
    bool got_id = r->arch[0] != '\0'; /* kernel lines count once the id line came */
    return on_id(r, &got_id, w, n, 0) != REPLY_OTHER;
}

static eb_status identify(eb_remote *r, char *err, size_t errlen)
{
    bool got_id = false;
    exchange_spec x = {EB_CMD_ID, r->o.retries, false, on_id, &got_id};
    if (exchange(r, &x) == EB_OK)
        return EB_OK;
    snprintf(err, errlen, "the agent answered the handshake but not 'id' after %d attempts",
             r->o.retries);
    return EB_ERR_PROTOCOL;
}

typedef struct {
    char *err;
    size_t errlen;
    bool refused; /* err version: the agent does not speak the version asked for */
} hello_ctx;

static reply_verdict on_hello(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    hello_ctx *h = ctx;
    (void)attempt;
    if (n >= 2 && !strcmp(w[0], EB_REP_HELLO) && !strcmp(w[1], EB_AGENT_NAME)) {
        copy_kv(w, n, "version", r->version, sizeof r->version);
        r->proto = kv_int(w, n, "proto");
        if (r->proto >= EB_PROTO_MIN_VERSION && r->proto <= EB_PROTO_VERSION)
            return REPLY_DONE;
        snprintf(h->err, h->errlen,
                 "the agent (%s %s) speaks protocol %d but this edgebench speaks "
                 "protocol %d; build edgebench-agent from this edgebench version "
                 "and copy it to the board (targets/agent/README.md)",
                 w[1], r->version[0] ? r->version : "unknown version", r->proto,
                 EB_PROTO_VERSION);
        return REPLY_FAIL;
    }
    if (is_reply(w, n, EB_REP_ERR, EB_ERRC_VERSION)) {
        h->refused = true;
        snprintf(h->err, h->errlen,
                 "the agent refused the handshake (it speaks another protocol "
                 "version than this edgebench's %d); build edgebench-agent from this "
                 "edgebench version and copy it to the board (targets/agent/README.md)",
                 EB_PROTO_VERSION);
        return REPLY_FAIL;
    }
    return REPLY_OTHER; /* ready banners, err crc for a corrupted hello, noise */
}

eb_status eb_remote_hello(eb_remote *r, char *err, size_t errlen)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "%s %d", EB_CMD_HELLO, EB_PROTO_VERSION);
    hello_ctx h = {err, errlen, false};
    /* No resync before the agent is known: a newline before each hello is enough. */
    exchange_spec x = {cmd, r->o.retries, true, on_hello, &h};
    eb_status st = exchange(r, &x);
    if (st == EB_ERR_PROTOCOL && h.refused) {
        /* an older agent: protocol 1 runs everything but threads (eb_remote_run refuses
         * those with a sentence of its own) */
        char old[32];
        snprintf(old, sizeof old, "%s %d", EB_CMD_HELLO, EB_PROTO_MIN_VERSION);
        hello_ctx h1 = {err, errlen, false};
        exchange_spec x1 = {old, r->o.retries, true, on_hello, &h1};
        if (exchange(r, &x1) == EB_OK) {
            err[0] = '\0';
            st = EB_OK;
        }
    }
    if (st == EB_OK)
        return identify(r, err, errlen);
    if (st == EB_ERR_IO) {
        /* what came before the close tells who was there (a server's message) */
        char line[EB_PROTO_MAX_LINE + 1];
        int64_t until = eb_mono_ms() + 500;
        while (!r->noise[0] && eb_mono_ms() < until &&
               next_line(r, line, sizeof line, 100) != EB_ERR_IO) {
        }
        snprintf(err, errlen, "the line closed during the handshake");
    }
    else if (st == EB_ERR_TIMEOUT)
        snprintf(err, errlen, "no edgebench-agent answered");
    return st;
}

/* ---- runs ------------------------------------------------------------------------- */

static uint64_t kv_u64(char *const *w, int n, const char *key)
{
    const char *v = eb_proto_kv(w, n, key);
    uint64_t x = 0;
    return v && eb_proto_u64(v, UINT64_MAX, &x) ? x : 0;
}

void eb_remote_absorb(eb_remote_run_result *res, const char *tag, char **w, int n)
{
    if (n < 1)
        return;
    if (!strcmp(w[0], EB_REP_SAMPLE) && n == 3) {
        uint64_t i, ns;
        if (eb_proto_u64(w[1], EB_PROTO_MAX_ITERS, &i) && eb_proto_u64(w[2], UINT64_MAX, &ns) &&
            i < res->target && !res->received[i]) {
            res->samples_ns[i] = ns;
            res->received[i] = 1;
            res->n_received++;
        }
    } else if (!strcmp(w[0], EB_REP_INFO)) {
        eb_agent_model_info *m = &res->info;
        memset(m, 0, sizeof *m);
        copy_kv(w, n, "name", m->name, sizeof m->name);
        copy_kv(w, n, "arch", m->arch, sizeof m->arch);
        copy_kv(w, n, "variant", m->variant, sizeof m->variant);
        m->macs = kv_u64(w, n, "macs");
        m->params = kv_u64(w, n, "params");
        m->weights_bytes = kv_u64(w, n, "weights_bytes");
        m->packed_bytes = kv_u64(w, n, "packed_bytes");
        m->arena_bytes = kv_u64(w, n, "arena_bytes");
        m->arena_lower_bound_bytes = kv_u64(w, n, "arena_lower_bound_bytes");
        m->scratch_bytes = kv_u64(w, n, "scratch_bytes");
        uint64_t th = 1;
        const char *tv = eb_proto_kv(w, n, "threads"); /* protocol 2 */
        m->threads = tv && eb_proto_u64(tv, EB_PROTO_MAX_THREADS, &th) && th ? (int)th : 1;
        res->have_info = true;
    } else if (!strcmp(w[0], EB_REP_KERNEL) && n == 3 && res->have_info) {
        eb_agent_model_info *m = &res->info;
        char name[sizeof m->kernels[0].name];
        copy_text(name, sizeof name, w[2]);
        for (int k = 0; k < m->n_kernels; k++)
            if (!strcmp(m->kernels[k].name, name))
                return;
        if (m->n_kernels < EB_AGENT_MAX_KERNELS) {
            copy_text(m->kernels[m->n_kernels].op, sizeof m->kernels[0].op, w[1]);
            copy_text(m->kernels[m->n_kernels].name, sizeof m->kernels[0].name, w[2]);
            m->n_kernels++;
        }
    } else if (!strcmp(w[0], EB_REP_DONE)) {
        const char *t = eb_proto_kv(w, n, "tag");
        if (!t || strcmp(t, tag))
            return;
        res->agent_done = true;
        res->agent_n = kv_u64(w, n, "n");
        res->peak_rss_bytes = kv_u64(w, n, "peak_rss_bytes");
        const char *crc = eb_proto_kv(w, n, "output_crc32"); /* protocol 2 */
        char *end = NULL;
        unsigned long cv = crc && strlen(crc) == 8 ? strtoul(crc, &end, 16) : 0;
        res->have_output_crc = end && !*end;
        res->output_crc32 = res->have_output_crc ? (uint32_t)cv : 0;
        const char *c = eb_proto_kv(w, n, "complete");
        res->complete = c && !strcmp(c, "1"); /* provisional: samples checked later */
    }
}

/* Lines of a run asked for again (`last`, `resend`) go into the result. */
typedef struct {
    eb_remote_run_result *res;
    const char *tag;
} rerun_ctx;

static reply_verdict on_last(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    rerun_ctx *c = ctx;
    (void)r;
    (void)attempt;
    if (is_reply(w, n, EB_REP_OK, EB_CMD_LAST))
        return REPLY_DONE;
    if (n >= 2 && !strcmp(w[0], EB_REP_ERR) &&
        (!strcmp(w[1], EB_ERRC_BUSY) || !strcmp(w[1], EB_ERRC_STATE)))
        return REPLY_FAIL;
    absorb(c->res, c->tag, w, n);
    return REPLY_MORE;
}

/* Asks `last` once and absorbs its info/done lines. EB_OK on "ok last". */
static eb_status query_last(eb_remote *r, eb_remote_run_result *res, const char *tag)
{
    rerun_ctx c = {res, tag};
    exchange_spec x = {EB_CMD_LAST, 1, false, on_last, &c};
    return exchange(r, &x);
}

static reply_verdict on_resend(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    rerun_ctx *c = ctx;
    (void)r;
    (void)attempt;
    if (is_reply(w, n, EB_REP_OK, EB_CMD_RESEND))
        return REPLY_DONE;
    if (n >= 1 && !strcmp(w[0], EB_REP_ERR))
        return REPLY_FAIL;
    absorb(c->res, c->tag, w, n);
    return REPLY_MORE;
}

/* Asks again for samples that were lost on the line. */
static void fetch_missing(eb_remote *r, eb_remote_run_result *res, const char *tag)
{
    uint64_t upto = res->agent_n < res->target ? res->agent_n : res->target;
    rerun_ctx c = {res, tag};
    for (int round = 0; round < r->o.retries && res->n_received < upto; round++) {
        uint64_t i = 0;
        while (i < upto) {
            if (res->received[i]) {
                i++;
                continue;
            }
            uint64_t first = i, count = 0;
            while (i < upto && !res->received[i] && count < EB_PROTO_MAX_RESEND) {
                i++;
                count++;
            }
            char cmd[64];
            snprintf(cmd, sizeof cmd, "%s %llu %llu", EB_CMD_RESEND, (unsigned long long)first,
                     (unsigned long long)count);
            r->retries_used++;
            /* a lost answer is asked for once more after a resync; the rounds do the rest */
            exchange_spec x = {cmd, 2, false, on_resend, &c};
            if (exchange(r, &x) == EB_ERR_IO)
                return;
        }
    }
}

void eb_remote_run_result_free(eb_remote_run_result *res)
{
    free(res->samples_ns);
    free(res->received);
    res->samples_ns = NULL;
    res->received = NULL;
}

size_t eb_remote_samples_ms(const eb_remote_run_result *res, double *out, size_t cap)
{
    size_t k = 0;
    for (uint64_t i = 0; i < res->target && k < cap; i++)
        if (res->received[i])
            out[k++] = (double)res->samples_ns[i] / 1e6;
    return k;
}

static void set_reason(eb_remote_run_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_reason(eb_remote_run_result *res, const char *fmt, ...)
{
    if (res->stop_reason[0])
        return; /* the first cause is the one worth telling */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->stop_reason, sizeof res->stop_reason, fmt, ap);
    va_end(ap);
}

eb_status eb_remote_run(eb_remote *r, const char *model, uint64_t warmup, uint64_t iters,
                        const char *kernels, int threads, eb_remote_run_result *res,
                        eb_remote_progress progress, void *user, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (threads < 1 || threads > EB_PROTO_MAX_THREADS) {
        snprintf(err, errlen, "a remote run takes 1..%d threads, not %d", EB_PROTO_MAX_THREADS,
                 threads);
        return EB_ERR_ARG;
    }
    if (threads > 1 && r->proto < EB_PROTO_THREADS_VERSION) {
        /* a protocol-1 agent would ignore threads= and run one thread */
        snprintf(err, errlen, "the agent (edgebench-agent %s) speaks protocol %d, which cannot "
                 "split an inference over threads; --threads %d needs protocol %d: build "
                 "edgebench-agent from this edgebench version and copy it to the board "
                 "(edgebench deploy, or targets/agent/README.md), or drop --threads",
                 r->version[0] ? r->version : "of an unknown version", r->proto, threads,
                 EB_PROTO_THREADS_VERSION);
        return EB_ERR_PROTOCOL;
    }
    if (iters == 0 || iters > EB_PROTO_MAX_ITERS || warmup > EB_PROTO_MAX_WARMUP ||
        strlen(model) > EB_PROTO_MAX_NAME || strchr(model, ' ')) {
        snprintf(err, errlen, "a remote run takes 1..%d iterations, 0..%d warm-up runs and a "
                 "model name without spaces", EB_PROTO_MAX_ITERS, EB_PROTO_MAX_WARMUP);
        return EB_ERR_ARG;
    }
    res->target = iters;
    res->samples_ns = calloc((size_t)iters, sizeof *res->samples_ns);
    res->received = calloc((size_t)iters, 1);
    if (!res->samples_ns || !res->received) {
        eb_remote_run_result_free(res);
        snprintf(err, errlen, "out of memory for %llu samples", (unsigned long long)iters);
        return EB_ERR_NOMEM;
    }
    char tag[16];
    snprintf(tag, sizeof tag, "%08x", ++r->nonce * 2654435761u);
    char cmd[256];
    int len = snprintf(cmd, sizeof cmd, "%s %s %s %llu %llu kernels=%s", EB_CMD_RUN, tag, model,
                       (unsigned long long)warmup, (unsigned long long)iters,
                       kernels ? kernels : "auto");
    if (r->proto >= EB_PROTO_THREADS_VERSION && len > 0 && (size_t)len < sizeof cmd)
        snprintf(cmd + len, sizeof cmd - (size_t)len, " threads=%d", threads);
    r->active_run = res;
    snprintf(r->active_tag, sizeof r->active_tag, "%s", tag);

    eb_status ret = EB_OK;
    bool started = false, finished = false, abort_sent = false, user_abort = false;
    int attempts = 0, silent = 0;
    uint64_t last_count = 0, warm_done = 0;
    if (send_line(r, cmd) != EB_OK) {
        snprintf(err, errlen, "cannot write to the line");
        ret = EB_ERR_IO;
        goto out;
    }
    while (!finished) {
        if (interrupted(r) && !abort_sent) {
            abort_sent = true;
            user_abort = true;
            if (!started) {
                snprintf(err, errlen, "interrupted before the run started");
                ret = EB_ERR_IO;
                goto out;
            }
            send_line(r, EB_CMD_ABORT);
        }
        char line[EB_PROTO_MAX_LINE + 1];
        int wait = !started || abort_sent ? r->o.reply_ms : r->o.idle_ms;
        eb_status st = next_line_i(r, line, sizeof line, wait, !abort_sent);
        if (st == EB_ERR_IO) {
            if (!started) {
                snprintf(err, errlen, "the line closed before the run started");
                ret = EB_ERR_IO;
                goto out;
            }
            set_reason(res, "the line closed (agent killed or cable unplugged) after %llu of "
                       "%llu samples", (unsigned long long)res->n_received,
                       (unsigned long long)iters);
            break;
        }
        if (st == EB_ERR_TIMEOUT) {
            if (interrupted(r) && !abort_sent)
                continue;
            if (!started) {
                if (++attempts >= r->o.retries) {
                    snprintf(err, errlen, "the agent did not answer 'run' after %d attempts",
                             attempts);
                    ret = EB_ERR_TIMEOUT;
                    goto out;
                }
                r->retries_used++;
                if (eb_remote_sync(r) == EB_ERR_IO || send_line(r, cmd) != EB_OK) {
                    snprintf(err, errlen, "the line closed before the run started");
                    ret = EB_ERR_IO;
                    goto out;
                }
                continue;
            }
            /* Silence during a run: is the agent still there? */
            eb_status ss = eb_remote_sync(r);
            if (ss != EB_OK) {
                set_reason(res, "the agent stopped answering after %llu of %llu samples",
                           (unsigned long long)res->n_received, (unsigned long long)iters);
                break;
            }
            /* Alive: perhaps the done line was lost. */
            if (!res->agent_done) {
                eb_status ls = query_last(r, res, tag);
                if (ls == EB_ERR_IO)
                    break;
            }
            if (res->agent_done) {
                finished = true;
                break;
            }
            if (res->n_received == last_count && ++silent >= r->o.retries) {
                set_reason(res, "the agent answers but sent no samples for %d x %d ms",
                           silent, r->o.idle_ms);
                send_line(r, EB_CMD_ABORT);
                break;
            }
            last_count = res->n_received;
            continue;
        }
        char *w[MAX_WORDS];
        int n = eb_proto_split(line, w, MAX_WORDS);
        if (n >= 3 && !strcmp(w[0], EB_REP_OK) && !strcmp(w[1], EB_CMD_RUN) &&
            !strcmp(w[2], tag)) {
            started = true;
            if (n >= 4 && !strcmp(w[3], "already")) { /* it ran; our first ok was lost */
                query_last(r, res, tag);
                if (res->agent_done)
                    finished = true;
            }
            continue;
        }
        if (n >= 2 && !strcmp(w[0], EB_REP_ERR)) {
            if (!strcmp(w[1], EB_ERRC_CRC) && (!started || abort_sent)) {
                if (++attempts >= r->o.retries) {
                    snprintf(err, errlen, "the line is too noisy: 'run' was corrupted %d times",
                             attempts);
                    ret = EB_ERR_PROTOCOL;
                    goto out;
                }
                r->retries_used++;
                send_line(r, started ? EB_CMD_ABORT : cmd);
            } else if (!strcmp(w[1], EB_ERRC_BUSY) && !started) {
                /* An earlier run (another session's) is still going: stop it. */
                if (++attempts >= r->o.retries) {
                    snprintf(err, errlen, "the agent stays busy with an earlier run");
                    ret = EB_ERR_PROTOCOL;
                    goto out;
                }
                send_line(r, EB_CMD_ABORT);
                eb_remote_sync(r);
                send_line(r, cmd);
            } else if (!strcmp(w[1], EB_ERRC_MODEL) || !strcmp(w[1], EB_ERRC_ARGS) ||
                       !strcmp(w[1], EB_ERRC_NOMEM)) {
                /* Rebuild the message from the words after the code. */
                char msg[512] = "";
                for (int i = 2; i < n; i++) {
                    size_t l = strlen(msg);
                    snprintf(msg + l, sizeof msg - l, "%s", i > 2 ? " " : "");
                    l = strlen(msg);
                    copy_text(msg + l, sizeof msg - l, w[i]);
                }
                snprintf(err, errlen, "the agent could not run '%s': %s", model, msg);
                ret = EB_ERR_ARG;
                goto out;
            }
            continue;
        }
        if (n >= 1 && !strcmp(w[0], EB_REP_WARM)) {
            started = true;
            if (progress)
                progress(user, "warmup", ++warm_done, warmup);
            continue;
        }
        uint64_t before = res->n_received;
        absorb(res, tag, w, n);
        if (n >= 1 && (!strcmp(w[0], EB_REP_SAMPLE) || !strcmp(w[0], EB_REP_INFO)))
            started = true;
        if (res->n_received != before) {
            silent = 0;
            if (progress)
                progress(user, "run", res->n_received, iters);
        }
        if (res->agent_done)
            finished = true;
    }
    if (finished) {
        fetch_missing(r, res, tag);
        if (user_abort) /* counted now: the inference in flight may have arrived */
            set_reason(res, "interrupted after %llu of %llu samples",
                       (unsigned long long)res->n_received, (unsigned long long)iters);
        if (!res->have_info)
            query_last(r, res, tag);
        uint64_t upto = res->agent_n < iters ? res->agent_n : iters;
        if (res->n_received < upto)
            set_reason(res, "%llu samples were lost on the line and could not be fetched again",
                       (unsigned long long)(upto - res->n_received));
        else if (!res->complete)
            set_reason(res, "the agent stopped after %llu of %llu inferences",
                       (unsigned long long)res->agent_n, (unsigned long long)iters);
    }
    if (res->have_info && res->info.threads != threads) {
        snprintf(err, errlen, "the agent ran '%s' on %d thread%s, not the %d asked for", model,
                 res->info.threads, res->info.threads == 1 ? "" : "s", threads);
        ret = EB_ERR_PROTOCOL;
        goto out;
    }
    res->complete = finished && res->complete && res->n_received == iters;
    if (!res->complete)
        set_reason(res, "%llu of %llu samples received", (unsigned long long)res->n_received,
                   (unsigned long long)iters);
    else
        res->stop_reason[0] = '\0';
out:
    r->active_run = NULL;
    r->active_tag[0] = '\0';
    if (ret != EB_OK)
        eb_remote_run_result_free(res);
    return ret;
}

/* ---- uploads ---------------------------------------------------------------------- */

typedef struct {
    const char *name;
    bool file_crc_bad;
    char *err;
    size_t errlen;
} upload_ctx;

static reply_verdict on_upload(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    upload_ctx *u = ctx;
    (void)r;
    (void)attempt;
    if (n >= 3 && is_reply(w, n, EB_REP_OK, EB_CMD_UPLOAD))
        return REPLY_DONE;
    if (is_reply(w, n, EB_REP_ERR, EB_ERRC_CRC))
        return REPLY_RETRY; /* our line was corrupted: send it again */
    if (n >= 2 && !strcmp(w[0], EB_REP_ERR)) {
        char code[32];
        copy_text(code, sizeof code, w[1]);
        snprintf(u->err, u->errlen, "the agent refused the upload of %s (%s)", u->name, code);
        return REPLY_FAIL;
    }
    return REPLY_OTHER;
}

static reply_verdict on_commit(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    upload_ctx *u = ctx;
    (void)r;
    if (is_reply(w, n, EB_REP_OK, EB_CMD_COMMIT))
        return REPLY_DONE;
    if (n >= 3 && is_reply(w, n, EB_REP_ERR, EB_ERRC_CRC) && !strcmp(w[2], "file")) {
        u->file_crc_bad = true;
        snprintf(u->err, u->errlen, "the uploaded %s arrived damaged (file CRC-32 differs)",
                 u->name);
        return REPLY_FAIL;
    }
    if (is_reply(w, n, EB_REP_ERR, EB_ERRC_STATE) && attempt)
        return REPLY_DONE; /* the first commit went through; its ok was lost */
    if (n >= 2 && !strcmp(w[0], EB_REP_ERR))
        return REPLY_RETRY;
    return REPLY_OTHER;
}

typedef struct {
    upload_ctx *u;
    size_t size, off, len; /* the chunk [off, off + len) is on its way */
} chunk_ctx;

static reply_verdict on_chunk(eb_remote *r, void *ctx, char **w, int n, int attempt)
{
    chunk_ctx *c = ctx;
    (void)r;
    (void)attempt;
    uint64_t at;
    if (n == 2 && !strcmp(w[0], EB_REP_ACK) && eb_proto_u64(w[1], c->size, &at)) {
        if (at == c->off + c->len || (at % EB_PROTO_CHUNK_BYTES == 0 && at != c->off)) {
            c->off = (size_t)at;
            return REPLY_DONE;
        }
        return REPLY_OTHER; /* a stale ack of an earlier send */
    }
    if (n == 3 && is_reply(w, n, EB_REP_ERR, EB_ERRC_OFFSET) &&
        eb_proto_u64(w[2], c->size, &at) && at % EB_PROTO_CHUNK_BYTES == 0) {
        c->off = (size_t)at; /* continue where the agent is */
        return REPLY_DONE;
    }
    if (n >= 2 && !strcmp(w[0], EB_REP_ERR)) {
        if (!strcmp(w[1], EB_ERRC_IO) || !strcmp(w[1], EB_ERRC_STATE)) {
            char code[32];
            copy_text(code, sizeof code, w[1]);
            snprintf(c->u->err, c->u->errlen, "the agent failed while storing %s (%s)",
                     c->u->name, code);
            return REPLY_FAIL;
        }
        return REPLY_RETRY; /* crc or args: the chunk was damaged on the way */
    }
    return REPLY_OTHER;
}

static eb_status upload_once(eb_remote *r, const uint8_t *data, size_t size, uint32_t crc,
                             const char *name, bool *file_crc_bad, char *err, size_t errlen)
{
    char cmd[EB_PROTO_MAX_LINE];
    upload_ctx u = {name, false, err, errlen};
    snprintf(cmd, sizeof cmd, "%s %s %zu %08x", EB_CMD_UPLOAD, name, size, (unsigned)crc);
    exchange_spec open = {cmd, r->o.retries, false, on_upload, &u};
    eb_status st = exchange(r, &open);
    if (st == EB_ERR_IO) {
        snprintf(err, errlen, "the line closed during the upload");
        return st;
    }
    if (st == EB_ERR_PROTOCOL)
        return st;
    if (st != EB_OK) {
        snprintf(err, errlen, "the agent did not accept the upload of %s after %d attempts",
                 name, r->o.retries);
        return EB_ERR_TIMEOUT;
    }
    chunk_ctx c = {&u, size, 0, 0};
    while (c.off < size) {
        c.len = size - c.off < EB_PROTO_CHUNK_BYTES ? size - c.off : EB_PROTO_CHUNK_BYTES;
        int k = snprintf(cmd, sizeof cmd, "%s %zu ", EB_CMD_CHUNK, c.off);
        eb_base64_encode(data + c.off, c.len, cmd + k, sizeof cmd - (size_t)k);
        exchange_spec chunk = {cmd, r->o.retries + 1, false, on_chunk, &c};
        st = exchange(r, &chunk);
        if (st == EB_ERR_IO) {
            snprintf(err, errlen, "the line closed during the upload");
            return st;
        }
        if (st == EB_ERR_PROTOCOL)
            return EB_ERR_IO; /* on_chunk said why */
        if (st != EB_OK) {
            snprintf(err, errlen, "the upload of %s stalled at byte %zu of %zu: the line is too "
                     "noisy", name, c.off, size);
            return EB_ERR_TIMEOUT;
        }
    }
    exchange_spec commit = {EB_CMD_COMMIT, r->o.retries, false, on_commit, &u};
    st = exchange(r, &commit);
    if (st == EB_OK)
        return EB_OK;
    if (st == EB_ERR_IO) {
        snprintf(err, errlen, "the line closed during the upload");
        return st;
    }
    if (u.file_crc_bad) {
        *file_crc_bad = true;
        return EB_ERR_FORMAT;
    }
    snprintf(err, errlen, "the agent did not confirm the upload of %s", name);
    return EB_ERR_TIMEOUT;
}

eb_status eb_remote_upload(eb_remote *r, const char *path, const char *name, char *err,
                           size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    /* the file's own size, bounded, not the protocol's limit: 256 MiB per upload made
     * every upload slow and impossible where that much address space is missing */
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        (uint64_t)sb.st_size > EB_PROTO_MAX_UPLOAD) {
        fclose(f);
        snprintf(err, errlen, "%s is empty, not a regular file or larger than %u bytes", path,
                 EB_PROTO_MAX_UPLOAD);
        return EB_ERR_ARG;
    }
    size_t want = (size_t)sb.st_size;
    uint8_t *data = malloc(want);
    size_t size = data ? fread(data, 1, want, f) : 0;
    fclose(f);
    if (!data || size != want) {
        eb_status st = data ? EB_ERR_IO : EB_ERR_NOMEM;
        snprintf(err, errlen, "cannot read %s: %s", path, data ? "short read" : "out of memory");
        free(data);
        return st;
    }
    uint32_t crc = eb_proto_crc32(0, data, size);
    eb_status st = EB_ERR_FORMAT;
    for (int whole = 0; whole < 2; whole++) {
        bool crc_bad = false;
        st = upload_once(r, data, size, crc, name, &crc_bad, err, errlen);
        if (st == EB_OK || !crc_bad)
            break;
    }
    free(data);
    return st;
}
