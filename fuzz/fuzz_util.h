/* fuzz_util.h - small helpers the fuzz targets share (header-only, one target per file).
 *
 * Line protocols carry checksums a mutator cannot compute, so the targets of the agent
 * protocol rewrite their input first: a line that starts with '!' is sent sealed (the
 * '!' dropped, " *XXXX" CRC-16 appended, as eb_proto_seal does), any other line as it
 * is. The mutator thereby reaches the commands behind the checksum and still tests lines
 * whose checksum is missing or wrong. */
#ifndef EB_FUZZ_UTIL_H
#define EB_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eb_proto.h"

/* The input as a readable file descriptor at offset 0 (a memfd: reads end at its end,
 * like a line that closed); -1 on failure. */
static inline int fz_fd(const void *data, size_t size)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    const uint8_t *p = data;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, p + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* A fresh scratch folder for what a target writes (uploads, calibration files, plots):
 * in /dev/shm when there is one (a fuzzer writes thousands of files a second; a disk's
 * fsync would set the pace), else /tmp. tag names it. Aborts when none can be made. */
static inline void fz_tmpdir(char *dir, size_t cap, const char *tag)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, cap, "%s/eb_fuzz_%s_XXXXXX", base, tag);
    if (!mkdtemp(dir))
        abort();
}

/* Rewrites the input's lines ('!' lines sealed); *out is malloc'd, its length returned. */
static inline size_t fz_seal_lines(const uint8_t *in, size_t n, char **out)
{
    /* a sealed line grows by 8 bytes at most ( *XXXX\r\n) */
    char *o = malloc(n * 9 + 16);
    size_t len = 0;
    if (!o) {
        *out = NULL;
        return 0;
    }
    size_t i = 0;
    while (i < n) {
        const uint8_t *nl = memchr(in + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - in) : n;
        size_t l = end - i;
        if (l > 0 && in[i] == '!' && l - 1 <= EB_PROTO_MAX_LINE - 8) {
            char line[EB_PROTO_MAX_LINE + 16];
            memcpy(line, in + i + 1, l - 1);
            size_t sealed = eb_proto_seal(line, l - 1, sizeof line);
            if (sealed) {
                memcpy(o + len, line, sealed);
                len += sealed;
            }
        } else {
            memcpy(o + len, in + i, l);
            len += l;
            if (nl)
                o[len++] = '\n';
        }
        i = end + (nl ? 1 : 0);
    }
    *out = o;
    return len;
}

#endif
