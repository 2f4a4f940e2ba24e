/* eb_proto.c - checksums, line sealing/checking, base64 and a bounded line reader for
 * the agent protocol. Used by both the agent and the host client. */
#include "eb_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint16_t eb_proto_crc16(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

uint32_t eb_proto_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static const char hexd[] = "0123456789ABCDEF";

size_t eb_proto_seal(char *buf, size_t len, size_t cap)
{
    if (len + 8 > cap || len + 6 > EB_PROTO_MAX_LINE)
        return 0;
    uint16_t c = eb_proto_crc16(buf, len);
    buf[len++] = ' ';
    buf[len++] = '*';
    buf[len++] = hexd[(c >> 12) & 15];
    buf[len++] = hexd[(c >> 8) & 15];
    buf[len++] = hexd[(c >> 4) & 15];
    buf[len++] = hexd[c & 15];
    buf[len++] = '\r'; /* CR LF: readable in a plain serial terminal */
    buf[len++] = '\n';
    if (len < cap)
        buf[len] = '\0';
    return len;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int eb_proto_check(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        line[--n] = '\0';
    if (n < 6 || line[n - 6] != ' ' || line[n - 5] != '*')
        return 0;
    unsigned v = 0;
    for (size_t i = n - 4; i < n; i++) {
        int h = hexval(line[i]);
        if (h < 0)
            return 0;
        v = (v << 4) | (unsigned)h;
    }
    if (eb_proto_crc16(line, n - 6) != v)
        return -1;
    line[n - 6] = '\0';
    return 1;
}

int eb_proto_split(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

const char *eb_proto_kv(char *const *words, int n, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; i < n; i++)
        if (!strncmp(words[i], key, kl) && words[i][kl] == '=')
            return words[i] + kl + 1;
    return NULL;
}

bool eb_proto_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || strlen(s) > 20)
        return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t eb_base64_encode(const void *src, size_t n, char *dst, size_t cap)
{
    const uint8_t *s = src;
    size_t need = (n + 2) / 3 * 4;
    if (need + 1 > cap)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        dst[o++] = b64[(v >> 18) & 63];
        dst[o++] = b64[(v >> 12) & 63];
        dst[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        dst[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    dst[o] = '\0';
    return o;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long eb_base64_decode(const char *src, size_t n, void *dst, size_t cap)
{
    uint8_t *d = dst;
    if (n % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            if (src[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad) {
                return -1; /* data after padding */
            } else if ((v[k] = b64val(src[i + k])) < 0) {
                return -1;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        size_t nb = 3 - (size_t)pad;
        if (o + nb > cap)
            return -1;
        d[o++] = (uint8_t)(x >> 16);
        if (nb > 1)
            d[o++] = (uint8_t)(x >> 8);
        if (nb > 2)
            d[o++] = (uint8_t)x;
    }
    return (long)o;
}

int64_t eb_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void eb_linereader_init(eb_linereader *r, int fd)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
}

bool eb_linereader_ready(const eb_linereader *r)
{
    return memchr(r->buf, '\n', r->len) != NULL;
}

/* Takes one line out of the buffer if there is one. 1: line, 0: none, -1: overlong. */
static int take_line(eb_linereader *r, char *line, size_t cap)
{
    for (;;) {
        char *nl = memchr(r->buf, '\n', r->len);
        if (!nl) {
            if (r->len >= EB_PROTO_MAX_LINE) { /* no newline within the limit */
                r->discarding = true;
                r->len = 0;
            }
            return 0;
        }
        size_t n = (size_t)(nl - r->buf);
        bool drop = r->discarding;
        r->discarding = false;
        if (!drop && n + 1 <= cap && n <= EB_PROTO_MAX_LINE) {
            memcpy(line, r->buf, n);
            line[n] = '\0';
        } else {
            drop = true;
        }
        memmove(r->buf, nl + 1, r->len - n - 1);
        r->len -= n + 1;
        if (drop)
            return -1;
        if (n == 0)
            continue; /* empty line (e.g. the LF after a CR): nothing to say */
        return 1;
    }
}

eb_status eb_linereader_get(eb_linereader *r, char *line, size_t cap, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? 0 : eb_mono_ms() + timeout_ms;
    for (;;) {
        int t = take_line(r, line, cap);
        if (t > 0)
            return EB_OK;
        if (t < 0)
            return EB_ERR_NOMEM;
        if (r->eof)
            return EB_ERR_IO;
        int wait = -1;
        if (timeout_ms >= 0) {
            int64_t left = deadline - eb_mono_ms();
            wait = left <= 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
        }
        struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, wait);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            r->eof = true;
            return EB_ERR_IO;
        }
        if (pr == 0) {
            if (timeout_ms >= 0 && eb_mono_ms() >= deadline)
                return EB_ERR_TIMEOUT; /* a zero timeout still polls once */
            continue;
        }
        ssize_t got = read(r->fd, r->buf + r->len, sizeof r->buf - r->len);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            r->eof = true; /* EIO: the other side of a pty hung up */
            continue;
        }
        if (got == 0) {
            r->eof = true;
            continue;
        }
        r->bytes_in += (uint64_t)got;
        if (r->filter)
            got = (ssize_t)r->filter(r->filter_ctx, r->buf + r->len, (size_t)got);
        /* Bytes that are not printable ASCII (noise, a corrupted byte) are kept: the
         * checksum rejects the line; only NUL is mapped, so lines stay C strings. */
        for (ssize_t i = 0; i < got; i++) {
            char *c = &r->buf[r->len + (size_t)i];
            if (*c == '\0')
                *c = '?';
            else if (*c == '\r') /* terminals send CR for Enter */
                *c = '\n';
        }
        r->len += (size_t)got;
        if (r->discarding) {
            char *nl = memchr(r->buf, '\n', r->len);
            if (!nl) {
                r->len = 0;
                continue;
            }
        }
    }
}

eb_status eb_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
    const char *p = buf;
    int64_t deadline = eb_mono_ms() + timeout_ms;
#ifdef MSG_NOSIGNAL
    bool sock = true; /* sockets are written with MSG_NOSIGNAL: a closed peer is EPIPE,
                       * not a SIGPIPE that kills the process */
#else
    bool sock = false;
#define MSG_NOSIGNAL 0
#endif
    while (len > 0) {
        ssize_t w = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
        if (w < 0 && sock && errno == ENOTSOCK) {
            sock = false;
            continue;
        }
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EINTR && errno != EAGAIN)
            return EB_ERR_IO;
        int64_t left = deadline - eb_mono_ms();
        if (left <= 0)
            return EB_ERR_TIMEOUT;
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
    }
    return EB_OK;
}
