/* dataset.c - labelled datasets (y_labels.csv), --input folders and .npy outputs
 * (eb_dataset.h). All of it reads files from outside: bounded and checked field by field. */
#include "eb_dataset.h"
#include "eb_model_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static eb_status fail(char *err, size_t errlen, eb_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static eb_status fail(char *err, size_t errlen, eb_status st, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* A printable copy of untrusted bytes for a message: at most 40 characters, anything
 * outside printable ASCII as '?'. */
static void shown(char *dst, size_t cap, const char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < cap && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[j++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n > 40 && j + 4 < cap) {
        memcpy(dst + j, "...", 3);
        j += 3;
    }
    dst[j] = 0;
}

/* ---- y_labels.csv ---- */

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

/* A decimal integer 0..max filling [b, e). */
static bool parse_uint(const char *b, const char *e, long max, long *out)
{
    if (b == e || e - b > 9)
        return false;
    long v = 0;
    for (const char *p = b; p < e; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* A file name as y_labels.csv may give it: printable ASCII, no '/' or '\\', not "." or
 * "..", at most EB_DATA_NAME_MAX bytes. */
static const char *bad_name(const char *b, size_t n)
{
    if (n == 0)
        return "an empty file name";
    if (n > EB_DATA_NAME_MAX)
        return "a file name longer than 255 bytes";
    if ((n == 1 && b[0] == '.') || (n == 2 && b[0] == '.' && b[1] == '.'))
        return "'.' or '..' as a file name";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '/' || c == '\\')
            return "a path (a file name must be a plain name inside the dataset folder)";
        if (c < 0x20 || c >= 0x7f)
            return "a file name with a character outside printable ASCII";
    }
    return NULL;
}

static int cmp_rows(const void *a, const void *b)
{
    const eb_label_row *x = *(const eb_label_row *const *)a, *y = *(const eb_label_row *const *)b;
    return strcmp(x->file, y->file);
}

/* <...>_<Name>_<label>.<ext>: Name, when label matches. */
static bool name_of(const char *file, int32_t label, char *dst, size_t cap)
{
    const char *dot = strrchr(file, '.');
    size_t n = dot ? (size_t)(dot - file) : strlen(file);
    const char *end = file + n;
    const char *u2 = end;
    while (u2 > file && u2[-1] != '_')
        u2--;
    if (u2 == file)
        return false;
    long v;
    if (!parse_uint(u2, end, 1000000, &v) || v != label)
        return false;
    const char *nend = u2 - 1, *nb = nend;
    while (nb > file && nb[-1] != '_')
        nb--;
    size_t len = (size_t)(nend - nb);
    if (len == 0 || len >= cap || nb == file)
        return false;
    for (const char *p = nb; p < nend; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return false;
    memcpy(dst, nb, len);
    dst[len] = 0;
    return true;
}

static void class_names(eb_labels *l)
{
    l->names = calloc((size_t)l->classes, sizeof *l->names);
    if (!l->names)
        return; /* names are a convenience: none */
    unsigned char *state = calloc((size_t)l->classes, 1); /* 0 unseen, 1 named, 2 mixed */
    if (!state) {
        free(l->names);
        l->names = NULL;
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        int32_t c = l->rows[i].label;
        char nm[EB_CLASS_NAME_MAX + 1];
        if (state[c] == 2)
            continue;
        if (!name_of(l->rows[i].file, c, nm, sizeof nm)) {
            state[c] = 2;
        } else if (state[c] == 0) {
            memcpy(l->names[c], nm, sizeof nm);
            state[c] = 1;
        } else if (strcmp(l->names[c], nm)) {
            state[c] = 2;
        }
    }
    for (int32_t c = 0; c < l->classes; c++)
        if (state[c] != 1)
            l->names[c][0] = 0;
    free(state);
}

eb_status eb_labels_parse(const char *text, size_t len, const char *what, eb_labels *out,
                          char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > EB_LABELS_MAX_BYTES)
        return fail(err, errlen, EB_ERR_ARG, "%s is larger than 16 MiB", what);
    /* every line needs at least "x,1,0" (5 bytes and a newline) */
    size_t max_rows = len / 6 + 1;
    if (max_rows > EB_DATASET_MAX_FILES + 1)
        max_rows = EB_DATASET_MAX_FILES + 1;
    out->rows = calloc(max_rows, sizeof *out->rows);
    out->text = malloc(len + 1);
    if (!out->rows || !out->text) {
        eb_labels_free(out);
        return fail(err, errlen, EB_ERR_NOMEM, "out of memory reading %s", what);
    }
    char *store = out->text;
    const char *p = text, *end = text + len;
    size_t line = 0;
    eb_status st = EB_OK;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *b = p, *e = le;
        p = nl ? nl + 1 : end;
        if (e > b && e[-1] == '\r')
            e--;
        trim(&b, &e);
        if (b == e)
            continue;
        if (memchr(b, 0, (size_t)(e - b))) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu holds a NUL byte", what, line);
            goto bad;
        }
        /* split at commas */
        const char *f[6][2];
        int nf = 0;
        const char *s = b;
        for (;;) {
            const char *c = memchr(s, ',', (size_t)(e - s));
            if (nf == 6) {
                nf++;
                break;
            }
            f[nf][0] = s;
            f[nf][1] = c ? c : e;
            trim(&f[nf][0], &f[nf][1]);
            nf++;
            if (!c)
                break;
            s = c + 1;
        }
        if (nf == 5) {
            st = fail(err, errlen, EB_ERR_ARG, "%s line %zu has 5 fields (the anomaly-detection "
                      "form with window width and stride); edgebench measures the accuracy of "
                      "classifiers only (file,classes,label)", what, line);
            goto bad;
        }
        if (nf != 3) {
            char sh[64];
            shown(sh, sizeof sh, b, (size_t)(e - b));
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu ('%s') has %s%d fields; expected "
                      "file name,number of classes,true class", what, line, sh,
                      nf > 6 ? "more than " : "", nf > 6 ? 6 : nf);
            goto bad;
        }
        const char *why = bad_name(f[0][0], (size_t)(f[0][1] - f[0][0]));
        if (why) {
            char sh[64];
            shown(sh, sizeof sh, f[0][0], (size_t)(f[0][1] - f[0][0]));
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu has %s ('%s')", what, line, why, sh);
            goto bad;
        }
        long classes, label;
        if (!parse_uint(f[1][0], f[1][1], EB_LABELS_MAX_CLASSES, &classes) || classes < 1) {
            char sh[64];
            shown(sh, sizeof sh, f[1][0], (size_t)(f[1][1] - f[1][0]));
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu: the number of classes '%s' is not "
                      "an integer from 1 to %d", what, line, sh, EB_LABELS_MAX_CLASSES);
            goto bad;
        }
        if (out->n == 0)
            out->classes = (int32_t)classes;
        else if (classes != out->classes) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu says %ld classes, earlier lines %d",
                      what, line, classes, (int)out->classes);
            goto bad;
        }
        if (!parse_uint(f[2][0], f[2][1], 1000000, &label) || label >= classes) {
            char sh[64];
            shown(sh, sizeof sh, f[2][0], (size_t)(f[2][1] - f[2][0]));
            st = fail(err, errlen, EB_ERR_FORMAT, "%s line %zu: the true class '%s' is not an "
                      "integer from 0 to %ld", what, line, sh, classes - 1);
            goto bad;
        }
        if (out->n == EB_DATASET_MAX_FILES || out->n == max_rows) {
            st = fail(err, errlen, EB_ERR_ARG, "%s lists more than %d inputs", what,
                      EB_DATASET_MAX_FILES);
            goto bad;
        }
        size_t nl_ = (size_t)(f[0][1] - f[0][0]);
        memcpy(store, f[0][0], nl_);
        store[nl_] = 0;
        out->rows[out->n].file = store;
        out->rows[out->n].label = (int32_t)label;
        out->n++;
        store += nl_ + 1;
    }
    if (out->n == 0) {
        st = fail(err, errlen, EB_ERR_FORMAT, "%s lists no inputs", what);
        goto bad;
    }
    /* every file once */
    {
        const eb_label_row **ix = malloc(out->n * sizeof *ix);
        if (!ix) {
            st = fail(err, errlen, EB_ERR_NOMEM, "out of memory reading %s", what);
            goto bad;
        }
        for (size_t i = 0; i < out->n; i++)
            ix[i] = &out->rows[i];
        qsort(ix, out->n, sizeof *ix, cmp_rows);
        for (size_t i = 1; i < out->n; i++) {
            if (!strcmp(ix[i]->file, ix[i - 1]->file)) {
                char sh[64];
                shown(sh, sizeof sh, ix[i]->file, strlen(ix[i]->file));
                st = fail(err, errlen, EB_ERR_FORMAT, "%s lists '%s' twice", what, sh);
                free(ix);
                goto bad;
            }
        }
        free(ix);
    }
    class_names(out);
    return EB_OK;
bad:
    eb_labels_free(out);
    return st;
}

void eb_labels_free(eb_labels *l)
{
    free(l->rows);
    free(l->text);
    free(l->names);
    memset(l, 0, sizeof *l);
}

/* Opens dir/name for reading when it is a regular file; NULL with err otherwise. */
static FILE *open_regular(const char *dir, const char *name, eb_status *st, char *err,
                          size_t errlen)
{
    char path[4096 + EB_DATA_NAME_MAX + 2];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        *st = fail(err, errlen, EB_ERR_ARG, "the path of '%s' in '%s' is too long", name, dir);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *st = fail(err, errlen, EB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        *st = fail(err, errlen, EB_ERR_ARG, "'%s' is not a regular file", path);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        *st = fail(err, errlen, EB_ERR_NOMEM, "cannot read '%s': out of memory", path);
    }
    return f;
}

bool eb_path_is_dir(const char *path)
{
    struct stat sb;
    return path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

eb_status eb_labels_load(const char *dir, eb_labels *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!eb_path_is_dir(dir))
        return fail(err, errlen, EB_ERR_ARG, "--dataset '%s' is not a folder (it expects a folder "
                    "with %s and the input files it names)", dir, EB_LABELS_FILE);
    eb_status st = EB_OK;
    FILE *f = open_regular(dir, EB_LABELS_FILE, &st, err, errlen);
    if (!f) {
        if (st == EB_ERR_IO)
            fail(err, errlen, EB_ERR_ARG, "dataset '%s' has no readable %s (one line per input: "
                 "file name,number of classes,true class)", dir, EB_LABELS_FILE);
        return EB_ERR_ARG;
    }
    char *buf = malloc(EB_LABELS_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return fail(err, errlen, EB_ERR_NOMEM, "out of memory reading %s", EB_LABELS_FILE);
    }
    size_t len = fread(buf, 1, EB_LABELS_MAX_BYTES + 1, f);
    bool rerr = ferror(f);
    fclose(f);
    char what[4096 + 32];
    snprintf(what, sizeof what, "%s/%s", dir, EB_LABELS_FILE);
    if (rerr) {
        free(buf);
        return fail(err, errlen, EB_ERR_IO, "cannot read %s", what);
    }
    st = eb_labels_parse(buf, len, what, out, err, errlen);
    free(buf);
    if (st != EB_OK)
        return st;
    for (size_t i = 0; i < out->n; i++) {
        FILE *x = open_regular(dir, out->rows[i].file, &st, err, errlen);
        if (!x) {
            char e2[600];
            snprintf(e2, sizeof e2, "%s", err ? err : "");
            fail(err, errlen, EB_ERR_ARG, "%s names a missing input: %s", what, e2);
            eb_labels_free(out);
            return EB_ERR_ARG;
        }
        fclose(x);
    }
    return EB_OK;
}

/* ---- --input folders ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

eb_status eb_list_input_dir(const char *dir, eb_file_list *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return fail(err, errlen, EB_ERR_IO, "cannot read folder '%s': %s", dir, strerror(errno));
    size_t cap = 0;
    eb_status st = EB_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || !strcmp(nm, EB_LABELS_FILE) || bad_name(nm, strlen(nm)))
            continue;
        char path[4096 + 300];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (out->n == EB_DATASET_MAX_FILES) {
            st = fail(err, errlen, EB_ERR_ARG, "folder '%s' holds more than %d input files", dir,
                      EB_DATASET_MAX_FILES);
            break;
        }
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **p = realloc(out->names, nc * sizeof *p);
            if (!p) {
                st = fail(err, errlen, EB_ERR_NOMEM, "out of memory listing '%s'", dir);
                break;
            }
            out->names = p;
            cap = nc;
        }
        if (!(out->names[out->n] = strdup(nm))) {
            st = fail(err, errlen, EB_ERR_NOMEM, "out of memory listing '%s'", dir);
            break;
        }
        out->n++;
    }
    closedir(d);
    if (st == EB_OK && out->n == 0)
        st = fail(err, errlen, EB_ERR_ARG, "folder '%s' holds no input files (regular files "
                  "not starting with '.')", dir);
    if (st != EB_OK) {
        eb_file_list_free(out);
        return st;
    }
    qsort(out->names, out->n, sizeof *out->names, cmp_str);
    return EB_OK;
}

void eb_file_list_free(eb_file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = 0;
}

eb_status eb_dataset_read_input(const eb_model *m, const char *dir, const char *name, void *dst,
                                char *err, size_t errlen)
{
    eb_status st = EB_OK;
    FILE *f = open_regular(dir, name, &st, err, errlen);
    if (!f)
        return st;
    char path[4096 + EB_DATA_NAME_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    st = eb_read_input_stream(eb_model_get_info(m), f, path, dst, err, errlen);
    fclose(f);
    return st;
}

/* ---- outputs ---- */

bool eb_output_name(const char *name, char *dst, size_t cap)
{
    const char *dot = strrchr(name, '.');
    size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    int w = snprintf(dst, cap, "%.*s.npy", (int)n, name);
    return w > 0 && (size_t)w < cap;
}

eb_status eb_model_save_output(const eb_model *m, const void *out, const char *path, char *err,
                               size_t errlen)
{
    const eb_model_info *i = eb_model_get_info(m);
    const bool s8 = i->dtype == EB_S8;
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (1, %d), }",
                      s8 ? "|i1" : "<f4", (int)i->out_size);
    /* magic (6) + version (2) + length (2) + header padded with spaces to a multiple of
     * 64, ending in '\n' */
    size_t total = 10 + (size_t)hl + 1;
    size_t pad = (64 - total % 64) % 64;
    char tmp[4096 + 32];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return fail(err, errlen, EB_ERR_ARG, "output path '%s' is too long", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return fail(err, errlen, EB_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    size_t hlen = (size_t)hl + pad + 1;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    bool ok = fwrite(pre, 1, 10, f) == 10 && fwrite(hdr, 1, (size_t)hl, f) == (size_t)hl;
    for (size_t k = 0; ok && k < pad; k++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    if (s8) {
        ok = ok && fwrite(out, 1, i->output_bytes, f) == i->output_bytes;
    } else {
        /* little-endian float32 whatever the host */
        const unsigned char *b = out;
        for (size_t k = 0; ok && k < i->output_bytes; k += 4) {
            uint32_t v;
            memcpy(&v, b + k, 4);
            unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                                   (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
            ok = fwrite(le, 1, 4, f) == 4;
        }
    }
    ok = fflush(f) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fail(err, errlen, EB_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
    return EB_OK;
}

int32_t eb_model_top1(const eb_model *m, const void *out)
{
    const eb_model_info *i = eb_model_get_info(m);
    int32_t best = 0;
    if (i->dtype == EB_S8) {
        const int8_t *o = out;
        for (int32_t k = 1; k < i->out_size; k++)
            if (o[k] > o[best])
                best = k;
    } else {
        const float *o = out;
        for (int32_t k = 1; k < i->out_size; k++)
            if (o[k] > o[best])
                best = k;
    }
    return best;
}
