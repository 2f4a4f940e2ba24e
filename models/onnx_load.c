/* onnx_load.c - the bounded front of the .onnx reader: the file's bytes, a wire-format
 * walk that bounds how deep messages nest (protobuf-c's unpacking recurses once per
 * level, so a few bytes per level could otherwise exhaust the stack), then protobuf-c's
 * unpacking, and external-data side files (beside the model, no path escape). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eb_onnx.h"
#include "onnx/onnx.pb-c.h"
#include "onnx_internal.h"

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int s = 0; s < 64; s += 7) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

/* 0 ok, -1 nested too deep, -2 not protobuf wire format. Only fields the schema says are
 * messages are descended into; protobuf-c checks everything else when it unpacks. */
static int wire_walk(const uint8_t *p, size_t len, const ProtobufCMessageDescriptor *d, int depth)
{
    if (depth > EB_ONNX_MAX_DEPTH)
        return -1;
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t key, v;
        if (!varint(&p, end, &key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
            return -2;
        switch (key & 7) {
        case 0:
            if (!varint(&p, end, &v))
                return -2;
            break;
        case 1:
            if (end - p < 8)
                return -2;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return -2;
            p += 4;
            break;
        case 2: {
            if (!varint(&p, end, &v) || v > (uint64_t)(end - p))
                return -2;
            const ProtobufCFieldDescriptor *f =
                d ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                int r = wire_walk(p, (size_t)v, f->descriptor, depth + 1);
                if (r < 0)
                    return r;
            }
            p += v;
            break;
        }
        default: return -2; /* groups (3, 4) are not in onnx.proto */
        }
    }
    return 0;
}

eb_status eb_onnx_unpack(const uint8_t *buf, size_t len, Onnx__ModelProto **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    if ((int64_t)len > EB_ONNX_MAX_FILE)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "the file is %zu bytes, more than the %lld edgebench reads", len,
                            (long long)EB_ONNX_MAX_FILE);
    int r = wire_walk(buf, len, &onnx__model_proto__descriptor, 0);
    if (r == -1)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "the file nests protobuf messages more than %d levels deep",
                            EB_ONNX_MAX_DEPTH);
    if (r < 0)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "the file is not an ONNX model (not valid protobuf)");
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "the file is not an ONNX model (protobuf-c cannot unpack it as "
                            "a ModelProto)");
    if (!m->graph) {
        onnx__model_proto__free_unpacked(m, NULL);
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT, "the model has no graph");
    }
    *out = m;
    return EB_OK;
}

void eb_onnx_free(Onnx__ModelProto *m)
{
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
}

eb_status eb_onnx_read_file(const char *path, uint8_t **buf, size_t *len, char *err,
                            size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eb_onnx_errf(err, errlen, EB_ERR_IO, "cannot open it: %s", strerror(errno));
    struct stat sb;
    eb_status st = EB_OK;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = eb_onnx_errf(err, errlen, EB_ERR_IO, "it is not a regular file");
        goto done;
    }
    if ((int64_t)sb.st_size > EB_ONNX_MAX_FILE) {
        st = eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                          "it is %lld bytes, more than the %lld edgebench reads",
                          (long long)sb.st_size, (long long)EB_ONNX_MAX_FILE);
        goto done;
    }
    *buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
    if (!*buf) {
        st = eb_onnx_errf(err, errlen, EB_ERR_NOMEM, "out of memory reading it");
        goto done;
    }
    if (fread(*buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
        st = eb_onnx_errf(err, errlen, EB_ERR_IO, "cannot read it");
        free(*buf);
        *buf = NULL;
        goto done;
    }
    *len = (size_t)sb.st_size;
done:
    fclose(f);
    return st;
}

/* A relative path of plain components: no '/' at the start, no "." or ".." component,
 * printable ASCII, no backslash. */
static bool safe_location(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255 || s[0] == '/')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 33 || s[i] > 126 || s[i] == '\\')
            return false;
    const char *p = s;
    while (*p) {
        const char *q = strchr(p, '/');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += l;
        if (*p == '/')
            p++;
    }
    return true;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || strlen(s) > 19)
        return false;
    uint64_t r = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        r = r * 10 + (uint64_t)(*s - '0');
    }
    *v = r;
    return true;
}

eb_status eb_onnx_external(const Onnx__TensorProto *t, const char *dir, size_t want,
                           uint8_t **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *tn = t->name ? t->name : "";
    const char *loc = NULL;
    uint64_t off = 0, len = want;
    bool have_len = false;
    for (size_t i = 0; i < t->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = t->external_data[i];
        const char *k = e->key ? e->key : "", *v = e->value ? e->value : "";
        if (!strcmp(k, "location"))
            loc = v;
        else if (!strcmp(k, "offset") && !parse_u64(v, &off))
            return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                                "tensor '%s' has external-data offset '%.40s', not a number",
                                tn, v);
        else if (!strcmp(k, "length")) {
            if (!parse_u64(v, &len))
                return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                                    "tensor '%s' has external-data length '%.40s', not a "
                                    "number",
                                    tn, v);
            have_len = true;
        }
    }
    if (!loc)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "tensor '%s' is external data without a location", tn);
    if (!dir)
        return eb_onnx_errf(err, errlen, EB_ERR_UNSUPPORTED,
                            "tensor '%s' is in the external file '%.80s'; external data is "
                            "read only for a model loaded from a file",
                            tn, loc);
    if (!safe_location(loc))
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "tensor '%s' names the external file '%.80s', which is not a "
                            "relative path inside the model's folder",
                            tn, loc);
    if (have_len && len != want)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                            "tensor '%s' has %llu bytes of external data, its dims declare "
                            "%zu",
                            tn, (unsigned long long)len, want);
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, loc) >= sizeof path)
        return eb_onnx_errf(err, errlen, EB_ERR_FORMAT, "tensor '%s': path too long", tn);
    FILE *f = fopen(path, "rb");
    if (!f)
        return eb_onnx_errf(err, errlen, EB_ERR_IO,
                            "tensor '%s' is in the external file '%s', which cannot be "
                            "opened: %s (external data must be beside the model)",
                            tn, path, strerror(errno));
    struct stat sb;
    eb_status st = EB_OK;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (int64_t)sb.st_size > EB_ONNX_MAX_FILE) {
        st = eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                          "tensor '%s': '%s' is not a regular file of at most %lld bytes", tn,
                          path, (long long)EB_ONNX_MAX_FILE);
        goto done;
    }
    if (off > (uint64_t)sb.st_size || want > (uint64_t)sb.st_size - off) {
        st = eb_onnx_errf(err, errlen, EB_ERR_FORMAT,
                          "tensor '%s' needs bytes %llu to %llu of '%s', which has %lld", tn,
                          (unsigned long long)off, (unsigned long long)(off + want), path,
                          (long long)sb.st_size);
        goto done;
    }
    *out = malloc(want ? want : 1);
    if (!*out) {
        st = eb_onnx_errf(err, errlen, EB_ERR_NOMEM, "out of memory for tensor '%s'", tn);
        goto done;
    }
    if (fseek(f, (long)off, SEEK_SET) != 0 || fread(*out, 1, want, f) != want) {
        free(*out);
        *out = NULL;
        st = eb_onnx_errf(err, errlen, EB_ERR_IO, "tensor '%s': cannot read '%s'", tn, path);
    }
done:
    fclose(f);
    return st;
}

eb_status eb_onnx_errf(char *err, size_t errlen, eb_status st, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        eb_onnx_printable(err);
    }
    return st;
}

void eb_onnx_printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
            *s = '?';
}
