/* test_telnet.c - the telnet / RFC 2217 decoder (targets/telnet.c): commands taken out of
 * the data even when split across reads, escaped 255s, the server's baud rate answer,
 * option answers (and no negotiation loops), and random bytes never producing more data
 * than came in. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eb_telnet.h"

/* Feeds in[] to the decoder in pieces of `step` bytes; returns the data. */
static size_t feed(eb_telnet *t, const unsigned char *in, size_t n, size_t step, char *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i += step) {
        size_t k = n - i < step ? n - i : step;
        char buf[64];
        memcpy(buf, in + i, k);
        size_t d = eb_telnet_filter(t, buf, k);
        cr_assert_leq(d, k);
        memcpy(out + total, buf, d);
        total += d;
    }
    return total;
}

/* What the decoder answered on the socket (non-blocking read). */
static size_t answers(int fd, unsigned char *out, size_t cap)
{
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < cap && poll(&p, 1, 50) > 0) {
        ssize_t got = read(fd, out + n, cap - n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    return n;
}

Test(telnet, commands_are_removed_at_any_split)
{
    /* "ok" DO BINARY, WILL ECHO, NOP, "a" IAC IAC "b", SB COMPORT 101 <115200> SE, CR NUL */
    const unsigned char in[] = {'o', 'k', 255, 253, 0,   255, 251, 1,   255, 241, 'a', 255,
                                255, 'b', 255, 250, 44, 101, 0,   1,   194, 0,   255, 240,
                                '\r', 0,  '\n'};
    const char want[] = {'o', 'k', 'a', (char)255, 'b', '\r', '\n'};
    for (size_t step = 1; step <= sizeof in; step++) {
        eb_telnet t;
        eb_telnet_init(&t, -1);
        char out[64];
        size_t n = feed(&t, in, sizeof in, step, out);
        cr_assert_eq(n, sizeof want, "step %zu: %zu data bytes", step, n);
        cr_assert_arr_eq(out, want, sizeof want, "step %zu", step);
        cr_assert_eq(t.baud, 115200u, "the server's SET-BAUDRATE answer");
        cr_assert_eq(t.commands, 4u);
    }
}

Test(telnet, options_are_answered_once_and_echo_is_refused)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    eb_telnet t;
    eb_telnet_init(&t, sv[0]);
    /* the server: WILL ECHO, WILL SGA, DO COMPORT, DO TERMINAL-TYPE(24), then the same again */
    const unsigned char in[] = {255, 251, 1, 255, 251, 3, 255, 253, 44, 255, 253, 24};
    char out[64];
    feed(&t, in, sizeof in, sizeof in, out);
    unsigned char a[64];
    size_t n = answers(sv[1], a, sizeof a);
    const unsigned char want[] = {255, 254, 1, 255, 253, 3, 255, 251, 44, 255, 252, 24};
    cr_assert_eq(n, sizeof want);
    cr_assert_arr_eq(a, want, sizeof want, "DONT ECHO, DO SGA, WILL COMPORT, WONT TTYPE");
    cr_assert(t.comport);
    /* the same requests again: SGA and COMPORT are on already, no answer for them */
    feed(&t, in, sizeof in, 4, out);
    n = answers(sv[1], a, sizeof a);
    cr_assert_eq(n, 6, "only the refusals are repeated");
    /* a server that insists gets at most EB_TELNET_MAX_ANSWERS answers per option */
    for (int i = 0; i < 20; i++)
        feed(&t, in, 3, 3, out);
    n = answers(sv[1], a, sizeof a);
    cr_assert_leq(n, 3u * EB_TELNET_MAX_ANSWERS);
    /* DONT COMPORT: a plain telnet server */
    const unsigned char no[] = {255, 254, 44};
    feed(&t, no, 3, 3, out);
    cr_assert(t.comport_refused);
    cr_assert(!t.comport);
    close(sv[0]);
    close(sv[1]);
}

Test(telnet, start_sets_the_line_and_reads_the_answer)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    /* the server's side, written before start reads it: DO COMPORT, a banner, the baud */
    const unsigned char srv[] = {255, 253, 44, 'h', 'i', '\r', '\n', 255, 250, 44,
                                 101, 0,   0,  0x25, 0x80, 255, 240};
    cr_assert_eq(write(sv[1], srv, sizeof srv), (ssize_t)sizeof srv);
    eb_telnet t;
    eb_telnet_init(&t, sv[0]);
    cr_assert_eq(eb_telnet_start(&t, 9600, 2000), EB_OK);
    cr_assert_eq(t.baud, 9600u);
    cr_assert(t.comport);
    cr_assert_str_eq(t.noise, "hi");
    unsigned char a[256];
    size_t n = answers(sv[1], a, sizeof a);
    /* IAC SB COMPORT SET-BAUDRATE 0 0 0x25 0x80 IAC SE is among what was sent */
    const unsigned char baud[] = {255, 250, 44, 1, 0, 0, 0x25, 0x80, 255, 240};
    bool found = false;
    for (size_t i = 0; i + sizeof baud <= n && !found; i++)
        found = !memcmp(a + i, baud, sizeof baud);
    cr_assert(found, "the baud rate request went out");
    close(sv[1]);
    /* a server that hangs up during the opening */
    eb_telnet_init(&t, sv[0]);
    cr_assert_eq(eb_telnet_start(&t, 9600, 2000), EB_ERR_IO);
    close(sv[0]);
}

Test(telnet, random_bytes_stay_bounded)
{
    srand(7);
    eb_telnet t;
    eb_telnet_init(&t, -1);
    for (int round = 0; round < 20000; round++) {
        char buf[64];
        size_t n = (size_t)(rand() % 64);
        for (size_t i = 0; i < n; i++) /* many IACs and command bytes */
            buf[i] = (char)(rand() % 4 ? 240 + rand() % 16 : rand() % 256);
        size_t d = eb_telnet_filter(&t, buf, n);
        cr_assert_leq(d, n);
        cr_assert_leq(t.sb_len, (size_t)EB_TELNET_SB_MAX);
    }
}
