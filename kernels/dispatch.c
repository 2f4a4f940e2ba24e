/* dispatch.c - detects the CPU's features once and fills the kernel table. */
#include "eb_dispatch.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) || defined(__arm__)
#include <sys/auxv.h>
#endif

static eb_cpu_features g_features;
static int g_detected;

#if defined(__x86_64__) || defined(__i386__)
static unsigned long long read_xcr0(void)
{
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static void detect_x86(eb_cpu_features *f)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx)
        return;
    unsigned long long xcr0 = read_xcr0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;            /* SSE and AVX state */
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    if (__get_cpuid_max(0, NULL) < 7)
        return;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    /* the avx512 set: leaf 7 EBX bit 16 AVX512F, bit 30 AVX512BW, bit 31 AVX512VL; ECX
     * bit 11 AVX512_VNNI; plus XCR0 bits 5-7 (ZMM state) and the AVX2+FMA it falls
     * back to */
    int avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1, vnni = (c >> 11) & 1;
    f->avx2_fma = ymm_ok && avx2 && fma;
    f->avx512f = zmm_ok && avx512f;
    f->avx512_vnni = f->avx512f && f->avx2_fma && avx512bw && avx512vl && vnni;
}
#endif

#if defined(__aarch64__)
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#elif defined(__arm__)
#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12)
#endif
#endif

const eb_cpu_features *eb_cpu_detect(void)
{
    if (g_detected)
        return &g_features;
    eb_cpu_features f;
    memset(&f, 0, sizeof f);
#if defined(__x86_64__) || defined(__i386__)
    detect_x86(&f);
#elif defined(__aarch64__)
    unsigned long hw = getauxval(AT_HWCAP);
    f.neon = (hw & HWCAP_ASIMD) != 0;
    f.dotprod = (hw & HWCAP_ASIMDDP) != 0;
#elif defined(__arm__)
    unsigned long hw = getauxval(AT_HWCAP);
    f.neon = (hw & HWCAP_NEON) != 0;
#endif
    g_features = f;
    g_detected = 1;
    return &g_features;
}

bool eb_isa_compiled(eb_isa isa)
{
    switch (isa) {
    case EB_ISA_REF: return true;
#if defined(EB_HAVE_AVX2)
    case EB_ISA_AVX2: return true;
#endif
#if defined(EB_HAVE_NEON)
    case EB_ISA_NEON: return true;
#endif
#if defined(EB_HAVE_AVX512)
    case EB_ISA_AVX512: return true;
#endif
#if defined(EB_HAVE_NEON) && defined(EB_HAVE_NEON_DOT)
    case EB_ISA_NEON_DOT: return true;
#endif
    default: return false;
    }
}

bool eb_isa_runnable(eb_isa isa)
{
    const eb_cpu_features *f = eb_cpu_detect();
    if (!eb_isa_compiled(isa))
        return false;
    switch (isa) {
    case EB_ISA_REF: return true;
    case EB_ISA_AVX2: return f->avx2_fma;
    case EB_ISA_NEON: return f->neon;
    case EB_ISA_NEON_DOT: return f->neon && f->dotprod;
    case EB_ISA_AVX512: return f->avx512_vnni;
    default: return false;
    }
}

const char *eb_isa_name(eb_isa isa)
{
    switch (isa) {
    case EB_ISA_REF: return "ref";
    case EB_ISA_AVX2: return "avx2";
    case EB_ISA_NEON: return "neon";
    case EB_ISA_NEON_DOT: return "neon-dot";
    case EB_ISA_AVX512: return "avx512";
    default: return "?";
    }
}

static const char *const kset_names[] = {"auto", "ref", "avx2", "neon", "avx512"};

eb_status eb_kset_parse(const char *s, eb_kset *out)
{
    for (size_t i = 0; i < sizeof kset_names / sizeof kset_names[0]; i++) {
        if (s && strcmp(s, kset_names[i]) == 0) {
            *out = (eb_kset)i;
            return EB_OK;
        }
    }
    return EB_ERR_ARG;
}

const char *eb_kset_name(eb_kset k)
{
    return (unsigned)k < sizeof kset_names / sizeof kset_names[0] ? kset_names[k] : "?";
}

void eb_kernels_fill_isa(eb_isa isa, eb_kernel_set *ks)
{
    memset(ks, 0, sizeof *ks);
    eb_kernels_fill_ref(ks);
    switch (isa) {
#if defined(EB_HAVE_AVX2)
    case EB_ISA_AVX2: eb_kernels_fill_avx2(ks); break;
#endif
#if defined(EB_HAVE_AVX512)
    case EB_ISA_AVX512: eb_kernels_fill_avx512(ks); break;
#endif
#if defined(EB_HAVE_NEON)
    case EB_ISA_NEON: eb_kernels_fill_neon(ks, false); break;
    case EB_ISA_NEON_DOT: eb_kernels_fill_neon(ks, true); break;
#endif
    default: break;
    }
}

eb_status eb_kernels_select(eb_kset want, eb_kernel_set *ks)
{
    memset(ks, 0, sizeof *ks);
    eb_kernels_fill_ref(ks);
    switch (want) {
    case EB_KSET_REF:
        return EB_OK;
    case EB_KSET_AVX2:
        if (!eb_isa_runnable(EB_ISA_AVX2))
            return EB_ERR_UNSUPPORTED;
        break;
    case EB_KSET_NEON:
        if (!eb_isa_runnable(EB_ISA_NEON))
            return EB_ERR_UNSUPPORTED;
        break;
    case EB_KSET_AVX512:
        if (!eb_isa_runnable(EB_ISA_AVX512))
            return EB_ERR_UNSUPPORTED;
        break;
    case EB_KSET_AUTO:
        break;
    default:
        return EB_ERR_ARG;
    }
#if defined(EB_HAVE_AVX2)
    if ((want == EB_KSET_AUTO || want == EB_KSET_AVX2 || want == EB_KSET_AVX512) &&
        eb_isa_runnable(EB_ISA_AVX2))
        eb_kernels_fill_avx2(ks);
#endif
#if defined(EB_HAVE_AVX512)
    if ((want == EB_KSET_AUTO || want == EB_KSET_AVX512) && eb_isa_runnable(EB_ISA_AVX512))
        eb_kernels_fill_avx512(ks);
#endif
#if defined(EB_HAVE_NEON)
    if ((want == EB_KSET_AUTO || want == EB_KSET_NEON) && eb_isa_runnable(EB_ISA_NEON))
        eb_kernels_fill_neon(ks, eb_isa_runnable(EB_ISA_NEON_DOT));
#endif
    return EB_OK;
}

#define DESCRIBE(field, opname, dt)                                                      \
    do {                                                                                 \
        if (n < max && ks->field.name) {                                                 \
            out[n].op = opname;                                                          \
            out[n].dtype = dt;                                                           \
            out[n].name = ks->field.name;                                                \
            out[n].isa = ks->field.isa;                                                  \
        }                                                                                \
        if (ks->field.name)                                                              \
            n++;                                                                         \
    } while (0)

size_t eb_kernel_set_describe(const eb_kernel_set *ks, eb_kernel_info *out, size_t max)
{
    size_t n = 0;
    DESCRIBE(conv2d_f32, "conv2d", "f32");
    DESCRIBE(conv2d_s8, "conv2d", "s8");
    DESCRIBE(dwconv_f32, "dwconv", "f32");
    DESCRIBE(dwconv_s8, "dwconv", "s8");
    DESCRIBE(fc_f32, "fc", "f32");
    DESCRIBE(fc_s8, "fc", "s8");
    DESCRIBE(spfc_f32, "fc_sparse", "f32");
    DESCRIBE(spfc_s8, "fc_sparse", "s8");
    DESCRIBE(avgpool_f32, "avgpool", "f32");
    DESCRIBE(avgpool_s8, "avgpool", "s8");
    DESCRIBE(maxpool_f32, "maxpool", "f32");
    DESCRIBE(maxpool_s8, "maxpool", "s8");
    DESCRIBE(gap_f32, "gap", "f32");
    DESCRIBE(gap_s8, "gap", "s8");
    DESCRIBE(add_f32, "add", "f32");
    DESCRIBE(add_s8, "add", "s8");
    DESCRIBE(softmax_f32, "softmax", "f32");
    DESCRIBE(softmax_s8, "softmax", "s8");
    return n;
}
