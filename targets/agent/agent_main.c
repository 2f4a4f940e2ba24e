/* agent_main.c - edgebench-agent: serves the agent protocol on a serial device given on
 * the command line, or on stdin/stdout. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_agent.h"
#include "eb_port.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench-agent [--baud N] [--models-dir DIR] [DEVICE | --stdio]\n\n"
            "Runs edgebench models on this board for a host running 'edgebench run --target'.\n"
            "DEVICE is the serial line to the host (e.g. /dev/ttyGS0 for USB gadget serial,\n"
            "/dev/ttyAMA0 or /dev/serial0 for the GPIO UART, /dev/ttyUSB0 for a USB-serial\n"
            "adapter). --stdio (or no DEVICE) speaks on stdin/stdout: the host starts it so\n"
            "over SSH ('ssh pi@raspberrypi.local edgebench-agent --stdio'). --baud defaults to\n"
            "115200. Uploaded .ebm model files are kept in --models-dir (default: .).\n"
            "Type 'help' on the line for the commands (targets/agent/README.md).\n");
}

int main(int argc, char **argv)
{
    const char *dev = NULL, *dir = ".";
    bool stdio = false;
    long baud = 115200;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("%s %s proto=%d (%s)\n", EB_AGENT_NAME, EB_AGENT_VERSION,
                   EB_PROTO_VERSION, eb_port_arch());
            return 0;
        } else if (!strcmp(argv[i], "--baud") && i + 1 < argc) {
            char *end;
            baud = strtol(argv[++i], &end, 10);
            if (*end || baud <= 0) {
                fprintf(stderr, "edgebench-agent: --baud expects a number, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--stdio")) {
            stdio = true;
        } else if (!strcmp(argv[i], "--models-dir") && i + 1 < argc) {
            dir = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "edgebench-agent: unknown option '%s'; see --help\n", argv[i]);
            return 2;
        } else if (!dev) {
            dev = argv[i];
        } else {
            fprintf(stderr, "edgebench-agent: one device only, got also '%s'\n", argv[i]);
            return 2;
        }
    }
    if (stdio && dev) {
        fprintf(stderr, "edgebench-agent: --stdio and a device ('%s') exclude each other\n", dev);
        return 2;
    }
    const eb_agent_backend *be = eb_agent_models_backend();
    signal(SIGPIPE, SIG_IGN); /* a vanished host is a write error, not a death */
    int rfd = 0, wfd = 1;
    if (dev) {
        int fd = eb_port_serial_open(dev, (int)baud);
        if (fd < 0) {
            fprintf(stderr, "edgebench-agent: cannot open %s at %ld baud: %s\n", dev, baud,
                    errno == EINVAL ? "unsupported baud rate" : strerror(errno));
            return 2;
        }
        rfd = wfd = fd;
    }
    eb_agent_config cfg = {.backend = be, .models_dir = dir};
    eb_agent *a = eb_agent_new(&cfg);
    if (!a) {
        fprintf(stderr, "edgebench-agent: out of memory\n");
        return 2;
    }
    if (dev && isatty(2) && !getenv("EB_AGENT_QUIET"))
        fprintf(stderr, "edgebench-agent: serving on %s at %ld baud\n", dev, baud);
    eb_status st = eb_agent_serve(a, rfd, wfd);
    eb_agent_free(a);
    return st == EB_OK ? 0 : 1;
}
