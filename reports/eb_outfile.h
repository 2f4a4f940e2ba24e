/* eb_outfile.h - atomic output files: write to a temporary file beside the target, then
 * rename over it, so a reader never sees half a file. */
#ifndef EB_OUTFILE_H
#define EB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "eb_status.h"

typedef struct {
    FILE *f;
    char tmp[4096];
    char path[4096];
} eb_outfile;

/* Opens "<path>.tmp.<pid>" for writing. On failure writes one sentence to err. */
eb_status eb_outfile_open(eb_outfile *o, const char *path, char *err, size_t errlen);
/* Flushes, closes and renames into place; on any failure removes the temporary file. */
eb_status eb_outfile_commit(eb_outfile *o, char *err, size_t errlen);
/* Closes and removes the temporary file. */
void eb_outfile_abort(eb_outfile *o);

/* Whole file into a NUL-terminated buffer (free() it); at most max_bytes. */
eb_status eb_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                       char *err, size_t errlen);

#endif
