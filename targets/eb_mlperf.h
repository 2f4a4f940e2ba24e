/* eb_mlperf.h - the host side of the MLPerf Tiny (EEMBC runner) serial protocol, so boards
 * that carry the MLPerf Tiny benchmark firmware can be measured without the agent.
 *
 * Commands end with '%': name%, profile%, timestamp%, db load N%, db HEX%, infer N W%. The
 * device answers with "m-..." lines, "e-[...]" errors and ends every command with
 * "m-ready"; firmware also prints lines of its own (debug output, "Input db has N
 * elemented, expected M"), which are not protocol. In performance mode `infer` brackets the
 * N timed inferences with two "m-lap-us-<microseconds>" lines: the device times a window,
 * not single inferences. A reset shows as "m-init-done" (after "m-timestamp-mode-...").
 *
 * Every reply is read until its m-ready, bounded by bytes and by time (a longest silence
 * between lines and a whole-command deadline), never by a line count. */
#ifndef EB_MLPERF_H
#define EB_MLPERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "eb_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_MLPERF_BAUD 115200
#define EB_MLPERF_DB_BYTES 32     /* bytes per "db HEX%" line (the firmware's buffer is 80) */
#define EB_MLPERF_MAX_INPUT (1u << 20)
#define EB_MLPERF_LINE_MS 5000    /* silence allowed between reply lines (official runner) */
#define EB_MLPERF_INFER_MS 30000  /* least silence allowed in an infer (official runner) */
#define EB_MLPERF_WINDOW_S 10.0   /* MLPerf Tiny's rule: timed windows of at least 10 s */
#define EB_MLPERF_KEEP 16         /* m- lines of one reply kept for identification */
#define EB_MLPERF_KEEP_LEN 160
#define EB_MLPERF_SHORT_REPLY_BYTES (256u << 10)  /* bytes one non-infer reply may take */
#define EB_MLPERF_INFER_REPLY_BYTES (64u << 20)   /* bytes one infer reply may take */

/* The sentence for an energy-mode device (and for an EnergyRunner interface board). */
#define EB_MLPERF_ENERGY_SENTENCE                                                         \
    "an energy-mode MLPerf Tiny device sends its timestamps to an energy monitor, not as "  \
    "m-lap-us lines; it sits behind an EnergyRunner interface board at 9600 baud, which "   \
    "relays commands as `dut <cmd>%`, and edgebench does not drive that setup: flash the "  \
    "performance-mode build (EE_CFG_ENERGY_MODE 0) and connect the board directly "        \
    "(115200 baud)"

typedef enum { EB_MLPERF_MODE_UNKNOWN, EB_MLPERF_MODE_PERFORMANCE, EB_MLPERF_MODE_ENERGY } eb_mlperf_mode;

/* One command's reply, as eb_mlperf_reply_feed saw it line by line. Pure bookkeeping: no
 * I/O, every field bounded, so the parser can be fuzzed on its own. */
typedef struct {
    const char *expect; /* prefix of a line that marks this command's own answer, or NULL */
    bool end_on_reset;  /* a reboot's m-ready ends the reply (the command died with it) */
    bool seen;          /* expect (or an e- line) was seen: the next m-ready is ours */
    bool done;          /* our m-ready arrived */
    unsigned stale;     /* m-ready lines that were not ours (a boot's, an earlier command's) */
    bool reset;         /* m-init-done: the device rebooted while we waited */
    bool interface_board; /* an EnergyRunner interface board answered */
    eb_mlperf_mode mode;  /* from an m-timestamp-mode-... line, else UNKNOWN */
    char keep[EB_MLPERF_KEEP][EB_MLPERF_KEEP_LEN]; /* m- lines after the last stale m-ready */
    int n_keep;
    uint64_t lap[2];    /* the first two m-lap-us values of our answer */
    int n_lap;          /* m-lap-us lines of our answer (may exceed 2) */
    bool lap_bad;       /* an m-lap-us line whose number did not parse */
    bool infer_done;    /* m-infer-done */
    bool load_done;     /* m-load-done */
    bool input_complaint; /* "Input db has N elemented, expected M" */
    long long input_have, input_want;
    bool too_big;       /* "Supplied buffer size N exceeds maximum of M" */
    char error[200];    /* the first e- line of our answer, "" when none */
    uint64_t lines, ignored; /* lines seen; of them not protocol */
} eb_mlperf_reply;

/* Starts a reply. expect NULL: the first m-ready ends it. */
void eb_mlperf_reply_start(eb_mlperf_reply *r, const char *expect, bool end_on_reset);
/* Feeds one received line (without its line end; any bytes). Returns true when the reply
 * is complete. A relayed "[dut]: " prefix is taken off (and marks an interface board). */
bool eb_mlperf_reply_feed(eb_mlperf_reply *r, const char *line);

/* The window an infer reply timed: the difference of its two m-lap-us stamps. With a 32-bit
 * counter (no stamp above 2^32-1 seen, counter64 false) a second stamp below the first is a
 * wrap and the difference is taken modulo 2^32 (*wrapped set). */
eb_status eb_mlperf_reply_window(const eb_mlperf_reply *r, bool counter64, uint64_t *us,
                                 bool *wrapped, char *err, size_t errlen);

/* Copies at most n bytes of src into dst (capacity cap) keeping printable ASCII other than
 * quotes and backslashes; anything else becomes '_', ends are trimmed, "" becomes
 * fallback. Device strings go into reports, file names and plots through this. */
void eb_mlperf_clean(char *dst, size_t cap, const char *src, size_t n, const char *fallback);

/* What an MLPerf Tiny model id's reference firmware expects as input. */
typedef struct {
    const char *id;       /* "kws01" */
    const char *zoo;      /* our variant: "ds_cnn_int8" */
    const char *dtype;    /* "int8", "uint8" (pixels; the firmware subtracts 128), "float32" */
    uint32_t elements;
    uint32_t elem_bytes;
} eb_mlperf_model;

/* The row for a model id, or NULL. */
const eb_mlperf_model *eb_mlperf_model_find(const char *id);
/* Our zoo's name for an MLPerf Tiny model id ("kws01" -> "ds_cnn_int8"), or NULL. */
const char *eb_mlperf_zoo_name(const char *model_id);

typedef struct {
    int fd;
    eb_linereader rd;
    int line_ms;      /* silence allowed between two lines of a reply (EB_MLPERF_LINE_MS) */
    int retries;      /* tries of a short command that times out (3) */
    FILE *trace;
    const volatile sig_atomic_t *stop; /* set (e.g. by SIGINT): a wait ends within 0.2 s */
    char role[16];    /* from m-name-<role>-[...]: "dut" */
    char name[64];    /* inside the brackets: the submitter's name ("unspecified": none) */
    char profile[96]; /* from m-profile-[...] */
    char model[32];   /* from m-model-[...]: kws01, vww01, ic01, ad01 */
    eb_mlperf_mode mode;
    bool counter64;   /* a timestamp above 2^32-1 was seen: the counter does not wrap at 32 bits */
    unsigned boots;   /* m-init-done lines seen */
    uint64_t ignored; /* lines that were not protocol */
} eb_mlperf;

void eb_mlperf_init(eb_mlperf *m, int fd, int line_ms);

/* What a name% reply says (m-name-<role>-[<name>]) and a profile% reply
 * (m-profile-[...], m-model-[...]), cleaned with eb_mlperf_clean. take_profile is false
 * when no model was named. */
void eb_mlperf_take_name(eb_mlperf *m, const eb_mlperf_reply *r);
bool eb_mlperf_take_profile(eb_mlperf *m, const eb_mlperf_reply *r);

/* name%, profile% and a timestamp% probe. EB_ERR_TIMEOUT when nothing that speaks the
 * protocol answers; EB_ERR_UNSUPPORTED for a device in energy mode (announced at boot, or
 * a timestamp% without m-lap-us) or an EnergyRunner interface board (err: the sentence). */
eb_status eb_mlperf_identify(eb_mlperf *m, char *err, size_t errlen);

/* db load N%, then the bytes as hex in EB_MLPERF_DB_BYTES-byte db commands; a reset during
 * the load starts it again (twice at most). */
eb_status eb_mlperf_load(eb_mlperf *m, const uint8_t *data, size_t n, char *err,
                         size_t errlen);

typedef struct {
    uint64_t elapsed_us; /* the device's time for the n timed inferences (with its printing) */
    bool wrapped;        /* the 32-bit counter wrapped inside the window */
    bool reset;          /* the device rebooted during the command: no window, input lost */
    bool input_complaint;
    long long input_have, input_want; /* elements, as the device counts them */
    uint64_t ignored;    /* lines that were not protocol (debug output) */
} eb_mlperf_window;

/* infer n warmup%: the device's elapsed microseconds for the n timed inferences.
 * silence_ms bounds each gap between lines, total_ms the whole command. On a reset or an
 * input complaint the status is EB_ERR_PROTOCOL with w->reset / w->input_complaint set. */
eb_status eb_mlperf_infer(eb_mlperf *m, uint32_t n, uint32_t warmup, int silence_ms,
                          int total_ms, eb_mlperf_window *w, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
