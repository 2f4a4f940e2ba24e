/* neon_im2col.h - receptive-field gathering for the NEON conv2d kernels (internal). */
#ifndef EB_NEON_IM2COL_H
#define EB_NEON_IM2COL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_kernels.h"

/* 1x1, stride 1, no padding: output pixel i reads input pixel i, no gathering needed. */
bool eb_neon_conv_is_pointwise(const eb_conv_params *p);

/* Writes output pixel `pix`'s row of k_h * k_w * in_c values. */
void eb_neon_im2col_f32(const eb_conv_params *p, const float *x, int64_t pix, float *row);
/* Same for int8, padded taps = in_zp, then zeros up to row_len. */
void eb_neon_im2col_s8(const eb_conv_params *p, const int8_t *x, int32_t in_zp, int64_t pix,
                       int8_t *row, size_t row_len);

#endif
