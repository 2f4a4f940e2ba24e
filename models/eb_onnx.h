/* eb_onnx.h - .onnx models (internal to models/, its tests and fuzz targets).
 *
 * The protobuf is parsed by protobuf-c with code generated at build time from Debian's
 * onnx.proto (cmake/EdgebenchHelpers.cmake); this header does not expose it. Built only
 * when EB_HAVE_ONNX is defined; without it eb_onnx_* are absent and model.c refuses
 * .onnx files with a sentence naming the missing packages.
 *
 * Limits on untrusted files: EB_ONNX_MAX_FILE bytes (the model and each external-data
 * file), messages nested at most EB_ONNX_MAX_DEPTH deep (checked on the wire before
 * protobuf-c unpacks, whose unpacking recurses), EB_ONNX_MAX_NODES nodes and
 * EB_ONNX_MAX_VALUES named values, tensors of rank <= EB_ONNX_MAX_RANK, every constant
 * within EB_GRAPH_MAX_WEIGHTS elements and its bytes equal to what its dims declare.
 */
#ifndef EB_ONNX_H
#define EB_ONNX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eb_graph.h"

#define EB_ONNX_MAX_FILE (INT64_C(1) << 30)
#define EB_ONNX_MAX_DEPTH 24
#define EB_ONNX_MAX_NODES 65536
#define EB_ONNX_MAX_VALUES 262144
#define EB_ONNX_MAX_RANK 6
/* Opsets of the default domain (ai.onnx) the importer reads. */
#define EB_ONNX_OPSET_MIN 11
#define EB_ONNX_OPSET_MAX 17

/* Imports a model held in memory. `dir` is the folder of the model file, where
 * external-data side files are looked up (NULL: external data is refused). `name` names
 * the graph (a path: its base name without .onnx). `log` (may be NULL) gets one line per
 * node saying what it became. Unsupported node/op/opset/dtype: EB_ERR_UNSUPPORTED with
 * one sentence naming the first (node name, op type, domain); a file that is not valid
 * protobuf or inconsistent: EB_ERR_FORMAT. */
eb_status eb_onnx_import_buffer(const uint8_t *buf, size_t len, const char *dir,
                                const char *name, FILE *log, eb_graph **out, char *err,
                                size_t errlen);
/* Reads and imports a file; err starts with the path. */
eb_status eb_onnx_import_file(const char *path, FILE *log, eb_graph **out, char *err,
                              size_t errlen);

#endif
