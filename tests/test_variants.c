/* test_variants.c - the transforms: unstructured pruning sparsity, structured pruning
 * halving channels, int8 quantization, calibration from a directory, fidelity. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eb_model.h"
#include "eb_model_internal.h"

static eb_model *build(const char *name, const char *calib)
{
    eb_model *m = NULL;
    char err[512] = "";
    eb_model_options o = {EB_KSET_AUTO, calib};
    eb_status st = eb_model_build(name, &o, &m, err, sizeof err);
    cr_assert_eq(st, EB_OK, "%s: %s", name, err);
    return m;
}

static bool is_1x1_s1(const eb_gop *op)
{
    return op->type == EB_OP_CONV2D && op->k_h == 1 && op->k_w == 1 && op->stride_h == 1 &&
           op->stride_w == 1;
}

Test(variants, unstructured_pruning_sparsity_is_exact)
{
    const char *archs[] = {"mobilenet_v1", "ds_cnn", "resnet8", "fc_autoencoder"};
    int32_t pcts[] = {50, 75, 90, 33};
    for (size_t a = 0; a < 4; a++) {
        eb_graph *dense;
        cr_assert_eq(eb_zoo_build_graph(archs[a], &dense), EB_OK);
        for (size_t p = 0; p < 4; p++) {
            eb_graph *g = eb_graph_clone(dense);
            cr_assert_not_null(g);
            cr_assert_eq(eb_prune_unstructured(g, pcts[p]), EB_OK);
            for (int32_t i = 0; i < g->nops; i++) {
                const eb_gop *op = &g->op[i], *d = &dense->op[i];
                bool want = is_1x1_s1(d) || d->type == EB_OP_FC;
                cr_assert_eq(op->sparse, want, "%s op %s", archs[a], op->name);
                if (!want)
                    continue;
                int64_t n = eb_gop_dense_weights(g, op);
                cr_assert_eq(op->nnz, n - n * pcts[p] / 100, "%s %s p%d: nnz %d of %lld",
                             archs[a], op->name, pcts[p], op->nnz, (long long)n);
                /* the kept weights are the largest: min kept >= max removed */
                int64_t row = eb_gop_row_len(g, op);
                float min_kept = INFINITY, max_removed = 0;
                for (int32_t c = 0; c < g->t[op->out].c; c++) {
                    int32_t k = op->row_ptr[c];
                    for (int64_t j = 0; j < row; j++) {
                        float w = fabsf(d->w[c * row + j]);
                        if (k < op->row_ptr[c + 1] && op->col_idx[k] == j) {
                            cr_assert_eq(op->w[k], d->w[c * row + j]);
                            min_kept = fminf(min_kept, w);
                            k++;
                        } else {
                            max_removed = fmaxf(max_removed, w);
                        }
                    }
                }
                cr_assert(min_kept >= max_removed, "%s %s: kept %g < removed %g", archs[a],
                          op->name, min_kept, max_removed);
            }
            eb_graph_free(g);
        }
        eb_graph_free(dense);
    }
}

Test(variants, c50_halves_channels_of_prunable_layers)
{
    eb_graph *dense, *g;
    cr_assert_eq(eb_zoo_build_graph("mobilenet_v1", &dense), EB_OK);
    cr_assert_eq(eb_zoo_build_graph("mobilenet_v1", &g), EB_OK);
    cr_assert_eq(eb_prune_channels(&g, 50), EB_OK);
    cr_assert_eq(g->nt, dense->nt);
    for (int32_t t = 0; t < g->nt; t++) {
        int32_t c = dense->t[t].c, want = c;
        /* everything but the input, the logits and the softmax output is prunable */
        bool keep_all = t == g->input || t == g->output || t == g->op[g->nops - 1].in0;
        if (!keep_all)
            want = c - c / 2;
        cr_expect_eq(g->t[t].c, want, "tensor %d: %d channels, want %d", t, g->t[t].c, want);
        cr_expect(g->t[t].h == dense->t[t].h && g->t[t].w == dense->t[t].w);
    }
    char err[256];
    cr_assert_eq(eb_graph_check(g, true, err, sizeof err), EB_OK, "%s", err);
    /* kept channels are the highest-norm ones: pw_1's weights are rows of the dense ones */
    eb_graph_free(dense);
    eb_graph_free(g);

    /* residual blocks: ResNet-8 prunes only the first conv of each block */
    cr_assert_eq(eb_zoo_build_graph("resnet8", &dense), EB_OK);
    cr_assert_eq(eb_zoo_build_graph("resnet8", &g), EB_OK);
    cr_assert_eq(eb_prune_channels(&g, 50), EB_OK);
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        int32_t c = dense->t[op->out].c, got = g->t[op->out].c;
        bool first_of_block = strstr(op->name, "_a") != NULL;
        cr_expect_eq(got, first_of_block ? c / 2 : c, "%s: %d channels", op->name, got);
    }
    eb_graph_free(dense);
    eb_graph_free(g);

    eb_model_info full, half;
    eb_model_options o = {EB_KSET_REF, NULL};
    cr_assert_eq(eb_model_describe("ds_cnn_fp32", &o, &full, NULL, 0), EB_OK);
    cr_assert_eq(eb_model_describe("ds_cnn_fp32_c50", &o, &half, NULL, 0), EB_OK);
    /* DS-CNN: 64 -> 32 channels everywhere; pointwise MACs drop to a quarter */
    cr_expect_eq(half.macs, 25 * 5 * 32 * 40 + 4 * (25 * 5 * 32 * 9 + 25 * 5 * 32 * 32) + 32 * 12);
    cr_expect(half.params < full.params / 2);
}

Test(variants, int8_quantization_follows_the_spec)
{
    eb_model *m = build("mobilenet_v2_int8", NULL);
    const eb_graph *g = m->g;
    cr_assert_eq(g->dtype, EB_S8);
    cr_expect_eq(g->t[g->output].scale, 1.0 / 256.0, "softmax output scale");
    cr_expect_eq(g->t[g->output].zp, -128);
    for (int32_t i = 0; i < g->nops; i++) {
        const eb_gop *op = &g->op[i];
        if (!eb_gop_has_weights(op))
            continue;
        int64_t n = eb_gop_dense_weights(g, op);
        bool reaches_127 = false;
        for (int64_t k = 0; k < n; k++) {
            cr_assert(op->wq[k] >= -127 && op->wq[k] <= 127, "%s", op->name);
            reaches_127 |= op->wq[k] == 127 || op->wq[k] == -127;
        }
        cr_expect(reaches_127, "%s: per-channel scale leaves the range unused", op->name);
        /* ReLU6 outputs start at 0: zero point -128 */
        if (op->act == EB_ACT_RELU6)
            cr_expect_eq(g->t[op->out].zp, -128, "%s", op->name);
    }
    eb_model_free(m);
}

Test(variants, calibration_directory)
{
    char dir[] = "/tmp/eb_calib_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    float in[49 * 10];
    float lo = 0, hi = 0;
    for (int f = 0; f < 3; f++) {
        eb_gen_input(100u + f, 49, 10, 1, in);
        for (int i = 0; i < 490; i++) {
            in[i] = in[i] * 3.0f + 0.5f; /* a range the generated inputs do not have */
            lo = fminf(lo, in[i]);
            hi = fmaxf(hi, in[i]);
        }
        snprintf(path, sizeof path, "%s/in%d.f32", dir, f);
        FILE *fp = fopen(path, "wb");
        fwrite(in, sizeof(float), 490, fp);
        fclose(fp);
    }
    eb_model *m = build("ds_cnn_int8", dir);
    const eb_model_info *info = eb_model_get_info(m);
    /* the input quantization covers exactly the calibration data's range */
    double qlo = info->in_scale * (-128 - info->in_zp), qhi = info->in_scale * (127 - info->in_zp);
    cr_expect(qlo <= lo + info->in_scale && qhi >= hi - info->in_scale,
              "[%g, %g] does not cover [%g, %g]", qlo, qhi, lo, hi);
    cr_expect(qhi - qlo < (hi - lo) * 1.02, "[%g, %g] much wider than [%g, %g]", qlo, qhi, lo,
              hi);
    eb_model_free(m);

    /* a file of the wrong size is a clean error naming it */
    snprintf(path, sizeof path, "%s/bad.f32", dir);
    FILE *fp = fopen(path, "wb");
    fwrite(in, sizeof(float), 17, fp);
    fclose(fp);
    eb_model *bad = NULL;
    char err[512] = "";
    eb_model_options o = {EB_KSET_REF, dir};
    cr_expect_eq(eb_model_build("ds_cnn_int8", &o, &bad, err, sizeof err), EB_ERR_ARG);
    cr_expect_null(bad);
    cr_expect(strstr(err, "bad.f32") != NULL, "%s", err);
    unlink(path);
    for (int f = 0; f < 3; f++) {
        snprintf(path, sizeof path, "%s/in%d.f32", dir, f);
        unlink(path);
    }
    o.calib_dir = dir; /* now empty */
    cr_expect_eq(eb_model_build("ds_cnn_int8", &o, &bad, err, sizeof err), EB_ERR_ARG);
    rmdir(dir);
    o.calib_dir = "/nonexistent/calib";
    cr_expect_eq(eb_model_build("ds_cnn_int8", &o, &bad, err, sizeof err), EB_ERR_IO);
    cr_expect(strstr(err, "/nonexistent/calib") != NULL, "%s", err);
}

static eb_fidelity fid(const char *name)
{
    eb_model *m = build(name, NULL);
    eb_fidelity f;
    cr_assert_eq(eb_model_fidelity(m, &f), EB_OK, "%s", name);
    eb_model_free(m);
    return f;
}

Test(variants, fidelity_is_sane)
{
    eb_fidelity self = fid("resnet8_fp32");
    cr_expect(isinf(self.sqnr_db) && self.sqnr_db > 0);
    cr_expect_eq(self.cosine, 1.0);
    cr_expect_eq(self.top1_agreement, 1.0);
    cr_expect_eq(self.max_abs_err, 0.0);
    cr_expect_eq(self.inputs, 8);

    const char *small[] = {"ds_cnn", "resnet8", "vww_mobilenet_v1_025", "fc_autoencoder"};
    for (size_t i = 0; i < 4; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s_int8", small[i]);
        eb_fidelity q = fid(name);
        cr_expect(q.cosine > 0.9, "%s cosine %g", name, q.cosine);
        cr_expect(q.sqnr_db > 10.0, "%s SQNR %g dB", name, q.sqnr_db);
        cr_expect(q.top1_agreement >= 0.75, "%s top-1 %g", name, q.top1_agreement);
        cr_expect(q.max_abs_err > 0, "%s: int8 cannot be exact", name);
        snprintf(name, sizeof name, "%s_fp32_p50", small[i]);
        eb_fidelity p50 = fid(name);
        snprintf(name, sizeof name, "%s_fp32_p90", small[i]);
        eb_fidelity p90 = fid(name);
        cr_expect(p50.sqnr_db < q.sqnr_db || !strcmp(small[i], "resnet8"),
                  "%s: p50 (%g dB) above int8 (%g dB)?", small[i], p50.sqnr_db, q.sqnr_db);
        cr_expect(p90.sqnr_db <= p50.sqnr_db, "%s: p90 %g dB better than p50 %g dB",
                  small[i], p90.sqnr_db, p50.sqnr_db);
        cr_expect(p50.cosine >= -1 && p50.cosine <= 1);
    }
}

Test(variants, synthetic_weights_are_pinned)
{
    /* The generator is integer-only: these bits are the same on every machine. A change
     * here changes every model's weights: update the constant only on purpose. */
    eb_graph *g;
    cr_assert_eq(eb_zoo_build_graph("ds_cnn", &g), EB_OK);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(eb_ebm_serialize(g, &buf, &len), EB_OK);
    uint32_t crc = eb_ebm_crc32(buf, len - 4); /* = the stored CRC */
    cr_expect_eq(crc, 0x13de7cd4u, "ds_cnn fp32 synthetic weights CRC %08x", crc);
    free(buf);
    eb_graph_free(g);
}

/* An int8 model whose accumulators could overflow int32 (a huge bias, as a crafted .ebm
 * file could hold) is refused when it is checked, not run into undefined behaviour. */
Test(variants, int8_bias_out_of_range_is_refused)
{
    eb_graph *g;
    cr_assert_eq(eb_zoo_build_graph("ds_cnn", &g), EB_OK);
    char err[256] = "";
    cr_assert_eq(eb_quantize_graph(&g, NULL, true, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_graph_check(g, true, err, sizeof err), EB_OK, "%s", err);
    eb_gop *op = NULL;
    for (int32_t i = 0; i < g->nops && !op; i++)
        if (g->op[i].bq)
            op = &g->op[i];
    cr_assert_not_null(op);
    int32_t saved = op->bq[0];
    op->bq[0] = INT32_MAX - 5;
    cr_assert_neq(eb_graph_check(g, true, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "bias out of range") != NULL, "%s", err);
    op->bq[0] = saved;
    cr_assert_eq(eb_graph_check(g, true, err, sizeof err), EB_OK, "%s", err);
    eb_graph_free(g);
}

/* Calibration values of 3e38 are finite floats, but the ranges they give (and the
 * activations they overflow to infinity) make int8 scales no graph accepts: the build
 * failed with "tensor 0 has bad quantization parameters", naming neither the file nor
 * what is wrong with it. */
Test(variants, calibration_values_beyond_int8_range_name_the_input)
{
    char dir[] = "/tmp/eb_calib_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    float in[640];
    char ok[256], huge[256];
    for (int i = 0; i < 640; i++)
        in[i] = (float)(i % 7) * 0.1f;
    snprintf(ok, sizeof ok, "%s/a_fine.f32", dir);
    FILE *fp = fopen(ok, "wb");
    fwrite(in, sizeof(float), 640, fp);
    fclose(fp);
    for (int i = 0; i < 640; i++)
        in[i] = i % 2 ? 3e38f : -3e38f;
    snprintf(huge, sizeof huge, "%s/b_huge.f32", dir);
    fp = fopen(huge, "wb");
    fwrite(in, sizeof(float), 640, fp);
    fclose(fp);
    eb_model *m = NULL;
    char err[512] = "";
    eb_model_options o = {EB_KSET_REF, dir};
    cr_assert_neq(eb_model_build("fc_autoencoder_int8", &o, &m, err, sizeof err), EB_OK);
    cr_assert_null(m);
    cr_assert_not_null(strstr(err, "b_huge.f32"), "the error names the input: %s", err);
    cr_assert_null(strstr(err, "a_fine.f32"), "%s", err);
    cr_assert_not_null(strstr(err, "3e+38"), "and the value: %s", err);
    unlink(huge);
    /* without it, the rest calibrates */
    cr_assert_eq(eb_model_build("fc_autoencoder_int8", &o, &m, err, sizeof err), EB_OK, "%s",
                 err);
    eb_model_free(m);
    unlink(ok);
    rmdir(dir);
}

/* Found by fuzz/fuzz_calib.c: calibration inputs that span almost nothing (1e-12) give an
 * input scale so small that the biases no longer fit int8 accumulation; quantization
 * "succeeded" and the model then failed to build with "op 0 (...) has an int8 bias out
 * of range", a sentence about neither calibration nor its inputs. */
Test(variants, calibration_range_too_narrow_for_the_biases_says_so)
{
    char dir[] = "/tmp/eb_calib_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    float in[640];
    for (int i = 0; i < 640; i++)
        in[i] = 1e-12f;
    char path[256];
    snprintf(path, sizeof path, "%s/flat.f32", dir);
    FILE *fp = fopen(path, "wb");
    fwrite(in, sizeof(float), 640, fp);
    fclose(fp);
    eb_model *m = NULL;
    char err[512] = "";
    eb_model_options o = {EB_KSET_REF, dir};
    cr_assert_neq(eb_model_build("fc_autoencoder_int8", &o, &m, err, sizeof err), EB_OK);
    cr_assert_null(m);
    cr_assert_not_null(strstr(err, "calibration"), "%s", err);
    cr_assert_not_null(strstr(err, dir), "names the calibration inputs: %s", err);
    cr_assert_not_null(strstr(err, "bias"), "%s", err);
    unlink(path);
    rmdir(dir);
}

/* Found by fuzz/fuzz_calib.c: calibration inputs of large magnitude through a layer whose
 * ReLU outputs are all 0 on them. The dead output got the smallest scale (its range is
 * empty), so the layer's requantization multiplier in_scale x w_scale / out_scale passed
 * 2^31: quantization "succeeded" and the model then failed to build ("op 0 (fc1) cannot
 * be prepared: invalid parameters"). An output scale is raised until every multiplier of
 * its producer is representable (a dead output is 0 at any scale). */
Test(variants, a_dead_relu_after_a_wide_input_still_quantizes)
{
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "dead_relu");
    snprintf(g->arch, sizeof g->arch, "dead_relu");
    snprintf(g->variant, sizeof g->variant, "fp32");
    g->input = eb_graph_add_tensor(g, 1, 1, 4);
    int32_t h = eb_graph_add_tensor(g, 1, 1, 3);
    int32_t o = eb_graph_add_tensor(g, 1, 1, 2);
    eb_gop fc;
    memset(&fc, 0, sizeof fc);
    fc.type = EB_OP_FC;
    fc.act = EB_ACT_RELU;
    fc.in0 = g->input;
    fc.in1 = -1;
    fc.out = h;
    fc.k_h = fc.k_w = fc.stride_h = fc.stride_w = 1;
    snprintf(fc.name, sizeof fc.name, "fc1");
    fc.w = malloc(12 * sizeof(float));
    fc.b = calloc(3, sizeof(float));
    for (int i = 0; i < 12; i++)
        fc.w[i] = -0.5f; /* positive inputs: every output negative, ReLU gives 0 */
    cr_assert(eb_graph_add_op(g, &fc) >= 0);
    eb_gop fc2 = fc;
    fc2.act = EB_ACT_NONE;
    fc2.in0 = h;
    fc2.out = o;
    snprintf(fc2.name, sizeof fc2.name, "fc2");
    fc2.w = malloc(6 * sizeof(float));
    fc2.b = malloc(2 * sizeof(float));
    for (int i = 0; i < 6; i++)
        fc2.w[i] = 0.25f;
    fc2.b[0] = 0.01f;
    fc2.b[1] = -0.01f;
    cr_assert(eb_graph_add_op(g, &fc2) >= 0);
    g->output = o;
    char dir[] = "/tmp/eb_calib_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/wide.f32", dir);
    float in[4] = {1.4e8f, 1e8f, 3e7f, 1.2e8f};
    FILE *fp = fopen(path, "wb");
    fwrite(in, sizeof(float), 4, fp);
    fclose(fp);
    char err[512] = "";
    cr_assert_eq(eb_quantize_graph(&g, dir, true, err, sizeof err), EB_OK, "%s", err);
    eb_model *m = NULL;
    cr_assert_eq(eb_model_from_graph(g, EB_KSET_REF, &m, err, sizeof err), EB_OK,
                 "quantized but does not build: %s", err);
    eb_context *c;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    eb_context_fill_input(c, 0);
    eb_context_run(c);
    eb_context_free(c);
    eb_model_free(m);
    unlink(path);
    rmdir(dir);
}
