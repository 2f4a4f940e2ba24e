/* test_env.c - environment capture: the CPU codename is libcpuid's only where its
 * database knows the CPU; elsewhere "unknown" with vendor, family and model. */
#include <criterion/criterion.h>
#include <string.h>

#include "eb_dispatch.h"
#include "env.h"

Test(env, codename_of_a_cpu_newer_than_libcpuid_is_unknown)
{
    char out[64];
    /* this machine: an Emerald Rapids Xeon (family 6, model 0xCF) that libcpuid 0.6.2
     * names "Xeon (Wolfdale)" or "Xeon (Conroe/2M)", a 2007 part */
    eb_cpu_codename("GenuineIntel", 6, 207, "Xeon (Wolfdale)", out, sizeof out);
    cr_assert_str_eq(out, "unknown (GenuineIntel family 6 model 207)");
    eb_cpu_codename("AuthenticAMD", 0x1A, 0x44, "Ryzen 9 (Rembrandt)", out, sizeof out);
    cr_assert_str_eq(out, "unknown (AuthenticAMD family 26 model 68)", "Zen 5");
    eb_cpu_codename("GenuineIntel", 6, 0x8F, "Xeon", out, sizeof out);
    cr_assert(!strncmp(out, "unknown (", 9), "Sapphire Rapids: %s", out);
    eb_cpu_codename("SomeVendor", 1, 2, "Thing", out, sizeof out);
    cr_assert_str_eq(out, "unknown (SomeVendor family 1 model 2)");
    /* in its database: kept */
    eb_cpu_codename("GenuineIntel", 6, 0x9E, "Coffee Lake (Core i7)", out, sizeof out);
    cr_assert_str_eq(out, "Coffee Lake (Core i7)");
    eb_cpu_codename("AuthenticAMD", 0x17, 0x71, "Ryzen 7 (Matisse)", out, sizeof out);
    cr_assert_str_eq(out, "Ryzen 7 (Matisse)");
    eb_cpu_codename("AuthenticAMD", 0x19, 0x61, "Ryzen 9 (Raphael)", out, sizeof out);
    cr_assert_str_eq(out, "Ryzen 9 (Raphael)");
    /* libcpuid knows the model but has no name for it */
    eb_cpu_codename("GenuineIntel", 6, 0x9E, "", out, sizeof out);
    cr_assert_str_eq(out, "unknown (GenuineIntel family 6 model 158)");
}

/* On this machine: whatever the CPU, a part with AVX2 is never a Core 2 (2006-2009). */
Test(env, captured_codename_is_not_a_core2_guess)
{
    eb_report_env e;
    memset(&e, 0, sizeof e);
    eb_env_snapshot s;
    eb_env_snapshot_take(&s);
    eb_env_capture(&e, EB_KSET_AUTO, &s);
    if (!e.cpu_known)
        cr_skip_test("no libcpuid identity on this build or machine");
    if (!eb_cpu_has(EB_F(AVX2)))
        cr_skip_test("no AVX2: a Core 2 codename could be right");
    static const char *const core2[] = {"Conroe", "Wolfdale", "Merom", "Penryn", "Kentsfield",
                                        "Yorkfield", "Harpertown", "Woodcrest", "Clovertown",
                                        "Allendale"};
    for (size_t i = 0; i < sizeof core2 / sizeof core2[0]; i++)
        cr_assert_null(strstr(e.codename, core2[i]), "codename '%s' on a CPU with AVX2",
                       e.codename);
}
