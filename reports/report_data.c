/* report_data.c - copies what compare, plot, study and ab need out of a schema_version 1
 * report (eb_report_data.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eb_report_data.h"
#include "eb_outfile.h"

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>

#define EB_REPORT_MAX_BYTES ((size_t)1 << 30)

static void copy_str(char *dst, size_t cap, const cJSON *obj, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(dst, cap, "%s", cJSON_IsString(s) && s->valuestring ? s->valuestring : "");
}

static double num_or_nan(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double num_or_nan_at(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, i) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "op=kernel,..." sorted by op, truncated to cap. */
static void kernels_signature(const cJSON *kernels, char *dst, size_t cap)
{
    dst[0] = 0;
    int n = cJSON_GetArraySize(kernels);
    if (!cJSON_IsObject(kernels) || n <= 0)
        return;
    char **items = calloc((size_t)n, sizeof *items);
    if (!items)
        return;
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, kernels) {
        if (!it->string || !cJSON_IsString(it) || k >= n)
            continue;
        size_t len = strlen(it->string) + strlen(it->valuestring) + 2;
        items[k] = malloc(len);
        if (items[k])
            snprintf(items[k++], len, "%s=%s", it->string, it->valuestring);
    }
    qsort(items, (size_t)k, sizeof *items, cmp_str);
    size_t used = 0;
    for (int i = 0; i < k; i++) {
        int w = snprintf(dst + used, cap - used, "%s%s", i ? "," : "", items[i]);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
        free(items[i]);
    }
    free(items);
}

static eb_status load_result(const cJSON *r, const char *target, const char *path, size_t idx,
                             eb_rresult *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(out->target, sizeof out->target, "%s", target);
    copy_str(out->model, sizeof out->model, r, "model");
    copy_str(out->variant, sizeof out->variant, r, "variant");
    copy_str(out->scenario, sizeof out->scenario, r, "scenario");
    copy_str(out->name, sizeof out->name, r, "name");
    if (!out->model[0]) {
        snprintf(err, errlen, "'%s' is not a valid report: results[%zu] has no model", path,
                 idx);
        return EB_ERR_FORMAT;
    }
    if (!out->name[0])
        snprintf(out->name, sizeof out->name, "%s%s%s", out->model, out->variant[0] ? "_" : "",
                 out->variant);
    if (!out->scenario[0])
        snprintf(out->scenario, sizeof out->scenario, "single-stream");
    double th = num_or_nan(r, "threads");
    out->threads = isfinite(th) ? (int)th : 1;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "complete");
    out->complete = !cJSON_IsBool(c) || cJSON_IsTrue(c);

    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(r, "latency_ms");
    out->median_ms = num_or_nan(lat, "median");
    out->mean_ms = num_or_nan(lat, "mean");
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(lat, "ci95_median");
    out->ci_lo_ms = num_or_nan_at(ci, 0);
    out->ci_hi_ms = num_or_nan_at(ci, 1);
    out->macs = num_or_nan(r, "macs");
    out->params = num_or_nan(r, "params");
    out->p90_ms = num_or_nan(lat, "p90");
    out->p99_ms = num_or_nan(lat, "p99");
    out->cv = num_or_nan(lat, "cv");
    out->throughput_ips = num_or_nan(r, "throughput_ips");

    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "samples_ms");
    if (cJSON_IsArray(s)) {
        int n = cJSON_GetArraySize(s);
        out->samples_ms = malloc((size_t)(n > 0 ? n : 1) * sizeof *out->samples_ms);
        if (!out->samples_ms) {
            snprintf(err, errlen, "out of memory reading '%s'", path);
            return EB_ERR_NOMEM;
        }
        const cJSON *v;
        cJSON_ArrayForEach(v, s) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) {
                snprintf(err, errlen,
                         "'%s' is not a valid report: samples_ms of %s holds a value that is "
                         "not a non-negative number",
                         path, out->name);
                return EB_ERR_FORMAT;
            }
            out->samples_ms[out->n_samples++] = v->valuedouble;
        }
    }

    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(r, "memory");
    out->planned_total_bytes = num_or_nan(mem, "planned_total_bytes");
    out->peak_rss_bytes = num_or_nan(mem, "peak_rss_bytes");
    double w = num_or_nan(mem, "weights_bytes"), p = num_or_nan(mem, "packed_bytes");
    out->weights_bytes = w;
    out->model_bytes = isfinite(w) ? w + (isfinite(p) ? p : 0) : NAN;

    const cJSON *fid = cJSON_GetObjectItemCaseSensitive(r, "fidelity");
    out->has_fidelity = cJSON_IsObject(fid);
    out->sqnr_db = num_or_nan(fid, "sqnr_db");
    out->cosine = num_or_nan(fid, "cosine");
    out->top1_agreement = num_or_nan(fid, "top1_agreement");

    const cJSON *prof = cJSON_GetObjectItemCaseSensitive(r, "profile");
    int np = cJSON_IsArray(prof) ? cJSON_GetArraySize(prof) : 0;
    if (np > 0) {
        out->profile = calloc((size_t)np, sizeof *out->profile);
        if (!out->profile) {
            snprintf(err, errlen, "out of memory reading '%s'", path);
            return EB_ERR_NOMEM;
        }
        const cJSON *op;
        cJSON_ArrayForEach(op, prof) {
            eb_rop *d = &out->profile[out->n_profile++];
            copy_str(d->name, sizeof d->name, op, "op");
            copy_str(d->type, sizeof d->type, op, "type");
            copy_str(d->kernel, sizeof d->kernel, op, "kernel");
            d->macs = num_or_nan(op, "macs");
            d->median_ms = num_or_nan(op, "median_ms");
            d->share = num_or_nan(op, "share");
            d->gmacs = num_or_nan(op, "gmacs");
        }
    }

    const cJSON *en = cJSON_GetObjectItemCaseSensitive(r, "energy");
    out->energy_j = num_or_nan(en, "joules_per_inference");
    copy_str(out->energy_method, sizeof out->energy_method, en, "method");
    kernels_signature(cJSON_GetObjectItemCaseSensitive(r, "kernels"), out->kernels,
                      sizeof out->kernels);
    return EB_OK;
}

eb_status eb_rdata_parse(const char *json, const char *path, eb_rdata *out,
                              char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        snprintf(err, errlen, "'%s' is not JSON (parse error near byte %ld)", path,
                 (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json : 0));
        return EB_ERR_FORMAT;
    }
    eb_status st = EB_ERR_FORMAT;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "schema_version");
    if (!cJSON_IsObject(root) || !cJSON_IsNumber(ver)) {
        snprintf(err, errlen, "'%s' is not an edgebench report: no schema_version", path);
        goto done;
    }
    out->schema_version = ver->valueint;
    if (ver->valueint != 1) {
        snprintf(err, errlen,
                 "'%s' has schema_version %d; this edgebench reads schema_version 1", path,
                 ver->valueint);
        goto done;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "complete");
    out->complete = !cJSON_IsBool(c) || cJSON_IsTrue(c);
    copy_str(out->created_utc, sizeof out->created_utc, root, "created_utc");
    const cJSON *eb = cJSON_GetObjectItemCaseSensitive(root, "edgebench");
    copy_str(out->build_type, sizeof out->build_type, eb, "build_type");
    copy_str(out->git, sizeof out->git, eb, "git");
    out->sanitized = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(eb, "sanitized"));
    const cJSON *tgt = cJSON_GetObjectItemCaseSensitive(root, "target");
    char target[64];
    copy_str(target, sizeof target, tgt, "name");
    if (!target[0]) {
        snprintf(err, errlen, "'%s' is not a valid report: target.name is missing", path);
        goto done;
    }
    out->emulated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tgt, "emulated"));
    snprintf(out->target, sizeof out->target, "%s", target);
    copy_str(out->arch, sizeof out->arch, tgt, "arch");
    copy_str(out->transport, sizeof out->transport, tgt, "transport");
    out->target_cores = num_or_nan(tgt, "cores");
    out->target_memory_bytes = num_or_nan(tgt, "memory_bytes");
    out->price_usd = num_or_nan(tgt, "price_usd");
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(tgt, "power_model");
    out->idle_w = num_or_nan(pm, "idle_w");
    out->active_w = num_or_nan(pm, "active_w");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(root, "environment");
    copy_str(out->cpu, sizeof out->cpu, cJSON_GetObjectItemCaseSensitive(env, "cpu"), "brand");
    copy_str(out->kernel_set, sizeof out->kernel_set, env, "kernel_set");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "results");
    if (!cJSON_IsArray(res)) {
        snprintf(err, errlen, "'%s' is not a valid report: results is missing", path);
        goto done;
    }
    int n = cJSON_GetArraySize(res);
    out->results = calloc((size_t)(n > 0 ? n : 1), sizeof *out->results);
    if (!out->results) {
        snprintf(err, errlen, "out of memory reading '%s'", path);
        st = EB_ERR_NOMEM;
        goto done;
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, res) {
        st = load_result(r, target, path, out->n_results, &out->results[out->n_results], err,
                         errlen);
        out->n_results++;
        if (st != EB_OK)
            goto done;
    }
    st = EB_OK;
done:
    cJSON_Delete(root);
    if (st != EB_OK)
        eb_rdata_free(out);
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

#else /* no cJSON (cross builds): the gates need the host build */

eb_status eb_rdata_parse(const char *json, const char *path, eb_rdata *out,
                              char *err, size_t errlen)
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
