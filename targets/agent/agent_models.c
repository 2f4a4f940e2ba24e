/* agent_models.c - the agent's shipped backend: models from models/eb_model.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_agent.h"
#include "eb_model.h"

typedef struct {
    eb_model *model;
    eb_context *ctx;
} loaded;

static void zoo_list(void *self, void (*emit)(void *user, const char *name), void *user)
{
    (void)self;
    const char *const *names;
    size_t n = eb_zoo_names(&names);
    for (size_t i = 0; i < n; i++)
        emit(user, names[i]);
}

static eb_status zoo_open(void *self, const char *name, const char *kernels, int threads,
                          eb_agent_model_info *info, void **out, char *err, size_t errlen)
{
    (void)self;
    eb_model_options opt = {0};
    if (eb_kset_parse(kernels, &opt.kernels) != EB_OK) {
        snprintf(err, errlen, "unknown kernel set '%s' (%s)", kernels, eb_kset_choices());
        return EB_ERR_ARG;
    }
    loaded *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    eb_status st = eb_model_build(name, &opt, &l->model, err, errlen);
    if (st != EB_OK)
        goto fail;
    /* the pool's threads are started here, before the host's warm-up and timed runs */
    st = eb_context_create_threads(l->model, threads > 0 ? threads : 1, &l->ctx);
    if (st != EB_OK) {
        snprintf(err, errlen, "cannot create a context of %d thread%s for '%s': %s",
                 threads > 0 ? threads : 1, threads > 1 ? "s" : "", name, eb_status_str(st));
        goto fail;
    }
    eb_context_fill_input(l->ctx, 0);
    const eb_model_info *mi = eb_model_get_info(l->model);
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", mi->name);
    snprintf(info->arch, sizeof info->arch, "%s", mi->arch);
    snprintf(info->variant, sizeof info->variant, "%s", mi->variant);
    info->macs = mi->macs;
    info->params = mi->params;
    info->weights_bytes = mi->weights_bytes;
    info->packed_bytes = mi->packed_bytes;
    info->arena_bytes = mi->arena_bytes;
    info->arena_lower_bound_bytes = mi->arena_lower_bound;
    info->scratch_bytes = mi->scratch_bytes;
    info->threads = eb_context_threads(l->ctx);
    /* Kernels this model actually runs, keyed "<op>_<dtype>" of the kernel table entry
     * (as local reports key them). */
    eb_kernel_info tab[64];
    size_t nt = eb_kernel_set_describe(eb_model_kernels(l->model), tab, 64);
    for (int32_t op = 0; op < mi->num_ops; op++) {
        eb_op_info oi;
        if (eb_model_op_info(l->model, op, &oi) != EB_OK || !oi.kernel)
            continue;
        char key[32];
        snprintf(key, sizeof key, "%s", oi.type ? oi.type : "op");
        for (size_t k = 0; k < nt; k++)
            if (!strcmp(tab[k].name, oi.kernel)) {
                snprintf(key, sizeof key, "%s_%s", tab[k].op, tab[k].dtype);
                break;
            }
        bool seen = false;
        for (int k = 0; k < info->n_kernels; k++)
            if (!strcmp(info->kernels[k].op, key))
                seen = true;
        if (seen || info->n_kernels >= EB_AGENT_MAX_KERNELS)
            continue;
        snprintf(info->kernels[info->n_kernels].op, sizeof info->kernels[0].op, "%s", key);
        snprintf(info->kernels[info->n_kernels].name, sizeof info->kernels[0].name, "%s",
                 oi.kernel);
        info->n_kernels++;
    }
    *out = l;
    return EB_OK;
fail:
    if (l->ctx)
        eb_context_free(l->ctx);
    if (l->model)
        eb_model_free(l->model);
    free(l);
    return st;
}

static void zoo_infer(void *m) { eb_context_run(((loaded *)m)->ctx); }

static uint32_t zoo_digest(void *m)
{
    const loaded *l = m;
    return eb_proto_crc32(0, eb_context_output(l->ctx),
                          eb_model_get_info(l->model)->output_bytes);
}

static void zoo_close(void *m)
{
    loaded *l = m;
    eb_context_free(l->ctx);
    eb_model_free(l->model);
    free(l);
}

static const eb_agent_backend backend = {NULL,      zoo_list,  zoo_open,
                                         zoo_infer, zoo_close, zoo_digest};

const eb_agent_backend *eb_agent_models_backend(void) { return &backend; }
