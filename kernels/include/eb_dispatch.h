/* eb_dispatch.h - one table of kernels per op and datatype, filled once at start-up
 * from the CPU's features (or forced with --kernels), with the name of every choice.
 *
 * Each ISA's files provide a fill function that overwrites the entries it implements
 * (eb_kernels_fill_ref fills all of them); eb_kernels_select() calls ref first, then the
 * best ISA the CPU has. An entry's `name` is its function's name ("eb_conv2d_s8_avx2").
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

typedef enum {
    EB_ISA_REF = 0,
    EB_ISA_AVX2 = 1,     /* AVX2 + FMA */
    EB_ISA_NEON = 2,     /* aarch64 ARMv8.0 Advanced SIMD, or ARMv7-A NEON */
    EB_ISA_NEON_DOT = 3, /* aarch64 with the dot-product extension (SDOT) */
    EB_ISA_AVX512 = 4,   /* AVX-512 F+BW+VL+VNNI (and AVX2+FMA), ZMM state enabled */
    EB_ISA_COUNT
} eb_isa;

/* What --kernels asks for. AUTO picks the best the CPU has, per op. */
typedef enum {
    EB_KSET_AUTO = 0,
    EB_KSET_REF,
    EB_KSET_AVX2,
    EB_KSET_NEON,
    EB_KSET_AVX512, /* the avx512 entries over the avx2 set (ops it lacks stay avx2) */
} eb_kset;

typedef struct {
    const char *name;
    eb_isa isa;
    size_t (*scratch_size)(const eb_conv_params *p);                /* NULL: 0 bytes */
    size_t (*pack_size)(const eb_conv_params *p);                   /* NULL: no packing */
    void (*pack)(const eb_conv_params *p, const float *w, void *packed);
    void (*run)(const eb_conv_params *p, const float *x, const float *w, const float *bias,
                const void *packed, float *y, void *scratch);
} eb_conv_f32_kernel;

typedef struct {
    const char *name;
    eb_isa isa;
    size_t (*scratch_size)(const eb_conv_params *p);
    size_t (*pack_size)(const eb_conv_params *p);
    void (*pack)(const eb_conv_params *p, const eb_requant *q, const int8_t *w,
                 const int32_t *bias, void *packed);
    void (*run)(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                void *scratch);
} eb_conv_s8_kernel;

typedef struct {
    const char *name;
    eb_isa isa;
    size_t (*scratch_size)(const eb_fc_params *p);
    size_t (*pack_size)(const eb_fc_params *p);
    void (*pack)(const eb_fc_params *p, const float *w, void *packed);
    void (*run)(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                const void *packed, float *y, void *scratch);
} eb_fc_f32_kernel;

typedef struct {
    const char *name;
    eb_isa isa;
    size_t (*scratch_size)(const eb_fc_params *p);
    size_t (*pack_size)(const eb_fc_params *p);
    void (*pack)(const eb_fc_params *p, const eb_requant *q, const int8_t *w,
                 const int32_t *bias, void *packed);
    void (*run)(const eb_fc_params *p, const eb_requant *q, const int8_t *x, const int8_t *w,
                const int32_t *bias, const void *packed, int8_t *y, void *scratch);
} eb_fc_s8_kernel;

typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_pool_params *p, const float *x, float *y); } eb_pool_f32_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_pool_params *p, const int8_t *x, int8_t *y); } eb_pool_s8_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_gap_params *p, const float *x, float *y); } eb_gap_f32_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_gap_params *p, const int8_t *x, int8_t *y); } eb_gap_s8_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_add_params *p, const float *a, const float *b, float *y); }
    eb_add_f32_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y); }
    eb_add_s8_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_softmax_params *p, const float *x, float *y); }
    eb_softmax_f32_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_softmax_params *p, const int8_t *x, int8_t *y); }
    eb_softmax_s8_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_fc_params *p, const eb_csr *w, const float *values, const float *x,
                const float *bias, float *y); } eb_spfc_f32_kernel;
typedef struct { const char *name; eb_isa isa;
    void (*run)(const eb_fc_params *p, const eb_requant *q, const eb_csr *w,
                const int8_t *values, const int8_t *x, const int32_t *bias, int8_t *y); }
    eb_spfc_s8_kernel;

/* The table: one entry per op and datatype. */
typedef struct {
    eb_conv_f32_kernel conv2d_f32;
    eb_conv_s8_kernel conv2d_s8;
    eb_conv_f32_kernel dwconv_f32;
    eb_conv_s8_kernel dwconv_s8;
    eb_fc_f32_kernel fc_f32;
    eb_fc_s8_kernel fc_s8;
    eb_spfc_f32_kernel spfc_f32; /* sparse fully connected / 1x1 conv (CSR weights) */
    eb_spfc_s8_kernel spfc_s8;
    eb_pool_f32_kernel avgpool_f32;
    eb_pool_s8_kernel avgpool_s8;
    eb_pool_f32_kernel maxpool_f32;
    eb_pool_s8_kernel maxpool_s8;
    eb_gap_f32_kernel gap_f32;
    eb_gap_s8_kernel gap_s8;
    eb_add_f32_kernel add_f32;
    eb_add_s8_kernel add_s8;
    eb_softmax_f32_kernel softmax_f32;
    eb_softmax_s8_kernel softmax_s8;
} eb_kernel_set;

/* Per-ISA fill functions; each overwrites the entries it implements. Those for ISAs
 * not compiled into this binary are absent (see eb_isa_compiled()). */
void eb_kernels_fill_ref(eb_kernel_set *ks);
#if defined(EB_HAVE_AVX2)
void eb_kernels_fill_avx2(eb_kernel_set *ks);
#endif
#if defined(EB_HAVE_AVX512)
void eb_kernels_fill_avx512(eb_kernel_set *ks); /* conv2d, dwconv, fc; after avx2 */
#endif
#if defined(EB_HAVE_NEON)
void eb_kernels_fill_neon(eb_kernel_set *ks, bool has_dotprod);
#endif

/* CPU features detected at run time (CPUID+XGETBV on x86, getauxval on ARM). */
typedef struct {
    bool avx2_fma; /* AVX2 and FMA, with OS support for YMM state */
    bool avx512f;
    bool avx512_vnni; /* AVX512 F+BW+VL+VNNI with ZMM state: the avx512 kernel set */
    bool neon;     /* Advanced SIMD */
    bool dotprod;  /* ARMv8.2 SDOT/UDOT */
} eb_cpu_features;

const eb_cpu_features *eb_cpu_detect(void);
bool eb_isa_compiled(eb_isa isa);     /* this binary has code for it */
bool eb_isa_runnable(eb_isa isa);     /* ... and this CPU can run it */
const char *eb_isa_name(eb_isa isa);  /* "ref", "avx2", "neon", "neon-dot", "avx512" */
/* "auto", "ref", "avx2", "neon", "avx512" */
eb_status eb_kset_parse(const char *s, eb_kset *out);
const char *eb_kset_name(eb_kset k);

/* Fills *ks with ref, then overwrites the entries `isa` implements (no CPU check: for
 * listing and testing one ISA's kernels; an ISA not compiled in leaves ref). Entries keep
 * their own isa tag, so callers can pick out that ISA's kernels. */
void eb_kernels_fill_isa(eb_isa isa, eb_kernel_set *ks);

/* Fills *ks for the requested set. EB_ERR_UNSUPPORTED when a forced ISA is not compiled
 * in or the CPU lacks it. The result is a plain value: callers keep their own copy. */
eb_status eb_kernels_select(eb_kset want, eb_kernel_set *ks);

/* Walks every entry of a table: op name ("conv2d"), dtype ("f32"/"s8") and kernel
 * name/ISA. For listing. Returns the number of entries. */
typedef struct {
    const char *op;
    const char *dtype;
    const char *name;
    eb_isa isa;
} eb_kernel_info;
size_t eb_kernel_set_describe(const eb_kernel_set *ks, eb_kernel_info *out, size_t max);

#ifdef __cplusplus
}
#endif
#endif
