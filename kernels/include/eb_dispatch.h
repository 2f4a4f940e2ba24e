/* eb_dispatch.h - one table of kernels per op and datatype, filled once at start-up
 * from the CPU's features (or forced with --kernels), with the name of every choice.
 *
 * Everything here that varies by op or by instruction set comes from three lists:
 *   eb_features.inc  the CPU features and how each is detected
 *   eb_isas.inc      the ISA table (name, base set, needs, files, compile flags)
 *   eb_ops.inc       the kernel signatures and the ops of the table
 * and, per ISA, <folder>/<suffix>.inc: the kernels that ISA provides, one row each:
 *   EB_KERNEL(op, needs)                         an op whose entry is only `run`
 *   EB_KERNEL_PACKED(op, needs, scratch, pack)   scratch / pack: yes or no, whether the
 *                                                kernel has eb_<op>_<suffix>_scratch_size
 *                                                / _pack_size and _pack
 * `needs`: CPU features (EB_F(X) | ...) the kernel needs beyond its ISA's own. The
 * function names follow from the row: eb_<op>_<suffix> and its hooks. A new kernel for
 * an existing op is its source file and one row.
 */
#ifndef EB_DISPATCH_H
#define EB_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"
#include "eb_sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features ----------------------------------------------------------------- */

typedef enum {
#define EB_FEATURE_X86(id, name, leaf, sub, reg, bit, state) EB_FEAT_##id,
#define EB_FEATURE_ARM(id, name, bit64, bit32) EB_FEAT_##id,
#include "eb_features.inc"
#undef EB_FEATURE_X86
#undef EB_FEATURE_ARM
    EB_FEAT_COUNT
} eb_feature;

typedef uint64_t eb_features; /* bit EB_FEAT_x set: the CPU and OS support x */
#define EB_F(id) ((eb_features)1 << EB_FEAT_##id)
#define EB_KNEEDS_PRESENT ((eb_features)1 << 63)

/* Detected once (CPUID+XGETBV on x86, getauxval on ARM); AMX also asks Linux for the
 * tile state. */
eb_features eb_cpu_detect(void);
bool eb_cpu_has(eb_features needs);
const char *eb_feature_name(eb_feature f);
/* Why a feature is absent where detection knows more than "the CPU lacks it" (the OS
 * refused AMX state, ...); NULL when it is present or simply not there. */
const char *eb_feature_why(eb_feature f);
/* "avx2+fma" etc.: the names of the features in `fs`, joined by `sep`; "none" for 0. */
const char *eb_features_str(eb_features fs, const char *sep, char *buf, size_t n);

/* ---- the ISA table ------------------------------------------------------------------ */

typedef enum {
#define EB_ISA_SET(id, name, suffix, base, needs, files, cflags) EB_ISA_##id,
#define EB_ISA_EXT EB_ISA_SET
#include "eb_isas.inc"
#undef EB_ISA_SET
#undef EB_ISA_EXT
    EB_ISA_COUNT
} eb_isa;

/* What --kernels asks for: auto (the best the CPU has, per op) or one EB_ISA_SET row. */
typedef enum {
    EB_KSET_AUTO = 0,
#define EB_ISA_SET(id, name, suffix, base, needs, files, cflags) EB_KSET_##id,
#define EB_ISA_EXT(id, name, suffix, base, needs, files, cflags)
#include "eb_isas.inc"
#undef EB_ISA_SET
#undef EB_ISA_EXT
    EB_KSET_COUNT
} eb_kset;

typedef struct eb_kernel_set eb_kernel_set;

typedef struct {
    const char *name;   /* "avx512" */
    const char *suffix; /* of its kernels' names: "avx512" */
    eb_isa base;        /* the set it builds on (ref's is itself) */
    bool ext;           /* an extension of base, not a set of its own */
    eb_features needs;
    const char *files, *cflags; /* as in eb_isas.inc, for listings */
    /* Overwrites the entries this ISA implements whose needs are all in `cpu`; with
     * `needs` non-NULL also writes each op's needs there ([EB_KOP_COUNT], bit
     * EB_KNEEDS_PRESENT marks the ops the ISA has). NULL when not compiled in. */
    void (*fill)(eb_kernel_set *ks, eb_features cpu, eb_features *needs);
} eb_isa_info;

const eb_isa_info *eb_isa_get(eb_isa isa);
bool eb_isa_compiled(eb_isa isa);    /* this binary has code for it */
bool eb_isa_runnable(eb_isa isa);    /* ... and this CPU has its needs */
const char *eb_isa_name(eb_isa isa); /* "ref", "avx2", "neon", "neon-dot", "avx512" */

eb_status eb_kset_parse(const char *s, eb_kset *out); /* "auto" or a set's name */
const char *eb_kset_name(eb_kset k);
eb_isa eb_kset_isa(eb_kset k); /* the ISA row of a set (AUTO: ref) */
/* "auto, ref, avx2, avx512 or neon": every name --kernels takes, for help and errors. */
const char *eb_kset_choices(void);
/* One sentence on why `k` cannot run here ("this CPU has no avx512f"), or NULL. */
const char *eb_kset_why_not(eb_kset k, char *buf, size_t n);

/* ---- kernel entries, from the signatures of eb_ops.inc ---------------------------- */

#define EB_KPARAMS(type, member)
#define EB_OP(id, op, dtype, cls)
/* (unpacked classes get the hook types too, unused, so every op has the same aliases) */
#define EB_KCLASS(cls, P, member, run_args, call)                                          \
    typedef size_t eb_##cls##_scratch_fn(const P *p);                                      \
    typedef size_t eb_##cls##_pack_size_fn(const P *p);                                    \
    typedef void eb_##cls##_pack_fn(const P *p, void *packed);                             \
    typedef void eb_##cls##_run_fn run_args;                                               \
    typedef struct {                                                                       \
        const char *name;                                                                  \
        eb_isa isa;                                                                        \
        eb_##cls##_run_fn *run;                                                            \
    } eb_##cls##_kernel;
#define EB_KCLASS_PACKED(cls, P, member, pack_args, run_args, call)                        \
    typedef size_t eb_##cls##_scratch_fn(const P *p);                                      \
    typedef size_t eb_##cls##_pack_size_fn(const P *p);                                    \
    typedef void eb_##cls##_pack_fn pack_args;                                             \
    typedef void eb_##cls##_run_fn run_args;                                               \
    typedef struct {                                                                       \
        const char *name;                                                                  \
        eb_isa isa;                                                                        \
        eb_##cls##_scratch_fn *scratch_size; /* NULL: 0 bytes */                            \
        eb_##cls##_pack_size_fn *pack_size;  /* NULL: no packing */                         \
        eb_##cls##_pack_fn *pack;                                                          \
        eb_##cls##_run_fn *run;                                                            \
    } eb_##cls##_kernel;
#include "eb_ops.inc"
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#undef EB_OP

/* Per-op aliases of the class types (eb_conv2d_f32_kernel, eb_conv2d_f32_run_fn, ...),
 * so that a kernel row names its op only. */
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(id, op, dtype, cls)                                                          \
    typedef eb_##cls##_kernel eb_##id##_kernel;                                            \
    typedef eb_##cls##_run_fn eb_##id##_run_fn;                                            \
    typedef eb_##cls##_scratch_fn eb_##id##_scratch_fn;                                    \
    typedef eb_##cls##_pack_size_fn eb_##id##_pack_size_fn;                                \
    typedef eb_##cls##_pack_fn eb_##id##_pack_fn;
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED

/* The reference kernels: every op of the list has one, eb_<op>_ref (kernels/ref/), so
 * their prototypes follow from the rows too. */
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(id, op, dtype, cls) eb_##id##_run_fn eb_##id##_ref;
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED

/* The table: one entry per op and datatype, in the order of eb_ops.inc. */
struct eb_kernel_set {
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(id, op, dtype, cls) eb_##cls##_kernel id;
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
};

/* The ops by index (EB_KOP_conv2d_f32, ...), for code that walks the table. */
typedef enum {
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)
#define EB_OP(id, op, dtype, cls) EB_KOP_##id,
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
    EB_KOP_COUNT
} eb_kop;
#undef EB_KPARAMS

/* Fills *ks with ref, then overwrites the entries `isa` implements (no CPU check: for
 * listing and testing one ISA's kernels; an ISA not compiled in leaves ref). Entries keep
 * their own isa tag, so callers can pick out that ISA's kernels. */
void eb_kernels_fill_isa(eb_isa isa, eb_kernel_set *ks);

/* Fills *ks for the requested set: ref, then the set's chain of bases and their
 * extensions (auto: every row), each kernel only where the CPU has its needs.
 * EB_ERR_UNSUPPORTED when a forced set is not compiled in or the CPU lacks its needs.
 * The result is a plain value: callers keep their own copy. */
eb_status eb_kernels_select(eb_kset want, eb_kernel_set *ks);

/* Walks every entry of a table: op name ("conv2d"), dtype ("f32"/"s8") and kernel
 * name/ISA. For listing. Returns the number of entries. */
typedef struct {
    eb_kop kop;
    const char *op;
    const char *dtype;
    const char *name;
    eb_isa isa;
} eb_kernel_info;
size_t eb_kernel_set_describe(const eb_kernel_set *ks, eb_kernel_info *out, size_t max);
/* The name of the kernel in entry k of a table (NULL when empty). */
const char *eb_kernel_name(const eb_kernel_set *ks, eb_kop k);
eb_isa eb_kernel_isa(const eb_kernel_set *ks, eb_kop k);
/* The op and dtype of an entry, from the op list. */
const char *eb_kop_op(eb_kop k);
const char *eb_kop_dtype(eb_kop k);
/* The needs of one ISA's kernel for op k beyond the ISA's own (0 when the ISA has no
 * kernel for k, see eb_isa_has_kernel). */
bool eb_isa_has_kernel(eb_isa isa, eb_kop k);
eb_features eb_kernel_needs(eb_isa isa, eb_kop k);

#ifdef __cplusplus
}
#endif
#endif
