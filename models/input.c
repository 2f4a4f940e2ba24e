/* input.c - one input tensor from a file: raw bytes in the model's input type, or .npy.
 *
 * A .npy file is a magic string, a version, a header length and a Python dict literal
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (1, 49, 10, 1), }), then the data.
 * The header is untrusted: it is read only within its stated length (at most 64 KiB),
 * and only the three keys numpy writes are accepted. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"

#define NPY_MAX_HEADER 65536

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

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
        p++;
    return p;
}

/* The value after 'key': in the dict text [p, end), or NULL. */
static const char *npy_value(const char *p, const char *end, const char *key)
{
    size_t k = strlen(key);
    for (const char *q = p; q + k + 2 <= end; q++) {
        if ((*q == '\'' || *q == '"') && q[k + 1] == *q && !memcmp(q + 1, key, k)) {
            const char *v = skip_ws(q + k + 2, end);
            if (v < end && *v == ':')
                return skip_ws(v + 1, end);
            return NULL;
        }
    }
    return NULL;
}

typedef struct {
    char descr[8];
    bool fortran;
    int64_t elems;
    char shape[96];
} npy_header;

static bool parse_header(const char *h, size_t n, npy_header *out)
{
    const char *end = h + n;
    const char *v = npy_value(h, end, "descr");
    if (!v || v >= end || (*v != '\'' && *v != '"'))
        return false;
    const char *close = memchr(v + 1, *v, (size_t)(end - v - 1));
    if (!close || close - v - 1 >= (ptrdiff_t)sizeof out->descr)
        return false;
    memcpy(out->descr, v + 1, (size_t)(close - v - 1));
    out->descr[close - v - 1] = 0;
    for (const char *d = out->descr; *d; d++)
        if ((unsigned char)*d < 0x20 || (unsigned char)*d >= 0x7f)
            return false; /* it is named in messages: one printable line */
    v = npy_value(h, end, "fortran_order");
    if (!v)
        return false;
    if (end - v >= 4 && !memcmp(v, "True", 4))
        out->fortran = true;
    else if (end - v >= 5 && !memcmp(v, "False", 5))
        out->fortran = false;
    else
        return false;
    v = npy_value(h, end, "shape");
    if (!v || v >= end || *v != '(')
        return false;
    const char *p = v + 1;
    int64_t elems = 1;
    size_t sl = 0;
    int dims = 0;
    out->shape[0] = 0;
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end)
            return false;
        if (*p == ')')
            break;
        if (*p < '0' || *p > '9')
            return false;
        int64_t d = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            d = d * 10 + (*p - '0');
            if (d > (INT64_C(1) << 31))
                return false;
            p++;
        }
        elems *= d;
        if (elems > (INT64_C(1) << 31) || ++dims > 8)
            return false;
        sl += (size_t)snprintf(out->shape + sl, sizeof out->shape - sl, "%s%lld", sl ? "x" : "",
                               (long long)d);
        if (sl >= sizeof out->shape)
            return false;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p++;
    }
    out->elems = elems; /* () is a scalar: one element */
    return true;
}

/* input_bytes float32 values (little-endian) from f, quantized as TFLite's QUANTIZE does
 * it: round(x / scale) half away from zero, + zero point, clamped to int8. npy: the data
 * must end where the values do. */
static eb_status read_quantized(const eb_model_info *i, FILE *f, const char *path, void *dst,
                                char *err, size_t errlen, bool npy)
{
    int8_t *q = dst;
    if (!(i->in_scale > 0))
        return fail(err, errlen, EB_ERR_ARG, "%s holds float32 values and model '%s' has no "
                    "input scale to quantize them with", path, i->name);
    for (size_t k = 0; k < i->input_bytes; k++) {
        unsigned char b[4];
        if (fread(b, 1, 4, f) != 4)
            return fail(err, errlen, EB_ERR_FORMAT, "%s: the float32 data ends early", path);
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                     (uint32_t)b[3] << 24;
        float x;
        memcpy(&x, &u, 4);
        if (!isfinite(x))
            return fail(err, errlen, EB_ERR_ARG, "%s holds a non-finite value (element %zu)",
                        path, k);
        double v = round((double)x / i->in_scale) + i->in_zp;
        q[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    if (npy && fgetc(f) != EOF)
        return fail(err, errlen, EB_ERR_FORMAT, "%s: the .npy data is longer than its header "
                    "says", path);
    return EB_OK;
}

eb_status eb_read_input_stream(const eb_model_info *i, FILE *f, const char *path, void *dst,
                               char *err, size_t errlen)
{
    const bool s8 = i->dtype == EB_S8;
    const char *dtname = s8 ? "int8" : "float32";
    eb_status st = EB_OK;
    char *hdr = NULL;
    unsigned char magic[10];
    size_t got = fread(magic, 1, sizeof magic, f);
    const size_t want = i->input_bytes;
    if (got >= 8 && !memcmp(magic, "\x93NUMPY", 6)) {
        size_t hlen, pre;
        if (got < 10) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s: truncated .npy header", path);
            goto done;
        }
        if (magic[6] == 1) {
            hlen = (size_t)magic[8] | (size_t)magic[9] << 8;
            pre = 10;
        } else if (magic[6] == 2 || magic[6] == 3) {
            unsigned char b[2];
            if (fread(b, 1, 2, f) != 2) {
                st = fail(err, errlen, EB_ERR_FORMAT, "%s: truncated .npy header", path);
                goto done;
            }
            hlen = (size_t)magic[8] | (size_t)magic[9] << 8 | (size_t)b[0] << 16 |
                   (size_t)b[1] << 24;
            pre = 12;
        } else {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s: .npy version %d is not supported", path,
                      magic[6]);
            goto done;
        }
        if (hlen > NPY_MAX_HEADER || !(hdr = malloc(hlen + 1)) ||
            fseek(f, (long)pre, SEEK_SET) != 0 || fread(hdr, 1, hlen, f) != hlen) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s: bad .npy header", path);
            goto done;
        }
        hdr[hlen] = 0;
        npy_header h;
        if (!parse_header(hdr, hlen, &h)) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s: .npy header is not a dict with descr, "
                                                  "fortran_order and shape", path);
            goto done;
        }
        const char *want_descr = s8 ? "|i1" : "<f4";
        if (s8 && !strcmp(h.descr, "<f4") && !h.fortran && (uint64_t)h.elems == want) {
            st = read_quantized(i, f, path, dst, err, errlen, true);
            goto done;
        }
        if (strcmp(h.descr, want_descr) && !(s8 && !strcmp(h.descr, "<i1"))) {
            st = fail(err, errlen, EB_ERR_ARG, "%s holds %s values; model '%s' takes %s (%s)",
                      path, h.descr, i->name, dtname, want_descr);
            goto done;
        }
        if (h.fortran && h.elems > 1) {
            st = fail(err, errlen, EB_ERR_ARG, "%s is in Fortran order; model '%s' takes C order "
                                               "(NHWC)", path, i->name);
            goto done;
        }
        if ((uint64_t)h.elems * (s8 ? 1 : 4) != want) {
            st = fail(err, errlen, EB_ERR_ARG, "%s has shape (%s), %lld values; model '%s' takes "
                                               "%dx%dx%d %s (%zu values)",
                      path, h.shape, (long long)h.elems, i->name, (int)i->in_h, (int)i->in_w,
                      (int)i->in_c, dtname, want / (s8 ? 1 : 4));
            goto done;
        }
        size_t r = fread(dst, 1, want, f);
        int extra = fgetc(f);
        if (r != want || extra != EOF) {
            st = fail(err, errlen, EB_ERR_FORMAT, "%s: the .npy data is %s than its header says",
                      path, r != want ? "shorter" : "longer");
            goto done;
        }
    } else {
        if (fseek(f, 0, SEEK_END) != 0) {
            st = fail(err, errlen, EB_ERR_IO, "cannot read input '%s'", path);
            goto done;
        }
        long size = ftell(f);
        if (s8 && size >= 0 && (uint64_t)size == 4 * (uint64_t)want) {
            /* float32 values for an int8 model: quantized with its input scale */
            st = fseek(f, 0, SEEK_SET) != 0
                     ? fail(err, errlen, EB_ERR_IO, "cannot read input '%s'", path)
                     : read_quantized(i, f, path, dst, err, errlen, false);
            goto done;
        }
        if (size < 0 || (uint64_t)size != want) {
            if (i->in_nchw)
                st = fail(err, errlen, EB_ERR_ARG, "%s is %ld bytes; model '%s' takes %zu bytes "
                                                   "(1x%dx%dx%d float32, NCHW, little-endian)",
                          path, size, i->name, want, (int)i->in_c, (int)i->in_h, (int)i->in_w);
            else
                st = fail(err, errlen, EB_ERR_ARG, "%s is %ld bytes; model '%s' takes %zu bytes "
                                                   "(%dx%dx%d %s, NHWC%s)",
                          path, size, i->name, want, (int)i->in_h, (int)i->in_w, (int)i->in_c,
                          dtname, s8 ? "" : ", little-endian");
            goto done;
        }
        if (fseek(f, 0, SEEK_SET) != 0 || fread(dst, 1, want, f) != want) {
            st = fail(err, errlen, EB_ERR_IO, "cannot read input '%s'", path);
            goto done;
        }
    }
done:
    free(hdr);
    return st;
}

/* NHWC index of element (c, y, x) of an h x w x c map. */
static size_t nhwc(const eb_model_info *i, int32_t c, int32_t y, int32_t x)
{
    return ((size_t)y * (size_t)i->in_w + (size_t)x) * (size_t)i->in_c + (size_t)c;
}

/* The file form of an imported model's input (float32, NCHW when in_nchw) into the
 * graph's (NHWC, int8 when in_float). */
static eb_status read_file_form(const eb_model_info *i, FILE *f, const char *path, void *dst,
                                char *err, size_t errlen)
{
    size_t n = (size_t)i->in_h * (size_t)i->in_w * (size_t)i->in_c;
    eb_model_info fi = *i;
    fi.dtype = EB_F32;
    fi.input_bytes = n * sizeof(float);
    float *tmp = malloc(fi.input_bytes ? fi.input_bytes : 1);
    if (!tmp)
        return fail(err, errlen, EB_ERR_NOMEM, "out of memory reading '%s'", path);
    eb_status st = eb_read_input_stream(&fi, f, path, tmp, err, errlen);
    for (size_t k = 0; st == EB_OK && k < n; k++)
        if (!isfinite(tmp[k]))
            st = fail(err, errlen, EB_ERR_ARG, "%s holds a non-finite value at element %zu",
                      path, k);
    if (st == EB_OK) {
        for (int32_t c = 0; c < i->in_c; c++)
            for (int32_t y = 0; y < i->in_h; y++)
                for (int32_t x = 0; x < i->in_w; x++) {
                    size_t src = i->in_nchw
                                     ? ((size_t)c * (size_t)i->in_h + (size_t)y) * (size_t)i->in_w + (size_t)x
                                     : nhwc(i, c, y, x);
                    size_t d = nhwc(i, c, y, x);
                    float v = tmp[src];
                    if (i->in_float) {
                        /* ONNX QuantizeLinear: round half to even, saturate */
                        float q = nearbyintf(v / (float)i->in_scale) + (float)i->in_zp;
                        q = q < -128.0f ? -128.0f : q > 127.0f ? 127.0f : q;
                        ((int8_t *)dst)[d] = (int8_t)q;
                    } else {
                        ((float *)dst)[d] = v;
                    }
                }
    }
    free(tmp);
    return st;
}

eb_status eb_model_read_input(const eb_model *m, const char *path, void *dst, char *err,
                              size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, EB_ERR_IO, "cannot read input '%s'", path);
    const eb_model_info *i = &m->info;
    eb_status st = i->in_nchw || i->in_float
                       ? read_file_form(i, f, path, dst, err, errlen)
                       : eb_read_input_stream(i, f, path, dst, err, errlen);
    fclose(f);
    return st;
}

void eb_model_output_file_form(const eb_model *m, const void *out, float *dst)
{
    const eb_model_info *i = &m->info;
    const eb_gtensor *t = &m->g->t[m->g->output];
    int32_t H = t->h, W = t->w, C = t->c;
    for (int32_t c = 0; c < C; c++)
        for (int32_t y = 0; y < H; y++)
            for (int32_t x = 0; x < W; x++) {
                size_t s = ((size_t)y * (size_t)W + (size_t)x) * (size_t)C + (size_t)c;
                size_t d = i->out_nchw ? ((size_t)c * (size_t)H + (size_t)y) * (size_t)W + (size_t)x
                                       : s;
                dst[d] = i->dtype == EB_S8
                             ? (float)(i->out_scale * (double)(((const int8_t *)out)[s] - i->out_zp))
                             : ((const float *)out)[s];
            }
}
