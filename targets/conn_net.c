/* conn_net.c - serial lines served on the network: tcp://HOST:PORT (raw bytes, as
 * ser2net's `tcp` accepter gives) and rfc2217://HOST:PORT (telnet with the RFC 2217 com
 * port option, ser2net's `telnet(rfc2217)`: the far line's speed is set from here). */
#include "eb_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000
#define TELNET_OPEN_MS 2000

static const char *const schemes[] = {"tcp://", "rfc2217://"};

bool eb_conn_is_url(const char *port)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (!strncmp(port, schemes[i], strlen(schemes[i])))
            return true;
    return false;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port; false when malformed. */
static bool split_hostport(const char *s, char *host, size_t hostcap, char *port,
                           size_t portcap)
{
    const char *colon;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return false;
        snprintf(host, hostcap, "%.*s", (int)(end - s - 1), s + 1);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return false;
        snprintf(host, hostcap, "%.*s", (int)(colon - s), s);
    }
    const char *p = colon + 1;
    size_t n = strlen(p);
    if (!*host || n == 0 || n > 5 || n >= portcap || strspn(p, "0123456789") != n)
        return false;
    long v = strtol(p, NULL, 10);
    if (v < 1 || v > 65535)
        return false;
    snprintf(port, portcap, "%s", p);
    return true;
}

/* Connects within CONNECT_TIMEOUT_MS; returns the socket or -1 with errno set. */
static int connect_within(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int pr;
        do
            pr = poll(&p, 1, CONNECT_TIMEOUT_MS);
        while (pr < 0 && errno == EINTR);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (pr == 0)
            soerr = ETIMEDOUT;
        else if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = soerr ? soerr : errno;
        if (soerr) {
            close(fd);
            errno = soerr;
            return -1;
        }
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    int one = 1;
    /* protocol lines are small and latency matters more than packets */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    return fd;
}

eb_status eb_conn_open_net(eb_conn *c, const char *url, int baud, char *err, size_t errlen)
{
    eb_conn_init(c);
    snprintf(c->port, sizeof c->port, "%s", url);
    bool telnet = !strncmp(url, "rfc2217://", 10);
    const char *rest = strstr(url, "://");
    char host[256], port[8];
    if (!rest || !split_hostport(rest + 3, host, sizeof host, port, sizeof port)) {
        snprintf(err, errlen, "'%s' is not a serial server address; write tcp://HOST:PORT or "
                 "rfc2217://HOST:PORT", url);
        return EB_ERR_ARG;
    }
    int fd = -1, e = 0;
#if defined(EB_NUMERIC_HOSTS_ONLY)
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port))};
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    struct addrinfo ai = {.ai_socktype = SOCK_STREAM};
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        ai.ai_family = AF_INET;
        ai.ai_addr = (struct sockaddr *)&a4;
        ai.ai_addrlen = sizeof a4;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        ai.ai_family = AF_INET6;
        ai.ai_addr = (struct sockaddr *)&a6;
        ai.ai_addrlen = sizeof a6;
    } else {
        snprintf(err, errlen, "this static build of edgebench resolves no host names: give the "
                 "serial server's address in %s as an IP address", url);
        return EB_ERR_ARG;
    }
    fd = connect_within(&ai);
    if (fd < 0)
        e = errno;
#else
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot resolve the host '%s' of %s: %s", host, url,
                 gai_strerror(gai));
        return EB_ERR_IO;
    }
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_within(ai);
        if (fd < 0)
            e = errno;
    }
    freeaddrinfo(res);
#endif
    if (fd < 0) {
        if (e == ECONNREFUSED)
            snprintf(err, errlen, "nothing accepts connections at %s (connection refused); "
                     "check that the serial server (ser2net) runs there and serves this port",
                     url);
        else if (e == ETIMEDOUT)
            snprintf(err, errlen, "%s did not accept the connection within %d s (host down "
                     "or port filtered)", url, CONNECT_TIMEOUT_MS / 1000);
        else
            snprintf(err, errlen, "cannot connect to %s: %s", url, strerror(e));
        return EB_ERR_IO;
    }
    c->fd = fd;
    snprintf(c->transport, sizeof c->transport, telnet ? "rfc2217" : "tcp");
    if (!telnet) {
        snprintf(c->how, sizeof c->how, "raw TCP serial server %s:%s (its configuration sets "
                 "the line speed)", host, port);
        return EB_OK;
    }
    c->telnet = true;
    eb_telnet_init(&c->tn, fd);
    if (eb_telnet_start(&c->tn, baud > 0 ? (uint32_t)baud : 0, TELNET_OPEN_MS) != EB_OK) {
        snprintf(err, errlen, "%s closed the connection as it opened%s%s%s (is the serial "
                 "device in use or missing on the server?)", url,
                 c->tn.noise[0] ? ", saying '" : "", c->tn.noise, c->tn.noise[0] ? "'" : "");
        close(fd);
        c->fd = -1;
        return EB_ERR_IO;
    }
    if (c->tn.baud)
        snprintf(c->how, sizeof c->how, "RFC 2217 serial server %s:%s, line set to %u baud "
                 "8N1 by the server", host, port, (unsigned)c->tn.baud);
    else if (c->tn.comport_refused)
        snprintf(c->how, sizeof c->how, "telnet server %s:%s without RFC 2217 (the line runs "
                 "at the speed the server is configured for)", host, port);
    else
        snprintf(c->how, sizeof c->how, "RFC 2217 serial server %s:%s (it did not confirm "
                 "the baud rate)", host, port);
    return EB_OK;
}
