/* eb_target.h - the target catalog: one JSON file per board in targets/ (schema in
 * targets/README.md). A target says what the board is (for reports and studies) and how
 * to reach it (local, or a serial line to edgebench-agent or an MLPerf Tiny device). */
#ifndef EB_TARGET_H
#define EB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_TARGET_MAX_ISA 12

typedef struct {
    char name[64];
    char description[256];
    char arch[16];  /* "x86_64", "aarch64", "armhf" */
    char cpu[64];   /* "Cortex-A72" */
    char isa[EB_TARGET_MAX_ISA][16];
    int n_isa;
    int cores;
    double clock_mhz;            /* 0: unknown */
    uint64_t memory_bytes;       /* 0: unknown (host: read at run time) */
    double memory_bandwidth_gbs; /* NAN: unknown */
    double peak_gmacs_fp32;      /* NAN: unknown */
    double peak_gmacs_int8;
    double fp32_macs_per_cycle_per_core; /* NAN: unknown */
    double int8_macs_per_cycle_per_core;
    double price_usd;            /* NAN: unknown */
    double idle_w, active_w;     /* power model */
    char power_source[512];
    bool power_estimate;
    /* how to reach it */
    char transport[16];  /* "local" or "serial" */
    char port[256];      /* serial device */
    int baud;
    char protocol[24];   /* "edgebench" or "mlperf-tiny" */
    /* --emulate */
    char qemu[32];       /* "qemu-aarch64"; empty: run the agent directly */
    char qemu_cpu[32];   /* "cortex-a72" */
    char agent[256];     /* agent binary, relative to the source or build tree */
    char path[512];      /* the file this came from */
} eb_target;

/* Loads and validates one target file. On failure writes one sentence naming the file
 * and the field to err. */
eb_status eb_target_load(const char *path, eb_target *t, char *err, size_t errlen);

/* Finds a target by name (targets/<name>.json in the search directories) or by path (an
 * argument containing '/' or ending in ".json"). Unknown names: err lists valid ones. */
eb_status eb_target_find(const char *name_or_path, eb_target *t, char *err, size_t errlen);

/* The directories searched for target files, in order: $EDGEBENCH_TARGETS (colon-
 * separated), ./targets, and the source tree's targets/. Returns the count. */
size_t eb_target_dirs(char dirs[][512], size_t max);

/* Every target in the search directories (first of a name wins), sorted by name.
 * *out is malloc'ed (free it). Files that fail to load are reported through bad(), if
 * given, and skipped. */
size_t eb_target_list(eb_target **out,
                      void (*bad)(void *user, const char *path, const char *err), void *user);

bool eb_target_has_isa(const eb_target *t, const char *feature);

#ifdef __cplusplus
}
#endif
#endif
