/* dispatch_test_util.h - what `auto` must choose, computed from the ISA table and the
 * kernel lists rather than written out per CPU: for each op, the last row in table order
 * that this binary and CPU can run and that has a kernel for the op whose needs the CPU
 * has. */
#ifndef EB_DISPATCH_TEST_UTIL_H
#define EB_DISPATCH_TEST_UTIL_H

#include <stdbool.h>
#include <string.h>

#include "eb_dispatch.h"

static inline eb_isa t_auto_isa(eb_kop k)
{
    eb_isa best = EB_ISA_REF;
    for (int i = 0; i < EB_ISA_COUNT; i++)
        if (eb_isa_runnable((eb_isa)i) && eb_isa_has_kernel((eb_isa)i, k) &&
            eb_cpu_has(eb_kernel_needs((eb_isa)i, k)))
            best = (eb_isa)i;
    return best;
}

/* The ops that only ref implements: TFLite's int8 softmax (10-odd values at the end of an
 * imported classifier) and the cheap elementwise ops imported models add (sub, the
 * standalone activations and int8's table kernel, concatenation, padding, int8 mean, the channel repeat of depth multipliers). Every other op has an avx2 kernel. */
static inline bool t_ref_only(const char *op)
{
    static const char *const ops[] = {"softmax_tfl", "sub",  "relu", "relu6",
                                      "logistic",    "tanh", "hard_swish", "lut",
                                      "concat",      "pad",  "mean",
                                      "repeat"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(op, ops[i]))
            return true;
    return false;
}

#endif
