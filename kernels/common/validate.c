/* validate.c - output geometry and the build-time parameter checks of every kernel.
 * Kernels themselves only assert: everything that can be wrong is caught here. */
#include <stddef.h>

#include "eb_kernels.h"
#include "eb_sparse.h"

/* Largest element count of one tensor: kernels index with size_t, but shapes come from
 * model files and int32 products of them must not overflow anywhere. */
#define EB_MAX_ELEMS (INT64_C(1) << 31)

static int act_ok(eb_act a)
{
    return a == EB_ACT_NONE || a == EB_ACT_RELU || a == EB_ACT_RELU6;
}

static int zp_ok(int32_t zp)
{
    return zp >= -128 && zp <= 127;
}

static int range_ok(int32_t lo, int32_t hi)
{
    return lo >= -128 && hi <= 127 && lo <= hi;
}

static int elems_ok(int64_t a, int64_t b, int64_t c, int64_t d)
{
    return a * b <= EB_MAX_ELEMS && a * b * c <= EB_MAX_ELEMS && a * b * c * d <= EB_MAX_ELEMS;
}

/* Output length along one axis, or 0 when the window never fits. */
static int32_t out_len(int32_t in, int32_t k, int32_t stride, int32_t pad_a, int32_t pad_b)
{
    int64_t span = (int64_t)in + pad_a + pad_b - k;
    return span < 0 ? 0 : (int32_t)(span / stride + 1);
}

/* One axis of SAME/VALID/EXPLICIT resolution (TFLite: SAME's odd pixel goes last). */
static eb_status resolve_axis(int32_t in, int32_t k, int32_t stride, eb_padding padding,
                              int32_t *pad_a, int32_t *pad_b, int32_t *out)
{
    if (in <= 0 || k <= 0 || stride <= 0)
        return EB_ERR_ARG;
    switch (padding) {
    case EB_PAD_VALID:
        *pad_a = *pad_b = 0;
        break;
    case EB_PAD_SAME: {
        int64_t o = ((int64_t)in + stride - 1) / stride;
        int64_t total = (o - 1) * stride + k - in;
        if (total < 0)
            total = 0;
        *pad_a = (int32_t)(total / 2);
        *pad_b = (int32_t)(total - total / 2);
        break;
    }
    case EB_PAD_EXPLICIT:
        if (*pad_a < 0 || *pad_b < 0)
            return EB_ERR_ARG;
        break;
    default:
        return EB_ERR_ARG;
    }
    *out = out_len(in, k, stride, *pad_a, *pad_b);
    return *out > 0 ? EB_OK : EB_ERR_ARG;
}

eb_status eb_conv_out_dims(eb_conv_params *p, eb_padding padding)
{
    if (!p)
        return EB_ERR_ARG;
    eb_status st = resolve_axis(p->in_h, p->k_h, p->stride_h, padding, &p->pad_top,
                                &p->pad_bottom, &p->out_h);
    if (st != EB_OK)
        return st;
    return resolve_axis(p->in_w, p->k_w, p->stride_w, padding, &p->pad_left, &p->pad_right,
                        &p->out_w);
}

eb_status eb_pool_out_dims(eb_pool_params *p, eb_padding padding)
{
    if (!p)
        return EB_ERR_ARG;
    eb_status st = resolve_axis(p->in_h, p->k_h, p->stride_h, padding, &p->pad_top,
                                &p->pad_bottom, &p->out_h);
    if (st != EB_OK)
        return st;
    return resolve_axis(p->in_w, p->k_w, p->stride_w, padding, &p->pad_left, &p->pad_right,
                        &p->out_w);
}

/* Shared window geometry: positive dims, pads in [0, k), out dims matching. With pads
 * below the kernel size every window overlaps the input, so an average pool never
 * divides by zero. */
static eb_status geometry_ok(int32_t batch, int32_t in_h, int32_t in_w, int32_t out_h,
                             int32_t out_w, int32_t k_h, int32_t k_w, int32_t stride_h,
                             int32_t stride_w, int32_t pt, int32_t pl, int32_t pb, int32_t pr)
{
    if (batch <= 0 || in_h <= 0 || in_w <= 0 || out_h <= 0 || out_w <= 0 || k_h <= 0 ||
        k_w <= 0 || stride_h <= 0 || stride_w <= 0)
        return EB_ERR_ARG;
    if (pt < 0 || pb < 0 || pt >= k_h || pb >= k_h || pl < 0 || pr < 0 || pl >= k_w ||
        pr >= k_w)
        return EB_ERR_ARG;
    if (out_h != out_len(in_h, k_h, stride_h, pt, pb) ||
        out_w != out_len(in_w, k_w, stride_w, pl, pr))
        return EB_ERR_ARG;
    return EB_OK;
}

static eb_status conv_common(const eb_conv_params *p)
{
    if (!p || p->in_c <= 0 || p->out_c <= 0 || !act_ok(p->act))
        return EB_ERR_ARG;
    eb_status st = geometry_ok(p->batch, p->in_h, p->in_w, p->out_h, p->out_w, p->k_h, p->k_w,
                               p->stride_h, p->stride_w, p->pad_top, p->pad_left,
                               p->pad_bottom, p->pad_right);
    if (st != EB_OK)
        return st;
    if (!elems_ok(p->batch, p->in_h, p->in_w, p->in_c) ||
        !elems_ok(p->batch, p->out_h, p->out_w, p->out_c) ||
        !elems_ok(p->out_c, p->k_h, p->k_w, p->in_c))
        return EB_ERR_ARG;
    return EB_OK;
}

eb_status eb_conv2d_validate(const eb_conv_params *p)
{
    return conv_common(p);
}

eb_status eb_dwconv_validate(const eb_conv_params *p)
{
    eb_status st = conv_common(p);
    if (st != EB_OK)
        return st;
    return p->out_c == p->in_c ? EB_OK : EB_ERR_ARG;
}

eb_status eb_requant_validate(const eb_requant *q, int32_t channels)
{
    if (!q || channels <= 0 || !q->mult || !q->shift || !zp_ok(q->in_zp) ||
        !zp_ok(q->out_zp) || !range_ok(q->act_min, q->act_max))
        return EB_ERR_ARG;
    for (int32_t c = 0; c < channels; c++) {
        if (q->mult[c] < 0 || q->shift[c] < -31 || q->shift[c] > 31)
            return EB_ERR_ARG;
    }
    return EB_OK;
}

eb_status eb_fc_validate(const eb_fc_params *p)
{
    if (!p || p->batch <= 0 || p->in_features <= 0 || p->out_features <= 0 ||
        !act_ok(p->act))
        return EB_ERR_ARG;
    if (!elems_ok(p->batch, p->in_features, 1, 1) || !elems_ok(p->batch, p->out_features, 1, 1) ||
        !elems_ok(p->in_features, p->out_features, 1, 1))
        return EB_ERR_ARG;
    return EB_OK;
}

eb_status eb_pool_validate(const eb_pool_params *p)
{
    if (!p || p->c <= 0 || !act_ok(p->act) || !range_ok(p->act_min, p->act_max))
        return EB_ERR_ARG;
    eb_status st = geometry_ok(p->batch, p->in_h, p->in_w, p->out_h, p->out_w, p->k_h, p->k_w,
                               p->stride_h, p->stride_w, p->pad_top, p->pad_left,
                               p->pad_bottom, p->pad_right);
    if (st != EB_OK)
        return st;
    if (!elems_ok(p->batch, p->in_h, p->in_w, p->c) ||
        !elems_ok(p->batch, p->out_h, p->out_w, p->c) || (int64_t)p->k_h * p->k_w > (1 << 23))
        return EB_ERR_ARG; /* an int8 window sum must fit int32 */
    return EB_OK;
}

eb_status eb_gap_validate(const eb_gap_params *p)
{
    if (!p || p->batch <= 0 || p->h <= 0 || p->w <= 0 || p->c <= 0 || !zp_ok(p->in_zp) ||
        !zp_ok(p->out_zp) || p->mult < 0 || p->shift < -31 || p->shift > 31 ||
        !range_ok(p->act_min, p->act_max))
        return EB_ERR_ARG;
    if (!elems_ok(p->batch, p->h, p->w, p->c) || (int64_t)p->h * p->w > (1 << 23))
        return EB_ERR_ARG; /* sum(x - in_zp) must fit int32: 255 * 2^23 < 2^31 */
    return EB_OK;
}

eb_status eb_mul_validate(const eb_mul_params *p)
{
    if (!p || p->size <= 0 || p->b_size <= 0 || p->size % p->b_size != 0 || !act_ok(p->act) ||
        !zp_ok(p->a_zp) || !zp_ok(p->b_zp) || !zp_ok(p->out_zp) ||
        !range_ok(p->act_min, p->act_max) || p->mult < 0 || p->shift < -31 || p->shift > 31)
        return EB_ERR_ARG;
    return EB_OK;
}

eb_status eb_concat_validate(const eb_concat_params *p)
{
    if (!p || p->outer <= 0 || p->a_inner <= 0 || p->b_inner <= 0 || !zp_ok(p->a_zp) ||
        !zp_ok(p->b_zp) || !zp_ok(p->out_zp) || p->a_mult < 0 || p->b_mult < 0 ||
        p->a_shift < -31 || p->a_shift > 31 || p->b_shift < -31 || p->b_shift > 31)
        return EB_ERR_ARG;
    return elems_ok(p->outer, (int64_t)p->a_inner + p->b_inner, 1, 1) ? EB_OK : EB_ERR_ARG;
}

eb_status eb_pad_validate(const eb_pad_params *p)
{
    if (!p || p->in_h <= 0 || p->in_w <= 0 || p->c <= 0 || p->pad_top < 0 ||
        p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0 || !zp_ok(p->qvalue) ||
        !(p->value == p->value))
        return EB_ERR_ARG;
    int64_t oh = (int64_t)p->in_h + p->pad_top + p->pad_bottom;
    int64_t ow = (int64_t)p->in_w + p->pad_left + p->pad_right;
    return oh <= EB_MAX_ELEMS && ow <= EB_MAX_ELEMS && elems_ok(oh, ow, p->c, 1) ? EB_OK
                                                                                 : EB_ERR_ARG;
}

eb_status eb_repeat_validate(const eb_repeat_params *p)
{
    if (!p || p->outer <= 0 || p->c <= 0 || p->times <= 0)
        return EB_ERR_ARG;
    return elems_ok(p->outer, p->c, p->times, 1) ? EB_OK : EB_ERR_ARG;
}

eb_status eb_unary_validate(const eb_unary_params *p)
{
    return p && p->size > 0 ? EB_OK : EB_ERR_ARG;
}

eb_status eb_add_validate(const eb_add_params *p)
{
    if (!p || p->size <= 0 || !act_ok(p->act) || !zp_ok(p->a_zp) || !zp_ok(p->b_zp) ||
        !zp_ok(p->out_zp) || p->left_shift < 0 || p->left_shift > 22 ||
        !range_ok(p->act_min, p->act_max))
        return EB_ERR_ARG;
    const int32_t m[3] = {p->a_mult, p->b_mult, p->out_mult};
    const int32_t s[3] = {p->a_shift, p->b_shift, p->out_shift};
    for (int i = 0; i < 3; i++) {
        if (m[i] < 0 || s[i] < -31 || s[i] > 31)
            return EB_ERR_ARG;
    }
    return EB_OK;
}

eb_status eb_softmax_validate(const eb_softmax_params *p, eb_dtype dt)
{
    if (!p || p->rows <= 0 || p->depth <= 0 || !elems_ok(p->rows, p->depth, 1, 1))
        return EB_ERR_ARG;
    switch (dt) {
    case EB_F32:
        /* beta > 0 and finite; written so that NaN fails too */
        return p->beta > 0.0f && p->beta <= 3.4e38f ? EB_OK : EB_ERR_ARG;
    case EB_S8:
        /* the row maximum maps to entry 255, so a non-zero entry there keeps sums > 0 */
        return p->exp_table && p->exp_table[255] > 0 ? EB_OK : EB_ERR_ARG;
    }
    return EB_ERR_ARG;
}

eb_status eb_softmax_tfl_s8_validate(const eb_softmax_params *p)
{
    if (!p || p->rows <= 0 || p->depth <= 0 || !elems_ok(p->rows, p->depth, 1, 1))
        return EB_ERR_ARG;
    /* depth <= 2^11 keeps the sum of exps (each <= 2^19 with 12 integer bits) in int32 */
    return p->in_mult > 0 && p->in_left_shift >= 0 && p->in_left_shift <= 30 &&
                   p->diff_min <= 0 && p->depth <= 2048
               ? EB_OK
               : EB_ERR_ARG;
}

eb_status eb_csr_validate(const eb_csr *w)
{
    if (!w || w->rows <= 0 || w->cols <= 0 || w->cols > 65535 || w->nnz < 0 || !w->row_ptr ||
        (w->nnz > 0 && !w->col_idx))
        return EB_ERR_ARG;
    if ((int64_t)w->nnz > (int64_t)w->rows * w->cols)
        return EB_ERR_ARG;
    if (w->row_ptr[0] != 0 || w->row_ptr[w->rows] != w->nnz)
        return EB_ERR_ARG;
    for (int32_t r = 0; r < w->rows; r++) {
        int32_t a = w->row_ptr[r], b = w->row_ptr[r + 1];
        if (b < a || b > w->nnz)
            return EB_ERR_ARG;
        for (int32_t i = a; i < b; i++) {
            if (w->col_idx[i] >= w->cols || (i > a && w->col_idx[i] <= w->col_idx[i - 1]))
                return EB_ERR_ARG;
        }
    }
    return EB_OK;
}
