/* amx_enable.c - may this process run tile instructions? CPUID, XCR0, then the Linux
 * permission request (see eb_amx.h). Built WITHOUT the folder's ISA flags: it runs on
 * any x86-64 CPU, before anything is known about it. The answer is process-wide state
 * by nature (the kernel grants the permission per process), kept in one pthread_once. */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eb_amx.h"

/* From <asm/prctl.h> and the x86 XSAVE layout; spelled out for older headers. */
#define EB_ARCH_GET_XCOMP_PERM 0x1022
#define EB_ARCH_REQ_XCOMP_PERM 0x1023
#define EB_XFEATURE_XTILECFG 17
#define EB_XFEATURE_XTILEDATA 18

static pthread_once_t amx_once = PTHREAD_ONCE_INIT;
static atomic_bool amx_ok;
static char amx_why[160];

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* Returns NULL when the CPU and OS allow tiles, else why not (into buf or a literal). */
static const char *amx_check(char *buf, size_t n)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
        return "the OS has not enabled XSAVE (CPUID.1:ECX[27] OSXSAVE is 0)";
    if (__get_cpuid_max(0, NULL) < 7 || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return "the CPU has no CPUID leaf 7 (no AMX)";
    if (!(d & (1u << 24)))
        return "the CPU has no AMX-TILE (CPUID.(7,0):EDX[24] is 0)";
    if (!(d & (1u << 25)))
        return "the CPU has no AMX-INT8 (CPUID.(7,0):EDX[25] is 0)";
    const uint64_t need = (UINT64_C(1) << EB_XFEATURE_XTILECFG) |
                          (UINT64_C(1) << EB_XFEATURE_XTILEDATA);
    const uint64_t xcr0 = xgetbv0();
    if ((xcr0 & need) != need) {
        snprintf(buf, n, "the OS has not enabled the tile state (XCR0 = 0x%llx, bits 17-18 "
                 "not both set)", (unsigned long long)xcr0);
        return buf;
    }
    if (syscall(SYS_arch_prctl, EB_ARCH_REQ_XCOMP_PERM, EB_XFEATURE_XTILEDATA) != 0) {
        snprintf(buf, n, "Linux refused the tile permission: arch_prctl(ARCH_REQ_XCOMP_PERM, "
                 "XTILEDATA): %s (a kernel before 5.16?)", strerror(errno));
        return buf;
    }
    uint64_t perm = 0;
    if (syscall(SYS_arch_prctl, EB_ARCH_GET_XCOMP_PERM, &perm) != 0 ||
        !(perm & (UINT64_C(1) << EB_XFEATURE_XTILEDATA))) {
        snprintf(buf, n, "the tile permission did not stick (ARCH_GET_XCOMP_PERM = 0x%llx)",
                 (unsigned long long)perm);
        return buf;
    }
    return NULL;
}

static void amx_once_fn(void)
{
    char buf[sizeof amx_why];
    const char *why = amx_check(buf, sizeof buf);
    if (why) {
        snprintf(amx_why, sizeof amx_why, "%s", why);
        return;
    }
    atomic_store(&amx_ok, true);
}

bool eb_amx_enable(char *why, size_t n)
{
    pthread_once(&amx_once, amx_once_fn);
    const bool ok = atomic_load(&amx_ok);
    if (!ok && why && n)
        snprintf(why, n, "%s", amx_why);
    else if (why && n)
        why[0] = '\0';
    return ok;
}

bool eb_amx_ready(void)
{
    return atomic_load(&amx_ok);
}
