/* mlperf_tiny.c - driving an MLPerf Tiny device (performance mode) over a serial line. */
#include "eb_mlperf.h"

#include <stdlib.h>
#include <string.h>

void eb_mlperf_init(eb_mlperf *m, int fd, int reply_ms)
{
    memset(m, 0, sizeof *m);
    m->fd = fd;
    m->reply_ms = reply_ms > 0 ? reply_ms : 3000;
    eb_linereader_init(&m->rd, fd);
}

typedef struct {
    char line[EB_MLPERF_MAX_LINES][160];
    int n;
} replies;

/* Sends "<cmd>%" and collects lines until m-ready (bounded in count and time). With
 * expect, an m-ready before a line starting with expect is a stale one (a boot greeting,
 * an earlier command's) and is skipped. */
static eb_status command_x(eb_mlperf *m, const char *cmd, const char *expect, int timeout_ms,
                           replies *out, char *err, size_t errlen)
{
    char buf[160];
    int len = snprintf(buf, sizeof buf, "%s%%", cmd);
    if (m->trace)
        fprintf(m->trace, "> %s\n", buf);
    if (len <= 0 || (size_t)len >= sizeof buf ||
        eb_write_all(m->fd, buf, (size_t)len, m->reply_ms) != EB_OK) {
        snprintf(err, errlen, "cannot write '%s' to the device", buf);
        return EB_ERR_IO;
    }
    out->n = 0;
    int64_t deadline = eb_mono_ms() + timeout_ms;
    for (int lines = 0; lines < 4 * EB_MLPERF_MAX_LINES; lines++) {
        int64_t left = deadline - eb_mono_ms();
        if (left <= 0)
            break;
        char line[EB_PROTO_MAX_LINE + 1];
        eb_status st = eb_linereader_get(&m->rd, line, sizeof line, (int)left);
        if (st == EB_ERR_NOMEM)
            continue; /* an overlong line: not the protocol's */
        if (st == EB_ERR_IO) {
            snprintf(err, errlen, "the device closed the line during '%s'", buf);
            return st;
        }
        if (st != EB_OK)
            break;
        if (m->trace)
            fprintf(m->trace, "< %s\n", line);
        if (!strcmp(line, "m-ready")) {
            if (!expect)
                return EB_OK;
            bool seen = false;
            for (int i = 0; i < out->n && !seen; i++)
                seen = !strncmp(out->line[i], expect, strlen(expect));
            if (seen)
                return EB_OK;
            out->n = 0; /* stale: keep waiting for this command's answer */
            continue;
        }
        if (!strncmp(line, "e-", 2)) {
            snprintf(err, errlen, "the device reported an error for '%s': %s", buf, line + 2);
            /* drain to m-ready so the next command starts clean */
            while (eb_linereader_get(&m->rd, line, sizeof line, m->reply_ms) == EB_OK &&
                   strcmp(line, "m-ready"))
                ;
            return EB_ERR_PROTOCOL;
        }
        if (out->n < EB_MLPERF_MAX_LINES)
            snprintf(out->line[out->n++], sizeof out->line[0], "%.150s", line);
    }
    snprintf(err, errlen, "no m-ready from the device within %d ms after '%s'", timeout_ms,
             buf);
    return EB_ERR_TIMEOUT;
}

static eb_status command(eb_mlperf *m, const char *cmd, int timeout_ms, replies *out,
                         char *err, size_t errlen)
{
    return command_x(m, cmd, NULL, timeout_ms, out, err, errlen);
}

/* Value inside "prefix[...]" of the first reply starting with prefix. */
static bool bracket(const replies *r, const char *prefix, char *dst, size_t cap)
{
    size_t pl = strlen(prefix);
    for (int i = 0; i < r->n; i++) {
        if (strncmp(r->line[i], prefix, pl))
            continue;
        const char *a = strchr(r->line[i] + pl, '[');
        const char *b = a ? strrchr(a, ']') : NULL;
        if (!a || !b)
            continue;
        size_t n = (size_t)(b - a - 1);
        if (n >= cap)
            n = cap - 1;
        memcpy(dst, a + 1, n);
        dst[n] = '\0';
        return true;
    }
    return false;
}

eb_status eb_mlperf_identify(eb_mlperf *m, char *err, size_t errlen)
{
    replies *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    eb_status st = EB_ERR_TIMEOUT;
    for (int attempt = 0; attempt < 3 && st == EB_ERR_TIMEOUT; attempt++)
        st = command_x(m, "name", "m-name-", m->reply_ms, r, err, errlen);
    if (st != EB_OK)
        goto out;
    snprintf(m->name, sizeof m->name, "unknown");
    for (int i = 0; i < r->n; i++)
        if (!strncmp(r->line[i], "m-name-", 7)) {
            snprintf(m->name, sizeof m->name, "%.60s", r->line[i] + 7);
            break;
        }
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->line[i], "m-timestamp-mode-energy")) {
            snprintf(err, errlen, "the device is built for energy mode (timestamps go to the "
                     "energy monitor, not the serial line); flash its performance-mode build");
            st = EB_ERR_UNSUPPORTED;
            goto out;
        }
    st = command_x(m, "profile", "m-model-", m->reply_ms, r, err, errlen);
    if (st != EB_OK)
        goto out;
    if (!bracket(r, "m-profile-", m->profile, sizeof m->profile))
        snprintf(m->profile, sizeof m->profile, "unknown");
    if (!bracket(r, "m-model-", m->model, sizeof m->model)) {
        snprintf(err, errlen, "the device did not name its model (no m-model-[...] after "
                 "profile%%)");
        st = EB_ERR_PROTOCOL;
    }
out:
    free(r);
    return st;
}

eb_status eb_mlperf_load(eb_mlperf *m, const uint8_t *data, size_t n, char *err,
                         size_t errlen)
{
    if (n == 0 || n > EB_MLPERF_MAX_INPUT) {
        snprintf(err, errlen, "an MLPerf Tiny input must be 1..%u bytes", EB_MLPERF_MAX_INPUT);
        return EB_ERR_ARG;
    }
    replies *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    char cmd[160];
    snprintf(cmd, sizeof cmd, "db load %zu", n);
    eb_status st = command_x(m, cmd, "m-[Expecting", m->reply_ms, r, err, errlen);
    bool done = false;
    for (size_t off = 0; st == EB_OK && off < n; off += EB_MLPERF_DB_BYTES) {
        size_t k = n - off < EB_MLPERF_DB_BYTES ? n - off : EB_MLPERF_DB_BYTES;
        int p = snprintf(cmd, sizeof cmd, "db ");
        for (size_t i = 0; i < k; i++)
            p += snprintf(cmd + p, sizeof cmd - (size_t)p, "%02x", data[off + i]);
        st = command(m, cmd, m->reply_ms, r, err, errlen);
        for (int i = 0; st == EB_OK && i < r->n; i++)
            done = done || !strcmp(r->line[i], "m-load-done");
    }
    if (st == EB_OK && !done) {
        snprintf(err, errlen, "the device did not confirm the input (no m-load-done after %zu "
                 "bytes)", n);
        st = EB_ERR_PROTOCOL;
    }
    free(r);
    return st;
}

eb_status eb_mlperf_infer(eb_mlperf *m, uint32_t n, uint32_t warmup, int timeout_ms,
                          uint64_t *elapsed_us, char *err, size_t errlen)
{
    replies *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "infer %u %u", n, warmup);
    eb_status st = command_x(m, cmd, "m-infer-start", timeout_ms, r, err, errlen);
    if (st == EB_OK) {
        uint64_t stamp[2];
        int ns = 0;
        for (int i = 0; i < r->n && ns < 2; i++)
            if (!strncmp(r->line[i], "m-lap-us-", 9) &&
                eb_proto_u64(r->line[i] + 9, UINT64_MAX, &stamp[ns]))
                ns++;
        if (ns != 2 || stamp[1] < stamp[0]) {
            snprintf(err, errlen, "the device sent %d usable m-lap-us timestamps for '%s' "
                     "(performance mode sends two)", ns, cmd);
            st = EB_ERR_PROTOCOL;
        } else {
            *elapsed_us = stamp[1] - stamp[0];
        }
    }
    free(r);
    return st;
}

const char *eb_mlperf_zoo_name(const char *id)
{
    static const char *const map[][2] = {
        {"kws01", "ds_cnn_int8"},
        {"vww01", "vww_mobilenet_v1_025_int8"},
        {"ic01", "resnet8_int8"},
        {"ad01", "fc_autoencoder_int8"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(id, map[i][0]))
            return map[i][1];
    return NULL;
}
