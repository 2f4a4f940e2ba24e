/* list_targets.c - `edgebench list targets`: the target descriptions --target accepts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eb_target.h"

int eb_list_targets(void)
{
    char names[2048];
    size_t n = eb_target_names(names, sizeof names);
    if (n == 0) {
        eb_error("no target descriptions found; set EB_TARGETS_DIR to the targets/ folder");
        return EB_EXIT_USAGE;
    }
    printf("targets in %s (--target NAME, or --target FILE.json; a new board: drop a\n"
           "file there, see targets/README.md):\n\n", eb_targets_dir());
    printf("%-12s %-8s %-34s %5s %6s %7s %8s %6s  %s\n", "name", "arch", "reached by", "cores",
           "MHz", "idle_w", "active_w", "USD", "description");
    char *save = NULL;
    for (char *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        eb_target t;
        char err[512];
        if (eb_target_load(name, &t, err, sizeof err) != EB_OK) {
            printf("%-12s (invalid: %s)\n", name, err);
            continue;
        }
        char reach[96], mhz[16], usd[16];
        if (!strcmp(t.desc.transport, "serial") && strstr(t.device, "://"))
            snprintf(reach, sizeof reach, "serial server %.60s", t.device);
        else if (!strcmp(t.desc.transport, "serial"))
            snprintf(reach, sizeof reach, "serial %.40s %d %s", t.device, (int)t.baud,
                     !strcmp(t.protocol, "mlperf-tiny") ? "mlperf-tiny" : "agent");
        else if (!strcmp(t.desc.transport, "ssh"))
            snprintf(reach, sizeof reach, "ssh %.60s", t.host[0] ? t.host : "(--host)");
        else
            snprintf(reach, sizeof reach, "%s", t.desc.transport);
        snprintf(mhz, sizeof mhz, t.desc.clock_mhz > 0 ? "%.0f" : "-", t.desc.clock_mhz);
        snprintf(usd, sizeof usd, t.desc.price_usd >= 0 ? "%.0f" : "-", t.desc.price_usd);
        printf("%-12s %-8s %-34s %5d %6s %7.2f %8.2f %6s  %s\n", t.desc.name, t.desc.arch,
               reach, (int)t.desc.cores, mhz, t.desc.power_model.idle_w,
               t.desc.power_model.active_w, usd, t.description);
    }
    return EB_EXIT_OK;
}
