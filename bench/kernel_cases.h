/* kernel_cases.h - layer shapes for the kernel benchmark (read from a data file such as
 * bench/shapes_mobilenet.txt) and ready-to-run kernel calls built from them: inputs,
 * weights packed once, scratch, all allocated before anything is timed. */
#ifndef EB_KERNEL_CASES_H
#define EB_KERNEL_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_dispatch.h"

/* The ops `bench kernels` has cases for (both datatypes of each). */
typedef enum {
    EB_BOP_CONV2D,
    EB_BOP_DWCONV,
    EB_BOP_FC,
    EB_BOP_SPFC, /* not in the file: every 1x1 conv shape with 75 % of weights pruned */
    EB_BOP_GAP,
    EB_BOP_ADD,
    EB_BOP_SOFTMAX,
    EB_BOP_COUNT
} eb_bop;

const char *eb_bop_name(eb_bop op); /* "conv2d", ... as in the data file */
/* also takes "fc_sparse", the old name of spfc */
bool eb_bop_parse(const char *s, eb_bop *out);
/* multiply-add ops: rates are compared with the multiply-add peak */
bool eb_bop_is_mac(eb_bop op);

typedef struct {
    char model[32];   /* first model that has the shape */
    char layers[160]; /* "mobilenet_v1:pw7,pw8,..." (every layer with this shape) */
    int nlayers;
    char last_model[32]; /* (for building `layers`) */
    eb_bop op;
    int k, stride, in_h, in_w, in_c, out_c;
    eb_act act;
    int line; /* in the data file */
} eb_kshape;

/* Reads a shapes file; identical (op, geometry) lines are merged into one entry whose
 * `layers` lists them all. On error returns EB_ERR_IO / EB_ERR_FORMAT and writes one
 * sentence (with the line number) to err. *out is malloc'ed. */
eb_status eb_kshapes_load(const char *path, eb_kshape **out, size_t *n, char *err,
                          size_t errlen);

/* Finds shapes_mobilenet.txt: next to the executable, in ../share/edgebench beside it,
 * or in the source tree this binary was built from. false when none exists. */
bool eb_kshapes_default_path(char *buf, size_t len);

/* "112x112x32 k3 s2 -> 64" */
void eb_kshape_describe(const eb_kshape *s, char *buf, size_t len);

typedef struct eb_kcase eb_kcase;

/* Builds one call of the table's kernel for this shape and datatype, with deterministic
 * data. EB_ERR_NOMEM on allocation failure, EB_ERR_ARG if the shape is invalid. */
eb_status eb_kcase_create(const eb_kshape *s, eb_dtype dt, const eb_kernel_set *ks,
                          eb_kcase **out);
void eb_kcase_run(eb_kcase *c);
double eb_kcase_ops(const eb_kcase *c); /* 2 x multiply-adds, or elements for others */
double eb_kcase_macs(const eb_kcase *c);
const char *eb_kcase_kernel(const eb_kcase *c);
eb_isa eb_kcase_isa(const eb_kcase *c);
/* Makes c use owner's inputs, weights and output buffers (c keeps its own packed weights
 * and scratch), so two kernel sets are timed on the same memory: placement effects
 * (page offsets, 4 KiB aliasing between inputs and output) then hit both alike. Both
 * must have been created from the same shape and datatype; owner must outlive c. */
void eb_kcase_share_data(eb_kcase *c, const eb_kcase *owner);
void eb_kcase_free(eb_kcase *c);

#endif
