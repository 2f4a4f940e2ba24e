/* env.c - environment capture and trust warnings. Everything unreadable stays null. */
#include "env.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#if defined(EB_HAVE_CPUID)
#include <libcpuid/libcpuid.h>
#endif

void eb_utc_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = 0;
    return ok && buf[0];
}

static double read_number(const char *path)
{
    char b[64];
    if (!read_line(path, b, sizeof b))
        return NAN;
    char *end;
    double v = strtod(b, &end);
    return end == b ? NAN : v;
}

/* Current frequency of CPU 0: cpufreq, else /proc/cpuinfo "cpu MHz". */
static double read_freq_mhz(void)
{
    double khz = read_number("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq");
    if (isfinite(khz))
        return khz / 1000;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return NAN;
    char line[256];
    double mhz = NAN;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "cpu MHz", 7)) {
            char *c = strchr(line, ':');
            if (c)
                mhz = strtod(c + 1, NULL);
            break;
        }
    fclose(f);
    return mhz;
}

/* Highest reading of the thermal zones (millidegrees C in sysfs). */
static double read_temp_c(void)
{
    DIR *d = opendir("/sys/class/thermal");
    if (!d)
        return NAN;
    double best = NAN;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "thermal_zone", 12))
            continue;
        char p[300];
        snprintf(p, sizeof p, "/sys/class/thermal/%s/temp", e->d_name);
        double v = read_number(p);
        if (isfinite(v) && (!isfinite(best) || v / 1000 > best))
            best = v / 1000;
    }
    closedir(d);
    return best;
}

static int64_t read_throttle_count(void)
{
    int64_t sum = -1;
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    for (long i = 0; i < ncpu && i < 1024; i++) {
        char p[160];
        snprintf(p, sizeof p,
                 "/sys/devices/system/cpu/cpu%ld/thermal_throttle/core_throttle_count", i);
        double v = read_number(p);
        if (isfinite(v))
            sum = (sum < 0 ? 0 : sum) + (int64_t)v;
    }
    return sum;
}

static void read_cpu_stat(eb_env_snapshot *s)
{
    s->stat_ok = false;
    FILE *f = fopen("/proc/stat", "r");
    if (f) {
        unsigned long long v[10] = {0};
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]) == 8) {
            uint64_t total = 0;
            for (int i = 0; i < 8; i++)
                total += v[i];
            s->cpu_total_ticks = total;
            s->cpu_busy_ticks = total - v[3] - v[4]; /* minus idle and iowait */
            s->stat_ok = true;
        }
        fclose(f);
    }
    f = fopen("/proc/self/stat", "r");
    if (f) {
        char b[1024];
        size_t n = fread(b, 1, sizeof b - 1, f);
        b[n] = 0;
        fclose(f);
        /* fields after the ")" of the command name: state is field 3, utime 14, stime 15 */
        char *p = strrchr(b, ')');
        unsigned long long ut = 0, st = 0;
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                        &st) == 2)
            s->self_ticks = ut + st;
        else
            s->stat_ok = false;
    } else {
        s->stat_ok = false;
    }
}

void eb_env_snapshot_take(eb_env_snapshot *s)
{
    memset(s, 0, sizeof *s);
    double l[3];
    if (getloadavg(l, 3) == 3)
        memcpy(s->load, l, sizeof l);
    else
        s->load[0] = s->load[1] = s->load[2] = NAN;
    s->freq_mhz = read_freq_mhz();
    s->temp_c = read_temp_c();
    s->throttle_count = read_throttle_count();
    read_cpu_stat(s);
}

static void add_isa(eb_report_env *e, const char *name)
{
    if (e->n_isa_features < EB_REPORT_MAX_ISA)
        snprintf(e->isa_features[e->n_isa_features++], sizeof e->isa_features[0], "%s", name);
}

void eb_env_capture(eb_report_env *e, eb_kset kernels, const eb_env_snapshot *before)
{
#if defined(EB_HAVE_CPUID)
    struct cpu_raw_data_t raw;
    struct cpu_id_t id;
    if (cpuid_present() && cpuid_get_raw_data(&raw) == 0 && cpu_identify(&raw, &id) == 0) {
        e->cpu_known = true;
        snprintf(e->vendor, sizeof e->vendor, "%s", id.vendor_str);
        snprintf(e->brand, sizeof e->brand, "%s", id.brand_str);
        snprintf(e->codename, sizeof e->codename, "%s", id.cpu_codename);
        e->cores = id.num_cores;
        e->threads = id.num_logical_cpus;
        e->l1d_kb = id.l1_data_cache;
        e->l2_kb = id.l2_cache;
        e->l3_kb = id.l3_cache;
    }
#endif
    if (!e->cpu_known) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        e->cores = e->threads = n > 0 ? (int32_t)n : -1;
    }
    eb_features f = eb_cpu_detect();
    for (int i = 0; i < EB_FEAT_COUNT; i++)
        if ((f >> i) & 1)
            add_isa(e, eb_feature_name((eb_feature)i));
    snprintf(e->kernel_set, sizeof e->kernel_set, "%s", eb_kset_name(kernels));
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(e->os_kernel, sizeof e->os_kernel, "%.20s %.60s %.70s", u.sysname, u.release,
                 u.version);
        snprintf(e->hostname, sizeof e->hostname, "%s", u.nodename);
    }
    if (!read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", e->governor,
                   sizeof e->governor))
        e->governor[0] = 0;
    e->frequency_mhz = before->freq_mhz;
    e->temperature_c = before->temp_c;
    memcpy(e->load_before, before->load, sizeof e->load_before);
}

void eb_env_finish(eb_report_env *e, const eb_env_snapshot *after)
{
    memcpy(e->load_after, after->load, sizeof e->load_after);
}

static bool hypervisor_present(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[4096];
    bool hv = false;
    while (!hv && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor"))
            hv = true;
    fclose(f);
    return hv;
}

void eb_env_warnings(eb_report *r, const eb_env_snapshot *b, const eb_env_snapshot *a)
{
    if (eb_sanitized_build())
        eb_report_warn(r, "sanitizer build (ASan/UBSan): timings are not representative");
#if defined(EB_TEST_SLOWDOWN_PCT) && EB_TEST_SLOWDOWN_PCT > 0
    eb_report_warn(r, "test build: every inference deliberately slowed by %d %% "
                      "(EB_TEST_SLOWDOWN_PCT)", EB_TEST_SLOWDOWN_PCT);
#endif
    const char *bt = eb_build_type();
    if (!strcmp(bt, "Debug") || !strcmp(bt, "") || !strcmp(bt, "None"))
        eb_report_warn(r, "%s build without optimization: timings are not representative",
                       *bt ? bt : "untyped");
    const char *gov = r->environment.governor;
    if (*gov && strcmp(gov, "performance"))
        eb_report_warn(r, "frequency scaling: governor is '%s', not 'performance'", gov);
    if (isfinite(b->freq_mhz) && isfinite(a->freq_mhz) &&
        fabs(a->freq_mhz - b->freq_mhz) > 0.05 * b->freq_mhz)
        eb_report_warn(r, "frequency changed during the run: %.0f MHz before, %.0f MHz after",
                       b->freq_mhz, a->freq_mhz);
    if (b->throttle_count >= 0 && a->throttle_count > b->throttle_count)
        eb_report_warn(r, "thermal throttling seen during the run (%lld throttle events)",
                       (long long)(a->throttle_count - b->throttle_count));
    if (isfinite(b->load[0]) && b->load[0] > EB_LOAD_WARN)
        eb_report_warn(r, "other load: 1-minute load average was %.2f before the run",
                       b->load[0]);
    if (b->stat_ok && a->stat_ok && a->cpu_total_ticks > b->cpu_total_ticks) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        double total = (double)(a->cpu_total_ticks - b->cpu_total_ticks);
        double busy = (double)(a->cpu_busy_ticks - b->cpu_busy_ticks);
        double self = (double)(a->self_ticks - b->self_ticks);
        /* /proc/stat sums every CPU: the run lasted total/ncpu ticks of wall time */
        double wall = total / (double)(ncpu > 0 ? ncpu : 1);
        double others = wall > 0 ? (busy - self) / wall : 0;
        if (others > EB_OTHER_LOAD_WARN)
            eb_report_warn(r, "other load: other processes used %.2f cores during the run",
                           others);
    }
    if (hypervisor_present())
        eb_report_warn(r, "virtual machine (hypervisor CPU flag): other guests may share these "
                          "cores, timings follow the host's load");
    if (r->target.emulated)
        eb_report_warn(r, "emulated target: timings come from an emulator, not the board");
}

void eb_result_warnings(eb_report *r, const eb_report_result *res)
{
    if (res->latency.cv > EB_CV_WARN)
        eb_report_warn(r, "%s: latency CV %.1f %% is above %.0f %%: noisy measurement",
                       res->name, res->latency.cv * 100, EB_CV_WARN * 100);
    if (!res->complete)
        eb_report_warn(r, "%s: interrupted, the result holds the samples taken so far",
                       res->name);
}
