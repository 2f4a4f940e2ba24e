/* test_validate.c - output geometry (SAME/VALID/explicit) and every *_validate():
 * good parameters pass, each kind of bad one is rejected with EB_ERR_ARG. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_sparse.h"
#include "kernel_test_util.h"

static eb_conv_params conv_geom(int32_t in, int32_t k, int32_t s)
{
    eb_conv_params p = {.batch = 1, .in_h = in, .in_w = in, .in_c = 3, .out_c = 8,
                        .k_h = k, .k_w = k, .stride_h = s, .stride_w = s};
    return p;
}

static void expect_same(int32_t in, int32_t k, int32_t s, int32_t out, int32_t pad_a,
                        int32_t pad_b)
{
    eb_conv_params p = conv_geom(in, k, s);
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_OK);
    cr_expect(p.out_h == out && p.out_w == out, "in %d k %d s %d: out %d", in, k, s, p.out_h);
    cr_expect(p.pad_top == pad_a && p.pad_bottom == pad_b && p.pad_left == pad_a &&
                  p.pad_right == pad_b,
              "in %d k %d s %d: pads %d/%d", in, k, s, p.pad_top, p.pad_bottom);
    cr_expect_eq(eb_conv2d_validate(&p), EB_OK);
}

Test(out_dims, same_padding_extra_goes_bottom_right)
{
    expect_same(4, 3, 1, 4, 1, 1);
    expect_same(4, 3, 2, 2, 0, 1);
    expect_same(5, 3, 2, 3, 1, 1);
    expect_same(224, 3, 2, 112, 0, 1);
    expect_same(112, 3, 1, 112, 1, 1);
    expect_same(7, 1, 2, 4, 0, 0);
    expect_same(2, 5, 1, 2, 2, 2);
    expect_same(6, 4, 1, 6, 1, 2);
    expect_same(1, 3, 3, 1, 1, 1);
}

Test(out_dims, valid_and_explicit)
{
    eb_conv_params p = conv_geom(5, 3, 2);
    p.pad_top = 9; /* VALID overwrites pads */
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_VALID), EB_OK);
    cr_expect(p.out_h == 2 && p.out_w == 2 && p.pad_top == 0 && p.pad_bottom == 0);
    p = conv_geom(49, 10, 2); /* DS-CNN's first layer shape class */
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_VALID), EB_OK);
    cr_expect_eq(p.out_h, 20);

    p = conv_geom(4, 3, 1);
    p.pad_top = 1, p.pad_bottom = 2, p.pad_left = 0, p.pad_right = 0;
    cr_assert_eq(eb_conv_out_dims(&p, EB_PAD_EXPLICIT), EB_OK);
    cr_expect(p.out_h == 5 && p.out_w == 2, "%d %d", p.out_h, p.out_w);
    cr_expect(p.pad_top == 1 && p.pad_bottom == 2); /* kept */
    cr_expect_eq(eb_conv2d_validate(&p), EB_OK);
}

Test(out_dims, rejects_empty_and_bad)
{
    eb_conv_params p = conv_geom(2, 3, 1);
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_VALID), EB_ERR_ARG); /* window never fits */
    p = conv_geom(0, 3, 1);
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_ERR_ARG);
    p = conv_geom(4, 0, 1);
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_ERR_ARG);
    p = conv_geom(4, 3, 0);
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_SAME), EB_ERR_ARG);
    p = conv_geom(4, 3, -2);
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_VALID), EB_ERR_ARG);
    p = conv_geom(4, 3, 1);
    cr_expect_eq(eb_conv_out_dims(&p, (eb_padding)9), EB_ERR_ARG);
    p.pad_left = -1;
    cr_expect_eq(eb_conv_out_dims(&p, EB_PAD_EXPLICIT), EB_ERR_ARG);
    cr_expect_eq(eb_conv_out_dims(NULL, EB_PAD_SAME), EB_ERR_ARG);
}

Test(out_dims, resolved_geometry_always_validates)
{
    kt_rng r = kt_seed(21);
    for (int i = 0; i < 5000; i++) {
        eb_conv_params p = {.batch = 1, .in_c = 1, .out_c = 1};
        p.in_h = kt_int(&r, 1, 40), p.in_w = kt_int(&r, 1, 40);
        p.k_h = kt_int(&r, 1, 7), p.k_w = kt_int(&r, 1, 7);
        p.stride_h = kt_int(&r, 1, 4), p.stride_w = kt_int(&r, 1, 4);
        eb_padding pad = kt_int(&r, 0, 1) ? EB_PAD_SAME : EB_PAD_VALID;
        if (eb_conv_out_dims(&p, pad) != EB_OK) {
            cr_assert(pad == EB_PAD_VALID && (p.in_h < p.k_h || p.in_w < p.k_w));
            continue;
        }
        cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
        if (pad == EB_PAD_SAME) {
            cr_assert_eq(p.out_h, (p.in_h + p.stride_h - 1) / p.stride_h);
            cr_assert(p.pad_bottom - p.pad_top == 0 || p.pad_bottom - p.pad_top == 1);
        }
        eb_pool_params q = {.batch = 1, .in_h = p.in_h, .in_w = p.in_w, .c = 1, .k_h = p.k_h,
                            .k_w = p.k_w, .stride_h = p.stride_h, .stride_w = p.stride_w,
                            .act_min = -128, .act_max = 127};
        cr_assert_eq(eb_pool_out_dims(&q, pad), EB_OK);
        cr_assert(q.out_h == p.out_h && q.out_w == p.out_w && q.pad_top == p.pad_top &&
                  q.pad_right == p.pad_right);
        cr_assert_eq(eb_pool_validate(&q), EB_OK);
    }
}

static eb_conv_params good_conv(void)
{
    eb_conv_params p = {.batch = 2, .in_h = 8, .in_w = 6, .in_c = 4, .out_h = 4, .out_w = 3,
                        .out_c = 4, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2,
                        .pad_top = 0, .pad_left = 0, .pad_bottom = 1, .pad_right = 1};
    return p;
}

Test(conv_validate, rejects_each_bad_field)
{
    eb_conv_params p = good_conv();
    cr_assert_eq(eb_conv2d_validate(&p), EB_OK);
    cr_assert_eq(eb_dwconv_validate(&p), EB_OK);
#define BAD(field, value)                                                                \
    do {                                                                                 \
        eb_conv_params b = good_conv();                                                  \
        b.field = value;                                                                 \
        cr_expect_eq(eb_conv2d_validate(&b), EB_ERR_ARG, #field " = " #value);           \
        cr_expect_eq(eb_dwconv_validate(&b), EB_ERR_ARG, #field " = " #value);           \
    } while (0)
    BAD(batch, 0);
    BAD(batch, -1);
    BAD(in_h, 0);
    BAD(in_w, -6);
    BAD(in_c, 0);
    BAD(out_c, 0);
    BAD(out_h, 0);
    BAD(out_h, 5);  /* inconsistent with in/k/stride/pads */
    BAD(out_w, 2);
    BAD(k_h, 0);
    BAD(k_w, -3);
    BAD(stride_h, 0);
    BAD(stride_w, 0);
    BAD(stride_w, -1);
    BAD(pad_top, -1);
    BAD(pad_bottom, 3); /* pad >= kernel */
    BAD(pad_left, 3);
    BAD(pad_right, -1);
    BAD(act, (eb_act)3);
    BAD(in_c, 1 << 28); /* consistent geometry, but element counts past 2^31 */
#undef BAD
    cr_expect_eq(eb_conv2d_validate(NULL), EB_ERR_ARG);
    cr_expect_eq(eb_dwconv_validate(NULL), EB_ERR_ARG);
}

Test(conv_validate, depthwise_needs_equal_channels)
{
    eb_conv_params p = good_conv();
    p.out_c = 8;
    cr_expect_eq(eb_conv2d_validate(&p), EB_OK);
    cr_expect_eq(eb_dwconv_validate(&p), EB_ERR_ARG);
}

Test(requant_validate, fields)
{
    int32_t mult[3] = {1 << 30, 1 << 30, 0};
    int32_t shift[3] = {-5, 31, 0};
    eb_requant q = {.in_zp = -128, .out_zp = 127, .act_min = -128, .act_max = 127,
                    .mult = mult, .shift = shift};
    cr_assert_eq(eb_requant_validate(&q, 3), EB_OK);
    cr_expect_eq(eb_requant_validate(&q, 0), EB_ERR_ARG);
    cr_expect_eq(eb_requant_validate(NULL, 3), EB_ERR_ARG);
    eb_requant b = q;
    b.mult = NULL;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.shift = NULL;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.in_zp = 128;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.out_zp = -129;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.act_min = 10, b.act_max = 9;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.act_max = 128;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    b = q, b.act_min = -129;
    cr_expect_eq(eb_requant_validate(&b, 3), EB_ERR_ARG);
    shift[1] = 32;
    cr_expect_eq(eb_requant_validate(&q, 3), EB_ERR_ARG);
    shift[1] = -32;
    cr_expect_eq(eb_requant_validate(&q, 3), EB_ERR_ARG);
    shift[1] = 0, mult[2] = -5;
    cr_expect_eq(eb_requant_validate(&q, 3), EB_ERR_ARG);
    cr_expect_eq(eb_requant_validate(&q, 2), EB_OK); /* only `channels` entries read */
}

Test(fc_validate, fields)
{
    eb_fc_params p = {.batch = 1, .in_features = 640, .out_features = 128};
    cr_assert_eq(eb_fc_validate(&p), EB_OK);
    eb_fc_params b = p;
    b.batch = 0;
    cr_expect_eq(eb_fc_validate(&b), EB_ERR_ARG);
    b = p, b.in_features = -1;
    cr_expect_eq(eb_fc_validate(&b), EB_ERR_ARG);
    b = p, b.out_features = 0;
    cr_expect_eq(eb_fc_validate(&b), EB_ERR_ARG);
    b = p, b.act = (eb_act)-1;
    cr_expect_eq(eb_fc_validate(&b), EB_ERR_ARG);
    b = p, b.in_features = 1 << 20, b.out_features = 1 << 20;
    cr_expect_eq(eb_fc_validate(&b), EB_ERR_ARG);
    cr_expect_eq(eb_fc_validate(NULL), EB_ERR_ARG);
}

static eb_pool_params good_pool(void)
{
    eb_pool_params p = {.batch = 1, .in_h = 5, .in_w = 5, .c = 3, .out_h = 3, .out_w = 3,
                        .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1,
                        .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .act_min = -128,
                        .act_max = 127};
    return p;
}

Test(pool_validate, fields)
{
    eb_pool_params p = good_pool();
    cr_assert_eq(eb_pool_validate(&p), EB_OK);
#define BAD(field, value)                                                                \
    do {                                                                                 \
        eb_pool_params b = good_pool();                                                  \
        b.field = value;                                                                 \
        cr_expect_eq(eb_pool_validate(&b), EB_ERR_ARG, #field " = " #value);             \
    } while (0)
    BAD(batch, 0);
    BAD(c, 0);
    BAD(in_h, -5);
    BAD(out_w, 4);
    BAD(k_h, 0);
    BAD(stride_h, 0);
    BAD(pad_left, 3);
    BAD(pad_bottom, -1);
    BAD(act_min, -129);
    BAD(act_max, 200);
    BAD(act, (eb_act)4);
#undef BAD
    cr_expect_eq(eb_pool_validate(NULL), EB_ERR_ARG);
    eb_pool_params q = good_pool();
    q.in_h = 0;
    cr_expect_eq(eb_pool_out_dims(&q, EB_PAD_SAME), EB_ERR_ARG);
    cr_expect_eq(eb_pool_out_dims(NULL, EB_PAD_SAME), EB_ERR_ARG);
}

Test(gap_validate, fields)
{
    eb_gap_params p = {.batch = 1, .h = 7, .w = 7, .c = 1024, .in_zp = -3, .out_zp = 4,
                       .mult = 1 << 30, .shift = -6, .act_min = -128, .act_max = 127};
    cr_assert_eq(eb_gap_validate(&p), EB_OK);
    eb_gap_params b = p;
    b.h = 0;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.c = -1;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.in_zp = 200;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.shift = -40;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.mult = -1;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.act_min = 5, b.act_max = 4;
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    b = p, b.h = 4096, b.w = 4096, b.c = 1; /* the int8 sum could overflow int32 */
    cr_expect_eq(eb_gap_validate(&b), EB_ERR_ARG);
    cr_expect_eq(eb_gap_validate(NULL), EB_ERR_ARG);
}

Test(add_validate, fields)
{
    eb_add_params p = {.size = 10};
    cr_assert_eq(eb_add_s8_prepare(&p, 0.1, 1, 0.2, 2, 0.3, 3, EB_ACT_NONE), EB_OK);
    cr_assert_eq(eb_add_validate(&p), EB_OK);
    eb_add_params f32 = {.size = 10, .act = EB_ACT_RELU6}; /* fp32 only needs size/act */
    cr_expect_eq(eb_add_validate(&f32), EB_OK);
    eb_add_params b = p;
    b.size = 0;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    b = p, b.left_shift = 31;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    b = p, b.out_shift = 32;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    b = p, b.a_mult = -2;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    b = p, b.b_zp = 128;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    b = p, b.act_min = 0, b.act_max = -1;
    cr_expect_eq(eb_add_validate(&b), EB_ERR_ARG);
    cr_expect_eq(eb_add_validate(NULL), EB_ERR_ARG);
}

Test(softmax_validate, fields)
{
    uint32_t t[256];
    eb_softmax_params p = {.rows = 2, .depth = 10, .beta = 1.0f};
    cr_expect_eq(eb_softmax_validate(&p, EB_F32), EB_OK);
    cr_expect_eq(eb_softmax_validate(&p, EB_S8), EB_ERR_ARG); /* no table yet */
    cr_assert_eq(eb_softmax_s8_prepare(&p, 1.0 / 16, 1.0, t), EB_OK);
    cr_expect_eq(eb_softmax_validate(&p, EB_S8), EB_OK);
    eb_softmax_params b = p;
    b.rows = 0;
    cr_expect_eq(eb_softmax_validate(&b, EB_F32), EB_ERR_ARG);
    b = p, b.depth = -1;
    cr_expect_eq(eb_softmax_validate(&b, EB_S8), EB_ERR_ARG);
    b = p, b.beta = 0.0f;
    cr_expect_eq(eb_softmax_validate(&b, EB_F32), EB_ERR_ARG);
    b = p, b.beta = NAN;
    cr_expect_eq(eb_softmax_validate(&b, EB_F32), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_validate(&p, (eb_dtype)5), EB_ERR_ARG);
    cr_expect_eq(eb_softmax_validate(NULL, EB_F32), EB_ERR_ARG);
}

Test(csr_validate, structure)
{
    int32_t row_ptr[4] = {0, 2, 2, 5};
    uint16_t col[5] = {1, 3, 0, 2, 3};
    eb_csr w = {.rows = 3, .cols = 4, .nnz = 5, .row_ptr = row_ptr, .col_idx = col};
    cr_assert_eq(eb_csr_validate(&w), EB_OK);

    eb_csr b = w;
    b.rows = 0;
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.cols = 0;
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.cols = 65536;
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.nnz = 4; /* row_ptr[rows] != nnz */
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.row_ptr = NULL;
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.col_idx = NULL;
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);
    b = w, b.cols = 3; /* index 3 out of range */
    cr_expect_eq(eb_csr_validate(&b), EB_ERR_ARG);

    row_ptr[0] = 1;
    cr_expect_eq(eb_csr_validate(&w), EB_ERR_ARG);
    row_ptr[0] = 0, row_ptr[1] = 3, row_ptr[2] = 2; /* not monotone */
    cr_expect_eq(eb_csr_validate(&w), EB_ERR_ARG);
    row_ptr[1] = 2;
    col[3] = 0; /* duplicate within row 2 */
    cr_expect_eq(eb_csr_validate(&w), EB_ERR_ARG);
    col[3] = 4, col[4] = 2; /* descending, and 4 out of range */
    cr_expect_eq(eb_csr_validate(&w), EB_ERR_ARG);
    col[3] = 2, col[4] = 3;
    cr_expect_eq(eb_csr_validate(&w), EB_OK);

    int32_t empty_ptr[3] = {0, 0, 0}; /* fully pruned layer */
    eb_csr e = {.rows = 2, .cols = 7, .nnz = 0, .row_ptr = empty_ptr, .col_idx = NULL};
    cr_expect_eq(eb_csr_validate(&e), EB_OK);
    e.nnz = -1;
    cr_expect_eq(eb_csr_validate(&e), EB_ERR_ARG);
    cr_expect_eq(eb_csr_validate(NULL), EB_ERR_ARG);
}
