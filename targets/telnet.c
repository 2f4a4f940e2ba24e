/* telnet.c - telnet and its RFC 2217 com port option, client side (eb_telnet.h). */
#include "eb_telnet.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "eb_proto.h"

enum {
    SE = 240, SB = 250, WILL = 251, WONT = 252, DO = 253, DONT = 254, IAC = 255,
};
enum { OPT_BINARY = 0, OPT_SGA = 3, OPT_COMPORT = 44 };
/* RFC 2217 client commands; the server answers each with the same code plus 100. */
enum {
    CP_SET_BAUDRATE = 1, CP_SET_DATASIZE = 2, CP_SET_PARITY = 3, CP_SET_STOPSIZE = 4,
    CP_SET_CONTROL = 5, CP_SERVER = 100,
};
enum { P_NONE = 1, STOP_1 = 1, CONTROL_NO_FLOW = 1 };
enum { S_DATA, S_IAC, S_OPT, S_SB, S_SB_IAC };
enum { OFF = 0, ASKED = 1, ON = 2 };

void eb_telnet_init(eb_telnet *t, int fd)
{
    memset(t, 0, sizeof *t);
    t->fd = fd;
}

static void send_bytes(eb_telnet *t, const uint8_t *b, size_t n)
{
    if (t->fd >= 0 && eb_write_all(t->fd, b, n, 1000) != EB_OK) {
        /* a closed connection shows on the next read */
    }
}

static void answer(eb_telnet *t, uint8_t verb, uint8_t opt)
{
    if (t->answers[opt] >= EB_TELNET_MAX_ANSWERS)
        return; /* a server that keeps asking gets no more answers */
    t->answers[opt]++;
    uint8_t b[3] = {IAC, verb, opt};
    send_bytes(t, b, 3);
}

/* What we let the server do (WILL), and what we do ourselves when asked (DO). */
static bool server_may(uint8_t opt) { return opt == OPT_BINARY || opt == OPT_SGA; }
static bool we_do(uint8_t opt)
{
    return opt == OPT_BINARY || opt == OPT_SGA || opt == OPT_COMPORT;
}

static void negotiate(eb_telnet *t, uint8_t verb, uint8_t opt)
{
    switch (verb) {
    case WILL:
        if (!server_may(opt)) { /* e.g. ECHO: our own lines must not come back */
            answer(t, DONT, opt);
        } else if (t->them[opt] != ON) {
            if (t->them[opt] == OFF)
                answer(t, DO, opt);
            t->them[opt] = ON;
        }
        break;
    case WONT:
        if (t->them[opt] == ON)
            answer(t, DONT, opt);
        t->them[opt] = OFF;
        break;
    case DO:
        if (!we_do(opt)) {
            answer(t, WONT, opt);
        } else if (t->us[opt] != ON) {
            if (t->us[opt] == OFF)
                answer(t, WILL, opt);
            t->us[opt] = ON;
            if (opt == OPT_COMPORT)
                t->comport = true;
        }
        break;
    case DONT:
        if (t->us[opt] == ON)
            answer(t, WONT, opt);
        t->us[opt] = OFF;
        if (opt == OPT_COMPORT) {
            t->comport = false;
            t->comport_refused = true;
        }
        break;
    }
}

static void subnegotiation(eb_telnet *t)
{
    if (t->sb_len >= 6 && t->sb[0] == OPT_COMPORT &&
        t->sb[1] == CP_SERVER + CP_SET_BAUDRATE)
        t->baud = (uint32_t)t->sb[2] << 24 | (uint32_t)t->sb[3] << 16 |
                  (uint32_t)t->sb[4] << 8 | t->sb[5];
    /* modem and line state notifications, the other answers: nothing to do */
}

/* The byte after an IAC (outside a subnegotiation). Returns true when it is data. */
static bool command(eb_telnet *t, uint8_t c)
{
    if (c == IAC) {
        t->state = S_DATA;
        return true; /* IAC IAC: one data byte 255 */
    }
    t->commands++;
    if (c == SB) {
        t->sb_len = 0;
        t->state = S_SB;
    } else if (c >= WILL) {
        t->verb = c;
        t->state = S_OPT;
    } else {
        t->state = S_DATA; /* NOP, GA, AYT, ...: nothing to do */
    }
    return false;
}

size_t eb_telnet_filter(eb_telnet *t, char *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)buf[i];
        bool data = false;
        switch (t->state) {
        case S_DATA:
            if (c == IAC) {
                t->state = S_IAC;
            } else if (c == 0 && t->after_cr && t->them[OPT_BINARY] != ON) {
                t->after_cr = false; /* CR NUL is a bare CR in the network virtual terminal */
            } else {
                data = true;
            }
            break;
        case S_IAC:
            data = command(t, c);
            break;
        case S_OPT:
            negotiate(t, t->verb, c);
            t->state = S_DATA;
            break;
        case S_SB:
            if (c == IAC)
                t->state = S_SB_IAC;
            else if (t->sb_len < EB_TELNET_SB_MAX)
                t->sb[t->sb_len++] = c;
            break;
        case S_SB_IAC:
            if (c == IAC) { /* an escaped 255 inside the subnegotiation */
                if (t->sb_len < EB_TELNET_SB_MAX)
                    t->sb[t->sb_len++] = c;
                t->state = S_SB;
            } else {
                subnegotiation(t);
                t->state = S_DATA;
                if (c != SE) /* malformed: the subnegotiation ended at another command */
                    data = command(t, c);
            }
            break;
        }
        if (data) {
            buf[out++] = (char)c;
            t->after_cr = c == '\r';
        }
    }
    return out;
}

static size_t put_cp(uint8_t *b, uint8_t code, const uint8_t *v, size_t vn)
{
    size_t k = 0;
    b[k++] = IAC;
    b[k++] = SB;
    b[k++] = OPT_COMPORT;
    b[k++] = code;
    for (size_t i = 0; i < vn; i++) {
        b[k++] = v[i];
        if (v[i] == IAC)
            b[k++] = IAC;
    }
    b[k++] = IAC;
    b[k++] = SE;
    return k;
}

eb_status eb_telnet_start(eb_telnet *t, uint32_t baud, int timeout_ms)
{
    uint8_t b[128];
    size_t k = 0;
    const uint8_t offer[][2] = {{WILL, OPT_COMPORT}, {WILL, OPT_BINARY}, {DO, OPT_BINARY},
                                {WILL, OPT_SGA},     {DO, OPT_SGA}};
    for (size_t i = 0; i < sizeof offer / sizeof offer[0]; i++) {
        b[k++] = IAC;
        b[k++] = offer[i][0];
        b[k++] = offer[i][1];
        if (offer[i][0] == WILL)
            t->us[offer[i][1]] = ASKED;
        else
            t->them[offer[i][1]] = ASKED;
    }
    uint8_t v[4] = {(uint8_t)(baud >> 24), (uint8_t)(baud >> 16), (uint8_t)(baud >> 8),
                    (uint8_t)baud};
    k += put_cp(b + k, CP_SET_BAUDRATE, v, 4);
    v[0] = 8;
    k += put_cp(b + k, CP_SET_DATASIZE, v, 1);
    v[0] = P_NONE;
    k += put_cp(b + k, CP_SET_PARITY, v, 1);
    v[0] = STOP_1;
    k += put_cp(b + k, CP_SET_STOPSIZE, v, 1);
    v[0] = CONTROL_NO_FLOW;
    k += put_cp(b + k, CP_SET_CONTROL, v, 1);
    if (eb_write_all(t->fd, b, k, timeout_ms) != EB_OK)
        return EB_ERR_IO;

    size_t noise = 0;
    int64_t deadline = eb_mono_ms() + timeout_ms;
    while (!t->baud && !t->comport_refused) {
        int64_t left = deadline - eb_mono_ms();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = t->fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        char in[512];
        ssize_t got = read(t->fd, in, sizeof in);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0)
            return EB_ERR_IO;
        size_t d = eb_telnet_filter(t, in, (size_t)got);
        for (size_t i = 0; i < d && noise + 1 < sizeof t->noise; i++) {
            if (in[i] == '\n' || in[i] == '\r') {
                if (noise)
                    noise = sizeof t->noise; /* the first line is enough */
            } else if (in[i] >= ' ' && in[i] < 127) {
                t->noise[noise++] = in[i];
                t->noise[noise] = '\0';
            }
        }
    }
    return EB_OK;
}
