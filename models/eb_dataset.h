/* eb_dataset.h - data from outside for whole runs: labelled datasets (the MLPerf Tiny
 * runner's y_labels.csv beside its input files), folders of input tensors, and output
 * tensors written as .npy.
 *
 * Everything here is untrusted input: y_labels.csv is read whole within a bound, every
 * line and field is checked (a file name is one plain name inside the folder, never a
 * path), and the folder's files are opened only when they are regular files.
 */
#ifndef EB_DATASET_H
#define EB_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eb_model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EB_LABELS_FILE "y_labels.csv"
#define EB_LABELS_MAX_BYTES (16u << 20) /* y_labels.csv at most 16 MiB */
#define EB_DATASET_MAX_FILES 100000     /* labelled inputs, or files of an --input folder */
#define EB_LABELS_MAX_CLASSES 256
#define EB_DATA_NAME_MAX 255            /* one file name */
#define EB_CLASS_NAME_MAX 24            /* a class name taken from the file names */

typedef struct {
    const char *file; /* a plain file name inside the folder (no '/') */
    int32_t label;    /* 0 .. classes-1 */
} eb_label_row;

typedef struct eb_labels_s {
    eb_label_row *rows; /* in the order of the file */
    size_t n;
    int32_t classes;
    /* classes entries: the class's name when every file of that class is named
     * <...>_<Name>_<class>.<ext> with the same Name (the MLPerf Tiny runner's file names,
     * e.g. tst_000000_Stop_7.bin), letters, digits and '-' only; "" otherwise */
    char (*names)[EB_CLASS_NAME_MAX + 1];
    char *text; /* storage of the file names */
} eb_labels;

/* Parses y_labels.csv text (len bytes, no NUL needed): one line per input,
 * "file name,number of classes,true class", the same number of classes (1..256) on every
 * line, blank lines and CRLF allowed, every file name once. The anomaly-detection form
 * (window width and stride after the class) is refused, as is anything else, with one
 * sentence naming `what` and the line. */
eb_status eb_labels_parse(const char *text, size_t len, const char *what, eb_labels *out,
                          char *err, size_t errlen);
/* Reads DIR/y_labels.csv and checks that every file it names is a regular file in DIR. */
eb_status eb_labels_load(const char *dir, eb_labels *out, char *err, size_t errlen);
void eb_labels_free(eb_labels *l);

/* The files of an --input folder, in name order (strcmp): regular files whose names do
 * not start with '.', y_labels.csv left out; at least one, at most EB_DATASET_MAX_FILES.
 * names[i] are plain names (join with dir). */
typedef struct {
    char **names;
    size_t n;
} eb_file_list;
eb_status eb_list_input_dir(const char *dir, eb_file_list *out, char *err, size_t errlen);
void eb_file_list_free(eb_file_list *l);

/* True when path names a directory. */
bool eb_path_is_dir(const char *path);

/* Reads DIR/NAME as model m's input (eb_model_read_input), opening it only when it is a
 * regular file (a FIFO or device in a dataset folder is refused, never waited on). */
eb_status eb_dataset_read_input(const eb_model *m, const char *dir, const char *name, void *dst,
                                char *err, size_t errlen);

/* The output file name for input file `name`: its name with the extension replaced by
 * ".npy" (tst_000_Stop_7.bin -> tst_000_Stop_7.npy). false when it does not fit. */
bool eb_output_name(const char *name, char *dst, size_t cap);

/* Writes model m's output tensor (output_bytes at out) to path as .npy (version 1, C
 * order, shape (1, out_size), dtype |i1 for int8 models and <f4 for float32 ones),
 * atomically. */
eb_status eb_model_save_output(const eb_model *m, const void *out, const char *path, char *err,
                               size_t errlen);

/* Index of the largest output (the first of equal ones, as numpy's argmax). */
int32_t eb_model_top1(const eb_model *m, const void *out);

#ifdef __cplusplus
}
#endif
#endif
