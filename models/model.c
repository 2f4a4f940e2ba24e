/* model.c - building a model: name resolution, variant transforms, and the preparation
 * of every op for the chosen kernels (validation, requantization, packing, planning). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_gop.h"
#include "eb_model_internal.h"
#include "eb_quant.h"
#include "eb_tflite.h"
#ifdef EB_HAVE_ONNX
#include "eb_onnx.h"
#endif

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- names ------------------------------------------------------------------------- */

static bool parse_suffix(const char *r, eb_variant_spec *v)
{
    if (!strncmp(r, "fp32", 4))
        v->dtype = EB_F32;
    else if (!strncmp(r, "int8", 4))
        v->dtype = EB_S8;
    else
        return false;
    r += 4;
    v->prune = 0;
    v->pct = 0;
    if (!*r)
        return true;
    if (r[0] != '_' || (r[1] != 'p' && r[1] != 'c'))
        return false;
    v->prune = r[1];
    r += 2;
    if (r[0] < '1' || r[0] > '9')
        return false; /* no leading zero, no sign */
    int32_t pct = r[0] - '0';
    if (r[1]) {
        if (r[1] < '0' || r[1] > '9' || r[2])
            return false;
        pct = pct * 10 + (r[1] - '0');
    }
    v->pct = pct;
    return true;
}

eb_status eb_variant_parse(const char *name, eb_variant_spec *v)
{
    if (!name || !v)
        return EB_ERR_ARG;
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    for (size_t i = 0; i <= na; i++) {
        const char *a = i < na ? archs[i] : "mobilenet"; /* the alias last */
        size_t len = strlen(a);
        if (strncmp(name, a, len) || name[len] != '_')
            continue;
        eb_variant_spec s;
        memset(&s, 0, sizeof s);
        if (!parse_suffix(name + len + 1, &s))
            continue;
        snprintf(s.arch, sizeof s.arch, "%s", i < na ? a : "mobilenet_v1");
        *v = s;
        return EB_OK;
    }
    return EB_ERR_ARG;
}

static void variant_string(const eb_variant_spec *v, char *out, size_t n)
{
    if (v->prune)
        snprintf(out, n, "%s_%c%d", v->dtype == EB_F32 ? "fp32" : "int8", v->prune,
                 (int)v->pct);
    else
        snprintf(out, n, "%s", v->dtype == EB_F32 ? "fp32" : "int8");
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

/* "FILE.tflite@VARIANT": where the '@' is (NULL: none). The variant is edgebench's own
 * (fp32|int8[_p<N>|_c<N>]) made from a float32 .tflite. */
static const char *tflite_at(const char *name)
{
    const char *at = name ? strrchr(name, '@') : NULL;
    if (!at || at - name <= 7 || strncmp(at - 7, ".tflite", 7))
        return NULL;
    return at;
}

bool eb_model_is_tflite(const char *name)
{
    return name && (ends_with(name, ".tflite") || tflite_at(name));
}

bool eb_model_is_onnx(const char *name) { return name && ends_with(name, ".onnx"); }

bool eb_model_onnx_available(void)
{
#ifdef EB_HAVE_ONNX
    return true;
#else
    return false;
#endif
}

static eb_status onnx_import(const char *path, FILE *log, eb_graph **out, char *err,
                             size_t errlen)
{
#ifdef EB_HAVE_ONNX
    return eb_onnx_import_file(path, log, out, err, errlen);
#else
    (void)log;
    *out = NULL;
    errf(err, errlen, "%s: this edgebench was built without ONNX support (it needs "
                      "protobuf-c-compiler, libprotobuf-c-dev and libonnx-dev at build time; "
                      "cross builds have none)",
         path);
    return EB_ERR_UNSUPPORTED;
#endif
}

bool eb_model_is_file(const char *name)
{
    return name && (strchr(name, '/') || ends_with(name, ".ebm") || eb_model_is_tflite(name) ||
                    ends_with(name, ".onnx"));
}

size_t eb_model_file_stem(const char *name, const char **start)
{
    const char *at = tflite_at(name);
    size_t len = at ? (size_t)(at - name) : strlen(name); /* the file's part */
    const char *b = name;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/')
            b = name + i + 1;
    size_t n = len - (size_t)(b - name);
    if (n > 4 && !strncmp(b + n - 4, ".ebm", 4))
        n -= 4;
    else if (n > 7 && !strncmp(b + n - 7, ".tflite", 7))
        n -= 7;
    else if (ends_with(b, ".onnx"))
        n -= 5;
    *start = b;
    return n;
}

/* The graph of "FILE.tflite@VARIANT": the float32 file imported, then pruned and
 * quantized as the zoo's variants are (int8: calibrated on opt->calib_dir, else on
 * generated inputs). Named "<stem>_<variant>", arch "tflite". */
static eb_status tflite_variant(const char *name, const char *at, const eb_model_options *opt,
                                bool calibrate, eb_graph **out, char *err, size_t errlen)
{
    char path[4096];
    size_t pl = (size_t)(at - name);
    if (pl >= sizeof path) {
        errf(err, errlen, "model path is too long");
        return EB_ERR_ARG;
    }
    memcpy(path, name, pl);
    path[pl] = 0;
    eb_variant_spec v;
    memset(&v, 0, sizeof v);
    if (!parse_suffix(at + 1, &v)) {
        errf(err, errlen, "'%s': unknown variant '%s'; after FILE.tflite@ give fp32 or int8, "
             "optionally with _p<1-99> (unstructured pruning) or _c<1-99> (channels), e.g. "
             "%s@int8_p50", name, at + 1, path);
        return EB_ERR_ARG;
    }
    eb_graph *g = NULL;
    eb_status st = eb_tflite_import_file(path, NULL, &g, err, errlen);
    if (st != EB_OK)
        return st;
    if (g->dtype != EB_F32) {
        errf(err, errlen, "'%s': variants are made from a float32 .tflite, and %s is already "
             "int8 (run it as it is, or give its float32 sibling)", name, path);
        eb_graph_free(g);
        return EB_ERR_ARG;
    }
    char stem[96];
    snprintf(stem, sizeof stem, "%s", g->name);
    if (v.prune == 'c')
        st = eb_prune_channels(&g, v.pct);
    else if (v.prune == 'p')
        st = eb_prune_unstructured(g, v.pct);
    if (st != EB_OK) {
        errf(err, errlen, "cannot prune model '%s': %s", name, eb_status_str(st));
        eb_graph_free(g);
        return st;
    }
    if (v.dtype == EB_S8) {
        st = eb_quantize_graph(&g, opt ? opt->calib_dir : NULL, calibrate, err, errlen);
        if (st != EB_OK) {
            eb_graph_free(g);
            return st;
        }
    }
    snprintf(g->arch, sizeof g->arch, "tflite");
    variant_string(&v, g->variant, sizeof g->variant);
    snprintf(g->name, sizeof g->name, "%.60s_%s", stem, g->variant);
    *out = g;
    return EB_OK;
}

/* The last line of `list models --describe FILE`: the imported graph g built for ref
 * (eb_model_from_graph takes g); on failure the reason is in e. */
static eb_status describe_built(eb_graph *g, FILE *f, char *e, size_t elen)
{
    eb_model *em = NULL;
    eb_status st = eb_model_from_graph(g, EB_KSET_REF, &em, e, elen);
    if (st != EB_OK)
        return st;
    const eb_model_info *i = &em->info;
    fprintf(f, "edgebench model '%s' (%s): %d ops, %.3f M MACs, %llu parameters, "
               "%llu weight bytes, arena %llu bytes\n",
            i->name, i->variant, (int)i->num_ops, (double)i->macs / 1e6,
            (unsigned long long)i->params, (unsigned long long)i->weights_bytes,
            (unsigned long long)i->arena_bytes);
    eb_model_free(em);
    return EB_OK;
}

eb_status eb_model_describe_tflite(const char *path, FILE *f, char *err, size_t errlen)
{
    eb_tflite_model *m = NULL;
    eb_status st = eb_tflite_load(path, &m, err, errlen);
    if (st != EB_OK)
        return st;
    eb_tflite_describe(m, f);
    fprintf(f, "\n");
    eb_graph *g = NULL;
    char e[512] = "";
    eb_tflite_owned *own = calloc(1, sizeof *own);
    bool was_u8 = eb_tflite_has_uint8(m);
    st = own ? eb_tflite_uint8_to_int8(m, own, e, sizeof e) : EB_ERR_NOMEM;
    if (st == EB_OK && was_u8)
        fprintf(f, "legacy uint8 model: converted exactly to int8 (activations and their zero "
                   "points shifted by 128, weights re-centred on their zero points)\n");
    if (st == EB_OK)
        st = eb_tflite_import(m, path, f, &g, e, sizeof e);
    if (own)
        eb_tflite_owned_free(own);
    free(own);
    if (st == EB_OK)
        st = describe_built(g, f, e, sizeof e);
    if (st != EB_OK) {
        fprintf(f, "edgebench cannot run this model: %s\n", e);
        errf(err, errlen, "%s: %s", path, e);
    }
    eb_tflite_free(m);
    return st;
}

eb_status eb_model_describe_onnx(const char *path, FILE *f, char *err, size_t errlen)
{
    eb_graph *g = NULL;
    char e[512] = "";
    eb_status st = onnx_import(path, f, &g, e, sizeof e);
    if (st == EB_OK)
        st = describe_built(g, f, e, sizeof e);
    if (st != EB_OK) {
        fprintf(f, "edgebench cannot run this model: %s\n", e);
        errf(err, errlen, "%s", e);
    }
    return st;
}

static void unknown_model(const char *name, char *err, size_t errlen)
{
    const char *const *archs;
    size_t na = eb_zoo_archs(&archs);
    char list[256] = "";
    for (size_t i = 0; i < na; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s%s", i ? ", " : "", archs[i],
                 i == 0 ? " (alias mobilenet)" : "");
    }
    errf(err, errlen,
         "unknown model '%s'; valid names are <arch>_<fp32|int8>[_p<1-99>|_c<1-99>] with "
         "<arch> one of %s (e.g. mobilenet_v1_int8, resnet8_fp32_p75; "
         "'edgebench list models' prints them all), or a path to a .ebm, .tflite or .onnx file",
         name, list);
}

/* The graph for a name: a .ebm file, or a zoo architecture with its transforms. */
static eb_status build_graph(const char *name, const eb_model_options *opt, bool calibrate,
                             eb_graph **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!name || !*name) {
        errf(err, errlen, "no model name given");
        return EB_ERR_ARG;
    }
    const char *at = tflite_at(name);
    if (at)
        return tflite_variant(name, at, opt, calibrate, out, err, errlen);
    if (eb_model_is_tflite(name))
        return eb_tflite_import_file(name, NULL, out, err, errlen);
    if (eb_model_is_onnx(name))
        return onnx_import(name, NULL, out, err, errlen);
    if (eb_model_is_file(name))
        return eb_ebm_load(name, out, err, errlen);
    eb_variant_spec v;
    if (eb_variant_parse(name, &v) != EB_OK) {
        unknown_model(name, err, errlen);
        return EB_ERR_ARG;
    }
    eb_graph *g = NULL;
    eb_status st = eb_zoo_build_graph(v.arch, &g);
    if (st != EB_OK) {
        errf(err, errlen, "cannot build model '%s': %s", name, eb_status_str(st));
        return st;
    }
    if (v.prune == 'c')
        st = eb_prune_channels(&g, v.pct);
    else if (v.prune == 'p')
        st = eb_prune_unstructured(g, v.pct);
    if (st != EB_OK) {
        errf(err, errlen, "cannot prune model '%s': %s", name, eb_status_str(st));
        eb_graph_free(g);
        return st;
    }
    if (v.dtype == EB_S8) {
        st = eb_quantize_graph(&g, opt ? opt->calib_dir : NULL, calibrate, err, errlen);
        if (st != EB_OK) {
            eb_graph_free(g);
            return st;
        }
    }
    snprintf(g->arch, sizeof g->arch, "%s", v.arch);
    variant_string(&v, g->variant, sizeof g->variant);
    snprintf(g->name, sizeof g->name, "%s_%s", g->arch, g->variant);
    *out = g;
    return EB_OK;
}

eb_status eb_model_build(const char *name, const eb_model_options *opt, eb_model **out,
                         char *err, size_t errlen)
{
    if (!out)
        return EB_ERR_ARG;
    *out = NULL;
    if (err && errlen)
        err[0] = 0;
    eb_graph *g;
    eb_status st = build_graph(name, opt, true, &g, err, errlen);
    if (st != EB_OK)
        return st;
    return eb_model_from_graph(g, opt ? opt->kernels : EB_KSET_AUTO, out, err, errlen);
}

eb_status eb_model_describe(const char *name, const eb_model_options *opt,
                            eb_model_info *out, char *err, size_t errlen)
{
    if (!out)
        return EB_ERR_ARG;
    eb_graph *g;
    eb_status st = build_graph(name, opt, false, &g, err, errlen);
    if (st != EB_OK)
        return st;
    eb_model *m;
    st = eb_model_from_graph(g, opt ? opt->kernels : EB_KSET_AUTO, &m, err, errlen);
    if (st != EB_OK)
        return st;
    *out = m->info;
    eb_model_free(m);
    return EB_OK;
}

eb_status eb_model_with_kernels(const eb_model *m, eb_kset kset, eb_model **out, char *err,
                                size_t errlen)
{
    eb_graph *g = eb_graph_clone(m->g);
    if (!g) {
        errf(err, errlen, "out of memory copying model '%s'", m->info.name);
        return EB_ERR_NOMEM;
    }
    return eb_model_from_graph(g, kset, out, err, errlen);
}

/* ---- preparation of ops ------------------------------------------------------------ */

void *eb_alloc_aligned(size_t n)
{
    return aligned_alloc(EB_ARENA_ALIGN, (n + EB_ARENA_ALIGN - 1) / EB_ARENA_ALIGN *
                                             EB_ARENA_ALIGN);
}

eb_status eb_gop_prepare_requant(const eb_graph *g, const eb_gop *op, eb_xop *x)
{
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    int32_t oc = out->c;
    x->qparams = malloc(sizeof(int32_t) * 2 * (size_t)oc);
    if (!x->qparams)
        return EB_ERR_NOMEM;
    for (int32_t c = 0; c < oc; c++) {
        double real = in->scale * op->wscale[c] / out->scale;
        if (eb_quantize_multiplier(real, &x->qparams[c], &x->qparams[oc + c]) != EB_OK)
            return EB_ERR_ARG;
    }
    x->rq.in_zp = in->zp;
    x->rq.out_zp = out->zp;
    eb_quant_act_range(op->act, out->scale, out->zp, &x->rq.act_min, &x->rq.act_max);
    x->rq.mult = x->qparams;
    x->rq.shift = x->qparams + oc;
    return eb_requant_validate(&x->rq, oc);
}

/* Bytes of one op's stored weights: values, biases, int8 requantization, CSR. */
static uint64_t op_weight_bytes(const eb_graph *g, const eb_gop *op)
{
    if (!eb_gop_has_weights(op))
        return 0;
    uint64_t oc = (uint64_t)eb_gop_out_channels(g, op);
    uint64_t nw = op->sparse ? (uint64_t)op->nnz : (uint64_t)eb_gop_dense_weights(g, op);
    uint64_t bytes = nw * eb_dtype_size(g->dtype) + oc * 4;
    if (g->dtype == EB_S8)
        bytes += oc * 8;
    if (op->sparse)
        bytes += (oc + 1) * 4 + (uint64_t)op->nnz * 2;
    return bytes;
}

/* What every op shares (offsets, counts, the int8 requantization of weighted ops, the
 * sparse form of conv/fc); the rest is the op's descriptor's. */
static eb_status prepare_op(eb_model *m, int32_t i, size_t *scratch, uint64_t *packed)
{
    const eb_graph *g = m->g;
    const eb_gop *op = &g->op[i];
    const eb_gop_desc *d = eb_gop_get(op->type);
    eb_xop *x = &m->x[i];
    const eb_gtensor *in = &g->t[op->in0], *out = &g->t[op->out];
    const eb_gtensor *in1 = op->in1 >= 0 ? &g->t[op->in1] : NULL;
    bool s8 = g->dtype == EB_S8;
    eb_status st = EB_OK;

    if (!d)
        return EB_ERR_ARG;
    x->in0 = in->offset;
    x->in1 = in1 ? in1->offset : 0;
    x->out = out->offset;
    x->type = d->type_name ? d->type_name(op) : d->name;
    x->macs = eb_gop_macs(g, op);
    x->w = s8 ? (const void *)op->wq : (const void *)op->w;
    x->b = s8 ? (const void *)op->bq : (const void *)op->b;
    size_t esz = eb_dtype_size(g->dtype);
    x->bytes = op_weight_bytes(g, op) + (uint64_t)eb_gtensor_elems(in) * esz +
               (uint64_t)eb_gtensor_elems(out) * esz +
               (in1 ? (uint64_t)eb_gtensor_elems(in1) * esz : 0);
    if (s8 && d->weights) {
        st = eb_gop_prepare_requant(g, op, x);
        if (st != EB_OK)
            return st;
    }
    if (op->sparse) {
        eb_gop_fc_params(g, op, &x->p.fc);
        x->csr = (eb_csr){out->c, x->p.fc.in_features, op->nnz, op->row_ptr, op->col_idx};
        if (eb_fc_validate(&x->p.fc) != EB_OK || eb_csr_validate(&x->csr) != EB_OK)
            return EB_ERR_ARG;
        x->kop = s8 ? EB_KOP_spfc_s8 : EB_KOP_spfc_f32;
        x->macs = (uint64_t)op->nnz * (uint64_t)x->p.fc.batch; /* what the kernel does */
        return EB_OK;
    }
    eb_gop_prep pp = {g, op, &m->ks, x, scratch, packed, s8, in, in1, out};
    return d->prepare(&pp);
}

eb_status eb_model_from_graph(eb_graph *g, eb_kset kset, eb_model **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    eb_status st = eb_graph_check(g, true, err, errlen);
    if (st != EB_OK) {
        eb_graph_free(g);
        return st;
    }
    eb_model *m = calloc(1, sizeof *m);
    if (!m) {
        eb_graph_free(g);
        errf(err, errlen, "out of memory building a model");
        return EB_ERR_NOMEM;
    }
    m->g = g;
    m->kset = kset;
    st = eb_kernels_select(kset, &m->ks);
    if (st != EB_OK) {
        errf(err, errlen, "kernel set '%s' cannot run on this CPU or build", eb_kset_name(kset));
        goto fail;
    }
    m->x = calloc((size_t)g->nops, sizeof *m->x);
    if (!m->x) {
        st = EB_ERR_NOMEM;
        errf(err, errlen, "out of memory building a model");
        goto fail;
    }
    eb_model_info *info = &m->info;
    eb_plan_arena(g, &info->arena_bytes, &info->arena_lower_bound);
    if (info->arena_bytes > EB_MODEL_MAX_ARENA) {
        st = EB_ERR_UNSUPPORTED;
        errf(err, errlen, "model '%s' plans a %.1f GiB activation arena per context; "
             "edgebench runs models of at most %.0f GiB", g->name,
             (double)info->arena_bytes / (1 << 30), (double)EB_MODEL_MAX_ARENA / (1 << 30));
        goto fail;
    }
    size_t scratch = 0;
    uint64_t packed = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        st = prepare_op(m, i, &scratch, &packed);
        m->x[i].kernel = eb_kernel_name(&m->ks, m->x[i].kop);
        if (st != EB_OK) {
            errf(err, errlen, "op %d (%s) of model '%s' cannot be prepared: %s", (int)i,
                 g->op[i].name, g->name, st == EB_ERR_ARG ? "invalid parameters"
                                                           : eb_status_str(st));
            goto fail;
        }
    }
    snprintf(info->name, sizeof info->name, "%s", g->name);
    snprintf(info->arch, sizeof info->arch, "%s", g->arch);
    snprintf(info->variant, sizeof info->variant, "%s", g->variant);
    info->dtype = g->dtype;
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        info->macs += eb_gop_macs(g, op);
        info->params += eb_gop_params(g, op);
        info->weights_bytes += op_weight_bytes(g, op);
        if (op->sparse) {
            uint64_t pix = op->type == EB_OP_CONV2D
                               ? (uint64_t)g->t[op->out].h * (uint64_t)g->t[op->out].w
                               : 1;
            info->macs_nonzero += (uint64_t)op->nnz * pix;
            info->params_nonzero += (uint64_t)op->nnz + (uint64_t)eb_gop_out_channels(g, op);
        } else {
            info->macs_nonzero += eb_gop_macs(g, op);
            info->params_nonzero += eb_gop_params(g, op);
        }
    }
    info->packed_bytes = packed;
    info->scratch_bytes = (scratch + EB_ARENA_ALIGN - 1) / EB_ARENA_ALIGN * EB_ARENA_ALIGN;
    uint64_t planned = info->weights_bytes + packed + info->arena_bytes + info->scratch_bytes;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    if (info->scratch_bytes > EB_MODEL_MAX_ARENA || (phys && planned > phys)) {
        st = EB_ERR_UNSUPPORTED;
        errf(err, errlen, "model '%s' needs %.1f GiB (weights, packed weights, arena and "
             "scratch) where %s", g->name, (double)planned / (1 << 30),
             phys && planned > phys ? "this machine has less physical memory"
                                    : "its kernels' scratch alone exceeds the 2 GiB limit");
        goto fail;
    }
    info->num_ops = g->nops;
    info->num_tensors = g->nt;
    const eb_gtensor *ti = &g->t[g->input], *to = &g->t[g->output];
    info->in_h = ti->h;
    info->in_w = ti->w;
    info->in_c = ti->c;
    info->out_size = (int32_t)eb_gtensor_elems(to);
    info->input_bytes = (size_t)eb_gtensor_elems(ti) * eb_dtype_size(g->dtype);
    info->output_bytes = (size_t)eb_gtensor_elems(to) * eb_dtype_size(g->dtype);
    info->in_scale = g->dtype == EB_S8 ? ti->scale : 1.0;
    info->in_zp = g->dtype == EB_S8 ? ti->zp : 0;
    info->out_scale = g->dtype == EB_S8 ? to->scale : 1.0;
    info->out_zp = g->dtype == EB_S8 ? to->zp : 0;
    info->in_nchw = g->in_nchw;
    info->out_nchw = g->out_nchw;
    info->in_float = g->in_float && g->dtype == EB_S8;
    info->out_float = g->out_float && g->dtype == EB_S8;
    snprintf(info->import_note, sizeof info->import_note, "%s", g->import_note);
    *out = m;
    return EB_OK;
fail:
    eb_model_free(m);
    return st;
}

void eb_model_free(eb_model *m)
{
    if (!m)
        return;
    if (m->x) {
        for (int32_t i = 0; i < m->g->nops; i++) {
            free(m->x[i].packed);
            free(m->x[i].qparams);
            free(m->x[i].exp_table);
        }
        free(m->x);
    }
    eb_graph_free(m->g);
    free(m);
}

const eb_model_info *eb_model_get_info(const eb_model *m) { return m ? &m->info : NULL; }

const eb_kernel_set *eb_model_kernels(const eb_model *m) { return m ? &m->ks : NULL; }

eb_status eb_model_op_info(const eb_model *m, int32_t op, eb_op_info *out)
{
    if (!m || !out || op < 0 || op >= m->g->nops)
        return EB_ERR_ARG;
    const eb_xop *x = &m->x[op];
    out->name = m->g->op[op].name;
    out->type = x->type;
    out->kernel = x->kernel;
    out->macs = x->macs;
    out->bytes = x->bytes;
    /* parts = min(units, threads) once an op is big enough: a huge thread count gives the
     * units themselves */
    out->split_units = eb_xop_parts(x, 1 << 20);
    return EB_OK;
}
