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
    printf("targets in %s (--target NAME, or --target FILE.json):\n\n", eb_targets_dir());
    printf("%-12s %-8s %-9s %5s %7s %8s  %s\n", "name", "arch", "transport", "cores", "idle_w",
           "active_w", "description");
    char *save = NULL;
    for (char *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        eb_target t;
        char err[512];
        if (eb_target_load(name, &t, err, sizeof err) != EB_OK) {
            printf("%-12s (invalid: %s)\n", name, err);
            continue;
        }
        printf("%-12s %-8s %-9s %5d %7.2f %8.2f  %s\n", t.desc.name, t.desc.arch,
               t.desc.transport, (int)t.desc.cores, t.desc.power_model.idle_w,
               t.desc.power_model.active_w, t.description);
    }
    return EB_EXIT_OK;
}
