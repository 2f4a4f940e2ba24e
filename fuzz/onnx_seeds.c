/* onnx_seeds.c - writes the seed corpus of fuzz_onnx: small .onnx models made with
 * protobuf-c (tests/onnx_builder.h): a float CNN (Conv, Relu, Flatten of an NCHW map,
 * Gemm, Softmax), the same with an unsupported node, QDQ models with uint8 and int8
 * activations, a QOperator model. Each is imported once to check it is what it should be.
 * Usage: onnx_seeds DIR. Without ONNX support (no protobuf-c) it writes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "eb_model_internal.h"
#ifdef EB_HAVE_ONNX
#include "eb_onnx.h"
#include "onnx_builder.h"

static void save(const char *dir, const char *name, uint8_t *b, size_t n, eb_status want)
{
    ob_free_all();
    char path[512];
    snprintf(path, sizeof path, "%s/%s.onnx", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "onnx_seeds: cannot write %s\n", path);
        exit(2);
    }
    eb_graph *g = NULL;
    char err[512] = "";
    eb_status st = eb_onnx_import_buffer(b, n, NULL, name, NULL, &g, err, sizeof err);
    if (st != want) {
        fprintf(stderr, "onnx_seeds: %s imports with status %d, expected %d: %s\n", name,
                (int)st, (int)want, err);
        exit(1);
    }
    eb_graph_free(g);
    free(b);
}
#endif

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: onnx_seeds DIR\n");
        return 2;
    }
#ifdef EB_HAVE_ONNX
    size_t n;
    uint8_t *b = ob_small_cnn("Relu", &n);
    save(argv[1], "cnn_fp32", b, n, EB_OK);
    b = ob_small_cnn("HardSigmoid", &n);
    save(argv[1], "cnn_unsupported", b, n, EB_ERR_UNSUPPORTED);
    b = ob_small_qdq(false, &n);
    save(argv[1], "qdq_uint8", b, n, EB_OK);
    b = ob_small_qdq(true, &n);
    save(argv[1], "qdq_int8", b, n, EB_OK);
    b = ob_small_qop(false, &n);
    save(argv[1], "qop_uint8", b, n, EB_OK);
#endif
    return 0;
}
