/* kernel_cases.c - the shapes file reader and the kernel calls of the kernel benchmark. */
#include "kernel_cases.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_quant.h"
#include "eb_sparse.h"

/* the kernel op names of eb_ops.inc */
static const char *const kop_names[EB_BOP_COUNT] = {"conv2d", "dwconv", "fc", "spfc",
                                                    "gap", "add", "softmax"};

const char *eb_bop_name(eb_bop op)
{
    return (unsigned)op < EB_BOP_COUNT ? kop_names[op] : "?";
}

bool eb_bop_parse(const char *s, eb_bop *out)
{
    for (int i = 0; i < EB_BOP_COUNT; i++)
        if (s && (!strcmp(s, kop_names[i]) || (i == EB_BOP_SPFC && !strcmp(s, "fc_sparse")))) {
            *out = (eb_bop)i;
            return true;
        }
    return false;
}

bool eb_bop_is_mac(eb_bop op)
{
    return op == EB_BOP_CONV2D || op == EB_BOP_DWCONV || op == EB_BOP_FC || op == EB_BOP_SPFC;
}

/* ---- shapes file ------------------------------------------------------------------ */

static bool parse_dim(const char *tok, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = tok ? strtol(tok, &end, 10) : 0;
    if (!tok || !*tok || *end || errno || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_act(const char *tok, eb_act *out)
{
    if (!tok)
        return false;
    if (!strcmp(tok, "none"))
        *out = EB_ACT_NONE;
    else if (!strcmp(tok, "relu"))
        *out = EB_ACT_RELU;
    else if (!strcmp(tok, "relu6"))
        *out = EB_ACT_RELU6;
    else
        return false;
    return true;
}

static bool same_shape(const eb_kshape *a, const eb_kshape *b)
{
    return a->op == b->op && a->k == b->k && a->stride == b->stride && a->in_h == b->in_h &&
           a->in_w == b->in_w && a->in_c == b->in_c && a->out_c == b->out_c && a->act == b->act;
}

static void add_layer(eb_kshape *s, const char *model, const char *layer)
{
    char piece[96];
    if (s->nlayers > 0 && !strcmp(s->last_model, model))
        snprintf(piece, sizeof piece, ",%s", layer);
    else
        snprintf(piece, sizeof piece, "%s%s:%s", s->nlayers ? " " : "", model, layer);
    snprintf(s->last_model, sizeof s->last_model, "%s", model);
    size_t len = strlen(s->layers), plen = strlen(piece);
    if (len + plen + 4 < sizeof s->layers)
        memcpy(s->layers + len, piece, plen + 1);
    else if (!strstr(s->layers, "..."))
        memcpy(s->layers + len, "...", 4);
    s->nlayers++;
}

eb_status eb_kshapes_load(const char *path, eb_kshape **out, size_t *n, char *err,
                          size_t errlen)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open shapes file '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    eb_kshape *v = NULL;
    size_t cnt = 0, cap = 0;
    char line[512];
    int lineno = 0;
    eb_status st = EB_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line longer than %zu characters", path, lineno,
                     sizeof line - 2);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *tok[11];
        int nt = 0;
        for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n"))
            if (nt < 11)
                tok[nt++] = t;
            else
                nt = 11;
        if (nt == 0)
            continue;
        eb_kshape s;
        memset(&s, 0, sizeof s);
        s.line = lineno;
        if (nt != 10) {
            snprintf(err, errlen,
                     "%s:%d: expected 10 fields (model layer op k stride in_h in_w in_c "
                     "out_c act), found %d", path, lineno, nt);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if (strlen(tok[0]) >= sizeof s.model || strlen(tok[1]) > 40) {
            snprintf(err, errlen, "%s:%d: model or layer name too long", path, lineno);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if (!eb_bop_parse(tok[2], &s.op) || s.op == EB_BOP_SPFC) {
            snprintf(err, errlen, "%s:%d: unknown op '%s' (conv2d, dwconv, fc, gap, add, softmax)",
                     path, lineno, tok[2]);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if (!parse_dim(tok[3], 1, 15, &s.k) || !parse_dim(tok[4], 1, 8, &s.stride) ||
            !parse_dim(tok[5], 1, 4096, &s.in_h) || !parse_dim(tok[6], 1, 4096, &s.in_w) ||
            !parse_dim(tok[7], 1, 65535, &s.in_c) || !parse_dim(tok[8], 1, 65535, &s.out_c)) {
            snprintf(err, errlen,
                     "%s:%d: k must be 1..15, stride 1..8, in_h/in_w 1..4096, in_c/out_c 1..65535",
                     path, lineno);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if (!parse_act(tok[9], &s.act)) {
            snprintf(err, errlen, "%s:%d: act must be none, relu or relu6, got '%s'", path,
                     lineno, tok[9]);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if (s.op != EB_BOP_CONV2D && s.op != EB_BOP_FC && s.in_c != s.out_c) {
            snprintf(err, errlen, "%s:%d: %s keeps the channel count: in_c must equal out_c",
                     path, lineno, tok[2]);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if ((size_t)s.in_h * s.in_w * s.in_c > ((size_t)1 << 28) ||
            (size_t)s.k * s.k * s.in_c * s.out_c > ((size_t)1 << 28)) {
            snprintf(err, errlen, "%s:%d: tensor larger than 2^28 elements", path, lineno);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        snprintf(s.model, sizeof s.model, "%s", tok[0]);
        size_t i = 0;
        while (i < cnt && !same_shape(&v[i], &s))
            i++;
        if (i == cnt) {
            if (cnt == cap) {
                size_t nc = cap ? cap * 2 : 64;
                eb_kshape *nv = (eb_kshape *)realloc(v, nc * sizeof *nv);
                if (!nv) {
                    snprintf(err, errlen, "out of memory reading '%s'", path);
                    st = EB_ERR_NOMEM;
                    goto fail;
                }
                v = nv;
                cap = nc;
            }
            v[cnt++] = s;
        }
        add_layer(&v[i], tok[0], tok[1]);
    }
    if (ferror(f)) {
        snprintf(err, errlen, "error reading '%s'", path);
        st = EB_ERR_IO;
        goto fail;
    }
    fclose(f);
    if (cnt == 0) {
        free(v);
        snprintf(err, errlen, "shapes file '%s' lists no layers", path);
        return EB_ERR_FORMAT;
    }
    *out = v;
    *n = cnt;
    return EB_OK;
fail:
    fclose(f);
    free(v);
    return st;
}

static bool readable(const char *p)
{
    return access(p, R_OK) == 0;
}

bool eb_kshapes_default_path(char *buf, size_t len)
{
    static const char name[] = "shapes_mobilenet.txt";
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, len, "%s/%s", exe, name);
            if (readable(buf))
                return true;
            snprintf(buf, len, "%s/../share/edgebench/%s", exe, name);
            if (readable(buf))
                return true;
        }
    }
#if defined(EB_SOURCE_DIR)
    snprintf(buf, len, "%s/bench/%s", EB_SOURCE_DIR, name);
    if (readable(buf))
        return true;
#endif
    return false;
}

void eb_kshape_describe(const eb_kshape *s, char *buf, size_t len)
{
    switch (s->op) {
    case EB_BOP_CONV2D:
    case EB_BOP_DWCONV:
        snprintf(buf, len, "%dx%dx%d k%d s%d -> %d", s->in_h, s->in_w, s->in_c, s->k,
                 s->stride, s->out_c);
        break;
    case EB_BOP_SPFC:
        snprintf(buf, len, "%dx%dx%d -> %d 75%%", s->in_h, s->in_w, s->in_c, s->out_c);
        break;
    case EB_BOP_FC:
        snprintf(buf, len, "%d -> %d", s->in_c, s->out_c);
        break;
    case EB_BOP_SOFTMAX:
        snprintf(buf, len, "%d", s->in_c);
        break;
    default:
        snprintf(buf, len, "%dx%dx%d", s->in_h, s->in_w, s->in_c);
        break;
    }
}

/* ---- kernel calls ----------------------------------------------------------------- */

struct eb_kcase {
    eb_bop op;
    eb_dtype dt;
    const char *kernel;
    eb_isa isa;
    double ops, macs;
    eb_conv_params conv;
    eb_fc_params fc;
    eb_gap_params gap;
    eb_add_params add;
    eb_softmax_params sm;
    eb_requant q;
    eb_csr csr;
    eb_kernel_set ks; /* a copy: the case owns its function pointers */
    void *x, *x2, *w, *bias, *packed, *scratch, *y, *mult, *shift, *row_ptr, *col, *table;
    bool borrowed; /* data buffers belong to another case (eb_kcase_share_data) */
};

static void *alloc64(size_t bytes)
{
    size_t n = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, n ? n : 64);
    if (p)
        memset(p, 0, n ? n : 64);
    return p;
}

/* The kernel's packed-weight and scratch buffers (a size of 0: none); false when out
 * of memory. */
static bool kernel_buffers(eb_kcase *c, size_t pack_bytes, size_t scratch_bytes)
{
    if (pack_bytes && !(c->packed = alloc64(pack_bytes)))
        return false;
    return !scratch_bytes || (c->scratch = alloc64(scratch_bytes)) != NULL;
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void *rand_f32(size_t n, float scale, uint32_t *s)
{
    float *p = (float *)alloc64(n * sizeof(float));
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = scale * ((float)(lcg(s) & 0xFFFF) / 32768.0f - 1.0f);
    return p;
}

static void *rand_s8(size_t n, int lo, int hi, uint32_t *s)
{
    int8_t *p = (int8_t *)alloc64(n);
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = (int8_t)(lo + (int)(lcg(s) % (uint32_t)(hi - lo + 1)));
    return p;
}

static void *rand_s32(size_t n, int lo, int hi, uint32_t *s)
{
    int32_t *p = (int32_t *)alloc64(n * sizeof(int32_t));
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = lo + (int32_t)(lcg(s) % (uint32_t)(hi - lo + 1));
    return p;
}

/* Realistic requantization: scale about 2^-9, zero points off center, ReLU-like clamp. */
static bool make_requant(eb_kcase *c, int32_t channels, uint32_t *s)
{
    int32_t *m = (int32_t *)alloc64((size_t)channels * sizeof(int32_t));
    int32_t *sh = (int32_t *)alloc64((size_t)channels * sizeof(int32_t));
    c->mult = m;
    c->shift = sh;
    if (!m || !sh)
        return false;
    for (int32_t i = 0; i < channels; i++) {
        m[i] = (1 << 30) + (int32_t)(lcg(s) % (1u << 30));
        sh[i] = -8 - (int32_t)(lcg(s) % 3);
    }
    c->q = (eb_requant){-3, 5, -128, 127, m, sh};
    if (c->conv.act != EB_ACT_NONE || c->fc.act != EB_ACT_NONE)
        c->q.act_min = 5;
    return true;
}

static eb_status setup_conv(eb_kcase *c, const eb_kshape *s, uint32_t *rs)
{
    eb_conv_params *p = &c->conv;
    *p = (eb_conv_params){0};
    p->batch = 1;
    p->in_h = s->in_h;
    p->in_w = s->in_w;
    p->in_c = s->in_c;
    p->out_c = s->op == EB_BOP_DWCONV ? s->in_c : s->out_c;
    p->k_h = p->k_w = s->k;
    p->stride_h = p->stride_w = s->stride;
    p->act = s->act;
    if (eb_conv_out_dims(p, EB_PAD_SAME) != EB_OK)
        return EB_ERR_ARG;
    const bool dw = s->op == EB_BOP_DWCONV;
    if ((dw ? eb_dwconv_validate(p) : eb_conv2d_validate(p)) != EB_OK)
        return EB_ERR_ARG;
    const size_t nx = (size_t)p->in_h * p->in_w * p->in_c;
    const size_t ny = (size_t)p->out_h * p->out_w * p->out_c;
    const size_t nw = dw ? (size_t)s->k * s->k * p->in_c : (size_t)p->out_c * s->k * s->k * p->in_c;
    c->macs = (double)ny * s->k * s->k * (dw ? 1 : p->in_c);
    c->ops = 2.0 * c->macs;
    if (c->dt == EB_F32) {
        const eb_conv_f32_kernel *k = dw ? &c->ks.dwconv_f32 : &c->ks.conv2d_f32;
        c->kernel = k->name;
        c->isa = k->isa;
        c->x = rand_f32(nx, 1.0f, rs);
        c->w = rand_f32(nw, 0.1f, rs);
        c->bias = rand_f32((size_t)p->out_c, 0.5f, rs);
        c->y = alloc64(ny * sizeof(float));
        if (!c->x || !c->w || !c->bias || !c->y)
            return EB_ERR_NOMEM;
        if (!kernel_buffers(c, k->pack_size ? k->pack_size(p) : 0,
                            k->scratch_size ? k->scratch_size(p) : 0))
            return EB_ERR_NOMEM;
        if (c->packed)
            k->pack(p, (const float *)c->w, c->packed);
    } else {
        const eb_conv_s8_kernel *k = dw ? &c->ks.dwconv_s8 : &c->ks.conv2d_s8;
        c->kernel = k->name;
        c->isa = k->isa;
        c->x = rand_s8(nx, -128, 127, rs);
        c->w = rand_s8(nw, -127, 127, rs);
        c->bias = rand_s32((size_t)p->out_c, -2000, 2000, rs);
        c->y = alloc64(ny);
        if (!c->x || !c->w || !c->bias || !c->y || !make_requant(c, p->out_c, rs))
            return EB_ERR_NOMEM;
        if (!kernel_buffers(c, k->pack_size ? k->pack_size(p) : 0,
                            k->scratch_size ? k->scratch_size(p) : 0))
            return EB_ERR_NOMEM;
        if (c->packed)
            k->pack(p, &c->q, (const int8_t *)c->w, (const int32_t *)c->bias, c->packed);
    }
    return EB_OK;
}

static eb_status setup_fc(eb_kcase *c, const eb_kshape *s, uint32_t *rs)
{
    eb_fc_params *p = &c->fc;
    *p = (eb_fc_params){1, s->in_c, s->out_c, s->act};
    if (eb_fc_validate(p) != EB_OK)
        return EB_ERR_ARG;
    const size_t nw = (size_t)p->in_features * p->out_features;
    c->macs = (double)nw;
    c->ops = 2.0 * c->macs;
    if (c->dt == EB_F32) {
        const eb_fc_f32_kernel *k = &c->ks.fc_f32;
        c->kernel = k->name;
        c->isa = k->isa;
        c->x = rand_f32((size_t)p->in_features, 1.0f, rs);
        c->w = rand_f32(nw, 0.1f, rs);
        c->bias = rand_f32((size_t)p->out_features, 0.5f, rs);
        c->y = alloc64((size_t)p->out_features * sizeof(float));
        if (!c->x || !c->w || !c->bias || !c->y)
            return EB_ERR_NOMEM;
        if (!kernel_buffers(c, k->pack_size ? k->pack_size(p) : 0,
                            k->scratch_size ? k->scratch_size(p) : 0))
            return EB_ERR_NOMEM;
        if (c->packed)
            k->pack(p, (const float *)c->w, c->packed);
    } else {
        const eb_fc_s8_kernel *k = &c->ks.fc_s8;
        c->kernel = k->name;
        c->isa = k->isa;
        c->x = rand_s8((size_t)p->in_features, -128, 127, rs);
        c->w = rand_s8(nw, -127, 127, rs);
        c->bias = rand_s32((size_t)p->out_features, -2000, 2000, rs);
        c->y = alloc64((size_t)p->out_features);
        if (!c->x || !c->w || !c->bias || !c->y || !make_requant(c, p->out_features, rs))
            return EB_ERR_NOMEM;
        if (!kernel_buffers(c, k->pack_size ? k->pack_size(p) : 0,
                            k->scratch_size ? k->scratch_size(p) : 0))
            return EB_ERR_NOMEM;
        if (c->packed)
            k->pack(p, &c->q, (const int8_t *)c->w, (const int32_t *)c->bias, c->packed);
    }
    return EB_OK;
}

/* A pruned 1x1 conv: rows = pixels, 1 weight in 4 kept (a fixed pattern). */
static eb_status setup_spfc(eb_kcase *c, const eb_kshape *s, uint32_t *rs)
{
    eb_fc_params *p = &c->fc;
    *p = (eb_fc_params){s->in_h * s->in_w, s->in_c, s->out_c, s->act};
    if (eb_fc_validate(p) != EB_OK || s->k != 1 || s->stride != 1)
        return EB_ERR_ARG;
    int32_t *rp = (int32_t *)alloc64(((size_t)p->out_features + 1) * sizeof(int32_t));
    uint16_t *col = (uint16_t *)alloc64((size_t)p->out_features * p->in_features / 2 + 64);
    c->row_ptr = rp;
    c->col = col;
    if (!rp || !col)
        return EB_ERR_NOMEM;
    int32_t nnz = 0;
    for (int32_t o = 0; o < p->out_features; o++) {
        rp[o] = nnz;
        for (int32_t i = 0; i < p->in_features; i++)
            if (lcg(rs) % 4 == 0)
                col[nnz++] = (uint16_t)i;
    }
    rp[p->out_features] = nnz;
    c->csr = (eb_csr){p->out_features, p->in_features, nnz, rp, col};
    if (eb_csr_validate(&c->csr) != EB_OK)
        return EB_ERR_ARG;
    c->macs = (double)nnz * p->batch;
    c->ops = 2.0 * c->macs;
    const size_t nx = (size_t)p->batch * p->in_features, ny = (size_t)p->batch * p->out_features;
    if (c->dt == EB_F32) {
        c->kernel = c->ks.spfc_f32.name;
        c->isa = c->ks.spfc_f32.isa;
        c->x = rand_f32(nx, 1.0f, rs);
        c->w = rand_f32((size_t)nnz + 1, 0.1f, rs);
        c->bias = rand_f32((size_t)p->out_features, 0.5f, rs);
        c->y = alloc64(ny * sizeof(float));
    } else {
        c->kernel = c->ks.spfc_s8.name;
        c->isa = c->ks.spfc_s8.isa;
        c->x = rand_s8(nx, -128, 127, rs);
        c->w = rand_s8((size_t)nnz + 1, -127, 127, rs);
        c->bias = rand_s32((size_t)p->out_features, -2000, 2000, rs);
        c->y = alloc64(ny);
        if (!make_requant(c, p->out_features, rs))
            return EB_ERR_NOMEM;
    }
    return c->x && c->w && c->bias && c->y ? EB_OK : EB_ERR_NOMEM;
}

static eb_status setup_other(eb_kcase *c, const eb_kshape *s, uint32_t *rs)
{
    const size_t n = (size_t)s->in_h * s->in_w * s->in_c;
    const bool f = c->dt == EB_F32;
    c->macs = 0.0;
    switch (s->op) {
    case EB_BOP_GAP: {
        eb_gap_params *p = &c->gap;
        *p = (eb_gap_params){1, s->in_h, s->in_w, s->in_c, -3, 2, 0, 0, -128, 127};
        if (eb_quantize_multiplier(0.8 / (s->in_h * s->in_w), &p->mult, &p->shift) != EB_OK ||
            eb_gap_validate(p) != EB_OK)
            return EB_ERR_ARG;
        c->ops = (double)n;
        c->kernel = f ? c->ks.gap_f32.name : c->ks.gap_s8.name;
        c->isa = f ? c->ks.gap_f32.isa : c->ks.gap_s8.isa;
        c->y = alloc64((size_t)s->in_c * sizeof(float));
        break;
    }
    case EB_BOP_ADD: {
        eb_add_params *p = &c->add;
        if (eb_add_s8_prepare(p, 0.05, 2, 0.07, -3, 0.1, 1, s->act) != EB_OK)
            return EB_ERR_ARG;
        p->size = (int32_t)n;
        if (eb_add_validate(p) != EB_OK)
            return EB_ERR_ARG;
        c->ops = (double)n;
        c->kernel = f ? c->ks.add_f32.name : c->ks.add_s8.name;
        c->isa = f ? c->ks.add_f32.isa : c->ks.add_s8.isa;
        c->x2 = f ? rand_f32(n, 1.0f, rs) : rand_s8(n, -128, 127, rs);
        c->y = alloc64(n * sizeof(float));
        if (!c->x2)
            return EB_ERR_NOMEM;
        break;
    }
    case EB_BOP_SOFTMAX: {
        eb_softmax_params *p = &c->sm;
        *p = (eb_softmax_params){.rows = 1, .depth = s->in_c, .beta = 1.0f};
        if (!f) {
            if (!(c->table = alloc64(256 * sizeof(uint32_t))))
                return EB_ERR_NOMEM;
            if (eb_softmax_s8_prepare(p, 0.1, 1.0, (uint32_t *)c->table) != EB_OK)
                return EB_ERR_ARG;
        }
        if (eb_softmax_validate(p, c->dt) != EB_OK)
            return EB_ERR_ARG;
        c->ops = (double)n;
        c->kernel = f ? c->ks.softmax_f32.name : c->ks.softmax_s8.name;
        c->isa = f ? c->ks.softmax_f32.isa : c->ks.softmax_s8.isa;
        c->y = alloc64(n * sizeof(float));
        break;
    }
    default:
        return EB_ERR_ARG;
    }
    c->x = f ? rand_f32(n, 4.0f, rs) : rand_s8(n, -128, 127, rs);
    return c->x && c->y ? EB_OK : EB_ERR_NOMEM;
}

eb_status eb_kcase_create(const eb_kshape *s, eb_dtype dt, const eb_kernel_set *ks,
                          eb_kcase **out)
{
    *out = NULL;
    eb_kcase *c = (eb_kcase *)calloc(1, sizeof *c);
    if (!c)
        return EB_ERR_NOMEM;
    c->op = s->op;
    c->dt = dt;
    c->ks = *ks;
    uint32_t rs = 12345u + (uint32_t)s->line * 7919u;
    eb_status st;
    switch (s->op) {
    case EB_BOP_CONV2D:
    case EB_BOP_DWCONV: st = setup_conv(c, s, &rs); break;
    case EB_BOP_FC: st = setup_fc(c, s, &rs); break;
    case EB_BOP_SPFC: st = setup_spfc(c, s, &rs); break;
    default: st = setup_other(c, s, &rs); break;
    }
    if (st != EB_OK) {
        eb_kcase_free(c);
        return st;
    }
    *out = c;
    return EB_OK;
}

void eb_kcase_run(eb_kcase *c)
{
    const bool f = c->dt == EB_F32;
    switch (c->op) {
    case EB_BOP_CONV2D:
        if (f)
            c->ks.conv2d_f32.run(&c->conv, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        else
            c->ks.conv2d_s8.run(&c->conv, &c->q, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        break;
    case EB_BOP_DWCONV:
        if (f)
            c->ks.dwconv_f32.run(&c->conv, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        else
            c->ks.dwconv_s8.run(&c->conv, &c->q, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        break;
    case EB_BOP_FC:
        if (f)
            c->ks.fc_f32.run(&c->fc, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        else
            c->ks.fc_s8.run(&c->fc, &c->q, c->x, c->w, c->bias, c->packed, c->y, c->scratch);
        break;
    case EB_BOP_SPFC:
        if (f)
            c->ks.spfc_f32.run(&c->fc, &c->csr, c->w, c->x, c->bias, c->y);
        else
            c->ks.spfc_s8.run(&c->fc, &c->q, &c->csr, c->w, c->x, c->bias, c->y);
        break;
    case EB_BOP_GAP:
        if (f)
            c->ks.gap_f32.run(&c->gap, c->x, c->y);
        else
            c->ks.gap_s8.run(&c->gap, c->x, c->y);
        break;
    case EB_BOP_ADD:
        if (f)
            c->ks.add_f32.run(&c->add, c->x, c->x2, c->y);
        else
            c->ks.add_s8.run(&c->add, c->x, c->x2, c->y);
        break;
    case EB_BOP_SOFTMAX:
        if (f)
            c->ks.softmax_f32.run(&c->sm, c->x, c->y);
        else
            c->ks.softmax_s8.run(&c->sm, c->x, c->y);
        break;
    default: break;
    }
}

double eb_kcase_ops(const eb_kcase *c) { return c->ops; }
double eb_kcase_macs(const eb_kcase *c) { return c->macs; }
const char *eb_kcase_kernel(const eb_kcase *c) { return c->kernel; }
eb_isa eb_kcase_isa(const eb_kcase *c) { return c->isa; }

static void free_data(eb_kcase *c)
{
    void *bufs[] = {c->x, c->x2, c->w, c->bias, c->y, c->mult, c->shift, c->row_ptr,
                    c->col, c->table};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
}

void eb_kcase_share_data(eb_kcase *c, const eb_kcase *owner)
{
    if (c->op != owner->op || c->dt != owner->dt)
        return;
    if (!c->borrowed)
        free_data(c);
    c->borrowed = true;
    /* same shape and seed: identical parameters, so only the pointers change */
    c->conv = owner->conv;
    c->fc = owner->fc;
    c->gap = owner->gap;
    c->add = owner->add;
    c->sm = owner->sm;
    c->q = owner->q;
    c->csr = owner->csr;
    c->x = owner->x;
    c->x2 = owner->x2;
    c->w = owner->w;
    c->bias = owner->bias;
    c->y = owner->y;
    c->mult = owner->mult;
    c->shift = owner->shift;
    c->row_ptr = owner->row_ptr;
    c->col = owner->col;
    c->table = owner->table;
}

void eb_kcase_free(eb_kcase *c)
{
    if (!c)
        return;
    if (!c->borrowed)
        free_data(c);
    free(c->packed);
    free(c->scratch);
    free(c);
}
