/* zoo.c - the zoo's registry (architectures, variant names) and the layer helpers
 * the architecture builders in zoo/ use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_zoo.h"

typedef struct {
    const char *arch;
    eb_status (*build)(eb_gbuild *b);
} zoo_entry;

static const zoo_entry k_zoo[] = {
    {"mobilenet_v1", eb_zoo_mobilenet_v1},
    {"mobilenet_v2", eb_zoo_mobilenet_v2},
    {"ds_cnn", eb_zoo_ds_cnn},
    {"vww_mobilenet_v1_025", eb_zoo_vww_mobilenet_v1_025},
    {"resnet8", eb_zoo_resnet8},
    {"fc_autoencoder", eb_zoo_fc_autoencoder},
};
#define ZOO_N (sizeof k_zoo / sizeof k_zoo[0])

static const char *const k_archs[] = {
    "mobilenet_v1", "mobilenet_v2", "ds_cnn", "vww_mobilenet_v1_025", "resnet8",
    "fc_autoencoder",
};

#define VARIANTS(a)                                                                        \
    a "_fp32", a "_fp32_p50", a "_fp32_p75", a "_fp32_p90", a "_fp32_c50", a "_int8",      \
        a "_int8_p50", a "_int8_p75", a "_int8_p90", a "_int8_c50"

static const char *const k_names[] = {
    VARIANTS("mobilenet_v1"),         VARIANTS("mobilenet_v2"), VARIANTS("ds_cnn"),
    VARIANTS("vww_mobilenet_v1_025"), VARIANTS("resnet8"),      VARIANTS("fc_autoencoder"),
};

size_t eb_zoo_archs(const char *const **archs)
{
    if (archs)
        *archs = k_archs;
    return sizeof k_archs / sizeof k_archs[0];
}

size_t eb_zoo_names(const char *const **names)
{
    if (names)
        *names = k_names;
    return sizeof k_names / sizeof k_names[0];
}

eb_status eb_zoo_build_graph(const char *arch, eb_graph **out)
{
    *out = NULL;
    for (size_t i = 0; i < ZOO_N; i++) {
        if (strcmp(arch, k_zoo[i].arch))
            continue;
        eb_graph *g = eb_graph_new(EB_F32);
        if (!g)
            return EB_ERR_NOMEM;
        snprintf(g->arch, sizeof g->arch, "%s", arch);
        snprintf(g->variant, sizeof g->variant, "fp32");
        snprintf(g->name, sizeof g->name, "%s_fp32", arch);
        eb_gbuild b;
        /* one fixed seed per architecture, from its name */
        eb_gb_init(&b, g, eb_hash_str(arch) ^ UINT64_C(0x5eed0fed6eb00001));
        eb_status st = k_zoo[i].build(&b);
        if (st == EB_OK)
            st = b.st;
        if (st != EB_OK) {
            eb_graph_free(g);
            return st;
        }
        *out = g;
        return EB_OK;
    }
    return EB_ERR_ARG;
}

/* ---- layer helpers ----------------------------------------------------------------- */

void eb_gb_init(eb_gbuild *b, eb_graph *g, uint64_t seed)
{
    b->g = g;
    b->st = EB_OK;
    eb_rng_seed(&b->rng, seed);
}

static bool gb_ok(eb_gbuild *b, int32_t in)
{
    if (b->st == EB_OK && (in < 0 || in >= b->g->nt))
        b->st = EB_ERR_ARG;
    return b->st == EB_OK;
}

int32_t eb_gb_input(eb_gbuild *b, int32_t h, int32_t w, int32_t c)
{
    if (b->st != EB_OK)
        return -1;
    int32_t t = eb_graph_add_tensor(b->g, h, w, c);
    if (t < 0)
        b->st = EB_ERR_NOMEM;
    b->g->input = t;
    return t;
}

void eb_gb_output(eb_gbuild *b, int32_t t)
{
    if (gb_ok(b, t))
        b->g->output = t;
}

/* Adds op with a fresh output tensor of the given shape; takes ownership of the op's
 * weight arrays (freed on failure). */
static int32_t add_op(eb_gbuild *b, eb_gop *op, int32_t h, int32_t w, int32_t c)
{
    if (b->st != EB_OK) {
        eb_gop_free_weights(op);
        return -1;
    }
    int32_t t = eb_graph_add_tensor(b->g, h, w, c);
    op->out = t;
    if (t < 0 || eb_graph_add_op(b->g, op) < 0) {
        eb_gop_free_weights(op);
        b->st = EB_ERR_NOMEM;
        return -1;
    }
    return t;
}

static void init_op(eb_gop *op, eb_op_type type, const char *name, int32_t in, eb_act act)
{
    memset(op, 0, sizeof *op);
    op->type = type;
    snprintf(op->name, sizeof op->name, "%s", name);
    op->in0 = in;
    op->in1 = -1;
    op->act = act;
    op->k_h = op->k_w = op->stride_h = op->stride_w = 1;
}

/* He-normal weights [oc][row], then BatchNorm folded in (bn) or a small plain bias. */
static bool draw_weights(eb_gbuild *b, eb_gop *op, int32_t oc, int64_t row, int64_t fan_in,
                         double gain, bool bn)
{
    op->w = malloc(sizeof(float) * (size_t)(oc * row));
    op->b = malloc(sizeof(float) * (size_t)oc);
    if (!op->w || !op->b) {
        b->st = EB_ERR_NOMEM;
        return false;
    }
    double std = gain * sqrt(2.0 / (double)fan_in);
    double *wd = malloc(sizeof(double) * (size_t)row);
    if (!wd) {
        b->st = EB_ERR_NOMEM;
        return false;
    }
    for (int32_t c = 0; c < oc; c++) {
        for (int64_t i = 0; i < row; i++)
            wd[i] = eb_rng_normal(&b->rng) * std;
        double s = 1.0, bias;
        if (bn) {
            double gamma = 1.0 + 0.1 * eb_rng_normal(&b->rng);
            double beta = 0.1 * eb_rng_normal(&b->rng);
            double mean = 0.1 * eb_rng_normal(&b->rng);
            double var = 0.75 + 0.5 * eb_rng_uniform(&b->rng);
            s = gamma / sqrt(var + 1e-3);
            bias = beta - mean * s;
        } else {
            bias = 0.01 * eb_rng_normal(&b->rng);
        }
        for (int64_t i = 0; i < row; i++)
            op->w[(size_t)c * (size_t)row + (size_t)i] = (float)(wd[i] * s);
        op->b[c] = (float)bias;
    }
    free(wd);
    return true;
}

/* The dwconv weight layout is [k_h][k_w][c]: draw per channel, then transpose. */
static bool transpose_dw(eb_gbuild *b, eb_gop *op, int32_t c, int32_t kk)
{
    float *t = malloc(sizeof(float) * (size_t)c * (size_t)kk);
    if (!t) {
        b->st = EB_ERR_NOMEM;
        return false;
    }
    for (int32_t ch = 0; ch < c; ch++)
        for (int32_t k = 0; k < kk; k++)
            t[(size_t)k * c + ch] = op->w[(size_t)ch * kk + k];
    free(op->w);
    op->w = t;
    return true;
}

static int32_t conv_common(eb_gbuild *b, eb_op_type type, const char *name, int32_t in,
                           int32_t out_c, int32_t k_h, int32_t k_w, int32_t stride,
                           eb_padding pad, eb_act act, bool bn)
{
    if (!gb_ok(b, in))
        return -1;
    const eb_gtensor *ti = &b->g->t[in];
    eb_conv_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1;
    p.in_h = ti->h;
    p.in_w = ti->w;
    p.in_c = ti->c;
    p.out_c = type == EB_OP_DWCONV ? ti->c : out_c;
    p.k_h = k_h;
    p.k_w = k_w;
    p.stride_h = p.stride_w = stride;
    if (eb_conv_out_dims(&p, pad) != EB_OK) {
        b->st = EB_ERR_ARG;
        return -1;
    }
    eb_gop op;
    init_op(&op, type, name, in, act);
    op.k_h = k_h;
    op.k_w = k_w;
    op.stride_h = op.stride_w = stride;
    op.pad_top = p.pad_top;
    op.pad_left = p.pad_left;
    op.pad_bottom = p.pad_bottom;
    op.pad_right = p.pad_right;
    bool ok;
    if (type == EB_OP_DWCONV)
        ok = draw_weights(b, &op, p.out_c, (int64_t)k_h * k_w, (int64_t)k_h * k_w, 1.0, bn) &&
             transpose_dw(b, &op, p.out_c, k_h * k_w);
    else
        ok = draw_weights(b, &op, out_c, (int64_t)k_h * k_w * p.in_c,
                          (int64_t)k_h * k_w * p.in_c, 1.0, bn);
    if (!ok) {
        eb_gop_free_weights(&op);
        return -1;
    }
    return add_op(b, &op, p.out_h, p.out_w, p.out_c);
}

int32_t eb_gb_conv(eb_gbuild *b, const char *name, int32_t in, int32_t out_c, int32_t k_h,
                   int32_t k_w, int32_t stride, eb_padding pad, eb_act act)
{
    return conv_common(b, EB_OP_CONV2D, name, in, out_c, k_h, k_w, stride, pad, act, true);
}

int32_t eb_gb_conv_nobn(eb_gbuild *b, const char *name, int32_t in, int32_t out_c,
                        int32_t k, int32_t stride, eb_padding pad, eb_act act)
{
    return conv_common(b, EB_OP_CONV2D, name, in, out_c, k, k, stride, pad, act, false);
}

int32_t eb_gb_dwconv(eb_gbuild *b, const char *name, int32_t in, int32_t k, int32_t stride,
                     eb_padding pad, eb_act act)
{
    return conv_common(b, EB_OP_DWCONV, name, in, 0, k, k, stride, pad, act, true);
}

int32_t eb_gb_fc(eb_gbuild *b, const char *name, int32_t in, int32_t out, eb_act act,
                 bool bn, double gain)
{
    if (!gb_ok(b, in))
        return -1;
    int64_t in_f = eb_gtensor_elems(&b->g->t[in]);
    eb_gop op;
    init_op(&op, EB_OP_FC, name, in, act);
    if (!draw_weights(b, &op, out, in_f, in_f, gain, bn)) {
        eb_gop_free_weights(&op);
        return -1;
    }
    return add_op(b, &op, 1, 1, out);
}

int32_t eb_gb_avgpool(eb_gbuild *b, const char *name, int32_t in, int32_t k_h, int32_t k_w,
                      int32_t stride, eb_padding pad)
{
    if (!gb_ok(b, in))
        return -1;
    const eb_gtensor *ti = &b->g->t[in];
    eb_pool_params p;
    memset(&p, 0, sizeof p);
    p.batch = 1;
    p.in_h = ti->h;
    p.in_w = ti->w;
    p.c = ti->c;
    p.k_h = k_h;
    p.k_w = k_w;
    p.stride_h = p.stride_w = stride;
    if (eb_pool_out_dims(&p, pad) != EB_OK) {
        b->st = EB_ERR_ARG;
        return -1;
    }
    eb_gop op;
    init_op(&op, EB_OP_AVGPOOL, name, in, EB_ACT_NONE);
    op.k_h = k_h;
    op.k_w = k_w;
    op.stride_h = op.stride_w = stride;
    op.pad_top = p.pad_top;
    op.pad_left = p.pad_left;
    op.pad_bottom = p.pad_bottom;
    op.pad_right = p.pad_right;
    return add_op(b, &op, p.out_h, p.out_w, ti->c);
}

int32_t eb_gb_gap(eb_gbuild *b, const char *name, int32_t in)
{
    if (!gb_ok(b, in))
        return -1;
    eb_gop op;
    init_op(&op, EB_OP_GAP, name, in, EB_ACT_NONE);
    return add_op(b, &op, 1, 1, b->g->t[in].c);
}

int32_t eb_gb_add(eb_gbuild *b, const char *name, int32_t x, int32_t y, eb_act act)
{
    if (!gb_ok(b, x) || !gb_ok(b, y))
        return -1;
    eb_gop op;
    init_op(&op, EB_OP_ADD, name, x, act);
    op.in1 = y;
    const eb_gtensor *t = &b->g->t[x];
    return add_op(b, &op, t->h, t->w, t->c);
}

int32_t eb_gb_softmax(eb_gbuild *b, const char *name, int32_t in)
{
    if (!gb_ok(b, in))
        return -1;
    eb_gop op;
    init_op(&op, EB_OP_SOFTMAX, name, in, EB_ACT_NONE);
    const eb_gtensor *t = &b->g->t[in];
    return add_op(b, &op, t->h, t->w, t->c);
}
