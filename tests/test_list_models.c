/* test_list_models.c - `edgebench list models [--fidelity] [--arch]` output. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Runs `edgebench list ...` with stdout captured into buf. */
static int capture(char **argv, int argc, char *buf, size_t len)
{
    fflush(stdout);
    FILE *tmp = tmpfile();
    cr_assert_not_null(tmp);
    int saved = dup(1);
    dup2(fileno(tmp), 1);
    int rc = eb_cmd_list(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, len - 1, tmp);
    buf[n] = 0;
    fclose(tmp);
    return rc;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(list_models, every_variant_with_sizes)
{
    static char out[65536];
    char *argv[] = {"list", "models", NULL};
    cr_assert_eq(capture(argv, 2, out, sizeof out), EB_EXIT_OK);
    cr_expect_eq(count_lines(out), 61, "header + 60 variants:\n%s", out);
    cr_expect(strstr(out, "weights_B") && strstr(out, "arena_B") && strstr(out, "MACs(M)"));
    /* MobileNetV1 fp32: 568.74 M MACs, 4221032 params, 4 bytes per weight and bias */
    cr_expect(strstr(out, "mobilenet_v1_fp32                 568.74    568.74   4221032   "
                          "16884128") != NULL, "%s", out);
    cr_expect(strstr(out, "fc_autoencoder_int8_c50") != NULL);
}

Test(list_models, fidelity_for_one_architecture)
{
    static char out[8192];
    char *argv[] = {"list", "models", "--fidelity", "--arch", "ds_cnn", NULL};
    cr_assert_eq(capture(argv, 5, out, sizeof out), EB_EXIT_OK);
    cr_expect_eq(count_lines(out), 11, "%s", out);
    cr_expect(strstr(out, "sqnr_dB") && strstr(out, "cosine") && strstr(out, "top1"));
    const char *self = strstr(out, "ds_cnn_fp32 ");
    cr_assert_not_null(self);
    cr_expect(strstr(self, "inf  1.0000  1.00") != NULL, "fp32 against itself:\n%s", out);
    cr_expect(strstr(out, "mobilenet") == NULL);

    char *bad[] = {"list", "models", "--arch", "resnet9", NULL};
    cr_expect_eq(capture(bad, 4, out, sizeof out), EB_EXIT_USAGE);
}
