/* lava.h - LAVA labs: the job definition edgebench writes (lava_job.c) and the report it
 * reads back out of a finished job (lava_collect.c).
 *
 * On the board the job runs the static edgebench-agent with `--run` (it measures with
 * nobody on the line and prints the protocol lines a host would receive) and its
 * lava-test-case commands; the job's log is then a transcript of a serial line, and
 * `collect` does the statistics a host does for a board on a serial line. */
#ifndef EB_LAVA_H
#define EB_LAVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "eb_report.h"
#include "eb_status.h"
#include "eb_target.h"

typedef struct {
    const eb_target *target;
    const char *models;          /* comma-separated */
    const char *device_type;     /* LAVA device type ("bcm2711-rpi-4-b") */
    const char *template_text;   /* a job of the lab's own; NULL: deploy/boot below */
    /* deploy over TFTP with an NFS root filesystem, boot with u-boot */
    const char *kernel_url, *dtb_url, *rootfs_url, *rootfs_compression, *modules_url;
    const char *boot_commands;   /* u-boot commands name (default "nfs") */
    const char *login_prompt, *username, *prompt;
    /* the static agent the board downloads */
    const char *agent_url, *agent_sha256;
    /* how to measure (as `run`'s options) */
    const char *warmup, *warmup_time, *min_iterations, *max_iterations, *min_time,
        *repetitions, *kernels, *threads;
    int job_minutes;
    const char *visibility;      /* "public" (default) or "personal" */
    const char *job_name;        /* default "edgebench <target>: <models>" */
} eb_lava_job;

/* Writes the job as YAML. EB_ERR_ARG (err says which option) when it cannot be made:
 * no device type, neither a template nor kernel and rootfs, a template whose actions
 * list is not its last key. */
eb_status eb_lava_job_write(FILE *out, const eb_lava_job *j, char *err, size_t errlen);

/* One test case of a finished job's results, as lavacli or the REST API give them. */
typedef struct {
    char name[128], result[16], unit[32], job[32];
    double measurement; /* NaN: none */
} eb_lava_case;

/* Results from text: JSON (the REST API's /api/v0.2/jobs/ID/tests/, a list or
 * {"results": [...]}) or YAML (`lavacli results ID --yaml`). Returns the count (at most
 * cap); 0 when the text is not a results listing. */
size_t eb_lava_parse_results(const char *text, eb_lava_case *cases, size_t cap);

/* Reads the agent's lines out of job logs (`lavacli jobs logs ID --raw`, the REST API's
 * logs, or the log as plain text) and any results files among files, and builds the
 * report: one result per model the job ran, the target from the target file the job
 * names (or target_override), transport "lava". rep is initialised here; after a
 * failure it holds nothing to free, after success the caller eb_report_free()s it. */
eb_status eb_lava_collect(const char *const *files, size_t n, const char *target_override,
                          eb_report *rep, char *err, size_t errlen);

#endif
