/* peak.c - measures the compute ceiling of peak.h. Portable: the ISA-specific chains
 * live in files compiled for that ISA and are only called when the CPU can run them. */
#include "peak.h"

#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef double (*chain_fn)(uint64_t iters);

/* The chains this binary has: one row per ISA and datatype (peak_<suffix>.c, built with
 * the flags of that ISA's files), each with the features it needs. */
typedef struct {
    eb_isa isa;
    eb_dtype dt;
    eb_features needs;
    chain_fn fn;
    const char *method;
} chain_row;

static const chain_row g_chains[] = {
#if defined(EB_HAVE_AVX2)
    {EB_ISA_AVX2, EB_F32, 0, eb_peak_f32_avx2, "12 chains of vfmadd231ps ymm (16 flop each)"},
    {EB_ISA_AVX2, EB_S8, 0, eb_peak_s8_avx2,
     "6 chains of vpmaddubsw+vpmaddwd+vpaddd ymm (64 op each)"},
#endif
#if defined(EB_HAVE_AVXVNNI)
    {EB_ISA_AVXVNNI, EB_S8, 0, eb_peak_s8_avxvnni, "12 chains of vpdpbusd ymm (64 op each)"},
#endif
#if defined(EB_HAVE_AVX512)
    {EB_ISA_AVX512, EB_F32, 0, eb_peak_f32_avx512, "12 chains of vfmadd231ps zmm (32 flop each)"},
    {EB_ISA_AVX512, EB_S8, EB_F(AVX512VNNI), eb_peak_s8_avx512,
     "12 chains of vpdpbusd zmm (128 op each)"},
#endif
#if defined(EB_HAVE_AMX)
    {EB_ISA_AMX, EB_S8, 0, eb_peak_s8_amx, "6 chains of tdpbusd, tiles in registers (32768 op each)"},
#endif
    {EB_ISA_REF, EB_F32, 0, NULL, "none"},
};

static const chain_row *chain_row_for(eb_isa isa, eb_dtype dt)
{
    for (size_t i = 0; g_chains[i].fn; i++)
        if (g_chains[i].isa == isa && g_chains[i].dt == dt)
            return &g_chains[i];
    return NULL;
}

static chain_fn chain_for(eb_isa isa, eb_dtype dt)
{
    const chain_row *r = chain_row_for(isa, dt);
    return r && eb_isa_runnable(isa) && eb_cpu_has(r->needs) ? r->fn : NULL;
}

bool eb_peak_available(eb_isa isa, eb_dtype dt)
{
    return chain_for(isa, dt) != NULL;
}

const char *eb_peak_method(eb_isa isa, eb_dtype dt)
{
    const chain_row *r = chain_row_for(isa, dt);
    return r ? r->method : "none";
}

double eb_peak_sample(eb_isa isa, eb_dtype dt, uint64_t iters, double *ops)
{
    chain_fn f = chain_for(isa, dt);
    *ops = 0.0;
    if (!f)
        return 0.0;
    double t0 = now_s();
    *ops = f(iters);
    return now_s() - t0;
}

double eb_peak_measure(eb_isa isa, eb_dtype dt, double seconds)
{
    chain_fn f = chain_for(isa, dt);
    if (!f)
        return 0.0;
    /* calibrate on a short run, then one run of the requested length */
    uint64_t iters = 20000;
    double ops = 0.0, t = 0.0;
    for (;;) {
        double t0 = now_s();
        ops = f(iters);
        t = now_s() - t0;
        if (t >= seconds * 0.25 || iters > (UINT64_C(1) << 40))
            break;
        iters *= t > 0.0 && t * 16 < seconds ? 8 : 2;
    }
    if (t < seconds) {
        iters = (uint64_t)((double)iters * seconds / (t > 0.0 ? t : seconds));
        double t0 = now_s();
        ops = f(iters);
        t = now_s() - t0;
    }
    return t > 0.0 ? ops / t : 0.0;
}
