/* test_remote_tflite.c - `run --target BOARD --model FILE.tflite`: the host imports the
 * file, writes it as .ebm and uploads that to edgebench-agent (the host build on a pty
 * here, the aarch64 one under qemu in scripts/emulate-test.sh), which runs the graph the
 * host would run. The .tflite is made by the test (tflite_builder.h), so CI covers it. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "agent_fixture.h"
#include "cli.h"
#include "eb_model.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "eb_tflite.h"
#include "tflite_builder.h"

#define AGENT_BIN EB_BINARY_DIR "/targets/agent/edgebench-agent"

static void write_target(const char *path, const char *device)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"name\": \"testboard\", \"description\": \"a pty\", \"transport\": \"serial\","
            " \"device\": \"%s\", \"baud\": 115200, \"protocol\": \"edgebench\", \"arch\": "
            "\"x86_64\", \"cores\": 2, \"clock_mhz\": 1000, \"memory_bytes\": 1073741824,"
            " \"price_usd\": 10,"
            " \"power_model\": {\"idle_w\": 1.0, \"active_w\": 3.0, \"source\": \"test\"}}\n",
            device);
    fclose(f);
}

static void quant(tbm *mb, int t, float scale, int64_t zp) { tbm_quant(mb, t, 1, &scale, &zp, 0); }

/* x int8 [1,2,2,3] -> RESHAPE [1,12] -> FULLY_CONNECTED 12 -> 5 -> SOFTMAX */
static uint8_t *build_model(size_t *n)
{
    tbm mb;
    tbm_init(&mb);
    int rc = tbm_opcode(&mb, EB_TFLITE_OP_RESHAPE, 1);
    int fc = tbm_opcode(&mb, EB_TFLITE_OP_FULLY_CONNECTED, 1);
    int sm = tbm_opcode(&mb, EB_TFLITE_OP_SOFTMAX, 1);
    const int32_t is[] = {1, 2, 2, 3}, rs[] = {1, 12}, ws[] = {5, 12}, bs[] = {5}, os[] = {1, 5};
    const int32_t two = 2, shape[] = {1, 12};
    int8_t w[60];
    int32_t bias[5] = {100, -200, 300, 0, 50};
    for (int i = 0; i < 60; i++)
        w[i] = (int8_t)((i * 37) % 255 - 127);
    int x = tbm_tensor(&mb, "x", EB_TFLITE_INT8, 4, is, 0);
    int sh = tbm_const(&mb, "shape", EB_TFLITE_INT32, 1, &two, shape, 8);
    int r = tbm_tensor(&mb, "r", EB_TFLITE_INT8, 2, rs, 0);
    int wt = tbm_const(&mb, "w", EB_TFLITE_INT8, 2, ws, w, 60);
    int bt = tbm_const(&mb, "b", EB_TFLITE_INT32, 1, bs, bias, 20);
    int f = tbm_tensor(&mb, "f", EB_TFLITE_INT8, 2, os, 0);
    int y = tbm_tensor(&mb, "y", EB_TFLITE_INT8, 2, os, 0);
    quant(&mb, x, 0.04f, 7);
    quant(&mb, r, 0.04f, 7);
    quant(&mb, wt, 0.01f, 0);
    quant(&mb, f, 0.05f, -10);
    quant(&mb, y, 1.0f / 256.0f, -128);
    int32_t in1[] = {x, sh}, out1[] = {r};
    tbm_op(&mb, rc, 2, in1, 1, out1, 0, NULL);
    tb_node *fo = tb_table(&mb.b);
    tb_u8(fo, 0, EB_TFLITE_ACT_NONE);
    int32_t in2[] = {r, wt, bt}, out2[] = {f};
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

static size_t slurp(const char *path, uint8_t **out)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t cap = 1 << 20, n;
    *out = malloc(cap);
    n = fread(*out, 1, cap, f);
    fclose(f);
    return n;
}

Test(remote_tflite, a_tflite_model_is_imported_here_and_runs_on_the_agent, .timeout = 300)
{
    cr_assert_eq(access(AGENT_BIN, X_OK), 0, "host agent built at %s", AGENT_BIN);
    fx_rig g;
    fx_rig_start_exec(&g, AGENT_BIN, NULL, 0);
    char dir[64], tfile[128], out[128], model[128], ebm[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(out, sizeof out, "%s/remote.json", dir);
    snprintf(model, sizeof model, "%s/my model+v1.tflite", dir); /* a name to sanitise */
    snprintf(ebm, sizeof ebm, "%s/local.ebm", dir);
    write_target(tfile, g.slave);
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    cr_assert_eq(mkdir(tmp, 0700), 0);
    setenv("TMPDIR", tmp, 1); /* where the .ebm is written before the upload */
    size_t n;
    uint8_t *b = build_model(&n);
    FILE *f = fopen(model, "wb");
    cr_assert(f && fwrite(b, n, 1, f) == 1);
    fclose(f);
    free(b);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", model,
                                   "--warmup", "1", "--warmup-time", "0", "--min-time", "0.01",
                                   "--min-iterations", "5", "--repetitions", "1", "--out", out,
                                   "--quiet", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    eb_test_cmd_free(&c);
    /* the agent holds the .ebm the host's own export writes, byte for byte */
    char err[512];
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m;
    cr_assert_eq(eb_model_build(model, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(eb_model_export(m, ebm, err, sizeof err), EB_OK, "%s", err);
    eb_model_free(m);
    char copy[200], cmd0[200];
    snprintf(copy, sizeof copy, "%s/my_model_v1.ebm", g.dir);
    uint8_t *x, *y;
    size_t nx = slurp(ebm, &x), ny = slurp(copy, &y);
    cr_assert(nx > 0 && nx == ny && !memcmp(x, y, nx), "the uploaded %s is the host's export",
              copy);
    free(x);
    free(y);
    /* no temporary file is left behind */
    snprintf(cmd0, sizeof cmd0, "rmdir '%s'", tmp);
    cr_assert_eq(system(cmd0), 0, "%s is empty after the run", tmp);
    unsetenv("TMPDIR");
    eb_report r;
    cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(r.n_results, 1);
    cr_assert(r.results[0].complete);
    cr_assert_geq(r.results[0].n_samples, 5);
    cr_assert_str_eq(r.results[0].variant, "int8");
    eb_report_free(&r);
    fx_rig_stop(&g);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* A .tflite that does not import is refused before the board is opened. */
Test(remote_tflite, a_bad_tflite_is_refused_before_the_board_is_reached)
{
    char dir[64], tfile[128], model[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tfile, sizeof tfile, "%s/testboard.json", dir);
    snprintf(model, sizeof model, "%s/bad.tflite", dir);
    write_target(tfile, "/dev/nonexistent-edgebench-board");
    FILE *f = fopen(model, "wb");
    cr_assert(f && fwrite("not a flatbuffer", 16, 1, f) == 1);
    fclose(f);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tfile, "--model", model,
                                   "--quiet", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "bad.tflite"), "%s", c.err);
    cr_assert_null(strstr(c.err, "nonexistent-edgebench-board"), "the board was not opened: %s",
                   c.err);
    eb_test_cmd_free(&c);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
