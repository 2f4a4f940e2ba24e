/* lava_job.c - the LAVA job definition for a benchmark (lava.h): the lab's deploy and
 * boot (from options, or a job of the lab's own used as a template), then a test action
 * that downloads the static agent, checks its SHA-256, measures with `--run` and reports
 * a lava-test-case per metric. Written as YAML by hand: every string double-quoted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lava.h"

/* A YAML double-quoted scalar. */
static void yq(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A shell word in single quotes (a ' becomes '\''), appended to buf. */
static void shq(char *buf, size_t cap, const char *s)
{
    size_t k = strlen(buf);
    if (k + 1 < cap)
        buf[k++] = '\'';
    for (; *s && k + 5 < cap; s++) {
        if (*s == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *s;
        }
    }
    if (k + 1 < cap)
        buf[k++] = '\'';
    buf[k] = '\0';
}

static void cat(char *buf, size_t cap, const char *s)
{
    size_t k = strlen(buf);
    snprintf(buf + k, cap > k ? cap - k : 0, "%s", s);
}

static bool safe_word(const char *s)
{
    return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "_-.,") == strlen(s);
}

/* The test action, each line prefixed with ind (the actions list's indentation). */
static void test_action(FILE *f, const char *ind, const eb_lava_job *j)
{
    const eb_target *t = j->target;
    char steps[8][2048];
    int ns = 0;
    snprintf(steps[ns++], sizeof steps[0], "cd \"$(mktemp -d)\"");
    steps[ns][0] = '\0';
    cat(steps[ns], sizeof steps[0], "wget -q -O edgebench-agent ");
    shq(steps[ns], sizeof steps[0], j->agent_url);
    cat(steps[ns], sizeof steps[0], " || curl -fsSL -o edgebench-agent ");
    shq(steps[ns++], sizeof steps[0], j->agent_url);
    snprintf(steps[ns++], sizeof steps[0], "echo '%s  edgebench-agent' | sha256sum -c -",
             j->agent_sha256);
    snprintf(steps[ns++], sizeof steps[0], "chmod +x edgebench-agent && ./edgebench-agent "
             "--version");
    /* the models and options were checked to be plain words */
    snprintf(steps[ns++], sizeof steps[0],
             "./edgebench-agent --run %s --target %s --warmup %s --warmup-time %s "
             "--min-iterations %s --max-iterations %s --min-time %s --repetitions %s "
             "--kernels %s --threads %s --active-w %g --cases cases.sh || lava-test-case "
             "edgebench-run --result fail",
             j->models, t->desc.name, j->warmup, j->warmup_time, j->min_iterations,
             j->max_iterations, j->min_time, j->repetitions, j->kernels,
             j->threads ? j->threads : "1", t->desc.power_model.active_w);
    snprintf(steps[ns++], sizeof steps[0], "sh cases.sh");

    char desc[512];
    snprintf(desc, sizeof desc, "edgebench: %s on %s (%s); edgebench lava collect turns this "
             "job's log into a report", j->models, t->desc.name, t->description);
    fprintf(f, "%s- test:\n", ind);
    fprintf(f, "%s    timeout:\n%s      minutes: %d\n", ind, ind,
            j->job_minutes > 10 ? j->job_minutes - 5 : j->job_minutes);
    fprintf(f, "%s    definitions:\n", ind);
    fprintf(f, "%s    - from: inline\n", ind);
    fprintf(f, "%s      name: edgebench\n", ind);
    fprintf(f, "%s      path: inline/edgebench.yaml\n", ind);
    fprintf(f, "%s      repository:\n", ind);
    fprintf(f, "%s        metadata:\n", ind);
    fprintf(f, "%s          format: Lava-Test Test Definition 1.0\n", ind);
    fprintf(f, "%s          name: edgebench\n", ind);
    fprintf(f, "%s          description: ", ind);
    yq(f, desc);
    fprintf(f, "\n%s        run:\n%s          steps:\n", ind, ind);
    for (int i = 0; i < ns; i++) {
        fprintf(f, "%s          - ", ind);
        yq(f, steps[i]);
        fputc('\n', f);
    }
}

/* The template's text up to the end of its actions list, which must be its last key;
 * *indent gets the indentation of the list's items. */
static bool template_ok(const char *text, char *indent, size_t cap, char *err, size_t errlen)
{
    const char *actions = NULL;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, "actions:", 8))
            actions = p;
    if (!actions) {
        snprintf(err, errlen, "the template has no top-level 'actions:' list (the lab's "
                 "deploy and boot actions go there)");
        return false;
    }
    bool item = false;
    indent[0] = '\0';
    for (const char *p = strchr(actions, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        const char *l = p + 1;
        size_t sp = strspn(l, " ");
        if (l[sp] == '\n' || l[sp] == '#' || l[sp] == '\0')
            continue;
        if (sp == 0 && l[0] != '-') {
            snprintf(err, errlen, "in the template, 'actions:' must be the last top-level key "
                     "(edgebench appends its test action to it)");
            return false;
        }
        if (!item && l[sp] == '-') {
            snprintf(indent, cap, "%.*s", (int)sp, l);
            item = true;
        }
    }
    if (!item) {
        snprintf(err, errlen, "the template's actions list is empty: it needs the lab's "
                 "deploy and boot actions");
        return false;
    }
    return true;
}

eb_status eb_lava_job_write(FILE *f, const eb_lava_job *j, char *err, size_t errlen)
{
    const eb_target *t = j->target;
    const char *opts[] = {j->models, j->warmup, j->warmup_time, j->min_iterations,
                          j->max_iterations, j->min_time, j->repetitions, j->kernels,
                          j->threads ? j->threads : "1", t->desc.name};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (!safe_word(opts[i])) {
            snprintf(err, errlen, "'%s' cannot go into a LAVA job: models and options must be "
                     "plain words (letters, digits, '_', '-', '.', ',')", opts[i] ? opts[i] : "");
            return EB_ERR_ARG;
        }
    char *tend = NULL;
    long nthreads = j->threads ? strtol(j->threads, &tend, 10) : 1;
    if (j->threads && (tend == j->threads || *tend || nthreads < 1 || nthreads > 64)) {
        snprintf(err, errlen, "--threads takes 1..64, not '%s'", j->threads);
        return EB_ERR_ARG;
    }
    if (!j->agent_url || !*j->agent_url) {
        snprintf(err, errlen, "the board downloads the agent: give --agent-url URL (where the "
                 "lab can fetch the static %s build of edgebench-agent)", t->desc.arch);
        return EB_ERR_ARG;
    }
    if (!j->agent_sha256 || strlen(j->agent_sha256) != 64 ||
        strspn(j->agent_sha256, "0123456789abcdef") != 64) {
        snprintf(err, errlen, "the agent's SHA-256 must be 64 lower-case hex digits");
        return EB_ERR_ARG;
    }
    char indent[64] = "";
    if (j->template_text) {
        if (!template_ok(j->template_text, indent, sizeof indent, err, errlen))
            return EB_ERR_ARG;
    } else {
        if (!j->device_type || !*j->device_type) {
            snprintf(err, errlen, "target '%s' names no LAVA device type; give --device-type "
                     "(the lab's name for the board, e.g. bcm2711-rpi-4-b) or a --template",
                     t->desc.name);
            return EB_ERR_ARG;
        }
        if (!j->kernel_url || !j->rootfs_url) {
            snprintf(err, errlen, "a LAVA job needs the lab's way to deploy and boot the board: "
                     "give --template JOB.yaml (a job of the lab's with its deploy and boot "
                     "actions) or --kernel URL --rootfs URL [--dtb URL]");
            return EB_ERR_ARG;
        }
    }

    char name[300];
    if (j->job_name)
        snprintf(name, sizeof name, "%s", j->job_name);
    else
        snprintf(name, sizeof name, "edgebench %s: %s", t->desc.name, j->models);
    if (j->template_text) {
        fputs(j->template_text, f);
        size_t tl = strlen(j->template_text);
        if (tl && j->template_text[tl - 1] != '\n')
            fputc('\n', f);
        fprintf(f, "%s# edgebench %s: measure %s on %s (edgebench lava job)\n", indent,
                eb_version(), j->models, t->desc.name);
        test_action(f, indent, j);
        return ferror(f) ? EB_ERR_IO : EB_OK;
    }

    fprintf(f, "# LAVA job written by edgebench %s ('edgebench lava job'): measures %s on %s.\n"
               "# After it finished: lavacli jobs logs ID --raw > log.yaml, then\n"
               "#   edgebench lava collect log.yaml --out report.json\n",
            eb_version(), j->models, t->desc.name);
    fputs("job_name: ", f);
    yq(f, name);
    fputs("\ndevice_type: ", f);
    yq(f, j->device_type);
    fprintf(f, "\nvisibility: %s\npriority: medium\n",
            j->visibility && !strcmp(j->visibility, "personal") ? "personal" : "public");
    fprintf(f, "timeouts:\n  job:\n    minutes: %d\n  action:\n    minutes: %d\n"
               "  connection:\n    minutes: 2\n",
            j->job_minutes, j->job_minutes > 10 ? j->job_minutes - 5 : j->job_minutes);
    fputs("metadata:\n  edgebench.target: ", f);
    yq(f, t->desc.name);
    fputs("\n  edgebench.models: ", f);
    yq(f, j->models);
    fputs("\n  edgebench.version: ", f);
    yq(f, eb_version());
    fputs("\nactions:\n", f);
    int step_minutes = j->job_minutes > 30 ? 10 : j->job_minutes / 3 > 0 ? j->job_minutes / 3 : 1;
    fprintf(f, "- deploy:\n    to: tftp\n    timeout:\n      minutes: %d\n", step_minutes);
    fputs("    kernel:\n      url: ", f);
    yq(f, j->kernel_url);
    fputs("\n      type: image\n", f);
    if (j->dtb_url) {
        fputs("    dtb:\n      url: ", f);
        yq(f, j->dtb_url);
        fputc('\n', f);
    }
    if (j->modules_url) {
        fputs("    modules:\n      url: ", f);
        yq(f, j->modules_url);
        fputc('\n', f);
    }
    fputs("    nfsrootfs:\n      url: ", f);
    yq(f, j->rootfs_url);
    fputc('\n', f);
    if (j->rootfs_compression)
        fprintf(f, "      compression: %s\n", j->rootfs_compression);
    fputs("    os: debian\n", f);
    fprintf(f, "- boot:\n    method: u-boot\n    commands: ");
    yq(f, j->boot_commands ? j->boot_commands : "nfs");
    fprintf(f, "\n    timeout:\n      minutes: %d\n    auto_login:\n      login_prompt: ",
            step_minutes);
    yq(f, j->login_prompt ? j->login_prompt : "login:");
    fputs("\n      username: ", f);
    yq(f, j->username ? j->username : "root");
    fputs("\n    prompts:\n    - ", f);
    yq(f, j->prompt ? j->prompt : "root@");
    fputc('\n', f);
    test_action(f, "", j);
    return ferror(f) ? EB_ERR_IO : EB_OK;
}
