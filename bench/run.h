/* run.h - one `edgebench run`: the report of a list of models measured on one target,
 * locally (run_local.h) or on a board (run_remote.h). */
#ifndef EB_RUN_H
#define EB_RUN_H

#include "eb_report.h"
#include "eb_target.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copies a target description into a report's target block. */
void eb_run_report_target(eb_report_target *dst, const eb_target_desc *src);

#ifdef __cplusplus
}
#endif
#endif
