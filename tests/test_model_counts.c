/* test_model_counts.c - every zoo architecture's MACs and parameters against the
 * published figures, and the variant-name grammar. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eb_model.h"
#include "eb_model_internal.h"

typedef struct {
    const char *arch;
    double macs, params; /* published */
    uint64_t exact_macs, exact_params; /* counted by hand from the layer list; 0: skip */
} published;

/* Published: MobileNetV1 568.7 M / 4.23 M, MobileNetV2 300.8 M / 3.49 M, ResNet-8 12.5 M /
 * 77.7 K, DS-CNN 2.66 M / 22.6 K, VWW 7.49 M / 210.9 K, autoencoder 0.264 M / 265.9 K. */
static const published k_pub[] = {
    {"mobilenet_v1", 568.7e6, 4.23e6, 568740352, 4221032},
    {"mobilenet_v2", 300.8e6, 3.49e6, 0, 0},
    {"ds_cnn", 2.66e6, 22.6e3, 2656768, 22604},
    {"vww_mobilenet_v1_025", 7.49e6, 210.9e3, 0, 210850},
    {"resnet8", 12.5e6, 77.7e3, 12501632, 77706},
    {"fc_autoencoder", 0.264e6, 265.9e3, 264192, 265864},
};

static eb_model_info describe(const char *name)
{
    eb_model_info info;
    char err[512] = "";
    eb_model_options o = {EB_KSET_REF, NULL};
    eb_status st = eb_model_describe(name, &o, &info, err, sizeof err);
    cr_assert_eq(st, EB_OK, "%s: %s", name, err);
    return info;
}

Test(model_counts, match_published_figures)
{
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    cr_assert_eq(na, sizeof k_pub / sizeof k_pub[0]);
    for (size_t i = 0; i < na; i++) {
        const published *p = &k_pub[i];
        cr_assert_str_eq(archs[i], p->arch);
        char name[96];
        snprintf(name, sizeof name, "%s_fp32", p->arch);
        eb_model_info info = describe(name);
        double dm = fabs((double)info.macs - p->macs) / p->macs;
        double dp = fabs((double)info.params - p->params) / p->params;
        /* published figures are rounded to 3-4 digits: 0.5 % covers the rounding */
        cr_expect(dm < 0.005, "%s: %llu MACs vs published %.4g (%.2f %%)", p->arch,
                  (unsigned long long)info.macs, p->macs, dm * 100);
        cr_expect(dp < 0.005, "%s: %llu params vs published %.4g (%.2f %%)", p->arch,
                  (unsigned long long)info.params, p->params, dp * 100);
        if (p->exact_macs)
            cr_expect_eq(info.macs, p->exact_macs, "%s MACs %llu", p->arch,
                         (unsigned long long)info.macs);
        if (p->exact_params)
            cr_expect_eq(info.params, p->exact_params, "%s params %llu", p->arch,
                         (unsigned long long)info.params);
        /* int8 and sparse variants report the same architecture counts */
        snprintf(name, sizeof name, "%s_int8_p75", p->arch);
        eb_model_info q = describe(name);
        cr_expect_eq(q.macs, info.macs);
        cr_expect_eq(q.params, info.params);
        cr_expect(q.macs_nonzero <= q.macs);
    }
}

Test(model_counts, shapes_of_the_zoo)
{
    struct {
        const char *name;
        int32_t h, w, c, out;
    } want[] = {
        {"mobilenet_v1_fp32", 224, 224, 3, 1000}, {"mobilenet_v2_fp32", 224, 224, 3, 1000},
        {"ds_cnn_fp32", 49, 10, 1, 12},           {"vww_mobilenet_v1_025_fp32", 96, 96, 3, 2},
        {"resnet8_fp32", 32, 32, 3, 10},          {"fc_autoencoder_fp32", 1, 1, 640, 640},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        eb_model_info info = describe(want[i].name);
        cr_expect(info.in_h == want[i].h && info.in_w == want[i].w && info.in_c == want[i].c,
                  "%s input %dx%dx%d", want[i].name, info.in_h, info.in_w, info.in_c);
        cr_expect_eq(info.out_size, want[i].out, "%s", want[i].name);
        cr_expect_eq(info.input_bytes, (size_t)want[i].h * want[i].w * want[i].c * 4);
    }
}

Test(model_counts, names_and_aliases)
{
    const char *const *names;
    size_t n = eb_zoo_names(&names);
    cr_assert_eq(n, 60, "6 architectures x 10 variants, got %zu", n);
    for (size_t i = 0; i < n; i++) {
        eb_variant_spec v;
        cr_assert_eq(eb_variant_parse(names[i], &v), EB_OK, "%s", names[i]);
    }
    eb_variant_spec v;
    cr_assert_eq(eb_variant_parse("mobilenet_int8_p75", &v), EB_OK);
    cr_expect_str_eq(v.arch, "mobilenet_v1");
    cr_expect_eq(v.dtype, EB_S8);
    cr_expect_eq(v.prune, 'p');
    cr_expect_eq(v.pct, 75);
    cr_assert_eq(eb_variant_parse("resnet8_fp32_c30", &v), EB_OK);
    cr_expect(v.prune == 'c' && v.pct == 30 && v.dtype == EB_F32);
    const char *bad[] = {"mobilenet",          "mobilenet_v1",       "mobilenet_v1_fp16",
                         "resnet8_int8_p0",    "resnet8_int8_p100",  "resnet8_int8_p075",
                         "resnet8_int8_x50",   "resnet8_int8_p50_",  "resnet8_int8_p",
                         "resnet9_int8",       "resnet8_int8_p50_c50", "", "RESNET8_INT8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(eb_variant_parse(bad[i], &v), EB_ERR_ARG, "'%s' accepted", bad[i]);

    eb_model_info a = describe("mobilenet_int8");
    cr_expect_str_eq(a.name, "mobilenet_v1_int8");
    cr_expect_str_eq(a.arch, "mobilenet_v1");
    cr_expect_str_eq(a.variant, "int8");
}

Test(model_counts, unknown_model_error_lists_valid_names)
{
    eb_model *m = (eb_model *)0x1;
    char err[768] = "";
    eb_model_options o = {EB_KSET_REF, NULL};
    cr_assert_eq(eb_model_build("resnet9_int8", &o, &m, err, sizeof err), EB_ERR_ARG);
    cr_expect_null(m);
    cr_expect(strstr(err, "unknown model 'resnet9_int8'") != NULL, "%s", err);
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    for (size_t i = 0; i < na; i++)
        cr_expect(strstr(err, archs[i]) != NULL, "'%s' not in: %s", archs[i], err);
    cr_expect(strstr(err, "<fp32|int8>") != NULL, "%s", err);
}
