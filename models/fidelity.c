/* fidelity.c - how far a variant's outputs are from the fp32 dense model's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"

#define EB_FIDELITY_INPUTS 8

struct eb_fidelity_ref {
    char arch[48];
    int32_t inputs, out_size;
    float *out; /* [inputs][out_size] */
};

eb_status eb_fidelity_ref_create(const char *arch, const eb_model_options *opt,
                                 eb_fidelity_ref **out, char *err, size_t errlen)
{
    if (!arch || !out)
        return EB_ERR_ARG;
    char name[96];
    snprintf(name, sizeof name, "%s_fp32", arch);
    return eb_fidelity_ref_create_model(name, opt, out, err, errlen);
}

eb_status eb_fidelity_ref_create_model(const char *name, const eb_model_options *opt,
                                       eb_fidelity_ref **out, char *err, size_t errlen)
{
    if (!name || !out)
        return EB_ERR_ARG;
    *out = NULL;
    const char *arch = name;
    eb_model_options o = {EB_KSET_AUTO, NULL};
    if (opt)
        o.kernels = opt->kernels;
    eb_model *m = NULL;
    eb_context *c = NULL;
    eb_status st = eb_model_build(name, &o, &m, err, errlen);
    if (st != EB_OK)
        return st;
    eb_fidelity_ref *r = calloc(1, sizeof *r);
    st = r ? eb_context_create(m, &c) : EB_ERR_NOMEM;
    if (st == EB_OK) {
        snprintf(r->arch, sizeof r->arch, "%s", m->info.arch);
        r->inputs = EB_FIDELITY_INPUTS;
        r->out_size = m->info.out_size;
        r->out = malloc(sizeof(float) * (size_t)r->inputs * (size_t)r->out_size);
        if (!r->out)
            st = EB_ERR_NOMEM;
    }
    for (int32_t i = 0; st == EB_OK && i < r->inputs; i++) {
        eb_context_fill_input(c, (uint32_t)i);
        eb_context_run(c);
        memcpy(r->out + (size_t)i * r->out_size, eb_context_output(c),
               sizeof(float) * (size_t)r->out_size);
    }
    eb_context_free(c);
    eb_model_free(m);
    if (st != EB_OK) {
        eb_fidelity_ref_free(r);
        if (err && errlen)
            snprintf(err, errlen, "cannot compute the fidelity baseline of '%s': %s", arch,
                     eb_status_str(st));
        return st;
    }
    *out = r;
    return EB_OK;
}

void eb_fidelity_ref_free(eb_fidelity_ref *r)
{
    if (!r)
        return;
    free(r->out);
    free(r);
}

static int32_t argmax(const float *v, int32_t n)
{
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

eb_status eb_model_fidelity_vs(const eb_model *m, const eb_fidelity_ref *ref,
                               eb_fidelity *out)
{
    if (!m || !ref || !out)
        return EB_ERR_ARG;
    const eb_model_info *info = &m->info;
    if (strcmp(info->arch, ref->arch) || info->out_size != ref->out_size)
        return EB_ERR_ARG;
    eb_context *c;
    eb_status st = eb_context_create(m, &c);
    if (st != EB_OK)
        return st;
    float *v = malloc(sizeof(float) * (size_t)ref->out_size);
    if (!v) {
        eb_context_free(c);
        return EB_ERR_NOMEM;
    }
    double sig = 0, noise = 0, cos_sum = 0, max_err = 0;
    int32_t agree = 0;
    for (int32_t i = 0; i < ref->inputs; i++) {
        eb_context_fill_input(c, (uint32_t)i);
        eb_context_run(c);
        const void *o = eb_context_output(c);
        for (int32_t k = 0; k < ref->out_size; k++)
            v[k] = info->dtype == EB_S8
                       ? (float)(info->out_scale * (((const int8_t *)o)[k] - info->out_zp))
                       : ((const float *)o)[k];
        const float *r = ref->out + (size_t)i * ref->out_size;
        double dot = 0, nr = 0, nv = 0;
        for (int32_t k = 0; k < ref->out_size; k++) {
            double e = (double)v[k] - r[k];
            sig += (double)r[k] * r[k];
            noise += e * e;
            dot += (double)v[k] * r[k];
            nr += (double)r[k] * r[k];
            nv += (double)v[k] * v[k];
            if (fabs(e) > max_err)
                max_err = fabs(e);
        }
        cos_sum += (nr > 0 && nv > 0) ? dot / (sqrt(nr) * sqrt(nv)) : (nr == nv ? 1.0 : 0.0);
        agree += argmax(v, ref->out_size) == argmax(r, ref->out_size);
    }
    free(v);
    eb_context_free(c);
    out->inputs = ref->inputs;
    out->sqnr_db = noise > 0 ? 10.0 * log10(sig / noise) : INFINITY;
    out->cosine = cos_sum / ref->inputs;
    out->top1_agreement = (double)agree / ref->inputs;
    out->max_abs_err = max_err;
    return EB_OK;
}

eb_status eb_model_fidelity(const eb_model *m, eb_fidelity *out)
{
    if (!m || !out)
        return EB_ERR_ARG;
    eb_model_options o = {m->kset, NULL};
    eb_fidelity_ref *r;
    eb_status st = eb_fidelity_ref_create(m->info.arch, &o, &r, NULL, 0);
    if (st != EB_OK)
        return st;
    st = eb_model_fidelity_vs(m, r, out);
    eb_fidelity_ref_free(r);
    return st;
}
