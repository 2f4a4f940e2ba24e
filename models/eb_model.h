/* eb_model.h - models as the harness, the agent and the reports see them.
 *
 * A model is built once (from a zoo variant name such as "mobilenet_v1_int8" or from a
 * .ebm file), is immutable afterwards, and is shared read-only between threads. Each
 * thread that runs it owns an eb_context: the planned activation arena plus the kernel
 * scratch. Running a context allocates nothing.
 *
 * Names: <model>_<fp32|int8>[_p<percent>|_c<percent>]; "mobilenet" is an alias of
 * "mobilenet_v1"; a name ending in ".ebm", ".tflite" or ".onnx" (or containing '/') is a
 * model file: .tflite and .onnx files are imported (models/tflite_import.c,
 * onnx_import.c), anything else is read as .ebm. "FILE.tflite@<fp32|int8>[_p<N>|_c<N>]"
 * is edgebench's own variant of a float32 .tflite (pruned and quantized as the zoo's
 * variants are).
 */
#ifndef EB_MODEL_H
#define EB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_dispatch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eb_model eb_model;
typedef struct eb_context eb_context;

/* Largest activation arena (and kernel scratch) of one context. A model beyond it, or
 * whose planned memory exceeds the machine's physical memory, is refused when it is
 * built: a small .ebm file could otherwise ask for terabytes. */
#define EB_MODEL_MAX_ARENA (UINT64_C(2) << 30)

typedef struct {
    eb_kset kernels;       /* which kernel set runs the ops (default AUTO) */
    const char *calib_dir; /* int8 calibration inputs (raw tensors), NULL: generated */
} eb_model_options;

typedef struct {
    char name[96];     /* canonical variant name, e.g. "mobilenet_v1_int8_p75" */
    char arch[48];     /* "mobilenet_v1" */
    char variant[32];  /* "int8_p75" */
    eb_dtype dtype;    /* datatype of the input and output tensors */
    uint64_t macs;     /* conv + fully-connected multiply-adds (dense count) */
    uint64_t params;   /* weights + biases of the architecture (dense count) */
    uint64_t weights_bytes;     /* bytes of weights and biases as stored (sparse: CSR) */
    uint64_t packed_bytes;      /* extra bytes of kernel-packed weights */
    uint64_t arena_bytes;       /* planned activation arena */
    uint64_t arena_lower_bound; /* largest sum of simultaneously live tensors */
    uint64_t scratch_bytes;     /* largest kernel scratch */
    int32_t num_ops, num_tensors;
    int32_t in_h, in_w, in_c;   /* input tensor shape (batch 1) */
    int32_t out_size;           /* output elements */
    size_t input_bytes, output_bytes;
    double in_scale, out_scale; /* int8: quantization of input/output (fp32: 1, 0) */
    int32_t in_zp, out_zp;
    uint64_t macs_nonzero;   /* multiply-adds by stored weights (sparse ops: nnz only) */
    uint64_t params_nonzero; /* stored weights (sparse ops: nnz) + biases */
    /* An imported model whose file declares other edges (ONNX): its input/output is
     * [1,C,H,W] in the file where the graph's tensor is NHWC (*_nchw), and/or float32
     * where the graph's is int8 (*_float, real = scale * (q - zp)). eb_model_read_input
     * reads the file's form. */
    bool in_nchw, out_nchw, in_float, out_float;
    char import_note[256]; /* what the importer folded or converted ("" none) */
} eb_model_info;

/* True when `name` names a model file rather than a zoo variant: it contains '/' or ends
 * in ".ebm", ".tflite" or ".onnx". The one test of it, for the library and the harness
 * alike. */
bool eb_model_is_file(const char *name);

/* Builds a model. On failure returns a status and writes one sentence to err (when
 * err is not NULL), e.g. "unknown model 'foo'; valid names: ...". */
eb_status eb_model_build(const char *name, const eb_model_options *opt, eb_model **out,
                         char *err, size_t errlen);
void eb_model_free(eb_model *m);
const eb_model_info *eb_model_get_info(const eb_model *m);

/* The info eb_model_build would report for `name`, without calibrating (fast, for
 * listings): every count and size is exact, only the int8 scales are placeholders. */
eb_status eb_model_describe(const char *name, const eb_model_options *opt,
                            eb_model_info *out, char *err, size_t errlen);

/* The kernel table this model runs with (names of what was chosen per op). */
const eb_kernel_set *eb_model_kernels(const eb_model *m);

/* Per-op description, for profiles. */
typedef struct {
    const char *name;   /* "conv_1", "dw_3", "fc" ... */
    const char *type;   /* "conv2d", "dwconv", "fc", "fc_sparse", "avgpool", ... */
    const char *kernel; /* kernel function name it runs */
    uint64_t macs;      /* multiply-adds it performs (sparse ops: nonzero weights only) */
    uint64_t bytes;     /* weights + activations touched (for rooflines) */
    int32_t split_units; /* the pieces a context with threads divides it into (output rows,
                          * batch rows, 64-element blocks); 1: it always runs on one thread
                          * (under 200 k MACs / 32 k elements, or nothing to divide) */
} eb_op_info;
eb_status eb_model_op_info(const eb_model *m, int32_t op, eb_op_info *out);

eb_status eb_context_create(const eb_model *m, eb_context **out);
/* A context whose every inference is split over `nthreads` threads (1..64, the caller
 * included) of a pool it creates now and owns: each op's outputs are divided between
 * them (small ops stay on one), so the outputs equal a one-thread context's bit for bit.
 * Running it still allocates nothing. */
eb_status eb_context_create_threads(const eb_model *m, int nthreads, eb_context **out);
int eb_context_threads(const eb_context *c);
void eb_context_free(eb_context *c);
void *eb_context_input(eb_context *c);        /* input_bytes, in the arena */
const void *eb_context_output(const eb_context *c); /* output_bytes */

/* One inference. No allocation, no I/O. */
void eb_context_run(eb_context *c);

/* Same, calling hook(user, op_index, 0) before and hook(user, op_index, 1) after each
 * op; the unprofiled eb_context_run() has no hook checks at all. */
typedef void (*eb_op_hook)(void *user, int32_t op, int phase);
void eb_context_run_hooked(eb_context *c, eb_op_hook hook, void *user);

/* Reads one input tensor of model m from a file into dst (input_bytes): raw bytes in the
 * model's input type (int8, or little-endian float32; NHWC, exactly input_bytes; for an
 * imported model with in_nchw/in_float: float32 in the file's layout, converted), or a
 * .npy file (versions 1-3, C order, dtype |i1 for int8 models or <f4 for float32 ones,
 * any shape with as many values). Another size or type is EB_ERR_ARG with one sentence
 * naming the expected size and dtype; a malformed .npy EB_ERR_FORMAT; unreadable
 * EB_ERR_IO. */
eb_status eb_model_read_input(const eb_model *m, const char *path, void *dst, char *err,
                              size_t errlen);

/* The output `out` (eb_context_output) in the model file's own form, output elements of
 * float32: dequantized when out_float (or the model is int8), NCHW when out_nchw. */
void eb_model_output_file_form(const eb_model *m, const void *out, float *dst);

/* Fills the input with the deterministic test input number `index` (same on every
 * machine), quantized when the model is int8. */
void eb_context_fill_input(eb_context *c, uint32_t index);

/* Fidelity of this variant against the fp32 dense model of the same architecture, run
 * with the same kernel set, on a fixed set of generated inputs (eb_context_fill_input
 * indices 0..inputs-1; the int8 output is dequantized). sqnr_db is +INFINITY when the
 * outputs are identical (the fp32 dense model against itself). */
typedef struct {
    double sqnr_db;        /* 10 log10(signal power / error power) of the outputs */
    double cosine;         /* cosine similarity of output vectors, mean over inputs */
    double top1_agreement; /* fraction of inputs with the same argmax */
    double max_abs_err;    /* max |variant - fp32| over outputs (dequantized) */
    int32_t inputs;
} eb_fidelity;
eb_status eb_model_fidelity(const eb_model *m, eb_fidelity *out);

/* The fp32 dense model's outputs on the fidelity inputs, computed once and reused for
 * every variant of one architecture (eb_model_fidelity builds one each call). */
typedef struct eb_fidelity_ref eb_fidelity_ref;
eb_status eb_fidelity_ref_create(const char *arch, const eb_model_options *opt,
                                 eb_fidelity_ref **out, char *err, size_t errlen);
/* The same from any fp32 model name (e.g. "m.tflite@fp32", the reference of the
 * variants of a float32 .tflite). */
eb_status eb_fidelity_ref_create_model(const char *name, const eb_model_options *opt,
                                       eb_fidelity_ref **out, char *err, size_t errlen);
void eb_fidelity_ref_free(eb_fidelity_ref *r);
/* EB_ERR_ARG when ref belongs to another architecture. */
eb_status eb_model_fidelity_vs(const eb_model *m, const eb_fidelity_ref *ref,
                               eb_fidelity *out);

/* Every built-in variant name, in a stable order; returns the count. */
size_t eb_zoo_names(const char *const **names);
/* Every architecture name ("mobilenet_v1", ...). */
size_t eb_zoo_archs(const char *const **archs);

/* True for a model file read as .tflite (the name ends in ".tflite"). */
bool eb_model_is_tflite(const char *name);
/* True for a name ending in ".onnx"; whether this build can import them (protobuf-c). */
bool eb_model_is_onnx(const char *name);
bool eb_model_onnx_available(void);
/* `list models --describe FILE.onnx`: how edgebench maps each node, then the model's
 * size, or the sentence that says why it cannot run it. */
eb_status eb_model_describe_onnx(const char *path, FILE *f, char *err, size_t errlen);
/* The length of a model file's base name without its .ebm/.tflite extension, and where
 * it starts (report and display names). */
size_t eb_model_file_stem(const char *name, const char **start);

/* `list models --describe FILE.tflite`: the reader's description of the file
 * (eb_tflite_describe) and then how edgebench maps each operator, or the sentence that
 * says why it cannot (also returned in err with its status). */
eb_status eb_model_describe_tflite(const char *path, FILE *f, char *err, size_t errlen);

/* Writes the model to a .ebm file (atomically). */
eb_status eb_model_export(const eb_model *m, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
