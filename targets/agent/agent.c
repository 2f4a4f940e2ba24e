/* agent.c - the agent's request handler: parses command lines, runs models through the
 * backend, streams samples, receives uploads. No host-only dependency. */
#include "eb_agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_dispatch.h"
#include "eb_port.h"

#define MAX_WORDS 16

struct eb_agent {
    eb_agent_config cfg;
    char dir[256];
    int rfd, wfd;
    eb_linereader rd;
    bool out_broken; /* a write failed: the host is gone */

    /* the last (or current) run */
    bool have_run, running, abort_req;
    char tag[33];
    eb_agent_model_info info;
    uint64_t *samples;
    uint64_t n_samples, n_target;
    bool complete;
    uint64_t peak_rss;
    bool have_crc;
    uint32_t output_crc; /* the backend's digest after the last inference */

    /* an upload in progress */
    bool uploading;
    char up_name[EB_PROTO_MAX_NAME + 1];
    char up_tmp[512];
    int up_fd;
    uint64_t up_size, up_off;
    uint32_t up_crc_want, up_crc;
    size_t up_last_len; /* length of the last accepted chunk (to re-ack duplicates) */
};

static void say(eb_agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(eb_agent *a, const char *fmt, ...)
{
    char buf[EB_PROTO_MAX_LINE + 8];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, EB_PROTO_MAX_LINE - 6, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < EB_PROTO_MAX_LINE - 7 ? (size_t)n : EB_PROTO_MAX_LINE - 7;
    for (size_t i = 0; i < len; i++) /* one line: never let a message split it */
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    len = eb_proto_seal(buf, len, sizeof buf);
    if (!len || a->out_broken)
        return;
    if (eb_write_all(a->wfd, buf, len, a->cfg.write_timeout_ms) != EB_OK)
        a->out_broken = true;
}

eb_agent *eb_agent_new(const eb_agent_config *cfg)
{
    eb_agent *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cfg = *cfg;
    if (a->cfg.write_timeout_ms <= 0)
        a->cfg.write_timeout_ms = 5000;
    snprintf(a->dir, sizeof a->dir, "%s", cfg->models_dir ? cfg->models_dir : ".");
    a->up_fd = -1;
    if (a->cfg.proto < EB_PROTO_MIN_VERSION || a->cfg.proto > EB_PROTO_VERSION)
        a->cfg.proto = EB_PROTO_VERSION;
    return a;
}

static void upload_reset(eb_agent *a)
{
    if (a->up_fd >= 0) {
        close(a->up_fd);
        unlink(a->up_tmp);
    }
    a->up_fd = -1;
    a->uploading = false;
}

void eb_agent_free(eb_agent *a)
{
    if (!a)
        return;
    upload_reset(a);
    free(a->samples);
    free(a);
}

/* ---- identify, list, help ---------------------------------------------------- */

static const char *const help_lines[] = {
    "edgebench-agent: runs edgebench models on this board and reports per-inference times.",
    "Lines end with newline; lines may end with ' *XXXX' (CRC-16/CCITT-FALSE in hex).",
    "[*] marks commands that must carry the checksum; the others may be typed by hand.",
    "help                              this text",
    "hello <proto>                     version handshake (this agent speaks proto 1 and 2)",
    "id                                board, agent version, ISA features, kernels chosen",
    "models                            built-in models and uploaded .ebm files",
    "run <tag> <model> <warmup> <iters> [kernels=SET] [threads=N] [*]",
    "                                  SET: a name of 'edgebench list kernels' or auto;",
    "                                  N: threads each inference is split over (1..64)",
    "                                  run a model; streams 's <index> <ns>' per inference",
    "last                              the last run's info and summary again",
    "resend <first> <count>            the last run's samples again",
    "abort                             stop the current run (keeps its samples)",
    "sync <nonce>                      answers 'sync <nonce>' (resynchronisation)",
    "upload <name.ebm> <size> <crc32> [*], chunk <offset> <base64> [*], commit [*]",
    "                                  send a model file in checksummed chunks",
};

static void cmd_help(eb_agent *a)
{
    for (size_t i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++)
        say(a, "# %s", help_lines[i]);
    say(a, "ok help");
}

static void cmd_id(eb_agent *a)
{
    char isa[120]; /* the host keeps 127 bytes */
    eb_features_str(eb_cpu_detect(), ",", isa, sizeof isa);
    char os[128], cpu[96];
    eb_port_os(os, sizeof os);
    for (char *p = os; *p; p++)
        if (*p == ' ')
            *p = '_';
    eb_port_cpu(cpu, sizeof cpu);
    say(a,
        "id name=%s version=%s proto=%d arch=%s cpu=%s isa=%s cores=%d clock_mhz=%d "
        "memory_bytes=%llu os=%s",
        EB_AGENT_NAME, EB_AGENT_VERSION, a->cfg.proto, eb_port_arch(), cpu, isa,
        eb_port_cores(), eb_port_clock_mhz(), (unsigned long long)eb_port_memory_bytes(), os);
    eb_kernel_set ks;
    if (eb_kernels_select(EB_KSET_AUTO, &ks) == EB_OK) {
        eb_kernel_info ki[64];
        size_t n = eb_kernel_set_describe(&ks, ki, 64);
        for (size_t i = 0; i < n; i++)
            say(a, "kernel %s_%s %s", ki[i].op, ki[i].dtype, ki[i].name);
    }
    say(a, "ok id");
}

static bool ebm_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > EB_PROTO_MAX_NAME || strcmp(s + n - 4, ".ebm") || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

static void emit_model(void *user, const char *name)
{
    say((eb_agent *)user, "model %s", name);
}

static void cmd_models(eb_agent *a)
{
    int n = 0;
    if (a->cfg.backend && a->cfg.backend->list)
        a->cfg.backend->list(a->cfg.backend->self, emit_model, a);
    DIR *d = opendir(a->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < 1000)
            if (ebm_name_ok(e->d_name)) {
                say(a, "model %s", e->d_name);
                n++;
            }
        closedir(d);
    }
    say(a, "ok models");
}

/* ---- runs -------------------------------------------------------------------- */

static void say_info(eb_agent *a)
{
    const eb_agent_model_info *m = &a->info;
    char threads_kv[24] = ""; /* protocol 2 */
    if (a->cfg.proto >= EB_PROTO_THREADS_VERSION)
        snprintf(threads_kv, sizeof threads_kv, " threads=%d", m->threads > 0 ? m->threads : 1);
    say(a,
        "info name=%s arch=%s variant=%s macs=%llu params=%llu weights_bytes=%llu "
        "packed_bytes=%llu arena_bytes=%llu arena_lower_bound_bytes=%llu scratch_bytes=%llu%s",
        m->name, m->arch[0] ? m->arch : "-", m->variant[0] ? m->variant : "-",
        (unsigned long long)m->macs, (unsigned long long)m->params,
        (unsigned long long)m->weights_bytes, (unsigned long long)m->packed_bytes,
        (unsigned long long)m->arena_bytes, (unsigned long long)m->arena_lower_bound_bytes,
        (unsigned long long)m->scratch_bytes, threads_kv);
    for (int i = 0; i < m->n_kernels && i < EB_AGENT_MAX_KERNELS; i++)
        say(a, "kernel %s %s", m->kernels[i].op, m->kernels[i].name);
}

static void say_done(eb_agent *a)
{
    char crc_kv[32] = ""; /* protocol 2: what the last inference computed */
    if (a->have_crc && a->cfg.proto >= EB_PROTO_THREADS_VERSION)
        snprintf(crc_kv, sizeof crc_kv, " output_crc32=%08x", (unsigned)a->output_crc);
    say(a, "done tag=%s n=%llu target=%llu complete=%d peak_rss_bytes=%llu rss_method=%s%s",
        a->tag, (unsigned long long)a->n_samples, (unsigned long long)a->n_target,
        a->complete ? 1 : 0, (unsigned long long)a->peak_rss, "VmHWM_after_clear_refs", crc_kv);
}

static void handle_line(eb_agent *a, char *line);

/* Between inferences: answers what arrived without blocking (abort, sync, a repeated
 * run). Outside the timed region. */
static void poll_input(eb_agent *a)
{
    for (;;) {
        if (!eb_linereader_ready(&a->rd)) {
            struct pollfd p = {.fd = a->rfd, .events = POLLIN};
            if (a->rd.eof || poll(&p, 1, 0) <= 0)
                return;
        }
        char line[EB_PROTO_MAX_LINE + 1];
        eb_status st = eb_linereader_get(&a->rd, line, sizeof line, 0);
        if (st == EB_ERR_NOMEM) {
            say(a, "err %s line longer than %d bytes", EB_ERRC_TOOLONG, EB_PROTO_MAX_LINE);
            continue;
        }
        if (st != EB_OK) {
            if (a->rd.eof)
                a->abort_req = true; /* nobody is listening any more */
            return;
        }
        handle_line(a, line);
    }
}

static void cmd_run(eb_agent *a, char **w, int n)
{
    uint64_t warm, iters;
    if (n < 5 || strlen(w[1]) > 32 || strlen(w[2]) > EB_PROTO_MAX_NAME ||
        !eb_proto_u64(w[3], EB_PROTO_MAX_WARMUP, &warm) ||
        !eb_proto_u64(w[4], EB_PROTO_MAX_ITERS, &iters) || iters == 0) {
        say(a, "err %s usage: run <tag> <model> <warmup 0..%d> <iters 1..%d> [kernels=SET] "
            "[threads=1..%d]", EB_ERRC_ARGS, EB_PROTO_MAX_WARMUP, EB_PROTO_MAX_ITERS,
            EB_PROTO_MAX_THREADS);
        return;
    }
    uint64_t threads = 1;
    if (a->cfg.proto >= EB_PROTO_THREADS_VERSION) {
        /* protocol 2 knows its keys: one it does not know is refused, never ignored */
        for (int i = 5; i < n; i++)
            if (strncmp(w[i], "kernels=", 8) && strncmp(w[i], "threads=", 8)) {
                char shown[40];
                snprintf(shown, sizeof shown, "%s", w[i]);
                for (char *p = shown; *p; p++)
                    if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
                        *p = '?';
                say(a, "err %s run takes kernels= and threads=, not '%s'", EB_ERRC_ARGS, shown);
                return;
            }
        const char *t = eb_proto_kv(w, n, "threads");
        if (t && (!eb_proto_u64(t, EB_PROTO_MAX_THREADS, &threads) || threads == 0)) {
            say(a, "err %s threads= takes 1..%d, not '%.16s'", EB_ERRC_ARGS,
                EB_PROTO_MAX_THREADS, t);
            return;
        }
    }
    if (a->have_run && !strcmp(a->tag, w[1])) {
        /* A retry of a run we already did (its ok line was lost): do not run twice. */
        say(a, "ok run %s already", w[1]);
        return;
    }
    const char *kernels = eb_proto_kv(w, n, "kernels");
    if (!kernels)
        kernels = "auto";
    if (!a->cfg.backend) {
        say(a, "err %s this agent was built without models", EB_ERRC_MODEL);
        return;
    }
    char path[600];
    const char *name = w[2];
    if (strchr(name, '/')) {
        say(a, "err %s model names may not contain '/'", EB_ERRC_ARGS);
        return;
    }
    if (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".ebm")) {
        if (!ebm_name_ok(name)) {
            say(a, "err %s bad model file name '%s'", EB_ERRC_ARGS, name);
            return;
        }
        snprintf(path, sizeof path, "%.255s/%.95s", a->dir, name);
        name = path;
    }
    uint64_t *buf = realloc(a->samples, (size_t)iters * sizeof *buf);
    if (!buf) {
        say(a, "err %s cannot hold %llu samples", EB_ERRC_NOMEM, (unsigned long long)iters);
        return;
    }
    a->samples = buf;
    snprintf(a->tag, sizeof a->tag, "%s", w[1]);
    a->have_run = true;
    a->running = true;
    a->abort_req = false;
    a->n_samples = 0;
    a->n_target = iters;
    a->complete = false;
    a->peak_rss = 0;
    a->have_crc = false;
    memset(&a->info, 0, sizeof a->info);
    say(a, "ok run %s", a->tag);

    eb_port_peak_rss_reset();
    void *model = NULL;
    char err[256] = "";
    eb_status st = a->cfg.backend->open(a->cfg.backend->self, name, kernels, (int)threads,
                                        &a->info, &model, err, sizeof err);
    if (st != EB_OK) {
        say(a, "err %s %s", EB_ERRC_MODEL, err[0] ? err : eb_status_str(st));
        a->running = false;
        a->have_run = false; /* nothing to report; a retry may run it */
        return;
    }
    say_info(a);
    for (uint64_t i = 0; i < warm && !a->abort_req && !a->out_broken; i++) {
        a->cfg.backend->infer(model);
        say(a, "w %llu", (unsigned long long)i);
        poll_input(a);
    }
    say(a, "start n=%llu", (unsigned long long)iters);
    for (uint64_t i = 0; i < iters && !a->abort_req && !a->out_broken; i++) {
        uint64_t t0 = eb_port_now_ns();
        a->cfg.backend->infer(model);
        uint64_t t1 = eb_port_now_ns();
        a->samples[i] = t1 - t0;
        a->n_samples = i + 1;
        say(a, "s %llu %llu", (unsigned long long)i, (unsigned long long)(t1 - t0));
        poll_input(a);
    }
    a->peak_rss = eb_port_peak_rss_bytes();
    if (a->cfg.backend->digest && a->n_samples + warm > 0) {
        a->output_crc = a->cfg.backend->digest(model);
        a->have_crc = true;
    }
    a->cfg.backend->close(model);
    a->complete = a->n_samples == a->n_target;
    a->running = false;
    say_done(a);
}

static void cmd_last(eb_agent *a)
{
    if (!a->have_run) {
        say(a, "err %s no run yet", EB_ERRC_STATE);
        return;
    }
    say_info(a);
    say_done(a);
    say(a, "ok last");
}

static void cmd_resend(eb_agent *a, char **w, int n)
{
    uint64_t first, count;
    if (n != 3 || !eb_proto_u64(w[1], EB_PROTO_MAX_ITERS, &first) ||
        !eb_proto_u64(w[2], EB_PROTO_MAX_RESEND, &count)) {
        say(a, "err %s usage: resend <first> <count 0..%d>", EB_ERRC_ARGS, EB_PROTO_MAX_RESEND);
        return;
    }
    if (!a->have_run) {
        say(a, "err %s no run yet", EB_ERRC_STATE);
        return;
    }
    for (uint64_t i = first; i < first + count && i < a->n_samples; i++)
        say(a, "s %llu %llu", (unsigned long long)i, (unsigned long long)a->samples[i]);
    say(a, "ok resend");
}

/* ---- uploads ----------------------------------------------------------------- */

static void cmd_upload(eb_agent *a, char **w, int n)
{
    uint64_t size;
    char *end;
    unsigned long crc = n == 4 ? strtoul(w[3], &end, 16) : 0;
    if (n != 4 || !ebm_name_ok(w[1]) || !eb_proto_u64(w[2], EB_PROTO_MAX_UPLOAD, &size) ||
        size == 0 || strlen(w[3]) != 8 || *end) {
        say(a, "err %s usage: upload <name.ebm> <size 1..%u> <crc32 as 8 hex digits>",
            EB_ERRC_ARGS, EB_PROTO_MAX_UPLOAD);
        return;
    }
    upload_reset(a);
    snprintf(a->up_name, sizeof a->up_name, "%s", w[1]);
    snprintf(a->up_tmp, sizeof a->up_tmp, "%.255s/.%.95s.part", a->dir, w[1]);
    a->up_fd = open(a->up_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (a->up_fd < 0) {
        say(a, "err %s cannot write %s: %s", EB_ERRC_IO, a->up_tmp, strerror(errno));
        return;
    }
    a->uploading = true;
    a->up_size = size;
    a->up_off = 0;
    a->up_crc_want = (uint32_t)crc;
    a->up_crc = 0;
    a->up_last_len = 0;
    say(a, "ok upload %s size=%llu chunk=%d", a->up_name, (unsigned long long)size,
        EB_PROTO_CHUNK_BYTES);
}

static void cmd_chunk(eb_agent *a, char **w, int n)
{
    if (!a->uploading) {
        say(a, "err %s no upload in progress", EB_ERRC_STATE);
        return;
    }
    uint64_t off;
    uint8_t data[EB_PROTO_CHUNK_BYTES];
    if (n != 3 || !eb_proto_u64(w[1], EB_PROTO_MAX_UPLOAD, &off)) {
        say(a, "err %s usage: chunk <offset> <base64 of at most %d bytes>", EB_ERRC_ARGS,
            EB_PROTO_CHUNK_BYTES);
        return;
    }
    long len = eb_base64_decode(w[2], strlen(w[2]), data, sizeof data);
    if (len <= 0) {
        say(a, "err %s chunk data is not base64 of 1..%d bytes", EB_ERRC_ARGS,
            EB_PROTO_CHUNK_BYTES);
        return;
    }
    if (a->up_last_len && off + (uint64_t)len == a->up_off && (size_t)len == a->up_last_len) {
        say(a, "ack %llu", (unsigned long long)a->up_off); /* duplicate: our ack was lost */
        return;
    }
    if (off != a->up_off) {
        say(a, "err %s %llu", EB_ERRC_OFFSET, (unsigned long long)a->up_off);
        return;
    }
    if (off + (uint64_t)len > a->up_size) {
        say(a, "err %s chunk runs past the announced size %llu", EB_ERRC_ARGS,
            (unsigned long long)a->up_size);
        return;
    }
    if (eb_write_all(a->up_fd, data, (size_t)len, 5000) != EB_OK) {
        say(a, "err %s writing %s: %s", EB_ERRC_IO, a->up_tmp, strerror(errno));
        upload_reset(a);
        return;
    }
    a->up_crc = eb_proto_crc32(a->up_crc, data, (size_t)len);
    a->up_off += (uint64_t)len;
    a->up_last_len = (size_t)len;
    say(a, "ack %llu", (unsigned long long)a->up_off);
}

static void cmd_commit(eb_agent *a)
{
    if (!a->uploading) {
        say(a, "err %s no upload in progress", EB_ERRC_STATE);
        return;
    }
    if (a->up_off != a->up_size) {
        say(a, "err %s have %llu of %llu bytes", EB_ERRC_STATE, (unsigned long long)a->up_off,
            (unsigned long long)a->up_size);
        return;
    }
    if (a->up_crc != a->up_crc_want) {
        say(a, "err %s file crc32 %08x, announced %08x; upload again", EB_ERRC_CRC,
            (unsigned)a->up_crc, (unsigned)a->up_crc_want);
        upload_reset(a);
        return;
    }
    char final[600];
    snprintf(final, sizeof final, "%.255s/%.95s", a->dir, a->up_name);
    if (fsync(a->up_fd) != 0 || close(a->up_fd) != 0) {
        a->up_fd = -1;
        unlink(a->up_tmp);
        a->uploading = false;
        say(a, "err %s cannot save %s", EB_ERRC_IO, a->up_tmp);
        return;
    }
    a->up_fd = -1;
    if (rename(a->up_tmp, final) != 0) {
        unlink(a->up_tmp);
        a->uploading = false;
        say(a, "err %s cannot rename to %s: %s", EB_ERRC_IO, final, strerror(errno));
        return;
    }
    a->uploading = false;
    say(a, "ok commit %s size=%llu", a->up_name, (unsigned long long)a->up_size);
}

/* ---- dispatch ------------------------------------------------------------------ */

static bool needs_crc(const char *cmd)
{
    return !strcmp(cmd, EB_CMD_RUN) || !strcmp(cmd, EB_CMD_UPLOAD) ||
           !strcmp(cmd, EB_CMD_CHUNK) || !strcmp(cmd, EB_CMD_COMMIT);
}

static void handle_line(eb_agent *a, char *line)
{
    int crc = eb_proto_check(line);
    if (crc < 0) {
        say(a, "err %s checksum mismatch; send the line again", EB_ERRC_CRC);
        return;
    }
    char *w[MAX_WORDS];
    int n = eb_proto_split(line, w, MAX_WORDS);
    if (n == 0)
        return; /* empty lines resynchronise a line discipline: ignore */
    if (needs_crc(w[0]) && crc == 0) {
        say(a, "err %s '%s' changes state and must end with ' *XXXX' (CRC-16)", EB_ERRC_CRC,
            w[0]);
        return;
    }
    if (!strcmp(w[0], EB_CMD_SYNC)) {
        if (n == 2 && strlen(w[1]) <= 32)
            say(a, "sync %s", w[1]);
        else
            say(a, "err %s usage: sync <nonce>", EB_ERRC_ARGS);
        return;
    }
    if (a->running) {
        if (!strcmp(w[0], EB_CMD_ABORT)) {
            a->abort_req = true;
            say(a, "ok abort");
        } else if (!strcmp(w[0], EB_CMD_RUN) && n >= 2 && !strcmp(w[1], a->tag)) {
            say(a, "ok run %s running", a->tag);
        } else {
            say(a, "err %s a run is in progress (send 'abort' to stop it)", EB_ERRC_BUSY);
        }
        return;
    }
    if (!strcmp(w[0], EB_CMD_HELP))
        cmd_help(a);
    else if (!strcmp(w[0], EB_CMD_HELLO)) {
        /* speaks the host's version when it knows it (the newest without one) */
        uint64_t v = (uint64_t)a->cfg.proto;
        bool given = n >= 2 && eb_proto_u64(w[1], 1000000, &v);
        if (given && (v < EB_PROTO_MIN_VERSION || v > (uint64_t)a->cfg.proto)) {
            if (a->cfg.proto == EB_PROTO_MIN_VERSION)
                say(a, "err %s this agent speaks protocol %d, the host %llu", EB_ERRC_VERSION,
                    a->cfg.proto, (unsigned long long)v);
            else
                say(a, "err %s this agent speaks protocols %d to %d, the host %llu",
                    EB_ERRC_VERSION, EB_PROTO_MIN_VERSION, a->cfg.proto,
                    (unsigned long long)v);
        } else
            say(a, "hello %s version=%s proto=%llu", EB_AGENT_NAME, EB_AGENT_VERSION,
                (unsigned long long)v);
    } else if (!strcmp(w[0], EB_CMD_ID))
        cmd_id(a);
    else if (!strcmp(w[0], EB_CMD_MODELS))
        cmd_models(a);
    else if (!strcmp(w[0], EB_CMD_RUN))
        cmd_run(a, w, n);
    else if (!strcmp(w[0], EB_CMD_LAST))
        cmd_last(a);
    else if (!strcmp(w[0], EB_CMD_RESEND))
        cmd_resend(a, w, n);
    else if (!strcmp(w[0], EB_CMD_ABORT))
        say(a, "ok abort idle");
    else if (!strcmp(w[0], EB_CMD_UPLOAD))
        cmd_upload(a, w, n);
    else if (!strcmp(w[0], EB_CMD_CHUNK))
        cmd_chunk(a, w, n);
    else if (!strcmp(w[0], EB_CMD_COMMIT))
        cmd_commit(a);
    else {
        char shown[40];
        snprintf(shown, sizeof shown, "%s", w[0]);
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
                *p = '?';
        say(a, "err %s unknown command '%s'; try 'help'", EB_ERRC_UNKNOWN, shown);
    }
}

void eb_agent_command(eb_agent *a, int wfd, const char *text)
{
    if (a->wfd != wfd || a->rfd != -1) { /* no input: nothing can abort a run */
        a->rfd = -1;
        a->wfd = wfd;
        eb_linereader_init(&a->rd, -1);
    }
    char line[EB_PROTO_MAX_LINE + 8];
    size_t len = strlen(text);
    if (len > EB_PROTO_MAX_LINE - 8)
        return;
    memcpy(line, text, len);
    len = eb_proto_seal(line, len, sizeof line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    handle_line(a, line);
}

const uint64_t *eb_agent_last_samples(const eb_agent *a, uint64_t *n)
{
    *n = a->have_run ? a->n_samples : 0;
    return a->have_run ? a->samples : NULL;
}

eb_status eb_agent_serve(eb_agent *a, int rfd, int wfd)
{
    a->rfd = rfd;
    a->wfd = wfd;
    a->out_broken = false;
    eb_linereader_init(&a->rd, rfd);
    say(a, "ready %s %s proto=%d", EB_AGENT_NAME, EB_AGENT_VERSION, a->cfg.proto);
    for (;;) {
        char line[EB_PROTO_MAX_LINE + 1];
        eb_status st = eb_linereader_get(&a->rd, line, sizeof line, -1);
        if (st == EB_ERR_NOMEM) {
            say(a, "err %s line longer than %d bytes", EB_ERRC_TOOLONG, EB_PROTO_MAX_LINE);
            continue;
        }
        if (st != EB_OK)
            return a->rd.eof ? EB_OK : st;
        handle_line(a, line);
    }
}
