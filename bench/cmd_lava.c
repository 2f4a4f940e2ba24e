/* cmd_lava.c - `edgebench lava job` (a LAVA job definition that measures on a lab's
 * board) and `edgebench lava collect` (the finished job back into a report). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "child.h"
#include "cli.h"
#include "eb_deploy.h"
#include "eb_outfile.h"
#include "eb_plot.h"
#include "lava.h"

static void lava_usage(FILE *f)
{
    fprintf(f,
        "usage: edgebench lava job --target NAME --model M[,M...] --agent-url URL [options]\n"
        "       edgebench lava collect LOG [RESULTS] [--target NAME] [--out FILE]\n\n"
        "LAVA is the board farm of embedded-Linux labs. 'lava job' writes a job definition\n"
        "that deploys and boots the board the lab's way, downloads the static\n"
        "edgebench-agent for its architecture (SHA-256 checked), measures the models there\n"
        "with 'edgebench-agent --run' and reports a lava-test-case per metric (p50, p90,\n"
        "p99 in ms, throughput, energy); the job's log keeps every sample. Submit it with\n"
        "'lavacli jobs submit job.yaml'. When it finished, 'lava collect' turns its log\n"
        "('lavacli jobs logs ID --raw > log.yaml', or the REST API's) and optionally its\n"
        "results ('lavacli results ID --yaml', or /api/v0.2/jobs/ID/tests/) into an\n"
        "edgebench report for compare, plot and study.\n\n"
        "lava job:\n"
        "  --target NAME|FILE     the board (its power model estimates energy)\n"
        "  --model A,B            zoo variants to measure\n"
        "  --agent-url URL        where the lab's board downloads edgebench-agent\n"
        "  --agent PATH           the local copy of that binary, for its SHA-256 (default:\n"
        "                         build-<arch>/targets/agent/edgebench-agent)\n"
        "  --agent-sha256 HEX     ... or its SHA-256 directly\n"
        "  --device-type T        the lab's device type (default: the target file's\n"
        "                         \"lava_device_type\", e.g. bcm2711-rpi-4-b for rpi4)\n"
        "  --template FILE        a job of the lab's own (job_name, device_type, timeouts,\n"
        "                         context, its deploy and boot actions): edgebench appends\n"
        "                         its test action to its actions list, which must come last\n"
        "  without a template, TFTP deploy with an NFS root and a u-boot boot:\n"
        "  --kernel URL --rootfs URL [--dtb URL] [--modules URL] [--rootfs-compression C]\n"
        "  --boot-commands NAME   u-boot commands (default nfs)\n"
        "  --login USER --login-prompt TEXT --prompt TEXT\n"
        "                         auto-login (default root, 'login:') and shell prompt\n"
        "                         (default 'root@')\n"
        "  --warmup N --warmup-time S --min-iterations N --max-iterations N --min-time S\n"
        "  --repetitions N --kernels K --threads N\n"
        "                         how to measure, as for 'run' (defaults 5, 0.5, 20, 100000,\n"
        "                         1, 3, auto, 1)\n"
        "  --job-minutes N        job timeout (default 60; with --template at most its own)\n"
        "  --job-name NAME, --visibility public|personal\n"
        "  --out FILE             write the job there (default: stdout)\n\n"
        "lava collect:\n"
        "  LOG [RESULTS]          the job's log and, optionally, its results (cross-checked)\n"
        "  --target NAME|FILE     the board (default: the one the job names)\n"
        "  --out FILE             the report (default reports/out/<target>_lava_<time>.json)\n\n"
        "Exit status: 0 ok, 2 bad input.\n");
}

static eb_status sha256_of(const char *path, char *hex, size_t cap, char *err, size_t errlen)
{
    char *argv[] = {"sha256sum", (char *)path, NULL};
    eb_child_result r;
    eb_status st = eb_child_run(argv, 120, &r, err, errlen);
    if (st != EB_OK)
        return st;
    bool ok = r.exit_code == 0 && r.out && strlen(r.out) >= 64;
    if (ok)
        snprintf(hex, cap, "%.64s", r.out);
    else
        snprintf(err, errlen, "sha256sum %.500s failed: %.400s", path, r.err);
    free(r.out);
    return ok ? EB_OK : EB_ERR_IO;
}

static int cmd_job(int argc, char **argv)
{
    eb_lava_job j = {.warmup = "5", .warmup_time = "0.5", .min_iterations = "20",
                     .max_iterations = "100000", .min_time = "1", .repetitions = "3",
                     .kernels = "auto", .threads = "1", .job_minutes = 60};
    const char *target = NULL, *agent = NULL, *tmpl = NULL, *out = NULL;
    struct {
        const char *opt;
        const char **dst;
    } opts[] = {{"--target", &target},          {"--model", &j.models},
                {"--agent-url", &j.agent_url},  {"--agent", &agent},
                {"--agent-sha256", &j.agent_sha256}, {"--device-type", &j.device_type},
                {"--template", &tmpl},          {"--kernel", &j.kernel_url},
                {"--rootfs", &j.rootfs_url},    {"--dtb", &j.dtb_url},
                {"--modules", &j.modules_url},  {"--rootfs-compression", &j.rootfs_compression},
                {"--boot-commands", &j.boot_commands}, {"--login", &j.username},
                {"--login-prompt", &j.login_prompt}, {"--prompt", &j.prompt},
                {"--warmup", &j.warmup},        {"--warmup-time", &j.warmup_time},
                {"--min-iterations", &j.min_iterations},
                {"--max-iterations", &j.max_iterations}, {"--min-time", &j.min_time},
                {"--repetitions", &j.repetitions}, {"--kernels", &j.kernels},
                {"--threads", &j.threads},
                {"--job-name", &j.job_name},    {"--visibility", &j.visibility},
                {"--out", &out}};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            lava_usage(stdout);
            return EB_EXIT_OK;
        }
        if (!strcmp(argv[i], "--job-minutes")) {
            long m;
            if (i + 1 >= argc || !eb_parse_int(argv[i], argv[i + 1], 2, 10000, &m))
                return EB_EXIT_USAGE;
            j.job_minutes = (int)m;
            i++;
            continue;
        }
        size_t k = 0;
        while (k < sizeof opts / sizeof opts[0] && strcmp(argv[i], opts[k].opt))
            k++;
        if (k == sizeof opts / sizeof opts[0]) {
            eb_error("unknown option '%s' for 'lava job'; see 'edgebench lava --help'", argv[i]);
            return EB_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            eb_error("%s needs a value; see 'edgebench lava --help'", argv[i]);
            return EB_EXIT_USAGE;
        }
        *opts[k].dst = argv[++i];
    }
    if (!target || !j.models) {
        eb_error("lava job needs --target NAME and --model M (e.g. --target rpi4 --model "
                 "mobilenet_int8); see 'edgebench lava --help'");
        return EB_EXIT_USAGE;
    }
    if (j.visibility && strcmp(j.visibility, "public") && strcmp(j.visibility, "personal")) {
        eb_error("--visibility expects public or personal, got '%s'", j.visibility);
        return EB_EXIT_USAGE;
    }
    char err[1024];
    static eb_target t;
    if (eb_target_load(target, &t, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    if (!strcmp(t.desc.transport, "local")) {
        eb_error("target '%s' is this machine; a LAVA job measures a lab's board (e.g. "
                 "--target rpi4)", t.desc.name);
        return EB_EXIT_USAGE;
    }
    j.target = &t;
    if (!j.device_type && t.lava_device_type[0])
        j.device_type = t.lava_device_type;
    char hex[80];
    if (!j.agent_sha256) {
        char path[1024];
        eb_elf_info elf;
        if (eb_deploy_find_agent(&t, agent, path, sizeof path, err, sizeof err) != EB_OK ||
            eb_elf_inspect(path, &elf, err, sizeof err) != EB_OK) {
            eb_error("%s (or give --agent-sha256)", err);
            return EB_EXIT_USAGE;
        }
        if (strcmp(elf.arch, t.desc.arch) || !elf.is_static) {
            eb_error("%s is a %s %s build; target '%s' needs the static %s agent", path,
                     elf.is_static ? "static" : "dynamic", elf.arch, t.desc.name, t.desc.arch);
            return EB_EXIT_USAGE;
        }
        if (sha256_of(path, hex, sizeof hex, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            return EB_EXIT_USAGE;
        }
        j.agent_sha256 = hex;
    }
    char *text = NULL;
    if (tmpl && eb_read_file(tmpl, 1 << 20, &text, NULL, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    j.template_text = text;
    eb_outfile of;
    FILE *f = stdout;
    if (out) {
        if (eb_outfile_open(&of, out, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            free(text);
            return EB_EXIT_USAGE;
        }
        f = of.f;
    }
    eb_status st = eb_lava_job_write(f, &j, err, sizeof err);
    free(text);
    if (out) {
        if (st == EB_OK)
            st = eb_outfile_commit(&of, err, sizeof err);
        else
            eb_outfile_abort(&of);
    }
    if (st != EB_OK) {
        eb_error("%s", err);
        return EB_EXIT_USAGE;
    }
    if (out)
        fprintf(stderr, "wrote %s; submit it with: lavacli jobs submit %s\n", out, out);
    return EB_EXIT_OK;
}

static int cmd_collect(int argc, char **argv)
{
    const char *files[16], *target = NULL, *out = NULL;
    size_t nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            lava_usage(stdout);
            return EB_EXIT_OK;
        }
        if (!strcmp(argv[i], "--target") || !strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) {
                eb_error("%s needs a value; see 'edgebench lava --help'", argv[i]);
                return EB_EXIT_USAGE;
            }
            *(!strcmp(argv[i], "--target") ? &target : &out) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-') {
            eb_error("unknown option '%s' for 'lava collect'; see 'edgebench lava --help'",
                     argv[i]);
            return EB_EXIT_USAGE;
        } else if (nf == 16) {
            eb_error("lava collect takes at most 16 files");
            return EB_EXIT_USAGE;
        } else {
            files[nf++] = argv[i];
        }
    }
    if (!nf) {
        eb_error("lava collect needs the job's log (lavacli jobs logs ID --raw > log.yaml); "
                 "see 'edgebench lava --help'");
        return EB_EXIT_USAGE;
    }
    char err[1024];
    eb_report *rep = calloc(1, sizeof *rep);
    if (!rep) {
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    int rc = EB_EXIT_USAGE;
    char path[1024];
    if (eb_lava_collect(files, nf, target, rep, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    if (out) {
        snprintf(path, sizeof path, "%s", out);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        if (eb_mkdirs("reports/out", 0755, err, sizeof err) != EB_OK) {
            eb_error("%s", err);
            goto done;
        }
        snprintf(path, sizeof path, "reports/out/%s_lava_%s.json", rep->target.name, stamp);
    }
    if (eb_report_write_file(rep, path, err, sizeof err) != EB_OK) {
        eb_error("%s", err);
        goto done;
    }
    for (size_t i = 0; i < rep->n_results; i++) {
        const eb_report_result *r = &rep->results[i];
        printf("%s on %s (LAVA): p50 %.4f ms, p90 %.4f ms, p99 %.4f ms, %.1f inferences/s, "
               "%zu samples%s\n", r->name, rep->target.name, r->latency.median, r->latency.p90,
               r->latency.p99, r->throughput_ips, r->n_samples,
               r->complete ? "" : " (incomplete)");
    }
    for (size_t i = 0; i < rep->n_warnings; i++)
        printf("  - %s\n", rep->warnings[i]);
    printf("report: %s\n", path);
    rc = EB_EXIT_OK;
done:
    eb_report_free(rep);
    free(rep);
    return rc;
}

int eb_cmd_lava(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        lava_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EB_EXIT_USAGE : EB_EXIT_OK;
    }
    if (!strcmp(argv[1], "job"))
        return cmd_job(argc - 1, argv + 1);
    if (!strcmp(argv[1], "collect"))
        return cmd_collect(argc - 1, argv + 1);
    eb_error("unknown 'lava' command '%s': job or collect; see 'edgebench lava --help'",
             argv[1]);
    return EB_EXIT_USAGE;
}
