/* test_tflite_uint8.c - legacy asymmetric uint8 .tflite models (models/tflite_uint8.c):
 * converted to int8 exactly, so a uint8 model's outputs equal, bit for bit (+128), those
 * of the int8 model with every value and zero point shifted by hand (the int8 path is
 * TFLite's integer arithmetic, test_tflite_import.c); against Arm NN CpuRef (which runs
 * uint8 natively, computing in float) within a step; refusals named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_model.h"
#include "eb_test_cmd.h"
#include "eb_tflite.h"
#include "tflite_builder.h"

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(p, n, 1, f) == 1, "cannot write %s", path);
    fclose(f);
}

typedef struct {
    bool u8;        /* uint8 model, else its hand-shifted int8 twin */
    int32_t wzp1;   /* uint8 conv weights' zero point */
    bool avgpool;   /* an AVERAGE_POOL_2D after the conv (refused in uint8) */
} mcase;

/* x [1,4,4,8] -> CONV_2D 1x1 8->16 +relu -> [AVERAGE_POOL_2D 2x2] -> RESHAPE -> FC -> 10 ->
 * SOFTMAX */
static uint8_t *build(const mcase *k, size_t *n)
{
    tbm mb;
    tbm_init(&mb);
    int cv = tbm_opcode(&mb, EB_TFLITE_OP_CONV_2D, 1);
    int ap = tbm_opcode(&mb, EB_TFLITE_OP_AVERAGE_POOL_2D, 1);
    int rc = tbm_opcode(&mb, EB_TFLITE_OP_RESHAPE, 1);
    int fc = tbm_opcode(&mb, EB_TFLITE_OP_FULLY_CONNECTED, 1);
    int sm = tbm_opcode(&mb, EB_TFLITE_OP_SOFTMAX, 1);
    int hw = k->avgpool ? 2 : 4, flat = hw * hw * 16;
    const int32_t xs[] = {1, 4, 4, 8}, cws[] = {16, 1, 1, 8}, cbs[] = {16}, c1[] = {1, 4, 4, 16};
    const int32_t ps[] = {1, hw, hw, 16}, rs[] = {1, flat}, fws[] = {10, flat}, fbs[] = {10},
                  os[] = {1, 10};
    const int32_t two = 2, shape[] = {1, flat};
    static uint8_t cw[128], fw[2560];
    static int32_t cb[16], fb[10];
    uint32_t s = 777;
    for (int i = 0; i < 128; i++) {
        s = s * 1664525u + 1013904223u;
        int v = (int)(s >> 24) % 248; /* 0..247: v - 120 stays in int8 */
        cw[i] = (uint8_t)(k->u8 ? v : (int8_t)(v - k->wzp1));
    }
    for (int i = 0; i < flat * 10; i++) {
        s = s * 1664525u + 1013904223u;
        int v = (int)(s >> 24); /* zero point 128: any byte */
        fw[i] = (uint8_t)(k->u8 ? v : (int8_t)(v - 128));
    }
    for (int i = 0; i < 16; i++)
        cb[i] = (i % 7) * 150 - 400;
    for (int i = 0; i < 10; i++)
        fb[i] = i * 90 - 300;
    int8_t t = k->u8 ? EB_TFLITE_UINT8 : EB_TFLITE_INT8;
    int sh8 = k->u8 ? 0 : 128; /* int8 zero points: the uint8 ones - 128 */
    int x = tbm_tensor(&mb, "x", t, 4, xs, 0);
    int w1 = tbm_const(&mb, "cw", t, 4, cws, cw, 128);
    int b1 = tbm_const(&mb, "cb", EB_TFLITE_INT32, 1, cbs, cb, 64);
    int y1 = tbm_tensor(&mb, "y1", t, 4, c1, 0);
    int p1 = k->avgpool ? tbm_tensor(&mb, "p1", t, 4, ps, 0) : y1;
    int shp = tbm_const(&mb, "shape", EB_TFLITE_INT32, 1, &two, shape, 8);
    int r = tbm_tensor(&mb, "r", t, 2, rs, 0);
    int w2 = tbm_const(&mb, "fw", t, 2, fws, fw, (uint32_t)(flat * 10));
    int b2 = tbm_const(&mb, "fb", EB_TFLITE_INT32, 1, fbs, fb, 40);
    int f = tbm_tensor(&mb, "f", t, 2, os, 0);
    int y = tbm_tensor(&mb, "y", t, 2, os, 0);
    struct { int t; float sc; int64_t zp; } q[] = {
        {x, 0.02f, 131 - sh8}, {w1, 0.01f, k->u8 ? k->wzp1 : 0}, {y1, 0.03f, 0 - sh8},
        {p1, 0.03f, 0 - sh8},  {r, 0.03f, 0 - sh8},   {w2, 0.004f, k->u8 ? 128 : 0},
        {f, 0.1f, 133 - sh8},  {y, 1.0f / 256, 0 - sh8},
        {b1, 0.02f * 0.01f, 0}, {b2, 0.03f * 0.004f, 0}}; /* biases: input x weight scale */
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if (!(i == 3 && !k->avgpool)) /* p1 is y1 without the pool */
            tbm_quant(&mb, q[i].t, 1, &q[i].sc, &q[i].zp, 0);
    tb_node *co = tb_table(&mb.b);
    tb_u8(co, 0, 1);
    tb_i32(co, 1, 1);
    tb_i32(co, 2, 1);
    tb_u8(co, 3, EB_TFLITE_ACT_RELU);
    int32_t in0[] = {x, w1, b1}, out0[] = {y1};
    tbm_op(&mb, cv, 3, in0, 1, out0, EB_TFLITE_OPT_CONV2D, co);
    if (k->avgpool) {
        tb_node *po = tb_table(&mb.b);
        tb_u8(po, 0, 1);
        tb_i32(po, 1, 2);
        tb_i32(po, 2, 2);
        tb_i32(po, 3, 2);
        tb_i32(po, 4, 2);
        int32_t inp[] = {y1}, outp[] = {p1};
        tbm_op(&mb, ap, 1, inp, 1, outp, EB_TFLITE_OPT_POOL2D, po);
    }
    int32_t in1[] = {p1, shp}, out1[] = {r};
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

static void write_case(const char *path, const mcase *k)
{
    size_t n;
    uint8_t *b = build(k, &n);
    write_bytes(path, b, n);
    free(b);
}

static void run(eb_model *m, const int8_t *x, int8_t *y)
{
    eb_context *c;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    memcpy(eb_context_input(c), x, 128);
    eb_context_run(c);
    memcpy(y, eb_context_output(c), 10);
    eb_context_free(c);
}

Test(tflite_uint8, a_uint8_model_equals_its_shifted_int8_twin_bit_for_bit)
{
    char dir[64], pu[128], pi[128], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(pu, sizeof pu, "%s/u8.tflite", dir);
    snprintf(pi, sizeof pi, "%s/i8.tflite", dir);
    mcase ku = {true, 120, false}, ki = {false, 120, false};
    write_case(pu, &ku);
    write_case(pi, &ki);
    static const eb_kset sets[] = {EB_KSET_REF, EB_KSET_AUTO};
    for (size_t s = 0; s < 2; s++) {
        eb_model_options mo = {sets[s], NULL};
        eb_model *mu = NULL, *mi = NULL;
        cr_assert_eq(eb_model_build(pu, &mo, &mu, err, sizeof err), EB_OK, "%s", err);
        cr_assert_eq(eb_model_build(pi, &mo, &mi, err, sizeof err), EB_OK, "%s", err);
        cr_assert_eq(eb_model_get_info(mu)->in_zp, 131 - 128);
        uint32_t r = 99;
        int distinct = 0;
        for (int t = 0; t < 50; t++) {
            int8_t x[128], yu[10], yi[10];
            for (int i = 0; i < 128; i++) {
                r = r * 1664525u + 1013904223u;
                x[i] = (int8_t)(r >> 24); /* = the uint8 value - 128 */
            }
            run(mu, x, yu);
            run(mi, x, yi);
            cr_assert_eq(memcmp(yu, yi, 10), 0, "input %d differs", t);
            distinct += yu[0] != yu[1];
        }
        cr_assert_gt(distinct, 0, "the outputs vary");
        eb_model_free(mu);
        eb_model_free(mi);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(tflite_uint8, refusals_name_the_reason)
{
    char dir[64], p[128], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m = NULL;
    /* weights whose w - zero point leaves int8 (values up to 247, zero point 60) */
    mcase far = {true, 60, false};
    snprintf(p, sizeof p, "%s/far.tflite", dir);
    write_case(p, &far);
    cr_assert_eq(eb_model_build(p, &mo, &m, err, sizeof err), EB_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "weights tensor 1 'cw' of this uint8 model has zero point 60") &&
              strstr(err, "no exact int8 form"), "%s", err);
    /* an average pool: TFLite rounds uint8 and int8 means differently */
    mcase pool = {true, 120, true};
    snprintf(p, sizeof p, "%s/pool.tflite", dir);
    write_case(p, &pool);
    cr_assert_eq(eb_model_build(p, &mo, &m, err, sizeof err), EB_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "op 1 (AVERAGE_POOL_2D) of this uint8 model has no bit-exact int8 "
                          "form") && strstr(err, "half up"), "%s", err);
    /* the int8 twin with the pool imports: the refusal is the uint8 rounding's */
    mcase pool8 = {false, 120, true};
    write_case(p, &pool8);
    cr_assert_eq(eb_model_build(p, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    eb_model_free(m);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Arm NN CpuRef runs the uint8 file itself (QAsymmU8): edgebench's int8 outputs + 128
 * are within a step of it (CpuRef computes the layers in float), and mostly equal. */
Test(tflite_uint8, against_armnn_cpuref_on_the_uint8_file, .timeout = 300)
{
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn, python3-numpy or python3-flatbuffers is missing: the "
                     "uint8 model is not compared with Arm NN");
    char dir[64], pu[128], err[1024];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(pu, sizeof pu, "%s/u8.tflite", dir);
    mcase ku = {true, 120, false};
    write_case(pu, &ku);
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    cr_assert_eq(eb_model_build(pu, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    enum { N = 20 };
    static int8_t xs[N][128], ys[N][10];
    char cmd[N * 400 + 200];
    size_t cl = (size_t)snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/armnn_oracle.py",
                                 EB_SOURCE_DIR);
    uint32_t r = 5;
    for (int t = 0; t < N; t++) {
        uint8_t u[128];
        for (int i = 0; i < 128; i++) {
            r = r * 1664525u + 1013904223u;
            u[i] = (uint8_t)(r >> 24);
            xs[t][i] = (int8_t)(u[i] - 128);
        }
        char p[160];
        snprintf(p, sizeof p, "%s/x%d.bin", dir, t);
        write_bytes(p, u, 128);
        cl += (size_t)snprintf(cmd + cl, sizeof cmd - cl, " %s %s %s/y%d.armnn", pu, p, dir, t);
        run(m, xs[t], ys[t]);
    }
    snprintf(cmd + cl, sizeof cmd - cl, " 2>/dev/null");
    cr_assert_eq(system(cmd), 0, "armnn_oracle.py failed");
    int worst = 0, equal = 0;
    for (int t = 0; t < N; t++) {
        char p[160];
        uint8_t a[10];
        snprintf(p, sizeof p, "%s/y%d.armnn", dir, t);
        FILE *f = fopen(p, "rb");
        cr_assert(f && fread(a, 1, 10, f) == 10, "%s", p);
        fclose(f);
        for (int k = 0; k < 10; k++) {
            int d = abs((int)a[k] - ((int)ys[t][k] + 128));
            worst = d > worst ? d : worst;
            equal += d == 0;
        }
    }
    cr_log_info("uint8 model vs Arm NN CpuRef: %d of %d outputs equal, largest difference %d",
                equal, N * 10, worst);
    cr_assert_leq(worst, 2, "largest difference %d steps", worst);
    cr_assert_geq(equal, N * 10 * 8 / 10);
    eb_model_free(m);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
