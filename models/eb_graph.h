/* eb_graph.h - the model graph (internal to models/ and its tests).
 *
 * A graph is a list of activation tensors and a list of ops in execution order. Every
 * tensor except the graph input is produced by exactly one op; an op reads one or two
 * tensors produced earlier. All tensors of a graph share its datatype; an int8 graph
 * carries a (scale, zero point) per tensor. The graph owns its weights.
 *
 * Weight arrays per op (out_c = channels of the output tensor, in_c = channels of the
 * input, in_f = elements of the input for fully connected):
 *   conv2d  w [out_c][k_h][k_w][in_c]      dwconv  w [k_h][k_w][c]
 *   fc      w [out_c][in_f]                 sparse  w [nnz] (CSR by output channel)
 *   bias [out_c] (float for fp32, int32 for int8); wscale [out_c] (int8: per-channel
 *   symmetric weight scale). Sparse ops are 1x1 stride-1 unpadded conv2d or fc.
 */
#ifndef EB_GRAPH_H
#define EB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits every graph (built or loaded) must respect. */
#define EB_GRAPH_MAX_TENSORS 4096
#define EB_GRAPH_MAX_OPS 4096
#define EB_GRAPH_MAX_DIM 65536
#define EB_GRAPH_MAX_ELEMS (INT32_C(1) << 26) /* elements of one tensor */
#define EB_GRAPH_MAX_WEIGHTS (INT64_C(1) << 28) /* elements of one weight array */
#define EB_GRAPH_MAX_WORK (UINT64_C(1) << 36) /* operations of one inference, see eb_gop_work */
/* int8 kernels accumulate in int32: |bias| + row * 255 * 127 < 2^31 for every output.
 * A row is at most EB_GRAPH_MAX_S8_ROW products (32768 * 255 * 127 < 2^30, so a row's
 * products never overflow alone), a bias at most what the rest leaves. */
#define EB_GRAPH_MAX_S8_ROW 32768
static inline int64_t eb_graph_max_s8_bias(int64_t row)
{
    return (int64_t)INT32_MAX - row * 255 * 127;
}
#define EB_ARENA_ALIGN 64

/* The graph ops, one per row of eb_gops.inc (its numbers are the .ebm format's: never
 * renumber). What each op is lives in its descriptor (eb_gop.h, models/ops/). */
typedef enum {
#define EB_GOP(id, num, name) EB_OP_##id = num,
#include "eb_gops.inc"
#undef EB_GOP
} eb_op_type;

/* Ops that read a second tensor (in1), from their descriptors. */
bool eb_op_binary(eb_op_type t);

typedef struct {
    int32_t h, w, c;
    double scale; /* int8 graphs: real = scale * (q - zp) */
    int32_t zp;
    /* filled by the planner */
    int32_t first, last; /* op indices during which the tensor is live (inclusive) */
    uint64_t size;       /* bytes, rounded up to EB_ARENA_ALIGN */
    uint64_t offset;     /* in the arena */
} eb_gtensor;

typedef struct {
    eb_op_type type;
    char name[32];
    eb_act act;
    int32_t in0, in1, out; /* tensor indices; in1 = -1 unless eb_op_binary */
    int32_t k_h, k_w, stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    bool sparse;
    bool tfl_softmax; /* int8 softmax with TFLite's reference arithmetic (imported
                       * models: softmax_tfl_s8); else edgebench's exp table */
    int32_t nnz;
    float *w, *b;         /* fp32 graph */
    int8_t *wq;           /* int8 graph */
    int32_t *bq;
    double *wscale;
    int32_t *row_ptr;     /* sparse: [out_c + 1] */
    uint16_t *col_idx;    /* sparse: [nnz] */
} eb_gop;

typedef struct {
    eb_dtype dtype;
    char arch[48];
    char variant[32];
    char name[96];
    int32_t nt, nops;
    int32_t cap_t, cap_o;
    eb_gtensor *t;
    eb_gop *op;
    int32_t input, output;
    /* Imported models whose file declares other edges than the graph's (ONNX): the
     * file's input/output is [1,C,H,W] of this NHWC tensor (*_nchw), and/or float32 of
     * this int8 one, real = scale * (q - zp) (*_float). Not kept in .ebm files: an
     * exported model takes and gives its graph's own NHWC tensors. */
    bool in_nchw, out_nchw, in_float, out_float;
    char import_note[256]; /* what the importer folded or converted ("" none) */
} eb_graph;

eb_graph *eb_graph_new(eb_dtype dtype);
void eb_graph_free(eb_graph *g);
/* Deep copy (weights included), planner fields too. NULL on allocation failure. */
eb_graph *eb_graph_clone(const eb_graph *g);
/* Frees the weight arrays of one op and clears the pointers. */
void eb_gop_free_weights(eb_gop *op);

/* Appends a tensor / op; returns its index, or -1 when out of memory or over a limit. */
int32_t eb_graph_add_tensor(eb_graph *g, int32_t h, int32_t w, int32_t c);
int32_t eb_graph_add_op(eb_graph *g, const eb_gop *op);

static inline int64_t eb_gtensor_elems(const eb_gtensor *t)
{
    return (int64_t)t->h * t->w * t->c;
}
static inline size_t eb_dtype_size(eb_dtype d) { return d == EB_F32 ? 4 : 1; }

/* Geometry of a weighted op: output channels, weights per output channel (dense),
 * and the number of dense weight elements. 0 for ops without weights. */
int32_t eb_gop_out_channels(const eb_graph *g, const eb_gop *op);
int64_t eb_gop_row_len(const eb_graph *g, const eb_gop *op);
int64_t eb_gop_dense_weights(const eb_graph *g, const eb_gop *op);
bool eb_gop_has_weights(const eb_gop *op);

/* Dense multiply-adds of one op (its descriptor's; 0 for ops without). */
uint64_t eb_gop_macs(const eb_graph *g, const eb_gop *op);
/* Operations one inference of the op costs the ref kernels (its descriptor's):
 * multiply-adds for conv, dwconv and fc (dense), output elements x window taps for pools
 * (the ref kernels visit every tap, padding included), elements for the others. A graph whose sum exceeds
 * EB_GRAPH_MAX_WORK (6.9e10, over 100 MobileNetV1s) is refused: a few hundred bytes of
 * .ebm could otherwise describe a run that never finishes. */
uint64_t eb_gop_work(const eb_graph *g, const eb_gop *op);

/* Dense parameter count (weights + biases). */
uint64_t eb_gop_params(const eb_graph *g, const eb_gop *op);

/* Fills kernel parameter structs from an op (no validation). */
void eb_gop_conv_params(const eb_graph *g, const eb_gop *op, eb_conv_params *p);
void eb_gop_fc_params(const eb_graph *g, const eb_gop *op, eb_fc_params *p);
void eb_gop_pool_params(const eb_graph *g, const eb_gop *op, eb_pool_params *p);

/* Checks structure: counts and dims within limits, tensor references, topological order,
 * one producer per tensor, shapes consistent with op parameters, kernel parameter
 * validation. With weights=true also checks that every weight array is present and
 * the sparse structure and quantization parameters are valid. One sentence in err. */
eb_status eb_graph_check(const eb_graph *g, bool weights, char *err, size_t errlen);

/* Arena planner: fills every tensor's first/last/size/offset. The graph input stays
 * live for the whole run (a context can be run again on the same input), the output
 * from its producer to the end. Returns the arena size and the lower bound (the
 * largest sum of sizes of tensors live during one op). */
void eb_plan_arena(eb_graph *g, uint64_t *arena_bytes, uint64_t *lower_bound);

#ifdef __cplusplus
}
#endif
#endif
