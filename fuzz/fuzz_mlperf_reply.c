/* fuzz_mlperf_reply.c - libFuzzer target for the MLPerf Tiny reply parser
 * (targets/mlperf_tiny.c: eb_mlperf_reply_feed, eb_mlperf_reply_window, the name% and
 * profile% readers, eb_mlperf_clean): the bytes are what a device sends.
 *
 * Byte 0 picks the command whose reply is parsed (its expected line, whether a reboot ends
 * it); the rest is split into lines at '\n' and '\r' the way eb_linereader does (NUL read
 * as '?', lines longer than EB_PROTO_MAX_LINE dropped). Checked: the reply's counts and
 * kept lines stay in bounds, a complete reply takes no more lines, the window of two
 * stamps is their difference (modulo 2^32 only for 32-bit values), and every string that
 * can reach a report (name, role, profile, model, error) is clean printable ASCII.
 *
 * Build and run (from the repository root; clang 14 as packaged in Debian 12):
 *   mkdir -p build-fuzz
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *         -Itargets -Itargets/agent -Ikernels/include fuzz/fuzz_mlperf_reply.c \
 *         targets/mlperf_tiny.c targets/agent/eb_proto.c -o build-fuzz/fuzz_mlperf_reply
 *   cc fuzz/mlperf_reply_seeds.c -o build-fuzz/mlperf_reply_seeds
 *   build-fuzz/mlperf_reply_seeds build-fuzz/mlperf_reply_corpus
 *   build-fuzz/fuzz_mlperf_reply -max_len=4096 -max_total_time=600 \
 *         build-fuzz/mlperf_reply_corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eb_mlperf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *expect;
    bool end_on_reset;
} commands[] = {
    {"m-name-", false}, {"m-model-", false}, {"m-lap-us-", false},
    {"m-[Expecting", true}, {NULL, true}, {"m-infer-start", true},
};

static void check_clean(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        __builtin_trap(); /* not terminated */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t which = data[0] % (sizeof commands / sizeof commands[0]);
    eb_mlperf_reply r;
    eb_mlperf_reply_start(&r, commands[which].expect, commands[which].end_on_reset);
    char line[EB_PROTO_MAX_LINE + 1];
    size_t len = 0;
    bool overlong = false, done = false;
    uint64_t lines_at_done = 0;
    for (size_t i = 1; i <= size; i++) {
        char c = i < size ? (char)data[i] : '\n';
        if (c == '\n' || c == '\r') {
            if (len > 0 && !overlong) {
                line[len] = '\0';
                bool d = eb_mlperf_reply_feed(&r, line);
                if (done && (!d || r.lines != lines_at_done))
                    __builtin_trap(); /* a complete reply takes nothing more */
                if (d && !done) {
                    done = true;
                    lines_at_done = r.lines;
                }
            }
            len = 0;
            overlong = false;
            continue;
        }
        if (len == EB_PROTO_MAX_LINE) {
            overlong = true;
            continue;
        }
        line[len++] = c == '\0' ? '?' : c;
    }
    if (r.n_keep < 0 || r.n_keep > EB_MLPERF_KEEP || r.n_lap < 0 || r.ignored > r.lines)
        __builtin_trap();
    for (int i = 0; i < r.n_keep; i++)
        if (strnlen(r.keep[i], EB_MLPERF_KEEP_LEN) == EB_MLPERF_KEEP_LEN)
            __builtin_trap();
    check_clean(r.error, sizeof r.error);

    for (int c64 = 0; c64 < 2; c64++) {
        uint64_t us = 0;
        bool wrapped = false;
        char err[512];
        eb_status st = eb_mlperf_reply_window(&r, c64, &us, &wrapped, err, sizeof err);
        if (st == EB_OK) {
            if (r.n_lap != 2)
                __builtin_trap();
            uint64_t a = r.lap[0], b = r.lap[1];
            if (!wrapped && us != b - a)
                __builtin_trap();
            if (wrapped && (c64 || a > UINT32_MAX || b > UINT32_MAX || b >= a ||
                            us != b + (1ull << 32) - a))
                __builtin_trap();
        } else if (strnlen(err, sizeof err) == sizeof err) {
            __builtin_trap();
        }
    }

    eb_mlperf m;
    memset(&m, 0, sizeof m);
    eb_mlperf_take_name(&m, &r);
    eb_mlperf_take_profile(&m, &r);
    check_clean(m.role, sizeof m.role);
    check_clean(m.name, sizeof m.name);
    check_clean(m.profile, sizeof m.profile);
    check_clean(m.model, sizeof m.model);
    if (!m.name[0] || !m.model[0] || !m.role[0] || !m.profile[0])
        __builtin_trap(); /* empty strings fail the report schema */
    (void)eb_mlperf_model_find(m.model);
    return 0;
}
