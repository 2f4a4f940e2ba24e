/* quantize.c - int8 post-training quantization (TFLite scheme).
 *
 * Calibration runs the fp32 graph with the ref kernels (so every machine and kernel set
 * gets the same int8 model) on a small fixed set of inputs and records each tensor's
 * min/max. Activations become asymmetric int8 over [min(min, 0), max(max, 0)]; weights
 * per-output-channel symmetric int8 (scale max|w| / 127); biases int32 with scale
 * in_scale * w_scale. Pools keep their input's quantization; softmax outputs are
 * scale 1/256, zero point -128 (the spec). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eb_gop.h"
#include "eb_model_internal.h"

#define EB_CALIB_MAX_FILES 64

int32_t eb_calib_inputs(const eb_graph *g)
{
    uint64_t macs = 0;
    for (int32_t i = 0; i < g->nops; i++)
        macs += eb_gop_macs(g, &g->op[i]);
    /* big models: fewer inputs keep an int8 build within a few seconds on ref kernels;
     * small ones get more, so the ranges cover more of the input distribution */
    return macs > 100000000 ? 2 : (macs > 20000000 ? 4 : 16);
}

static double round_away(double x)
{
    return x < 0 ? -floor(-x + 0.5) : floor(x + 0.5);
}

typedef struct {
    const eb_model *m;
    eb_context *c;
    double *lo, *hi;
} calib_state;

static void track(calib_state *s, int32_t ti)
{
    const eb_graph *g = s->m->g;
    const float *p = (const float *)(s->c->arena + g->t[ti].offset);
    size_t n = (size_t)eb_gtensor_elems(&g->t[ti]);
    double lo = s->lo[ti], hi = s->hi[ti];
    for (size_t i = 0; i < n; i++) {
        double v = p[i];
        if (v < lo)
            lo = v;
        if (v > hi)
            hi = v;
    }
    s->lo[ti] = lo;
    s->hi[ti] = hi;
}

static void calib_hook(void *user, int32_t op, int phase)
{
    calib_state *s = user;
    if (phase == 1)
        track(s, s->m->g->op[op].out);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

eb_status eb_tensor_file_parse(const uint8_t *bytes, size_t len, size_t elems, float *out,
                               const char *name, char *err, size_t errlen)
{
    if (len != elems * 4) {
        snprintf(err, errlen,
                 "tensor file '%s' has %zu bytes; the input tensor is %zu float32 values "
                 "(%zu bytes)", name, len, elems, elems * 4);
        return EB_ERR_ARG;
    }
    for (size_t j = 0; j < elems; j++) {
        const uint8_t *b = bytes + 4 * j;
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                     (uint32_t)b[3] << 24;
        float v;
        memcpy(&v, &u, 4);
        if (!isfinite(v)) {
            snprintf(err, errlen, "tensor file '%s' holds a non-finite value (element %zu)",
                     name, j);
            return EB_ERR_ARG;
        }
        out[j] = v;
    }
    return EB_OK;
}

/* The calibration inputs of a directory: its regular files (names not starting with
 * '.'), sorted, each one input tensor (eb_tensor_file_parse). */
typedef struct {
    char *names[EB_CALIB_MAX_FILES];
    int32_t n;
    float *data; /* n x elems */
} calib_files;

static void calib_files_free(calib_files *c)
{
    for (int32_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->data);
    memset(c, 0, sizeof *c);
}

static eb_status read_calib_dir(const char *dir, size_t elems, calib_files *c, char *err,
                                size_t errlen)
{
    memset(c, 0, sizeof *c);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open calibration directory '%s'", dir);
        return EB_ERR_IO;
    }
    eb_status st = EB_OK;
    struct dirent *e;
    /* a labelled dataset (it holds y_labels.csv, --dataset) calibrates on its first
     * EB_CALIB_MAX_FILES inputs in name order; a --calib folder may hold no more */
    char lp[4096];
    snprintf(lp, sizeof lp, "%s/y_labels.csv", dir);
    struct stat lsb;
    bool dataset = stat(lp, &lsb) == 0 && S_ISREG(lsb.st_mode);
    while ((e = readdir(d)) != NULL) {
        /* a labelled dataset's label file is not an input */
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "y_labels.csv"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        int32_t slot = c->n;
        if (c->n == EB_CALIB_MAX_FILES) {
            if (!dataset) {
                snprintf(err, errlen, "calibration directory '%s' has more than %d files", dir,
                         EB_CALIB_MAX_FILES);
                st = EB_ERR_ARG;
                break;
            }
            slot = 0; /* replace the largest name kept, when this one sorts before it */
            for (int32_t k = 1; k < c->n; k++)
                if (strcmp(c->names[k], c->names[slot]) > 0)
                    slot = k;
            if (strcmp(path, c->names[slot]) >= 0)
                continue;
        }
        if ((uint64_t)sb.st_size != (uint64_t)elems * 4) {
            snprintf(err, errlen,
                     "calibration file '%s' has %lld bytes; an input tensor is %zu float32 "
                     "values (%zu bytes)",
                     path, (long long)sb.st_size, elems, elems * 4);
            st = EB_ERR_ARG;
            break;
        }
        char *copy = strdup(path);
        if (!copy) {
            st = EB_ERR_NOMEM;
            break;
        }
        if (slot < c->n)
            free(c->names[slot]);
        c->names[slot] = copy;
        if (slot == c->n)
            c->n++;
    }
    closedir(d);
    if (st == EB_OK && c->n == 0) {
        snprintf(err, errlen, "calibration directory '%s' has no input files", dir);
        st = EB_ERR_ARG;
    }
    uint8_t *raw = NULL;
    if (st == EB_OK) {
        qsort(c->names, (size_t)c->n, sizeof c->names[0], cmp_str);
        c->data = malloc((size_t)c->n * elems * sizeof(float));
        raw = malloc(elems * 4 + 1);
        if (!c->data || !raw)
            st = EB_ERR_NOMEM;
    }
    for (int32_t i = 0; i < c->n && st == EB_OK; i++) {
        FILE *f = fopen(c->names[i], "rb");
        /* read one byte more than expected: a file that grew since stat is caught */
        size_t got = f ? fread(raw, 1, elems * 4 + 1, f) : 0;
        if (!f || ferror(f)) {
            snprintf(err, errlen, "cannot read calibration file '%s'", c->names[i]);
            st = EB_ERR_IO;
        }
        if (f)
            fclose(f);
        if (st == EB_OK)
            st = eb_tensor_file_parse(raw, got, elems, c->data + (size_t)i * elems,
                                      c->names[i], err, errlen);
    }
    free(raw);
    if (st != EB_OK)
        calib_files_free(c);
    return st;
}

/* int8 can represent a tensor whose range [min(lo, 0), max(hi, 0)] gives a scale within
 * the graph's limit (eb_graph_check: at most 1e6); beyond it, or non-finite (fp32
 * activations overflowed), no quantization exists. */
#define EB_CALIB_MAX_SPAN (255.0 * 1e6)

static bool range_ok(double lo, double hi)
{
    return isfinite(lo) && isfinite(hi) && fmax(hi, 0) - fmin(lo, 0) <= EB_CALIB_MAX_SPAN;
}

/* The largest |x[i]|. A plain compare, not fmax: GCC 12's aarch64 vectorizer stops
 * with an internal compiler error on an fmax reduction over float-to-double values. */
static double max_abs(const float *x, size_t n)
{
    double big = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)x[i]);
        if (a > big)
            big = a;
    }
    return big;
}

/* After calibration input k: the first tensor whose range became unrepresentable, with
 * the input that did it named (a sentence in err), or EB_OK. */
static eb_status check_ranges(const eb_graph *g, const double *lo, const double *hi,
                              const char *input, const float *x, size_t elems, char *err,
                              size_t errlen)
{
    for (int32_t t = 0; t < g->nt; t++) {
        if (range_ok(lo[t], hi[t]))
            continue;
        double big = max_abs(x, elems);
        const char *what = "the model's input";
        for (int32_t i = 0; i < g->nops; i++)
            if (g->op[i].out == t)
                what = g->op[i].name;
        snprintf(err, errlen,
                 "calibration input '%s' (values up to %.3g in magnitude) drives tensor %d "
                 "(%s) to [%.3g, %.3g], beyond what int8 can represent (a scale over 1e6); "
                 "calibration inputs must be real inputs of the model (raw float32, NHWC)",
                 input, big, (int)t, what, lo[t], hi[t]);
        return EB_ERR_ARG;
    }
    return EB_OK;
}

static eb_status calibrate(const eb_graph *g, const char *calib_dir, double *lo, double *hi,
                           char *err, size_t errlen)
{
    for (int32_t i = 0; i < g->nt; i++) {
        lo[i] = 0.0;
        hi[i] = 0.0;
    }
    const eb_gtensor *tin = &g->t[g->input];
    size_t elems = (size_t)eb_gtensor_elems(tin);
    calib_files files = {0};
    int32_t n = eb_calib_inputs(g);
    eb_status st;
    if (calib_dir) {
        st = read_calib_dir(calib_dir, elems, &files, err, errlen);
        if (st != EB_OK)
            return st;
        n = files.n;
    }
    eb_graph *copy = eb_graph_clone(g);
    eb_model *m = NULL;
    eb_context *c = NULL;
    if (!copy) {
        calib_files_free(&files);
        snprintf(err, errlen, "out of memory calibrating '%s'", g->name);
        return EB_ERR_NOMEM;
    }
    st = eb_model_from_graph(copy, EB_KSET_REF, &m, err, errlen);
    if (st == EB_OK)
        st = eb_context_create(m, &c);
    if (st == EB_OK) {
        calib_state s = {m, c, lo, hi};
        for (int32_t k = 0; k < n && st == EB_OK; k++) {
            if (files.data)
                memcpy(eb_context_input(c), files.data + (size_t)k * elems,
                       elems * sizeof(float));
            else
                eb_context_fill_input(c, 0x10000u + (uint32_t)k); /* not a fidelity input */
            track(&s, g->input);
            eb_context_run_hooked(c, calib_hook, &s);
            st = check_ranges(g, lo, hi, files.data ? files.names[k] : "(generated)",
                              (const float *)eb_context_input(c), elems, err, errlen);
        }
    } else if (err && !err[0]) {
        snprintf(err, errlen, "cannot calibrate '%s': %s", g->name, eb_status_str(st));
    }
    eb_context_free(c);
    eb_model_free(m);
    calib_files_free(&files);
    return st;
}

static void choose_qparams(double lo, double hi, double *scale, int32_t *zp)
{
    if (lo > 0)
        lo = 0;
    if (hi < 0)
        hi = 0;
    double s = (hi - lo) / 255.0;
    if (!(s > 1e-8))
        s = 1e-8;
    double z = round_away(-128.0 - lo / s);
    *scale = s;
    *zp = (int32_t)(z < -128 ? -128 : (z > 127 ? 127 : z));
}

/* Quantizes one weighted op's arrays in place of the fp32 ones. */
static eb_status quantize_weights(const eb_graph *g, const eb_graph *q, const eb_gop *src,
                                  eb_gop *dst, const char *calib_dir, char *err, size_t errlen)
{
    int32_t oc = eb_gop_out_channels(g, src);
    int64_t row = eb_gop_row_len(g, src);
    size_t nw = src->sparse ? (size_t)src->nnz : (size_t)oc * (size_t)row;
    dst->wq = malloc(nw ? nw : 1);
    dst->bq = malloc(sizeof(int32_t) * (size_t)oc);
    dst->wscale = malloc(sizeof(double) * (size_t)oc);
    if (!dst->wq || !dst->bq || !dst->wscale)
        return EB_ERR_NOMEM;
    if (src->sparse) {
        dst->row_ptr = malloc(sizeof(int32_t) * ((size_t)oc + 1));
        dst->col_idx = malloc(sizeof(uint16_t) * (nw ? nw : 1));
        if (!dst->row_ptr || !dst->col_idx)
            return EB_ERR_NOMEM;
        memcpy(dst->row_ptr, src->row_ptr, sizeof(int32_t) * ((size_t)oc + 1));
        memcpy(dst->col_idx, src->col_idx, sizeof(uint16_t) * nw);
    }
    /* dwconv weights are [k][c]: channel c is strided */
    bool dw = src->type == EB_OP_DWCONV;
    double in_scale = q->t[src->in0].scale;
    for (int32_t c = 0; c < oc; c++) {
        size_t begin, end, step;
        if (src->sparse) {
            begin = (size_t)src->row_ptr[c];
            end = (size_t)src->row_ptr[c + 1];
            step = 1;
        } else if (dw) {
            begin = (size_t)c;
            end = (size_t)c + (size_t)row * (size_t)oc;
            step = (size_t)oc;
        } else {
            begin = (size_t)c * (size_t)row;
            end = begin + (size_t)row;
            step = 1;
        }
        double maxabs = 0;
        for (size_t i = begin; i < end; i += step)
            if (fabs(src->w[i]) > maxabs)
                maxabs = fabs(src->w[i]);
        double ws = maxabs > 0 ? maxabs / 127.0 : 1.0 / 127.0;
        dst->wscale[c] = ws;
        for (size_t i = begin; i < end; i += step) {
            double v = round_away(src->w[i] / ws);
            dst->wq[i] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
        }
        double bv = round_away(src->b[c] / (in_scale * ws));
        if (!(fabs(bv) <= (double)eb_graph_max_s8_bias(row))) {
            /* the bias scale is in_scale * ws: an input range that is too narrow for
             * the model makes its biases overflow int8 accumulation */
            const eb_gtensor *in = &q->t[src->in0];
            snprintf(err, errlen,
                     "int8 quantization of op '%s' fails: its bias %.3g over the calibrated "
                     "input range of scale %.3g exceeds int32 accumulation; the calibration "
                     "inputs (%s) span too little: give real inputs of the model",
                     src->name, (double)src->b[c], in->scale,
                     calib_dir ? calib_dir : "generated");
            return EB_ERR_ARG;
        }
        dst->bq[c] = (int32_t)bv;
    }
    return EB_OK;
}

/* Requantization multipliers must be below 2^31 (eb_quantize_multiplier). An output
 * whose calibrated range is (almost) empty, a ReLU that is 0 on every calibration input,
 * gets the smallest scale, and its producer's multiplier (input scale x weight scale /
 * output scale; for a global pool input scale / (output scale x pixels)) can then pass
 * 2^31: the model would not build. Such an output's scale is raised until the multiplier
 * is 2^30: values that are all 0 are 0 at any scale, and its consumers see the larger
 * scale (ops are quantized in order). */
static void raise_out_scale(const eb_graph *g, eb_graph *q, const eb_gop *s)
{
    const eb_gop_desc *d = eb_gop_get(s->type);
    double in_scale = q->t[s->in0].scale, need = 0;
    if (eb_gop_has_weights(s)) {
        size_t nw = s->sparse ? (size_t)s->nnz : (size_t)eb_gop_dense_weights(g, s);
        double maxabs = max_abs(s->w, nw);
        double ws = maxabs > 0 ? maxabs / 127.0 : 1.0 / 127.0; /* the largest channel's */
        need = in_scale * ws / 1073741824.0;
    } else if (d && d->min_out_scale) {
        need = d->min_out_scale(g, q, s);
    }
    eb_gtensor *out = &q->t[s->out];
    if (need > out->scale) {
        /* the calibrated range's low end stays where it was: 0 stays exact */
        double lo = out->scale * (-128 - out->zp);
        double z = round_away(-128.0 - lo / need);
        out->scale = need;
        out->zp = (int32_t)(z < -128 ? -128 : (z > 127 ? 127 : z));
    }
}

eb_status eb_quantize_graph(eb_graph **gp, const char *calib_dir, bool do_calib, char *err,
                            size_t errlen)
{
    const eb_graph *g = *gp;
    if (g->dtype != EB_F32)
        return EB_ERR_ARG;
    double *lo = malloc(sizeof(double) * (size_t)g->nt);
    double *hi = malloc(sizeof(double) * (size_t)g->nt);
    eb_graph *q = eb_graph_new(EB_S8);
    eb_status st = EB_OK;
    if (!lo || !hi || !q) {
        st = EB_ERR_NOMEM;
        goto done;
    }
    if (do_calib) {
        st = calibrate(g, calib_dir, lo, hi, err, errlen);
        if (st != EB_OK)
            goto done;
    } else {
        for (int32_t i = 0; i < g->nt; i++) {
            lo[i] = -1.0;
            hi[i] = 1.0;
        }
    }
    memcpy(q->arch, g->arch, sizeof q->arch);
    memcpy(q->variant, g->variant, sizeof q->variant);
    memcpy(q->name, g->name, sizeof q->name);
    q->input = g->input;
    q->output = g->output;
    for (int32_t i = 0; i < g->nt; i++) {
        const eb_gtensor *s = &g->t[i];
        if (eb_graph_add_tensor(q, s->h, s->w, s->c) < 0) {
            st = EB_ERR_NOMEM;
            goto done;
        }
        choose_qparams(lo[i], hi[i], &q->t[i].scale, &q->t[i].zp);
    }
    if (!calib_dir) {
        /* generated inputs lie on the 1/128 grid in [-1, 1): represent them exactly */
        q->t[q->input].scale = 1.0 / 128.0;
        q->t[q->input].zp = 0;
    }
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *s = &g->op[i];
        eb_gop d = *s;
        d.w = d.b = NULL;
        d.wq = NULL;
        d.bq = NULL;
        d.wscale = NULL;
        d.row_ptr = NULL;
        d.col_idx = NULL;
        const eb_gop_desc *desc = eb_gop_get(s->type);
        if (desc && desc->quantize)
            desc->quantize(g, q, s); /* an output the op's arithmetic fixes */
        raise_out_scale(g, q, s);
        if (eb_gop_has_weights(s)) {
            st = quantize_weights(g, q, s, &d, calib_dir, err, errlen);
            if (st != EB_OK) {
                eb_gop_free_weights(&d);
                goto done;
            }
        }
        if (eb_graph_add_op(q, &d) < 0) {
            eb_gop_free_weights(&d);
            st = EB_ERR_NOMEM;
            goto done;
        }
    }
done:
    free(lo);
    free(hi);
    if (st != EB_OK) {
        eb_graph_free(q);
        if (err && errlen && !err[0])
            snprintf(err, errlen, "cannot quantize '%s': %s", g->name, eb_status_str(st));
        return st;
    }
    eb_graph_free(*gp);
    *gp = q;
    return EB_OK;
}
