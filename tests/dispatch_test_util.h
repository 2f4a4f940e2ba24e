/* dispatch_test_util.h - what `auto` must choose, computed from the ISA table and the
 * kernel lists rather than written out per CPU: for each op, the last row in table order
 * that this binary and CPU can run and that has a kernel for the op whose needs the CPU
 * has. */
#ifndef EB_DISPATCH_TEST_UTIL_H
#define EB_DISPATCH_TEST_UTIL_H

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

#endif
