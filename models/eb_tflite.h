/* eb_tflite.h - a bounded reader of .tflite files (the part of the TFLite FlatBuffers
 * schema edgebench needs), giving plain C structs.
 *
 * The file is untrusted: every offset, vtable, vector length and string is checked
 * against the file before it is followed, counts and ranks have limits (below), and the
 * metadata the reader allocates is bounded by a multiple of the file's size. Anything
 * else is refused with a status and one sentence in `err`, e.g.
 *   "tensor 12: buffer 40 out of range (31 buffers)"
 *   "not a TFLite file: identifier 'XXXX', expected 'TFL3'"
 *
 * What is read: the schema version, operator_codes, subgraph 0 (tensors, inputs,
 * outputs, operators with the builtin options of the ops listed at eb_tflite_options),
 * and the buffers. Other subgraphs are counted, not read. Only the builtin options of
 * the ops edgebench imports or may import are decoded; other ops keep their union type
 * so an importer can name them when it refuses them.
 *
 * Ownership: one eb_tflite_model owns every array in it and is freed by
 * eb_tflite_free. Names, custom codes and constant data point into the file's bytes:
 * eb_tflite_load keeps its own copy of the file inside the model; with eb_tflite_parse
 * the caller's bytes must outlive the model. Nothing points outside the bytes given.
 * Constant data (eb_tflite_tensor.data) is little-endian and not necessarily aligned for
 * its type: copy it (memcpy) before reading it as float/int32.
 */
#ifndef EB_TFLITE_H
#define EB_TFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits: a file past one of these is refused (EB_ERR_NOMEM for sizes, else
 * EB_ERR_FORMAT), naming the limit. They are far above any edge model. */
#define EB_TFLITE_MAX_FILE_BYTES (UINT64_C(1) << 30) /* 1 GiB */
#define EB_TFLITE_MAX_RANK 8
#define EB_TFLITE_MAX_TENSORS (1 << 18)
#define EB_TFLITE_MAX_OPERATORS (1 << 18)
#define EB_TFLITE_MAX_OPCODES (1 << 12)
#define EB_TFLITE_MAX_BUFFERS ((1 << 18) + 1)
#define EB_TFLITE_MAX_OP_TENSORS (1 << 12)        /* inputs or outputs of one operator */
#define EB_TFLITE_MAX_ELEMENTS (INT64_C(1) << 31) /* elements of one tensor */

/* TensorType of the schema (values as stored in the file). */
typedef enum {
    EB_TFLITE_FLOAT32 = 0,
    EB_TFLITE_FLOAT16 = 1,
    EB_TFLITE_INT32 = 2,
    EB_TFLITE_UINT8 = 3,
    EB_TFLITE_INT64 = 4,
    EB_TFLITE_STRING = 5,
    EB_TFLITE_BOOL = 6,
    EB_TFLITE_INT16 = 7,
    EB_TFLITE_COMPLEX64 = 8,
    EB_TFLITE_INT8 = 9,
    EB_TFLITE_FLOAT64 = 10,
    EB_TFLITE_COMPLEX128 = 11,
    EB_TFLITE_UINT64 = 12,
    EB_TFLITE_RESOURCE = 13,
    EB_TFLITE_VARIANT = 14,
    EB_TFLITE_UINT32 = 15,
    EB_TFLITE_UINT16 = 16,
    EB_TFLITE_INT4 = 17,
} eb_tflite_dtype;

/* BuiltinOperator codes edgebench names in code (the rest are numbers; any code has a
 * name through eb_tflite_builtin_name). */
enum {
    EB_TFLITE_OP_ADD = 0,
    EB_TFLITE_OP_AVERAGE_POOL_2D = 1,
    EB_TFLITE_OP_CONCATENATION = 2,
    EB_TFLITE_OP_CONV_2D = 3,
    EB_TFLITE_OP_DEPTHWISE_CONV_2D = 4,
    EB_TFLITE_OP_DEQUANTIZE = 6,
    EB_TFLITE_OP_FULLY_CONNECTED = 9,
    EB_TFLITE_OP_LOGISTIC = 14,
    EB_TFLITE_OP_MAX_POOL_2D = 17,
    EB_TFLITE_OP_MUL = 18,
    EB_TFLITE_OP_RELU = 19,
    EB_TFLITE_OP_RELU6 = 21,
    EB_TFLITE_OP_RESHAPE = 22,
    EB_TFLITE_OP_SOFTMAX = 25,
    EB_TFLITE_OP_TANH = 28,
    EB_TFLITE_OP_CUSTOM = 32,
    EB_TFLITE_OP_PAD = 34,
    EB_TFLITE_OP_MEAN = 40,
    EB_TFLITE_OP_SUB = 41,
    EB_TFLITE_OP_DIV = 42,
    EB_TFLITE_OP_SQUEEZE = 43,
    EB_TFLITE_OP_STRIDED_SLICE = 45,
    EB_TFLITE_OP_PADV2 = 60,
    EB_TFLITE_OP_SUM = 74,
    EB_TFLITE_OP_REDUCE_MAX = 82,
    EB_TFLITE_OP_LEAKY_RELU = 98,
    EB_TFLITE_OP_QUANTIZE = 114,
    EB_TFLITE_OP_HARD_SWISH = 117,
};

/* BuiltinOptions union member types decoded by the reader (values as stored). */
typedef enum {
    EB_TFLITE_OPT_NONE = 0,
    EB_TFLITE_OPT_CONV2D = 1,           /* Conv2DOptions */
    EB_TFLITE_OPT_DEPTHWISE_CONV2D = 2, /* DepthwiseConv2DOptions */
    EB_TFLITE_OPT_POOL2D = 5,           /* Pool2DOptions */
    EB_TFLITE_OPT_FULLY_CONNECTED = 8,  /* FullyConnectedOptions */
    EB_TFLITE_OPT_SOFTMAX = 9,          /* SoftmaxOptions */
    EB_TFLITE_OPT_CONCATENATION = 10,   /* ConcatenationOptions */
    EB_TFLITE_OPT_ADD = 11,             /* AddOptions */
    EB_TFLITE_OPT_RESHAPE = 17,         /* ReshapeOptions */
    EB_TFLITE_OPT_MUL = 21,             /* MulOptions */
    EB_TFLITE_OPT_PAD = 22,             /* PadOptions (no fields) */
    EB_TFLITE_OPT_REDUCER = 27,         /* ReducerOptions (MEAN, SUM, REDUCE_MAX, ...) */
    EB_TFLITE_OPT_SUB = 28,             /* SubOptions */
    EB_TFLITE_OPT_DIV = 29,             /* DivOptions */
    EB_TFLITE_OPT_SQUEEZE = 30,         /* SqueezeOptions */
    EB_TFLITE_OPT_STRIDED_SLICE = 32,   /* StridedSliceOptions */
    EB_TFLITE_OPT_DEQUANTIZE = 38,      /* DequantizeOptions (no fields) */
    EB_TFLITE_OPT_PADV2 = 43,           /* PadV2Options (no fields) */
    EB_TFLITE_OPT_LEAKY_RELU = 75,      /* LeakyReluOptions */
    EB_TFLITE_OPT_QUANTIZE = 89,        /* QuantizeOptions (no fields) */
    EB_TFLITE_OPT_HARD_SWISH = 91,      /* HardSwishOptions (no fields) */
} eb_tflite_options_type;

typedef enum { EB_TFLITE_PAD_SAME = 0, EB_TFLITE_PAD_VALID = 1 } eb_tflite_padding;

/* ActivationFunctionType (fused activation). */
typedef enum {
    EB_TFLITE_ACT_NONE = 0,
    EB_TFLITE_ACT_RELU = 1,
    EB_TFLITE_ACT_RELU_N1_TO_1 = 2,
    EB_TFLITE_ACT_RELU6 = 3,
    EB_TFLITE_ACT_TANH = 4,
    EB_TFLITE_ACT_SIGN_BIT = 5,
} eb_tflite_act;

/* Builtin options, schema defaults where the file leaves a field out (or has no
 * options table at all). For the ops the reader decodes (decoded == true) `type` names
 * the valid member; for the others it is the file's union type and no member is
 * valid. */
typedef struct {
    uint8_t type; /* eb_tflite_options_type, or the raw union type */
    bool present; /* the file had an options table */
    bool decoded; /* the member of `type` below is valid (the reader decodes this op) */
    union {
        struct { /* CONV_2D (Conv2DOptions), DEPTHWISE_CONV_2D (DepthwiseConv2DOptions) */
            uint8_t padding; /* eb_tflite_padding */
            uint8_t act;     /* eb_tflite_act */
            int32_t stride_w, stride_h;
            int32_t dilation_w, dilation_h; /* default 1 */
            int32_t depth_multiplier;       /* depthwise only (0 in new files) */
            int8_t quantized_bias_type;     /* conv only: TensorType, 0 = default */
        } conv;
        struct { /* AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D (Pool2DOptions) */
            uint8_t padding, act;
            int32_t stride_w, stride_h, filter_w, filter_h;
        } pool;
        struct { /* FULLY_CONNECTED */
            uint8_t act;
            uint8_t weights_format; /* 0 DEFAULT, 1 SHUFFLED4x16INT8 */
            bool keep_num_dims;
            bool asymmetric_quantize_inputs;
            int8_t quantized_bias_type;
        } fc;
        struct { /* ADD, SUB, MUL, DIV */
            uint8_t act;
            bool pot_scale_int16; /* ADD, SUB: default true */
        } arith;
        struct {
            float beta;
        } softmax; /* SOFTMAX */
        struct {
            int32_t axis;
            uint8_t act;
        } concat; /* CONCATENATION */
        struct {  /* RESHAPE (new_shape may also be input 1) */
            bool has_new_shape;
            int32_t rank;
            int32_t new_shape[EB_TFLITE_MAX_RANK];
        } reshape;
        struct {
            int32_t n;
            int32_t dims[EB_TFLITE_MAX_RANK];
        } squeeze; /* SQUEEZE */
        struct {
            bool keep_dims;
        } reducer; /* MEAN, SUM, REDUCE_* */
        struct {   /* STRIDED_SLICE */
            int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
            bool offset;
        } strided_slice;
        struct {
            float alpha;
        } leaky_relu; /* LEAKY_RELU */
    } u;
} eb_tflite_options;

/* Quantization of a tensor: real = scale[i] * (q - zero_point[i]) along
 * quantized_dimension (n == 1: per tensor). n == 0: no quantization parameters. */
typedef struct {
    int32_t n;            /* scales; zero points are as many (or absent: all 0) */
    float *scale;         /* n entries (owned by the model) */
    int64_t *zero_point;  /* n entries, 0 when the file gives none */
    int32_t n_zero_point; /* as stored: 0 or n */
    int32_t quantized_dimension;
    bool has_min_max;     /* min/max present (informational) */
    uint8_t details_type; /* QuantizationDetails union type: 0 none, 1 custom */
} eb_tflite_quant;

typedef struct {
    const char *name;     /* NUL-terminated, in the file; "" when absent */
    eb_tflite_dtype type; /* as stored (any value 0..127 is kept; see dtype_size) */
    int32_t rank;
    int32_t shape[EB_TFLITE_MAX_RANK];
    uint32_t buffer;     /* index into eb_tflite_model.buffers (checked) */
    const uint8_t *data; /* the buffer's bytes, NULL when it has none (activations) */
    uint64_t data_size;
    bool is_variable;
    bool is_sparse; /* has SparsityParameters: data holds only the nonzeros */
    bool has_shape_signature;
    eb_tflite_quant quant;
} eb_tflite_tensor;

typedef struct {
    uint32_t opcode_index; /* into operator_codes (checked) */
    int32_t builtin;       /* the resolved builtin code of that opcode */
    int32_t n_inputs, n_outputs;
    int32_t *inputs;  /* tensor indices, -1 = optional input left out */
    int32_t *outputs; /* tensor indices (never -1) */
    eb_tflite_options options;
    bool has_custom_options;
    bool has_builtin_options_2; /* a BuiltinOptions2 table (StableHLO ops): not decoded */
} eb_tflite_operator;

typedef struct {
    int32_t builtin; /* resolved: max(deprecated_builtin_code, builtin_code), as
                      * TFLite does; old files only have the deprecated byte */
    int8_t deprecated_builtin_code;
    int32_t builtin_code;    /* as stored (0 in files older than the int32 field) */
    const char *custom_code; /* CUSTOM ops: the name, in the file; else NULL */
    int32_t version;         /* operator version (default 1) */
} eb_tflite_opcode;

typedef struct {
    const uint8_t *data; /* in the file; NULL when empty */
    uint64_t size;
    bool external; /* stored with the offset/size form (outside the flatbuffer) */
} eb_tflite_buffer;

typedef struct {
    uint32_t version;          /* schema version: 3 */
    const char *description;   /* in the file; "" when absent */
    int32_t n_subgraphs;       /* all of them; only subgraph 0 is read */
    const char *subgraph_name; /* subgraph 0, "" when absent */

    int32_t n_opcodes;
    eb_tflite_opcode *opcodes;
    int32_t n_tensors;
    eb_tflite_tensor *tensors;
    int32_t n_inputs, n_outputs;
    int32_t *inputs, *outputs; /* subgraph 0's input and output tensor indices */
    int32_t n_operators;
    eb_tflite_operator *operators; /* in execution order */
    int32_t n_buffers;
    eb_tflite_buffer *buffers;

    const uint8_t *file; /* the bytes parsed */
    size_t file_size;
    void *priv_; /* the reader's allocations */
} eb_tflite_model;

/* Parses `size` bytes of a .tflite file and checks it (eb_tflite_check). `data` must
 * outlive the model. On failure *out is NULL, the status is EB_ERR_FORMAT (malformed or
 * inconsistent), EB_ERR_UNSUPPORTED (valid but outside what the reader reads: another
 * schema version, an over-limit size) or EB_ERR_NOMEM, and err holds one sentence. */
eb_status eb_tflite_parse(const void *data, size_t size, eb_tflite_model **out, char *err,
                          size_t errlen);

/* Reads the file at `path` (at most EB_TFLITE_MAX_FILE_BYTES) and parses it; the model
 * keeps the bytes. I/O failures are EB_ERR_IO; err then names the path. */
eb_status eb_tflite_load(const char *path, eb_tflite_model **out, char *err, size_t errlen);

void eb_tflite_free(eb_tflite_model *m);

/* The consistency checks eb_tflite_parse runs after the structure is read (exposed for
 * models built or modified in memory): every tensor's dimensions are >= 0 and its
 * element count within the limit; a constant tensor's bytes equal product(shape) *
 * dtype size (int4: two per byte; not checked for string, resource, variant and sparse
 * tensors); quantization has finite scales, as many zero points as scales (or none),
 * and per-axis parameters along an existing dimension of that size; option values are
 * in their enum ranges and strides, dilations and filters are >= 1 where used. */
eb_status eb_tflite_check(const eb_tflite_model *m, char *err, size_t errlen);

/* "CONV_2D", ... for any BuiltinOperator code; "UNKNOWN" outside the schema. */
const char *eb_tflite_builtin_name(int32_t code);
/* "float32", "int8", ... ; "unknown" outside the schema. */
const char *eb_tflite_dtype_name(int32_t type);
/* Bytes of one element; 0 when not fixed (string, resource, variant, int4, unknown). */
size_t eb_tflite_dtype_size(int32_t type);
/* "NONE", "RELU", "RELU6", ... ; "UNKNOWN" outside the schema. */
const char *eb_tflite_act_name(int32_t act);
/* BuiltinOptions union member name ("Conv2DOptions"); "NONE" for 0. */
const char *eb_tflite_options_name(int32_t type);

/* Prints a readable description: summary, inputs and outputs, op census (count, dtypes,
 * fused activations), quantization kinds, every operator and every tensor. */
void eb_tflite_describe(const eb_tflite_model *m, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
