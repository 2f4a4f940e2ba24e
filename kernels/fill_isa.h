/* fill_isa.h - the body of one ISA's fill function, made from its kernel list. CMake
 * writes one small file per compiled ISA that defines
 *   EB_FILL_ISA     the ISA's id in eb_isas.inc (AVX2)
 *   EB_FILL_SUFFIX  its kernels' suffix (avx2)
 *   EB_FILL_LIST    its kernel list ("avx2/avx2.inc")
 *   EB_FILL_FN      the function to define (eb_kernels_fill_avx2)
 * and includes this file. The list's rows declare the kernels (from the op's signature
 * in eb_ops.inc) and fill their entries, so no ISA has a hand-written fill function or
 * header of prototypes for dispatch. */
#include "eb_dispatch.h"

#define EB_P2_(a, b) a##b
#define EB_P2(a, b) EB_P2_(a, b)
#define EB_P5_(a, b, c, d, e) a##b##c##d##e
#define EB_P5(a, b, c, d, e) EB_P5_(a, b, c, d, e)
#define EB_STR_(x) #x
#define EB_STR(x) EB_STR_(x)

#define EB_KFN(op) EB_P5(eb_, op, _, EB_FILL_SUFFIX, )
#define EB_KHOOK(op, hook) EB_P5(eb_, op, _, EB_FILL_SUFFIX, hook)
#define EB_KDECL_yes(type, fn) type fn;
#define EB_KDECL_no(type, fn)
#define EB_KHOOK_yes(fn) fn
#define EB_KHOOK_no(fn) NULL

/* declarations */
#define EB_KERNEL(op, needs) eb_##op##_run_fn EB_KFN(op);
#define EB_KERNEL_PACKED(op, needs, s, p)                                                  \
    eb_##op##_run_fn EB_KFN(op);                                                           \
    EB_KDECL_##s(eb_##op##_scratch_fn, EB_KHOOK(op, _scratch_size))                        \
    EB_KDECL_##p(eb_##op##_pack_size_fn, EB_KHOOK(op, _pack_size))                         \
    EB_KDECL_##p(eb_##op##_pack_fn, EB_KHOOK(op, _pack))
#include EB_FILL_LIST
#undef EB_KERNEL
#undef EB_KERNEL_PACKED

void EB_FILL_FN(eb_kernel_set *ks, eb_features cpu, eb_features *needs);
void EB_FILL_FN(eb_kernel_set *ks, eb_features cpu, eb_features *needs)
{
#define EB_KROW(op, need, ...)                                                             \
    if (needs)                                                                             \
        needs[EB_KOP_##op] = (eb_features)(need) | EB_KNEEDS_PRESENT;                      \
    if (((eb_features)(need) & ~cpu) == 0)                                                 \
        ks->op = (eb_##op##_kernel){__VA_ARGS__};
/* (designated: an entry of a packed signature gets NULL hooks from EB_KERNEL) */
#define EB_KERNEL(op, need)                                                                \
    EB_KROW(op, need, .name = EB_STR(EB_KFN(op)), .isa = EB_P2(EB_ISA_, EB_FILL_ISA),      \
            .run = EB_KFN(op))
#define EB_KERNEL_PACKED(op, need, s, p)                                                   \
    EB_KROW(op, need, .name = EB_STR(EB_KFN(op)), .isa = EB_P2(EB_ISA_, EB_FILL_ISA),      \
            .scratch_size = EB_KHOOK_##s(EB_KHOOK(op, _scratch_size)),                     \
            .pack_size = EB_KHOOK_##p(EB_KHOOK(op, _pack_size)),                           \
            .pack = EB_KHOOK_##p(EB_KHOOK(op, _pack)), .run = EB_KFN(op))
#include EB_FILL_LIST
#undef EB_KERNEL
#undef EB_KERNEL_PACKED
#undef EB_KROW
}
