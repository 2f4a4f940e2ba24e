/* eb_model_internal.h - what a built model holds (models/ and its tests only). */
#ifndef EB_MODEL_INTERNAL_H
#define EB_MODEL_INTERNAL_H

#include <stdio.h>

#include "eb_graph.h"
#include "eb_model.h"
#include "eb_dispatch.h"
#include "eb_sparse.h"
#include "eb_tflite.h"

/* One executable op: which table entry runs it (an op of eb_ops.inc), with what
 * parameters. */
typedef struct {
    eb_kop kop;
    uint64_t in0, in1, out; /* arena offsets */
    union {
#define EB_KPARAMS(type, member) type member;
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(...)
#include "eb_ops.inc"
#undef EB_KPARAMS
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#undef EB_OP
    } p;
    eb_requant rq;
    eb_csr csr;
    const void *w, *b; /* the graph's arrays */
    void *packed;      /* owned, NULL when the kernel does not pack */
    int32_t *qparams;  /* owned: [out_c] multipliers then [out_c] shifts */
    uint32_t *exp_table; /* owned: int8 softmax */
    const char *kernel;  /* kernel function name */
    const char *type;    /* "conv2d", "fc_sparse", ... */
    uint64_t macs, bytes;
} eb_xop;

struct eb_model {
    eb_graph *g; /* owned */
    eb_kset kset;
    eb_kernel_set ks;
    eb_model_info info;
    eb_xop *x; /* [g->nops] */
};

struct eb_context {
    const eb_model *m;
    void *mem;
    uint8_t *arena;
    void *scratch;         /* nthreads blocks of scratch_stride bytes */
    size_t scratch_stride;
    int nthreads;
    struct eb_pool *pool;  /* owned; NULL with one thread */
};

/* How many parts op x is split into on a context of n threads (1: not split). */
int eb_xop_parts(const eb_xop *x, int n);

/* Turns a checked graph into a runnable model (takes ownership of g, also on failure):
 * validates every op for the kernels, computes requantization, packs weights, plans
 * the arena. */
eb_status eb_model_from_graph(eb_graph *g, eb_kset kset, eb_model **out, char *err,
                              size_t errlen);

/* A second model with the same graph and another kernel set (no re-calibration). */
eb_status eb_model_with_kernels(const eb_model *m, eb_kset kset, eb_model **out, char *err,
                                size_t errlen);

/* The deterministic test input `index` as floats on the 1/128 grid in [-1, 1). */
void eb_gen_input(uint32_t index, int32_t h, int32_t w, int32_t c, float *out);

/* Parsed variant name. */
typedef struct {
    char arch[48];
    eb_dtype dtype;
    char prune;  /* 0, 'p' or 'c' */
    int32_t pct; /* 1..99 */
} eb_variant_spec;
eb_status eb_variant_parse(const char *name, eb_variant_spec *v);

/* The fp32 dense graph of an architecture from the zoo (synthetic weights). */
eb_status eb_zoo_build_graph(const char *arch, eb_graph **out);

/* Transforms (prune.c, quantize.c). Each returns a status and leaves g valid. */
eb_status eb_prune_unstructured(eb_graph *g, int32_t pct);
eb_status eb_prune_channels(eb_graph **g, int32_t pct);
/* Runs the fp32 graph with the ref kernels on the calibration inputs and records each
 * tensor's range; then replaces *g by its int8 quantization. Without calibration
 * (calibrate=false) every range is a placeholder: only the sizes are meaningful. */
eb_status eb_quantize_graph(eb_graph **g, const char *calib_dir, bool calibrate, char *err,
                            size_t errlen);

/* One input tensor from a file's bytes: exactly elems little-endian float32 values, all
 * finite (the --calib file format). name is used in the sentence written to err. */
eb_status eb_tensor_file_parse(const uint8_t *bytes, size_t len, size_t elems, float *out,
                               const char *name, char *err, size_t errlen);

/* Number of generated calibration inputs for a graph. */
int32_t eb_calib_inputs(const eb_graph *g);

/* .tflite (tflite_import.c): the graph of a model the reader has read, named after
 * `name` (a path: its base name without .tflite). `log` (may be NULL) receives one line
 * per operator saying what it became. An operator or tensor edgebench cannot run is
 * EB_ERR_UNSUPPORTED, an inconsistent file EB_ERR_FORMAT; err has one sentence naming
 * the operator (index and type) and, for an unsupported one, what is supported. */
eb_status eb_tflite_import(const eb_tflite_model *m, const char *name, FILE *log,
                           eb_graph **out, char *err, size_t errlen);
/* Loads and imports a file; err starts with the path. */
eb_status eb_tflite_import_file(const char *path, FILE *log, eb_graph **out, char *err,
                                size_t errlen);

/* Legacy asymmetric uint8 models (tflite_uint8.c): converted in place to the int8 form,
 * exactly (activations shifted by 128, weights re-centred on their zero point) or
 * refused with EB_ERR_UNSUPPORTED and one sentence. The converted constant data lives in
 * `owned` until eb_tflite_owned_free (after the import, which copies it). */
#define EB_TFLITE_MAX_OWNED 4096
typedef struct {
    void *p[EB_TFLITE_MAX_OWNED];
    int32_t n;
} eb_tflite_owned;
bool eb_tflite_has_uint8(const eb_tflite_model *m);
eb_status eb_tflite_uint8_to_int8(eb_tflite_model *m, eb_tflite_owned *owned, char *err,
                                  size_t errlen);
void eb_tflite_owned_free(eb_tflite_owned *o);

/* eb_model_read_input on an open stream (input.c; the fuzz target feeds it memory);
 * `path` names it in messages. Leaves the stream open. */
eb_status eb_read_input_stream(const eb_model_info *i, FILE *f, const char *path, void *dst,
                               char *err, size_t errlen);

/* .ebm (ebm.c). */
eb_status eb_ebm_load(const char *path, eb_graph **out, char *err, size_t errlen);
eb_status eb_ebm_save(const eb_graph *g, const char *path, char *err, size_t errlen);
eb_status eb_ebm_parse(const uint8_t *buf, size_t len, eb_graph **out, char *err,
                       size_t errlen);
/* Serializes into a malloc'ed buffer. */
eb_status eb_ebm_serialize(const eb_graph *g, uint8_t **buf, size_t *len);
uint32_t eb_ebm_crc32(const uint8_t *p, size_t n);

#endif
