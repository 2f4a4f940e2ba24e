/* test_avx2_spfc.c - eb_spfc_{f32,s8}_avx2 (CSR weights) against ref: rows of the tail
 * list, densities from empty rows to dense, batch 1 and 3 (per-row gather route), 4, 9
 * and 17 (8-row transposed tiles plus leftovers), in_features past the tile limit (1500)
 * and, for int8, past the stack row limit (9000). int8 bit-exact; fp32 within
 * EB_T_F32_TOL of each sum's magnitude. */
#include "avx2_test_util.h"

#include "eb_sparse.h"

static const int32_t feats[] = {1, 3, 7, 8, 9, 17, 33, 64};
#define NF (sizeof feats / sizeof feats[0])
static const int32_t batches[] = {1, 3, 4, 9, 17};
#define NB (sizeof batches / sizeof batches[0])

typedef struct {
    eb_csr csr;
    int32_t *row_ptr;
    uint16_t *col;
} t_csr;

/* Each weight kept with probability pct/100; every 5th row is empty. */
static t_csr make_csr(int32_t rows, int32_t cols, int pct)
{
    t_csr m;
    m.row_ptr = (int32_t *)t_alloc((size_t)(rows + 1) * sizeof(int32_t));
    m.col = (uint16_t *)t_alloc(((size_t)rows * cols + 1) * sizeof(uint16_t));
    int32_t nnz = 0;
    m.row_ptr[0] = 0;
    for (int32_t r = 0; r < rows; r++) {
        for (int32_t c = 0; c < cols && r % 5 != 4; c++)
            if (t_randi(0, 99) < pct)
                m.col[nnz++] = (uint16_t)c;
        m.row_ptr[r + 1] = nnz;
    }
    m.csr = (eb_csr){rows, cols, nnz, m.row_ptr, m.col};
    cr_assert_eq(eb_csr_validate(&m.csr), EB_OK);
    return m;
}

static void check_f32(const eb_fc_params *p, int pct)
{
    t_csr m = make_csr(p->out_features, p->in_features, pct);
    const size_t nx = (size_t)p->batch * p->in_features, ny = (size_t)p->batch * p->out_features;
    float *v = t_f32((size_t)m.csr.nnz + 1, -1.0f, 1.0f);
    float *x = t_f32(nx, -1.0f, 1.0f);
    float *bias = pct % 2 ? t_f32((size_t)p->out_features, -1.0f, 1.0f) : NULL;
    float *want = (float *)t_alloc(ny * sizeof(float)), *got = (float *)t_alloc(ny * sizeof(float));
    t_ref.spfc_f32.run(p, &m.csr, v, x, bias, want);
    t_avx2.spfc_f32.run(p, &m.csr, v, x, bias, got);
    double *mag = (double *)t_alloc(ny * sizeof(double));
    for (int32_t b = 0; b < p->batch; b++)
        for (int32_t o = 0; o < p->out_features; o++) {
            double s = bias ? fabs(bias[o]) : 0.0;
            for (int32_t j = m.row_ptr[o]; j < m.row_ptr[o + 1]; j++)
                s += fabs((double)v[j] * x[(size_t)b * p->in_features + m.col[j]]);
            mag[(size_t)b * p->out_features + o] = s;
        }
    char what[96];
    snprintf(what, sizeof what, "spfc f32 batch %d %d -> %d density %d%% act %d", p->batch,
             p->in_features, p->out_features, pct, p->act);
    t_assert_f32_close(got, want, mag, ny, what);
    free(m.row_ptr), free(m.col), free(v), free(x), free(bias), free(want), free(got), free(mag);
}

static void check_s8(const eb_fc_params *p, int pct)
{
    t_csr m = make_csr(p->out_features, p->in_features, pct);
    const size_t nx = (size_t)p->batch * p->in_features, ny = (size_t)p->batch * p->out_features;
    int8_t *v = t_s8((size_t)m.csr.nnz + 1, -127, 127);
    int8_t *x = t_s8(nx, -128, 127);
    int32_t *bias = pct % 2 ? t_s32((size_t)p->out_features, -100000, 100000) : NULL;
    t_requant rq = t_make_requant(p->out_features);
    int8_t *want = (int8_t *)t_alloc(ny), *got = (int8_t *)t_alloc(ny);
    t_ref.spfc_s8.run(p, &rq.q, &m.csr, v, x, bias, want);
    t_avx2.spfc_s8.run(p, &rq.q, &m.csr, v, x, bias, got);
    char what[96];
    snprintf(what, sizeof what, "spfc s8 batch %d %d -> %d density %d%%", p->batch,
             p->in_features, p->out_features, pct);
    t_assert_s8_equal(got, want, ny, what);
    free(m.row_ptr), free(m.col), free(v), free(x), free(bias), free(want), free(got);
    t_free_requant(&rq);
}

static const int pcts[] = {25, 60, 100, 3};

Test(avx2_spfc, f32_tails)
{
    t_need_avx2();
    t_seed(31);
    for (size_t b = 0; b < NB; b++)
        for (size_t i = 0; i < NF; i++)
            for (size_t o = 0; o < NF; o++) {
                eb_fc_params p = {batches[b], feats[i], feats[o], (eb_act)((b + i + o) % 3)};
                check_f32(&p, pcts[(b + i + o) % 4]);
            }
}

Test(avx2_spfc, s8_tails)
{
    t_need_avx2();
    t_seed(32);
    for (size_t b = 0; b < NB; b++)
        for (size_t i = 0; i < NF; i++)
            for (size_t o = 0; o < NF; o++) {
                eb_fc_params p = {batches[b], feats[i], feats[o], EB_ACT_NONE};
                check_s8(&p, pcts[(b + i + o) % 4]);
            }
}

Test(avx2_spfc, wide_rows)
{
    t_need_avx2();
    t_seed(33);
    const int32_t ins[] = {1024, 1500, 9000};
    for (size_t i = 0; i < 3; i++)
        for (size_t b = 0; b < NB; b += 2) {
            eb_fc_params p = {batches[b], ins[i], 19, EB_ACT_RELU};
            check_f32(&p, 25);
            check_s8(&p, 25);
        }
}
