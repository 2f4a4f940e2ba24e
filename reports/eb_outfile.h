/* eb_outfile.h - files: atomic output files (written to a temporary file beside the
 * target, then renamed over it, so a reader never sees half a file), whole-file reads,
 * output folders. */
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

/* Makes dir and its missing parents (mode & ~umask, as mkdir -p). EB_ERR_IO when a
 * mkdir fails (errno says why), EB_ERR_ARG when dir exists but is not a directory; err
 * gets one sentence. */
eb_status eb_mkdirs(const char *dir, unsigned mode, char *err, size_t errlen);

#endif
