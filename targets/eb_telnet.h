/* eb_telnet.h - the client side of telnet with the RFC 2217 com port option, as serial
 * servers speak it (ser2net's `telnet(rfc2217)` accepter): a bounded decoder that takes
 * the server's telnet commands out of the received bytes and answers its option
 * requests, and the opening that asks for binary mode and sets the far serial line
 * (baud rate, 8 data bits, no parity, 1 stop bit, no flow control).
 *
 * What the host sends on such a connection is ASCII protocol lines, so it never holds
 * the byte 255 that telnet would need escaped. */
#ifndef EB_TELNET_H
#define EB_TELNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_TELNET_SB_MAX 16      /* bytes of one subnegotiation kept (longer: cut) */
#define EB_TELNET_MAX_ANSWERS 4  /* answers per option at most (no negotiation loops) */

typedef struct {
    int fd;                /* the connection, for answers; < 0: answers are dropped */
    int state;             /* where the decoder is inside a command */
    uint8_t verb;          /* WILL, WONT, DO or DONT whose option byte comes next */
    bool after_cr;         /* the last data byte was CR (a NUL after it is padding) */
    uint8_t sb[EB_TELNET_SB_MAX];
    size_t sb_len;
    uint8_t us[256], them[256]; /* per option: 0 off, 1 asked for, 2 on */
    uint8_t answers[256];
    bool comport;          /* the server agreed to the com port option */
    bool comport_refused;  /* it refused it (a plain telnet server) */
    uint32_t baud;         /* the baud rate the server reported (0: none yet) */
    unsigned commands;     /* telnet commands taken out of the stream */
    char noise[96];        /* the first printable text received during the opening */
} eb_telnet;

void eb_telnet_init(eb_telnet *t, int fd);

/* Takes the telnet commands out of n received bytes in place, answers option requests
 * on t->fd, and returns how many data bytes are left at the front of buf. A command may
 * be split across calls. Any byte sequence is accepted; at most n bytes are kept. */
size_t eb_telnet_filter(eb_telnet *t, char *buf, size_t n);

/* The opening: offers the com port option, binary mode both ways and suppress-go-ahead,
 * then sets baud (0: leave the server's speed) and 8N1 without flow control. Waits up
 * to timeout_ms for the server's answer to the baud rate (t->baud) or its refusal of
 * the option (t->comport_refused); data received meanwhile is discarded (its first
 * text kept in t->noise). EB_OK also when the server does not answer in time;
 * EB_ERR_IO when the connection closed. */
eb_status eb_telnet_start(eb_telnet *t, uint32_t baud, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
