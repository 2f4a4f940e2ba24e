/* eb_port.h - the agent's thin port layer: what differs between boards and OSes.
 * port_linux.c implements it for Linux (Raspberry Pi OS, L4T, any glibc). */
#ifndef EB_PORT_H
#define EB_PORT_H

#include <stdint.h>

#include "eb_status.h"

/* Monotonic time in nanoseconds (the board's own clock). */
uint64_t eb_port_now_ns(void);
/* Resets the peak-RSS high-water mark (/proc/self/clear_refs); 0 on success. */
int eb_port_peak_rss_reset(void);
/* Peak resident set size in bytes (VmHWM), 0 when unreadable. */
uint64_t eb_port_peak_rss_bytes(void);
const char *eb_port_rss_method(void);
/* "aarch64", "armhf", "x86_64", ... (what this binary was built for). */
const char *eb_port_arch(void);
/* Kernel name and release, e.g. "Linux 6.1.0-rpi7-rpi-v8". */
void eb_port_os(char *buf, unsigned cap);
int eb_port_cores(void);
/* Current or maximum CPU clock in MHz from cpufreq, 0 when unreadable. */
int eb_port_clock_mhz(void);
uint64_t eb_port_memory_bytes(void);
/* CPU model string ("Cortex-A72" from the CPU part, or /proc/cpuinfo model name). */
void eb_port_cpu(char *buf, unsigned cap);
/* Opens a serial device raw 8N1 at baud. Returns the fd or -1 (errno set). */
int eb_port_serial_open(const char *path, int baud);

#endif
