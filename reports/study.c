/* study.c - the hardware-selection table: measured cells copied from reports, the rest
 * predicted by the calibrated roofline (eb_study.h); Markdown, CSV and plots. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "eb_outfile.h"
#include "eb_stats.h"
#include "eb_study.h"

void eb_study_options_default(eb_study_options *o)
{
    *o = (eb_study_options){.latency_budget_ms = NAN, .amortize_years = 3, .kwh_usd = 0.15};
}

const char *eb_src_tag(eb_src s)
{
    static const char *const tags[] = {"", "m", "e", "p", "r", "s"};
    return (unsigned)s < 6 ? tags[s] : "";
}

const char *eb_src_name(eb_src s)
{
    static const char *const names[] = {"unknown", "measured", "emulated", "predicted",
                                        "roofline", "specification"};
    return (unsigned)s < 6 ? names[s] : "unknown";
}

static eb_cell cell(double v, eb_src s)
{
    return isfinite(v) ? (eb_cell){v, s} : (eb_cell){NAN, EB_SRC_NONE};
}

/* The result of model on target that ran with `threads` threads per inference (a result
 * of 0 threads counts as 1: one thread is what the single-core columns mean). */
static const eb_study_measured *find_measured_threads(const eb_study_measured *m, size_t n,
                                                      const char *target, const char *model,
                                                      int threads)
{
    for (size_t i = 0; i < n; i++) {
        int th = m[i].result->threads > 0 ? m[i].result->threads : 1;
        if (th == threads && !strcmp(m[i].report->target.name, target) &&
            !strcmp(m[i].result->name, model))
            return &m[i];
    }
    return NULL;
}

static const eb_study_measured *find_measured(const eb_study_measured *m, size_t n,
                                              const char *target, const char *model)
{
    return find_measured_threads(m, n, target, model, 1);
}

/* hardware cost spread over `years` of back-to-back inferences + the energy's cost */
static double cost_per_million(double price, double p50_ms, double energy_j,
                               const eb_study_options *o)
{
    if (!isfinite(p50_ms) || p50_ms <= 0)
        return NAN;
    double hw = NAN, en = 0;
    if (isfinite(price)) {
        double inferences = o->amortize_years * 365.25 * 86400 * 1000 / p50_ms;
        hw = price / inferences * 1e6;
    }
    if (isfinite(energy_j))
        en = energy_j * 1e6 / 3.6e6 * o->kwh_usd;
    return isfinite(hw) ? hw + en : NAN;
}

eb_status eb_study_build(const eb_study_target *targets, size_t nt, const eb_study_model *models,
                         size_t nm, const eb_study_measured *measured, size_t nmeas,
                         const eb_study_target *host, const eb_study_options *o, eb_study *out,
                         char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->efficiency_median = NAN;
    if (nt == 0 || nm == 0) {
        snprintf(err, errlen, "a study needs at least one target and one model");
        return EB_ERR_ARG;
    }
    double *eff = malloc(nm * sizeof *eff), *p90_ratio = malloc(nm * sizeof *p90_ratio);
    double *sorted = malloc(nm * sizeof *sorted);
    out->rows = calloc(nt * nm, sizeof *out->rows);
    out->calibration = calloc(nm, sizeof *out->calibration);
    if (!eff || !p90_ratio || !sorted || !out->rows || !out->calibration) {
        free(eff);
        free(p90_ratio);
        free(sorted);
        free(out->rows);
        free(out->calibration);
        out->rows = NULL;
        out->calibration = NULL;
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    /* calibration: each model's fraction of the host roofline, and its tail ratio */
    size_t ne = 0;
    if (host)
        snprintf(out->host, sizeof out->host, "%s", host->name);
    out->n_models = nm;
    for (size_t m = 0; m < nm; m++) {
        eff[m] = p90_ratio[m] = NAN;
        eb_study_calibration *cal = &out->calibration[m];
        snprintf(cal->model, sizeof cal->model, "%s", models[m].name);
        cal->host_roofline_ms = host ? eb_roofline_ms(models[m].ops, models[m].n_ops, host) : NAN;
        cal->host_measured_ms = cal->efficiency = NAN;
        const eb_study_measured *h = host ? find_measured(measured, nmeas, host->name,
                                                          models[m].name) : NULL;
        if (!h || h->report->target.emulated)
            continue;
        double roof = cal->host_roofline_ms;
        double med = h->result->latency.median, p90 = h->result->latency.p90;
        cal->host_measured_ms = med;
        if (isfinite(roof) && roof > 0 && med > 0) {
            eff[m] = cal->efficiency = roof / med;
            sorted[ne++] = eff[m];
        }
        if (med > 0 && isfinite(p90))
            p90_ratio[m] = p90 / med;
    }
    if (ne) {
        eb_sort_doubles(sorted, ne);
        out->efficiency_median = ne % 2 ? sorted[ne / 2]
                                        : (sorted[ne / 2 - 1] + sorted[ne / 2]) / 2;
    }
    for (size_t t = 0; t < nt; t++) {
        const eb_study_target *tg = &targets[t];
        for (size_t m = 0; m < nm; m++) {
            eb_study_row *r = &out->rows[out->n_rows++];
            snprintf(r->target, sizeof r->target, "%s", tg->name);
            snprintf(r->model, sizeof r->model, "%s", models[m].name);
            r->roofline_ms = eb_roofline_ms(models[m].ops, models[m].n_ops, tg);
            r->target_memory_bytes = cell(tg->memory_bytes, EB_SRC_SPEC);
            r->price_usd = cell(tg->price_usd, EB_SRC_SPEC);
            const eb_study_measured *meas = find_measured(measured, nmeas, tg->name,
                                                          models[m].name);
            if (meas) {
                const eb_report_result *res = meas->result;
                const eb_report_memory *mem = &res->memory;
                eb_src s = meas->report->target.emulated ? EB_SRC_EMULATED : EB_SRC_MEASURED;
                r->p50_ms = cell(res->latency.median, s);
                r->p90_ms = cell(res->latency.p90, s);
                r->throughput_ips = cell(res->throughput_ips, s);
                r->energy_j = cell(res->energy.joules_per_inference, s);
                /* peak RSS where it was measured, else the planned total */
                r->memory_bytes = cell(mem->peak_rss_bytes >= 0 ? (double)mem->peak_rss_bytes
                                                                : (double)mem->planned_total_bytes,
                                       s);
                int64_t tmem = meas->report->target.memory_bytes;
                if (tmem >= 0)
                    r->target_memory_bytes = cell((double)tmem, EB_SRC_SPEC);
            } else {
                double e = isfinite(eff[m]) ? eff[m] : out->efficiency_median;
                eb_src s = isfinite(e) ? EB_SRC_PREDICTED : EB_SRC_ROOFLINE;
                double p50 = isfinite(e) ? r->roofline_ms / e : r->roofline_ms;
                r->p50_ms = cell(p50, s);
                r->p90_ms = cell(p50 * p90_ratio[m], s);
                r->throughput_ips = cell(p50 > 0 ? 1000 / p50 : NAN, s);
                r->energy_j = cell(tg->active_w * p50 / 1000, s);
                r->memory_bytes = cell(models[m].planned_total_bytes, EB_SRC_PREDICTED);
            }
            r->cost_per_m_usd = cell(cost_per_million(tg->price_usd, r->p50_ms.v, r->energy_j.v, o),
                                     r->p50_ms.src);
            /* all cores on one inference: measured, or scaled by the thread model */
            r->all_threads = tg->cores > 0 ? tg->cores : 1;
            const eb_study_measured *ma = find_measured_threads(measured, nmeas, tg->name,
                                                                models[m].name, r->all_threads);
            double roof_n = eb_roofline_threads_ms(models[m].ops, models[m].n_ops, tg,
                                                   r->all_threads);
            if (ma)
                r->p50_all_ms = cell(ma->result->latency.median, ma->report->target.emulated
                                                                     ? EB_SRC_EMULATED
                                                                     : EB_SRC_MEASURED);
            else if (r->p50_ms.src && r->roofline_ms > 0 && isfinite(roof_n))
                r->p50_all_ms = cell(r->p50_ms.v * roof_n / r->roofline_ms,
                                     r->p50_ms.src == EB_SRC_ROOFLINE ? EB_SRC_ROOFLINE
                                                                      : EB_SRC_PREDICTED);
            r->meets_budget = -1;
            if (isfinite(o->latency_budget_ms)) {
                double lat = r->p90_ms.src ? r->p90_ms.v : r->p50_ms.v;
                if (isfinite(lat))
                    r->meets_budget = lat <= o->latency_budget_ms;
            }
        }
    }
    free(eff);
    free(p90_ratio);
    free(sorted);
    return EB_OK;
}

void eb_study_free(eb_study *s)
{
    free(s->rows);
    free(s->calibration);
    memset(s, 0, sizeof *s);
}

/* ---- output ---- */

static void fmt_cell(char *dst, size_t cap, eb_cell c, const char *fmt, double scale, bool tag)
{
    if (c.src == EB_SRC_NONE) {
        snprintf(dst, cap, "-");
        return;
    }
    char num[48];
    snprintf(num, sizeof num, fmt, c.v * scale);
    if (tag)
        snprintf(dst, cap, "%.40s [%s]", num, eb_src_tag(c.src));
    else
        snprintf(dst, cap, "%s", num);
}

static const char *lat_fmt(double ms)
{
    return ms < 1 ? "%.3f" : ms < 100 ? "%.2f" : "%.1f";
}

static void write_model_section(FILE *f, const eb_study *s, const eb_study_target *targets,
                                size_t nt, const eb_study_target *host,
                                const eb_study_options *o)
{
    fprintf(f, "\n## How the numbers were obtained\n\n"
               "- **[m] measured**: `edgebench run` on the target itself; p50/p90 of the "
               "per-inference samples, throughput in inferences/s, energy as the report "
               "states it (power model x time unless measured), memory = peak RSS.\n"
               "- **[e] emulated**: measured on an emulated board (qemu): the numbers "
               "describe the emulator, not the board.\n"
               "- **[p] predicted** by a per-layer roofline calibrated on the host:\n"
               "  `roofline(model, T) = sum over ops of max(MACs / peak_T, bytes / "
               "bandwidth_T)` with the single-core peak of the op's datatype (fp32 or "
               "int8), and `predicted_T = roofline_T / efficiency` where `efficiency = "
               "roofline_host / measured_host` of the same model (the fraction of the "
               "roofline the kernels reach);\n"
               "  a model not measured on the host uses the median efficiency of those that were "
               "(%s). p90 = predicted p50 x the host's p90/p50 ratio; throughput = 1000 / "
               "p50 (one stream); energy = the target's active watts x p50; memory = the "
               "planner's total (weights + packed + arena + scratch).\n"
               "- **[r] roofline**: no host measurement to calibrate with; the bare "
               "roofline, an optimistic bound.\n"
               "- **[s] specification**: from the target file (price, memory).\n"
               "- Cost per million inferences = price spread over %.0f years of back-to-back "
               "single-stream inference + energy at %.2f USD/kWh.\n",
            isfinite(s->efficiency_median) ? "see the calibration below"
                                           : "no calibration was possible in this study",
            o->amortize_years, o->kwh_usd);
    fprintf(f, "- **p50 ms, all cores**: one inference split over as many threads as the "
               "target has cores (`edgebench run --threads N`; on a board the agent's pool). "
               "Measured [m] when a result ran with that many threads; otherwise the p50 "
               "(one thread) x roofline(N threads) / roofline(1 thread), where each op's "
               "compute takes its largest part when edgebench's pool divides its output "
               "rows (batch rows, 64-element blocks) over the threads, ops under 200 k MACs or "
               "32 k elements stay on one thread, and memory traffic is not divided (the "
               "cores share the bus). Its limits: it leaves out the fork/join cost per op "
               "(microseconds, which matters for small, fast models), contention in the shared "
               "cache, clocks lowered when all cores are busy (thermal and power limits), and "
               "other load on the cores; so it is a lower bound on the multi-thread latency "
               "when those are present.\n");
    if (isfinite(o->latency_budget_ms))
        fprintf(f, "- Budget: p90 (p50 when no p90) at most %.3g ms.\n", o->latency_budget_ms);
    if (o->expected) {
        const eb_study_expected *tot = &o->expected[o->n_expected];
        fprintf(f, "\n## Expected error of the predictions, per target\n\n"
                   "From `edgebench study --validate`: the model of study --validate (llvm-mca "
                   "issue costs of edgebench's NEON loops, bandwidth, the thread model above) "
                   "against %zu published measurements of real boards, each predicted "
                   "leave-one-out (median |error| %.0f %%, worst figure off by %.2fx). A "
                   "board's [p] cells above come from the host-calibrated roofline, not that "
                   "model, so take these as the error of this kind of prediction, not a bound.\n\n"
                   "| target | published figures | median abs error | worst abs error |\n"
                   "|---|---:|---:|---:|\n",
                tot->figures, 100 * tot->median_abs_error, tot->worst_abs_error);
        for (size_t i = 0; i < nt; i++) {
            const eb_study_expected *e = NULL;
            for (size_t k = 0; k < o->n_expected; k++)
                if (!strcmp(o->expected[k].target, targets[i].name))
                    e = &o->expected[k];
            if (e && e->figures)
                fprintf(f, "| %s | %zu | %.0f %% | %.0f %% |\n", targets[i].name, e->figures,
                        100 * e->median_abs_error, 100 * e->worst_abs_error);
            else
                fprintf(f, "| %s | 0 | no published figure: its predictions are unvalidated | "
                           "- |\n", targets[i].name);
        }
    }
    if (s->host[0]) {
        fprintf(f, "\nCalibration on %s (median efficiency %.3g):\n\n| model | roofline on %s ms | "
                   "measured p50 ms | efficiency |\n|---|---:|---:|---:|\n",
                s->host, s->efficiency_median, s->host);
        for (size_t m = 0; m < s->n_models; m++) {
            const eb_study_calibration *c = &s->calibration[m];
            fprintf(f, "| %s | %.4g | %.4g | %.3g |\n", c->model, c->host_roofline_ms,
                    c->host_measured_ms, c->efficiency);
        }
    }
    fprintf(f, "\n| target | arch | cores | clock MHz | fp32 GMAC/s per core | int8 GMAC/s per "
               "core | bandwidth GB/s | active W | peaks from |\n|---|---|---:|---:|---:|---:|---:|"
               "---:|---|\n");
    for (size_t i = 0; i <= nt; i++) {
        const eb_study_target *t = i < nt ? &targets[i] : host;
        if (!t || (i == nt && host && nt && !strcmp(host->name, targets[0].name)))
            continue;
        bool dup = false;
        for (size_t j = 0; j < nt && i == nt; j++)
            dup |= !strcmp(targets[j].name, t->name);
        if (dup)
            continue;
        fprintf(f, "| %s%s | %s | %d | %.0f | %.3g | %.3g | %.3g | %.3g | %s |\n", t->name,
                host && t == host ? " (calibration)" : "", t->arch, t->cores, t->clock_mhz,
                t->core_gmacs_fp32, t->core_gmacs_int8, t->bandwidth_gbs, t->active_w,
                t->peak_source[0] ? t->peak_source : "-");
    }
}

static eb_status write_markdown(const eb_study *s, const eb_study_target *targets, size_t nt,
                                const eb_study_target *host, const eb_study_options *o,
                                const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/study.md", dir);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    FILE *f = of.f;
    fprintf(f, "# Hardware selection study\n\n");
    fprintf(f, "Each cell says where it comes from: [m] measured, [e] emulated, [p] predicted "
               "(calibrated roofline), [r] uncalibrated roofline, [s] specification.%s\n\n",
            isfinite(o->latency_budget_ms) ? "" : " No latency budget was given.");
    char budget[64];
    snprintf(budget, sizeof budget, isfinite(o->latency_budget_ms) ? "<= %.3g ms" : "budget",
             o->latency_budget_ms);
    fprintf(f, "| target | model | p50 ms | p90 ms | p50 ms, all cores | inf/s | mJ / inference | "
               "memory MiB | of target memory | price USD | USD per M inferences | %s |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", budget);
    for (size_t i = 0; i < s->n_rows; i++) {
        const eb_study_row *r = &s->rows[i];
        char p50[64], p90[64], thr[64], en[64], mem[64], frac[48], price[64], cost[64];
        char all[64], all_n[96];
        fmt_cell(p50, sizeof p50, r->p50_ms, lat_fmt(r->p50_ms.v), 1, true);
        fmt_cell(all, sizeof all, r->p50_all_ms, lat_fmt(r->p50_all_ms.v), 1, true);
        if (r->p50_all_ms.src)
            snprintf(all_n, sizeof all_n, "%s, %d thr", all, r->all_threads);
        else
            snprintf(all_n, sizeof all_n, "-");
        fmt_cell(p90, sizeof p90, r->p90_ms, lat_fmt(r->p90_ms.v), 1, true);
        fmt_cell(thr, sizeof thr, r->throughput_ips, "%.1f", 1, true);
        fmt_cell(en, sizeof en, r->energy_j, "%.3g", 1e3, true);
        fmt_cell(mem, sizeof mem, r->memory_bytes, "%.1f", 1.0 / (1024 * 1024), true);
        if (r->memory_bytes.src && r->target_memory_bytes.src && r->target_memory_bytes.v > 0)
            snprintf(frac, sizeof frac, "%.2g %%", 100 * r->memory_bytes.v / r->target_memory_bytes.v);
        else
            snprintf(frac, sizeof frac, "-");
        fmt_cell(price, sizeof price, r->price_usd, "%.0f", 1, true);
        fmt_cell(cost, sizeof cost, r->cost_per_m_usd, "%.3g", 1, true);
        const char *meets = r->meets_budget < 0 ? "-" : r->meets_budget ? "yes" : "**no**";
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s%s%s%s |\n",
                r->target, r->model, p50, p90, all_n, thr, en, mem, frac, price, cost, meets,
                r->meets_budget >= 0 ? " [" : "",
                r->meets_budget >= 0 ? eb_src_tag(r->p90_ms.src ? r->p90_ms.src : r->p50_ms.src) : "",
                r->meets_budget >= 0 ? "]" : "");
    }
    write_model_section(f, s, targets, nt, host, o);
    return eb_outfile_commit(&of, err, errlen);
}

static void csv_cell(FILE *f, eb_cell c)
{
    if (c.src == EB_SRC_NONE)
        fprintf(f, ",,");
    else
        fprintf(f, ",%.9g,%s", c.v, eb_src_name(c.src));
}

static eb_status write_csv(const eb_study *s, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/study.csv", dir);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    FILE *f = of.f;
    fprintf(f, "target,model,p50_ms,p50_source,p90_ms,p90_source,throughput_ips,"
               "throughput_source,energy_j,energy_source,memory_bytes,memory_source,"
               "target_memory_bytes,target_memory_source,price_usd,price_source,"
               "cost_per_million_usd,cost_source,meets_budget,roofline_ms,all_cores_threads,"
               "p50_all_cores_ms,p50_all_cores_source\n");
    for (size_t i = 0; i < s->n_rows; i++) {
        const eb_study_row *r = &s->rows[i];
        fprintf(f, "%s,%s", r->target, r->model);
        csv_cell(f, r->p50_ms);
        csv_cell(f, r->p90_ms);
        csv_cell(f, r->throughput_ips);
        csv_cell(f, r->energy_j);
        csv_cell(f, r->memory_bytes);
        csv_cell(f, r->target_memory_bytes);
        csv_cell(f, r->price_usd);
        csv_cell(f, r->cost_per_m_usd);
        fprintf(f, ",%s", r->meets_budget < 0 ? "" : r->meets_budget ? "yes" : "no");
        if (isfinite(r->roofline_ms))
            fprintf(f, ",%.9g", r->roofline_ms);
        else
            fprintf(f, ",");
        fprintf(f, ",%d", r->all_threads);
        csv_cell(f, r->p50_all_ms);
        fputc('\n', f);
    }
    return eb_outfile_commit(&of, err, errlen);
}

/* grouped bars: one group per model, one bar per target */
static eb_status write_bars(const eb_study *s, const eb_study_target *targets, size_t nt,
                            const char *dir, eb_plot_format fmt, eb_plot_list *plots,
                            const char *base, const char *title, const char *ylabel,
                            size_t field, double scale, double budget, char *err, size_t errlen)
{
    size_t nm = s->n_rows / nt;
    bool any = false; /* gnuplot refuses a chart without a single value */
    for (size_t i = 0; i < s->n_rows; i++) {
        const eb_cell *c = (const eb_cell *)((const char *)&s->rows[i] + field);
        any |= c->src != EB_SRC_NONE && isfinite(c->v) && c->v > 0;
    }
    if (!any)
        return EB_OK;
    eb_plot_item *items = realloc(plots->items, (plots->n + 1) * sizeof *items);
    if (!items) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    plots->items = items;
    eb_plot_item *it = &items[plots->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->script, sizeof it->script, "%s.gp", base);
    snprintf(it->data, sizeof it->data, "%s.dat", base);
    snprintf(it->image, sizeof it->image, "%s.%s", base, fmt == EB_PLOT_SVG ? "svg" : "png");
    snprintf(it->what, sizeof it->what, "%s", title);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, it->data);
    eb_outfile of;
    eb_status st = eb_outfile_open(&of, path, err, errlen);
    if (st != EB_OK)
        return st;
    double vmin = INFINITY, vmax = 0;
    fprintf(of.f, "# %s: model, then one column per target (NaN: unknown)\n", title);
    for (size_t m = 0; m < nm; m++) {
        fprintf(of.f, "\"%s\"", s->rows[m].model);
        for (size_t t = 0; t < nt; t++) {
            const eb_cell *c = (const eb_cell *)((const char *)&s->rows[t * nm + m] + field);
            double v = c->src ? c->v * scale : NAN;
            fprintf(of.f, " %.9g", v);
            if (isfinite(v) && v > 0) {
                vmin = fmin(vmin, v);
                vmax = fmax(vmax, v);
            }
        }
        fputc('\n', of.f);
    }
    if ((st = eb_outfile_commit(&of, err, errlen)) != EB_OK)
        return st;
    snprintf(path, sizeof path, "%s/%s", dir, it->script);
    if ((st = eb_outfile_open(&of, path, err, errlen)) != EB_OK)
        return st;
    FILE *f = of.f;
    static const char *const colors[] = {"#3465a4", "#f57900", "#4e9a06", "#cc0000",
                                         "#75507b", "#c4a000", "#06989a", "#555753"};
    fprintf(f, "# edgebench study plot: %s\n# render from this directory: gnuplot %s\n", title,
            it->script);
    int width = nm > 6 ? (int)(nm * 150) : 1000;
    if (fmt == EB_PLOT_SVG)
        fprintf(f, "set terminal svg size %d,600 dynamic noenhanced font \"DejaVu Sans,13\" "
                   "background rgb \"white\"\n", width);
    else
        fprintf(f, "set terminal pngcairo size %d,600 noenhanced font \"DejaVu Sans,11\"\n", width);
    bool logy = vmax > 30 * vmin;
    fprintf(f, "set output '%s'\nset datafile missing \"NaN\"\nset border 3\nset tics nomirror\n"
               "set grid ytics lc rgb \"#dddddd\"\nset key outside right top\n"
               "set title \"%s\"\nset ylabel \"%s%s\"\nset format y \"%%g\"\n"
               "set style data histograms\n"
               "set style histogram clustered gap 2\nset style fill solid 0.75 border -1\n"
               "set xtics rotate by 30 right\nset bmargin 6\nset xrange [-0.6:%zu.6]\n%s\n",
            it->image, title, ylabel, logy ? " (log scale)" : "", nm - 1,
            logy ? "set logscale y\nset yrange [*:*]" : "set yrange [0:*]");
    if (isfinite(budget))
        fprintf(f, "set arrow from graph 0, first %.9g to graph 1, first %.9g nohead lw 2 dt 2 "
                   "lc rgb \"#cc0000\" front\nset label \"budget %.3g ms\" at graph 0.99, first "
                   "%.9g right offset 0,0.7 tc rgb \"#cc0000\" front\n",
                budget, budget, budget, budget);
    fprintf(f, "plot ");
    for (size_t t = 0; t < nt; t++) {
        /* the series says how its bars were obtained */
        eb_src src = EB_SRC_NONE;
        bool mixed = false;
        for (size_t m = 0; m < nm; m++) {
            const eb_cell *c = (const eb_cell *)((const char *)&s->rows[t * nm + m] + field);
            if (!c->src)
                continue;
            if (src && c->src != src)
                mixed = true;
            src = c->src;
        }
        fprintf(f, "%s'%s' using %zu%s lc rgb \"%s\" title \"%s (%s)\"", t ? ", \\\n     " : "",
                it->data, t + 2, t == 0 ? ":xtic(1)" : "", colors[t % 8], targets[t].name,
                mixed ? "measured and predicted" : eb_src_name(src));
    }
    fprintf(f, "\n");
    return eb_outfile_commit(&of, err, errlen);
}

eb_status eb_study_write(const eb_study *s, const eb_study_target *targets, size_t nt,
                         const eb_study_target *host, const eb_study_options *o,
                         const char *dir, eb_plot_format fmt, eb_plot_list *plots, char *err,
                         size_t errlen)
{
    memset(plots, 0, sizeof *plots);
    eb_status st = eb_mkdirs(dir, 0777, err, errlen);
    if (st == EB_OK)
        st = write_markdown(s, targets, nt, host, o, dir, err, errlen);
    if (st == EB_OK)
        st = write_csv(s, dir, err, errlen);
    if (st == EB_OK)
        st = write_bars(s, targets, nt, dir, fmt, plots, "study_latency",
                        "median latency per inference by target", "p50 latency, ms",
                        offsetof(eb_study_row, p50_ms), 1, o->latency_budget_ms, err, errlen);
    if (st == EB_OK)
        st = write_bars(s, targets, nt, dir, fmt, plots, "study_cost",
                        "cost per million inferences by target (hardware + energy)", "USD per million inferences",
                        offsetof(eb_study_row, cost_per_m_usd), 1, NAN, err, errlen);
    if (st == EB_OK)
        st = write_bars(s, targets, nt, dir, fmt, plots, "study_energy",
                        "energy per inference by target", "mJ per inference",
                        offsetof(eb_study_row, energy_j), 1e3, NAN, err, errlen);
    return st;
}
