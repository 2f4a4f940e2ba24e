/* eb_kernels.h - the inference kernels' public interface: parameter structs, the
 * per-op signatures shared by every ISA (ref, avx2, neon), and validation.
 *
 * Conventions:
 *  - Tensors are NHWC, dense, row-major. Conv weights are OHWI ([out_c][k_h][k_w][in_c]),
 *    depthwise weights are 1HWC ([k_h][k_w][c]), fully-connected weights are
 *    [out_features][in_features].
 *  - int8 follows the TFLite quantization spec: activations are asymmetric int8
 *    (real = scale * (q - zero_point)), weights are per-output-channel symmetric int8
 *    in [-127, 127] (zero point 0), bias is int32 with scale in_scale * w_scale[c] and
 *    zero point 0. An accumulator is requantized by eb_requantize() with a per-channel
 *    (multiplier, shift) pair, then the output zero point is added and the result is
 *    clamped to [act_min, act_max] (which already includes any fused ReLU/ReLU6).
 *  - Padding is always explicit in the params (eb_conv_out_dims() resolves SAME/VALID).
 *  - Kernels never allocate, print or fail: call the matching *_validate() once when a
 *    model is built; inside a kernel there are only asserts. A kernel that needs scratch
 *    memory has a *_scratch_size() function; the caller passes that many bytes (aligned
 *    to 64) as `scratch`, or NULL when the size is 0.
 *  - Optimized kernels may want weights in their own layout. Each implementation
 *    exposes pack_size()/pack() through the dispatch table (eb_dispatch.h); the caller
 *    packs once at build time and passes the result as `packed` (NULL when pack_size is
 *    0). `w` always points at the original weights too.
 */
#ifndef EB_KERNELS_H
#define EB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { EB_ACT_NONE = 0, EB_ACT_RELU = 1, EB_ACT_RELU6 = 2 } eb_act;
typedef enum { EB_PAD_VALID = 0, EB_PAD_SAME = 1, EB_PAD_EXPLICIT = 2 } eb_padding;
typedef enum { EB_F32 = 0, EB_S8 = 1 } eb_dtype;

/* ---- convolution (conv2d and depthwise share the geometry struct) -------------- */

typedef struct {
    int32_t batch;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c; /* depthwise: out_c == in_c (depth multiplier 1) */
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    eb_act act; /* fp32 kernels clamp with it; int8 kernels use eb_requant's range */
} eb_conv_params;

/* Per-output-channel requantization for conv, depthwise and fully connected. */
typedef struct {
    int32_t in_zp;           /* input zero point, -128..127 */
    int32_t out_zp;          /* output zero point, -128..127 */
    int32_t act_min, act_max; /* output clamp in int8, fused activation included */
    const int32_t *mult;     /* [out_c] Q31 multipliers, from eb_quantize_multiplier() */
    const int32_t *shift;    /* [out_c] shifts, positive = left */
} eb_requant;

/* Fills pad_* and out_h/out_w for SAME or VALID padding (TFLite rules: SAME puts the
 * extra pixel at the bottom/right). For EB_PAD_EXPLICIT the pads must be set already
 * and only out_h/out_w are computed. Returns EB_ERR_ARG when the output would be empty. */
eb_status eb_conv_out_dims(eb_conv_params *p, eb_padding padding);

/* Validation, called once at build time. They check every dim > 0, strides > 0,
 * pads >= 0 and < kernel size, out dims consistent with in dims, kernel and pads. */
eb_status eb_conv2d_validate(const eb_conv_params *p);
eb_status eb_dwconv_validate(const eb_conv_params *p);
eb_status eb_requant_validate(const eb_requant *q, int32_t channels);

size_t eb_conv2d_f32_ref_scratch_size(const eb_conv_params *p);
size_t eb_conv2d_s8_ref_scratch_size(const eb_conv_params *p);

void eb_conv2d_f32_ref(const eb_conv_params *p, const float *x, const float *w,
                       const float *bias, const void *packed, float *y, void *scratch);
void eb_conv2d_s8_ref(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch);

void eb_dwconv_f32_ref(const eb_conv_params *p, const float *x, const float *w,
                       const float *bias, const void *packed, float *y, void *scratch);
void eb_dwconv_s8_ref(const eb_conv_params *p, const eb_requant *q, const int8_t *x,
                      const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                      void *scratch);

/* ---- fully connected -------------------------------------------------------------- */

typedef struct {
    int32_t batch;
    int32_t in_features, out_features;
    eb_act act;
} eb_fc_params;

eb_status eb_fc_validate(const eb_fc_params *p);

void eb_fc_f32_ref(const eb_fc_params *p, const float *x, const float *w, const float *bias,
                   const void *packed, float *y, void *scratch);
void eb_fc_s8_ref(const eb_fc_params *p, const eb_requant *q, const int8_t *x,
                  const int8_t *w, const int32_t *bias, const void *packed, int8_t *y,
                  void *scratch);

/* ---- pooling ------------------------------------------------------------------------ */

/* Average and max pool. Average pool divides by the number of in-bounds elements of the
 * window (TFLite). int8 pools keep the input's scale and zero point; the average rounds
 * half away from zero; act_min/act_max clamp the int8 output (-128..127 for no act). */
typedef struct {
    int32_t batch;
    int32_t in_h, in_w, c;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    eb_act act;               /* fp32 */
    int32_t act_min, act_max; /* int8 */
} eb_pool_params;

eb_status eb_pool_out_dims(eb_pool_params *p, eb_padding padding);
eb_status eb_pool_validate(const eb_pool_params *p);

void eb_avgpool_f32_ref(const eb_pool_params *p, const float *x, float *y);
void eb_avgpool_s8_ref(const eb_pool_params *p, const int8_t *x, int8_t *y);
void eb_maxpool_f32_ref(const eb_pool_params *p, const float *x, float *y);
void eb_maxpool_s8_ref(const eb_pool_params *p, const int8_t *x, int8_t *y);

/* Global average pool: [batch][h][w][c] -> [batch][c]. The int8 version requantizes
 * (TFLite MEAN): out = out_zp + requantize(sum(x - in_zp), mult, shift) where
 * (mult, shift) encode in_scale / (out_scale * h * w). */
typedef struct {
    int32_t batch, h, w, c;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} eb_gap_params;

eb_status eb_gap_validate(const eb_gap_params *p);
/* TFLite's reference integer MEAN over H and W: out = out_zp + round_half_away(
 * requantize(sum(x - in_zp), mult, shift) / (h * w)), (mult, shift) encoding
 * in_scale / out_scale (fp32 MEAN is eb_gap_f32_ref). */
void eb_mean_s8_ref(const eb_gap_params *p, const int8_t *x, int8_t *y);
void eb_gap_f32_ref(const eb_gap_params *p, const float *x, float *y);
void eb_gap_s8_ref(const eb_gap_params *p, const int8_t *x, int8_t *y);

/* ---- elementwise add ------------------------------------------------------------------ */

/* int8 add as TFLite does it: both inputs are shifted left by left_shift (20), each
 * rescaled to a common scale (twice the larger input scale) with its own (mult, shift),
 * added, and the sum requantized to the output scale. eb_add_s8_prepare() fills every
 * field but size, which the caller sets. */
typedef struct {
    int32_t size; /* elements */
    eb_act act;   /* fp32 */
    int32_t a_zp, b_zp, out_zp;
    int32_t left_shift;
    int32_t a_mult, a_shift, b_mult, b_shift, out_mult, out_shift;
    int32_t act_min, act_max;
} eb_add_params;

eb_status eb_add_s8_prepare(eb_add_params *p, double a_scale, int32_t a_zp, double b_scale,
                            int32_t b_zp, double out_scale, int32_t out_zp, eb_act act);
eb_status eb_add_validate(const eb_add_params *p);
void eb_add_f32_ref(const eb_add_params *p, const float *a, const float *b, float *y);
void eb_add_s8_ref(const eb_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);

/* ---- elementwise multiply ------------------------------------------------------------ */

/* y[i] = a[i] * b[i % b_size] for i < size: b is either as large as a, one value, or
 * one value per channel of an NHWC a (size a multiple of b_size). int8 as TFLite's MUL:
 * out = out_zp + requantize((a - a_zp) * (b - b_zp), mult, shift), clamped, where
 * (mult, shift) encode a_scale * b_scale / out_scale; eb_mul_s8_prepare() fills every
 * field but size and b_size, which the caller sets. */
typedef struct {
    int32_t size, b_size; /* elements of a (and y), of b */
    eb_act act;           /* fp32 */
    int32_t a_zp, b_zp, out_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} eb_mul_params;

eb_status eb_mul_s8_prepare(eb_mul_params *p, double a_scale, int32_t a_zp, double b_scale,
                            int32_t b_zp, double out_scale, int32_t out_zp, eb_act act);
eb_status eb_mul_validate(const eb_mul_params *p);
void eb_mul_f32_ref(const eb_mul_params *p, const float *a, const float *b, float *y);
void eb_mul_s8_ref(const eb_mul_params *p, const int8_t *a, const int8_t *b, int8_t *y);

/* ---- elementwise unary (activations) ------------------------------------------------- */

/* y[i] = f(x[i]) for i < size. fp32: one kernel per function (relu, relu6, logistic,
 * tanh, hard_swish). int8: one kernel for every function, a lookup table of the 256
 * possible inputs, y = table[x + 128], which the graph op fills from its exact
 * arithmetic (TFLite's, per op) at build time. */
typedef struct {
    int32_t size;
    int8_t table[256]; /* int8 */
} eb_unary_params;

eb_status eb_unary_validate(const eb_unary_params *p);
void eb_relu_f32_ref(const eb_unary_params *p, const float *x, float *y);
void eb_relu6_f32_ref(const eb_unary_params *p, const float *x, float *y);
void eb_logistic_f32_ref(const eb_unary_params *p, const float *x, float *y);
void eb_tanh_f32_ref(const eb_unary_params *p, const float *x, float *y);
void eb_hard_swish_f32_ref(const eb_unary_params *p, const float *x, float *y);
void eb_lut_s8_ref(const eb_unary_params *p, const int8_t *x, int8_t *y);

/* ---- concatenation ------------------------------------------------------------------- */

/* y = [a b] along one axis of NHWC tensors, as rows: y[o] = a[o] (a_inner elements) then
 * b[o] (b_inner) for each of `outer` rows (channel axis: outer = h*w, inner = channels;
 * width: outer = h, inner = w*c; height: outer = 1). int8: an input with the output's
 * quantization is copied (TFLite's int8 CONCATENATION requires that of all inputs, so
 * imported models only copy); one with another (edgebench's own int8 quantization) is
 * requantized, out_zp + requantize(x - zp, mult, shift) clamped, (mult, shift) encoding
 * its scale / the output's. */
typedef struct {
    int32_t outer, a_inner, b_inner;
    int32_t a_requant, a_zp, a_mult, a_shift; /* int8; a_requant 0: copy */
    int32_t b_requant, b_zp, b_mult, b_shift;
    int32_t out_zp;
} eb_concat_params;

eb_status eb_concat_validate(const eb_concat_params *p);
void eb_concat_f32_ref(const eb_concat_params *p, const float *a, const float *b, float *y);
void eb_concat_s8_ref(const eb_concat_params *p, const int8_t *a, const int8_t *b, int8_t *y);

/* ---- constant padding ---------------------------------------------------------------- */

/* [in_h][in_w][c] -> [pad_top + in_h + pad_bottom][pad_left + in_w + pad_right][c], the
 * new elements set to `value` (fp32) or `qvalue` (int8: TFLite's PAD writes the output
 * zero point, the quantized 0, and keeps the input's quantization). A part of the
 * output (threads) may hold no input rows: in_h 0. */
typedef struct {
    int32_t in_h, in_w, c;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    float value;    /* fp32 */
    int32_t qvalue; /* int8 */
} eb_pad_params;

eb_status eb_pad_validate(const eb_pad_params *p);
void eb_pad_f32_ref(const eb_pad_params *p, const float *x, float *y);
void eb_pad_s8_ref(const eb_pad_params *p, const int8_t *x, int8_t *y);

/* ---- channel repeat ------------------------------------------------------------------ */

/* y[o][k * times + t] = x[o][k] for each of `outer` pixels, k < c, t < times: every
 * channel repeated `times` times in place (a depthwise convolution with depth multiplier
 * M is this, times M, then one of multiplier 1). int8 keeps the quantization. */
typedef struct {
    int32_t outer, c, times;
} eb_repeat_params;

eb_status eb_repeat_validate(const eb_repeat_params *p);
void eb_repeat_f32_ref(const eb_repeat_params *p, const float *x, float *y);
void eb_repeat_s8_ref(const eb_repeat_params *p, const int8_t *x, int8_t *y);

/* ---- softmax ------------------------------------------------------------------------ */

/* Softmax over the last dimension of [rows][depth]. fp32: exact (max-subtracted, expf).
 * int8 (TFLite spec: output scale 1/256, zero point -128): exp_table[i] holds
 * round(2^16 * exp(beta * in_scale * (i - 255))) for i in 0..255, filled by
 * eb_softmax_s8_prepare() (which sets exp_table and beta; rows and depth are the
 * caller's); the kernel sums table[x - max + 255] in uint64 (integer, so
 * the result does not depend on summation order) and writes
 * clamp(round_half_away(table * 256 / sum) - 128). */
typedef struct {
    int32_t rows, depth;
    float beta;                /* fp32 */
    const uint32_t *exp_table; /* int8: 256 entries */
    /* softmax_tfl_s8 (eb_softmax_tfl_s8_prepare): TFLite's reference int8 softmax */
    int32_t in_mult, in_left_shift; /* beta * in_scale as a Q5.26 rescale of x - max */
    int32_t diff_min;               /* x - max below this gives output -128 */
} eb_softmax_params;

eb_status eb_softmax_s8_prepare(eb_softmax_params *p, double in_scale, double beta,
                                uint32_t table[256]);

/* TFLite's reference int8 softmax (output scale 1/256, zero point -128), bit for bit,
 * for imported models: each difference d = x - max >= diff_min is rescaled by
 * (in_mult, in_left_shift) to a fixed-point number with 5 integer bits, exp(d) is
 * gemmlowp's fixed-point exp of a negative value (Q0.31), the sum is kept with 12
 * integer bits, and each output is exp(d) times the fixed-point reciprocal of the sum,
 * divided by a power of two (rounding half away from zero) and shifted by -128.
 * eb_softmax_tfl_s8_prepare() fills in_mult, in_left_shift and diff_min from the input
 * scale and beta (as TFLite's PreprocessSoftmaxScaling and CalculateInputRadius do);
 * rows and depth are the caller's. */
eb_status eb_softmax_tfl_s8_prepare(eb_softmax_params *p, double in_scale, double beta);
/* rows, depth (1..2048) and the prepared fields. */
eb_status eb_softmax_tfl_s8_validate(const eb_softmax_params *p);
void eb_softmax_tfl_s8_ref(const eb_softmax_params *p, const int8_t *x, int8_t *y);
eb_status eb_softmax_validate(const eb_softmax_params *p, eb_dtype dt);
void eb_softmax_f32_ref(const eb_softmax_params *p, const float *x, float *y);
void eb_softmax_s8_ref(const eb_softmax_params *p, const int8_t *x, int8_t *y);

#ifdef __cplusplus
}
#endif
#endif
