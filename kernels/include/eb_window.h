/* eb_window.h - which taps of a pooling or depthwise window fall inside the input.
 *
 * Shared by the optimized kernels of every ISA (plain C, inline): a window of k taps
 * whose first tap is at input index i0 (negative inside the top/left padding). */
#ifndef EB_WINDOW_H
#define EB_WINDOW_H

#include <stdint.h>

/* The window's taps [*k0, *k1) that lie inside the input [0, in). */
static inline void eb_window_taps(int32_t i0, int32_t in, int32_t k, int32_t *k0, int32_t *k1)
{
    *k0 = i0 < 0 ? -i0 : 0;
    *k1 = in - i0 < k ? in - i0 : k;
}

/* Output columns [*lo, *hi) whose whole window lies inside an input of width `in`
 * (stride s, left padding pad, out columns in all); empty (lo == hi) when none does. */
static inline void eb_window_interior(int32_t in, int32_t pad, int32_t k, int32_t s,
                                      int32_t out, int32_t *lo, int32_t *hi)
{
    int32_t l = (pad + s - 1) / s;
    int32_t h = in + pad - k >= 0 ? (in + pad - k) / s + 1 : 0;
    h = h > out ? out : h;
    *lo = l > h ? h : l;
    *hi = h;
}

#endif
