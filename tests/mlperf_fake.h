/* mlperf_fake.h - a scripted MLPerf Tiny device (performance mode) on a pty master, for
 * tests: it speaks name%, profile%, db load N%, db HEX%, infer N W% with m-/e- lines and
 * m-ready, on a virtual clock where one inference takes infer_us microseconds. */
#ifndef MLPERF_FAKE_H
#define MLPERF_FAKE_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_proto.h"

typedef struct {
    int fd;
    const char *model;   /* "kws01" */
    uint64_t infer_us;   /* virtual time per inference */
    int energy_mode;     /* announce energy mode on name% */
    int silent;          /* never answer */
    uint8_t buf[4096];
    size_t size, pos;
    int infers;          /* infer commands served */
    int loads_done;
    uint64_t clock_us;
    volatile int stop;
    pthread_t th;
} mlperf_fake;

static inline void mf_say(mlperf_fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void mf_say(mlperf_fake *f, const char *fmt, ...)
{
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b - 2, fmt, ap);
    va_end(ap);
    b[n++] = '\r';
    b[n++] = '\n';
    if (write(f->fd, b, (size_t)n) < 0) {
    }
}

static inline void mf_command(mlperf_fake *f, char *cmd)
{
    char *w[8];
    int n = eb_proto_split(cmd, w, 8);
    if (n == 0) {
    } else if (!strcmp(w[0], "name")) {
        if (f->energy_mode)
            mf_say(f, "m-timestamp-mode-energy");
        mf_say(f, "m-name-dut-[edgebench fake]");
    } else if (!strcmp(w[0], "profile")) {
        mf_say(f, "m-profile-[ULPMark for tinyML Firmware V0.0.1]");
        mf_say(f, "m-model-[%s]", f->model);
    } else if (!strcmp(w[0], "db") && n >= 3 && !strcmp(w[1], "load")) {
        f->size = (size_t)atoi(w[2]);
        f->pos = 0;
        if (f->size == 0 || f->size > sizeof f->buf)
            mf_say(f, "e-[Command 'db load' must be >0 bytes]");
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
        if (iters <= 0) {
            mf_say(f, "e-[Inference iterations must be >0]");
        } else {
            mf_say(f, "m-warmup-start-%d", warm);
            f->clock_us += (uint64_t)warm * f->infer_us;
            mf_say(f, "m-warmup-done");
            mf_say(f, "m-infer-start-%d", iters);
            mf_say(f, "m-lap-us-%llu", (unsigned long long)f->clock_us);
            f->clock_us += (uint64_t)iters * f->infer_us;
            mf_say(f, "m-lap-us-%llu", (unsigned long long)f->clock_us);
            mf_say(f, "m-infer-done");
            mf_say(f, "m-results-[0.012,0.950,0.038]");
            f->infers++;
        }
    } else {
        mf_say(f, "e-[Unknown command: %s]", w[0]);
    }
    mf_say(f, "m-ready");
}

static inline void *mf_main(void *arg)
{
    mlperf_fake *f = arg;
    char cmd[256];
    size_t len = 0;
    mf_say(f, "m-init-done");
    mf_say(f, "m-ready");
    while (!f->stop) {
        char c;
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        if (read(f->fd, &c, 1) != 1)
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

#endif
