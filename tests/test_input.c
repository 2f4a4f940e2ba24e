/* test_input.c - eb_model_read_input (models/input.c): raw and .npy input tensors, and the
 * one-sentence refusals of the wrong size, type, order or a malformed .npy header. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_model.h"

static eb_model *model(const char *name)
{
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m = NULL;
    char err[512];
    cr_assert_eq(eb_model_build(name, &mo, &m, err, sizeof err), EB_OK, "%s", err);
    return m;
}

static char *write_tmp(const void *a, size_t na, const void *b, size_t nb)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/eb_inputXXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, a, na), (ssize_t)na);
    if (nb)
        cr_assert_eq(write(fd, b, nb), (ssize_t)nb);
    close(fd);
    return path;
}

/* A version-1 .npy header padded to 128 bytes (numpy pads to a multiple of 64). */
static size_t npy_header(uint8_t *h, const char *descr, const char *fortran, const char *shape)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                     descr, fortran, shape);
    size_t total = 128;
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (uint8_t)(total - 10);
    h[9] = 0;
    memset(h + 10, ' ', total - 10);
    memcpy(h + 10, dict, (size_t)n);
    h[total - 1] = '\n';
    return total;
}

static void expect(const eb_model *m, const char *path, void *dst, eb_status want,
                   const char *needle)
{
    char err[512] = "";
    eb_status st = eb_model_read_input(m, path, dst, err, sizeof err);
    cr_expect_eq(st, want, "status %d, want %d: %s", st, want, err);
    if (needle)
        cr_expect(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
}

Test(input, raw_and_npy_float32)
{
    eb_model *m = model("fc_autoencoder_fp32");
    const eb_model_info *i = eb_model_get_info(m);
    cr_assert_eq(i->input_bytes, 640 * 4);
    float x[640], got[640];
    for (int k = 0; k < 640; k++)
        x[k] = (float)k / 7.0f;
    char *p = write_tmp(x, sizeof x, NULL, 0);
    expect(m, p, got, EB_OK, NULL);
    cr_expect_arr_eq(got, x, sizeof x);
    unlink(p);
    p = write_tmp(x, 100, NULL, 0);
    expect(m, p, got, EB_ERR_ARG, "is 100 bytes; model 'fc_autoencoder_fp32' takes 2560 bytes "
                                  "(1x1x640 float32");
    unlink(p);
    uint8_t h[128];
    size_t hn = npy_header(h, "<f4", "False", "(1, 640)");
    memset(got, 0, sizeof got);
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_OK, NULL);
    cr_expect_arr_eq(got, x, sizeof x);
    unlink(p);
    hn = npy_header(h, "<f8", "False", "(640,)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_ARG, "holds <f8 values; model 'fc_autoencoder_fp32' takes float32");
    unlink(p);
    hn = npy_header(h, "<f4", "False", "(2, 640)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_ARG, "has shape (2x640), 1280 values");
    unlink(p);
    hn = npy_header(h, "<f4", "True", "(20, 32)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_ARG, "Fortran order");
    unlink(p);
    hn = npy_header(h, "<f4", "False", "(640,)");
    p = write_tmp(h, hn, x, sizeof x - 4);
    expect(m, p, got, EB_ERR_FORMAT, "shorter than its header says");
    unlink(p);
    eb_model_free(m);
}

Test(input, npy_int8_and_hostile_headers)
{
    eb_model *m = model("fc_autoencoder_int8");
    int8_t x[640], got[640];
    for (int k = 0; k < 640; k++)
        x[k] = (int8_t)(k * 3);
    uint8_t h[128];
    size_t hn = npy_header(h, "|i1", "False", "(1, 640)");
    char *p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_OK, NULL);
    cr_expect_arr_eq(got, x, sizeof x);
    unlink(p);
    hn = npy_header(h, "<f4", "False", "(1, 160)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_ARG, "takes int8 (|i1)");
    unlink(p);
    /* a header length past the file, one that is not a dict, a shape overflow */
    hn = npy_header(h, "|i1", "False", "(640,)");
    h[8] = 0xff, h[9] = 0xff;
    p = write_tmp(h, hn, NULL, 0);
    expect(m, p, got, EB_ERR_FORMAT, "bad .npy header");
    unlink(p);
    hn = npy_header(h, "|i1", "Maybe", "(640,)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_FORMAT, "not a dict with descr, fortran_order and shape");
    unlink(p);
    hn = npy_header(h, "|i1", "False", "(99999999999, 640)");
    p = write_tmp(h, hn, x, sizeof x);
    expect(m, p, got, EB_ERR_FORMAT, "not a dict");
    unlink(p);
    expect(m, "/nonexistent/x.npy", got, EB_ERR_IO, "cannot read input '/nonexistent/x.npy'");
    eb_model_free(m);
}
