/* fuzz_remote.c - the host side of the agent protocol (targets/remote.c): the input is
 * everything an agent (or whatever sits on the line) answers, lines sealed unless they
 * start with '~' (a line passed as it is: missing or wrong checksums, noise). The host
 * does what `run` does with a board: handshake and identify, upload a small .ebm in
 * chunks, then a run, whose samples and summary it collects. Its own lines go to
 * /dev/null. The sync nonce starts at 0, so run tags are deterministic (the first is
 * 9e3779b1). Reads end at the end of the input, so no wait lasts. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_remote.h"
#include "fuzz_util.h"

static char upload_path[96];
static int devnull = -1;
static int debug; /* EB_FUZZ_DEBUG=1: say how far each input got (to check the seeds) */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char d[64];
    fz_tmpdir(d, sizeof d, "remote");
    snprintf(upload_path, sizeof upload_path, "%s/up.ebm", d);
    FILE *f = fopen(upload_path, "wb");
    if (!f)
        abort();
    for (int i = 0; i < 1100; i++) /* three chunks: 512 + 512 + 76 */
        fputc((i * 131) & 0xff, f);
    fclose(f);
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    debug = getenv("EB_FUZZ_DEBUG") != NULL;
    return 0;
}

/* '~' lines raw, every other line sealed: the host drops unsealed lines. */
static size_t prepare(const uint8_t *in, size_t n, char **out)
{
    char *o = malloc(n * 9 + 16);
    size_t len = 0;
    *out = o;
    if (!o)
        return 0;
    size_t i = 0;
    while (i < n) {
        const uint8_t *nl = memchr(in + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - in) : n, l = end - i;
        if (l > 0 && in[i] == '~') {
            memcpy(o + len, in + i + 1, l - 1);
            len += l - 1;
            o[len++] = '\n';
        } else if (l <= EB_PROTO_MAX_LINE - 8) {
            char line[EB_PROTO_MAX_LINE + 16];
            memcpy(line, in + i, l);
            size_t sealed = eb_proto_seal(line, l, sizeof line);
            memcpy(o + len, line, sealed);
            len += sealed;
        }
        i = end + (nl ? 1 : 0);
    }
    return len;
}

/* What the host copies from the agent reaches reports and the console: printable ASCII. */
static void check_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    char *text;
    size_t len = prepare(data, size, &text);
    if (!text)
        return 0;
    int fd = fz_fd(text, len);
    free(text);
    if (fd < 0)
        return 0;
    eb_remote_opts o = {.reply_ms = 1000, .idle_ms = 1000, .retries = 3};
    eb_remote r;
    eb_remote_init(&r, fd, devnull, &o);
    r.nonce = 0;
    char err[1024] = "";
    eb_status st = eb_remote_hello(&r, err, sizeof err);
    if (st == EB_OK) {
        check_printable(r.version);
        check_printable(r.arch);
        check_printable(r.cpu);
        check_printable(r.isa);
        check_printable(r.os);
        for (int k = 0; k < r.n_kernels; k++) {
            check_printable(r.kernels[k].op);
            check_printable(r.kernels[k].name);
        }
        err[0] = 0;
        st = eb_remote_upload(&r, upload_path, "up.ebm", err, sizeof err);
        if (st != EB_OK && !err[0])
            __builtin_trap();
        eb_remote_run_result res;
        err[0] = 0;
        st = eb_remote_run(&r, "tiny_int8", 2, 6, "auto", 1, &res, NULL, NULL, err, sizeof err);
        if (debug)
            fprintf(stderr, "fuzz_remote: hello ok, run %s (%s), %llu samples%s%s\n",
                    eb_status_str(st), err, st == EB_OK ? (unsigned long long)res.n_received : 0,
                    st == EB_OK && res.complete ? ", complete" : "",
                    st == EB_OK ? res.stop_reason : "");
        if (st == EB_OK) {
            check_printable(res.info.name);
            check_printable(res.info.arch);
            check_printable(res.info.variant);
            for (int k = 0; k < res.info.n_kernels; k++) {
                check_printable(res.info.kernels[k].op);
                check_printable(res.info.kernels[k].name);
            }
            double ms[6];
            size_t n = eb_remote_samples_ms(&res, ms, 6);
            if (n != res.n_received || n > 6 || (res.complete && n != 6) ||
                (!res.complete && !res.stop_reason[0]))
                __builtin_trap();
            eb_remote_run_result_free(&res);
        } else if (!err[0]) {
            __builtin_trap();
        }
    } else {
        if (debug)
            fprintf(stderr, "fuzz_remote: hello %s (%s)\n", eb_status_str(st), err);
        if (!err[0])
            __builtin_trap();
    }
    close(fd);
    return 0;
}
