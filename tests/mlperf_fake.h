/* mlperf_fake.h - a scripted MLPerf Tiny device on a pty master, for tests. It speaks
 * name%, profile%, timestamp%, db load N%, db HEX%, infer N W% with m-/e- lines and m-ready
 * the way mlcommons/tiny's benchmark/api firmware does, on a virtual clock where one
 * inference takes infer_us microseconds (so a 10 s window costs no real time).
 *
 * Like the real firmware, and unlike a polite fake, it can: print debug lines during an
 * infer; announce energy mode only in its boot banner (and then print no m-lap-us); sit
 * behind an EnergyRunner interface board that relays `dut <cmd>%`; run a 32-bit
 * microsecond counter that wraps; reset in the middle of a window (boot banner again,
 * input lost); complain "Input db has N elemented, expected M" and infer anyway; answer
 * profile% late; count the time its own blocking m-lap-us printf takes inside the window;
 * answer name% with an error and then never stop talking; hang up. */
#ifndef MLPERF_FAKE_H
#define MLPERF_FAKE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_proto.h"

#define MF_MAX_INFERS 256

typedef struct {
    int fd;
    const char *model;     /* "kws01": m-model-[...] (any bytes but line ends) */
    const char *name;      /* m-name-dut-[...]; NULL: "unspecified" as the reference */
    uint64_t infer_us;     /* virtual time per inference */
    uint64_t lap_us;       /* cost of printing one m-lap-us line (blocking printf) */
    int energy_mode;       /* energy build: says so in the boot banner only, no m-lap-us */
    int interface_board;   /* we are an EnergyRunner interface board relaying `dut <cmd>` */
    int no_boot_banner;    /* the device booted before the host opened the line */
    int silent;            /* never answer */
    int debug_lines;       /* debug lines printed during the timed part of each infer */
    int counter_bits;      /* 32: the printed counter wraps at 2^32; else 64-bit */
    uint64_t boot_clock_us; /* counter value at boot */
    int reset_at_infer;    /* the n-th infer (1-based) resets after its first m-lap-us */
    int reset_after_infer; /* the device resets right after the n-th infer's m-ready */
    int hangup_at_infer;   /* the n-th infer closes the line after its first m-lap-us */
    int sigint_at_infer;   /* the n-th infer sends SIGINT to this process (a user's Ctrl-C) */
    int sigint_hold_ms;    /* ... and then takes this long in real time */
    size_t in_bytes;       /* the model's input in bytes (0: no check) */
    size_t in_elem;        /* bytes per element (4: float32); 0 means 1 */
    int profile_delay_ms;  /* real time before profile% is answered */
    int name_error_spam;   /* name% -> e-[...], then lines without end and no m-ready */
    uint8_t buf[32768];
    size_t size, pos;
    int infers;            /* infer commands that ran to m-infer-done */
    int infer_cmds;        /* infer commands received */
    uint32_t infer_n[MF_MAX_INFERS], infer_w[MF_MAX_INFERS]; /* N and W of each */
    int loads_done;
    int resets_done;
    int complaints;
    int timestamps;
    uint64_t clock_us;
    const char *prefix;    /* "[dut]: " while relaying */
    int boot_pending;
    volatile int stop;
    pthread_t th;
} mlperf_fake;

/* Writes all of b, waiting for room (the host may be slow to read), until stop. */
static inline void mf_write(mlperf_fake *f, const char *b, size_t n)
{
    while (n > 0 && !f->stop && f->fd >= 0) {
        ssize_t w = write(f->fd, b, n);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {.fd = f->fd, .events = POLLOUT};
            poll(&p, 1, 50);
        } else {
            return;
        }
    }
}

static inline void mf_say(mlperf_fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void mf_say(mlperf_fake *f, const char *fmt, ...)
{
    char b[512];
    int n = snprintf(b, sizeof b, "%s", f->prefix ? f->prefix : "");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(b + n, sizeof b - (size_t)n - 2, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof b - 3)
        n = (int)sizeof b - 3;
    b[n++] = '\r';
    b[n++] = '\n';
    mf_write(f, b, (size_t)n);
}

static inline unsigned long long mf_counter(const mlperf_fake *f)
{
    return f->counter_bits == 32 ? (unsigned long long)(f->clock_us & 0xffffffffu)
                                 : (unsigned long long)f->clock_us;
}

/* th_timestamp(): read the counter, then a blocking printf that takes lap_us. */
static inline void mf_timestamp(mlperf_fake *f)
{
    if (f->energy_mode)
        return; /* a GPIO pulse for the energy monitor */
    mf_say(f, "m-lap-us-%llu", mf_counter(f));
    f->clock_us += f->lap_us;
}

static inline void mf_boot(mlperf_fake *f)
{
    f->clock_us = f->boot_clock_us;
    f->size = f->pos = 0;
    mf_say(f, "m-timestamp-mode-%s", f->energy_mode ? "energy" : "performance");
    mf_say(f, "m-init-done");
    mf_say(f, "m-ready");
}

/* Returns 0 when the command is answered normally (m-ready follows), 1 when the device
 * reset or hung up in the middle (no m-ready of its own). */
static inline int mf_infer(mlperf_fake *f, int iters, int warm)
{
    int k = ++f->infer_cmds;
    if (k <= MF_MAX_INFERS) {
        f->infer_n[k - 1] = (uint32_t)iters;
        f->infer_w[k - 1] = (uint32_t)warm;
    }
    size_t el = f->in_elem ? f->in_elem : 1;
    if (f->in_bytes && f->pos / el != f->in_bytes / el) { /* th_load_tensor() */
        mf_say(f, "Input db has %zu elemented, expected %zu", f->pos / el, f->in_bytes / el);
        f->complaints++;
    }
    mf_say(f, "m-warmup-start-%d", warm);
    f->clock_us += (uint64_t)warm * f->infer_us;
    mf_say(f, "m-warmup-done");
    mf_say(f, "m-infer-start-%d", iters);
    mf_timestamp(f);
    if (f->sigint_at_infer == k) {
        kill(getpid(), SIGINT);
        for (int t = 0; t < f->sigint_hold_ms && !f->stop; t += 10)
            usleep(10000);
    }
    if (f->hangup_at_infer == k) {
        close(f->fd);
        f->fd = -1;
        f->stop = 1;
        return 1;
    }
    if (f->reset_at_infer == k) {
        f->clock_us += (uint64_t)iters / 2 * f->infer_us;
        f->resets_done++;
        mf_boot(f);
        return 1;
    }
    for (int d = 0; d < f->debug_lines; d++)
        mf_say(f, "dbg: inference %d: arena 12345 B, layer %d ok", d * iters / f->debug_lines,
               d % 7);
    f->clock_us += (uint64_t)iters * f->infer_us;
    mf_timestamp(f);
    mf_say(f, "m-infer-done");
    mf_say(f, "m-results-[0.012,0.950,0.038]");
    f->infers++;
    f->boot_pending = f->reset_after_infer == k;
    return 0;
}

/* One DUT command (cmd is modified). */
static inline void mf_dut_command(mlperf_fake *f, char *cmd)
{
    char *w[8];
    int n = eb_proto_split(cmd, w, 8);
    if (n == 0) {
    } else if (!strcmp(w[0], "name")) {
        mf_say(f, "m-name-dut-[%s]", f->name ? f->name : "unspecified");
        if (f->name_error_spam) {
            mf_say(f, "e-[name unavailable]");
            for (unsigned long i = 0; !f->stop && f->fd >= 0; i++) {
                mf_say(f, "still talking %lu", i);
                usleep(2000);
            }
            return;
        }
    } else if (!strcmp(w[0], "profile")) {
        for (int t = 0; t < f->profile_delay_ms && !f->stop; t += 10)
            usleep(10000); /* a slow device, interruptible so tests end promptly */
        mf_say(f, "m-profile-[ULPMark for tinyML Firmware V0.0.1]");
        mf_say(f, "m-model-[%s]", f->model);
    } else if (!strcmp(w[0], "timestamp")) {
        f->timestamps++;
        mf_timestamp(f);
    } else if (!strcmp(w[0], "db") && n >= 3 && !strcmp(w[1], "load")) {
        f->size = (size_t)atoi(w[2]);
        f->pos = 0;
        if (f->size == 0)
            mf_say(f, "e-[Command 'db load' must be >0 bytes]");
        else if (f->size > sizeof f->buf)
            mf_say(f, "Supplied buffer size %zu exceeds maximum of %zu", f->size, sizeof f->buf);
        else
            mf_say(f, "m-[Expecting %zu bytes]", f->size);
    } else if (!strcmp(w[0], "db") && n >= 2) {
        size_t len = strlen(w[1]);
        if (len % 2) {
            mf_say(f, "e-[Insufficent number of hex digits]");
        } else {
            for (size_t i = 0; i < len && f->pos < f->size; i += 2) {
                char h[3] = {w[1][i], w[1][i + 1], 0};
                f->buf[f->pos++] = (uint8_t)strtoul(h, NULL, 16);
                if (f->pos == f->size) {
                    mf_say(f, "m-load-done");
                    f->loads_done++;
                }
            }
        }
    } else if (!strcmp(w[0], "infer")) {
        int iters = n >= 2 ? atoi(w[1]) : 1, warm = n >= 3 ? atoi(w[2]) : 10;
        if (iters <= 0)
            mf_say(f, "e-[Inference iterations must be >0]");
        else if (mf_infer(f, iters, warm))
            return;
    } else {
        mf_say(f, "e-[Unknown command: %s]", w[0]);
    }
    mf_say(f, "m-ready");
    if (f->boot_pending) {
        f->boot_pending = 0;
        f->resets_done++;
        mf_boot(f);
    }
}

static inline void mf_command(mlperf_fake *f, char *cmd)
{
    if (!f->interface_board) {
        mf_dut_command(f, cmd);
        return;
    }
    /* The EnergyRunner interface board: its own name, `dut <cmd>` relayed with a prefix. */
    while (*cmd == ' ')
        cmd++;
    if (!strncmp(cmd, "dut ", 4)) {
        mf_say(f, "m-dut-passthrough(%s)", cmd + 4);
        mf_say(f, "m-ready");
        f->prefix = "[dut]: ";
        mf_dut_command(f, cmd + 4);
        f->prefix = NULL;
    } else if (!strcmp(cmd, "name")) {
        mf_say(f, "tinyML Enhanced Interface Board");
        mf_say(f, "m-ready");
    } else {
        mf_say(f, "e-[Unknown command: %s]", cmd);
        mf_say(f, "m-ready");
    }
}

static inline void *mf_main(void *arg)
{
    mlperf_fake *f = arg;
    char cmd[256];
    size_t len = 0;
    fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
    if (f->interface_board) {
        f->energy_mode = 1; /* the DUT behind it */
        mf_say(f, "m-ready");
    } else if (!f->no_boot_banner) {
        mf_boot(f);
    } else {
        f->clock_us = f->boot_clock_us;
    }
    while (!f->stop && f->fd >= 0) {
        char c;
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t got = read(f->fd, &c, 1);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got != 1)
            break;
        if (f->silent)
            continue;
        if (c == '%') {
            cmd[len] = 0;
            mf_command(f, cmd);
            len = 0;
        } else if (len < sizeof cmd - 1 && c != '\r' && c != '\n') {
            cmd[len++] = c;
        }
    }
    return NULL;
}

/* Stops the fake and closes its end (if it did not hang up itself). */
static inline void mf_finish(mlperf_fake *f)
{
    f->stop = 1;
    pthread_join(f->th, NULL);
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

#endif
