/* onnx_internal.h - shared between onnx_load.c and onnx_import.c (needs the generated
 * onnx/onnx.pb-c.h). */
#ifndef EB_ONNX_INTERNAL_H
#define EB_ONNX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_onnx.h"
#include "onnx/onnx.pb-c.h"

eb_status eb_onnx_errf(char *err, size_t errlen, eb_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Replaces every byte outside printable ASCII by '?' (names in messages come from the
 * file: one sentence stays one line). */
void eb_onnx_printable(char *s);
/* The whole file, at most EB_ONNX_MAX_FILE bytes (malloc'ed). */
eb_status eb_onnx_read_file(const char *path, uint8_t **buf, size_t *len, char *err,
                            size_t errlen);
/* Bounds the nesting depth on the wire, then unpacks. */
eb_status eb_onnx_unpack(const uint8_t *buf, size_t len, Onnx__ModelProto **out, char *err,
                         size_t errlen);
void eb_onnx_free(Onnx__ModelProto *m);
/* The `want` bytes of an external-data tensor from its side file in `dir` (malloc'ed). */
eb_status eb_onnx_external(const Onnx__TensorProto *t, const char *dir, size_t want,
                           uint8_t **out, char *err, size_t errlen);

#endif
