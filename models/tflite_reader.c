/* tflite_reader.c - a bounded FlatBuffers reader for the TFLite schema subset in
 * eb_tflite.h.
 *
 * FlatBuffers in brief (all little-endian): the file starts with a u32 offset to the
 * root table and the 4-byte file identifier. A table starts with an i32 that, subtracted
 * from the table's position, gives its vtable: u16 vtable bytes, u16 table bytes, then
 * one u16 per field id (field's position inside the table, 0 = absent, default value).
 * Tables, vectors and strings are reached through u32 offsets relative to where the
 * offset is stored; a vector is a u32 count and its elements (a vector of tables holds
 * one such offset per element); a string is a vector of bytes plus a NUL. A union is two
 * fields: its u8 type (id k) and an offset to the member table (id k + 1).
 *
 * Every read goes through the checked helpers below, which fail with a sentence instead
 * of reading outside the file. Offsets are unsigned and are followed forward only, so no
 * chain of offsets can loop, and the reader walks the schema's fixed shape (at most five
 * levels deep: model, subgraph, operator, options, vector), so nesting cannot run away.
 * What the reader allocates is bounded by a budget proportional to the file's size,
 * because many offsets may point at the same vector (a small file could otherwise claim
 * gigabytes of shapes or scales). All arithmetic on positions is 64-bit, so the reader
 * is exact on 32-bit targets too. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eb_tflite.h"

#define TFL_IDENT "TFL3"
#define TFL_SCHEMA_VERSION 3u
#define TFL_MAX_SUBGRAPHS (1 << 12)
#define ARENA_CHUNK 65536u
/* What the reader may allocate for a file of n bytes: real models need a few times their
 * size (a tensor table of ~16 bytes becomes a ~120-byte struct). */
#define BUDGET(n) ((uint64_t)(n) * 16u + (1u << 20))

/* ---- allocation: one arena per model, freed at once ----------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} chunk;

typedef struct {
    chunk *head;
    uint64_t budget; /* bytes still allowed */
    uint8_t *owned_file; /* eb_tflite_load's copy of the file, or NULL */
} arena;

/* ---- reader state --------------------------------------------------------------- */

typedef struct {
    const uint8_t *b;
    uint64_t n;
    arena *ar;
    char why[200]; /* what the last failing helper found */
    eb_status why_status;
} rd;

typedef struct {
    uint64_t pos;      /* table start */
    uint64_t vt;       /* vtable start */
    uint32_t vt_size;  /* vtable bytes */
    uint32_t obj_size; /* table bytes */
} fb_tab;

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool whyf(rd *r, eb_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool whyf(rd *r, eb_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    r->why_status = st;
    return false;
}

static void *ar_alloc(rd *r, uint64_t bytes)
{
    arena *a = r->ar;
    bytes = (bytes + 15u) & ~(uint64_t)15u;
    if (bytes == 0)
        bytes = 16;
    if (bytes > a->budget) {
        whyf(r, EB_ERR_NOMEM,
             "its metadata would take more than %llu bytes for a %llu-byte file (vectors "
             "shared or repeated beyond any real model)",
             (unsigned long long)BUDGET(r->n), (unsigned long long)r->n);
        return NULL;
    }
    a->budget -= bytes;
    chunk *c = a->head;
    if (!c || c->cap - c->used < bytes) {
        uint64_t cap = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;
        if (cap > SIZE_MAX - sizeof(chunk)) {
            whyf(r, EB_ERR_NOMEM, "an allocation of %llu bytes does not fit in memory",
                 (unsigned long long)cap);
            return NULL;
        }
        c = malloc(sizeof(chunk) + (size_t)cap);
        if (!c) {
            whyf(r, EB_ERR_NOMEM, "out of memory (%llu bytes)", (unsigned long long)cap);
            return NULL;
        }
        c->used = 0;
        c->cap = (size_t)cap;
        /* A big one-off chunk goes behind the current one so its free space stays used. */
        if (a->head && bytes > ARENA_CHUNK) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += (size_t)bytes;
    memset(p, 0, (size_t)bytes);
    return p;
}

static void ar_free(arena *a)
{
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a->owned_file);
    free(a);
}

/* ---- little-endian loads (no alignment assumed) --------------------------------- */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static uint64_t le64(const uint8_t *p) { return le32(p) | ((uint64_t)le32(p + 4) << 32); }
static float lef32(const uint8_t *p)
{
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- checked FlatBuffers primitives --------------------------------------------- */

static bool in_file(const rd *r, uint64_t pos, uint64_t len)
{
    return pos <= r->n && len <= r->n - pos;
}

static bool fb_table(rd *r, uint64_t pos, fb_tab *t)
{
    if (!in_file(r, pos, 4))
        return whyf(r, EB_ERR_FORMAT, "table at byte %llu lies outside the file (%llu bytes)",
                    (unsigned long long)pos, (unsigned long long)r->n);
    int32_t so = (int32_t)le32(r->b + pos);
    int64_t vt = (int64_t)pos - (int64_t)so;
    if (vt < 0 || !in_file(r, (uint64_t)vt, 4))
        return whyf(r, EB_ERR_FORMAT,
                    "table at byte %llu has its vtable at byte %lld, outside the file (%llu "
                    "bytes)",
                    (unsigned long long)pos, (long long)vt, (unsigned long long)r->n);
    t->pos = pos;
    t->vt = (uint64_t)vt;
    t->vt_size = le16(r->b + vt);
    t->obj_size = le16(r->b + vt + 2);
    if (t->vt_size < 4 || (t->vt_size & 1u) || !in_file(r, t->vt, t->vt_size))
        return whyf(r, EB_ERR_FORMAT,
                    "table at byte %llu has a bad vtable (%u bytes at byte %llu)",
                    (unsigned long long)pos, t->vt_size, (unsigned long long)t->vt);
    if (t->obj_size < 4 || !in_file(r, pos, t->obj_size))
        return whyf(r, EB_ERR_FORMAT,
                    "table at byte %llu claims %u bytes, past the end of the file (%llu bytes)",
                    (unsigned long long)pos, t->obj_size, (unsigned long long)r->n);
    return true;
}

/* Position of field `id` of `size` bytes, 0 when absent (no table field is at 0). */
static bool fb_field(rd *r, const fb_tab *t, int id, uint32_t size, uint64_t *fpos)
{
    *fpos = 0;
    uint32_t entry = 4u + 2u * (uint32_t)id;
    if (entry + 2u > t->vt_size)
        return true;
    uint32_t off = le16(r->b + t->vt + entry);
    if (off == 0)
        return true;
    if (off < 4 || off + size > t->obj_size)
        return whyf(r, EB_ERR_FORMAT,
                    "table at byte %llu has field %d at offset %u, outside its %u bytes",
                    (unsigned long long)t->pos, id, off, t->obj_size);
    *fpos = t->pos + off;
    return true;
}

static bool fb_u8(rd *r, const fb_tab *t, int id, uint8_t def, uint8_t *v)
{
    uint64_t p;
    if (!fb_field(r, t, id, 1, &p))
        return false;
    *v = p ? r->b[p] : def;
    return true;
}

static bool fb_i8(rd *r, const fb_tab *t, int id, int8_t def, int8_t *v)
{
    uint8_t u;
    if (!fb_u8(r, t, id, (uint8_t)def, &u))
        return false;
    *v = (int8_t)u;
    return true;
}

static bool fb_bool(rd *r, const fb_tab *t, int id, bool def, bool *v)
{
    uint8_t u;
    if (!fb_u8(r, t, id, def ? 1 : 0, &u))
        return false;
    *v = u != 0;
    return true;
}

static bool fb_u32(rd *r, const fb_tab *t, int id, uint32_t def, uint32_t *v)
{
    uint64_t p;
    if (!fb_field(r, t, id, 4, &p))
        return false;
    *v = p ? le32(r->b + p) : def;
    return true;
}

static bool fb_i32(rd *r, const fb_tab *t, int id, int32_t def, int32_t *v)
{
    uint32_t u;
    if (!fb_u32(r, t, id, (uint32_t)def, &u))
        return false;
    *v = (int32_t)u;
    return true;
}

static bool fb_u64(rd *r, const fb_tab *t, int id, uint64_t def, uint64_t *v)
{
    uint64_t p;
    if (!fb_field(r, t, id, 8, &p))
        return false;
    *v = p ? le64(r->b + p) : def;
    return true;
}

static bool fb_f32(rd *r, const fb_tab *t, int id, float def, float *v)
{
    uint64_t p;
    if (!fb_field(r, t, id, 4, &p))
        return false;
    *v = p ? lef32(r->b + p) : def;
    return true;
}

/* Follows the u32 offset stored at `at`: the target must lie after it, inside the file,
 * with room for at least 4 bytes (a table's vtable offset or a vector's count). */
static bool fb_follow(rd *r, uint64_t at, uint64_t *target)
{
    if (!in_file(r, at, 4))
        return whyf(r, EB_ERR_FORMAT, "offset at byte %llu lies outside the file (%llu bytes)",
                    (unsigned long long)at, (unsigned long long)r->n);
    uint32_t o = le32(r->b + at);
    if (o == 0 || o > INT32_MAX)
        return whyf(r, EB_ERR_FORMAT, "offset at byte %llu is %u (%s)", (unsigned long long)at,
                    o, o == 0 ? "points at itself" : "negative as a FlatBuffers offset");
    uint64_t t = at + o;
    if (!in_file(r, t, 4))
        return whyf(r, EB_ERR_FORMAT,
                    "offset at byte %llu points to byte %llu, past the end of the file (%llu "
                    "bytes)",
                    (unsigned long long)at, (unsigned long long)t, (unsigned long long)r->n);
    *target = t;
    return true;
}

/* Target of offset field `id` (a table, vector or string), 0 when absent. */
static bool fb_ref(rd *r, const fb_tab *t, int id, uint64_t *target)
{
    uint64_t p;
    *target = 0;
    if (!fb_field(r, t, id, 4, &p))
        return false;
    return p ? fb_follow(r, p, target) : true;
}

static bool fb_subtable(rd *r, const fb_tab *t, int id, fb_tab *sub, bool *present)
{
    uint64_t target = 0;
    *present = false;
    if (!fb_ref(r, t, id, &target))
        return false;
    if (!target)
        return true;
    *present = true;
    return fb_table(r, target, sub);
}

typedef struct {
    uint32_t len;
    uint64_t start; /* first element */
} fb_vec;

/* A vector at `target` of `len` elements of `elem` bytes, at most `max` elements. */
static bool fb_vector_at(rd *r, uint64_t target, uint32_t elem, uint32_t max, const char *what,
                         fb_vec *v)
{
    v->len = le32(r->b + target); /* fb_follow checked 4 bytes */
    v->start = target + 4;
    if ((uint64_t)v->len * elem > r->n - v->start)
        return whyf(r, EB_ERR_FORMAT,
                    "vector at byte %llu: %u %s of %u bytes do not fit in the file (%llu "
                    "bytes)",
                    (unsigned long long)target, v->len, what, elem, (unsigned long long)r->n);
    if (v->len > max)
        return whyf(r, EB_ERR_UNSUPPORTED, "%u %s exceed the limit of %u", v->len, what, max);
    return true;
}

/* Vector field `id`; absent: len 0. */
static bool fb_vector(rd *r, const fb_tab *t, int id, uint32_t elem, uint32_t max,
                      const char *what, fb_vec *v, bool *present)
{
    uint64_t target = 0;
    v->len = 0;
    v->start = 0;
    if (present)
        *present = false;
    if (!fb_ref(r, t, id, &target))
        return false;
    if (!target)
        return true;
    if (present)
        *present = true;
    return fb_vector_at(r, target, elem, max, what, v);
}

/* Element i of a vector of tables. */
static bool fb_vec_table(rd *r, const fb_vec *v, uint32_t i, fb_tab *t)
{
    uint64_t target = 0;
    return fb_follow(r, v->start + 4u * (uint64_t)i, &target) && fb_table(r, target, t);
}

/* String field `id`: NUL-terminated inside the file; absent: `def`. */
static bool fb_string(rd *r, const fb_tab *t, int id, const char *def, const char **s)
{
    fb_vec v;
    *s = def;
    if (!fb_vector(r, t, id, 1, UINT32_MAX, "bytes", &v, NULL))
        return false;
    if (!v.start)
        return true;
    if (v.len >= r->n - v.start || r->b[v.start + v.len] != 0)
        return whyf(r, EB_ERR_FORMAT, "string at byte %llu (%u bytes) is not NUL-terminated",
                    (unsigned long long)(v.start - 4), v.len);
    *s = (const char *)r->b + v.start;
    return true;
}

/* Vector field `id` of int32 copied into dst (at most max). */
static bool fb_ints(rd *r, const fb_tab *t, int id, uint32_t max, const char *what,
                    int32_t *dst, int32_t *n, bool *present)
{
    fb_vec v;
    if (!fb_vector(r, t, id, 4, max, what, &v, present))
        return false;
    for (uint32_t i = 0; i < v.len; i++)
        dst[i] = (int32_t)le32(r->b + v.start + 4u * (uint64_t)i);
    *n = (int32_t)v.len;
    return true;
}

/* Vector field `id` of int32 into a new array. */
static bool fb_ints_alloc(rd *r, const fb_tab *t, int id, uint32_t max, const char *what,
                          int32_t **dst, int32_t *n)
{
    fb_vec v;
    *dst = NULL;
    *n = 0;
    if (!fb_vector(r, t, id, 4, max, what, &v, NULL))
        return false;
    if (v.len) {
        *dst = ar_alloc(r, 4u * (uint64_t)v.len);
        if (!*dst)
            return false;
    }
    for (uint32_t i = 0; i < v.len; i++)
        (*dst)[i] = (int32_t)le32(r->b + v.start + 4u * (uint64_t)i);
    *n = (int32_t)v.len;
    return true;
}

/* ---- names --------------------------------------------------------------------- */

static const char *const builtin_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",
    "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION",
    "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", /* 19 */
    "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX",
    "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", /* 29 */
    "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
    "TRANSPOSE", /* 39 */
    "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE",
    "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", /* 49 */
    "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG", /* 59 */
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
    "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", /* 69 */
    "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW",
    "ARG_MIN", /* 79 */
    "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT",
    "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", /* 89 */
    "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
    "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", /* 99 */
    "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND",
    "COS", "WHERE", /* 109 */
    "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG",
    "ROUND", "HARD_SWISH", "IF", "WHILE", /* 119 */
    "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
    "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM",
    "CALL_ONCE", /* 129 */
    "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE",
    "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", /* 139 */
    "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE",
    "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM",
    "MULTINOMIAL", /* 149 */
    "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN",
    "BITCAST", /* 159 */
    "BITWISE_XOR", "RIGHT_SHIFT", "STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE",
    "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM", "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP",
    "STABLEHLO_CONCATENATE", /* 169 */
    "STABLEHLO_BROADCAST_IN_DIM", "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE",
    "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS", "STABLEHLO_AND",
    "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", /* 179 */
    "STABLEHLO_LOG", "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR",
    "STABLEHLO_POWER", "STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT",
    "STABLEHLO_SUBTRACT", "STABLEHLO_TANH", /* 189 */
    "STABLEHLO_SCATTER", "STABLEHLO_COMPARE", "STABLEHLO_CONVERT", "STABLEHLO_DYNAMIC_SLICE",
    "STABLEHLO_DYNAMIC_UPDATE_SLICE", "STABLEHLO_PAD", "STABLEHLO_IOTA",
    "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW", "STABLEHLO_SORT", /* 199 */
    "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE",
    "STABLEHLO_RNG_BIT_GENERATOR", "REDUCE_WINDOW", /* 205 */
};
_Static_assert(sizeof builtin_names / sizeof builtin_names[0] == 206,
               "BuiltinOperator names 0..205");

const char *eb_tflite_builtin_name(int32_t code)
{
    if (code >= 0 && code < (int32_t)(sizeof builtin_names / sizeof builtin_names[0]))
        return builtin_names[code];
    return "UNKNOWN";
}

static const char *const dtype_names[] = {
    "float32", "float16", "int32",  "uint8",    "int64",   "string", "bool",   "int16", "complex64",
    "int8",    "float64", "complex128", "uint64", "resource", "variant", "uint32", "uint16", "int4",
};
static const uint8_t dtype_sizes[] = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2, 0};
#define N_DTYPES ((int32_t)(sizeof dtype_names / sizeof dtype_names[0]))
_Static_assert(sizeof dtype_names / sizeof dtype_names[0] == sizeof dtype_sizes,
               "one size per dtype");

const char *eb_tflite_dtype_name(int32_t type)
{
    return type >= 0 && type < N_DTYPES ? dtype_names[type] : "unknown";
}

size_t eb_tflite_dtype_size(int32_t type)
{
    return type >= 0 && type < N_DTYPES ? dtype_sizes[type] : 0;
}

const char *eb_tflite_act_name(int32_t act)
{
    static const char *const names[] = {"NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH",
                                        "SIGN_BIT"};
    return act >= 0 && act < 6 ? names[act] : "UNKNOWN";
}

const char *eb_tflite_options_name(int32_t type)
{
    switch (type) {
    case EB_TFLITE_OPT_NONE: return "NONE";
    case EB_TFLITE_OPT_CONV2D: return "Conv2DOptions";
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D: return "DepthwiseConv2DOptions";
    case EB_TFLITE_OPT_POOL2D: return "Pool2DOptions";
    case EB_TFLITE_OPT_FULLY_CONNECTED: return "FullyConnectedOptions";
    case EB_TFLITE_OPT_SOFTMAX: return "SoftmaxOptions";
    case EB_TFLITE_OPT_CONCATENATION: return "ConcatenationOptions";
    case EB_TFLITE_OPT_ADD: return "AddOptions";
    case EB_TFLITE_OPT_RESHAPE: return "ReshapeOptions";
    case EB_TFLITE_OPT_MUL: return "MulOptions";
    case EB_TFLITE_OPT_PAD: return "PadOptions";
    case EB_TFLITE_OPT_REDUCER: return "ReducerOptions";
    case EB_TFLITE_OPT_SUB: return "SubOptions";
    case EB_TFLITE_OPT_DIV: return "DivOptions";
    case EB_TFLITE_OPT_SQUEEZE: return "SqueezeOptions";
    case EB_TFLITE_OPT_STRIDED_SLICE: return "StridedSliceOptions";
    case EB_TFLITE_OPT_DEQUANTIZE: return "DequantizeOptions";
    case EB_TFLITE_OPT_PADV2: return "PadV2Options";
    case EB_TFLITE_OPT_LEAKY_RELU: return "LeakyReluOptions";
    case EB_TFLITE_OPT_QUANTIZE: return "QuantizeOptions";
    case EB_TFLITE_OPT_HARD_SWISH: return "HardSwishOptions";
    default: return "another options table";
    }
}

/* The options table each decoded builtin carries; NONE: the reader does not decode it. */
static uint8_t expected_options(int32_t builtin)
{
    switch (builtin) {
    case EB_TFLITE_OP_CONV_2D: return EB_TFLITE_OPT_CONV2D;
    case EB_TFLITE_OP_DEPTHWISE_CONV_2D: return EB_TFLITE_OPT_DEPTHWISE_CONV2D;
    case EB_TFLITE_OP_AVERAGE_POOL_2D:
    case EB_TFLITE_OP_MAX_POOL_2D:
    case 12: /* L2_POOL_2D */
        return EB_TFLITE_OPT_POOL2D;
    case EB_TFLITE_OP_FULLY_CONNECTED: return EB_TFLITE_OPT_FULLY_CONNECTED;
    case EB_TFLITE_OP_SOFTMAX: return EB_TFLITE_OPT_SOFTMAX;
    case EB_TFLITE_OP_CONCATENATION: return EB_TFLITE_OPT_CONCATENATION;
    case EB_TFLITE_OP_ADD: return EB_TFLITE_OPT_ADD;
    case EB_TFLITE_OP_RESHAPE: return EB_TFLITE_OPT_RESHAPE;
    case EB_TFLITE_OP_MUL: return EB_TFLITE_OPT_MUL;
    case EB_TFLITE_OP_PAD: return EB_TFLITE_OPT_PAD;
    case EB_TFLITE_OP_MEAN:
    case EB_TFLITE_OP_SUM:
    case 81: /* REDUCE_PROD */
    case EB_TFLITE_OP_REDUCE_MAX:
    case 89:  /* REDUCE_MIN */
    case 91:  /* REDUCE_ANY */
    case 140: /* REDUCE_ALL */
        return EB_TFLITE_OPT_REDUCER;
    case EB_TFLITE_OP_SUB: return EB_TFLITE_OPT_SUB;
    case EB_TFLITE_OP_DIV: return EB_TFLITE_OPT_DIV;
    case EB_TFLITE_OP_SQUEEZE: return EB_TFLITE_OPT_SQUEEZE;
    case EB_TFLITE_OP_STRIDED_SLICE: return EB_TFLITE_OPT_STRIDED_SLICE;
    case EB_TFLITE_OP_DEQUANTIZE: return EB_TFLITE_OPT_DEQUANTIZE;
    case EB_TFLITE_OP_PADV2: return EB_TFLITE_OPT_PADV2;
    case EB_TFLITE_OP_LEAKY_RELU: return EB_TFLITE_OPT_LEAKY_RELU;
    case EB_TFLITE_OP_QUANTIZE: return EB_TFLITE_OPT_QUANTIZE;
    case EB_TFLITE_OP_HARD_SWISH: return EB_TFLITE_OPT_HARD_SWISH;
    default: return EB_TFLITE_OPT_NONE;
    }
}

/* ---- schema: field ids ----------------------------------------------------------- */

enum { MODEL_VERSION, MODEL_OPCODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS };
enum { OPCODE_DEPRECATED, OPCODE_CUSTOM, OPCODE_VERSION, OPCODE_BUILTIN };
enum { SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPERATORS, SG_NAME };
enum {
    T_SHAPE, T_TYPE, T_BUFFER, T_NAME, T_QUANT, T_IS_VARIABLE, T_SPARSITY, T_SHAPE_SIGNATURE
};
enum { Q_MIN, Q_MAX, Q_SCALE, Q_ZERO_POINT, Q_DETAILS_TYPE, Q_DETAILS, Q_QDIM };
enum {
    OP_OPCODE, OP_INPUTS, OP_OUTPUTS, OP_OPTIONS_TYPE, OP_OPTIONS, OP_CUSTOM_OPTIONS,
    OP_OPTIONS2_TYPE = 11, OP_OPTIONS2 = 12
};
enum { BUF_DATA, BUF_OFFSET, BUF_SIZE };

/* ---- the model ------------------------------------------------------------------ */

typedef struct {
    rd r;
    eb_tflite_model *m;
    char *err;
    size_t errlen;
} parser;

/* Turns the helper's finding into the one sentence, prefixed with where it happened. */
static eb_status failed(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static eb_status failed(parser *p, const char *fmt, ...)
{
    char where[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof where, fmt, ap);
    va_end(ap);
    errf(p->err, p->errlen, "%s: %s", where, p->r.why);
    return p->r.why_status ? p->r.why_status : EB_ERR_FORMAT;
}

static eb_status parse_options(parser *p, int32_t opi, const fb_tab *op, eb_tflite_operator *o)
{
    rd *r = &p->r;
    eb_tflite_options *x = &o->options;
    uint8_t type;
    fb_tab t;
    bool present;
    if (!fb_u8(r, op, OP_OPTIONS_TYPE, 0, &type) ||
        !fb_subtable(r, op, OP_OPTIONS, &t, &present))
        return failed(p, "operator %d builtin_options", opi);
    x->present = present;
    x->type = type;
    uint8_t want = expected_options(o->builtin);
    if (want == EB_TFLITE_OPT_NONE)
        return EB_OK; /* not decoded: the raw type stays for the importer's message */
    if (type != EB_TFLITE_OPT_NONE && type != want) {
        errf(p->err, p->errlen,
             "operator %d (%s): builtin_options are %s (union type %u), expected %s (%u)", opi,
             eb_tflite_builtin_name(o->builtin), eb_tflite_options_name(type), type,
             eb_tflite_options_name(want), want);
        return EB_ERR_FORMAT;
    }
    if (type == EB_TFLITE_OPT_NONE && present) {
        errf(p->err, p->errlen, "operator %d (%s): builtin_options table without a union type",
             opi, eb_tflite_builtin_name(o->builtin));
        return EB_ERR_FORMAT;
    }
    x->type = want;
    /* Without a table every field takes its schema default: an empty vtable says so
     * without reading the file. */
    fb_tab none = {.vt_size = 4, .obj_size = 4};
    const fb_tab *s = present ? &t : &none;
    bool ok = true;
    switch (want) {
    case EB_TFLITE_OPT_CONV2D:
        ok = fb_u8(r, s, 0, 0, &x->u.conv.padding) && fb_i32(r, s, 1, 0, &x->u.conv.stride_w) &&
             fb_i32(r, s, 2, 0, &x->u.conv.stride_h) && fb_u8(r, s, 3, 0, &x->u.conv.act) &&
             fb_i32(r, s, 4, 1, &x->u.conv.dilation_w) &&
             fb_i32(r, s, 5, 1, &x->u.conv.dilation_h) &&
             fb_i8(r, s, 6, 0, &x->u.conv.quantized_bias_type);
        break;
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D:
        ok = fb_u8(r, s, 0, 0, &x->u.conv.padding) && fb_i32(r, s, 1, 0, &x->u.conv.stride_w) &&
             fb_i32(r, s, 2, 0, &x->u.conv.stride_h) &&
             fb_i32(r, s, 3, 0, &x->u.conv.depth_multiplier) &&
             fb_u8(r, s, 4, 0, &x->u.conv.act) && fb_i32(r, s, 5, 1, &x->u.conv.dilation_w) &&
             fb_i32(r, s, 6, 1, &x->u.conv.dilation_h);
        break;
    case EB_TFLITE_OPT_POOL2D:
        ok = fb_u8(r, s, 0, 0, &x->u.pool.padding) && fb_i32(r, s, 1, 0, &x->u.pool.stride_w) &&
             fb_i32(r, s, 2, 0, &x->u.pool.stride_h) &&
             fb_i32(r, s, 3, 0, &x->u.pool.filter_w) &&
             fb_i32(r, s, 4, 0, &x->u.pool.filter_h) && fb_u8(r, s, 5, 0, &x->u.pool.act);
        break;
    case EB_TFLITE_OPT_FULLY_CONNECTED:
        ok = fb_u8(r, s, 0, 0, &x->u.fc.act) && fb_u8(r, s, 1, 0, &x->u.fc.weights_format) &&
             fb_bool(r, s, 2, false, &x->u.fc.keep_num_dims) &&
             fb_bool(r, s, 3, false, &x->u.fc.asymmetric_quantize_inputs) &&
             fb_i8(r, s, 4, 0, &x->u.fc.quantized_bias_type);
        break;
    case EB_TFLITE_OPT_SOFTMAX:
        ok = fb_f32(r, s, 0, 0.0f, &x->u.softmax.beta);
        break;
    case EB_TFLITE_OPT_CONCATENATION:
        ok = fb_i32(r, s, 0, 0, &x->u.concat.axis) && fb_u8(r, s, 1, 0, &x->u.concat.act);
        break;
    case EB_TFLITE_OPT_ADD:
    case EB_TFLITE_OPT_SUB:
        ok = fb_u8(r, s, 0, 0, &x->u.arith.act) &&
             fb_bool(r, s, 1, true, &x->u.arith.pot_scale_int16);
        break;
    case EB_TFLITE_OPT_MUL:
    case EB_TFLITE_OPT_DIV:
        ok = fb_u8(r, s, 0, 0, &x->u.arith.act);
        break;
    case EB_TFLITE_OPT_RESHAPE:
        ok = fb_ints(r, s, 0, EB_TFLITE_MAX_RANK, "new_shape dimensions", x->u.reshape.new_shape,
                     &x->u.reshape.rank, &x->u.reshape.has_new_shape);
        break;
    case EB_TFLITE_OPT_SQUEEZE:
        ok = fb_ints(r, s, 0, EB_TFLITE_MAX_RANK, "squeeze_dims", x->u.squeeze.dims,
                     &x->u.squeeze.n, NULL);
        break;
    case EB_TFLITE_OPT_REDUCER:
        ok = fb_bool(r, s, 0, false, &x->u.reducer.keep_dims);
        break;
    case EB_TFLITE_OPT_STRIDED_SLICE:
        ok = fb_i32(r, s, 0, 0, &x->u.strided_slice.begin_mask) &&
             fb_i32(r, s, 1, 0, &x->u.strided_slice.end_mask) &&
             fb_i32(r, s, 2, 0, &x->u.strided_slice.ellipsis_mask) &&
             fb_i32(r, s, 3, 0, &x->u.strided_slice.new_axis_mask) &&
             fb_i32(r, s, 4, 0, &x->u.strided_slice.shrink_axis_mask) &&
             fb_bool(r, s, 5, false, &x->u.strided_slice.offset);
        break;
    case EB_TFLITE_OPT_LEAKY_RELU:
        ok = fb_f32(r, s, 0, 0.0f, &x->u.leaky_relu.alpha);
        break;
    default: /* PAD, PADV2, QUANTIZE, DEQUANTIZE, HARD_SWISH: no fields */
        break;
    }
    if (!ok)
        return failed(p, "operator %d (%s) options", opi, eb_tflite_builtin_name(o->builtin));
    x->decoded = true;
    return EB_OK;
}

static eb_status parse_quant(parser *p, int32_t ti, const fb_tab *q, eb_tflite_quant *out)
{
    rd *r = &p->r;
    fb_vec sc, zp, mn;
    bool has_min;
    if (!fb_vector(r, q, Q_SCALE, 4, UINT32_MAX, "scales", &sc, NULL) ||
        !fb_vector(r, q, Q_ZERO_POINT, 8, UINT32_MAX, "zero points", &zp, NULL) ||
        !fb_vector(r, q, Q_MIN, 4, UINT32_MAX, "minimums", &mn, &has_min) ||
        !fb_u8(r, q, Q_DETAILS_TYPE, 0, &out->details_type) ||
        !fb_i32(r, q, Q_QDIM, 0, &out->quantized_dimension))
        return failed(p, "tensor %d quantization", ti);
    if (sc.len > INT32_MAX / 2 || zp.len > INT32_MAX / 2) {
        errf(p->err, p->errlen, "tensor %d: %u quantization scales exceed the limit", ti, sc.len);
        return EB_ERR_UNSUPPORTED;
    }
    out->has_min_max = has_min;
    out->n = (int32_t)sc.len;
    out->n_zero_point = (int32_t)zp.len;
    if (zp.len && zp.len != sc.len) {
        errf(p->err, p->errlen, "tensor %d: %u quantization zero points for %u scales", ti,
             zp.len, sc.len);
        return EB_ERR_FORMAT;
    }
    if (!sc.len)
        return EB_OK;
    out->scale = ar_alloc(r, 4u * (uint64_t)sc.len);
    out->zero_point = out->scale ? ar_alloc(r, 8u * (uint64_t)sc.len) : NULL;
    if (!out->zero_point)
        return failed(p, "tensor %d quantization", ti);
    for (uint32_t i = 0; i < sc.len; i++)
        out->scale[i] = lef32(r->b + sc.start + 4u * (uint64_t)i);
    for (uint32_t i = 0; i < zp.len; i++)
        out->zero_point[i] = (int64_t)le64(r->b + zp.start + 8u * (uint64_t)i);
    return EB_OK;
}

static eb_status parse_tensor(parser *p, int32_t ti, const fb_tab *t, eb_tflite_tensor *x)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    int8_t type;
    fb_tab q;
    bool has_q;
    uint64_t sparsity, sig;
    if (!fb_ints(r, t, T_SHAPE, EB_TFLITE_MAX_RANK, "dimensions", x->shape, &x->rank, NULL) ||
        !fb_i8(r, t, T_TYPE, 0, &type) || !fb_u32(r, t, T_BUFFER, 0, &x->buffer) ||
        !fb_string(r, t, T_NAME, "", &x->name) ||
        !fb_bool(r, t, T_IS_VARIABLE, false, &x->is_variable) ||
        !fb_ref(r, t, T_SPARSITY, &sparsity) || !fb_ref(r, t, T_SHAPE_SIGNATURE, &sig) ||
        !fb_subtable(r, t, T_QUANT, &q, &has_q))
        return failed(p, "tensor %d", ti);
    x->is_sparse = sparsity != 0;
    x->has_shape_signature = sig != 0;
    if (type < 0 || type >= N_DTYPES) {
        errf(p->err, p->errlen, "tensor %d: unknown type %d (TensorType is 0..%d)", ti, type,
             N_DTYPES - 1);
        return EB_ERR_FORMAT;
    }
    x->type = (eb_tflite_dtype)type;
    if (x->buffer >= (uint32_t)m->n_buffers) {
        errf(p->err, p->errlen, "tensor %d: buffer %u out of range (%d buffers)", ti, x->buffer,
             m->n_buffers);
        return EB_ERR_FORMAT;
    }
    x->data = m->buffers[x->buffer].data;
    x->data_size = m->buffers[x->buffer].size;
    return has_q ? parse_quant(p, ti, &q, &x->quant) : EB_OK;
}

static eb_status check_tensor_list(parser *p, const char *what, int32_t n, const int32_t *idx,
                                   bool allow_absent)
{
    for (int32_t i = 0; i < n; i++) {
        if ((idx[i] == -1 && allow_absent) || (idx[i] >= 0 && idx[i] < p->m->n_tensors))
            continue;
        errf(p->err, p->errlen, "%s %d: tensor %d out of range (%d tensors)", what, i, idx[i],
             p->m->n_tensors);
        return EB_ERR_FORMAT;
    }
    return EB_OK;
}

static eb_status parse_operator(parser *p, int32_t oi, const fb_tab *t, eb_tflite_operator *o)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    uint64_t custom, opt2;
    uint8_t opt2_type;
    if (!fb_u32(r, t, OP_OPCODE, 0, &o->opcode_index) ||
        !fb_ints_alloc(r, t, OP_INPUTS, EB_TFLITE_MAX_OP_TENSORS, "inputs", &o->inputs,
                       &o->n_inputs) ||
        !fb_ints_alloc(r, t, OP_OUTPUTS, EB_TFLITE_MAX_OP_TENSORS, "outputs", &o->outputs,
                       &o->n_outputs) ||
        !fb_ref(r, t, OP_CUSTOM_OPTIONS, &custom) ||
        !fb_u8(r, t, OP_OPTIONS2_TYPE, 0, &opt2_type) ||
        !fb_ref(r, t, OP_OPTIONS2, &opt2))
        return failed(p, "operator %d", oi);
    if (o->opcode_index >= (uint32_t)m->n_opcodes) {
        errf(p->err, p->errlen, "operator %d: opcode_index %u out of range (%d operator codes)",
             oi, o->opcode_index, m->n_opcodes);
        return EB_ERR_FORMAT;
    }
    o->builtin = m->opcodes[o->opcode_index].builtin;
    o->has_custom_options = custom != 0;
    o->has_builtin_options_2 = opt2 != 0 || opt2_type != 0;
    char what[64];
    snprintf(what, sizeof what, "operator %d (%s) input", oi, eb_tflite_builtin_name(o->builtin));
    eb_status st = check_tensor_list(p, what, o->n_inputs, o->inputs, true);
    if (st)
        return st;
    snprintf(what, sizeof what, "operator %d (%s) output", oi, eb_tflite_builtin_name(o->builtin));
    st = check_tensor_list(p, what, o->n_outputs, o->outputs, false);
    return st ? st : parse_options(p, oi, t, o);
}

static eb_status parse_buffers(parser *p, const fb_tab *root)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    fb_vec v;
    if (!fb_vector(r, root, MODEL_BUFFERS, 4, EB_TFLITE_MAX_BUFFERS, "buffers", &v, NULL))
        return failed(p, "model buffers");
    m->n_buffers = (int32_t)v.len;
    if (!v.len)
        return EB_OK;
    if (!(m->buffers = ar_alloc(r, sizeof *m->buffers * (uint64_t)v.len)))
        return failed(p, "model buffers");
    for (uint32_t i = 0; i < v.len; i++) {
        fb_tab t;
        fb_vec data;
        uint64_t off, size;
        eb_tflite_buffer *b = &m->buffers[i];
        if (!fb_vec_table(r, &v, i, &t) ||
            !fb_vector(r, &t, BUF_DATA, 1, UINT32_MAX, "bytes", &data, NULL) ||
            !fb_u64(r, &t, BUF_OFFSET, 0, &off) || !fb_u64(r, &t, BUF_SIZE, 0, &size))
            return failed(p, "buffer %u", i);
        /* The offset/size form (files over 2 GB) is valid only when offset > 1. */
        if (off > 1) {
            if (data.len) {
                errf(p->err, p->errlen, "buffer %u has both inline data and an offset", i);
                return EB_ERR_FORMAT;
            }
            if (!in_file(r, off, size)) {
                errf(p->err, p->errlen,
                     "buffer %u: %llu bytes at offset %llu lie outside the file (%llu bytes)", i,
                     (unsigned long long)size, (unsigned long long)off,
                     (unsigned long long)r->n);
                return EB_ERR_FORMAT;
            }
            b->external = true;
            b->data = size ? r->b + off : NULL;
            b->size = size;
        } else if (data.len) {
            b->data = r->b + data.start;
            b->size = data.len;
        }
    }
    return EB_OK;
}

static eb_status parse_opcodes(parser *p, const fb_tab *root)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    fb_vec v;
    if (!fb_vector(r, root, MODEL_OPCODES, 4, EB_TFLITE_MAX_OPCODES, "operator codes", &v, NULL))
        return failed(p, "model operator_codes");
    m->n_opcodes = (int32_t)v.len;
    if (v.len && !(m->opcodes = ar_alloc(r, sizeof *m->opcodes * (uint64_t)v.len)))
        return failed(p, "model operator_codes");
    for (uint32_t i = 0; i < v.len; i++) {
        fb_tab t;
        eb_tflite_opcode *c = &m->opcodes[i];
        if (!fb_vec_table(r, &v, i, &t) ||
            !fb_i8(r, &t, OPCODE_DEPRECATED, 0, &c->deprecated_builtin_code) ||
            !fb_string(r, &t, OPCODE_CUSTOM, NULL, &c->custom_code) ||
            !fb_i32(r, &t, OPCODE_VERSION, 1, &c->version) ||
            !fb_i32(r, &t, OPCODE_BUILTIN, 0, &c->builtin_code))
            return failed(p, "operator code %u", i);
        if (c->deprecated_builtin_code < 0 || c->builtin_code < 0) {
            errf(p->err, p->errlen, "operator code %u: negative builtin code (%d, deprecated %d)",
                 i, c->builtin_code, c->deprecated_builtin_code);
            return EB_ERR_FORMAT;
        }
        /* Old files have only the byte; new ones write both (the byte saturates at 127,
         * PLACEHOLDER_FOR_GREATER_OP_CODES), so the larger one is the op. */
        c->builtin = c->builtin_code > c->deprecated_builtin_code ? c->builtin_code
                                                                  : c->deprecated_builtin_code;
    }
    return EB_OK;
}

static eb_status parse_subgraph(parser *p, const fb_tab *sg)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    fb_vec tv, ov;
    eb_status st;
    if (!fb_string(r, sg, SG_NAME, "", &m->subgraph_name) ||
        !fb_vector(r, sg, SG_TENSORS, 4, EB_TFLITE_MAX_TENSORS, "tensors", &tv, NULL) ||
        !fb_vector(r, sg, SG_OPERATORS, 4, EB_TFLITE_MAX_OPERATORS, "operators", &ov, NULL) ||
        !fb_ints_alloc(r, sg, SG_INPUTS, EB_TFLITE_MAX_TENSORS, "inputs", &m->inputs,
                       &m->n_inputs) ||
        !fb_ints_alloc(r, sg, SG_OUTPUTS, EB_TFLITE_MAX_TENSORS, "outputs", &m->outputs,
                       &m->n_outputs))
        return failed(p, "subgraph 0");
    m->n_tensors = (int32_t)tv.len;
    m->n_operators = (int32_t)ov.len;
    if ((tv.len && !(m->tensors = ar_alloc(r, sizeof *m->tensors * (uint64_t)tv.len))) ||
        (ov.len && !(m->operators = ar_alloc(r, sizeof *m->operators * (uint64_t)ov.len))))
        return failed(p, "subgraph 0");
    for (uint32_t i = 0; i < tv.len; i++) {
        fb_tab t;
        if (!fb_vec_table(r, &tv, i, &t))
            return failed(p, "tensor %u", i);
        if ((st = parse_tensor(p, (int32_t)i, &t, &m->tensors[i])))
            return st;
    }
    if ((st = check_tensor_list(p, "subgraph input", m->n_inputs, m->inputs, false)) ||
        (st = check_tensor_list(p, "subgraph output", m->n_outputs, m->outputs, false)))
        return st;
    for (uint32_t i = 0; i < ov.len; i++) {
        fb_tab t;
        if (!fb_vec_table(r, &ov, i, &t))
            return failed(p, "operator %u", i);
        if ((st = parse_operator(p, (int32_t)i, &t, &m->operators[i])))
            return st;
    }
    return EB_OK;
}

static void ident_text(const uint8_t *b, char out[17])
{
    char *o = out;
    for (int i = 0; i < 4; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\'' && b[i] != '\\')
            *o++ = (char)b[i];
        else
            o += sprintf(o, "\\x%02x", b[i]);
    }
    *o = 0;
}

static eb_status parse_into(parser *p)
{
    rd *r = &p->r;
    eb_tflite_model *m = p->m;
    fb_tab root, sg;
    fb_vec sgs;
    eb_status st;
    if (r->n < 8) {
        errf(p->err, p->errlen, "not a TFLite file: only %llu bytes", (unsigned long long)r->n);
        return EB_ERR_FORMAT;
    }
    if (memcmp(r->b + 4, TFL_IDENT, 4) != 0) {
        char id[17];
        ident_text(r->b + 4, id);
        errf(p->err, p->errlen, "not a TFLite file: identifier '%s', expected '" TFL_IDENT "'", id);
        return EB_ERR_FORMAT;
    }
    uint64_t at;
    if (!fb_follow(r, 0, &at) || !fb_table(r, at, &root))
        return failed(p, "model root");
    if (!fb_u32(r, &root, MODEL_VERSION, 0, &m->version))
        return failed(p, "model version");
    if (m->version != TFL_SCHEMA_VERSION) {
        errf(p->err, p->errlen, "TFLite schema version %u is not supported (this reader reads %u)",
             m->version, TFL_SCHEMA_VERSION);
        return EB_ERR_UNSUPPORTED;
    }
    if (!fb_string(r, &root, MODEL_DESCRIPTION, "", &m->description))
        return failed(p, "model description");
    if ((st = parse_opcodes(p, &root)) || (st = parse_buffers(p, &root)))
        return st;
    if (!fb_vector(r, &root, MODEL_SUBGRAPHS, 4, TFL_MAX_SUBGRAPHS, "subgraphs", &sgs, NULL))
        return failed(p, "model subgraphs");
    if (sgs.len == 0) {
        errf(p->err, p->errlen, "model has no subgraph");
        return EB_ERR_FORMAT;
    }
    m->n_subgraphs = (int32_t)sgs.len;
    if (!fb_vec_table(r, &sgs, 0, &sg))
        return failed(p, "subgraph 0");
    if ((st = parse_subgraph(p, &sg)))
        return st;
    return eb_tflite_check(m, p->err, p->errlen);
}

static eb_status parse_common(const void *data, size_t size, uint8_t *owned,
                              eb_tflite_model **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!data && size) {
        errf(err, errlen, "no bytes to parse");
        free(owned);
        return EB_ERR_ARG;
    }
    if ((uint64_t)size > EB_TFLITE_MAX_FILE_BYTES) {
        errf(err, errlen, "file is %llu bytes; the reader accepts at most %llu (1 GiB)",
             (unsigned long long)size, (unsigned long long)EB_TFLITE_MAX_FILE_BYTES);
        free(owned);
        return EB_ERR_UNSUPPORTED;
    }
    arena *a = calloc(1, sizeof *a);
    eb_tflite_model *m = NULL;
    if (!a) {
        free(owned);
        errf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    a->owned_file = owned;
    a->budget = BUDGET(size);
    parser p = {.r = {.b = data, .n = size, .ar = a}, .err = err, .errlen = errlen};
    m = ar_alloc(&p.r, sizeof *m);
    if (!m) {
        ar_free(a);
        errf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    p.m = m;
    m->file = data;
    m->file_size = size;
    m->priv_ = a;
    m->description = "";
    m->subgraph_name = "";
    eb_status st = parse_into(&p);
    if (st) {
        ar_free(a);
        return st;
    }
    *out = m;
    return EB_OK;
}

eb_status eb_tflite_parse(const void *data, size_t size, eb_tflite_model **out, char *err,
                          size_t errlen)
{
    return parse_common(data, size, NULL, out, err, errlen);
}

eb_status eb_tflite_load(const char *path, eb_tflite_model **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        errf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if ((uint64_t)len > EB_TFLITE_MAX_FILE_BYTES) {
                fclose(f);
                free(buf);
                errf(err, errlen, "'%s' is larger than %llu bytes (1 GiB), the reader's limit",
                     path, (unsigned long long)EB_TFLITE_MAX_FILE_BYTES);
                return EB_ERR_UNSUPPORTED;
            }
            /* Grow to at most one byte past the limit, which is how a larger file shows. */
            size_t ncap = cap ? cap * 2 : 65536;
            if ((uint64_t)ncap > EB_TFLITE_MAX_FILE_BYTES + 1)
                ncap = (size_t)(EB_TFLITE_MAX_FILE_BYTES + 1);
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                fclose(f);
                free(buf);
                errf(err, errlen, "out of memory reading '%s'", path);
                return EB_ERR_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errf(err, errlen, "cannot read '%s'", path);
        return EB_ERR_IO;
    }
    char why[240];
    eb_status st = parse_common(buf, len, buf, out, why, sizeof why);
    if (st)
        errf(err, errlen, "%s: %s", path, why);
    return st;
}

void eb_tflite_free(eb_tflite_model *m)
{
    if (m)
        ar_free(m->priv_);
}

/* ---- consistency ---------------------------------------------------------------- */

static int shape_text(const eb_tflite_tensor *t, char *buf, size_t len)
{
    int n = snprintf(buf, len, "[");
    for (int32_t d = 0; d < t->rank && n < (int)len; d++)
        n += snprintf(buf + n, len - (size_t)n, "%s%d", d ? "," : "", t->shape[d]);
    if (n < (int)len)
        n += snprintf(buf + n, len - (size_t)n, "]");
    return n;
}

static eb_status check_tensor(const eb_tflite_model *m, int32_t i, char *err, size_t errlen)
{
    const eb_tflite_tensor *t = &m->tensors[i];
    char shp[128];
    uint64_t elems = 1;
    if (t->rank < 0 || t->rank > EB_TFLITE_MAX_RANK) {
        errf(err, errlen, "tensor %d: rank %d outside 0..%d", i, t->rank, EB_TFLITE_MAX_RANK);
        return EB_ERR_FORMAT;
    }
    for (int32_t d = 0; d < t->rank; d++) {
        if (t->shape[d] < 0) {
            shape_text(t, shp, sizeof shp);
            errf(err, errlen, "tensor %d: dimension %d is %d in shape %s", i, d, t->shape[d], shp);
            return EB_ERR_FORMAT;
        }
        elems *= (uint64_t)t->shape[d];
        if (elems > (uint64_t)EB_TFLITE_MAX_ELEMENTS) {
            shape_text(t, shp, sizeof shp);
            errf(err, errlen, "tensor %d: shape %s has more than %lld elements", i, shp,
                 (long long)EB_TFLITE_MAX_ELEMENTS);
            return EB_ERR_UNSUPPORTED;
        }
    }
    if (t->buffer >= (uint32_t)m->n_buffers) {
        errf(err, errlen, "tensor %d: buffer %u out of range (%d buffers)", i, t->buffer,
             m->n_buffers);
        return EB_ERR_FORMAT;
    }
    size_t es = eb_tflite_dtype_size(t->type);
    if (t->data_size && !t->is_sparse && (es || t->type == EB_TFLITE_INT4)) {
        uint64_t want = es ? elems * es : (elems + 1) / 2;
        if (t->data_size != want) {
            shape_text(t, shp, sizeof shp);
            errf(err, errlen,
                 "tensor %d: buffer %u holds %llu bytes, but shape %s of %s needs %llu", i,
                 t->buffer, (unsigned long long)t->data_size, shp, eb_tflite_dtype_name(t->type),
                 (unsigned long long)want);
            return EB_ERR_FORMAT;
        }
    }
    const eb_tflite_quant *q = &t->quant;
    if (q->n < 0 || (q->n > 0 && (!q->scale || !q->zero_point)) ||
        (q->n_zero_point != 0 && q->n_zero_point != q->n)) {
        errf(err, errlen, "tensor %d: %d quantization zero points for %d scales", i,
             q->n_zero_point, q->n);
        return EB_ERR_FORMAT;
    }
    for (int32_t k = 0; k < q->n; k++) {
        if (!isfinite(q->scale[k]) || q->scale[k] < 0) {
            errf(err, errlen, "tensor %d: quantization scale %d is %g", i, k, (double)q->scale[k]);
            return EB_ERR_FORMAT;
        }
    }
    if (q->n > 1) {
        int32_t qd = q->quantized_dimension;
        if (qd < 0 || qd >= t->rank || t->shape[qd] != q->n) {
            shape_text(t, shp, sizeof shp);
            errf(err, errlen,
                 "tensor %d: %d quantization scales along dimension %d do not match shape %s",
                 i, q->n, qd, shp);
            return EB_ERR_FORMAT;
        }
    }
    return EB_OK;
}

static eb_status check_options(const eb_tflite_operator *o, int32_t i, char *err, size_t errlen)
{
    const eb_tflite_options *x = &o->options;
    const char *name = eb_tflite_builtin_name(o->builtin);
    if (!x->decoded)
        return EB_OK;
    int act = -1, pad = -1;
    int32_t sw = 1, sh = 1, dw = 1, dh = 1, fw = 1, fh = 1;
    switch (x->type) {
    case EB_TFLITE_OPT_CONV2D:
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D:
        act = x->u.conv.act, pad = x->u.conv.padding;
        sw = x->u.conv.stride_w, sh = x->u.conv.stride_h;
        dw = x->u.conv.dilation_w, dh = x->u.conv.dilation_h;
        if (x->u.conv.depth_multiplier < 0) {
            errf(err, errlen, "operator %d (%s): depth_multiplier %d", i, name,
                 x->u.conv.depth_multiplier);
            return EB_ERR_FORMAT;
        }
        break;
    case EB_TFLITE_OPT_POOL2D:
        act = x->u.pool.act, pad = x->u.pool.padding;
        sw = x->u.pool.stride_w, sh = x->u.pool.stride_h;
        fw = x->u.pool.filter_w, fh = x->u.pool.filter_h;
        break;
    case EB_TFLITE_OPT_FULLY_CONNECTED:
        act = x->u.fc.act;
        if (x->u.fc.weights_format > 1) {
            errf(err, errlen, "operator %d (%s): unknown weights_format %u", i, name,
                 x->u.fc.weights_format);
            return EB_ERR_FORMAT;
        }
        break;
    case EB_TFLITE_OPT_ADD:
    case EB_TFLITE_OPT_SUB:
    case EB_TFLITE_OPT_MUL:
    case EB_TFLITE_OPT_DIV:
        act = x->u.arith.act;
        break;
    case EB_TFLITE_OPT_CONCATENATION:
        act = x->u.concat.act;
        break;
    case EB_TFLITE_OPT_SOFTMAX:
        if (!isfinite(x->u.softmax.beta)) {
            errf(err, errlen, "operator %d (%s): beta is %g", i, name, (double)x->u.softmax.beta);
            return EB_ERR_FORMAT;
        }
        break;
    case EB_TFLITE_OPT_RESHAPE:
        for (int32_t d = 0; d < x->u.reshape.rank; d++) {
            if (x->u.reshape.new_shape[d] < -1) {
                errf(err, errlen, "operator %d (%s): new_shape dimension %d is %d", i, name, d,
                     x->u.reshape.new_shape[d]);
                return EB_ERR_FORMAT;
            }
        }
        break;
    default:
        break;
    }
    if (act > EB_TFLITE_ACT_SIGN_BIT) {
        errf(err, errlen, "operator %d (%s): unknown fused activation %d", i, name, act);
        return EB_ERR_FORMAT;
    }
    if (pad > EB_TFLITE_PAD_VALID) {
        errf(err, errlen, "operator %d (%s): unknown padding %d", i, name, pad);
        return EB_ERR_FORMAT;
    }
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || fw < 1 || fh < 1) {
        errf(err, errlen,
             "operator %d (%s): stride %dx%d, dilation %dx%d, filter %dx%d (each must be >= 1, "
             "width x height)",
             i, name, sw, sh, dw, dh, fw, fh);
        return EB_ERR_FORMAT;
    }
    return EB_OK;
}

eb_status eb_tflite_check(const eb_tflite_model *m, char *err, size_t errlen)
{
    if (!m) {
        errf(err, errlen, "no model");
        return EB_ERR_ARG;
    }
    eb_status st;
    for (int32_t i = 0; i < m->n_tensors; i++)
        if ((st = check_tensor(m, i, err, errlen)))
            return st;
    for (int32_t i = 0; i < m->n_inputs + m->n_outputs; i++) {
        bool in = i < m->n_inputs;
        int32_t k = in ? i : i - m->n_inputs;
        int32_t t = in ? m->inputs[k] : m->outputs[k];
        if (t < 0 || t >= m->n_tensors) {
            errf(err, errlen, "subgraph %s %d: tensor %d out of range (%d tensors)",
                 in ? "input" : "output", k, t, m->n_tensors);
            return EB_ERR_FORMAT;
        }
    }
    for (int32_t i = 0; i < m->n_operators; i++) {
        const eb_tflite_operator *o = &m->operators[i];
        if (o->opcode_index >= (uint32_t)m->n_opcodes) {
            errf(err, errlen, "operator %d: opcode_index %u out of range (%d operator codes)", i,
                 o->opcode_index, m->n_opcodes);
            return EB_ERR_FORMAT;
        }
        for (int32_t k = 0; k < o->n_inputs + o->n_outputs; k++) {
            bool in = k < o->n_inputs;
            int32_t t = in ? o->inputs[k] : o->outputs[k - o->n_inputs];
            if ((in && t == -1) || (t >= 0 && t < m->n_tensors))
                continue;
            errf(err, errlen, "operator %d (%s) %s %d: tensor %d out of range (%d tensors)", i,
                 eb_tflite_builtin_name(o->builtin), in ? "input" : "output",
                 in ? k : k - o->n_inputs, t, m->n_tensors);
            return EB_ERR_FORMAT;
        }
        if ((st = check_options(o, i, err, errlen)))
            return st;
    }
    return EB_OK;
}
