/* test_dispatch.c - kernel selection, ISA naming and the status strings. */
#include <criterion/criterion.h>
#include <string.h>

#include "eb_dispatch.h"

Test(dispatch, ref_set_is_all_ref)
{
    eb_kernel_set ks;
    cr_assert_eq(eb_kernels_select(EB_KSET_REF, &ks), EB_OK);
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&ks, info, 64);
    cr_assert_eq(n, EB_KOP_COUNT, "every op and datatype has a ref kernel (got %zu)", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(info[i].isa, EB_ISA_REF, "%s is not ref", info[i].name);
        cr_assert(strstr(info[i].name, "_ref") != NULL, "%s", info[i].name);
    }
}

Test(dispatch, auto_never_picks_what_cpu_lacks)
{
    eb_kernel_set ks;
    cr_assert_eq(eb_kernels_select(EB_KSET_AUTO, &ks), EB_OK);
    eb_kernel_info info[64];
    size_t n = eb_kernel_set_describe(&ks, info, 64);
    for (size_t i = 0; i < n; i++) {
        cr_assert(eb_isa_runnable(info[i].isa), "%s chosen but not runnable", info[i].name);
        cr_assert(eb_cpu_has(eb_kernel_needs(info[i].isa, info[i].kop)),
                  "%s chosen but this CPU lacks what it needs", info[i].name);
    }
}

/* --kernels takes exactly the sets of the ISA table, and its help lists them all. */
Test(dispatch, kset_choices_follow_the_isa_table)
{
    const char *choices = eb_kset_choices();
    cr_assert(!strncmp(choices, "auto, ", 6), "%s", choices);
    int sets = 0;
    for (int i = 0; i < EB_ISA_COUNT; i++) {
        const eb_isa_info *ii = eb_isa_get((eb_isa)i);
        eb_kset k;
        eb_status st = eb_kset_parse(ii->name, &k);
        if (ii->ext) {
            cr_assert_eq(st, EB_ERR_ARG, "%s is an extension, not a set", ii->name);
            continue;
        }
        sets++;
        cr_assert_eq(st, EB_OK, "%s", ii->name);
        cr_assert_eq(eb_kset_isa(k), (eb_isa)i);
        cr_assert(strstr(choices, ii->name) != NULL, "%s missing from '%s'", ii->name, choices);
        char why[256];
        const char *no = eb_kset_why_not(k, why, sizeof why);
        cr_assert_eq(no == NULL, eb_isa_runnable((eb_isa)i), "%s: %s", ii->name, no ? no : "-");
    }
    cr_assert_eq(sets + 1, EB_KSET_COUNT);
}

Test(dispatch, forced_missing_isa_is_refused)
{
    eb_kernel_set ks;
    eb_status want = eb_isa_runnable(EB_ISA_NEON) ? EB_OK : EB_ERR_UNSUPPORTED;
    cr_assert_eq(eb_kernels_select(EB_KSET_NEON, &ks), want);
    want = eb_isa_runnable(EB_ISA_AVX2) ? EB_OK : EB_ERR_UNSUPPORTED;
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX2, &ks), want);
    want = eb_isa_runnable(EB_ISA_AVX512) ? EB_OK : EB_ERR_UNSUPPORTED;
    cr_assert_eq(eb_kernels_select(EB_KSET_AVX512, &ks), want);
}

Test(dispatch, kset_names_round_trip)
{
    const char *names[] = {"auto", "ref", "avx2", "neon", "avx512"};
    for (int i = 0; i < 5; i++) {
        eb_kset k;
        cr_assert_eq(eb_kset_parse(names[i], &k), EB_OK);
        cr_assert_str_eq(eb_kset_name(k), names[i]);
    }
    eb_kset k;
    cr_assert_eq(eb_kset_parse("sse9", &k), EB_ERR_ARG);
    cr_assert_eq(eb_kset_parse(NULL, &k), EB_ERR_ARG);
}

Test(dispatch, status_strings)
{
    cr_assert_str_eq(eb_status_str(EB_OK), "ok");
    cr_assert_str_eq(eb_status_str(EB_ERR_TIMEOUT), "timed out");
    cr_assert_str_eq(eb_status_str((eb_status)-99), "unknown error");
}

/* fill_isa: ref underneath, the ISA's own entries on top, whatever the CPU has. */
Test(dispatch, fill_isa_overlays_one_isa_on_ref)
{
    for (int isa = 0; isa < EB_ISA_COUNT; isa++) {
        eb_kernel_set ks;
        eb_kernels_fill_isa((eb_isa)isa, &ks);
        eb_kernel_info info[64];
        size_t n = eb_kernel_set_describe(&ks, info, 64);
        cr_assert_eq(n, EB_KOP_COUNT, "%s: every entry filled", eb_isa_name((eb_isa)isa));
        size_t own = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert(info[i].isa == (eb_isa)isa || info[i].isa == EB_ISA_REF, "%s in %s",
                      info[i].name, eb_isa_name((eb_isa)isa));
            own += info[i].isa == (eb_isa)isa;
        }
        if (isa == EB_ISA_REF)
            cr_assert_eq(own, EB_KOP_COUNT);
        else if (eb_isa_compiled((eb_isa)isa))
            cr_assert_gt(own, 0, "%s is compiled in but filled nothing",
                         eb_isa_name((eb_isa)isa));
        else
            cr_assert_eq(own, 0);
    }
}
