/* eb_agent.h - the board side of the protocol as a library: one agent serves one line
 * (a serial device, a pty, or stdin/stdout) and runs models through a backend.
 *
 * The shipped backend (agent_models.c) builds models with models/eb_model.h; the port
 * layer (eb_port.h) gives the clock, peak RSS and what the board is. Keeping the
 * request handler a library lets tests drive it in-process and over a pty. */
#ifndef EB_AGENT_H
#define EB_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EB_AGENT_VERSION /* set by CMake from the project version */
#define EB_AGENT_VERSION "0.1.0"
#endif

#define EB_AGENT_MAX_KERNELS 24

typedef struct {
    char name[EB_PROTO_MAX_NAME + 1]; /* canonical variant name */
    char arch[48];
    char variant[32];
    uint64_t macs, params;
    uint64_t weights_bytes, packed_bytes, arena_bytes, arena_lower_bound_bytes,
        scratch_bytes;
    int threads; /* threads each inference is split over (0 from a protocol-1 agent: 1) */
    int n_kernels;
    struct {
        char op[32];   /* "conv2d_s8" */
        char name[64]; /* "eb_conv2d_s8_neon" */
    } kernels[EB_AGENT_MAX_KERNELS];
} eb_agent_model_info;

/* How the agent runs models. open() builds a model by zoo name or file path (a path
 * contains '/') whose inferences are split over `threads` threads (1..64; the pool is
 * created here, before anything is timed); infer() runs one inference and must not
 * allocate or do I/O. digest() (may be NULL) gives the CRC-32 of the output tensor of
 * the last inference, so a host can check that a run gave the same results as another. */
typedef struct {
    void *self;
    /* Calls emit(user, name) for every built-in model name. */
    void (*list)(void *self, void (*emit)(void *user, const char *name), void *user);
    eb_status (*open)(void *self, const char *name, const char *kernels, int threads,
                      eb_agent_model_info *info, void **model, char *err, size_t errlen);
    void (*infer)(void *model);
    void (*close)(void *model);
    uint32_t (*digest)(void *model);
} eb_agent_backend;

typedef struct eb_agent eb_agent;

typedef struct {
    const eb_agent_backend *backend;
    const char *models_dir; /* where uploaded .ebm files go; NULL: "." */
    int write_timeout_ms;   /* a write that cannot finish in this time fails (0: 5000) */
    int proto;              /* the newest protocol version spoken (0: EB_PROTO_VERSION);
                             * 1 makes it behave as a protocol-1 agent (tests) */
} eb_agent_config;

eb_agent *eb_agent_new(const eb_agent_config *cfg);
void eb_agent_free(eb_agent *a);

/* Serves until end of input (or a read error): sends the ready line, then answers
 * one command line at a time. Returns EB_OK at end of input. */
eb_status eb_agent_serve(eb_agent *a, int rfd, int wfd);

/* Handles one command line as if a host had sent it (checksum added here), writing the
 * answer to wfd; nothing is read meanwhile. For running without a host (agent_run.c:
 * `edgebench-agent --run`, what a LAVA job does). */
void eb_agent_command(eb_agent *a, int wfd, const char *text);

/* The samples (nanoseconds) of the last run and their count; NULL before any run. */
const uint64_t *eb_agent_last_samples(const eb_agent *a, uint64_t *n);

/* Runs models here without a host (agent_run.c): for each, the `run` command's lines
 * for a calibration run, a `plan` line and the measured run, on wfd. */
typedef struct {
    const char *models;      /* comma-separated */
    const char *kernels;     /* "auto" */
    uint64_t warmup;         /* at least this many warm-up inferences */
    double warmup_time_s;    /* ... and at least this long */
    uint64_t min_iterations; /* per repetition */
    uint64_t max_iterations;
    double min_time_s;       /* per repetition */
    uint64_t repetitions;
    double active_w;         /* for the energy case (0: none) */
    const char *cases;       /* write `lava-test-case` commands here (NULL: none) */
    const char *target;      /* the target file's name, for the reader (NULL: none) */
    int threads;             /* each inference split over this many threads (0: 1) */
} eb_agent_run_plan;

/* EB_OK when every model ran to the end; otherwise the last problem, also on wfd. */
eb_status eb_agent_run_models(eb_agent *a, int wfd, const eb_agent_run_plan *p, char *err,
                              size_t errlen);

/* The shipped backend (models/eb_model.h); NULL when this build has no models. */
const eb_agent_backend *eb_agent_models_backend(void);

#ifdef __cplusplus
}
#endif
#endif
