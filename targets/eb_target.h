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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One published latency measurement of the board (the target file's "published" list):
 * what was run, how, and where the figure comes from. Validated at load. */
typedef struct {
    char model[64];     /* zoo variant it corresponds to: "mobilenet_v2_int8" */
    char runtime[64];   /* "XNNPACK end2end-bench" */
    int32_t threads;    /* threads per inference, 1..cores */
    int32_t os_bits;    /* 32 (armhf code) or 64 */
    double latency_ms;  /* the published figure, ms per inference */
    char title[160], date[32], url[256]; /* source */
    char note[512];     /* caveats ("" none) */
} eb_published;

#define EB_MAX_PUBLISHED 16

/* Power draw of the whole board, for energy estimates. */
typedef struct {
    double idle_w, active_w;
    char source[512]; /* where the figures come from */
} eb_power_model;

/* What the board is: the part every report carries (a report copies it into its own
 * target block, eb_report_target). */
typedef struct {
    char name[64];      /* "host", "rpi4" */
    char arch[32];      /* "x86_64", "aarch64", "armhf" */
    char transport[16]; /* "local", "serial", "ssh", "emulated" */
    bool emulated;
    int32_t cores;
    double clock_mhz;       /* NaN: unknown */
    int64_t memory_bytes;   /* < 0: unknown */
    double price_usd;       /* NaN: unknown */
    eb_power_model power_model;
} eb_target_desc;

typedef struct {
    eb_target_desc desc;
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
    /* for study's predictions; NaN where the file gives none (or no number) */
    double memory_bandwidth_gbs;
    double macs_per_cycle_fp32, macs_per_cycle_int8; /* macs_per_cycle_per_core, one core */
    double peak_gmacs_fp32, peak_gmacs_int8;         /* the whole chip */
    eb_published published[EB_MAX_PUBLISHED];
    int32_t n_published; /* 0: no public figure is known for this board */
    /* ssh: who to log in as where, extra ssh arguments, and how the board starts the
     * agent: `[agent_prefix] agent_path --stdio` (agent_path looked for in ~/.local/bin,
     * where `edgebench deploy` puts it, then in the board's PATH) */
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
