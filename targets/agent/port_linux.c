/* port_linux.c - the agent's port layer for Linux boards. */
#include "eb_port.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

uint64_t eb_port_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int eb_port_peak_rss_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static uint64_t status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t v = 0;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') {
            v = strtoull(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

uint64_t eb_port_peak_rss_bytes(void)
{
    uint64_t kb = status_kb("VmHWM");
    if (kb)
        return kb * 1024;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        return (uint64_t)ru.ru_maxrss * 1024;
    return 0;
}

const char *eb_port_rss_method(void) { return "VmHWM after clear_refs"; }

const char *eb_port_arch(void)
{
#if defined(__aarch64__)
    return "aarch64";
#elif defined(__arm__)
    return "armhf";
#elif defined(__x86_64__)
    return "x86_64";
#else
    return "other";
#endif
}

void eb_port_os(char *buf, unsigned cap)
{
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(buf, cap, "%s %s", u.sysname, u.release);
    else
        snprintf(buf, cap, "unknown");
}

int eb_port_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    if (fscanf(f, "%ld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

int eb_port_clock_mhz(void)
{
    long khz = read_long("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    if (khz <= 0)
        khz = read_long("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq");
    return khz > 0 ? (int)(khz / 1000) : 0;
}

uint64_t eb_port_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
}

void eb_port_cpu(char *buf, unsigned cap)
{
    snprintf(buf, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        if (!strncmp(line, "model name", 10)) {
            snprintf(buf, cap, "%s", v);
            break;
        }
        if (!strncmp(line, "CPU part", 8)) { /* Arm: map the part number */
            unsigned long part = strtoul(v, NULL, 0);
            const char *name = NULL;
            switch (part) {
            case 0xd03: name = "Cortex-A53"; break;
            case 0xd04: name = "Cortex-A35"; break;
            case 0xd05: name = "Cortex-A55"; break;
            case 0xd07: name = "Cortex-A57"; break;
            case 0xd08: name = "Cortex-A72"; break;
            case 0xd0b: name = "Cortex-A76"; break;
            case 0xd0c: name = "Neoverse-N1"; break;
            case 0xc07: name = "Cortex-A7"; break;
            default: break;
            }
            if (name)
                snprintf(buf, cap, "%s", name);
            else
                snprintf(buf, cap, "Arm part 0x%lx", part);
            break;
        }
    }
    fclose(f);
    for (char *p = buf; *p; p++) /* one word on the wire */
        if (isspace((unsigned char)*p))
            *p = '_';
}

static speed_t baud_const(int baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 1500000: return B1500000;
    case 2000000: return B2000000;
    case 3000000: return B3000000;
    default: return 0;
    }
}

int eb_port_serial_open(const char *path, int baud)
{
    speed_t sp = baud_const(baud);
    if (!sp) {
        errno = EINVAL;
        return -1;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        cfsetispeed(&t, sp);
        cfsetospeed(&t, sp);
        if (tcsetattr(fd, TCSANOW, &t) != 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
    } /* not a tty (a FIFO in a test): use it as it is */
    return fd;
}
