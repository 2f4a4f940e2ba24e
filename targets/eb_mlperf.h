/* eb_mlperf.h - the host side of the MLPerf Tiny (EEMBC runner) serial protocol, so boards
 * that carry the MLPerf Tiny benchmark firmware can be measured without the agent.
 *
 * Commands end with '%': name%, profile%, db load N%, db HEX%, infer N W%. The device
 * answers with "m-..." lines, "e-[...]" errors and ends every command with "m-ready".
 * In performance mode `infer` brackets the N timed inferences with two
 * "m-lap-us-<microseconds>" lines: the device times a window, not single inferences. */
#ifndef EB_MLPERF_H
#define EB_MLPERF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_MLPERF_BAUD 115200
#define EB_MLPERF_DB_BYTES 32   /* bytes per "db HEX%" line (the firmware's buffer is 80) */
#define EB_MLPERF_MAX_LINES 64  /* lines one command may produce before m-ready */
#define EB_MLPERF_MAX_INPUT (1u << 20)

typedef struct {
    int fd;
    eb_linereader rd;
    int reply_ms; /* wait for m-ready of a short command (default 3000) */
    FILE *trace;
    char name[64];    /* from m-name-... */
    char profile[96]; /* from m-profile-[...] */
    char model[32];   /* from m-model-[...]: kws01, vww01, ic01, ad01 */
} eb_mlperf;

void eb_mlperf_init(eb_mlperf *m, int fd, int reply_ms);

/* name% and profile%. EB_ERR_TIMEOUT when nothing that speaks the protocol answers;
 * EB_ERR_UNSUPPORTED for a device in energy mode. */
eb_status eb_mlperf_identify(eb_mlperf *m, char *err, size_t errlen);

/* db load N%, then the bytes as hex in EB_MLPERF_DB_BYTES-byte db commands. */
eb_status eb_mlperf_load(eb_mlperf *m, const uint8_t *data, size_t n, char *err,
                         size_t errlen);

/* infer n warmup%: the device's elapsed microseconds for the n timed inferences.
 * timeout_ms bounds the whole command. */
eb_status eb_mlperf_infer(eb_mlperf *m, uint32_t n, uint32_t warmup, int timeout_ms,
                          uint64_t *elapsed_us, char *err, size_t errlen);

/* Our zoo's name for an MLPerf Tiny model id ("kws01" -> "ds_cnn_int8"), or NULL. */
const char *eb_mlperf_zoo_name(const char *model_id);

#ifdef __cplusplus
}
#endif
#endif
