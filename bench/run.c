/* run.c - one `edgebench run` (run.h). */
#include "run.h"

#include <stdio.h>

void eb_run_report_target(eb_report_target *dst, const eb_target_desc *src)
{
    snprintf(dst->name, sizeof dst->name, "%s", src->name);
    snprintf(dst->arch, sizeof dst->arch, "%s", src->arch);
    snprintf(dst->transport, sizeof dst->transport, "%s", src->transport);
    dst->emulated = src->emulated;
    dst->cores = src->cores;
    dst->clock_mhz = src->clock_mhz;
    dst->memory_bytes = src->memory_bytes;
    dst->price_usd = src->price_usd;
    dst->power_model.idle_w = src->power_model.idle_w;
    dst->power_model.active_w = src->power_model.active_w;
    snprintf(dst->power_model.source, sizeof dst->power_model.source, "%s",
             src->power_model.source);
}
