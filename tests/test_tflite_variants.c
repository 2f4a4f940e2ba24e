/* test_tflite_variants.c - edgebench's own variants of a user's float32 .tflite
 * ("FILE.tflite@int8", "@int8_p50", ...), float32 inputs quantized for int8 models, and
 * on kws01_dev (where ../shared has it): the float model's accuracy against Arm NN's on
 * the same float inputs, and its int8 variant's next to the TFLite int8 model's. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "eb_dataset.h"
#include "eb_model.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "eb_tflite.h"
#include "tflite_builder.h"

#define FAST "--warmup", "1", "--warmup-time", "0", "--min-time", "0", "--quiet"

static void rmdir_test(const char *dir)
{
    char cmd[200];
    if (!strncmp(dir, "/tmp/eb_test_", 13)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(p, n, 1, f) == 1, "cannot write %s", path);
    fclose(f);
}

/* float32 x [1,4,4,8] -> CONV_2D 1x1 8 -> 16 +relu -> RESHAPE [1,256] -> FC 256 -> 10 ->
 * SOFTMAX; int8: the same with quantized tensors */
static uint8_t *build_float_model(size_t *n, bool int8)
{
    tbm mb;
    tbm_init(&mb);
    int cv = tbm_opcode(&mb, EB_TFLITE_OP_CONV_2D, 1);
    int rc = tbm_opcode(&mb, EB_TFLITE_OP_RESHAPE, 1);
    int fc = tbm_opcode(&mb, EB_TFLITE_OP_FULLY_CONNECTED, 1);
    int sm = tbm_opcode(&mb, EB_TFLITE_OP_SOFTMAX, 1);
    const int32_t xs[] = {1, 4, 4, 8}, cws[] = {16, 1, 1, 8}, cbs[] = {16}, cos_[] = {1, 4, 4, 16};
    const int32_t rs[] = {1, 256}, fws[] = {10, 256}, fbs[] = {10}, os[] = {1, 10};
    const int32_t two = 2, shape[] = {1, 256};
    static float cw[128], cb[16], fw[2560], fb[10];
    static int8_t cwq[128], fwq[2560];
    static int32_t cbq[16], fbq[10];
    uint32_t s = 12345;
    for (int i = 0; i < 128; i++) {
        s = s * 1664525u + 1013904223u;
        cw[i] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 0.8f;
        cwq[i] = (int8_t)((int)(s >> 24) - 128);
    }
    for (int i = 0; i < 2560; i++) {
        s = s * 1664525u + 1013904223u;
        fw[i] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 0.2f;
        fwq[i] = (int8_t)((int)(s >> 24) - 128);
    }
    for (int i = 0; i < 16; i++)
        cb[i] = 0.05f * (float)(i % 5) - 0.1f, cbq[i] = i * 10;
    for (int i = 0; i < 10; i++)
        fb[i] = 0.01f * (float)i, fbq[i] = i * 100;
    int8_t t = int8 ? EB_TFLITE_INT8 : EB_TFLITE_FLOAT32, bt = int8 ? EB_TFLITE_INT32 : t;
    int x = tbm_tensor(&mb, "x", t, 4, xs, 0);
    int w1 = int8 ? tbm_const(&mb, "cw", t, 4, cws, cwq, 128) : tbm_const(&mb, "cw", t, 4, cws, cw, 512);
    int b1 = int8 ? tbm_const(&mb, "cb", bt, 1, cbs, cbq, 64) : tbm_const(&mb, "cb", bt, 1, cbs, cb, 64);
    int y1 = tbm_tensor(&mb, "y1", t, 4, cos_, 0);
    int sh = tbm_const(&mb, "shape", EB_TFLITE_INT32, 1, &two, shape, 8);
    int r = tbm_tensor(&mb, "r", t, 2, rs, 0);
    int w2 = int8 ? tbm_const(&mb, "fw", t, 2, fws, fwq, 2560) : tbm_const(&mb, "fw", t, 2, fws, fw, 10240);
    int b2 = int8 ? tbm_const(&mb, "fb", bt, 1, fbs, fbq, 40) : tbm_const(&mb, "fb", bt, 1, fbs, fb, 40);
    int f = tbm_tensor(&mb, "f", t, 2, os, 0);
    int y = tbm_tensor(&mb, "y", t, 2, os, 0);
    if (int8) {
        float sc[] = {0.02f, 0.01f, 0.03f, 0.03f, 0.005f, 0.1f, 1.0f / 256};
        int64_t zp[] = {3, 0, -128, -128, 0, 5, -128};
        int ts[] = {x, w1, y1, r, w2, f, y};
        for (int i = 0; i < 7; i++)
            tbm_quant(&mb, ts[i], 1, &sc[i], &zp[i], 0);
    }
    tb_node *co = tb_table(&mb.b);
    tb_u8(co, 0, 1); /* padding VALID */
    tb_i32(co, 1, 1);
    tb_i32(co, 2, 1);
    tb_u8(co, 3, EB_TFLITE_ACT_RELU);
    int32_t in0[] = {x, w1, b1}, out0[] = {y1};
    tbm_op(&mb, cv, 3, in0, 1, out0, EB_TFLITE_OPT_CONV2D, co);
    int32_t in1[] = {y1, sh}, out1[] = {r};
    tbm_op(&mb, rc, 2, in1, 1, out1, 0, NULL);
    tb_node *fo = tb_table(&mb.b);
    tb_u8(fo, 0, EB_TFLITE_ACT_NONE);
    int32_t in2[] = {r, w2, b2}, out2[] = {f};
    tbm_op(&mb, fc, 3, in2, 1, out2, EB_TFLITE_OPT_FULLY_CONNECTED, fo);
    tb_node *so = tb_table(&mb.b);
    tb_f32(so, 0, 1.0f);
    int32_t in3[] = {f}, out3[] = {y};
    tbm_op(&mb, sm, 1, in3, 1, out3, EB_TFLITE_OPT_SOFTMAX, so);
    int32_t gin[] = {x}, gout[] = {y};
    tbm_io(&mb, 1, gin, 1, gout);
    uint8_t *b = tbm_finish(&mb, n);
    tbm_free(&mb);
    return b;
}

static void write_model(const char *path, bool int8)
{
    size_t n;
    uint8_t *b = build_float_model(&n, int8);
    write_bytes(path, b, n);
    free(b);
}

Test(tflite_variants, variants_of_a_float_tflite_build_and_are_named)
{
    char dir[64], m[128], name[200], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(m, sizeof m, "%s/net.tflite", dir);
    write_model(m, false);
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *fp = NULL, *q = NULL, *p = NULL, *c = NULL;
    cr_assert_eq(eb_model_build(m, &mo, &fp, err, sizeof err), EB_OK, "%s", err);
    snprintf(name, sizeof name, "%s@int8", m);
    cr_assert(eb_model_is_file(name) && eb_model_is_tflite(name));
    cr_assert_eq(eb_model_build(name, &mo, &q, err, sizeof err), EB_OK, "%s", err);
    const eb_model_info *i = eb_model_get_info(q);
    cr_assert_str_eq(i->name, "net_int8");
    cr_assert_str_eq(i->arch, "tflite");
    cr_assert_str_eq(i->variant, "int8");
    cr_assert_eq(i->dtype, EB_S8);
    cr_assert_eq(i->macs, eb_model_get_info(fp)->macs);
    const char *stem;
    cr_assert_eq(eb_model_file_stem(name, &stem), 3);
    cr_assert_eq(strncmp(stem, "net", 3), 0);
    snprintf(name, sizeof name, "%s@int8_p50", m);
    cr_assert_eq(eb_model_build(name, &mo, &p, err, sizeof err), EB_OK, "%s", err);
    i = eb_model_get_info(p);
    cr_assert_str_eq(i->variant, "int8_p50");
    /* half of the weights are gone (biases stay) */
    uint64_t dense = eb_model_get_info(fp)->params, nz = i->params_nonzero;
    cr_assert(nz < dense * 6 / 10 && nz > dense * 4 / 10, "%llu of %llu", (unsigned long long)nz,
              (unsigned long long)dense);
    snprintf(name, sizeof name, "%s@fp32_c50", m);
    cr_assert_eq(eb_model_build(name, &mo, &c, err, sizeof err), EB_OK, "%s", err);
    cr_assert_lt(eb_model_get_info(c)->macs, eb_model_get_info(fp)->macs);
    /* the int8 variant stays close to the float model on an input */
    eb_context *cf, *cq;
    cr_assert_eq(eb_context_create(fp, &cf), EB_OK);
    cr_assert_eq(eb_context_create(q, &cq), EB_OK);
    eb_context_fill_input(cf, 3);
    eb_context_fill_input(cq, 3);
    eb_context_run(cf);
    eb_context_run(cq);
    const float *yf = eb_context_output(cf);
    const int8_t *yq = eb_context_output(cq);
    const eb_model_info *qi = eb_model_get_info(q);
    for (int k = 0; k < 10; k++) {
        double d = qi->out_scale * (yq[k] - qi->out_zp);
        cr_assert(fabs(d - yf[k]) < 0.05, "output %d: int8 %g, float %g", k, d, yf[k]);
    }
    eb_context_free(cf);
    eb_context_free(cq);
    eb_model_free(fp);
    eb_model_free(q);
    eb_model_free(p);
    eb_model_free(c);
    rmdir_test(dir);
}

Test(tflite_variants, bad_variant_names_and_int8_files_are_refused)
{
    char dir[64], m[128], m8[128], name[200], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(m, sizeof m, "%s/net.tflite", dir);
    snprintf(m8, sizeof m8, "%s/net8.tflite", dir);
    write_model(m, false);
    write_model(m8, true);
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *x = NULL;
    static const char *const bad[] = {"int4", "int8_p0", "int8_p100", "int8_x5", "", "fp32_p05"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(name, sizeof name, "%s@%s", m, bad[k]);
        cr_assert_eq(eb_model_build(name, &mo, &x, err, sizeof err), EB_ERR_ARG, "%s", name);
        cr_assert(strstr(err, "unknown variant") && strstr(err, "@int8_p50"), "%s", err);
    }
    snprintf(name, sizeof name, "%s@int8", m8);
    cr_assert_neq(eb_model_build(name, &mo, &x, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "variants are made from a float32 .tflite") && strstr(err, "int8"),
              "%s", err);
    /* through run: exit 2, nothing written */
    char out[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(name, sizeof name, "%s@int3", m);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", name, FAST, "--out", out, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "unknown variant 'int3'"), "%s", c.err);
    eb_test_cmd_free(&c);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0);
    rmdir_test(dir);
}

/* A run of the float model and its variants: one report; the variants' fidelity is
 * against the float file. */
Test(tflite_variants, run_reports_variants_with_fidelity_against_the_float_file)
{
    char dir[64], m[128], list[600], out[128], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(m, sizeof m, "%s/net.tflite", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    write_model(m, false);
    snprintf(list, sizeof list, "%s,%s@int8,%s@int8_p50", m, m, m);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", list, "--min-iterations", "3",
                                   "--repetitions", "1", "--warmup", "1", "--warmup-time", "0",
                                   "--min-time", "0", "--out", out, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert(strstr(c.out, "fidelity    vs the float32 .tflite: SQNR"), "%s", c.out);
    eb_test_cmd_free(&c);
    eb_report r;
    cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(r.n_results, 3);
    cr_assert_str_eq(r.results[0].name, "net");
    cr_assert(!r.results[0].has_fidelity);
    cr_assert_str_eq(r.results[1].name, "net_int8");
    cr_assert(r.results[1].has_fidelity);
    cr_assert_gt(r.results[1].fidelity.sqnr_db, 15, "int8 stays close: %g dB",
                 r.results[1].fidelity.sqnr_db);
    cr_assert_str_eq(r.results[2].name, "net_int8_p50");
    cr_assert(r.results[2].has_fidelity);
    cr_assert_lt(r.results[2].fidelity.sqnr_db, r.results[1].fidelity.sqnr_db,
                 "pruning half the weights costs more than int8 alone");
    eb_report_free(&r);
    rmdir_test(dir);
}

/* float32 inputs of an int8 model are quantized as TFLite's QUANTIZE op does it */
Test(tflite_variants, float_inputs_of_an_int8_model_are_quantized)
{
    char dir[64], m8[128], in[128], npy[128], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(m8, sizeof m8, "%s/net8.tflite", dir);
    snprintf(in, sizeof in, "%s/x.f32", dir);
    snprintf(npy, sizeof npy, "%s/x.npy", dir);
    write_model(m8, true);
    float x[128];
    int8_t want[128];
    for (int i = 0; i < 128; i++) {
        x[i] = 0.01f * (float)(i - 64) + (i % 3 ? 0.0f : 0.005f); /* ties at .5 steps */
        double q = round((double)x[i] / (double)0.02f) + 3;
        want[i] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
    }
    x[0] = 100.0f; /* clamps */
    want[0] = 127;
    write_bytes(in, x, sizeof x);
    /* the same as .npy */
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 4, 8), }");
    size_t pad = (64 - (10 + (size_t)hl + 1) % 64) % 64, h = (size_t)hl + pad + 1;
    unsigned char buf[1024];
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)h;
    buf[9] = 0;
    memcpy(buf + 10, hdr, (size_t)hl);
    memset(buf + 10 + hl, ' ', pad);
    buf[10 + h - 1] = '\n';
    memcpy(buf + 10 + h, x, sizeof x);
    write_bytes(npy, buf, 10 + h + sizeof x);
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m = NULL;
    cr_assert_eq(eb_model_build(m8, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    int8_t got[129];
    for (int k = 0; k < 2; k++) {
        memset(got, 0x5a, sizeof got);
        cr_assert_eq(eb_model_read_input(m, k ? npy : in, got, err, sizeof err), EB_OK, "%s", err);
        for (int i = 0; i < 128; i++)
            cr_assert_eq(got[i], want[i], "%s element %d (%g): %d, want %d", k ? "npy" : "raw", i,
                         (double)x[i], got[i], want[i]);
        cr_assert_eq((unsigned char)got[128], 0x5a);
    }
    x[5] = NAN;
    write_bytes(in, x, sizeof x);
    cr_assert_neq(eb_model_read_input(m, in, got, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "non-finite value (element 5)"), "%s", err);
    eb_model_free(m);
    rmdir_test(dir);
}

/* ---- kws01_dev as float32 inputs ---- */

static void shared_dir(char *buf, size_t len, const char *sub)
{
    const char *shared = getenv("EB_SHARED_DIR");
    snprintf(buf, len, "%s/%s", shared && *shared ? shared : EB_SOURCE_DIR "/../shared", sub);
}

/* kws01_dev dequantized with kws_ref_model's input scale: the float model's accuracy
 * equals Arm NN's on the same float inputs; its int8 variant (calibrated on the dataset)
 * and the TFLite int8 model (which quantizes the float inputs back exactly) are measured
 * beside it. */
Test(tflite_variants, kws_float_model_and_variants_on_kws01_dev, .timeout = 900)
{
    char m8[600], mf[600], data[600];
    shared_dir(m8, sizeof m8, "models/mlperf_tiny/kws_ref_model.tflite");
    shared_dir(mf, sizeof mf, "models/mlperf_tiny/kws_ref_model_float32.tflite");
    shared_dir(data, sizeof data, "datasets/kws01_dev");
    char labels[700];
    snprintf(labels, sizeof labels, "%s/y_labels.csv", data);
    if (access(m8, R_OK) || access(mf, R_OK) || access(labels, R_OK))
        cr_skip_test("%s, %s or %s is absent (a clone without ../shared; EB_SHARED_DIR "
                     "overrides): the float KWS variants are not measured", m8, mf, labels);
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn, python3-numpy or python3-flatbuffers is missing");
    eb_model_info info;
    eb_model_options mo = {EB_KSET_REF, NULL};
    char err[1024];
    cr_assert_eq(eb_model_describe(m8, &mo, &info, err, sizeof err), EB_OK, "%s", err);
    eb_labels l;
    cr_assert_eq(eb_labels_load(data, &l, err, sizeof err), EB_OK, "%s", err);
    char dir[64], fdata[128], p[900];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(fdata, sizeof fdata, "%s/kws_f32", dir);
    cr_assert_eq(mkdir(fdata, 0700), 0);
    size_t cap = l.n * 2048 + 256, cl;
    char *cmd = malloc(cap);
    cl = (size_t)snprintf(cmd, cap, "/usr/bin/python3 %s/tests/armnn_oracle.py", EB_SOURCE_DIR);
    char *csv = malloc(l.n * 300 + 1);
    size_t at = 0;
    for (size_t i = 0; i < l.n; i++) {
        int8_t q[490];
        float x[490];
        snprintf(p, sizeof p, "%s/%s", data, l.rows[i].file);
        FILE *f = fopen(p, "rb");
        cr_assert(f && fread(q, 1, 490, f) == 490, "%s", p);
        fclose(f);
        for (int k = 0; k < 490; k++)
            x[k] = (float)((double)info.in_scale * (q[k] - info.in_zp));
        snprintf(p, sizeof p, "%s/%s", fdata, l.rows[i].file);
        write_bytes(p, x, sizeof x);
        at += (size_t)snprintf(csv + at, l.n * 300 + 1 - at, "%s,12,%d\n", l.rows[i].file,
                               (int)l.rows[i].label);
        cl += (size_t)snprintf(cmd + cl, cap - cl, " %s %s %s/%zu.armnn", mf, p, dir, i);
    }
    snprintf(p, sizeof p, "%s/y_labels.csv", fdata);
    write_bytes(p, csv, at);
    free(csv);
    snprintf(cmd + cl, cap - cl, " 2>/dev/null");
    cr_assert_eq(system(cmd), 0, "armnn_oracle.py failed");
    free(cmd);
    size_t armnn_correct = 0;
    for (size_t i = 0; i < l.n; i++) {
        float y[12];
        snprintf(p, sizeof p, "%s/%zu.armnn", dir, i);
        FILE *f = fopen(p, "rb");
        cr_assert(f && fread(y, 4, 12, f) == 12, "%s", p);
        fclose(f);
        int best = 0;
        for (int k = 1; k < 12; k++)
            best = y[k] > y[best] ? k : best;
        armnn_correct += best == l.rows[i].label;
    }
    char list[2600], out[128];
    snprintf(list, sizeof list, "%s,%s@int8,%s@int8_p50,%s", mf, mf, mf, m8);
    snprintf(out, sizeof out, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", list, "--dataset", fdata,
                                   "--min-iterations", "20", "--repetitions", "3", FAST, "--out",
                                   out, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    eb_report r;
    cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(r.n_results, 4);
    for (size_t k = 0; k < 4; k++) {
        cr_assert_not_null(r.results[k].accuracy);
        cr_assert_eq(r.results[k].accuracy->inputs, l.n);
        cr_log_info("%-32s top-1 %.1f %%, p50 %.1f us", r.results[k].name,
                    100.0 * (double)r.results[k].accuracy->correct / (double)l.n,
                    r.results[k].latency.median * 1e3);
    }
    cr_log_info("Arm NN CpuRef, float model: top-1 %.1f %%", 100.0 * (double)armnn_correct / (double)l.n);
    cr_assert_eq(r.results[0].accuracy->correct, armnn_correct, "the float model: edgebench %llu "
                 "correct, Arm NN %zu", (unsigned long long)r.results[0].accuracy->correct,
                 armnn_correct);
    /* the int8 variant stays near the float model (here: equal); the TFLite int8 model
     * reads the float inputs back to its own bytes, so it scores as on kws01_dev itself */
    cr_assert_geq(r.results[1].accuracy->correct + l.n / 50, r.results[0].accuracy->correct);
    cr_assert(r.results[1].has_fidelity && r.results[2].has_fidelity);
    cr_assert_lt(r.results[2].accuracy->correct, r.results[1].accuracy->correct,
                 "pruning half the weights without fine-tuning costs accuracy");
    eb_report_free(&r);
    eb_labels_free(&l);
    rmdir_test(dir);
}
