/* test_ebm.c - the .ebm model file: bit-identical round trip, and clean errors for
 * truncated, bit-flipped, mutated and oversized files (run under ASan in the suite). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "eb_model.h"
#include "eb_model_internal.h"

static eb_model *build(const char *name)
{
    eb_model *m = NULL;
    char err[512] = "";
    eb_model_options o = {EB_KSET_AUTO, NULL};
    cr_assert_eq(eb_model_build(name, &o, &m, err, sizeof err), EB_OK, "%s: %s", name, err);
    return m;
}

static void *outputs(const eb_model *m, int n)
{
    const eb_model_info *info = eb_model_get_info(m);
    uint8_t *out = malloc(info->output_bytes * (size_t)n);
    eb_context *c;
    cr_assert_eq(eb_context_create(m, &c), EB_OK);
    for (int i = 0; i < n; i++) {
        eb_context_fill_input(c, (uint32_t)i);
        eb_context_run(c);
        memcpy(out + info->output_bytes * (size_t)i, eb_context_output(c), info->output_bytes);
    }
    eb_context_free(c);
    return out;
}

static void tmp_path(char *buf, size_t n, const char *tag)
{
    snprintf(buf, n, "/tmp/eb_test_%d_%s.ebm", (int)getpid(), tag);
}

Test(ebm, round_trip_is_bit_identical)
{
    const char *names[] = {"ds_cnn_int8_p75", "resnet8_fp32", "vww_mobilenet_v1_025_int8_c50",
                           "fc_autoencoder_fp32_p50", "resnet8_int8", "mobilenet_v2_int8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        eb_model *m = build(names[i]);
        char path[256], err[512] = "";
        tmp_path(path, sizeof path, "rt");
        cr_assert_eq(eb_model_export(m, path, err, sizeof err), EB_OK, "%s", err);
        eb_model *l;
        eb_model_options o = {EB_KSET_AUTO, NULL};
        cr_assert_eq(eb_model_build(path, &o, &l, err, sizeof err), EB_OK, "%s", err);
        const eb_model_info *a = eb_model_get_info(m), *b = eb_model_get_info(l);
        cr_expect_str_eq(b->name, a->name);
        cr_expect_str_eq(b->arch, a->arch);
        cr_expect(a->macs == b->macs && a->params == b->params &&
                  a->weights_bytes == b->weights_bytes && a->arena_bytes == b->arena_bytes &&
                  a->in_scale == b->in_scale && a->out_zp == b->out_zp);
        int n = a->macs > 100000000 ? 1 : 3;
        void *oa = outputs(m, n), *ob = outputs(l, n);
        cr_expect(memcmp(oa, ob, a->output_bytes * (size_t)n) == 0, "%s: outputs differ",
                  names[i]);
        /* and a re-export of the loaded model is the same file */
        uint8_t *fa, *fb;
        size_t la, lb;
        cr_assert_eq(eb_ebm_serialize(m->g, &fa, &la), EB_OK);
        cr_assert_eq(eb_ebm_serialize(l->g, &fb, &lb), EB_OK);
        cr_expect(la == lb && !memcmp(fa, fb, la), "%s: re-export differs", names[i]);
        free(fa);
        free(fb);
        free(oa);
        free(ob);
        eb_model_free(l);
        eb_model_free(m);
        unlink(path);
    }
}

static uint8_t *serialize(const char *name, size_t *len)
{
    eb_model *m = build(name);
    uint8_t *buf;
    cr_assert_eq(eb_ebm_serialize(m->g, &buf, len), EB_OK);
    eb_model_free(m);
    return buf;
}

/* A parse that fails must say so in one sentence and leave nothing behind. */
static eb_status parse(const uint8_t *b, size_t len, char *err, size_t errlen)
{
    eb_graph *g = (eb_graph *)0x1;
    err[0] = 0;
    eb_status st = eb_ebm_parse(b, len, &g, err, errlen);
    if (st != EB_OK) {
        cr_assert_null(g);
        cr_assert(err[0] != 0, "failure without a message");
        return st;
    }
    eb_graph_free(g);
    return st;
}

Test(ebm, truncated_files_are_rejected)
{
    size_t len;
    uint8_t *buf = serialize("ds_cnn_int8_p75", &len);
    char err[512];
    for (size_t n = 0; n < len; n += (n < 1200 ? 1 : 211)) {
        uint8_t *cut = malloc(n ? n : 1); /* exact size, so ASan sees any over-read */
        memcpy(cut, buf, n);
        cr_assert_eq(parse(cut, n, err, sizeof err), EB_ERR_FORMAT, "length %zu", n);
        free(cut);
    }
    cr_assert_eq(parse(buf, len, err, sizeof err), EB_OK, "%s", err);
    free(buf);
}

Test(ebm, bit_flips_are_caught_by_the_crc)
{
    size_t len;
    uint8_t *buf = serialize("resnet8_int8_p50", &len);
    char err[512];
    for (size_t i = 0; i < len; i += (i < 4096 ? 1 : 97)) {
        int bit = (int)(i * 7 % 8);
        buf[i] ^= (uint8_t)(1u << bit);
        cr_assert_eq(parse(buf, len, err, sizeof err), EB_ERR_FORMAT, "byte %zu", i);
        buf[i] ^= (uint8_t)(1u << bit);
    }
    free(buf);
}

/* Mutations with a recomputed CRC reach the structural checks: every one must either be
 * refused cleanly or give a model that passes validation and runs (ASan watches). */
Test(ebm, mutated_files_with_valid_crc_fail_cleanly_or_run)
{
    const char *names[] = {"ds_cnn_int8_p75", "fc_autoencoder_fp32_p90"};
    for (int k = 0; k < 2; k++) {
        size_t len;
        uint8_t *buf = serialize(names[k], &len);
        /* structural part only: header, tensor and op records */
        uint32_t nt = buf[28] | buf[29] << 8, nops = buf[32] | buf[33] << 8;
        size_t structural = 288 + nt * 32 + nops * 176;
        uint8_t *mut = malloc(len);
        char err[512];
        int refused = 0, ran = 0;
        const uint8_t values[] = {0x00, 0xff, 0x01, 0x7f, 0x80, 0x02, 0x10};
        for (size_t i = 0; i < structural; i += 1) {
            uint8_t v = values[i % sizeof values];
            memcpy(mut, buf, len);
            if (mut[i] == v)
                continue;
            mut[i] = v;
            uint32_t crc = eb_ebm_crc32(mut, len - 4);
            for (int b = 0; b < 4; b++)
                mut[len - 4 + b] = (uint8_t)(crc >> (8 * b));
            eb_graph *g = NULL;
            eb_status st = eb_ebm_parse(mut, len, &g, err, sizeof err);
            if (st != EB_OK) {
                cr_assert(err[0], "byte %zu: no message", i);
                refused++;
                continue;
            }
            eb_model *m;
            st = eb_model_from_graph(g, EB_KSET_AUTO, &m, err, sizeof err);
            if (st != EB_OK) {
                refused++;
                continue;
            }
            eb_context *c;
            cr_assert_eq(eb_context_create(m, &c), EB_OK);
            eb_context_fill_input(c, 0);
            eb_context_run(c);
            eb_context_free(c);
            eb_model_free(m);
            ran++;
        }
        cr_expect(refused > 100, "%s: only %d mutations refused", names[k], refused);
        cr_expect(ran > 0, "%s: no harmless mutation (names, scales) loaded", names[k]);
        free(mut);
        free(buf);
    }
}

Test(ebm, oversized_and_inflated_files_are_rejected)
{
    size_t len;
    uint8_t *buf = serialize("fc_autoencoder_int8", &len);
    char err[512];
    /* trailing garbage */
    uint8_t *big = calloc(1, len + 64);
    memcpy(big, buf, len);
    cr_expect_eq(parse(big, len + 64, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "bytes") != NULL, "%s", err);
    free(big);
    /* a header claiming huge counts (CRC fixed so the counts are what gets checked) */
    uint8_t *m = malloc(len);
    const size_t fields[] = {28, 32, 48, 56, 64, 72};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        memcpy(m, buf, len);
        memset(m + fields[f], 0xff, 4);
        uint32_t crc = eb_ebm_crc32(m, len - 4);
        for (int b = 0; b < 4; b++)
            m[len - 4 + b] = (uint8_t)(crc >> (8 * b));
        cr_expect_eq(parse(m, len, err, sizeof err), EB_ERR_FORMAT, "field at %zu", fields[f]);
    }
    free(m);
    free(buf);
    /* a file over the 1 GiB limit (sparse: takes no disk) is refused before reading */
    char path[256];
    tmp_path(path, sizeof path, "huge");
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    cr_assert(fd >= 0);
    cr_assert_eq(ftruncate(fd, (off_t)(1u << 30) + 1), 0);
    close(fd);
    eb_model *mm = NULL;
    eb_model_options o = {EB_KSET_REF, NULL};
    cr_expect_eq(eb_model_build(path, &o, &mm, err, sizeof err), EB_ERR_FORMAT);
    cr_expect(strstr(err, "limit") != NULL, "%s", err);
    cr_expect_null(mm);
    unlink(path);
    /* not a file at all */
    cr_expect_eq(eb_model_build("/nonexistent/model.ebm", &o, &mm, err, sizeof err), EB_ERR_IO);
    cr_expect(strstr(err, "/nonexistent/model.ebm") != NULL, "%s", err);
}

Test(ebm, export_command)
{
    char path[256];
    tmp_path(path, sizeof path, "cli");
    char *argv[] = {"export", "--model", "resnet8_int8_p75", "-o", path, NULL};
    cr_assert_eq(eb_cmd_export(5, argv), EB_EXIT_OK);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    eb_model *m;
    eb_model_options o = {EB_KSET_AUTO, NULL};
    cr_assert_eq(eb_model_build(path, &o, &m, NULL, 0), EB_OK);
    cr_expect_str_eq(eb_model_get_info(m)->name, "resnet8_int8_p75");
    eb_model_free(m);
    unlink(path);

    char *bad_model[] = {"export", "--model", "nosuch_int8", "-o", path, NULL};
    cr_expect_eq(eb_cmd_export(5, bad_model), EB_EXIT_USAGE);
    cr_expect_neq(stat(path, &sb), 0, "no file after a failed export");
    char *bad_dir[] = {"export", "--model", "ds_cnn_fp32", "-o", "/nonexistent/dir/x.ebm", NULL};
    cr_expect_eq(eb_cmd_export(5, bad_dir), EB_EXIT_USAGE);
    char *missing[] = {"export", "--model", "ds_cnn_fp32", NULL};
    cr_expect_eq(eb_cmd_export(3, missing), EB_EXIT_USAGE);
}

/* ---- found by fuzzing the loader (fuzz/fuzz_ebm.c) ---- */

/* Serializes g and parses it back; the graph is freed. */
static eb_status through_file(eb_graph *g, eb_graph **back, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    cr_assert_eq(eb_ebm_serialize(g, &buf, &len), EB_OK);
    eb_graph_free(g);
    err[0] = 0;
    eb_status st = eb_ebm_parse(buf, len, back, err, errlen);
    free(buf);
    return st;
}

static eb_gop op_of(eb_op_type type, int32_t in0, int32_t in1, int32_t out)
{
    eb_gop op;
    memset(&op, 0, sizeof op);
    op.type = type;
    op.in0 = in0;
    op.in1 = in1;
    op.out = out;
    op.k_h = op.k_w = op.stride_h = op.stride_w = 1;
    snprintf(op.name, sizeof op.name, "op");
    return op;
}

/* A file of a few kilobytes whose tensors are all live at once: 24 x 256 MiB of arena.
 * Before, the model was accepted and creating its context asked for 6 GiB (the process
 * was killed for memory); it must be refused with a sentence instead. */
Test(ebm, small_file_with_an_enormous_arena_is_refused)
{
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "ladder");
    snprintf(g->arch, sizeof g->arch, "ladder");
    snprintf(g->variant, sizeof g->variant, "fp32");
    const int n = 12;
    int32_t t[2 * 12 + 1];
    for (int i = 0; i < 2 * n + 1; i++)
        t[i] = eb_graph_add_tensor(g, 8192, 8192, 1); /* 2^26 floats: 256 MiB each */
    g->input = t[0];
    g->output = t[2 * n];
    /* up: t1..tn, each kept alive by the way down */
    for (int i = 1; i <= n; i++) {
        eb_gop op = op_of(EB_OP_ADD, t[i - 1], t[i - 1], t[i]);
        cr_assert(eb_graph_add_op(g, &op) >= 0);
    }
    for (int i = 1; i <= n; i++) {
        eb_gop op = op_of(EB_OP_ADD, t[n + i - 1], t[n - i], t[n + i]);
        cr_assert(eb_graph_add_op(g, &op) >= 0);
    }
    eb_graph *back = NULL;
    char err[512];
    cr_assert_eq(through_file(g, &back, err, sizeof err), EB_OK, "%s", err);
    eb_model *m = NULL;
    eb_status st = eb_model_from_graph(back, EB_KSET_REF, &m, err, sizeof err);
    cr_assert_neq(st, EB_OK, "a 3 GiB+ arena was accepted");
    cr_assert_null(m);
    cr_assert_not_null(strstr(err, "arena"), "%s", err);
    cr_assert_not_null(strstr(err, "GiB"), "%s", err);
}

/* A max pool over a 1x1x65536 input with a 2^23-tap window (padding on both sides, so
 * the geometry is valid): 2^39 window steps per inference with the ref kernel, a run
 * that never finishes, from a file of a few hundred bytes. */
Test(ebm, pooling_geometry_that_never_finishes_is_refused)
{
    eb_graph *g = eb_graph_new(EB_F32);
    snprintf(g->name, sizeof g->name, "widepool");
    snprintf(g->arch, sizeof g->arch, "widepool");
    snprintf(g->variant, sizeof g->variant, "fp32");
    g->input = eb_graph_add_tensor(g, 1, 1, 65536);
    g->output = eb_graph_add_tensor(g, 1, 1, 65536);
    eb_gop op = op_of(EB_OP_MAXPOOL, g->input, -1, g->output);
    op.k_h = 1 << 23;
    op.stride_h = 1 << 23;
    op.pad_top = op.pad_bottom = (1 << 23) - 1;
    cr_assert(eb_graph_add_op(g, &op) >= 0);
    char err[512] = "";
    cr_assert_eq(eb_graph_check(g, true, err, sizeof err), EB_ERR_FORMAT,
                 "a pool of 2^39 window steps passes the graph check");
    cr_assert_not_null(strstr(err, "operations per inference"), "%s", err);
    eb_graph *back = NULL;
    cr_assert_eq(through_file(g, &back, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_null(back);
    cr_assert_not_null(strstr(err, "operations per inference"), "%s", err);
}

/* A sparse fully-connected op whose every weight was pruned: nnz 0. It saved, but the
 * loader did not read the empty arrays back and refused the file it had written. */
Test(ebm, sparse_op_with_no_nonzeros_round_trips)
{
    eb_dtype dts[2] = {EB_F32, EB_S8};
    for (int d = 0; d < 2; d++) {
        eb_graph *g = eb_graph_new(dts[d]);
        snprintf(g->name, sizeof g->name, "empty_sparse");
        snprintf(g->arch, sizeof g->arch, "empty");
        snprintf(g->variant, sizeof g->variant, d ? "int8_p99" : "fp32_p99");
        g->input = eb_graph_add_tensor(g, 1, 1, 16);
        g->output = eb_graph_add_tensor(g, 1, 1, 4);
        eb_gop op = op_of(EB_OP_FC, g->input, -1, g->output);
        op.sparse = true;
        op.nnz = 0;
        op.row_ptr = calloc(5, sizeof(int32_t));
        op.col_idx = malloc(1);
        if (dts[d] == EB_F32) {
            op.w = malloc(1);
            op.b = calloc(4, sizeof(float));
            op.b[1] = 0.5f;
        } else {
            op.wq = malloc(1);
            op.bq = calloc(4, sizeof(int32_t));
            op.bq[1] = 100;
            op.wscale = malloc(4 * sizeof(double));
            for (int c = 0; c < 4; c++)
                op.wscale[c] = 0.01;
        }
        cr_assert(eb_graph_add_op(g, &op) >= 0);
        char err[512] = "";
        cr_assert_eq(eb_graph_check(g, true, err, sizeof err), EB_OK, "%s", err);
        uint8_t *a;
        size_t la;
        cr_assert_eq(eb_ebm_serialize(g, &a, &la), EB_OK);
        eb_graph *back = NULL;
        cr_assert_eq(through_file(g, &back, err, sizeof err), EB_OK,
                     "a saved nnz-0 op does not load: %s", err);
        uint8_t *b;
        size_t lb;
        cr_assert_eq(eb_ebm_serialize(back, &b, &lb), EB_OK);
        cr_assert(la == lb && !memcmp(a, b, la), "re-export differs");
        eb_model *m;
        cr_assert_eq(eb_model_from_graph(back, EB_KSET_AUTO, &m, err, sizeof err), EB_OK, "%s",
                     err);
        eb_context *c;
        cr_assert_eq(eb_context_create(m, &c), EB_OK);
        eb_context_fill_input(c, 0);
        eb_context_run(c);
        eb_context_free(c);
        eb_model_free(m);
        free(a);
        free(b);
    }
}
