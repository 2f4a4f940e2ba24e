/* report_data.c - the gates' view of a report (eb_report_data.h), read through the one
 * report reader (eb_report_parse / eb_report_from_json: validated against the schema). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_outfile.h"
#include "eb_report.h"
#include "eb_report_data.h"

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>

#define EB_REPORT_MAX_BYTES ((size_t)1 << 30)

static double u64_or_nan(uint64_t v) { return (double)v; }
static double i64_or_nan(int64_t v) { return v < 0 ? NAN : (double)v; }

static int cmp_kernel(const void *a, const void *b)
{
    return strcmp(((const eb_report_kernel *)a)->op, ((const eb_report_kernel *)b)->op);
}

/* "op=kernel,..." sorted by op */
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

static eb_status convert_result(eb_report_result *in, const char *target, eb_rresult *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->target, sizeof out->target, "%s", target);
    snprintf(out->model, sizeof out->model, "%s", in->model);
    snprintf(out->variant, sizeof out->variant, "%s", in->variant);
    snprintf(out->scenario, sizeof out->scenario, "%s", in->scenario);
    snprintf(out->name, sizeof out->name, "%s", in->name);
    out->threads = in->threads;
    out->complete = in->complete;
    /* take over the arrays rather than copying them */
    out->samples_ms = in->samples_ms;
    out->n_samples = in->n_samples;
    in->samples_ms = NULL;
    in->n_samples = 0;
    const eb_stats *l = &in->latency;
    out->median_ms = l->median;
    out->p90_ms = l->p90;
    out->p99_ms = l->p99;
    out->mean_ms = l->mean;
    out->cv = l->cv;
    out->ci_lo_ms = l->ci95_lo;
    out->ci_hi_ms = l->ci95_hi;
    out->throughput_ips = in->throughput_ips;
    out->macs = u64_or_nan(in->macs);
    out->params = u64_or_nan(in->params);
    const eb_report_memory *m = &in->memory;
    out->planned_total_bytes = u64_or_nan(m->planned_total_bytes);
    out->peak_rss_bytes = i64_or_nan(m->peak_rss_bytes);
    out->weights_bytes = u64_or_nan(m->weights_bytes);
    out->model_bytes = u64_or_nan(m->weights_bytes) + u64_or_nan(m->packed_bytes);
    out->energy_j = in->energy.joules_per_inference;
    snprintf(out->energy_method, sizeof out->energy_method, "%s", in->energy.method);
    out->has_fidelity = in->has_fidelity;
    out->sqnr_db = in->has_fidelity ? in->fidelity.sqnr_db : NAN;
    out->cosine = in->has_fidelity ? in->fidelity.cosine : NAN;
    out->top1_agreement = in->has_fidelity ? in->fidelity.top1_agreement : NAN;
    kernels_signature(in, out->kernels, sizeof out->kernels);
    if (in->n_profile) {
        out->profile = calloc(in->n_profile, sizeof *out->profile);
        if (!out->profile)
            return EB_ERR_NOMEM;
        for (size_t i = 0; i < in->n_profile; i++) {
            const eb_report_profile_op *p = &in->profile[i];
            eb_rop *d = &out->profile[out->n_profile++];
            snprintf(d->name, sizeof d->name, "%.47s", p->op);
            snprintf(d->type, sizeof d->type, "%.23s", p->type);
            snprintf(d->kernel, sizeof d->kernel, "%s", p->kernel);
            d->macs = (double)p->macs;
            d->median_ms = p->median_ms;
            d->share = p->share;
            d->gmacs = p->gmacs;
        }
    }
    return EB_OK;
}

eb_status eb_rdata_parse(const char *json, const char *path, eb_rdata *out, char *err,
                         size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    cJSON *tree = NULL;
    char e[768];
    eb_status st = eb_report_parse(json, &tree, e, sizeof e);
    if (st != EB_OK) {
        snprintf(err, errlen, "'%s': %s", path, e);
        return st;
    }
    eb_report rep;
    st = eb_report_from_json(tree, &rep, e, sizeof e);
    cJSON_Delete(tree);
    if (st != EB_OK) {
        snprintf(err, errlen, "'%s': %s", path, e);
        return st;
    }
    out->schema_version = EB_REPORT_SCHEMA_VERSION;
    out->complete = rep.complete;
    out->sanitized = rep.edgebench.sanitized;
    out->emulated = rep.target.emulated;
    snprintf(out->created_utc, sizeof out->created_utc, "%s", rep.created_utc);
    snprintf(out->cpu, sizeof out->cpu, "%s", rep.environment.brand);
    snprintf(out->kernel_set, sizeof out->kernel_set, "%s", rep.environment.kernel_set);
    snprintf(out->build_type, sizeof out->build_type, "%s", rep.edgebench.build_type);
    snprintf(out->git, sizeof out->git, "%s", rep.edgebench.git);
    snprintf(out->target, sizeof out->target, "%s", rep.target.name);
    snprintf(out->arch, sizeof out->arch, "%s", rep.target.arch);
    snprintf(out->transport, sizeof out->transport, "%s", rep.target.transport);
    for (size_t i = 0; i < rep.n_warnings && out->n_warnings < 16; i++)
        snprintf(out->warnings[out->n_warnings++], sizeof out->warnings[0], "%s", rep.warnings[i]);
    out->target_cores = rep.target.cores;
    out->target_memory_bytes = i64_or_nan(rep.target.memory_bytes);
    out->price_usd = rep.target.price_usd;
    out->idle_w = rep.target.power_model.idle_w;
    out->active_w = rep.target.power_model.active_w;
    out->results = calloc(rep.n_results ? rep.n_results : 1, sizeof *out->results);
    if (!out->results) {
        st = EB_ERR_NOMEM;
    } else {
        for (size_t i = 0; i < rep.n_results && st == EB_OK; i++) {
            st = convert_result(&rep.results[i], rep.target.name, &out->results[i]);
            out->n_results++;
        }
    }
    eb_report_free(&rep);
    if (st != EB_OK) {
        snprintf(err, errlen, "out of memory reading '%s'", path);
        eb_rdata_free(out);
    }
    return st;
}

eb_status eb_rdata_load(const char *path, eb_rdata *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text;
    eb_status st = eb_read_file(path, EB_REPORT_MAX_BYTES, &text, NULL, err, errlen);
    if (st != EB_OK)
        return st;
    st = eb_rdata_parse(text, path, out, err, errlen);
    free(text);
    return st;
}

#else /* no cJSON (cross builds): the report commands need the host build */

eb_status eb_rdata_parse(const char *json, const char *path, eb_rdata *out, char *err,
                         size_t errlen)
{
    (void)json;
    memset(out, 0, sizeof *out);
    snprintf(err, errlen, "cannot read '%s': this build has no JSON support (libcjson)", path);
    return EB_ERR_UNSUPPORTED;
}

eb_status eb_rdata_load(const char *path, eb_rdata *out, char *err, size_t errlen)
{
    return eb_rdata_parse(NULL, path, out, err, errlen);
}
#endif

void eb_rdata_free(eb_rdata *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_results; i++) {
        free(r->results[i].samples_ms);
        free(r->results[i].profile);
    }
    free(r->results);
    r->results = NULL;
    r->n_results = 0;
}
