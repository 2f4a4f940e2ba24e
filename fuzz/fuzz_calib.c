/* fuzz_calib.c - `--calib DIR` tensor files: the file format (eb_tensor_file_parse: exactly
 * N little-endian float32, all finite) and int8 calibration on what it holds (ranges
 * int8 must represent, requantization of every op). The input is one calibration file
 * for a small fully-connected model whose input takes size / 4 values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_model.h"
#include "eb_model_internal.h"
#include "fuzz_util.h"

static char dir[64], file[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_tmpdir(dir, sizeof dir, "calib");
    snprintf(file, sizeof file, "%s/input.f32", dir);
    return 0;
}

static int32_t add_fc(eb_graph *g, int32_t in, int32_t out_c, eb_act act, const char *name)
{
    int32_t in_c = g->t[in].c, out = eb_graph_add_tensor(g, 1, 1, out_c);
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = EB_OP_FC;
    op.act = act;
    op.in0 = in;
    op.in1 = -1;
    op.out = out;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    snprintf(op.name, sizeof op.name, "%s", name);
    op.w = malloc(sizeof(float) * (size_t)in_c * (size_t)out_c);
    op.b = malloc(sizeof(float) * (size_t)out_c);
    for (int32_t i = 0; i < in_c * out_c; i++)
        op.w[i] = (float)((i * 37 % 19) - 9) / 16.0f;
    for (int32_t i = 0; i < out_c; i++)
        op.b[i] = (float)(i - 2) / 8.0f;
    eb_graph_add_op(g, &op);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4 * 4096)
        return 0;
    FILE *f = fopen(file, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    /* the format alone */
    size_t elems = size / 4 ? size / 4 : 1;
    float *x = malloc(elems * sizeof *x);
    char err[1024] = "";
    if (eb_tensor_file_parse(data, size, elems, x, "input.f32", err, sizeof err) != EB_OK &&
        !err[0])
        __builtin_trap();
    free(x);
    /* calibration of a model whose input is that long */
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "calib_fc");
    snprintf(g->arch, sizeof g->arch, "calib_fc");
    snprintf(g->variant, sizeof g->variant, "fp32");
    g->input = eb_graph_add_tensor(g, 1, 1, (int32_t)elems);
    int32_t h = add_fc(g, g->input, 6, EB_ACT_RELU, "fc1");
    h = add_fc(g, h, 4, EB_ACT_NONE, "fc2");
    int32_t out = eb_graph_add_tensor(g, 1, 1, 4);
    eb_gop sm;
    memset(&sm, 0, sizeof sm);
    sm.type = EB_OP_SOFTMAX;
    sm.in0 = h;
    sm.in1 = -1;
    sm.out = out;
    snprintf(sm.name, sizeof sm.name, "softmax");
    eb_graph_add_op(g, &sm);
    g->output = out;
    err[0] = 0;
    eb_status st = eb_quantize_graph(&g, dir, true, err, sizeof err);
    if (st != EB_OK) {
        if (!err[0])
            __builtin_trap();
        eb_graph_free(g);
    } else {
        eb_model *m = NULL;
        /* a calibration that succeeded gives a model that builds */
        if (eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err) != EB_OK) {
            fprintf(stderr, "calibrated but does not build: %s\n", err);
            __builtin_trap();
        }
        eb_context *c;
        if (eb_context_create(m, &c) == EB_OK) {
            eb_context_fill_input(c, 1);
            eb_context_run(c);
            eb_context_free(c);
        }
        eb_model_free(m);
    }
    unlink(file);
    return 0;
}
