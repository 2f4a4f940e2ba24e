/* agent_run.c - `edgebench-agent --run`: the agent measures models on its own board with
 * nobody on the other end of the line, and writes the protocol lines a host would have
 * received (id, info, kernel, s, done; all checksummed) plus a `plan` line per model.
 * A LAVA job runs it so on its boards (edgebench lava job); `edgebench lava collect`
 * reads those lines back out of the job's log and does the statistics, as a host does
 * for a board on a serial line. Optionally writes `lava-test-case` commands (p50, p90,
 * p99, throughput, energy per model) for the job's test shell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_agent.h"
#include "eb_proto.h"

static void line_out(int wfd, const char *text)
{
    char buf[EB_PROTO_MAX_LINE + 8];
    size_t len = strlen(text);
    if (len > EB_PROTO_MAX_LINE - 8)
        return;
    memcpy(buf, text, len);
    len = eb_proto_seal(buf, len, sizeof buf);
    if (len && eb_write_all(wfd, buf, len, 5000) != EB_OK) {
        /* the next run's output fails the same way; nothing else to do here */
    }
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Linear interpolation between order statistics (q in [0, 1]), in ms. */
static double quantile_ms(const uint64_t *sorted, uint64_t n, double q)
{
    double pos = q * (double)(n - 1);
    uint64_t lo = (uint64_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    double f = pos - (double)lo;
    return ((double)sorted[lo] * (1 - f) + (double)sorted[hi] * f) / 1e6;
}

/* LAVA test case names: letters, digits, '-', '_', '.'. */
static void case_name(const char *model, char *buf, size_t cap)
{
    size_t k = 0;
    for (const char *p = model; *p && k + 1 < cap; p++)
        buf[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
                                  *p == '.'
                              ? *p
                              : '_');
    buf[k] = '\0';
}

static void write_cases(FILE *f, const char *model, const uint64_t *s, uint64_t n,
                        bool complete, double active_w)
{
    char name[128];
    case_name(model, name, sizeof name);
    const char *res = complete ? "pass" : "fail";
    if (!n) {
        fprintf(f, "lava-test-case %s --result fail\n", name);
        return;
    }
    uint64_t *sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        fprintf(f, "lava-test-case %s --result fail\n", name);
        return;
    }
    memcpy(sorted, s, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    double sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += (double)sorted[i];
    double p50 = quantile_ms(sorted, n, 0.5);
    fprintf(f, "lava-test-case %s_p50 --result %s --measurement %.6f --units ms\n", name, res,
            p50);
    fprintf(f, "lava-test-case %s_p90 --result %s --measurement %.6f --units ms\n", name, res,
            quantile_ms(sorted, n, 0.9));
    fprintf(f, "lava-test-case %s_p99 --result %s --measurement %.6f --units ms\n", name, res,
            quantile_ms(sorted, n, 0.99));
    fprintf(f, "lava-test-case %s_throughput --result %s --measurement %.3f --units "
               "inferences/s\n", name, res, sum > 0 ? 1e9 * (double)n / sum : 0.0);
    if (active_w > 0) /* estimated as a host does: active watts x median latency */
        fprintf(f, "lava-test-case %s_energy --result %s --measurement %.6f --units mJ\n",
                name, res, active_w * p50);
    free(sorted);
}

eb_status eb_agent_run_models(eb_agent *a, int wfd, const eb_agent_run_plan *p, char *err,
                              size_t errlen)
{
    FILE *cases = NULL;
    if (p->cases && !(cases = fopen(p->cases, "w"))) {
        snprintf(err, errlen, "cannot write %s", p->cases);
        return EB_ERR_IO;
    }
    eb_agent_command(a, wfd, EB_CMD_ID);
    char list[1024];
    snprintf(list, sizeof list, "%s", p->models);
    eb_status st = EB_OK;
    int i = 0;
    char *save = NULL;
    for (char *model = strtok_r(list, ",", &save); model;
         model = strtok_r(NULL, ",", &save), i++) {
        char cmd[256];
        /* calibration: the warm-up and one inference size the measured run */
        int threads = p->threads > 0 ? p->threads : 1;
        snprintf(cmd, sizeof cmd, "%s c%d %s %llu 1 kernels=%s threads=%d", EB_CMD_RUN, i, model,
                 (unsigned long long)p->warmup, p->kernels, threads);
        eb_agent_command(a, wfd, cmd);
        uint64_t n;
        const uint64_t *s = eb_agent_last_samples(a, &n);
        if (!s || n != 1) {
            snprintf(err, errlen, "model '%s' did not run (the err line above says why)", model);
            if (cases)
                write_cases(cases, model, NULL, 0, false, 0);
            st = EB_ERR_ARG;
            continue;
        }
        double t_ns = s[0] > 0 ? (double)s[0] : 1;
        double per = ceil(p->min_time_s * 1e9 / t_ns);
        if (per < (double)p->min_iterations)
            per = (double)p->min_iterations;
        if (per > (double)p->max_iterations)
            per = (double)p->max_iterations;
        if (per < 1)
            per = 1;
        uint64_t reps = p->repetitions ? p->repetitions : 1;
        if (per * (double)reps > EB_PROTO_MAX_ITERS)
            per = floor((double)EB_PROTO_MAX_ITERS / (double)reps);
        double warm = ceil(p->warmup_time_s * 1e9 / t_ns);
        if (warm < (double)p->warmup)
            warm = (double)p->warmup;
        if (warm > EB_PROTO_MAX_WARMUP)
            warm = EB_PROTO_MAX_WARMUP;
        uint64_t total = (uint64_t)per * reps;
        snprintf(cmd, sizeof cmd, "plan tag=m%d model=%s target=%s repetitions=%llu "
                 "per_repetition=%llu warmup=%llu kernels=%s threads=%d min_time_s=%g "
                 "warmup_time_s=%g min_iterations=%llu max_iterations=%llu", i, model,
                 p->target ? p->target : "-", (unsigned long long)reps,
                 (unsigned long long)per, (unsigned long long)warm, p->kernels, threads,
                 p->min_time_s,
                 p->warmup_time_s, (unsigned long long)p->min_iterations,
                 (unsigned long long)p->max_iterations);
        line_out(wfd, cmd);
        snprintf(cmd, sizeof cmd, "%s m%d %s %llu %llu kernels=%s threads=%d", EB_CMD_RUN, i,
                 model, (unsigned long long)warm, (unsigned long long)total, p->kernels, threads);
        eb_agent_command(a, wfd, cmd);
        s = eb_agent_last_samples(a, &n);
        if (cases)
            write_cases(cases, model, s, n, s && n == total, p->active_w);
        if (!s || n != total) {
            snprintf(err, errlen, "model '%s' stopped after %llu of %llu inferences", model,
                     (unsigned long long)n, (unsigned long long)total);
            st = EB_ERR_IO;
        }
    }
    if (cases && fclose(cases) != 0 && st == EB_OK) {
        snprintf(err, errlen, "cannot write %s", p->cases);
        st = EB_ERR_IO;
    }
    return st;
}
