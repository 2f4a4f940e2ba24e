/* ebm.c - the .ebm model file: a versioned, little-endian, CRC-protected image of a
 * graph after its transforms (weights as stored, int8 scales included). Kernel-specific
 * state (packing, requantization multipliers, the arena plan) is rebuilt on load by the
 * same code that builds zoo models, so a loaded model runs bit-identically.
 *
 * Layout (every integer little-endian; full description in models/README.md):
 *   header (288 bytes) | tensor records (32 bytes each) | op records (176 bytes each) |
 *   weights (arrays at 8-byte aligned offsets) | CRC-32 of everything before it. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eb_model_internal.h"

#define EBM_MAGIC "EBMF"
#define EBM_VERSION 3u   /* the newest this edgebench reads and writes */
#define EBM_VERSION_2 2u /* the TFLite softmax flag */
#define EBM_VERSION_1 1u /* written when nothing newer is used (zoo models) */
/* Version 3: the op types after MUL (eb_gops.inc: SUB = 10 and on); a file that uses one
 * is written as version 3, so an older edgebench refuses it by its version. */
#define EBM_V3_FIRST_TYPE 10u
#define EBM_FLAG_SPARSE 1u
#define EBM_FLAG_TFL_SOFTMAX 2u /* version 2: int8 softmax with TFLite's arithmetic */
#define EBM_HEADER_BYTES 288u
#define EBM_TENSOR_BYTES 32u
#define EBM_OP_BYTES 176u
#define EBM_MAX_BYTES (UINT64_C(1) << 30)
#define EBM_ARRAYS 5 /* weights, bias, wscale, row_ptr, col_idx */

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

uint32_t eb_ebm_crc32(const uint8_t *p, size_t n)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

/* ---- little-endian helpers --------------------------------------------------------- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_f64(uint8_t *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(p, v);
}
static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static int32_t get_i32(const uint8_t *p) { return (int32_t)get_u32(p); }
static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}
static double get_f64(const uint8_t *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* ---- the arrays of one op ---------------------------------------------------------- */

typedef struct {
    uint64_t bytes[EBM_ARRAYS];
} op_sizes;

/* Expected byte size of each array, from the (already checked) shapes. */
static op_sizes expected_sizes(const eb_graph *g, const eb_gop *op)
{
    op_sizes s;
    memset(&s, 0, sizeof s);
    if (!eb_gop_has_weights(op))
        return s;
    uint64_t oc = (uint64_t)eb_gop_out_channels(g, op);
    uint64_t nw = op->sparse ? (uint64_t)op->nnz : (uint64_t)eb_gop_dense_weights(g, op);
    s.bytes[0] = nw * eb_dtype_size(g->dtype);
    s.bytes[1] = oc * 4;
    if (g->dtype == EB_S8)
        s.bytes[2] = oc * 8;
    if (op->sparse) {
        s.bytes[3] = (oc + 1) * 4;
        s.bytes[4] = (uint64_t)op->nnz * 2;
    }
    return s;
}

static uint64_t align8(uint64_t v) { return (v + 7) & ~UINT64_C(7); }

/* ---- writing ----------------------------------------------------------------------- */

static void write_array(uint8_t *dst, const eb_graph *g, const eb_gop *op, int which,
                        uint64_t bytes)
{
    bool f32 = g->dtype == EB_F32;
    switch (which) {
    case 0:
        if (f32)
            for (uint64_t i = 0; i < bytes / 4; i++) {
                uint32_t u;
                memcpy(&u, &op->w[i], 4);
                put_u32(dst + 4 * i, u);
            }
        else
            memcpy(dst, op->wq, bytes);
        break;
    case 1:
        for (uint64_t i = 0; i < bytes / 4; i++) {
            uint32_t u;
            if (f32)
                memcpy(&u, &op->b[i], 4);
            else
                u = (uint32_t)op->bq[i];
            put_u32(dst + 4 * i, u);
        }
        break;
    case 2:
        for (uint64_t i = 0; i < bytes / 8; i++)
            put_f64(dst + 8 * i, op->wscale[i]);
        break;
    case 3:
        for (uint64_t i = 0; i < bytes / 4; i++)
            put_u32(dst + 4 * i, (uint32_t)op->row_ptr[i]);
        break;
    case 4:
        for (uint64_t i = 0; i < bytes / 2; i++) {
            dst[2 * i] = (uint8_t)op->col_idx[i];
            dst[2 * i + 1] = (uint8_t)(op->col_idx[i] >> 8);
        }
        break;
    }
}

eb_status eb_ebm_serialize(const eb_graph *g, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    uint64_t tensors_off = EBM_HEADER_BYTES;
    uint64_t ops_off = tensors_off + (uint64_t)g->nt * EBM_TENSOR_BYTES;
    uint64_t weights_off = align8(ops_off + (uint64_t)g->nops * EBM_OP_BYTES);
    uint64_t wbytes = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        op_sizes s = expected_sizes(g, &g->op[i]);
        for (int k = 0; k < EBM_ARRAYS; k++)
            wbytes += align8(s.bytes[k]);
    }
    uint64_t total = weights_off + wbytes + 4;
    if (total > EBM_MAX_BYTES)
        return EB_ERR_NOMEM;
    uint8_t *b = calloc(1, (size_t)total);
    if (!b)
        return EB_ERR_NOMEM;
    memcpy(b, EBM_MAGIC, 4);
    bool v2 = false, v3 = false;
    for (int32_t i = 0; i < g->nops; i++) {
        v2 |= g->op[i].tfl_softmax;
        v3 |= (uint32_t)g->op[i].type >= EBM_V3_FIRST_TYPE;
    }
    put_u32(b + 4, v3 ? EBM_VERSION : v2 ? EBM_VERSION_2 : EBM_VERSION_1);
    put_u32(b + 8, EBM_HEADER_BYTES);
    put_u32(b + 12, 0);
    put_u64(b + 16, total);
    put_u32(b + 24, (uint32_t)g->dtype);
    put_u32(b + 28, (uint32_t)g->nt);
    put_u32(b + 32, (uint32_t)g->nops);
    put_u32(b + 36, (uint32_t)g->input);
    put_u32(b + 40, (uint32_t)g->output);
    put_u64(b + 48, tensors_off);
    put_u64(b + 56, ops_off);
    put_u64(b + 64, weights_off);
    put_u64(b + 72, wbytes);
    uint64_t macs = 0, params = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        macs += eb_gop_macs(g, &g->op[i]);
        params += eb_gop_params(g, &g->op[i]);
    }
    put_u64(b + 80, macs);
    put_u64(b + 88, params);
    memcpy(b + 96, g->name, strnlen(g->name, 95));
    memcpy(b + 192, g->arch, strnlen(g->arch, 47));
    memcpy(b + 240, g->variant, strnlen(g->variant, 31));
    for (int32_t i = 0; i < g->nt; i++) {
        uint8_t *r = b + tensors_off + (uint64_t)i * EBM_TENSOR_BYTES;
        const eb_gtensor *t = &g->t[i];
        put_u32(r, (uint32_t)t->h);
        put_u32(r + 4, (uint32_t)t->w);
        put_u32(r + 8, (uint32_t)t->c);
        put_u32(r + 12, (uint32_t)(g->dtype == EB_S8 ? t->zp : 0));
        put_f64(r + 16, g->dtype == EB_S8 ? t->scale : 1.0);
    }
    uint64_t woff = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        uint8_t *r = b + ops_off + (uint64_t)i * EBM_OP_BYTES;
        const eb_gop *op = &g->op[i];
        put_u32(r, (uint32_t)op->type);
        put_u32(r + 4, (uint32_t)op->act);
        put_u32(r + 8, (uint32_t)op->in0);
        put_u32(r + 12, (uint32_t)op->in1);
        put_u32(r + 16, (uint32_t)op->out);
        put_u32(r + 20, (uint32_t)op->k_h);
        put_u32(r + 24, (uint32_t)op->k_w);
        put_u32(r + 28, (uint32_t)op->stride_h);
        put_u32(r + 32, (uint32_t)op->stride_w);
        put_u32(r + 36, (uint32_t)op->pad_top);
        put_u32(r + 40, (uint32_t)op->pad_left);
        put_u32(r + 44, (uint32_t)op->pad_bottom);
        put_u32(r + 48, (uint32_t)op->pad_right);
        put_u32(r + 52, (op->sparse ? EBM_FLAG_SPARSE : 0u) |
                            (op->tfl_softmax ? EBM_FLAG_TFL_SOFTMAX : 0u));
        put_u32(r + 56, (uint32_t)(op->sparse ? op->nnz : 0));
        memcpy(r + 64, op->name, strnlen(op->name, 31));
        op_sizes s = expected_sizes(g, op);
        for (int k = 0; k < EBM_ARRAYS; k++) {
            if (!s.bytes[k])
                continue;
            put_u64(r + 96 + 16 * k, woff);
            put_u64(r + 104 + 16 * k, s.bytes[k]);
            write_array(b + weights_off + woff, g, op, k, s.bytes[k]);
            woff += align8(s.bytes[k]);
        }
    }
    put_u32(b + total - 4, eb_ebm_crc32(b, (size_t)total - 4));
    *buf = b;
    *len = (size_t)total;
    return EB_OK;
}

eb_status eb_ebm_save(const eb_graph *g, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    eb_status st = eb_ebm_serialize(g, &buf, &len);
    if (st != EB_OK) {
        errf(err, errlen, "cannot serialize model '%s': %s", g->name, eb_status_str(st));
        return st;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(buf);
        return EB_ERR_NOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        errf(err, errlen, "cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        free(buf);
        return EB_ERR_IO;
    }
    fchmod(fd, 0644); /* mkstemp makes it 0600; a model file is not a secret */
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, buf + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int werr = done == len ? 0 : errno;
    if (fsync(fd) != 0 && !werr)
        werr = errno;
    if (close(fd) != 0 && !werr)
        werr = errno;
    free(buf);
    if (done != len || werr || rename(tmp, path) != 0) {
        if (!werr)
            werr = errno;
        errf(err, errlen, "cannot write '%s': %s", path, strerror(werr ? werr : EIO));
        unlink(tmp);
        free(tmp);
        return EB_ERR_IO;
    }
    free(tmp);
    return EB_OK;
}

eb_status eb_model_export(const eb_model *m, const char *path, char *err, size_t errlen)
{
    if (!m || !path || !*path) {
        errf(err, errlen, "export needs a model and an output path");
        return EB_ERR_ARG;
    }
    return eb_ebm_save(m->g, path, err, errlen);
}

/* ---- reading ----------------------------------------------------------------------- */

/* A fixed-size text field: NUL-terminated inside, printable ASCII. */
static bool get_text(const uint8_t *p, size_t n, char *out)
{
    size_t len = strnlen((const char *)p, n);
    if (len == n)
        return false;
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    memcpy(out, p, len);
    out[len] = 0;
    return true;
}

static bool region_ok(uint64_t off, uint64_t bytes, uint64_t lo, uint64_t hi)
{
    return off >= lo && off <= hi && bytes <= hi - off;
}

static eb_status read_array(eb_gop *op, eb_dtype dt, int which, const uint8_t *src,
                            uint64_t bytes)
{
    void *dst = malloc(bytes ? (size_t)bytes : 1);
    if (!dst)
        return EB_ERR_NOMEM;
    bool f32 = dt == EB_F32;
    switch (which) {
    case 0:
        if (f32) {
            float *w = dst;
            for (uint64_t i = 0; i < bytes / 4; i++) {
                uint32_t u = get_u32(src + 4 * i);
                memcpy(&w[i], &u, 4);
            }
            op->w = w;
        } else {
            memcpy(dst, src, (size_t)bytes);
            op->wq = dst;
        }
        break;
    case 1:
        if (f32) {
            float *b = dst;
            for (uint64_t i = 0; i < bytes / 4; i++) {
                uint32_t u = get_u32(src + 4 * i);
                memcpy(&b[i], &u, 4);
            }
            op->b = b;
        } else {
            int32_t *b = dst;
            for (uint64_t i = 0; i < bytes / 4; i++)
                b[i] = get_i32(src + 4 * i);
            op->bq = b;
        }
        break;
    case 2: {
        double *s = dst;
        for (uint64_t i = 0; i < bytes / 8; i++)
            s[i] = get_f64(src + 8 * i);
        op->wscale = s;
        break;
    }
    case 3: {
        int32_t *r = dst;
        for (uint64_t i = 0; i < bytes / 4; i++)
            r[i] = get_i32(src + 4 * i);
        op->row_ptr = r;
        break;
    }
    case 4: {
        uint16_t *c = dst;
        for (uint64_t i = 0; i < bytes / 2; i++)
            c[i] = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        op->col_idx = c;
        break;
    }
    }
    return EB_OK;
}

static bool finite_weights(const eb_graph *g, const eb_gop *op)
{
    if (g->dtype != EB_F32 || !eb_gop_has_weights(op))
        return true;
    size_t nw = op->sparse ? (size_t)op->nnz : (size_t)eb_gop_dense_weights(g, op);
    for (size_t i = 0; i < nw; i++)
        if (!isfinite(op->w[i]))
            return false;
    for (int32_t c = 0; c < eb_gop_out_channels(g, op); c++)
        if (!isfinite(op->b[c]))
            return false;
    return true;
}

eb_status eb_ebm_parse(const uint8_t *b, size_t len, eb_graph **out, char *err, size_t errlen)
{
    *out = NULL;
    if (len < EBM_HEADER_BYTES + 4 || memcmp(b, EBM_MAGIC, 4) != 0) {
        errf(err, errlen, "not an edgebench model file (bad magic or too short)");
        return EB_ERR_FORMAT;
    }
    uint32_t version = get_u32(b + 4);
    if (version < EBM_VERSION_1 || version > EBM_VERSION) {
        errf(err, errlen, "model file version %u is not supported (this edgebench reads 1 "
                          "to %u)", version, EBM_VERSION);
        return EB_ERR_FORMAT;
    }
    uint64_t file_bytes = get_u64(b + 16);
    if (file_bytes != len) {
        errf(err, errlen, "model file is %zu bytes but its header says %llu (truncated or "
                          "extended)", len, (unsigned long long)file_bytes);
        return EB_ERR_FORMAT;
    }
    uint32_t crc = get_u32(b + len - 4);
    if (eb_ebm_crc32(b, len - 4) != crc) {
        errf(err, errlen, "model file is corrupt (CRC-32 mismatch)");
        return EB_ERR_FORMAT;
    }
    if (get_u32(b + 8) != EBM_HEADER_BYTES || get_u32(b + 12) != 0) {
        errf(err, errlen, "model file has an unknown header size or flags");
        return EB_ERR_FORMAT;
    }
    uint32_t dtype = get_u32(b + 24), nt = get_u32(b + 28), nops = get_u32(b + 32);
    uint32_t input = get_u32(b + 36), output = get_u32(b + 40);
    uint64_t toff = get_u64(b + 48), ooff = get_u64(b + 56);
    uint64_t woff = get_u64(b + 64), wbytes = get_u64(b + 72);
    uint64_t end = len - 4;
    if (dtype > EB_S8 || nt < 1 || nt > EB_GRAPH_MAX_TENSORS || nops < 1 ||
        nops > EB_GRAPH_MAX_OPS || input >= nt || output >= nt) {
        errf(err, errlen, "model file header has bad counts (datatype %u, %u tensors, %u ops)",
             dtype, nt, nops);
        return EB_ERR_FORMAT;
    }
    if (!region_ok(toff, (uint64_t)nt * EBM_TENSOR_BYTES, EBM_HEADER_BYTES, end) ||
        !region_ok(ooff, (uint64_t)nops * EBM_OP_BYTES, EBM_HEADER_BYTES, end) ||
        !region_ok(woff, wbytes, EBM_HEADER_BYTES, end)) {
        errf(err, errlen, "model file sections lie outside the file");
        return EB_ERR_FORMAT;
    }
    eb_graph *g = eb_graph_new((eb_dtype)dtype);
    if (!g)
        return EB_ERR_NOMEM;
    eb_status st = EB_OK;
    if (!get_text(b + 96, 96, g->name) || !get_text(b + 192, 48, g->arch) ||
        !get_text(b + 240, 32, g->variant)) {
        errf(err, errlen, "model file has an unterminated or non-printable name");
        st = EB_ERR_FORMAT;
        goto fail;
    }
    g->input = (int32_t)input;
    g->output = (int32_t)output;
    for (uint32_t i = 0; i < nt; i++) {
        const uint8_t *r = b + toff + (uint64_t)i * EBM_TENSOR_BYTES;
        int32_t t = eb_graph_add_tensor(g, get_i32(r), get_i32(r + 4), get_i32(r + 8));
        if (t < 0) {
            st = EB_ERR_NOMEM;
            goto fail;
        }
        g->t[t].zp = get_i32(r + 12);
        g->t[t].scale = get_f64(r + 16);
    }
    for (uint32_t i = 0; i < nops; i++) {
        const uint8_t *r = b + ooff + (uint64_t)i * EBM_OP_BYTES;
        eb_gop op;
        memset(&op, 0, sizeof op);
        op.type = (eb_op_type)get_u32(r);
        op.act = (eb_act)get_u32(r + 4);
        op.in0 = get_i32(r + 8);
        op.in1 = get_i32(r + 12);
        op.out = get_i32(r + 16);
        op.k_h = get_i32(r + 20);
        op.k_w = get_i32(r + 24);
        op.stride_h = get_i32(r + 28);
        op.stride_w = get_i32(r + 32);
        op.pad_top = get_i32(r + 36);
        op.pad_left = get_i32(r + 40);
        op.pad_bottom = get_i32(r + 44);
        op.pad_right = get_i32(r + 48);
        uint32_t flags = get_u32(r + 52);
        uint32_t nnz = get_u32(r + 56);
        uint32_t known = EBM_FLAG_SPARSE | (version >= 2 ? EBM_FLAG_TFL_SOFTMAX : 0u);
        bool tfl = flags & EBM_FLAG_TFL_SOFTMAX;
        if ((flags & ~known) || get_u32(r + 60) != 0 || nnz > INT32_MAX ||
            (!(flags & EBM_FLAG_SPARSE) && nnz != 0) ||
            (tfl && (op.type != EB_OP_SOFTMAX || dtype != EB_S8)) ||
            !get_text(r + 64, 32, op.name)) {
            errf(err, errlen, "model file op %u has bad flags or name", i);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        if ((uint32_t)op.type >= EBM_V3_FIRST_TYPE && version < 3) {
            errf(err, errlen, "model file op %u has type %u, which version %u files do not "
                              "have (version 3 added the types from %u)",
                 i, (unsigned)op.type, version, EBM_V3_FIRST_TYPE);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        op.sparse = flags & EBM_FLAG_SPARSE;
        op.tfl_softmax = tfl;
        op.nnz = (int32_t)nnz;
        if (eb_graph_add_op(g, &op) < 0) {
            st = EB_ERR_NOMEM;
            goto fail;
        }
    }
    /* shapes, references and op parameters before any size is derived from them */
    st = eb_graph_check(g, false, err, errlen);
    if (st != EB_OK)
        goto fail;
    for (uint32_t i = 0; i < nops; i++) {
        const uint8_t *r = b + ooff + (uint64_t)i * EBM_OP_BYTES;
        eb_gop *op = &g->op[i];
        if (op->sparse && (uint64_t)op->nnz > (uint64_t)eb_gop_dense_weights(g, op)) {
            errf(err, errlen, "model file op %u (%s) has more nonzeros than weights", i,
                 op->name);
            st = EB_ERR_FORMAT;
            goto fail;
        }
        op_sizes want = expected_sizes(g, op);
        for (int k = 0; k < EBM_ARRAYS; k++) {
            uint64_t off = get_u64(r + 96 + 16 * k), bytes = get_u64(r + 104 + 16 * k);
            if (bytes != want.bytes[k] || (bytes == 0 && off != 0) ||
                !region_ok(off, bytes, 0, wbytes)) {
                errf(err, errlen, "model file op %u (%s) has a weight array of the wrong "
                                  "size or outside the weights section", i, op->name);
                st = EB_ERR_FORMAT;
                goto fail;
            }
            /* a sparse op whose every weight was pruned (nnz 0) still has its arrays,
             * empty: without them the graph check would refuse what was saved */
            if (bytes || (op->sparse && (k == 0 || k == 4))) {
                st = read_array(op, g->dtype, k, b + woff + off, bytes);
                if (st != EB_OK)
                    goto fail;
            }
        }
        if (!finite_weights(g, op)) {
            errf(err, errlen, "model file op %u (%s) has non-finite weights", i, op->name);
            st = EB_ERR_FORMAT;
            goto fail;
        }
    }
    st = eb_graph_check(g, true, err, errlen);
    if (st != EB_OK)
        goto fail;
    uint64_t macs = 0, params = 0;
    for (int32_t i = 0; i < g->nops; i++) {
        macs += eb_gop_macs(g, &g->op[i]);
        params += eb_gop_params(g, &g->op[i]);
    }
    if (macs != get_u64(b + 80) || params != get_u64(b + 88)) {
        errf(err, errlen, "model file counts do not match its layers");
        st = EB_ERR_FORMAT;
        goto fail;
    }
    *out = g;
    return EB_OK;
fail:
    eb_graph_free(g);
    if (err && errlen && !err[0])
        errf(err, errlen, "cannot load model file: %s", eb_status_str(st));
    return st;
}

eb_status eb_ebm_load(const char *path, eb_graph **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        errf(err, errlen, "cannot open model file '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        errf(err, errlen, "model file '%s' is not a regular file", path);
        return EB_ERR_IO;
    }
    if ((uint64_t)sb.st_size > EBM_MAX_BYTES) {
        fclose(f);
        errf(err, errlen, "model file '%s' is %lld bytes, over the 1 GiB limit", path,
             (long long)sb.st_size);
        return EB_ERR_FORMAT;
    }
    size_t len = (size_t)sb.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(f);
        errf(err, errlen, "out of memory reading '%s'", path);
        return EB_ERR_NOMEM;
    }
    size_t got = fread(buf, 1, len, f);
    fclose(f);
    if (got != len) {
        free(buf);
        errf(err, errlen, "cannot read model file '%s'", path);
        return EB_ERR_IO;
    }
    char inner[256] = "";
    eb_status st = eb_ebm_parse(buf, len, out, inner, sizeof inner);
    free(buf);
    if (st != EB_OK)
        errf(err, errlen, "%s: %s", path, inner);
    return st;
}
