/* compare.c - pairing, statistics and verdicts of the regression gate (eb_compare.h). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eb_bootstrap.h"
#include "eb_compare.h"
#include "eb_rank_tests.h"

void eb_cmp_options_default(eb_cmp_options *o)
{
    *o = (eb_cmp_options){.threshold = 0.05, .alpha = 0.01, .cv_warn = 0.10, .level = 0.95,
                          .resamples = EB_BOOTSTRAP_RESAMPLES, .metrics = EB_METRIC_P50};
}

static const struct {
    const char *name;
    unsigned mask;
} metric_names[] = {
    {"p50", EB_METRIC_P50},       {"median", EB_METRIC_P50}, {"p90", EB_METRIC_P90},
    {"p99", EB_METRIC_P99},       {"throughput", EB_METRIC_THROUGHPUT},
    {"memory", EB_METRIC_MEMORY}, {"size", EB_METRIC_SIZE},  {"energy", EB_METRIC_ENERGY},
    {"all", 0x7f},
};

bool eb_metrics_parse(const char *list, unsigned *mask, char *bad, size_t badlen)
{
    *mask = 0;
    const char *p = list;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof metric_names / sizeof metric_names[0]; i++)
            if (strlen(metric_names[i].name) == len && !strncmp(p, metric_names[i].name, len)) {
                *mask |= metric_names[i].mask;
                found = true;
            }
        if (!found) {
            snprintf(bad, badlen, "%.*s", (int)len, p);
            return false;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (!*mask) {
        snprintf(bad, badlen, "%s", list ? list : "");
        return false;
    }
    return true;
}

const char *eb_verdict_name(eb_verdict v)
{
    switch (v) {
    case EB_VERDICT_REGRESSION: return "REGRESSION";
    case EB_VERDICT_IMPROVEMENT: return "improvement";
    default: return "no significant change";
    }
}

void eb_cmp_decide(eb_cmp_row *row, const eb_cmp_options *o)
{
    double worse = row->lower_is_better ? row->change : -row->change;
    bool significant = row->exact ? row->change != 0 : row->p < o->alpha;
    row->verdict = EB_VERDICT_SAME;
    if (!isfinite(row->change)) {
        snprintf(row->note, sizeof row->note, "not comparable (missing or zero value)");
        return;
    }
    if (worse > o->threshold && significant) {
        row->verdict = EB_VERDICT_REGRESSION;
        snprintf(row->note, sizeof row->note, "%s by %.1f %%, threshold %.1f %%",
                 row->lower_is_better ? "higher" : "lower", 100 * fabs(row->change),
                 100 * o->threshold);
    } else if (-worse > o->threshold && significant) {
        row->verdict = EB_VERDICT_IMPROVEMENT;
        snprintf(row->note, sizeof row->note, "%s by %.1f %%",
                 row->lower_is_better ? "lower" : "higher", 100 * fabs(row->change));
    } else if (fabs(row->change) > o->threshold) {
        snprintf(row->note, sizeof row->note, "beyond threshold but not significant (p %.2g >= %g)",
                 row->p, o->alpha);
    } else if (significant && !row->exact) {
        snprintf(row->note, sizeof row->note, "significant but within threshold");
    } else if (row->exact) {
        snprintf(row->note, sizeof row->note, row->change != 0 ? "within threshold" : "identical");
    } else {
        row->note[0] = 0;
    }
}

static eb_status test_samples(const double *base, size_t nb, const double *cur, size_t nc,
                              eb_cmp_row *row)
{
    eb_mwu m;
    eb_status st = eb_mann_whitney(base, nb, cur, nc, &m);
    if (st != EB_OK)
        return st;
    row->p = m.p;
    row->u = m.u;
    row->effect = m.effect;
    row->n_base = nb;
    row->n_cur = nc;
    return EB_OK;
}

eb_status eb_compare_samples(const double *base, size_t nb, const double *cur, size_t nc,
                             double q, const eb_cmp_options *o, eb_cmp_row *row)
{
    row->lower_is_better = true;
    row->exact = false;
    eb_status st = test_samples(base, nb, cur, nc, row);
    if (st != EB_OK)
        return st;
    eb_ratio_ci ci;
    st = eb_bootstrap_ratio(base, nb, cur, nc, EB_STAT_QUANTILE, q, o->resamples, o->level,
                            EB_BOOTSTRAP_SEED, &ci);
    if (st != EB_OK)
        return st;
    /* the displayed values are the samples' own quantiles, so change matches them */
    double *tmp = malloc((nb > nc ? nb : nc) * sizeof *tmp);
    if (!tmp)
        return EB_ERR_NOMEM;
    memcpy(tmp, base, nb * sizeof *tmp);
    row->base = eb_quantile_inplace(tmp, nb, q);
    memcpy(tmp, cur, nc * sizeof *tmp);
    row->cur = eb_quantile_inplace(tmp, nc, q);
    free(tmp);
    row->change = row->base > 0 ? row->cur / row->base - 1 : NAN;
    row->ci_lo = ci.lo;
    row->ci_hi = ci.hi;
    eb_cmp_decide(row, o);
    return EB_OK;
}

/* ---- report pairing ---- */

/* A report's own warnings that compare repeats: the first 16 (more would bury the gate's
 * own). */
#define CMP_RUN_WARNINGS 16

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return n ? s / (double)n : NAN;
}

/* The pairing key: the report's target name and the result's model, variant, scenario
 * and threads. */
static bool same_key(const eb_report *ra, const eb_report_result *a, const eb_report *rb,
                     const eb_report_result *b)
{
    return !strcmp(ra->target.name, rb->target.name) && !strcmp(a->model, b->model) &&
           !strcmp(a->variant, b->variant) && !strcmp(a->scenario, b->scenario) &&
           a->threads == b->threads;
}

static void key_label(const eb_report *rep, const eb_report_result *r, char *dst, size_t cap)
{
    const char *target = rep->target.name;
    if (!strcmp(r->scenario, "single-stream") && r->threads == 1)
        snprintf(dst, cap, "%s/%s", target, r->name);
    else
        snprintf(dst, cap, "%s/%s %s x%d", target, r->name, r->scenario, r->threads);
}

/* Peak RSS is not measured everywhere: NAN then, which skips its row. */
static double rss_bytes(const eb_report_result *r)
{
    return r->memory.peak_rss_bytes < 0 ? NAN : (double)r->memory.peak_rss_bytes;
}

static double model_bytes(const eb_report_result *r)
{
    return (double)r->memory.weights_bytes + (double)r->memory.packed_bytes;
}

static int cmp_kernel(const void *a, const void *b)
{
    return strcmp(((const eb_report_kernel *)a)->op, ((const eb_report_kernel *)b)->op);
}

/* "op=kernel,..." sorted by op (cut at cap), to tell two kernel selections apart */
static void kernels_signature(const eb_report_result *r, char *dst, size_t cap)
{
    eb_report_kernel k[EB_REPORT_MAX_KERNELS];
    size_t n = r->n_kernels < EB_REPORT_MAX_KERNELS ? r->n_kernels : EB_REPORT_MAX_KERNELS;
    memcpy(k, r->kernels, n * sizeof *k);
    qsort(k, n, sizeof *k, cmp_kernel);
    size_t used = 0;
    dst[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(dst + used, cap - used, "%s%s=%s", i ? "," : "", k[i].op, k[i].name);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

static eb_status add_warning(eb_cmp_outcome *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static eb_status add_warning(eb_cmp_outcome *out, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < out->n_warnings; i++)
        if (!strcmp(out->warnings[i], buf))
            return EB_OK;
    char **w = realloc(out->warnings, (out->n_warnings + 1) * sizeof *w);
    if (!w)
        return EB_ERR_NOMEM;
    out->warnings = w;
    if (!(w[out->n_warnings] = strdup(buf)))
        return EB_ERR_NOMEM;
    out->n_warnings++;
    return EB_OK;
}

static eb_cmp_row *new_row(eb_cmp_outcome *out, const char *pair, const char *metric,
                           const char *unit, bool lower_is_better)
{
    eb_cmp_row *r = realloc(out->rows, (out->n_rows + 1) * sizeof *r);
    if (!r)
        return NULL;
    out->rows = r;
    r = &out->rows[out->n_rows++];
    memset(r, 0, sizeof *r);
    snprintf(r->pair, sizeof r->pair, "%s", pair);
    r->metric = metric;
    r->unit = unit;
    r->lower_is_better = lower_is_better;
    r->ci_lo = r->ci_hi = r->p = r->u = r->effect = NAN;
    return r;
}

/* An exact metric: numbers compared as they are; NAN on either side skips the row. */
static eb_status exact_row(eb_cmp_outcome *out, const char *pair, const char *metric,
                           const char *unit, double base, double cur, const char *note,
                           const eb_cmp_options *o)
{
    if (!isfinite(base) || !isfinite(cur))
        return EB_OK;
    eb_cmp_row *r = new_row(out, pair, metric, unit, true);
    if (!r)
        return EB_ERR_NOMEM;
    r->exact = true;
    r->base = base;
    r->cur = cur;
    r->change = base > 0 ? cur / base - 1 : (cur == base ? 0 : NAN);
    eb_cmp_decide(r, o);
    if (note) {
        size_t used = strlen(r->note);
        snprintf(r->note + used, sizeof r->note - used, "%s%.100s", used ? "; " : "", note);
    }
    return EB_OK;
}

/* Smallest n (equal sizes) whose U test can reach alpha. */
static size_t min_samples_for(double alpha)
{
    size_t n = 1;
    while (n < 64 && eb_mann_whitney_min_p(n, n) >= alpha)
        n++;
    return n;
}

static eb_status compare_pair(const eb_report *base, const eb_report_result *b,
                              const eb_report_result *c, const eb_cmp_options *o,
                              eb_cmp_outcome *out, char *err, size_t errlen)
{
    char pair[256];
    key_label(base, b, pair, sizeof pair);
    eb_status st;
    unsigned sample_metrics = EB_METRIC_P50 | EB_METRIC_P90 | EB_METRIC_P99 |
                              EB_METRIC_THROUGHPUT | EB_METRIC_ENERGY;
    if (o->metrics & sample_metrics) {
        if (b->n_samples == 0 || c->n_samples == 0) {
            snprintf(err, errlen, "%s has no raw samples (samples_ms) in the %s report", pair,
                     b->n_samples == 0 ? "baseline" : "current");
            return EB_ERR_ARG;
        }
        size_t nmin = min_samples_for(o->alpha);
        if (b->n_samples < nmin || c->n_samples < nmin ||
            eb_mann_whitney_min_p(b->n_samples, c->n_samples) >= o->alpha) {
            snprintf(err, errlen,
                     "too few samples for %s (baseline %zu, current %zu): at alpha %g the U "
                     "test needs at least %zu on each side",
                     pair, b->n_samples, c->n_samples, o->alpha, nmin);
            return EB_ERR_ARG;
        }
    }
    double bcv = b->latency.cv, ccv = c->latency.cv;
    if (isfinite(bcv) && bcv > o->cv_warn)
        add_warning(out, "%s: baseline CV is %.1f %% (above %.0f %%): its samples are noisy",
                    pair, 100 * bcv, 100 * o->cv_warn);
    if (isfinite(ccv) && ccv > o->cv_warn)
        add_warning(out, "%s: current CV is %.1f %% (above %.0f %%): its samples are noisy",
                    pair, 100 * ccv, 100 * o->cv_warn);
    char bk[512], ck[512];
    kernels_signature(b, bk, sizeof bk);
    kernels_signature(c, ck, sizeof ck);
    if (bk[0] && ck[0] && strcmp(bk, ck))
        add_warning(out, "%s: the two sides ran different kernels", pair);
    if (!b->complete || !c->complete)
        add_warning(out, "%s: the %s result is incomplete (interrupted run)", pair,
                    !b->complete ? "baseline" : "current");

    static const struct {
        unsigned mask;
        const char *name;
        double q;
    } quantiles[] = {{EB_METRIC_P50, "p50", 0.5}, {EB_METRIC_P90, "p90", 0.9},
                     {EB_METRIC_P99, "p99", 0.99}};
    for (size_t i = 0; i < 3; i++) {
        if (!(o->metrics & quantiles[i].mask))
            continue;
        eb_cmp_row *r = new_row(out, pair, quantiles[i].name, "ms", true);
        if (!r)
            return EB_ERR_NOMEM;
        st = eb_compare_samples(b->samples_ms, b->n_samples, c->samples_ms, c->n_samples,
                                quantiles[i].q, o, r);
        if (st != EB_OK)
            return st;
    }
    if (o->metrics & EB_METRIC_THROUGHPUT) {
        eb_cmp_row *r = new_row(out, pair, "throughput", "inf/s", false);
        if (!r)
            return EB_ERR_NOMEM;
        if ((st = test_samples(b->samples_ms, b->n_samples, c->samples_ms, c->n_samples, r)))
            return st;
        /* throughput follows 1 / mean latency: its ratio is the inverse mean ratio */
        eb_ratio_ci ci;
        st = eb_bootstrap_ratio(b->samples_ms, b->n_samples, c->samples_ms, c->n_samples,
                                EB_STAT_MEAN, 0, o->resamples, o->level, EB_BOOTSTRAP_SEED,
                                &ci);
        if (st != EB_OK)
            return st;
        r->base = b->throughput_ips;
        r->cur = c->throughput_ips;
        if (!isfinite(r->base) || !isfinite(r->cur)) { /* not in the report: derive it */
            r->base = 1000.0 * b->threads / mean_of(b->samples_ms, b->n_samples);
            r->cur = 1000.0 * c->threads / mean_of(c->samples_ms, c->n_samples);
        }
        r->change = r->base > 0 ? r->cur / r->base - 1 : NAN;
        r->ci_lo = 1 / ci.hi;
        r->ci_hi = 1 / ci.lo;
        eb_cmp_decide(r, o);
    }
    double bj = b->energy.joules_per_inference, cj = c->energy.joules_per_inference;
    if (o->metrics & EB_METRIC_ENERGY && isfinite(bj) && isfinite(cj)) {
        if (strcmp(b->energy.method, c->energy.method))
            add_warning(out, "%s: energy was %s in the baseline but %s in the current report",
                        pair, b->energy.method, c->energy.method);
        bool estimated = !strcmp(b->energy.method, "estimated") &&
                         !strcmp(c->energy.method, "estimated");
        if (!estimated) {
            if ((st = exact_row(out, pair, "energy", "J", bj, cj,
                                "one measurement per side, no test", o)))
                return st;
        } else {
            /* estimated energy is power x median latency: its uncertainty is the
             * latency's, scaled by the ratio of the two power figures */
            eb_cmp_row *r = new_row(out, pair, "energy", "J", true);
            if (!r)
                return EB_ERR_NOMEM;
            eb_cmp_row lat;
            memset(&lat, 0, sizeof lat);
            st = eb_compare_samples(b->samples_ms, b->n_samples, c->samples_ms, c->n_samples,
                                    0.5, o, &lat);
            if (st != EB_OK)
                return st;
            r->base = bj;
            r->cur = cj;
            r->change = r->base > 0 ? r->cur / r->base - 1 : NAN;
            double scale = (lat.cur > 0 && lat.base > 0)
                               ? (r->cur / lat.cur) / (r->base / lat.base) : NAN;
            r->ci_lo = lat.ci_lo * scale;
            r->ci_hi = lat.ci_hi * scale;
            r->p = lat.p;
            r->u = lat.u;
            r->effect = lat.effect;
            r->n_base = lat.n_base;
            r->n_cur = lat.n_cur;
            eb_cmp_decide(r, o);
        }
    }
    if (o->metrics & EB_METRIC_MEMORY) {
        if ((st = exact_row(out, pair, "memory", "bytes",
                            (double)b->memory.planned_total_bytes,
                            (double)c->memory.planned_total_bytes, NULL, o)))
            return st;
        /* peak RSS is measured once per run: no test, the threshold alone decides */
        if ((st = exact_row(out, pair, "rss", "bytes", rss_bytes(b), rss_bytes(c),
                            "one measurement per side", o)))
            return st;
    }
    if (o->metrics & EB_METRIC_SIZE) {
        if ((st = exact_row(out, pair, "size", "bytes", model_bytes(b), model_bytes(c), NULL,
                            o)))
            return st;
    }
    return EB_OK;
}

static eb_status check_unique(const eb_report *r, const char *side, char *err,
                              size_t errlen)
{
    for (size_t i = 0; i < r->n_results; i++)
        for (size_t j = i + 1; j < r->n_results; j++)
            if (same_key(r, &r->results[i], r, &r->results[j])) {
                char k[256];
                key_label(r, &r->results[i], k, sizeof k);
                snprintf(err, errlen, "the %s report '%s' holds %s twice; compare cannot pair it",
                         side, r->path, k);
                return EB_ERR_ARG;
            }
    return EB_OK;
}

eb_status eb_compare_reports(const eb_report *base, const eb_report *cur,
                             const eb_cmp_options *o, eb_cmp_outcome *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = 0;
    eb_status st;
    if ((st = check_unique(base, "baseline", err, errlen)) ||
        (st = check_unique(cur, "current", err, errlen)))
        return st;
    const char *bcpu = base->environment.brand, *ccpu = cur->environment.brand;
    if (bcpu[0] && ccpu[0] && strcmp(bcpu, ccpu))
        add_warning(out, "measured on different CPUs: '%s' (baseline) vs '%s' (current)",
                    bcpu, ccpu);
    const char *bks = base->environment.kernel_set, *cks = cur->environment.kernel_set;
    if (bks[0] && cks[0] && strcmp(bks, cks))
        add_warning(out, "different kernel sets: %s (baseline) vs %s (current)", bks, cks);
    const char *bbt = base->edgebench.build_type, *cbt = cur->edgebench.build_type;
    if (bbt[0] && cbt[0] && strcmp(bbt, cbt))
        add_warning(out, "different build types: %s (baseline) vs %s (current)", bbt, cbt);
    const eb_report *sides[2] = {base, cur};
    for (int s = 0; s < 2; s++) {
        const char *name = s ? "current" : "baseline";
        if (sides[s]->edgebench.sanitized)
            add_warning(out, "the %s report comes from a sanitizer build: its timings are not "
                             "representative", name);
        if (sides[s]->target.emulated)
            add_warning(out, "the %s report was measured under emulation", name);
        if (!sides[s]->complete)
            add_warning(out, "the %s report is incomplete (the run was interrupted)", name);
        /* what the run itself flagged (its first CMP_RUN_WARNINGS), except what compare
         * says in its own words */
        size_t nw = sides[s]->n_warnings < CMP_RUN_WARNINGS ? sides[s]->n_warnings
                                                            : CMP_RUN_WARNINGS;
        for (size_t w = 0; w < nw; w++) {
            const char *t = sides[s]->warnings[w];
            if (strstr(t, "sanitizer build") || strstr(t, "latency CV"))
                continue;
            add_warning(out, "%s report: %s", name, t);
        }
    }
    size_t paired = 0;
    for (size_t i = 0; i < base->n_results; i++) {
        const eb_report_result *b = &base->results[i], *c = NULL;
        for (size_t j = 0; j < cur->n_results && !c; j++)
            if (same_key(base, b, cur, &cur->results[j]))
                c = &cur->results[j];
        char k[256];
        key_label(base, b, k, sizeof k);
        if (!c) {
            if (!o->allow_missing) {
                snprintf(err, errlen, "%s is in the baseline '%s' but not in the current '%s'",
                         k, base->path, cur->path);
                st = EB_ERR_ARG;
                goto fail;
            }
            add_warning(out, "%s is only in the baseline; not compared", k);
            continue;
        }
        if ((st = compare_pair(base, b, c, o, out, err, errlen)) != EB_OK)
            goto fail;
        paired++;
    }
    for (size_t j = 0; j < cur->n_results; j++) {
        bool found = false;
        for (size_t i = 0; i < base->n_results && !found; i++)
            found = same_key(base, &base->results[i], cur, &cur->results[j]);
        if (found)
            continue;
        char k[256];
        key_label(cur, &cur->results[j], k, sizeof k);
        if (!o->allow_missing) {
            snprintf(err, errlen, "%s is in the current '%s' but not in the baseline '%s'", k,
                     cur->path, base->path);
            st = EB_ERR_ARG;
            goto fail;
        }
        add_warning(out, "%s is only in the current report; not compared", k);
    }
    if (paired == 0) {
        snprintf(err, errlen, "'%s' and '%s' have no result in common to compare", base->path,
                 cur->path);
        st = EB_ERR_ARG;
        goto fail;
    }
    if (out->n_rows == 0) {
        snprintf(err, errlen, "neither report carries the metrics asked for");
        st = EB_ERR_ARG;
        goto fail;
    }
    for (size_t i = 0; i < out->n_rows; i++) {
        out->regressions += out->rows[i].verdict == EB_VERDICT_REGRESSION;
        out->improvements += out->rows[i].verdict == EB_VERDICT_IMPROVEMENT;
    }
    return EB_OK;
fail:
    if (st == EB_ERR_NOMEM)
        snprintf(err, errlen, "out of memory comparing the reports");
    else if (!err[0])
        snprintf(err, errlen, "cannot compare '%s' with '%s': %s", base->path, cur->path,
                 eb_status_str(st));
    eb_cmp_outcome_free(out);
    return st;
}

void eb_cmp_outcome_free(eb_cmp_outcome *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_warnings; i++)
        free(o->warnings[i]);
    free(o->warnings);
    free(o->rows);
    memset(o, 0, sizeof *o);
}
