/* eb_target.h - target descriptions (targets/<name>.json): what a board is and how to
 * reach it. `--target NAME` looks for NAME.json in the target folders; `--target FILE`
 * (a path with '/' or ending in .json) loads that file.
 *
 * Target folders, in order: $EB_TARGETS_DIR, the source tree's targets/ (compiled in),
 * ./targets. For a local target, "auto" for arch, cores or memory_bytes is filled from
 * the running machine.
 */
#ifndef EB_TARGET_H
#define EB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "eb_report.h"
#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    eb_report_target desc; /* the part every report carries */
    char description[256];
    char path[512];   /* the file it was loaded from */
    char device[256]; /* serial: device path or tcp:// / rfc2217:// URL ("" for local) */
    int32_t baud;     /* serial: line speed (0 for local) */
    char protocol[24]; /* serial: "edgebench" (the agent, default) or "mlperf-tiny" */
    char cpu[64];      /* "Cortex-A72" ("" unknown) */
    char isa_features[12][16];
    int32_t n_isa_features;
    /* --emulate: the agent binary (relative to the source tree or cwd) and qemu-user */
    char qemu[32];     /* "qemu-aarch64"; "" runs the agent directly */
    char qemu_cpu[32]; /* "cortex-a72" */
    char agent[256];   /* "build-aarch64/targets/agent/edgebench-agent" */
    /* ssh: who to log in as where, extra ssh arguments, and how the board starts the
     * agent: `[agent_prefix] agent_path --stdio` (agent_path found in the board's PATH
     * or ~/.local/bin, where `edgebench deploy` puts it) */
    char host[256];          /* "pi@raspberrypi.local" ("" : none) */
    char ssh_options[16][256]; /* e.g. {"-p", "2222"} or {"-F", "lab_ssh_config"} */
    int32_t n_ssh_options;
    char agent_path[256];    /* "edgebench-agent" (default) or a path on the board */
    char agent_prefix[128];  /* "taskset -c 3", "nice -n -5", ... ("" : none) */
    char lava_device_type[64]; /* the LAVA device type of the board ("bcm2711-rpi-4-b") */
} eb_target;

/* Loads a target by name or file. On failure err gets one sentence; for an unknown
 * name it lists the valid names. */
eb_status eb_target_load(const char *name_or_file, eb_target *out, char *err, size_t errlen);

/* Parses a target description from JSON text (path is used in messages only). */
eb_status eb_target_parse(const char *text, const char *path, eb_target *out, char *err,
                          size_t errlen);

/* Writes the valid target names (sorted, ", "-separated) into buf; returns the count. */
size_t eb_target_names(char *buf, size_t buflen);

/* How to name t on a command line: its name when `--target NAME` finds this very file,
 * else the file's path. */
const char *eb_target_ref(const eb_target *t);

/* The first existing target folder ("" when none). */
const char *eb_targets_dir(void);

#ifdef __cplusplus
}
#endif
#endif
