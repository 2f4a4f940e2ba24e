/* pad_f32_ref.c - constant padding of H and W (see eb_pad_params). */
#include <assert.h>
#include <string.h>

#include "eb_kernels.h"

void eb_pad_f32_ref(const eb_pad_params *p, const float *x, float *y)
{
    assert(p && x && y);
    const float v = (float)p->value;
    const size_t c = (size_t)p->c, row = (size_t)(p->pad_left + p->in_w + p->pad_right) * c;
    for (int32_t r = 0; r < p->pad_top; r++, y += row)
        for (size_t i = 0; i < row; i++)
            y[i] = v;
    for (int32_t r = 0; r < p->in_h; r++, y += row, x += (size_t)p->in_w * c) {
        size_t left = (size_t)p->pad_left * c, mid = (size_t)p->in_w * c;
        for (size_t i = 0; i < left; i++)
            y[i] = v;
        memcpy(y + left, x, mid * sizeof *x);
        for (size_t i = left + mid; i < row; i++)
            y[i] = v;
    }
    for (int32_t r = 0; r < p->pad_bottom; r++, y += row)
        for (size_t i = 0; i < row; i++)
            y[i] = v;
}
