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
            "usage: edgebench-agent [--baud N] [--models-dir DIR] [DEVICE | --stdio]\n"
            "       edgebench-agent --run MODEL[,MODEL...] [--cases FILE] [run options]\n\n"
            "Runs edgebench models on this board for a host running 'edgebench run --target'.\n"
            "DEVICE is the serial line to the host (e.g. /dev/ttyGS0 for USB gadget serial,\n"
            "/dev/ttyAMA0 or /dev/serial0 for the GPIO UART, /dev/ttyUSB0 for a USB-serial\n"
            "adapter). --stdio (or no DEVICE) speaks on stdin/stdout: the host starts it so\n"
            "over SSH ('ssh pi@raspberrypi.local edgebench-agent --stdio'). --baud defaults to\n"
            "115200. Uploaded .ebm model files are kept in --models-dir (default: .).\n"
            "Type 'help' on the line for the commands (targets/agent/README.md).\n\n"
            "--run measures the models here with no host on the line (what a LAVA job does,\n"
            "see 'edgebench lava job'): it prints the protocol lines a host would receive\n"
            "(id, info, kernel, s <index> <ns>, done; checksummed) and a 'plan' line per\n"
            "model on stdout, for 'edgebench lava collect' to turn into a report. Options:\n"
            "  --warmup N --warmup-time S    warm-up, at least N runs and S seconds (5, 0.5)\n"
            "  --min-iterations N --max-iterations N --min-time S --repetitions N\n"
            "                                per repetition as 'edgebench run' (20, 100000,\n"
            "                                1, 3)\n"
            "  --kernels SET                 a kernel set name or auto (default)\n"
            "  --threads N                   threads each inference is split over (1..64,\n"
            "                                default 1)\n"
            "  --cases FILE                  write 'lava-test-case' commands (p50, p90, p99,\n"
            "                                throughput, energy) to FILE\n"
            "  --active-w W                  the board's active power, for the energy case\n"
            "  --target NAME                 the board's target file name, for the reader\n");
}

static bool is_num_opt(const char *a, const char *const *opts, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(a, opts[i]))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    const char *dev = NULL, *dir = ".";
    bool stdio = false;
    eb_agent_run_plan plan = {NULL, "auto", 5, 0.5, 20, 100000, 1.0, 3, 0, NULL, NULL, 1};
    const char *num_opts[] = {"--warmup", "--warmup-time", "--min-iterations",
                              "--max-iterations", "--min-time", "--repetitions", "--active-w"};
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
        } else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
            plan.models = argv[++i];
        } else if (!strcmp(argv[i], "--target") && i + 1 < argc) {
            plan.target = argv[++i];
        } else if (!strcmp(argv[i], "--cases") && i + 1 < argc) {
            plan.cases = argv[++i];
        } else if (!strcmp(argv[i], "--kernels") && i + 1 < argc) {
            plan.kernels = argv[++i];
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > EB_PROTO_MAX_THREADS) {
                fprintf(stderr, "edgebench-agent: --threads expects 1..%d, got '%s'\n",
                        EB_PROTO_MAX_THREADS, argv[i]);
                return 2;
            }
            plan.threads = (int)t;
        } else if (is_num_opt(argv[i], num_opts, 7) && i + 1 < argc) {
            char *end;
            double v = strtod(argv[i + 1], &end);
            if (*end || !(v >= 0) || v > 1e7) {
                fprintf(stderr, "edgebench-agent: %s expects a number, got '%s'\n", argv[i],
                        argv[i + 1]);
                return 2;
            }
            const char *o = argv[i++];
            if (!strcmp(o, "--warmup"))
                plan.warmup = (uint64_t)v;
            else if (!strcmp(o, "--warmup-time"))
                plan.warmup_time_s = v;
            else if (!strcmp(o, "--min-iterations"))
                plan.min_iterations = (uint64_t)v;
            else if (!strcmp(o, "--max-iterations"))
                plan.max_iterations = (uint64_t)v;
            else if (!strcmp(o, "--min-time"))
                plan.min_time_s = v;
            else if (!strcmp(o, "--repetitions"))
                plan.repetitions = (uint64_t)v;
            else
                plan.active_w = v;
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
    if (plan.models) {
        if (dev || stdio) {
            fprintf(stderr, "edgebench-agent: --run measures without a line; drop %s\n",
                    dev ? dev : "--stdio");
            eb_agent_free(a);
            return 2;
        }
        char err[256] = "";
        eb_status rs = eb_agent_run_models(a, 1, &plan, err, sizeof err);
        if (rs != EB_OK)
            fprintf(stderr, "edgebench-agent: %s\n", err);
        eb_agent_free(a);
        return rs == EB_OK ? 0 : 1;
    }
    if (dev && isatty(2) && !getenv("EB_AGENT_QUIET"))
        fprintf(stderr, "edgebench-agent: serving on %s at %ld baud\n", dev, baud);
    eb_status st = eb_agent_serve(a, rfd, wfd);
    eb_agent_free(a);
    return st == EB_OK ? 0 : 1;
}
