/* make_seeds.c - writes the seed corpus of every fuzz target, made by edgebench's own
 * writers (so no binary file is committed and the seeds follow the formats as they
 * change): OUT/<target>/<seed>.
 *   make_seeds OUT_DIR SOURCE_DIR */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eb_fixture_reports.h"
#include "eb_model.h"
#include "eb_model_internal.h"
#include "eb_proto.h"
#include "eb_report.h"

static const char *out_dir;

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void put(const char *target, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path);
}

static void put_text(const char *target, const char *name, const char *text)
{
    put(target, name, text, strlen(text));
}

/* ---- .ebm: small graphs with every op type, fp32 and int8, dense and sparse ---- */

static uint32_t rng = 12345;
static float frand(void)
{
    rng = rng * 1103515245u + 12345u;
    return (float)((rng >> 9) & 0xffff) / 32768.0f - 1.0f;
}

static int32_t op_add(eb_graph *g, eb_op_type type, int32_t in0, int32_t in1, int32_t h,
                      int32_t w, int32_t c, int32_t k, int32_t stride, int32_t pad,
                      eb_act act, const char *name)
{
    int32_t out = eb_graph_add_tensor(g, h, w, c);
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = type;
    op.act = act;
    op.in0 = in0;
    op.in1 = in1;
    op.out = out;
    op.k_h = op.k_w = k;
    op.stride_h = op.stride_w = stride;
    op.pad_top = op.pad_left = op.pad_bottom = op.pad_right = pad;
    snprintf(op.name, sizeof op.name, "%s", name);
    if (eb_gop_has_weights(&op)) {
        eb_gop tmp = op;
        eb_graph_add_op(g, &tmp); /* to size the arrays from the graph */
        eb_gop *o = &g->op[g->nops - 1];
        size_t nw = (size_t)eb_gop_dense_weights(g, o);
        o->w = malloc(nw * sizeof(float));
        o->b = malloc((size_t)c * sizeof(float));
        for (size_t i = 0; i < nw; i++)
            o->w[i] = frand() * 0.5f;
        for (int32_t i = 0; i < c; i++)
            o->b[i] = frand() * 0.1f;
        return out;
    }
    eb_graph_add_op(g, &op);
    return out;
}

/* 8x8x3 -> conv 3x3 -> dwconv 3x3 s2 -> maxpool -> (avgpool | 1x1 conv) -> add -> gap ->
 * fc -> fc -> softmax */
static eb_graph *small_graph(void)
{
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->arch, sizeof g->arch, "seed");
    snprintf(g->variant, sizeof g->variant, "fp32");
    snprintf(g->name, sizeof g->name, "seed_fp32");
    g->input = eb_graph_add_tensor(g, 8, 8, 3);
    int32_t t = op_add(g, EB_OP_CONV2D, g->input, -1, 8, 8, 8, 3, 1, 1, EB_ACT_RELU, "conv");
    t = op_add(g, EB_OP_DWCONV, t, -1, 4, 4, 8, 3, 2, 1, EB_ACT_RELU6, "dw");
    int32_t p = op_add(g, EB_OP_MAXPOOL, t, -1, 2, 2, 8, 2, 2, 0, EB_ACT_NONE, "maxpool");
    int32_t a = op_add(g, EB_OP_AVGPOOL, p, -1, 2, 2, 8, 3, 1, 1, EB_ACT_NONE, "avgpool");
    int32_t c = op_add(g, EB_OP_CONV2D, p, -1, 2, 2, 8, 1, 1, 0, EB_ACT_NONE, "pw");
    t = op_add(g, EB_OP_ADD, a, c, 2, 2, 8, 1, 1, 0, EB_ACT_RELU, "add");
    t = op_add(g, EB_OP_GAP, t, -1, 1, 1, 8, 1, 1, 0, EB_ACT_NONE, "gap");
    t = op_add(g, EB_OP_FC, t, -1, 1, 1, 5, 1, 1, 0, EB_ACT_RELU, "fc1");
    t = op_add(g, EB_OP_FC, t, -1, 1, 1, 3, 1, 1, 0, EB_ACT_NONE, "fc2");
    t = op_add(g, EB_OP_SOFTMAX, t, -1, 1, 1, 3, 1, 1, 0, EB_ACT_NONE, "softmax");
    g->output = t;
    char err[256];
    if (eb_graph_check(g, true, err, sizeof err) != EB_OK) {
        fprintf(stderr, "make_seeds: the seed graph is invalid: %s\n", err);
        exit(1);
    }
    return g;
}

static void put_graph(const char *name, const eb_graph *g)
{
    uint8_t *b;
    size_t len;
    if (eb_ebm_serialize(g, &b, &len) != EB_OK)
        die("serialize");
    put("ebm", name, b, len);
    free(b);
}

static void ebm_seeds(void)
{
    char err[512];
    for (int sparse = 0; sparse < 3; sparse++) {
        eb_graph *g = small_graph();
        if (sparse && eb_prune_unstructured(g, sparse == 1 ? 50 : 99) != EB_OK)
            die("prune");
        char name[64];
        snprintf(name, sizeof name, "seed_fp32_%s.ebm", sparse ? sparse == 1 ? "p50" : "p99" : "dense");
        put_graph(name, g);
        if (eb_quantize_graph(&g, NULL, true, err, sizeof err) != EB_OK) {
            fprintf(stderr, "make_seeds: quantize: %s\n", err);
            exit(1);
        }
        snprintf(name, sizeof name, "seed_int8_%s.ebm", sparse ? sparse == 1 ? "p50" : "p99" : "dense");
        put_graph(name, g);
        eb_graph_free(g);
    }
    /* a sparse op with no nonzeros at all */
    eb_graph *g = small_graph();
    eb_prune_unstructured(g, 99);
    for (int32_t i = 0; i < g->nops; i++) {
        eb_gop *op = &g->op[i];
        if (op->sparse) {
            for (int32_t r = 0; r <= eb_gop_out_channels(g, op); r++)
                op->row_ptr[r] = 0;
            op->nnz = 0;
        }
    }
    put_graph("seed_fp32_nnz0.ebm", g);
    eb_graph_free(g);
    /* one real zoo model */
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m;
    if (eb_model_build("ds_cnn_int8_p75", &mo, &m, err, sizeof err) != EB_OK) {
        fprintf(stderr, "make_seeds: %s\n", err);
        exit(1);
    }
    put_graph("ds_cnn_int8_p75.ebm", m->g);
    eb_model_free(m);
}

/* ---- reports: the harness's writer ---- */

static void report_seeds(void)
{
    static double s[3][64];
    fx_samples(s[0], 64, 10, 0.03, 0.01, 1);
    fx_samples(s[1], 64, 4, 0.05, 0.02, 2);
    fx_samples(s[2], 7, 1, 0.01, 0.0, 3);
    const char *profile =
        "[{\"op\":\"conv_0\",\"type\":\"conv2d\",\"kernel\":\"k\",\"macs\":1000,\"median_ms\":0.4,"
        "\"gmacs\":2.5,\"share\":0.8},"
        "{\"op\":\"fc\",\"type\":\"fc\",\"kernel\":\"k\",\"macs\":500,\"median_ms\":0.1,"
        "\"gmacs\":5,\"share\":0.2}]";
    fx_result one = {.target = "host", .model = "m", .variant = "fp32", .samples = s[0], .n = 64};
    char *j = fx_report(&one, 1, "CPU", "auto", 1);
    put_text("report", "one_result.json", j);
    free(j);
    fx_result two[3] = {
        {.target = "rpi4", .model = "mobilenet_v1", .variant = "fp32", .samples = s[0], .n = 64,
         .weights_bytes = 16e6, .planned_total_bytes = 20e6, .peak_rss_bytes = 30e6},
        {.target = "rpi4", .model = "mobilenet_v1", .variant = "int8", .samples = s[1], .n = 64,
         .weights_bytes = 4e6, .sqnr_db = 31.5, .profile_json = profile, .energy_j = 0.01},
        {.target = "rpi4", .model = "ds_cnn", .variant = "int8_p75", .samples = s[2], .n = 7,
         .scenario = "offline", .threads = 4},
    };
    j = fx_report(two, 3, "Cortex-A72", "neon", 1);
    put_text("report", "three_results.json", j);
    free(j);
    fx_result acc = {.target = "host", .model = "tflite", .variant = "int8", .samples = s[1],
                     .n = 64, .accuracy_classes = 12};
    j = fx_report(&acc, 1, "CPU", "auto", 1);
    put_text("report", "accuracy.json", j);
    free(j);
    j = fx_report(NULL, 0, "CPU", "ref", 1);
    put_text("report", "no_results.json", j);
    free(j);
    /* run --threads 1,4: one result per count, settings.thread_counts */
    fx_result counts[2] = {
        {.target = "host", .model = "ds_cnn", .variant = "int8", .samples = s[1], .n = 64},
        {.target = "host", .model = "ds_cnn", .variant = "int8", .samples = s[0], .n = 64,
         .threads = 4},
    };
    j = fx_report(counts, 2, "CPU", "auto", 1);
    eb_report rep;
    char err[256], *text = NULL;
    if (eb_report_read_text(j, "counts.json", &rep, err, sizeof err) == EB_OK) {
        rep.settings.n_thread_counts = 2;
        rep.settings.thread_counts[0] = 1;
        rep.settings.thread_counts[1] = 4;
        if (eb_report_render(&rep, &text, err, sizeof err) == EB_OK)
            put_text("report", "thread_counts.json", text);
        free(text);
        eb_report_free(&rep);
    }
    free(j);
}

/* ---- target files: the shipped ones ---- */

static void target_seeds(const char *src)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/targets", src);
    DIR *d = opendir(dir);
    if (!d)
        die(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = fx_slurp(path);
        if (!text)
            die(path);
        put_text("target", e->d_name, text);
        free(text);
    }
    closedir(d);
}

/* ---- the agent protocol, both sides ---- */

static void agent_seeds(void)
{
    put_text("agent", "hello_id_models.txt", "help\nhello 1\nid\nmodels\nsync 1234\nbogus\n\n");
    put_text("agent", "run.txt", "hello 1\n!run t1 tiny_int8 2 5\nlast\nresend 0 5\n"
                                 "!run t1 tiny_int8 2 5\nabort\n");
    put_text("agent", "run_no_crc.txt", "run t2 tiny_int8 0 3\n!run t2 nosuch 0 3\n"
                                        "!run t3 tiny_fp32 0 3 kernels=ref\n");
    /* a complete upload of 600 bytes in two chunks, then a run of it */
    uint8_t file[600];
    for (int i = 0; i < 600; i++)
        file[i] = (uint8_t)(i * 7 + 3);
    char b64a[800], b64b[200], text[4096];
    eb_base64_encode(file, 512, b64a, sizeof b64a);
    eb_base64_encode(file + 512, 88, b64b, sizeof b64b);
    snprintf(text, sizeof text,
             "!upload m.ebm 600 %08x\n!chunk 0 %s\n!chunk 512 %s\n!chunk 512 %s\n!commit\n"
             "models\n!run t4 m.ebm 1 2\n",
             (unsigned)eb_proto_crc32(0, file, 600), b64a, b64b, b64b);
    put_text("agent", "upload.txt", text);
    snprintf(text, sizeof text, "!upload m.ebm 600 00000000\n!chunk 512 %s\n!chunk 0 %s\n"
                                "!commit\n!chunk 0 %s\n",
             b64b, b64a, b64a);
    put_text("agent", "upload_bad.txt", text);
}

static void remote_seeds(void)
{
    const char *hello =
        "ready edgebench-agent 0.1.0 proto=1\n"
        "hello edgebench-agent version=0.1.0 proto=1\n"
        "id name=edgebench-agent version=0.1.0 proto=1 arch=aarch64 cpu=Cortex-A72 "
        "isa=neon cores=4 clock_mhz=1500 memory_bytes=4000000000 os=Linux_6.1\n"
        "kernel conv2d_s8 eb_conv2d_s8_neon\nkernel fc_s8 eb_fc_s8_neon\nok id\n";
    const char *upload = "ok upload up.ebm size=1100 chunk=512\nack 512\nack 1024\nack 1100\n"
                         "ok commit up.ebm size=1100\n";
    const char *run =
        "ok run 9e3779b1\n"
        "info name=tiny_int8 arch=tiny variant=int8 macs=1000 params=10 weights_bytes=100 "
        "packed_bytes=0 arena_bytes=4096 arena_lower_bound_bytes=4096 scratch_bytes=0\n"
        "kernel fc_s8 eb_fc_s8_ref\nw 0\nw 1\nstart n=6\n"
        "s 0 1000\ns 1 1001\ns 2 1002\ns 3 1003\ns 4 1004\ns 5 1005\n"
        "done tag=9e3779b1 n=6 target=6 complete=1 peak_rss_bytes=123456 rss_method=VmHWM\n";
    char text[8192];
    snprintf(text, sizeof text, "%s%s%s", hello, upload, run);
    put_text("remote", "clean.txt", text);
    /* samples lost and fetched again; a corrupted line; the done line first */
    snprintf(text, sizeof text,
             "%s%sok run 9e3779b1\nstart n=6\ns 0 1000\n~s 1 1001 *0000\ns 3 1003\n"
             "done tag=9e3779b1 n=6 target=6 complete=1 peak_rss_bytes=1 rss_method=x\n"
             "s 1 1001\ns 2 1002\ns 4 1004\ns 5 1005\nok resend\n"
             "info name=tiny_int8 arch=tiny variant=int8 macs=1000\nok last\n",
             hello, upload);
    put_text("remote", "resend.txt", text);
    put_text("remote", "version.txt", "hello edgebench-agent version=9 proto=2\n");
    put_text("remote", "refused.txt", "err version speaks 2\n");
    snprintf(text, sizeof text, "%serr state no upload\n", hello);
    put_text("remote", "upload_refused.txt", text);
    snprintf(text, sizeof text, "%s%serr model unknown model 'tiny_int8'\n", hello, upload);
    put_text("remote", "run_refused.txt", text);
    snprintf(text, sizeof text, "%s%sok run 9e3779b1\ns 0 5\n~garbage\nsync 00000001\n", hello,
             upload);
    put_text("remote", "line_dies.txt", text);
}

/* ---- ab <-> ab-worker lines ---- */

static void ab_seeds(void)
{
    put_text("ab_proto", "samples.txt", "samples 3 1.250000 1.300000 0.990000");
    put_text("ab_proto", "measure.txt", "measure 0.5");
    put_text("ab_proto", "huge_count.txt", "samples 2305843009213693953 .7 .7");
    put_text("ab_proto", "error.txt", "error the model did not build");
}

/* ---- --calib tensor files ---- */

static void calib_seeds(void)
{
    float x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (float)i / 8.0f - 1.0f;
    put("calib", "ramp16.f32", x, sizeof x);
    for (int i = 0; i < 16; i++)
        x[i] = i % 2 ? 3e38f : -3e38f;
    put("calib", "huge16.f32", x, sizeof x);
    float one = 0.5f;
    put("calib", "one.f32", &one, sizeof one);
    put("calib", "odd.bin", "abcde", 5);
}


/* ---- lava collect: a job's log (the agent's sealed lines in three log forms) and its
 * results ---- */

static size_t sealed(char *out, size_t cap, const char *text)
{
    char line[EB_PROTO_MAX_LINE + 16];
    size_t n = strlen(text);
    memcpy(line, text, n);
    n = eb_proto_seal(line, n, sizeof line);
    line[n >= 2 ? n - 2 : 0] = 0; /* without CR LF */
    return (size_t)snprintf(out, cap, "%s", line);
}

static void lava_seeds(void)
{
    static const char *const agent[] = {
        "id name=edgebench-agent version=0.1.0 proto=1 arch=aarch64 cpu=Cortex-A72 isa=neon "
        "cores=4 clock_mhz=1500 memory_bytes=4000000000 os=Linux",
        "kernel fc_s8 eb_fc_s8_neon",
        "ok id",
        "plan tag=m0 model=fc_autoencoder_int8 target=rpi4 repetitions=1 per_repetition=4 "
        "warmup=1 kernels=auto min_time_s=0.1 warmup_time_s=0 min_iterations=4 "
        "max_iterations=4",
        "ok run m0",
        "info name=fc_autoencoder_int8 arch=fc_autoencoder variant=int8 macs=264192",
        "kernel fc_s8 eb_fc_s8_neon",
        "w 0",
        "start n=4",
        "s 0 5799",
        "s 1 5158",
        "s 2 5138",
        "s 3 5124",
        "done tag=m0 n=4 target=4 complete=1 peak_rss_bytes=4194304 rss_method=VmHWM",
    };
    char plain[8192] = "", stamped[8192] = "", json[16384] = "";
    for (size_t i = 0; i < sizeof agent / sizeof agent[0]; i++) {
        char l[EB_PROTO_MAX_LINE + 16];
        sealed(l, sizeof l, agent[i]);
        size_t a = strlen(plain), b = strlen(stamped), c = strlen(json);
        snprintf(plain + a, sizeof plain - a, "%s\n", l);
        snprintf(stamped + b, sizeof stamped - b, "[%8.3f] %s\n", (double)(i + 1) / 1000, l);
        snprintf(json + c, sizeof json - c,
                 "- {\"dt\": \"2026-12-01T10:00:%02zu.000000\", \"lvl\": \"target\", "
                 "\"msg\": \"%s\"}\n", i, l);
    }
    put_text("lava", "console.log", plain);
    put_text("lava", "stamped.log", stamped);
    put_text("lava", "lava_log.yaml", json);
    put_text("lava", "results.yaml",
             "- job: '7'\n  name: fc_autoencoder_int8_p50\n  result: pass\n"
             "  measurement: '0.0052'\n  unit: ms\n");
    put_text("lava", "results.json",
             "[{\"job\": \"7\", \"name\": \"fc_autoencoder_int8_p50\", \"result\": \"pass\", "
             "\"measurement\": \"0.0052\", \"unit\": \"ms\"}]");
}

/* ---- the telnet / RFC 2217 decoder: what a serial server sends (byte 0: read size) ---- */

static void telnet_seeds(void)
{
    static const unsigned char plain[] = {7, 'r', 'e', 'a', 'd', 'y', '\r', '\n'};
    put("telnet", "plain.bin", plain, sizeof plain);
    /* IAC WILL BINARY, IAC DO SUPPRESS-GO-AHEAD, IAC WILL COM-PORT (44), a doubled 0xFF */
    static const unsigned char neg[] = {3,    0xff, 0xfb, 0x00, 0xff, 0xfd, 0x03, 0xff, 0xfb,
                                        0x2c, 'o',  'k',  0xff, 0xff, '\n'};
    put("telnet", "negotiation.bin", neg, sizeof neg);
    /* IAC SB COM-PORT SET-BAUDRATE(101) 115200 IAC SE, then data */
    static const unsigned char sb[] = {5,    0xff, 0xfa, 0x2c, 0x65, 0x00, 0x01, 0xc2,
                                       0x00, 0xff, 0xf0, 's',  ' ',  '0', '\n'};
    put("telnet", "subnegotiation.bin", sb, sizeof sb);
}


/* ---- --input tensor files: raw bytes and .npy, for fuzz_npy's int8 7x5x3 and float32
 * 1x1x24 inputs ---- */

static void npy(const char *name, const char *descr, const char *shape, const void *data,
                size_t len)
{
    char header[128];
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, "
                                            "'shape': %s, }", descr, shape);
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    unsigned char buf[1024];
    size_t hl = (size_t)n + pad + 1;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hl & 0xff);
    buf[9] = (unsigned char)(hl >> 8);
    memcpy(buf + 10, header, (size_t)n);
    memset(buf + 10 + n, ' ', pad);
    buf[10 + n + pad] = '\n';
    memcpy(buf + 10 + hl, data, len);
    put("npy", name, buf, 10 + hl + len);
}

static void npy_seeds(void)
{
    signed char s8[105];
    for (int i = 0; i < 105; i++)
        s8[i] = (signed char)(i * 7 - 128);
    float f32[24];
    for (int i = 0; i < 24; i++)
        f32[i] = (float)i / 8 - 1.5f;
    put("npy", "raw_s8.bin", s8, sizeof s8);
    put("npy", "raw_f32.bin", f32, sizeof f32);
    npy("s8.npy", "|i1", "(1, 7, 5, 3)", s8, sizeof s8);
    npy("f32.npy", "<f4", "(1, 24)", f32, sizeof f32);
    npy("wrong_dtype.npy", "<f8", "(12,)", f32, sizeof f32);
    float f105[105]; /* float32 data for the int8 shape: quantized */
    for (int i = 0; i < 105; i++)
        f105[i] = (float)(i - 52) * 0.05f;
    put("npy", "f32_for_s8.bin", f105, sizeof f105);
    npy("f32_for_s8.npy", "<f4", "(1, 7, 5, 3)", f105, sizeof f105);
}

/* ---- y_labels.csv (fuzz_labels) ---- */

static void labels_seeds(void)
{
    put_text("labels", "kws.csv", "tst_000000_Stop_7.bin,12,7\ntst_000001_Left_2.bin,12,2\n"
                                  "tst_000002_Right_6.bin,12,6\ntst_000003_Up_8.bin,12,8\n");
    put_text("labels", "crlf_blank_spaces.csv", "a_1_On_5.npy , 12 , 5\r\n\r\n b.bin,12,0");
    put_text("labels", "anomaly.csv", "normal_id_01_00000000.bin,2,0,640,128\n");
    put_text("labels", "duplicate.csv", "a.bin,3,1\nb.bin,3,2\na.bin,3,0\n");
    put_text("labels", "path.csv", "../x.bin,2,1\n");
    put_text("labels", "classes_mismatch.csv", "a.bin,3,1\nb.bin,4,1\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_seeds OUT_DIR SOURCE_DIR\n");
        return 2;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
        die(out_dir);
    ebm_seeds();
    report_seeds();
    target_seeds(argv[2]);
    agent_seeds();
    remote_seeds();
    ab_seeds();
    calib_seeds();
    lava_seeds();
    telnet_seeds();
    npy_seeds();
    labels_seeds();
    return 0;
}
