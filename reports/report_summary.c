/* report_summary.c - the console summary of a report, as `edgebench run` prints it
 * (eb_report.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eb_report.h"

static void fmt_bytes(char *b, size_t n, double v)
{
    if (v < 0)
        snprintf(b, n, "n/a");
    else if (v >= 1024.0 * 1024 * 1024)
        snprintf(b, n, "%.2f GiB", v / (1024.0 * 1024 * 1024));
    else if (v >= 1024.0 * 1024)
        snprintf(b, n, "%.2f MiB", v / (1024.0 * 1024));
    else if (v >= 1024)
        snprintf(b, n, "%.1f KiB", v / 1024);
    else
        snprintf(b, n, "%.0f B", v);
}

static void fmt_ms(char *b, size_t n, double ms)
{
    if (ms >= 100)
        snprintf(b, n, "%.1f ms", ms);
    else if (ms >= 1)
        snprintf(b, n, "%.3f ms", ms);
    else
        snprintf(b, n, "%.2f us", ms * 1000);
}

/* "accuracy  top-1 91.5 % (183 of 200 inputs, 12 classes) on DATASET" and the classes,
 * several to a line: "7 Stop 16/17". Names are shown as printable ASCII only. */
static void print_accuracy(FILE *f, const eb_report_accuracy *a)
{
    char ds[sizeof a->dataset];
    size_t j = 0;
    for (const char *s = a->dataset; *s && j + 1 < sizeof ds; s++)
        ds[j++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
    ds[j] = 0;
    if (a->inputs)
        fprintf(f, "  %-11s top-1 %.1f %% (%llu of %llu inputs, %d classes) on %s\n", "accuracy",
                100.0 * (double)a->correct / (double)a->inputs, (unsigned long long)a->correct,
                (unsigned long long)a->inputs, (int)a->classes, ds);
    else
        fprintf(f, "  %-11s none: no input was evaluated (%s)\n", "accuracy", ds);
    size_t col = 0;
    for (int32_t t = 0; t < a->classes; t++) {
        const uint64_t *row = &a->confusion[(size_t)t * (size_t)a->classes];
        uint64_t n = 0;
        for (int32_t p = 0; p < a->classes; p++)
            n += row[p];
        char nm[40] = "", item[96];
        size_t k = 0;
        for (const char *s = a->names ? a->names[t] : ""; *s && k + 1 < sizeof nm - 1; s++)
            nm[k++] = (unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
        nm[k] = 0;
        int w = snprintf(item, sizeof item, "%d%s%s %llu/%llu", (int)t, nm[0] ? " " : "", nm,
                         (unsigned long long)row[t], (unsigned long long)n);
        if (col == 0)
            fprintf(f, "  %-11s %s", "", t == 0 ? "per class (correct/inputs): " : "");
        else
            fprintf(f, ", ");
        fputs(item, f);
        col += (size_t)w + 2;
        if (col > 60 || t + 1 == a->classes) {
            fputc('\n', f);
            col = 0;
        }
    }
}

static void print_result(FILE *f, const eb_report *r, const eb_report_result *x,
                         const char *power_file)
{
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(f, "\n%s  (model %s, variant %s) on %s [%s, %d cores, %s]%s\n", x->name, x->model,
            x->variant, r->target.name, r->target.arch, (int)r->target.cores, r->target.transport,
            x->complete ? "" : "  INTERRUPTED");
    if (x->import_note[0])
        fprintf(f, "  %-11s %s\n", "import", x->import_note);
    fprintf(f, "  %-11s %s, %d thread%s per inference", "scenario", x->scenario,
            (int)x->threads, x->threads == 1 ? "" : "s");
    if (x->streams > 1)
        fprintf(f, ", %d streams", (int)x->streams);
    fprintf(f, ", %.1f MMAC, %.2f M params\n", (double)x->macs / 1e6, (double)x->params / 1e6);
    /* a device that times windows (MLPerf Tiny) runs its own firmware: no kernels, plan
     * or fidelity of ours to show */
    bool device = x->device_windows.present;
    if (device && x->n_kernels == 0)
        fprintf(f, "  %-11s not reported by the device\n", "kernels");
    else {
        fprintf(f, "  %-11s set %s:", "kernels", r->settings.kernels);
        for (size_t i = 0; i < x->n_kernels; i++)
            fprintf(f, "%s %s", i ? "," : "", x->kernels[i].name);
        fputc('\n', f);
    }
    if (device) {
        const eb_report_device_windows *w = &x->device_windows;
        fprintf(f, "  %-11s %zu x %u inferences (shortest %.3g s, asked %.3g s; MLPerf Tiny "
                   "minimum %.0f s%s), %u warm-up each\n", "windows", x->latency.n,
                (unsigned)w->inferences, w->shortest_s, w->target_s, w->minimum_s,
                w->below_minimum ? ": BELOW" : "", (unsigned)w->warmup);
        if (w->resets || w->counter_wraps)
            fprintf(f, "  %-11s %u device reset%s (window%s dropped, input reloaded), %u counter "
                       "wrap%s\n", "", (unsigned)w->resets, w->resets == 1 ? "" : "s",
                    w->resets == 1 ? "" : "s", (unsigned)w->counter_wraps,
                    w->counter_wraps == 1 ? "" : "s");
        fprintf(f, "  %-11s %s\n", "input", w->input);
    }
    if (x->latency.n == 0) {
        fprintf(f, "  %-11s none: no inference was timed (interrupted before the first)\n",
                "latency");
        return;
    }
    fmt_ms(a, sizeof a, x->latency.median);
    fmt_ms(b, sizeof b, x->latency.p90);
    fmt_ms(c, sizeof c, x->latency.p99);
    fmt_ms(d, sizeof d, x->latency.ci95_lo);
    fmt_ms(e, sizeof e, x->latency.ci95_hi);
    fprintf(f, "  %-11s p50 %s  p90 %s  p99 %s\n", "latency", a, b, c);
    fmt_ms(a, sizeof a, x->latency.min);
    fmt_ms(b, sizeof b, x->latency.mean);
    fprintf(f, "  %-11s n=%zu in %zu repetitions, min %s, mean %s, CV %.1f %%, 95 %% CI of "
               "median %s .. %s\n", "", x->latency.n, x->n_repetitions, a, b,
            x->latency.cv * 100, d, e);
    fprintf(f, "  %-11s %.2f inferences/s (%d stream%s x %d thread%s)\n", "throughput",
            x->throughput_ips, (int)x->streams, x->streams == 1 ? "" : "s", (int)x->threads,
            x->threads == 1 ? "" : "s");
    if (x->per_thread_latency_ms) {
        fprintf(f, "  %-11s per-stream median:", "");
        for (size_t i = 0; i < x->n_threads_latency; i++) {
            fmt_ms(a, sizeof a, x->per_thread_latency_ms[i]);
            fprintf(f, "%s %s", i ? "," : "", a);
        }
        fputc('\n', f);
    }
    const eb_report_memory *m = &x->memory;
    fmt_bytes(a, sizeof a, (double)m->planned_total_bytes);
    fmt_bytes(b, sizeof b, (double)m->weights_bytes);
    fmt_bytes(c, sizeof c, (double)m->packed_bytes);
    fmt_bytes(d, sizeof d, (double)m->arena_bytes);
    fmt_bytes(e, sizeof e, (double)m->scratch_bytes);
    if (device && m->planned_total_bytes == 0)
        fprintf(f, "  %-11s planned: not reported by the device\n", "memory");
    else
        fprintf(f, "  %-11s planned %s: weights %s, packed %s, arena %s%s, scratch %s%s\n",
                "memory", a, b, c, d, x->streams > 1 ? " per stream" : "", e,
                x->streams > 1 || x->threads > 1 ? " (all its threads')" : "");
    fmt_bytes(a, sizeof a, (double)m->peak_rss_bytes);
    fprintf(f, "  %-11s peak RSS %s (%s)\n", "", a, m->rss_method);
    double j = x->energy.joules_per_inference;
    if (j < 1e-3)
        fprintf(f, "  %-11s %.3f uJ/inference, %s", "energy", j * 1e6, x->energy.method);
    else
        fprintf(f, "  %-11s %.3f mJ/inference, %s", "energy", j * 1e3, x->energy.method);
    if (!strcmp(x->energy.method, "estimated"))
        fprintf(f, ": %.3g W active x %s (power model: %s)\n", x->energy.average_power_w,
                x->streams > 1 ? "1/throughput" : "median latency", power_file);
    else
        fprintf(f, " (%.3g W average)\n", x->energy.average_power_w);
    if (x->counters.available)
        fprintf(f, "  %-11s %.3g cycles, %.3g instructions, IPC %.2f per inference (%s)\n",
                "counters", x->counters.cycles, x->counters.instructions, x->counters.ipc,
                x->counters.source);
    else
        fprintf(f, "  %-11s unavailable: %s\n", "counters", x->counters.reason);
    if (x->has_fidelity && !strcmp(x->model, "tflite"))
        fprintf(f, "  %-11s vs the float32 .tflite: SQNR %.2f dB, cosine %.5f, top-1 agreement "
                   "%.0f %% (%d inputs), max |err| %.4g\n", "fidelity", x->fidelity.sqnr_db,
                x->fidelity.cosine, x->fidelity.top1_agreement * 100, (int)x->fidelity.inputs,
                x->fidelity.max_abs_err);
    else if (x->has_fidelity)
        fprintf(f, "  %-11s vs %s_fp32: SQNR %.2f dB, cosine %.5f, top-1 agreement %.0f %% "
                   "(%d inputs), max |err| %.4g\n", "fidelity", x->model, x->fidelity.sqnr_db,
                x->fidelity.cosine, x->fidelity.top1_agreement * 100, (int)x->fidelity.inputs,
                x->fidelity.max_abs_err);
    else if (device)
        fprintf(f, "  %-11s not reported by the device\n", "fidelity");
    else if (!strcmp(x->model, "tflite") || !strcmp(x->model, "onnx"))
        fprintf(f, "  %-11s none (an imported model has no fp32 reference yet)\n", "fidelity");
    else
        fprintf(f, "  %-11s reference (fp32 dense)\n", "fidelity");
    if (x->accuracy)
        print_accuracy(f, x->accuracy);
    if (x->profile) {
        fprintf(f, "  profile (median per op over the profiled inferences):\n");
        fprintf(f, "    %-20s %-10s %-28s %10s %10s %8s %6s\n", "op", "type", "kernel", "MMAC",
                "time", "GMAC/s", "share");
        for (size_t i = 0; i < x->n_profile; i++) {
            const eb_report_profile_op *p = &x->profile[i];
            fmt_ms(a, sizeof a, p->median_ms);
            fprintf(f, "    %-20s %-10s %-28s %10.3f %10s %8.2f %5.1f%%\n", p->op, p->type,
                    p->kernel, (double)p->macs / 1e6, a, p->gmacs, p->share * 100);
        }
    }
}

/* `run --threads 1,2,4`: per model, the p50 at each count and the speed-up over the first
 * count (efficiency = speed-up / threads ratio). */
static void print_scaling(FILE *f, const eb_report *r)
{
    const eb_report_settings *s = &r->settings;
    if (s->n_thread_counts < 2)
        return;
    fprintf(f, "\nscaling (p50 at each --threads count; speed-up over %d thread%s)\n",
            s->thread_counts[0], s->thread_counts[0] == 1 ? "" : "s");
    fprintf(f, "  %-28s %7s %12s %9s %10s\n", "model", "threads", "p50", "speed-up",
            "efficiency");
    for (size_t i = 0; i < r->n_results; i++) {
        const eb_report_result *x = &r->results[i];
        const eb_report_result *base = NULL;
        for (size_t k = 0; k < r->n_results && !base; k++)
            if (!strcmp(r->results[k].name, x->name) &&
                r->results[k].threads == s->thread_counts[0])
                base = &r->results[k];
        char a[32];
        fmt_ms(a, sizeof a, x->latency.median);
        double up = base && x->latency.median > 0 ? base->latency.median / x->latency.median
                                                  : NAN;
        if (isfinite(up))
            fprintf(f, "  %-28s %7d %12s %8.2fx %9.0f %%\n", x->name, x->threads, a, up,
                    100 * up * base->threads / x->threads);
        else
            fprintf(f, "  %-28s %7d %12s %9s %10s\n", x->name, x->threads, a, "-", "-");
    }
}

void eb_report_print_summary(FILE *f, const eb_report *r, const char *out_path,
                             const char *power_file)
{
    for (size_t i = 0; i < r->n_results; i++)
        print_result(f, r, &r->results[i], power_file);
    print_scaling(f, r);
    if (r->n_warnings) {
        fprintf(f, "\nwarnings:\n");
        for (size_t i = 0; i < r->n_warnings; i++)
            fprintf(f, "  - %s\n", r->warnings[i]);
    }
    if (out_path)
        fprintf(f, "\nreport: %s\n", out_path);
}
