/* fuzz_labels.c - libFuzzer target for the y_labels.csv reader (models/dataset.c,
 * eb_labels_parse): any bytes are one refusal sentence or a label list whose every row
 * is a plain file name of at most 255 printable bytes with a class below the (one)
 * number of classes, each file once, and class names of letters, digits and '-'.
 *
 * Build and run (scripts/fuzz.sh builds every target):
 *   scripts/fuzz.sh campaign 60 labels
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eb_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eb_labels l;
    char err[512] = "";
    eb_status st = eb_labels_parse((const char *)data, size, "fuzz", &l, err, sizeof err);
    if (st != EB_OK) {
        if (!err[0] || strchr(err, '\n') || l.rows || l.names)
            __builtin_trap();
        return 0;
    }
    if (l.n == 0 || l.n > EB_DATASET_MAX_FILES || l.classes < 1 ||
        l.classes > EB_LABELS_MAX_CLASSES)
        __builtin_trap();
    for (size_t i = 0; i < l.n; i++) {
        const char *f = l.rows[i].file;
        size_t n = strlen(f);
        if (n == 0 || n > EB_DATA_NAME_MAX || strchr(f, '/') || strchr(f, '\\') ||
            !strcmp(f, ".") || !strcmp(f, ".."))
            __builtin_trap();
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)f[k] < 0x20 || (unsigned char)f[k] >= 0x7f)
                __builtin_trap();
        if (l.rows[i].label < 0 || l.rows[i].label >= l.classes)
            __builtin_trap();
        if (i > 0 && !strcmp(f, l.rows[i - 1].file))
            __builtin_trap(); /* (a full duplicate check is the reader's; neighbours here) */
    }
    for (int32_t c = 0; l.names && c < l.classes; c++) {
        size_t n = strnlen(l.names[c], EB_CLASS_NAME_MAX + 1);
        if (n > EB_CLASS_NAME_MAX)
            __builtin_trap();
        for (size_t k = 0; k < n; k++) {
            char ch = l.names[c][k];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-'))
                __builtin_trap();
        }
    }
    eb_labels_free(&l);
    return 0;
}
