/* test_ref_sparse.c - eb_spfc_{f32,s8}_ref: CSR weights give the same result as the
 * dense kernels on the pruned matrix (bit for bit: the same terms in the same order,
 * only zeros skipped) and match the double-precision oracle. */
#include <criterion/criterion.h>
#include <math.h>

#include "eb_kernels.h"
#include "eb_quant.h"
#include "eb_sparse.h"
#include "kernel_test_util.h"

Test(spfc_f32_ref, hand_worked_1x1_conv)
{
    /* A 1x1 conv over a 2x1 image with 3 input and 2 output channels is an FC with
     * batch 2. W = [[0 2 0] [-1 0 0.5]] stored as CSR. */
    int32_t row_ptr[3] = {0, 1, 3};
    uint16_t col[3] = {1, 0, 2};
    float values[3] = {2, -1, 0.5f};
    eb_csr w = {.rows = 2, .cols = 3, .nnz = 3, .row_ptr = row_ptr, .col_idx = col};
    cr_assert_eq(eb_csr_validate(&w), EB_OK);
    eb_fc_params p = {.batch = 2, .in_features = 3, .out_features = 2};
    const float x[6] = {1, 2, 3, -4, 5, 6};
    const float bias[2] = {1, 0};
    float y[4];
    eb_spfc_f32_ref(&p, &w, values, x, bias, y);
    cr_expect(y[0] == 5 && y[1] == 0.5f && y[2] == 11 && y[3] == 7, "%g %g %g %g", y[0], y[1],
              y[2], y[3]);
    p.act = EB_ACT_RELU6;
    eb_spfc_f32_ref(&p, &w, values, x, bias, y);
    cr_expect(y[0] == 5 && y[1] == 0.5f && y[2] == 6 && y[3] == 6);
}

Test(spfc_s8_ref, hand_worked_with_empty_row)
{
    /* W = [[0 0 0] [3 0 -2]]; x_q = [5 -1 7], in_zp 1 -> [4 -2 6]; bias [9 -4];
     * multipliers 1 and 0.5, out_zp -3. Row 0 is fully pruned: 9 -> 6.
     * Row 1: -4 + 12 - 12 = -4 -> -2 -> -5. */
    int32_t row_ptr[3] = {0, 0, 2};
    uint16_t col[2] = {0, 2};
    int8_t values[2] = {3, -2};
    eb_csr w = {.rows = 2, .cols = 3, .nnz = 2, .row_ptr = row_ptr, .col_idx = col};
    cr_assert_eq(eb_csr_validate(&w), EB_OK);
    eb_fc_params p = {.batch = 1, .in_features = 3, .out_features = 2};
    int32_t mult[2], shift[2], bias[2] = {9, -4};
    eb_quantize_multiplier(1.0, &mult[0], &shift[0]);
    eb_quantize_multiplier(0.5, &mult[1], &shift[1]);
    eb_requant q = {.in_zp = 1, .out_zp = -3, .act_min = -128, .act_max = 127, .mult = mult,
                    .shift = shift};
    const int8_t x[3] = {5, -1, 7};
    int8_t y[2];
    eb_spfc_s8_ref(&p, &q, &w, values, x, bias, y);
    cr_expect(y[0] == 6 && y[1] == -5, "%d %d", y[0], y[1]);
}

/* Prunes a dense matrix in place (each weight zeroed with probability `sparsity`) and
 * builds its CSR. */
typedef struct {
    int32_t *row_ptr;
    uint16_t *col;
    int32_t nnz;
} csr_buf;

static csr_buf build_csr(kt_rng *r, int32_t rows, int32_t cols, double sparsity,
                         int is_s8, void *dense)
{
    csr_buf c = {malloc(sizeof(int32_t) * (rows + 1)), malloc(2 * (size_t)rows * cols), 0};
    c.row_ptr[0] = 0;
    for (int32_t o = 0; o < rows; o++) {
        for (int32_t i = 0; i < cols; i++) {
            size_t k = (size_t)o * cols + i;
            if (kt_uniform(r, 0.0, 1.0) < sparsity) {
                if (is_s8)
                    ((int8_t *)dense)[k] = 0;
                else
                    ((float *)dense)[k] = 0.0f;
            }
            int nz = is_s8 ? ((int8_t *)dense)[k] != 0 : ((float *)dense)[k] != 0.0f;
            if (nz)
                c.col[c.nnz++] = (uint16_t)i;
        }
        c.row_ptr[o + 1] = c.nnz;
    }
    return c;
}

Test(spfc_f32_ref, random_vs_dense_and_oracle)
{
    kt_rng r = kt_seed(91);
    for (int iter = 0; iter < 150; iter++) {
        eb_fc_params p = {.batch = kt_int(&r, 1, 9), .in_features = kt_int(&r, 1, 200),
                          .out_features = kt_int(&r, 1, 30), .act = (eb_act)kt_int(&r, 0, 2)};
        size_t nx = (size_t)p.batch * p.in_features, nw = (size_t)p.out_features * p.in_features;
        size_t ny = (size_t)p.batch * p.out_features;
        float *x = malloc(nx * 4), *dense = malloc(nw * 4), *vals = malloc(nw * 4);
        float *y = malloc(ny * 4), *yd = malloc(ny * 4), bias[30];
        kt_fill_f32(&r, x, nx, -2.0, 2.0);
        kt_fill_f32(&r, dense, nw, -1.0, 1.0);
        kt_fill_f32(&r, bias, (size_t)p.out_features, -1.0, 1.0);
        csr_buf c = build_csr(&r, p.out_features, p.in_features, kt_uniform(&r, 0.0, 1.0), 0,
                              dense);
        int32_t k = 0;
        for (size_t i = 0; i < nw; i++)
            if (dense[i] != 0.0f)
                vals[k++] = dense[i];
        eb_csr w = {p.out_features, p.in_features, c.nnz, c.row_ptr, c.col};
        cr_assert_eq(eb_csr_validate(&w), EB_OK);
        eb_spfc_f32_ref(&p, &w, vals, x, bias, y);
        eb_fc_f32_ref(&p, x, dense, bias, NULL, yd, NULL);
        for (int32_t b = 0; b < p.batch; b++)
            for (int32_t o = 0; o < p.out_features; o++) {
                size_t j = (size_t)b * p.out_features + o;
                cr_assert_eq(y[j], yd[j], "iter %d: sparse %g dense %g", iter, y[j], yd[j]);
                double acc = bias[o];
                for (int32_t i = 0; i < p.in_features; i++)
                    acc += (double)x[b * p.in_features + i] * dense[o * p.in_features + i];
                cr_assert(fabs(y[j] - kt_act(acc, p.act)) <= 1e-5, "iter %d", iter);
            }
        free(x), free(dense), free(vals), free(y), free(yd), free(c.row_ptr), free(c.col);
    }
}

Test(spfc_s8_ref, random_vs_dense_and_oracle)
{
    kt_rng r = kt_seed(92);
    for (int iter = 0; iter < 150; iter++) {
        eb_fc_params p = {.batch = kt_int(&r, 1, 9), .in_features = kt_int(&r, 1, 200),
                          .out_features = kt_int(&r, 1, 30), .act = (eb_act)kt_int(&r, 0, 2)};
        size_t nx = (size_t)p.batch * p.in_features, nw = (size_t)p.out_features * p.in_features;
        size_t ny = (size_t)p.batch * p.out_features;
        kt_requant_set rq;
        kt_random_requant(&r, &rq, p.out_features, p.in_features, p.act);
        int8_t *x = malloc(nx), *dense = malloc(nw), *vals = malloc(nw);
        int8_t *y = malloc(ny), *yd = malloc(ny);
        int32_t bias[30];
        kt_fill_s8(&r, x, nx, -128, 127);
        kt_fill_s8(&r, dense, nw, -127, 127);
        for (int i = 0; i < p.out_features; i++)
            bias[i] = kt_int(&r, -20000, 20000);
        csr_buf c = build_csr(&r, p.out_features, p.in_features, kt_uniform(&r, 0.0, 1.0), 1,
                              dense);
        int32_t k = 0;
        for (size_t i = 0; i < nw; i++)
            if (dense[i] != 0)
                vals[k++] = dense[i];
        eb_csr w = {p.out_features, p.in_features, c.nnz, c.row_ptr, c.col};
        cr_assert_eq(eb_csr_validate(&w), EB_OK);
        eb_spfc_s8_ref(&p, &rq.q, &w, vals, x, bias, y);
        eb_fc_s8_ref(&p, &rq.q, x, dense, bias, NULL, yd, NULL);
        for (int32_t b = 0; b < p.batch; b++)
            for (int32_t o = 0; o < p.out_features; o++) {
                size_t j = (size_t)b * p.out_features + o;
                cr_assert_eq(y[j], yd[j], "iter %d: sparse %d dense %d", iter, y[j], yd[j]);
                int64_t acc = bias[o];
                for (int32_t i = 0; i < p.in_features; i++)
                    acc += ((int64_t)x[b * p.in_features + i] - rq.q.in_zp) *
                           dense[o * p.in_features + i];
                double real = rq.q.out_zp + (double)acc * rq.real[o];
                cr_assert(abs(y[j] - kt_clamp(kt_round(real), rq.q.act_min, rq.q.act_max)) <= 1,
                          "iter %d: %d vs %.3f", iter, y[j], real);
            }
        free(x), free(dense), free(vals), free(y), free(yd), free(c.row_ptr), free(c.col);
    }
}
