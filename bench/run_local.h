/* run_local.h - the local runner: builds a model in this process, runs the scenario
 * through the measurement engine, and fills one report result (timings, memory,
 * energy, counters, fidelity, profile). A remote runner fills the same result from
 * samples a board streams back, through engine.h's eb_result_set_* functions. */
#ifndef EB_RUN_LOCAL_H
#define EB_RUN_LOCAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "eb_dispatch.h"
#include "eb_report.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fp32 reference outputs of the last architecture, kept between the models of one
 * run so that several variants of one architecture build the reference once. */
typedef struct {
    struct eb_fidelity_ref *ref;
    char arch[48];
} eb_fidelity_cache;
void eb_fidelity_cache_free(eb_fidelity_cache *c);

/* What a run in progress has so far, for a report written while it cannot finish (a
 * Ctrl-C during a kernel that does not return): filled by eb_run_local under mu, read by
 * another thread under mu. */
typedef struct {
    pthread_mutex_t mu;
    const char *phase;        /* "building", "measuring", ... (static strings) */
    const char *model;        /* the model name being run */
    bool have_model;          /* ident is filled: the model was built */
    eb_report_result ident;   /* identity, kernels and planned memory (no arrays) */
    int64_t *ns;              /* single-stream samples so far */
    size_t n, cap;
} eb_run_live;

void eb_run_live_init(eb_run_live *l);
void eb_run_live_reset(eb_run_live *l, const char *model); /* a new model begins */
void eb_run_live_free(eb_run_live *l);
/* A result from what l holds (under its lock): the identity and the samples so far,
 * complete false. false when no model was built yet. */
bool eb_run_live_result(eb_run_live *l, const eb_power_model *pm, eb_report_result *res);

typedef struct {
    eb_measure_settings measure;
    bool offline;    /* false: single-stream */
    int32_t threads; /* per inference: each context splits its ops over a pool this big */
    int32_t streams; /* offline: inferences at once, one worker and context each */
    eb_kset kernels;
    const char *calib_dir; /* int8 calibration inputs; NULL: generated */
    const char *input;     /* the input tensor file (raw or .npy), or a folder of them (each
                              inference takes the next, cycled); NULL: generated input 0 */
    const struct eb_labels_s *labels; /* --dataset: its y_labels.csv, read; NULL: none */
    const char *dataset;              /* --dataset DIR (with labels) */
    const char *save_outputs;         /* --save-outputs DIR: one .npy per input; NULL: none */
    bool save_per_model;              /* outputs in DIR/<result name>/ (several models) */
    bool counters;
    bool profile;
    const eb_power_model *power; /* for the energy estimate */
    eb_progress_fn progress;     /* may be NULL */
    void *progress_user;
    const volatile sig_atomic_t *stop; /* may be NULL */
    eb_fidelity_cache *fidelity;       /* may be NULL: no reuse */
    eb_run_live *live;                 /* may be NULL */
} eb_run_local_options;

/* Builds and measures one model. On a build failure returns its status and err holds
 * the model library's sentence (e.g. the list of valid names). warn receives
 * warnings found on the way (may be NULL). */
eb_status eb_run_local(const char *model, const eb_run_local_options *o,
                       eb_report_result *res, eb_report *warn, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
