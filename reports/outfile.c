/* outfile.c - atomic writes, whole-file reads and output folders for the report
 * commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eb_outfile.h"

eb_status eb_outfile_open(eb_outfile *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path ||
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid()) >=
            (int)sizeof o->tmp) {
        snprintf(err, errlen, "output path '%s' is too long", path);
        return EB_ERR_ARG;
    }
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    return EB_OK;
}

eb_status eb_outfile_commit(eb_outfile *o, char *err, size_t errlen)
{
    int bad = ferror(o->f);
    int e = bad ? EIO : 0;
    if (fflush(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        remove(o->tmp);
        snprintf(err, errlen, "cannot write '%s': %s", o->path, strerror(e));
        return EB_ERR_IO;
    }
    return EB_OK;
}

void eb_outfile_abort(eb_outfile *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
        remove(o->tmp);
    }
}

eb_status eb_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                       char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= max_bytes) {
            free(buf);
            fclose(f);
            snprintf(err, errlen, "'%s' is larger than %zu bytes", path, max_bytes);
            return EB_ERR_FORMAT;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading '%s'", path);
        return EB_ERR_NOMEM;
    }
    if (rd_err) {
        free(buf);
        snprintf(err, errlen, "cannot read '%s'", path);
        return EB_ERR_IO;
    }
    buf[n] = 0;
    *out = buf;
    if (len)
        *len = n;
    return EB_OK;
}

eb_status eb_mkdirs(const char *dir, unsigned mode, char *err, size_t errlen)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        snprintf(err, errlen, "output directory name is too long");
        return EB_ERR_ARG;
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create directory '%s': %s", buf, strerror(errno));
                return EB_ERR_IO;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    int exists = stat(dir, &st) == 0;
    if (!exists || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "'%s' is not a directory", dir);
        return exists ? EB_ERR_ARG : EB_ERR_IO;
    }
    return EB_OK;
}
