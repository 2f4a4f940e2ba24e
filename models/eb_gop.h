/* eb_gop.h - what the graph layer knows about one op, as a descriptor (models/ only).
 *
 * Every graph op (a row of eb_gops.inc) has one eb_gop_desc, defined in
 * models/ops/<name>.c. graph.c (checks, counts), model.c (preparation for the kernel
 * table, the profile's type name) and quantize.c (int8 post-training quantization) call
 * through it and hold no per-op code. */
#ifndef EB_GOP_H
#define EB_GOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eb_graph.h"
#include "eb_model_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a descriptor's prepare() gets: the model being built (graph, chosen kernels), the
 * op and its executable form to fill (x->p, x->kop; x->rq is already computed for ops
 * with weights on int8 graphs), and the model's running scratch and packed-bytes totals
 * (eb_gop_pack). */
typedef struct {
    const eb_graph *g;
    const eb_gop *op;
    const eb_kernel_set *ks;
    eb_xop *x;
    size_t *scratch;
    uint64_t *packed;
    bool s8;
    const eb_gtensor *in, *in1, *out; /* in1: NULL for ops with one input */
} eb_gop_prep;

typedef struct {
    const char *name; /* the profile's op type ("avgpool") */
    int32_t inputs;   /* activation inputs: 1 (in0) or 2 (in0, in1) */
    bool weights;     /* has weight, bias (and int8 scale) arrays: conv2d, dwconv, fc */
    bool sparse_ok;   /* may be sparse (CSR weights, the spfc kernels) */
    /* The profile's type name when it depends on the op's flags (NULL: name). */
    const char *(*type_name)(const eb_gop *op);
    /* Shapes and parameters of op i against its tensors (references, the activation,
     * the second input and the sparse flag are already checked): EB_OK, or
     * EB_ERR_FORMAT with one sentence naming the op in err (eb_gop_fail). */
    eb_status (*check)(const eb_graph *g, int32_t i, char *err, size_t errlen);
    /* Weights per output channel (weighted ops; NULL: 0). */
    int64_t (*row_len)(const eb_graph *g, const eb_gop *op);
    /* Dense multiply-adds (NULL: 0). */
    uint64_t (*macs)(const eb_graph *g, const eb_gop *op);
    /* Operations the ref kernels do (NULL: the multiply-adds when there are any, else
     * the output's elements); see eb_gop_work. */
    uint64_t (*work)(const eb_graph *g, const eb_gop *op);
    /* int8 post-training quantization: the output's (scale, zero point) when the op
     * fixes it (pools keep their input's, softmax 1/256 and -128); q is the int8 graph
     * being built (its earlier tensors final), g the fp32 graph. NULL: the calibrated
     * range. */
    void (*quantize)(const eb_graph *g, eb_graph *q, const eb_gop *op);
    /* The smallest output scale the int8 kernel can requantize to (NULL: no bound
     * beyond the weighted ops', which quantize.c knows). */
    double (*min_out_scale)(const eb_graph *g, const eb_graph *q, const eb_gop *op);
    /* Fills p->x->kop and p->x->p: validation, requantization, packing. EB_ERR_ARG for
     * parameters no kernel accepts. */
    eb_status (*prepare)(eb_gop_prep *p);
} eb_gop_desc;

/* The descriptor of a type; NULL for a number that is no graph op. */
const eb_gop_desc *eb_gop_get(eb_op_type type);

/* Declarations of every descriptor. */
#define EB_GOP(id, num, name) extern const eb_gop_desc eb_gop_##name;
#include "eb_gops.inc"
#undef EB_GOP

/* ---- helpers for descriptors ------------------------------------------------------- */

static inline bool eb_same_shape(const eb_gtensor *a, const eb_gtensor *b)
{
    return a->h == b->h && a->w == b->w && a->c == b->c;
}

/* The sentence of a failed check into err; returns EB_ERR_FORMAT. */
eb_status eb_gop_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Packs the op's weights for kernel entry `k` when it wants its own layout and records
 * its scratch need. `k` is any packed-class entry (pack_size, pack, scratch_size). */
#define EB_GOP_PACK(pp, entry, params, ...)                                               \
    do {                                                                                  \
        size_t ps_ = (entry).pack_size ? (entry).pack_size(params) : 0;                   \
        if (ps_ && (entry).pack) {                                                        \
            (pp)->x->packed = eb_alloc_aligned(ps_);                                      \
            if (!(pp)->x->packed)                                                         \
                return EB_ERR_NOMEM;                                                      \
            (entry).pack(params, __VA_ARGS__, (pp)->x->packed);                           \
            *(pp)->packed += ps_;                                                         \
        }                                                                                 \
        if ((entry).scratch_size) {                                                       \
            size_t ss_ = (entry).scratch_size(params);                                    \
            if (ss_ > *(pp)->scratch)                                                     \
                *(pp)->scratch = ss_;                                                     \
        }                                                                                 \
    } while (0)

/* The quantization rule of ops whose int8 output keeps its input's (scale, zero point):
 * pools, pad, repeat. */
void eb_gop_quantize_as_input(const eb_graph *g, eb_graph *q, const eb_gop *op);

/* EB_ARENA_ALIGN-aligned allocation rounded up to the alignment. */
void *eb_alloc_aligned(size_t n);

/* Per-channel requantization of an int8 conv/dwconv/fc op into x->rq (x->qparams owned). */
eb_status eb_gop_prepare_requant(const eb_graph *g, const eb_gop *op, eb_xop *x);

#ifdef __cplusplus
}
#endif
#endif
