/* test_executor.c - every zoo variant builds and runs; the optimized kernel set gives
 * the same outputs as ref (int8 bit-exact, fp32 within tolerance); hooks, repeat runs,
 * input generation and per-op info behave. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model.h"
#include "eb_model_internal.h"

static eb_model *build(const char *name, eb_kset k)
{
    eb_model *m = NULL;
    char err[512] = "";
    eb_model_options o = {k, NULL};
    eb_status st = eb_model_build(name, &o, &m, err, sizeof err);
    cr_assert_eq(st, EB_OK, "%s: %s", name, err);
    return m;
}

/* Output of input `index`, copied (caller frees). */
static void *run_once(const eb_model *m, uint32_t index)
{
    const eb_model_info *info = eb_model_get_info(m);
    eb_context *c;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, index);
    eb_context_run(c);
    void *out = malloc(info->output_bytes);
    memcpy(out, eb_context_output(c), info->output_bytes);
    eb_context_free(c);
    return out;
}

/* Big models (MobileNets) are slow with ref kernels, three times more so under ASan:
 * there the sanitizer build runs a representative subset of their variants. */
static bool skip_big(const char *name, const eb_model_info *info)
{
#if defined(EB_SANITIZED)
    if (info->macs > 100000000)
        return strstr(name, "_int8_p75") == NULL && strcmp(info->variant, "int8") != 0 &&
               strstr(name, "_fp32_c50") == NULL;
#endif
    (void)name;
    (void)info;
    return false;
}

static void compare_outputs(const eb_model_info *info, const void *a, const void *b,
                            const char *name)
{
    if (info->dtype == EB_S8) {
        cr_expect(memcmp(a, b, info->output_bytes) == 0, "%s: int8 outputs differ", name);
        return;
    }
    const float *x = a, *y = b;
    for (int32_t i = 0; i < info->out_size; i++) {
        double tol = 1e-4 + 1e-3 * fabs(x[i]);
        if (fabs(x[i] - y[i]) > tol) {
            cr_expect(false, "%s: output %d %.9g vs %.9g", name, i, x[i], y[i]);
            return;
        }
    }
}

Test(executor, every_variant_builds_runs_and_matches_ref)
{
    const char *const *names;
    size_t n = eb_zoo_names(&names);
    bool have_opt = eb_isa_runnable(EB_ISA_AVX2) || eb_isa_runnable(EB_ISA_NEON);
    for (size_t i = 0; i < n; i++) {
        eb_model_info d;
        eb_model_options o = {EB_KSET_REF, NULL};
        cr_assert_eq(eb_model_describe(names[i], &o, &d, NULL, 0), EB_OK);
        if (skip_big(names[i], &d))
            continue;
        eb_model *ref = build(names[i], EB_KSET_REF);
        const eb_model_info *info = eb_model_get_info(ref);
        cr_expect_str_eq(info->name, names[i]);
        void *a = run_once(ref, 3);
        /* outputs are finite and not all equal (the model computes something) */
        bool varied = false;
        for (int32_t k = 0; k < info->out_size; k++) {
            double v = info->dtype == EB_S8 ? ((int8_t *)a)[k] : ((float *)a)[k];
            cr_assert(isfinite(v), "%s: output %d not finite", names[i], k);
            double v0 = info->dtype == EB_S8 ? ((int8_t *)a)[0] : ((float *)a)[0];
            varied |= v != v0;
        }
        cr_expect(varied, "%s: constant output", names[i]);
        if (have_opt) {
            eb_model *opt;
            cr_assert_eq(eb_model_with_kernels(ref, EB_KSET_AUTO, &opt, NULL, 0), EB_OK);
            void *b = run_once(opt, 3);
            compare_outputs(info, a, b, names[i]);
            free(b);
            eb_model_free(opt);
        }
        free(a);
        eb_model_free(ref);
    }
}

Test(executor, built_with_auto_equals_ref_build_int8)
{
    /* the int8 model itself (calibration included) must not depend on the kernel set */
    eb_model *a = build("ds_cnn_int8_p75", EB_KSET_REF);
    eb_model *b = build("ds_cnn_int8_p75", EB_KSET_AUTO);
    uint8_t *fa, *fb;
    size_t la, lb;
    cr_assert_eq(eb_ebm_serialize(a->g, &fa, &la), EB_OK);
    cr_assert_eq(eb_ebm_serialize(b->g, &fb, &lb), EB_OK);
    cr_expect(la == lb && memcmp(fa, fb, la) == 0, "int8 graphs differ between kernel sets");
    void *oa = run_once(a, 1), *ob = run_once(b, 1);
    cr_expect(memcmp(oa, ob, eb_model_get_info(a)->output_bytes) == 0);
    free(fa);
    free(fb);
    free(oa);
    free(ob);
    eb_model_free(a);
    eb_model_free(b);
}

typedef struct {
    int32_t calls, next_op, bad;
} hook_log;

static void hook(void *user, int32_t op, int phase)
{
    hook_log *h = user;
    h->calls++;
    int32_t want_op = h->next_op / 2, want_phase = h->next_op % 2;
    if (op != want_op || phase != want_phase)
        h->bad++;
    h->next_op++;
}

Test(executor, hooks_repeat_runs_and_contexts)
{
    eb_model *m = build("resnet8_int8", EB_KSET_AUTO);
    const eb_model_info *info = eb_model_get_info(m);
    eb_context *c1, *c2;
    cr_assert_eq(eb_context_create(m, &c1), EB_OK);
    cr_assert_eq(eb_context_create(m, &c2), EB_OK);
    eb_context_fill_input(c1, 5);
    eb_context_run(c1);
    int8_t *first = malloc(info->output_bytes);
    memcpy(first, eb_context_output(c1), info->output_bytes);
    /* the input survives a run: running again gives the same output */
    eb_context_run(c1);
    cr_expect(memcmp(first, eb_context_output(c1), info->output_bytes) == 0);
    /* the hooked run calls before/after for every op, in order, same result */
    hook_log h = {0, 0, 0};
    eb_context_run_hooked(c1, hook, &h);
    cr_expect_eq(h.calls, 2 * info->num_ops);
    cr_expect_eq(h.bad, 0);
    cr_expect(memcmp(first, eb_context_output(c1), info->output_bytes) == 0);
    /* contexts are independent: another input in c2 leaves c1 alone */
    eb_context_fill_input(c2, 6);
    eb_context_run(c2);
    cr_expect(memcmp(first, eb_context_output(c2), info->output_bytes) != 0,
              "inputs 5 and 6 gave the same output");
    cr_expect(memcmp(first, eb_context_output(c1), info->output_bytes) == 0);
    cr_expect(eb_context_input(c1) != eb_context_input(c2));
    free(first);
    eb_context_free(c1);
    eb_context_free(c2);
    eb_model_free(m);
}

Test(executor, inputs_are_deterministic_and_on_the_grid)
{
    float a[49 * 10], b[49 * 10], c[49 * 10];
    eb_gen_input(7, 49, 10, 1, a);
    eb_gen_input(7, 49, 10, 1, b);
    eb_gen_input(8, 49, 10, 1, c);
    cr_expect(memcmp(a, b, sizeof a) == 0);
    cr_expect(memcmp(a, c, sizeof a) != 0);
    for (int i = 0; i < 490; i++) {
        cr_assert(a[i] >= -1.0f && a[i] < 1.0f);
        cr_assert_eq(a[i] * 128.0f, floorf(a[i] * 128.0f), "not on the 1/128 grid");
    }
    /* int8 models see exactly the same values: scale 1/128, zero point 0 */
    eb_model *m = build("ds_cnn_int8", EB_KSET_REF);
    const eb_model_info *info = eb_model_get_info(m);
    cr_expect_eq(info->in_scale, 1.0 / 128.0);
    cr_expect_eq(info->in_zp, 0);
    eb_context *ctx;
    cr_assert_eq(eb_context_create(m, &ctx), EB_OK);
    eb_context_fill_input(ctx, 7);
    const int8_t *q = eb_context_input(ctx);
    for (int i = 0; i < 490; i++)
        cr_assert_eq(q[i], (int8_t)(a[i] * 128.0f));
    eb_context_free(ctx);
    eb_model_free(m);
}

Test(executor, op_info_describes_every_op)
{
    eb_model *m = build("mobilenet_v2_fp32_p75", EB_KSET_AUTO);
    const eb_model_info *info = eb_model_get_info(m);
    const eb_kernel_set *ks = eb_model_kernels(m);
    uint64_t macs = 0;
    int sparse = 0, adds = 0;
    for (int32_t i = 0; i < info->num_ops; i++) {
        eb_op_info oi;
        cr_assert_eq(eb_model_op_info(m, i, &oi), EB_OK);
        cr_assert(oi.name && oi.name[0] && oi.type && oi.kernel, "op %d", i);
        cr_assert(oi.bytes > 0, "op %d", i);
        macs += oi.macs;
        if (!strcmp(oi.type, "conv2d_sparse") || !strcmp(oi.type, "fc_sparse")) {
            sparse++;
            cr_expect_str_eq(oi.kernel, ks->spfc_f32.name);
        }
        if (!strcmp(oi.type, "add"))
            adds++;
        if (!strcmp(oi.type, "dwconv"))
            cr_expect_str_eq(oi.kernel, ks->dwconv_f32.name);
    }
    cr_expect_eq(macs, info->macs_nonzero, "per-op MACs add up to the model's");
    cr_expect_eq(sparse, 35, "every 1x1 conv and the classifier are sparse (got %d)", sparse);
    cr_expect_eq(adds, 10, "MobileNetV2 has 10 residual adds (got %d)", adds);
    eb_op_info oi;
    cr_expect_eq(eb_model_op_info(m, info->num_ops, &oi), EB_ERR_ARG);
    cr_expect_eq(eb_model_op_info(m, -1, &oi), EB_ERR_ARG);
    eb_model_free(m);
}
