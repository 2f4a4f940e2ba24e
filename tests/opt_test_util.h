/* opt_test_util.h - for the tests of the optimized x86 kernel sets (tests/test_opt_*.c,
 * test_avx512_set.c): the helpers of avx2_test_util.h (data, requantization parameters
 * that reach every branch, comparisons, and the fp32 tolerance EB_T_F32_TOL stated
 * there), plus
 *  - t_fast: the forced kernel set under test (avx2, avxvnni or avx512), filled by
 *    t_need_isa, which skips visibly (cr_skip_test naming the ISA) when the CPU or build
 *    lacks it;
 *  - T_OPT_TEST(suite, name): one test body registered once per optimized x86 set with
 *    fp32 and int8 kernels, as suite::name_avx2 and suite::name_avx512, and
 *    T_OPT_TEST_S8(suite, name) for int8 checks, also as suite::name_avxvnni (that set
 *    has int8 kernels only), so each op's checks are written once;
 *  - the conv/dwconv fixture: geometries, params, sizes and fp32 sum magnitudes. */
#ifndef EB_OPT_TEST_UTIL_H
#define EB_OPT_TEST_UTIL_H

#include "avx2_test_util.h"

static eb_kernel_set t_fast;

/* One optimized x86 kernel set: its ISA, the forced set that selects it, and the
 * suffix of its kernel names ("eb_conv2d_f32_avx2"). */
typedef struct {
    eb_isa isa;
    eb_kset kset;
    const char *name;
    const char *needs; /* what the CPU must have, for the skip message */
} t_isa;

static const t_isa t_isa_avx2 = {EB_ISA_AVX2, EB_KSET_AVX2, "avx2", "AVX2+FMA"};
static const t_isa t_isa_avx512 = {EB_ISA_AVX512, EB_KSET_AVX512, "avx512",
                                   "AVX512 F+BW+VL+VNNI"};
static const t_isa t_isa_avxvnni = {EB_ISA_AVXVNNI, EB_KSET_AVXVNNI, "avxvnni",
                                    "AVX-VNNI (with AVX2+FMA)"};

/* Fills t_ref and t_fast for isa, or skips the test with a message naming the ISA. */
static inline const t_isa *t_need_isa(const t_isa *isa)
{
    if (!eb_isa_runnable(isa->isa))
        cr_skip_test("this CPU (or build) has no %s: %s kernels not tested", isa->needs,
                     isa->name);
    cr_assert_eq(eb_kernels_select(EB_KSET_REF, &t_ref), EB_OK);
    cr_assert_eq(eb_kernels_select(isa->kset, &t_fast), EB_OK);
    return isa;
}

static inline void t_need_avx512(void)
{
    t_need_isa(&t_isa_avx512);
}

/* T_OPT_TEST(suite, name) { body using t_fast, t_ref and isa }: the body runs as two
 * Criterion tests, suite::name_avx2 and suite::name_avx512, each skipped visibly on
 * its own when its ISA cannot run here. */
#define T_OPT_TEST(suite, name)                                                          \
    static void suite##__##name(const t_isa *isa);                                       \
    Test(suite, name##_avx2)                                                             \
    {                                                                                    \
        suite##__##name(t_need_isa(&t_isa_avx2));                                        \
    }                                                                                    \
    Test(suite, name##_avx512)                                                           \
    {                                                                                    \
        suite##__##name(t_need_isa(&t_isa_avx512));                                      \
    }                                                                                    \
    static void suite##__##name(const t_isa *isa)

/* T_OPT_TEST_S8(suite, name) { body }: as T_OPT_TEST for a body that checks int8 kernels
 * only, registered as suite::name_avx2, suite::name_avxvnni and suite::name_avx512. */
#define T_OPT_TEST_S8(suite, name)                                                       \
    static void suite##__##name(const t_isa *isa);                                       \
    Test(suite, name##_avx2)                                                             \
    {                                                                                    \
        suite##__##name(t_need_isa(&t_isa_avx2));                                        \
    }                                                                                    \
    Test(suite, name##_avxvnni)                                                          \
    {                                                                                    \
        suite##__##name(t_need_isa(&t_isa_avxvnni));                                     \
    }                                                                                    \
    Test(suite, name##_avx512)                                                           \
    {                                                                                    \
        suite##__##name(t_need_isa(&t_isa_avx512));                                      \
    }                                                                                    \
    static void suite##__##name(const t_isa *isa)

/* Asserts that table entry `name` of t_fast is "eb_<op>_<isa>" and tagged with isa. */
#define T_ASSERT_ENTRY(isa, entry, op)                                                   \
    do {                                                                                 \
        char t_want_[64];                                                                \
        snprintf(t_want_, sizeof t_want_, "eb_%s_%s", op, (isa)->name);                   \
        cr_assert_str_eq(t_fast.entry.name, t_want_);                                    \
        cr_assert_eq(t_fast.entry.isa, (isa)->isa, "%s: isa %d", t_want_,                 \
                     (int)t_fast.entry.isa);                                             \
    } while (0)

/* A conv or depthwise conv geometry; SAME/VALID resolve the pads, EXPLICIT uses them. */
typedef struct {
    int32_t in_h, in_w, k_h, k_w, s_h, s_w, pt, pl, pb, pr;
    eb_padding pad;
    int32_t batch;
} t_geom;

/* Params for g with in_c -> out_c channels (depthwise: out_c must equal in_c),
 * asserted valid for the op. */
static inline eb_conv_params t_conv_params(const t_geom *g, int32_t in_c, int32_t out_c,
                                           eb_act act, int depthwise)
{
    eb_conv_params p = {0};
    p.batch = g->batch;
    p.in_h = g->in_h;
    p.in_w = g->in_w;
    p.in_c = in_c;
    p.out_c = out_c;
    p.k_h = g->k_h;
    p.k_w = g->k_w;
    p.stride_h = g->s_h;
    p.stride_w = g->s_w;
    p.pad_top = g->pt;
    p.pad_left = g->pl;
    p.pad_bottom = g->pb;
    p.pad_right = g->pr;
    p.act = act;
    cr_assert_eq(eb_conv_out_dims(&p, g->pad), EB_OK);
    cr_assert_eq(depthwise ? eb_dwconv_validate(&p) : eb_conv2d_validate(&p), EB_OK);
    return p;
}

static inline size_t t_conv_in_size(const eb_conv_params *p)
{
    return (size_t)p->batch * p->in_h * p->in_w * p->in_c;
}

static inline size_t t_conv_out_size(const eb_conv_params *p)
{
    return (size_t)p->batch * p->out_h * p->out_w * p->out_c;
}

/* |bias| + sum |x * w| over the taps ref adds, per output (the EB_T_F32_TOL scale).
 * Conv weights are [out_c][k_h][k_w][in_c]; depthwise weights [k_h][k_w][c]. */
static inline double *t_conv_magnitudes(const eb_conv_params *p, const float *x,
                                        const float *w, const float *bias, int depthwise)
{
    double *mag = (double *)t_alloc(t_conv_out_size(p) * sizeof(double));
    size_t o = 0;
    for (int32_t n = 0; n < p->batch; n++)
        for (int32_t oy = 0; oy < p->out_h; oy++)
            for (int32_t ox = 0; ox < p->out_w; ox++)
                for (int32_t oc = 0; oc < p->out_c; oc++, o++) {
                    double s = bias ? fabs(bias[oc]) : 0.0;
                    for (int32_t ky = 0; ky < p->k_h; ky++)
                        for (int32_t kx = 0; kx < p->k_w; kx++) {
                            int32_t iy = oy * p->stride_h - p->pad_top + ky;
                            int32_t ix = ox * p->stride_w - p->pad_left + kx;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                continue;
                            const float *xp = x + (((size_t)n * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            if (depthwise) {
                                s += fabs((double)xp[oc] * w[((size_t)ky * p->k_w + kx) * p->in_c + oc]);
                                continue;
                            }
                            const float *wp = w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ic++)
                                s += fabs((double)xp[ic] * wp[ic]);
                        }
                    mag[o] = s;
                }
    return mag;
}

#endif
