/* mlperf_tiny.c - driving an MLPerf Tiny device (performance mode) over a serial line.
 *
 * The reply parser (eb_mlperf_reply_*) is pure bookkeeping over lines, fuzzed on its own
 * (fuzz/fuzz_mlperf_reply.c); the I/O around it bounds every reply by bytes, by the
 * silence between lines and by a whole-command deadline. */
#include "eb_mlperf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the firmware expects as input, per model id ---- */

static const eb_mlperf_model models[] = {
    {"kws01", "ds_cnn_int8", "int8", 490, 1},                   /* 49x10 MFCC, int8 */
    {"vww01", "vww_mobilenet_v1_025_int8", "uint8", 27648, 1},  /* 96x96x3 pixels */
    {"ic01", "resnet8_int8", "uint8", 3072, 1},                 /* 32x32x3 pixels */
    {"ad01", "fc_autoencoder_int8", "float32", 640, 4},         /* 5 frames x 128 mels */
};

const eb_mlperf_model *eb_mlperf_model_find(const char *id)
{
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (!strcmp(id, models[i].id))
            return &models[i];
    return NULL;
}

const char *eb_mlperf_zoo_name(const char *id)
{
    const eb_mlperf_model *m = eb_mlperf_model_find(id);
    return m ? m->zoo : NULL;
}

void eb_mlperf_clean(char *dst, size_t cap, const char *src, size_t n, const char *fallback)
{
    if (cap == 0)
        return;
    size_t j = 0;
    for (size_t i = 0; i < n && src[i] && j + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        bool ok = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'' && c != '`';
        dst[j++] = ok ? (char)c : '_';
    }
    while (j > 0 && dst[j - 1] == ' ')
        j--;
    dst[j] = '\0';
    size_t lead = strspn(dst, " ");
    memmove(dst, dst + lead, j - lead + 1);
    if (!dst[0])
        snprintf(dst, cap, "%s", fallback);
}

/* ---- the reply parser ---- */

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

void eb_mlperf_reply_start(eb_mlperf_reply *r, const char *expect, bool end_on_reset)
{
    memset(r, 0, sizeof *r);
    r->expect = expect;
    r->end_on_reset = end_on_reset;
}

/* A decimal number at s (after optional spaces), saturated; false when none. */
static bool number_at(const char *s, long long *v, const char **end)
{
    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    long long x = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        x = x > (LLONG_MAX - 9) / 10 ? LLONG_MAX : x * 10 + (*s - '0');
    *v = x;
    *end = s;
    return true;
}

/* "Input db has N elemented, expected M" (reference ports print it, some with "e-"). */
static bool input_complaint(const char *line, long long *have, long long *want)
{
    const char *p = strstr(line, "Input db has");
    const char *e;
    if (!p || !number_at(p + 12, have, &e))
        return false;
    const char *q = strstr(e, "expected");
    return q && number_at(q + 8, want, &e);
}

/* What belongs to one answer: cleared when an m-ready turns out to be someone else's. */
static void forget_answer(eb_mlperf_reply *r)
{
    r->n_keep = 0;
    r->n_lap = 0;
    r->lap_bad = false;
    r->infer_done = r->load_done = r->input_complaint = r->too_big = false;
    r->error[0] = '\0';
}

bool eb_mlperf_reply_feed(eb_mlperf_reply *r, const char *line)
{
    if (r->done)
        return true;
    if (r->lines < UINT64_MAX)
        r->lines++;
    if (starts(line, "[dut]: ")) { /* relayed by an EnergyRunner interface board */
        line += 7;
        r->interface_board = true;
    }
    if (starts(line, "m-dut-passthrough") || strstr(line, "Interface Board"))
        r->interface_board = true;
    if (!strcmp(line, "m-timestamp-mode-energy"))
        r->mode = EB_MLPERF_MODE_ENERGY;
    else if (!strcmp(line, "m-timestamp-mode-performance"))
        r->mode = EB_MLPERF_MODE_PERFORMANCE;
    if (!strcmp(line, "m-init-done")) {
        r->reset = true;
        return false;
    }
    if (!strcmp(line, "m-ready")) {
        if (!r->expect || r->seen || r->interface_board || (r->reset && r->end_on_reset)) {
            r->done = true;
            return true;
        }
        r->stale++; /* a boot greeting's or an earlier command's: keep waiting */
        forget_answer(r);
        return false;
    }
    if (input_complaint(line, &r->input_have, &r->input_want))
        r->input_complaint = true;
    if (strstr(line, "Supplied buffer size") && strstr(line, "exceeds maximum")) {
        r->too_big = true; /* printed instead of m-[Expecting ...] */
        r->seen = true;
    }
    if (starts(line, "e-")) {
        if (!r->error[0])
            eb_mlperf_clean(r->error, sizeof r->error, line + 2, strlen(line + 2), "(empty)");
        r->seen = true;
        return false;
    }
    if (!starts(line, "m-")) {
        if (r->ignored < UINT64_MAX)
            r->ignored++;
        return false;
    }
    if (r->expect && starts(line, r->expect))
        r->seen = true;
    if (starts(line, "m-lap-us-")) {
        uint64_t v;
        if (eb_proto_u64(line + 9, UINT64_MAX, &v)) {
            if (r->n_lap < 2)
                r->lap[r->n_lap] = v;
            if (r->n_lap < INT_MAX)
                r->n_lap++;
        } else {
            r->lap_bad = true;
        }
    } else if (!strcmp(line, "m-infer-done")) {
        r->infer_done = true;
    } else if (!strcmp(line, "m-load-done")) {
        r->load_done = true;
    }
    if (r->n_keep < EB_MLPERF_KEEP) {
        size_t n = strlen(line);
        if (n >= EB_MLPERF_KEEP_LEN)
            n = EB_MLPERF_KEEP_LEN - 1;
        memcpy(r->keep[r->n_keep], line, n);
        r->keep[r->n_keep][n] = '\0';
        r->n_keep++;
    }
    return false;
}

eb_status eb_mlperf_reply_window(const eb_mlperf_reply *r, bool counter64, uint64_t *us,
                                 bool *wrapped, char *err, size_t errlen)
{
    *wrapped = false;
    *us = 0;
    if (r->n_lap == 0 && !r->lap_bad) {
        if (r->infer_done)
            snprintf(err, errlen, "the device ran the inferences but printed no m-lap-us "
                     "timestamps; %s", EB_MLPERF_ENERGY_SENTENCE);
        else
            snprintf(err, errlen, "the reply ended before the window's m-lap-us timestamps");
        return EB_ERR_PROTOCOL;
    }
    if (r->n_lap != 2 || r->lap_bad) {
        snprintf(err, errlen, "the device sent %d m-lap-us timestamps%s for one window; a "
                 "window has exactly two, before and after its inferences", r->n_lap,
                 r->lap_bad ? " (and one that is not a number)" : "");
        return EB_ERR_PROTOCOL;
    }
    uint64_t a = r->lap[0], b = r->lap[1];
    if (b >= a) {
        *us = b - a;
        return EB_OK;
    }
    if (!counter64 && a <= UINT32_MAX && b <= UINT32_MAX) {
        /* a 32-bit microsecond counter (us_ticker_read) wrapped: it does every 71.6 min */
        *us = b + ((uint64_t)1 << 32) - a;
        *wrapped = true;
        return EB_OK;
    }
    snprintf(err, errlen, "the device's timestamps went backwards (m-lap-us-%llu, then "
             "m-lap-us-%llu) on a counter wider than 32 bits", (unsigned long long)a,
             (unsigned long long)b);
    return EB_ERR_PROTOCOL;
}

/* ---- the line ---- */

void eb_mlperf_init(eb_mlperf *m, int fd, int line_ms)
{
    memset(m, 0, sizeof *m);
    m->fd = fd;
    m->line_ms = line_ms > 0 ? line_ms : EB_MLPERF_LINE_MS;
    m->retries = 3;
    eb_linereader_init(&m->rd, fd);
}

/* Sends "<cmd>%" and feeds r until it is complete, within max_bytes, silence_ms between
 * lines and total_ms in all. */
static eb_status exchange(eb_mlperf *m, const char *cmd, eb_mlperf_reply *r, int silence_ms,
                          int total_ms, uint64_t max_bytes, char *err, size_t errlen)
{
    char buf[192];
    int len = snprintf(buf, sizeof buf, "%s%%", cmd);
    if (m->trace)
        fprintf(m->trace, "> %s\n", buf);
    if (len <= 0 || (size_t)len >= sizeof buf ||
        eb_write_all(m->fd, buf, (size_t)len, m->line_ms) != EB_OK) {
        snprintf(err, errlen, "cannot write '%s' to the device", buf);
        return EB_ERR_IO;
    }
    int64_t deadline = eb_mono_ms() + total_ms, quiet_until = eb_mono_ms() + silence_ms;
    uint64_t b0 = m->rd.bytes_in;
    eb_status st = EB_OK;
    for (;;) {
        if (m->stop && *m->stop) {
            snprintf(err, errlen, "interrupted during '%s'", buf);
            st = EB_ERR_IO;
            break;
        }
        if (m->rd.bytes_in - b0 > max_bytes) {
            snprintf(err, errlen, "the device sent more than %llu bytes after '%s' without "
                     "ending with m-ready", (unsigned long long)max_bytes, buf);
            st = EB_ERR_PROTOCOL;
            break;
        }
        int64_t now = eb_mono_ms();
        if (now >= deadline) {
            if (r->error[0])
                snprintf(err, errlen, "the device reported an error for '%s': %s, then kept "
                         "talking (%llu lines in %d ms) without ending with m-ready", buf,
                         r->error, (unsigned long long)r->lines, total_ms);
            else
                snprintf(err, errlen, "the device kept talking after '%s' (%llu lines in %d "
                         "ms) without ending with m-ready", buf, (unsigned long long)r->lines,
                         total_ms);
            st = EB_ERR_TIMEOUT;
            break;
        }
        if (now >= quiet_until) {
            snprintf(err, errlen, "no %s from the device within %d ms after '%s'",
                     r->lines ? "further line" : "reply", silence_ms, buf);
            st = EB_ERR_TIMEOUT;
            break;
        }
        /* short slices while someone may ask us to stop (Ctrl-C in a long window) */
        int64_t wait = (deadline < quiet_until ? deadline : quiet_until) - now;
        if (m->stop && wait > 200)
            wait = 200;
        char line[EB_PROTO_MAX_LINE + 1];
        eb_status g = eb_linereader_get(&m->rd, line, sizeof line, (int)wait);
        if (g == EB_ERR_TIMEOUT)
            continue;
        quiet_until = eb_mono_ms() + silence_ms;
        if (g == EB_ERR_NOMEM) { /* an overlong line: not the protocol's */
            r->lines++;
            r->ignored++;
            continue;
        }
        if (g != EB_OK) {
            snprintf(err, errlen, "the device closed the line during '%s'", buf);
            st = EB_ERR_IO;
            break;
        }
        if (m->trace)
            fprintf(m->trace, "< %s\n", line);
        if (!strcmp(line, "m-init-done") || !strcmp(line, "[dut]: m-init-done"))
            m->boots++;
        if (eb_mlperf_reply_feed(r, line))
            break;
    }
    if (r->mode != EB_MLPERF_MODE_UNKNOWN)
        m->mode = r->mode;
    m->ignored += r->ignored;
    for (int i = 0; i < r->n_lap && i < 2; i++)
        if (r->lap[i] > UINT32_MAX)
            m->counter64 = true;
    return st;
}

/* A short command (name, profile, timestamp, db): tried again while nothing answers. */
static eb_status short_command(eb_mlperf *m, const char *cmd, const char *expect,
                               eb_mlperf_reply *r, char *err, size_t errlen)
{
    eb_status st = EB_ERR_TIMEOUT;
    int tries = m->retries > 0 ? m->retries : 1;
    for (int t = 0; t < tries && st == EB_ERR_TIMEOUT; t++) {
        eb_mlperf_reply_start(r, expect, false);
        st = exchange(m, cmd, r, m->line_ms, 3 * m->line_ms, EB_MLPERF_SHORT_REPLY_BYTES, err,
                      errlen);
        /* Asked again only when nothing answered or the device rebooted meanwhile: one
         * that answered (or gave a bare m-ready) says the same again. */
        if (st == EB_ERR_TIMEOUT && (r->seen || r->interface_board || (r->stale && !r->reset)))
            break;
    }
    if (st == EB_ERR_TIMEOUT && !r->seen && tries > 1) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " (%d tries)", tries);
    }
    return st;
}

/* Value inside "prefix...[...]" of the first kept line starting with prefix. */
static bool bracket(const eb_mlperf_reply *r, const char *prefix, char *dst, size_t cap,
                    const char *fallback)
{
    size_t pl = strlen(prefix);
    for (int i = 0; i < r->n_keep; i++) {
        if (strncmp(r->keep[i], prefix, pl))
            continue;
        const char *a = strchr(r->keep[i] + pl, '[');
        const char *b = a ? strrchr(a, ']') : NULL;
        if (!a || !b)
            continue;
        eb_mlperf_clean(dst, cap, a + 1, (size_t)(b - a - 1), fallback);
        return true;
    }
    return false;
}

void eb_mlperf_take_name(eb_mlperf *m, const eb_mlperf_reply *r)
{
    snprintf(m->role, sizeof m->role, "dut");
    snprintf(m->name, sizeof m->name, "unspecified");
    for (int i = 0; i < r->n_keep; i++)
        if (starts(r->keep[i], "m-name-")) {
            const char *s = r->keep[i] + 7, *dash = strstr(s, "-[");
            if (dash)
                eb_mlperf_clean(m->role, sizeof m->role, s, (size_t)(dash - s), "dut");
            if (!bracket(r, "m-name-", m->name, sizeof m->name, "unspecified"))
                eb_mlperf_clean(m->name, sizeof m->name, s, strlen(s), "unspecified");
            break;
        }
}

bool eb_mlperf_take_profile(eb_mlperf *m, const eb_mlperf_reply *r)
{
    if (!bracket(r, "m-profile-", m->profile, sizeof m->profile, "unknown"))
        snprintf(m->profile, sizeof m->profile, "unknown");
    if (!bracket(r, "m-model-", m->model, sizeof m->model, "unknown")) {
        snprintf(m->model, sizeof m->model, "unknown");
        return false;
    }
    return true;
}

static eb_status refuse_energy(const char *why, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", why, EB_MLPERF_ENERGY_SENTENCE);
    return EB_ERR_UNSUPPORTED;
}

eb_status eb_mlperf_identify(eb_mlperf *m, char *err, size_t errlen)
{
    eb_mlperf_reply *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    eb_status st = short_command(m, "name", "m-name-", r, err, errlen);
    if (r->interface_board) {
        st = refuse_energy("the port is an EnergyRunner interface board, not the device "
                           "itself", err, errlen);
        goto out;
    }
    if (st == EB_OK && r->error[0]) {
        snprintf(err, errlen, "the device answered name%% with an error: %s", r->error);
        st = EB_ERR_PROTOCOL;
    }
    if (st != EB_OK)
        goto out;
    eb_mlperf_take_name(m, r);
    if (m->mode == EB_MLPERF_MODE_ENERGY) {
        st = refuse_energy("the device announced m-timestamp-mode-energy", err, errlen);
        goto out;
    }
    st = short_command(m, "profile", "m-model-", r, err, errlen);
    if (st == EB_OK && r->error[0]) {
        snprintf(err, errlen, "the device answered profile%% with an error: %s", r->error);
        st = EB_ERR_PROTOCOL;
    }
    if (st != EB_OK)
        goto out;
    if (!eb_mlperf_take_profile(m, r)) {
        snprintf(err, errlen, "the device did not name its model (no m-model-[...] after "
                 "profile%%)");
        st = EB_ERR_PROTOCOL;
        goto out;
    }
    /* The mode is announced at boot only; a performance build answers timestamp% with an
     * m-lap-us line, an energy build with a pulse for the energy monitor and a bare
     * m-ready. */
    st = short_command(m, "timestamp", "m-lap-us-", r, err, errlen);
    bool lap = st == EB_OK && !r->error[0] && r->n_lap > 0;
    if (lap && m->mode == EB_MLPERF_MODE_UNKNOWN)
        m->mode = EB_MLPERF_MODE_PERFORMANCE;
    bool bare = !lap && st == EB_ERR_TIMEOUT && r->stale > 0 && !r->error[0];
    if (bare && m->mode == EB_MLPERF_MODE_UNKNOWN) {
        m->mode = EB_MLPERF_MODE_ENERGY;
        st = refuse_energy("the device answered timestamp% without an m-lap-us line (an "
                           "energy-mode build)", err, errlen);
        goto out;
    }
    if (m->mode == EB_MLPERF_MODE_ENERGY) {
        st = refuse_energy("the device announced m-timestamp-mode-energy", err, errlen);
        goto out;
    }
    /* silence is an error; a port without timestamp% or an odd answer: infer will tell */
    if (!(st == EB_ERR_TIMEOUT && r->lines == 0))
        st = EB_OK;
out:
    free(r);
    return st;
}

/* One try at loading; *reset when the device rebooted on the way. */
static eb_status load_once(eb_mlperf *m, const uint8_t *data, size_t n, bool *reset,
                           eb_mlperf_reply *r, char *err, size_t errlen)
{
    char cmd[EB_MLPERF_DB_BYTES * 2 + 16];
    snprintf(cmd, sizeof cmd, "db load %zu", n);
    eb_mlperf_reply_start(r, "m-[Expecting", true);
    eb_status st = exchange(m, cmd, r, m->line_ms, 3 * m->line_ms, EB_MLPERF_SHORT_REPLY_BYTES,
                            err, errlen);
    if (st != EB_OK)
        return st;
    *reset = r->reset;
    if (r->too_big) {
        snprintf(err, errlen, "the device cannot hold %zu input bytes (it says its buffer is "
                 "smaller)", n);
        return EB_ERR_ARG;
    }
    if (r->error[0] || r->reset) {
        snprintf(err, errlen, "the device %s for '%s'%s%s", r->reset ? "reset" : "reported an "
                 "error", cmd, r->error[0] ? ": " : "", r->error);
        return EB_ERR_PROTOCOL;
    }
    bool done = false;
    for (size_t off = 0; off < n; off += EB_MLPERF_DB_BYTES) {
        size_t k = n - off < EB_MLPERF_DB_BYTES ? n - off : EB_MLPERF_DB_BYTES;
        int p = snprintf(cmd, sizeof cmd, "db ");
        for (size_t i = 0; i < k; i++)
            p += snprintf(cmd + p, sizeof cmd - (size_t)p, "%02x", data[off + i]);
        eb_mlperf_reply_start(r, NULL, true);
        st = exchange(m, cmd, r, m->line_ms, 3 * m->line_ms, EB_MLPERF_SHORT_REPLY_BYTES, err,
                      errlen);
        if (st != EB_OK)
            return st;
        if (r->reset || r->error[0]) {
            *reset = r->reset;
            snprintf(err, errlen, "the device %s at input byte %zu of %zu%s%s",
                     r->reset ? "reset" : "reported an error", off, n, r->error[0] ? ": " : "",
                     r->error);
            return EB_ERR_PROTOCOL;
        }
        done = done || r->load_done;
    }
    if (!done) {
        snprintf(err, errlen, "the device did not confirm the input (no m-load-done after %zu "
                 "bytes)", n);
        return EB_ERR_PROTOCOL;
    }
    return EB_OK;
}

eb_status eb_mlperf_load(eb_mlperf *m, const uint8_t *data, size_t n, char *err,
                         size_t errlen)
{
    if (n == 0 || n > EB_MLPERF_MAX_INPUT) {
        snprintf(err, errlen, "an MLPerf Tiny input must be 1..%u bytes", EB_MLPERF_MAX_INPUT);
        return EB_ERR_ARG;
    }
    eb_mlperf_reply *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    eb_status st = EB_ERR_PROTOCOL;
    for (int attempt = 0; attempt < 3; attempt++) {
        bool reset = false;
        st = load_once(m, data, n, &reset, r, err, errlen);
        if (st == EB_OK || !reset)
            break;
    }
    free(r);
    return st;
}

eb_status eb_mlperf_infer(eb_mlperf *m, uint32_t n, uint32_t warmup, int silence_ms,
                          int total_ms, eb_mlperf_window *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    eb_mlperf_reply *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "infer %u %u", n, warmup);
    eb_mlperf_reply_start(r, "m-infer-start", true);
    eb_status st = exchange(m, cmd, r, silence_ms > 0 ? silence_ms : m->line_ms,
                            total_ms > 0 ? total_ms : 3 * m->line_ms,
                            EB_MLPERF_INFER_REPLY_BYTES, err, errlen);
    w->ignored = r->ignored;
    if (st != EB_OK)
        goto out;
    if (r->reset) {
        w->reset = true;
        snprintf(err, errlen, "the device reset during '%s' (m-init-done): the window is void "
                 "and its input is lost", cmd);
        st = EB_ERR_PROTOCOL;
    } else if (r->input_complaint) {
        w->input_complaint = true;
        w->input_have = r->input_have;
        w->input_want = r->input_want;
        snprintf(err, errlen, "the device says its input has %lld elements where its model "
                 "expects %lld", r->input_have, r->input_want);
        st = EB_ERR_PROTOCOL;
    } else if (r->error[0]) {
        snprintf(err, errlen, "the device reported an error for '%s': %s", cmd, r->error);
        st = EB_ERR_PROTOCOL;
    } else {
        st = eb_mlperf_reply_window(r, m->counter64, &w->elapsed_us, &w->wrapped, err, errlen);
    }
out:
    free(r);
    return st;
}
