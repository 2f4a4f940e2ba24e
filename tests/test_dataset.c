/* test_dataset.c - labelled datasets (y_labels.csv), --dataset accuracy, --input folders
 * and --save-outputs, end to end through `edgebench run`, and the confusion-matrix plot.
 *
 * The datasets here are made by the test (so CI without ../shared tests all of it): inputs
 * from a fixed generator, labels chosen from the model's own predictions computed in this
 * process (every other input given a wrong label), so the expected confusion matrix is
 * known cell by cell before edgebench runs. The MLPerf Tiny kws01_dev set is checked
 * against Arm NN in test_tflite_import.c and, through `run --dataset`, below. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "eb_dataset.h"
#include "eb_model.h"
#include "eb_plot.h"
#include "eb_report.h"
#include "eb_test_cmd.h"

#define FAST "--warmup", "1", "--warmup-time", "0", "--min-time", "0", "--quiet"
#define MODEL "ds_cnn_int8" /* 49x10x1 int8 in, 12 classes out */
#define N_IN 24

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
    cr_assert(f && (n == 0 || fwrite(p, n, 1, f) == 1), "cannot write %s", path);
    fclose(f);
}

static void write_text(const char *path, const char *s) { write_bytes(path, s, strlen(s)); }

static size_t read_bytes(const char *path, void *p, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(p, 1, cap, f);
    fclose(f);
    return n;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* input i: spread over the int8 range, different per input */
static void gen_input(int i, int8_t *x, size_t n)
{
    uint32_t s = 2654435761u * (uint32_t)(i + 1);
    for (size_t k = 0; k < n; k++) {
        s = s * 1664525u + 1013904223u;
        x[k] = (int8_t)(s >> 24);
    }
}

/* Runs MODEL in this process on each input: outputs (N_IN x 12) and their argmax. */
static void predict(int8_t in[N_IN][490], int8_t out[N_IN][12], int *pred)
{
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    char err[512];
    cr_assert_eq(eb_model_build(MODEL, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    eb_context *c = NULL;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    const eb_model_info *info = eb_model_get_info(m);
    cr_assert_eq(info->input_bytes, 490);
    cr_assert_eq(info->out_size, 12);
    for (int i = 0; i < N_IN; i++) {
        memcpy(eb_context_input(c), in[i], 490);
        eb_context_run(c);
        memcpy(out[i], eb_context_output(c), 12);
        int best = 0;
        for (int k = 1; k < 12; k++)
            if (out[i][k] > out[i][best])
                best = k;
        pred[i] = best;
    }
    eb_context_free(c);
    eb_model_free(m);
}

static const char *const words[12] = {"Down", "Go", "Left", "No", "Off", "On",
                                      "Right", "Stop", "Up", "Yes", "Silence", "Unknown"};

typedef struct {
    char dir[64];
    int8_t in[N_IN][490];
    int8_t out[N_IN][12];
    int pred[N_IN], label[N_IN];
    char name[N_IN][64];
    uint64_t confusion[12][12];
    int correct;
} dataset;

/* The dataset: odd inputs labelled with the model's own prediction, even ones with the
 * next class, in files named as MLPerf Tiny names them (<n>_<Word>_<class>.bin). */
static void make_dataset(dataset *d)
{
    memset(d, 0, sizeof *d);
    eb_test_tmpdir(d->dir, sizeof d->dir);
    cr_assert(d->dir[0]);
    for (int i = 0; i < N_IN; i++)
        gen_input(i, d->in[i], 490);
    predict(d->in, d->out, d->pred);
    char csv[N_IN * 80] = "";
    size_t at = 0;
    for (int i = 0; i < N_IN; i++) {
        d->label[i] = i % 2 ? d->pred[i] : i % 12; /* spread over the classes */
        snprintf(d->name[i], sizeof d->name[i], "tst_%06d_%s_%d.bin", i, words[d->label[i]],
                 d->label[i]);
        char p[160];
        snprintf(p, sizeof p, "%s/%s", d->dir, d->name[i]);
        write_bytes(p, d->in[i], 490);
        at += (size_t)snprintf(csv + at, sizeof csv - at, "%s,12,%d%s", d->name[i], d->label[i],
                               i % 5 == 4 ? "\r\n" : "\n"); /* CRLF on some lines */
        d->confusion[d->label[i]][d->pred[i]]++;
        d->correct += d->label[i] == d->pred[i];
    }
    char p[160];
    snprintf(p, sizeof p, "%s/y_labels.csv", d->dir);
    write_text(p, csv);
}

static cJSON *load_json(const char *path)
{
    char buf[1 << 20];
    size_t n = read_bytes(path, buf, sizeof buf - 1);
    cr_assert_gt(n, 0, "cannot read %s", path);
    buf[n] = 0;
    cJSON *j = cJSON_Parse(buf);
    cr_assert_not_null(j, "%s is not JSON", path);
    return j;
}

/* ---- y_labels.csv ---- */

static eb_status parse(const char *text, eb_labels *l, char *err, size_t cap)
{
    return eb_labels_parse(text, strlen(text), "y.csv", l, err, cap);
}

Test(labels, the_mlperf_tiny_form_with_crlf_blank_lines_and_spaces)
{
    eb_labels l;
    char err[512] = "";
    cr_assert_eq(parse("a_0001_Stop_2.bin,3,2\r\n\n  b_0002_Go_0.bin , 3 , 0 \nc.bin,3,1", &l, err,
                       sizeof err), EB_OK, "%s", err);
    cr_assert_eq(l.n, 3);
    cr_assert_eq(l.classes, 3);
    cr_assert_str_eq(l.rows[1].file, "b_0002_Go_0.bin");
    cr_assert_eq(l.rows[1].label, 0);
    cr_assert_eq(l.rows[2].label, 1);
    cr_assert_not_null(l.names);
    cr_assert_str_eq(l.names[0], "Go");
    cr_assert_str_eq(l.names[1], "", "c.bin gives no name");
    cr_assert_str_eq(l.names[2], "Stop");
    eb_labels_free(&l);
    /* two files of one class with different words: no name */
    cr_assert_eq(parse("x_Up_1.bin,2,1\ny_Down_1.bin,2,1\n", &l, err, sizeof err), EB_OK);
    cr_assert_str_eq(l.names[1], "");
    eb_labels_free(&l);
}

Test(labels, bad_files_are_refused_with_the_line)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"", "lists no inputs"},
        {"\n\r\n  \n", "lists no inputs"},
        {"a.bin,12,7,490,10\n", "line 1 has 5 fields (the anomaly-detection form"},
        {"a.bin,12\n", "line 1 ('a.bin,12') has 2 fields"},
        {"a.bin,1,0\nb.bin,1,0,3,4,5,6,7\n", "line 2 ('b.bin,1,0,3,4,5,6,7') has more than 6"},
        {"../etc/passwd,2,1\n", "line 1 has a path"},
        {"sub/a.bin,2,1\n", "line 1 has a path"},
        {"..,2,1\n", "'.' or '..'"},
        {",2,1\n", "an empty file name"},
        {"a\x01.bin,2,1\n", "outside printable ASCII"},
        {"a.bin,0,0\n", "the number of classes '0' is not an integer from 1 to 256"},
        {"a.bin,257,0\n", "from 1 to 256"},
        {"a.bin,x,0\n", "the number of classes 'x'"},
        {"a.bin,3,3\n", "the true class '3' is not an integer from 0 to 2"},
        {"a.bin,3,-1\n", "the true class '-1'"},
        {"a.bin,3,1\nb.bin,4,1\n", "line 2 says 4 classes, earlier lines 3"},
        {"a.bin,3,1\nb.bin,3,2\na.bin,3,0\n", "lists 'a.bin' twice"},
        {"file,classes,label\n", "the number of classes 'classes'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        eb_labels l;
        char err[512] = "";
        cr_assert_neq(parse(bad[i].text, &l, err, sizeof err), EB_OK, "case %zu accepted", i);
        cr_assert(strstr(err, bad[i].want), "case %zu: '%s' lacks '%s'", i, err, bad[i].want);
        cr_assert_null(strchr(err, '\n'), "case %zu: one line: %s", i, err);
        cr_assert_null(l.rows);
    }
    /* a NUL inside a line */
    eb_labels l;
    char err[256];
    cr_assert_neq(eb_labels_parse("a\0b,2,1\n", 8, "y.csv", &l, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "NUL"), "%s", err);
}

Test(labels, the_input_bound_holds)
{
    /* EB_DATASET_MAX_FILES + 1 short lines */
    size_t cap = (EB_DATASET_MAX_FILES + 1) * 16;
    char *t = malloc(cap);
    size_t at = 0;
    for (int i = 0; i <= EB_DATASET_MAX_FILES; i++)
        at += (size_t)snprintf(t + at, cap - at, "%d,2,1\n", i);
    eb_labels l;
    char err[256] = "";
    cr_assert_neq(eb_labels_parse(t, at, "y.csv", &l, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "lists more than 100000 inputs"), "%s", err);
    /* exactly the bound is fine */
    at = 0;
    for (int i = 0; i < EB_DATASET_MAX_FILES; i++)
        at += (size_t)snprintf(t + at, cap - at, "%d,2,1\n", i);
    cr_assert_eq(eb_labels_parse(t, at, "y.csv", &l, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(l.n, EB_DATASET_MAX_FILES);
    eb_labels_free(&l);
    free(t);
}

Test(labels, load_checks_the_files_it_names)
{
    char dir[64], p[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/y_labels.csv", dir);
    write_text(p, "a.bin,2,1\nfifo.bin,2,0\n");
    snprintf(p, sizeof p, "%s/a.bin", dir);
    write_text(p, "x");
    eb_labels l;
    char err[512] = "";
    cr_assert_neq(eb_labels_load(dir, &l, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "names a missing input") && strstr(err, "fifo.bin"), "%s", err);
    snprintf(p, sizeof p, "%s/fifo.bin", dir);
    cr_assert_eq(mkfifo(p, 0600), 0);
    cr_assert_neq(eb_labels_load(dir, &l, err, sizeof err), EB_OK, "a FIFO is not an input");
    cr_assert(strstr(err, "is not a regular file"), "%s", err);
    snprintf(p, sizeof p, "%s/nothing", dir);
    cr_assert_neq(eb_labels_load(p, &l, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "is not a folder"), "%s", err);
    rmdir_test(dir);
}

/* ---- run --dataset ---- */

Test(dataset, run_reports_accuracy_per_class_and_the_confusion_matrix, .timeout = 300)
{
    static dataset d;
    make_dataset(&d);
    char out[128], saved[128];
    snprintf(out, sizeof out, "%s/r.json", d.dir);
    snprintf(saved, sizeof saved, "%s/outputs", d.dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--dataset", d.dir,
                                   "--save-outputs", saved, "--min-iterations", "3",
                                   "--repetitions", "1", "--warmup", "1", "--warmup-time", "0",
                                   "--min-time", "0", "--out", out, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    char want[160];
    snprintf(want, sizeof want, "top-1 %.1f %% (%d of %d inputs, 12 classes) on %s",
             100.0 * d.correct / N_IN, d.correct, N_IN, d.dir);
    cr_assert(strstr(c.out, want), "summary lacks '%s':\n%s", want, c.out);
    cr_assert(strstr(c.out, "per class (correct/inputs): 0 Down "), "%s", c.out);
    eb_test_cmd_free(&c);

    /* the report validates (eb_report_read) and holds the matrix cell by cell */
    eb_report r;
    char err[1024];
    cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
    const eb_report_accuracy *a = r.results[0].accuracy;
    cr_assert_not_null(a);
    cr_assert_eq(a->classes, 12);
    cr_assert_eq(a->inputs, N_IN);
    cr_assert_eq(a->correct, (uint64_t)d.correct);
    for (int t = 0; t < 12; t++) {
        for (int p = 0; p < 12; p++)
            cr_assert_eq(a->confusion[t * 12 + p], d.confusion[t][p], "cell %d,%d", t, p);
    }
    eb_report_free(&r);
    cJSON *j = load_json(out);
    const cJSON *ac = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 0),
                                          "accuracy");
    cr_assert(fabs(cJSON_GetObjectItem(ac, "top1")->valuedouble - (double)d.correct / N_IN) < 1e-12);
    const cJSON *pc = cJSON_GetObjectItem(ac, "per_class");
    cr_assert_eq(cJSON_GetArraySize(pc), 12);
    for (int t = 0; t < 12; t++) {
        const cJSON *e = cJSON_GetArrayItem(pc, t);
        uint64_t n = 0;
        for (int p = 0; p < 12; p++)
            n += d.confusion[t][p];
        cr_assert_eq((uint64_t)cJSON_GetObjectItem(e, "inputs")->valuedouble, n);
        cr_assert_eq((uint64_t)cJSON_GetObjectItem(e, "correct")->valuedouble, d.confusion[t][t]);
        const cJSON *acc = cJSON_GetObjectItem(e, "accuracy");
        if (n)
            cr_assert(fabs(acc->valuedouble - (double)d.confusion[t][t] / (double)n) < 1e-12);
        else
            cr_assert(cJSON_IsNull(acc), "a class without inputs has no accuracy");
        /* a class is named when it has inputs (all named by one word) */
        cr_assert_str_eq(cJSON_GetObjectItem(e, "name")->valuestring, n ? words[t] : "");
    }
    cJSON_Delete(j);

    /* each saved output is the model's output on that input, as a .npy */
    for (int i = 0; i < N_IN; i++) {
        char p[256], stem[64];
        snprintf(stem, sizeof stem, "%.*s", (int)(strlen(d.name[i]) - 4), d.name[i]);
        snprintf(p, sizeof p, "%s/%s.npy", saved, stem);
        unsigned char b[256];
        size_t n = read_bytes(p, b, sizeof b);
        cr_assert_eq(n, 128 + 12, "%s: %zu bytes (a 128-byte header and 12 int8)", p, n);
        cr_assert_eq(memcmp(b, "\x93NUMPY\x01\x00", 8), 0);
        cr_assert(strstr((char *)b + 10, "'descr': '|i1'") && strstr((char *)b + 10, "(1, 12)"));
        cr_assert_eq(b[127], '\n');
        cr_assert_eq(memcmp(b + 128, d.out[i], 12), 0, "output of %s", d.name[i]);
    }
    rmdir_test(d.dir);
}

/* numpy reads the saved outputs as the model's type and shape */
Test(dataset, saved_outputs_load_in_numpy, .timeout = 300)
{
    if (system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-numpy is missing: .npy outputs are not read back with numpy");
    char dir[64], in[128], saved[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(in, sizeof in, "%s/in.bin", dir);
    snprintf(saved, sizeof saved, "%s/o", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    float x[640];
    for (int i = 0; i < 640; i++)
        x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    write_bytes(in, x, sizeof x);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", "fc_autoencoder_fp32", "--input",
                                   in, "--save-outputs", saved, "--min-iterations", "2",
                                   "--repetitions", "1", FAST, "--out", out, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    eb_test_cmd_free(&c);
    /* the same model in this process */
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    char err[256];
    cr_assert_eq(eb_model_build("fc_autoencoder_fp32", &mo, &m, err, sizeof err), EB_OK);
    eb_context *ctx;
    cr_assert_eq(eb_context_create(m, &ctx), EB_OK);
    memcpy(eb_context_input(ctx), x, sizeof x);
    eb_context_run(ctx);
    char ref[128];
    snprintf(ref, sizeof ref, "%s/ref.f32", dir);
    write_bytes(ref, eb_context_output(ctx), 640 * 4);
    eb_context_free(ctx);
    eb_model_free(m);
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load('%s/in.npy'); "
             "r = np.fromfile('%s', dtype='<f4'); "
             "sys.exit(0 if a.dtype == np.float32 and a.shape == (1, 640) and "
             "(a.reshape(-1) == r).all() else 1)\"", saved, ref);
    cr_assert_eq(system(cmd), 0, "numpy does not read %s/in.npy as the model's output", saved);
    rmdir_test(dir);
}

Test(dataset, bad_datasets_exit_2_and_write_nothing, .timeout = 300)
{
    char dir[64], p[160], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    int8_t x[490];
    gen_input(0, x, sizeof x);
    snprintf(p, sizeof p, "%s/a.bin", dir);
    write_bytes(p, x, sizeof x);
    snprintf(p, sizeof p, "%s/short.bin", dir);
    write_bytes(p, x, 100);
    static const struct {
        const char *csv, *model, *want;
    } cases[] = {
        {NULL, MODEL, "has no readable y_labels.csv"},
        {"a.bin,10,1\n", MODEL, "has 10 classes but model 'ds_cnn_int8' has 12 outputs"},
        {"a.bin,12,1\nmissing.bin,12,2\n", MODEL, "names a missing input"},
        {"a.bin,12,1\nshort.bin,12,2\n", MODEL, "short.bin is 100 bytes; model 'ds_cnn_int8' "
                                                "takes 490 bytes"},
        {"a.bin,12,1,490,245\n", MODEL, "the anomaly-detection form"},
        {"a.bin,640,1\n", "fc_autoencoder_int8", "is not an integer from 1 to 256"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(p, sizeof p, "%s/y_labels.csv", dir);
        unlink(p);
        if (cases[i].csv)
            write_text(p, cases[i].csv);
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", cases[i].model, "--dataset",
                                       dir, "--min-iterations", "2", "--repetitions", "1", FAST,
                                       "--out", out, NULL);
        cr_assert_eq(c.rc, 2, "case %zu: rc %d: %s", i, c.rc, c.err);
        cr_assert(strstr(c.err, cases[i].want), "case %zu: '%s' lacks '%s'", i, c.err,
                  cases[i].want);
        cr_assert(!exists(out), "case %zu wrote a report", i);
        eb_test_cmd_free(&c);
    }
    /* not a folder; remote targets */
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--dataset", out, FAST,
                                   NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "is not a readable folder"), "%s", c.err);
    eb_test_cmd_free(&c);
    c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--target", "rpi4", "--dataset", dir,
                    FAST, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "--dataset runs on local targets only"), "%s", c.err);
    eb_test_cmd_free(&c);
    rmdir_test(dir);
}

/* ---- run --input DIR ---- */

Test(dataset, input_folder_is_cycled_and_each_output_saved, .timeout = 300)
{
    static dataset d;
    make_dataset(&d); /* its y_labels.csv is skipped by --input */
    char od[64], out[128], saved[128];
    eb_test_tmpdir(od, sizeof od);
    snprintf(out, sizeof out, "%s/r.json", od);
    snprintf(saved, sizeof saved, "%s/o", d.dir); /* a folder inside is skipped too */
    for (int offline = 0; offline < 2; offline++) {
        eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--input", d.dir,
                                       "--save-outputs", saved, "--min-iterations",
                                       offline ? "7" : "50", "--repetitions", "1", FAST,
                                       offline ? "--streams" : "--threads", "2", "--out", out,
                                       "--force", NULL);
        cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
        eb_test_cmd_free(&c);
        eb_report r;
        char err[1024], want[128];
        cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
        snprintf(want, sizeof want, "%s (%d files, cycled)", d.dir, N_IN);
        cr_assert_str_eq(r.results[0].input, want);
        cr_assert_null(r.results[0].accuracy, "--input gives no accuracy");
        eb_report_free(&r);
        for (int i = 0; i < N_IN; i++) {
            char p[256];
            snprintf(p, sizeof p, "%s/%.*s.npy", saved, (int)(strlen(d.name[i]) - 4), d.name[i]);
            unsigned char b[256];
            cr_assert_eq(read_bytes(p, b, sizeof b), 140, "%s", p);
            cr_assert_eq(memcmp(b + 128, d.out[i], 12), 0, "output of %s", d.name[i]);
            unlink(p);
        }
    }
    /* two inputs that would write one output file (x.bin and x.raw) */
    char p[160];
    snprintf(p, sizeof p, "%s/tst_000001_%s_%d.raw", d.dir, words[d.label[1]], d.label[1]);
    write_bytes(p, d.in[1], 490);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--input", d.dir,
                                   "--save-outputs", saved, FAST, "--out", out, "--force", NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "would both write"), "%s", c.err);
    eb_test_cmd_free(&c);
    rmdir_test(d.dir);
    rmdir_test(od);
}

Test(dataset, input_folder_errors)
{
    char dir[64], out[128], p[160];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--input", dir, FAST,
                                   "--out", out, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "holds no input files"), "%s", c.err);
    eb_test_cmd_free(&c);
    snprintf(p, sizeof p, "%s/a.bin", dir);
    write_text(p, "too short");
    c = eb_test_cmd(eb_cmd_run, "run", "--model", MODEL, "--input", dir, FAST, "--out", out, NULL);
    cr_assert_eq(c.rc, 2);
    cr_assert(strstr(c.err, "a.bin is 9 bytes; model 'ds_cnn_int8' takes 490 bytes"), "%s",
              c.err);
    cr_assert(!exists(out));
    eb_test_cmd_free(&c);
    rmdir_test(dir);
}

/* ---- kws01_dev: run --dataset against Arm NN ---- */

static void shared_dir(char *buf, size_t len, const char *sub)
{
    const char *shared = getenv("EB_SHARED_DIR");
    snprintf(buf, len, "%s/%s", shared && *shared ? shared : EB_SOURCE_DIR "/../shared", sub);
}

/* The accuracy `run --dataset` reports on the 200 kws01_dev inputs, and every saved
 * output's predicted class, against Arm NN's CpuRef on the same files. */
Test(dataset, kws01_dev_accuracy_agrees_with_armnn, .timeout = 900)
{
    char model[600], data[600], labels[700];
    shared_dir(model, sizeof model, "models/mlperf_tiny/kws_ref_model.tflite");
    shared_dir(data, sizeof data, "datasets/kws01_dev");
    snprintf(labels, sizeof labels, "%s/y_labels.csv", data);
    if (access(model, R_OK) != 0 || access(labels, R_OK) != 0)
        cr_skip_test("%s or %s is absent (a clone without ../shared; EB_SHARED_DIR overrides): "
                     "kws01_dev accuracy is not measured", model, labels);
    if (system("/usr/bin/python3 -c 'import pyarmnn, numpy, flatbuffers' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-pyarmnn, python3-numpy or python3-flatbuffers is missing: "
                     "kws01_dev is not compared with Arm NN");
    char dir[64], out[128], saved[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(saved, sizeof saved, "%s/o", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model", model, "--dataset", data,
                                   "--save-outputs", saved, "--min-iterations", "5",
                                   "--repetitions", "1", FAST, "--out", out, NULL);
    cr_assert_eq(c.rc, 0, "rc %d: %s", c.rc, c.err);
    eb_test_cmd_free(&c);
    eb_labels l;
    char err[1024];
    cr_assert_eq(eb_labels_load(data, &l, err, sizeof err), EB_OK, "%s", err);
    /* Arm NN CpuRef, and TFLite's integer arithmetic in Python (tests/tflite_int8_ref.py,
     * independent of the C) */
    static const char *const oracle[2][2] = {{"armnn_oracle.py", "armnn"},
                                             {"tflite_int8_ref.py", "ref"}};
    for (int o = 0; o < 2; o++) {
        size_t cap = l.n * 2048 + 256, cl;
        char *cmd = malloc(cap);
        cl = (size_t)snprintf(cmd, cap, "/usr/bin/python3 %s/tests/%s", EB_SOURCE_DIR,
                              oracle[o][0]);
        for (size_t i = 0; i < l.n; i++)
            cl += (size_t)snprintf(cmd + cl, cap - cl, " %s %s/%s %s/%zu.%s", model, data,
                                   l.rows[i].file, dir, i, oracle[o][1]);
        snprintf(cmd + cl, cap - cl, " 2>/dev/null");
        cr_assert_eq(system(cmd), 0, "%s failed", oracle[o][0]);
        free(cmd);
    }
    size_t armnn_correct = 0, same_class = 0, exact = 0;
    uint64_t ref_conf[12][12] = {{0}};
    for (size_t i = 0; i < l.n; i++) {
        char p[900];
        int8_t a[12], ref[12];
        unsigned char b[256];
        snprintf(p, sizeof p, "%s/%zu.armnn", dir, i);
        cr_assert_eq(read_bytes(p, a, sizeof a), 12, "%s", p);
        snprintf(p, sizeof p, "%s/%zu.ref", dir, i);
        cr_assert_eq(read_bytes(p, ref, sizeof ref), 12, "%s", p);
        char stem[300];
        snprintf(stem, sizeof stem, "%s", l.rows[i].file);
        *strrchr(stem, '.') = 0;
        snprintf(p, sizeof p, "%s/%s.npy", saved, stem);
        cr_assert_eq(read_bytes(p, b, sizeof b), 140, "%s", p);
        int pa = 0, pe = 0, pr = 0;
        for (int k = 1; k < 12; k++) {
            pa = a[k] > a[pa] ? k : pa;
            pe = (int8_t)b[128 + k] > (int8_t)b[128 + pe] ? k : pe;
            pr = ref[k] > ref[pr] ? k : pr;
        }
        armnn_correct += pa == l.rows[i].label;
        same_class += pa == pe;
        exact += !memcmp(b + 128, ref, 12);
        ref_conf[l.rows[i].label][pr]++;
        if (pa != pe) /* Arm NN computes the quantized layers in float: a step or two */
            cr_log_info("%s: edgebench class %d (%d; class %d at %d), Arm NN class %d (%d; "
                        "class %d at %d)", l.rows[i].file, pe, (int8_t)b[128 + pe], pa,
                        (int8_t)b[128 + pa], pa, a[pa], pe, a[pe]);
    }
    eb_report r;
    cr_assert_eq(eb_report_read(out, &r, err, sizeof err), EB_OK, "%s", err);
    const eb_report_accuracy *ac = r.results[0].accuracy;
    cr_assert_not_null(ac);
    cr_assert_eq(ac->inputs, l.n);
    cr_log_info("kws01_dev: edgebench top-1 %.1f %%, Arm NN %.1f %%, same class on %zu of %zu "
                "inputs", 100.0 * (double)ac->correct / (double)ac->inputs,
                100.0 * (double)armnn_correct / (double)l.n, same_class, l.n);
    cr_assert_eq(ac->correct, armnn_correct, "edgebench %llu correct, Arm NN %zu",
                 (unsigned long long)ac->correct, armnn_correct);
    /* Arm NN's float arithmetic moves a class near the top on 2 of the 200 (both swaps
     * keep the accuracy): at most 2 % */
    cr_assert_geq(same_class, l.n - l.n / 50, "the predicted class differs from Arm NN's on "
                  "%zu inputs", l.n - same_class);
    /* TFLite's integer arithmetic: every saved output, and so the whole matrix, exactly */
    cr_assert_eq(exact, l.n, "%zu saved outputs differ from TFLite's integer reference",
                 l.n - exact);
    for (int t = 0; t < 12; t++)
        for (int p = 0; p < 12; p++)
            cr_assert_eq(ac->confusion[t * 12 + p], ref_conf[t][p], "cell %d,%d", t, p);
    eb_report_free(&r);
    eb_labels_free(&l);
    rmdir_test(dir);
}

/* ---- the report block and its plot ---- */

/* A report with an accuracy block whose strings are hostile: it validates, reads back,
 * refuses an inconsistent matrix, and its plot script holds them only as quoted literals. */
Test(dataset, accuracy_block_round_trip_and_plot_escapes_names)
{
    char dir[64];
    eb_test_tmpdir(dir, sizeof dir);
    eb_report rep;
    eb_report_init(&rep);
    snprintf(rep.created_utc, sizeof rep.created_utc, "2026-12-02T01:00:00Z");
    snprintf(rep.edgebench.version, sizeof rep.edgebench.version, "0.1");
    snprintf(rep.edgebench.git, sizeof rep.edgebench.git, "abc");
    snprintf(rep.edgebench.build_type, sizeof rep.edgebench.build_type, "Release");
    snprintf(rep.edgebench.compiler, sizeof rep.edgebench.compiler, "gcc");
    snprintf(rep.edgebench.cflags, sizeof rep.edgebench.cflags, "-O2");
    snprintf(rep.environment.governor, sizeof rep.environment.governor, "performance");
    snprintf(rep.environment.os_kernel, sizeof rep.environment.os_kernel, "Linux");
    snprintf(rep.environment.hostname, sizeof rep.environment.hostname, "h");
    snprintf(rep.target.power_model.source, sizeof rep.target.power_model.source, "test");
    rep.target.power_model.active_w = 1;
    snprintf(rep.target.name, sizeof rep.target.name, "host");
    snprintf(rep.target.arch, sizeof rep.target.arch, "x86_64");
    snprintf(rep.target.transport, sizeof rep.target.transport, "local");
    snprintf(rep.environment.kernel_set, sizeof rep.environment.kernel_set, "auto");
    snprintf(rep.settings.kernels, sizeof rep.settings.kernels, "auto");
    snprintf(rep.settings.scenario, sizeof rep.settings.scenario, "single-stream");
    rep.settings.repetitions = 1;
    rep.settings.min_iterations = 1;
    rep.settings.max_iterations = 10;
    rep.settings.min_time_s = 0;
    rep.settings.warmup = 1;
    rep.results = calloc(1, sizeof *rep.results);
    rep.n_results = 1;
    eb_report_result *res = &rep.results[0];
    eb_report_result_init(res);
    snprintf(res->model, sizeof res->model, "m");
    snprintf(res->variant, sizeof res->variant, "int8");
    snprintf(res->name, sizeof res->name, "m_int8");
    snprintf(res->scenario, sizeof res->scenario, "single-stream");
    snprintf(res->energy.method, sizeof res->energy.method, "estimated");
    snprintf(res->energy.detail, sizeof res->energy.detail, "test");
    res->energy.joules_per_inference = 1e-3;
    res->energy.average_power_w = 1;
    double ms[3] = {1, 1.1, 1.2};
    res->samples_ms = malloc(sizeof ms);
    memcpy(res->samples_ms, ms, sizeof ms);
    res->n_samples = 3;
    res->repetition_medians_ms = malloc(sizeof(double));
    res->repetition_medians_ms[0] = 1.1;
    res->n_repetitions = 1;
    cr_assert_eq(eb_stats_compute(ms, 3, &res->latency), 0);
    res->throughput_ips = 900;
    eb_report_accuracy *a = eb_report_accuracy_new(3);
    cr_assert_not_null(a);
    char marker[128];
    snprintf(marker, sizeof marker, "%s/pwned", dir);
    snprintf(a->dataset, sizeof a->dataset, "d\nsystem \"touch %s\"", marker);
    snprintf(a->names[0], sizeof a->names[0], "a'b`touch %.8s`", "/tmp/x");
    snprintf(a->names[1], sizeof a->names[1], "x\nsystem 'id'");
    const uint64_t cm[9] = {5, 1, 0, 0, 3, 2, 1, 0, 4};
    memcpy(a->confusion, cm, sizeof cm);
    a->inputs = 16;
    a->correct = 12;
    res->accuracy = a;
    char *text = NULL, err[1024] = "";
    cr_assert_eq(eb_report_render(&rep, &text, err, sizeof err), EB_OK, "%s", err);
    eb_report back;
    cr_assert_eq(eb_report_read_text(text, "mem", &back, err, sizeof err), EB_OK, "%s", err);
    cr_assert_not_null(back.results[0].accuracy);
    cr_assert_eq(back.results[0].accuracy->correct, 12);
    cr_assert_eq(memcmp(back.results[0].accuracy->confusion, cm, sizeof cm), 0);
    cr_assert_str_eq(back.results[0].accuracy->names[1], "x\nsystem 'id'");

    /* inconsistent counts are refused */
    cJSON *tree = cJSON_Parse(text);
    cJSON *ja = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(tree, "results"), 0),
                                    "accuracy");
    cJSON_SetNumberValue(cJSON_GetObjectItem(ja, "correct"), 13);
    char *bad = cJSON_Print(tree);
    cJSON_Delete(tree);
    eb_report worse;
    cr_assert_neq(eb_report_read_text(bad, "mem", &worse, err, sizeof err), EB_OK);
    cr_assert(strstr(err, "results[0].accuracy") && strstr(err, "do not agree"), "%s", err);
    free(bad);

    /* the plot: hostile names reach the script only inside single quotes */
    char pd[128];
    snprintf(pd, sizeof pd, "%s/plots", dir);
    eb_plot_list list;
    cr_assert_eq(eb_plot_write(&back, 1, pd, EB_PLOT_PNG, &list, err, sizeof err), EB_OK, "%s",
                 err);
    bool found = false;
    for (size_t i = 0; i < list.n; i++) {
        if (strncmp(list.items[i].script, "confusion_", 10))
            continue;
        found = true;
        char p[600], line[8192];
        snprintf(p, sizeof p, "%s/%s", pd, list.items[i].script);
        FILE *f = fopen(p, "r");
        cr_assert_not_null(f);
        bool tics = false;
        while (fgets(line, sizeof line, f)) {
            static const char *const starts[] = {"# ", "set ", "unset ", "plot ", "     "};
            bool ok = false;
            for (size_t k = 0; k < 5; k++)
                ok = ok || !strncmp(line, starts[k], strlen(starts[k]));
            cr_assert(ok, "a line edgebench did not write: %s", line);
            bool quoted = false;
            for (const char *ch = line; *ch; ch++) {
                if (*ch == '\'')
                    quoted = !quoted;
                cr_assert(quoted || *ch != '`', "a backquote gnuplot would run: %s", line);
            }
            tics = tics || strstr(line, "'0 a''b`touch /tmp/x`' 0") != NULL;
        }
        fclose(f);
        cr_assert(tics, "the class names are tics");
    }
    cr_assert(found, "no confusion plot");
    if (system("gnuplot --version >/dev/null 2>&1") == 0)
        cr_assert_eq(eb_plot_render(pd, &list, err, sizeof err), EB_OK, "%s", err);
    cr_assert(!exists(marker), "a name ran a command");
    eb_plot_list_free(&list);
    eb_report_free(&back);
    free(text);
    eb_report_free(&rep);
    rmdir_test(dir);
}
