/* meter_memory.c - peak resident set size from /proc/self and getrusage. */
#include "meters.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

bool eb_rss_reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return false;
    /* "5" resets the peak RSS (VmHWM) to the current RSS. */
    bool ok = fputs("5", f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok;
}

static int64_t status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    size_t klen = strlen(key);
    int64_t v = -1;
    while (fgets(line, sizeof line, f)) {
        long long kb;
        if (!strncmp(line, key, klen) && line[klen] == ':' &&
            sscanf(line + klen + 1, "%lld", &kb) == 1) {
            v = (int64_t)kb * 1024;
            break;
        }
    }
    fclose(f);
    return v;
}

int64_t eb_rss_peak_bytes(void) { return status_kb("VmHWM"); }
int64_t eb_rss_current_bytes(void) { return status_kb("VmRSS"); }

int64_t eb_rusage_maxrss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (int64_t)ru.ru_maxrss * 1024; /* Linux reports kilobytes */
}
