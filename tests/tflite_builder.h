/* tflite_builder.h - a tiny FlatBuffers writer for tests: builds .tflite files in
 * memory, so the reader is covered on any machine, and records where every object and
 * field landed, so hostile tests can corrupt exactly one of them afterwards.
 *
 * Two layers:
 *  - tb_*: generic. Make nodes (tables with scalar and offset fields, scalar vectors,
 *    vectors of tables, strings), then tb_finish() lays them out front to back: a
 *    table's vtable just before it, children after their parent (FlatBuffers offsets
 *    point forward), scalars aligned to their size, byte vectors to 16.
 *  - tbm_*: a TFLite model (schema field ids as in tensorflow/lite/schema/schema.fbs):
 *    operator codes, buffers, tensors with quantization, operators with options,
 *    subgraph inputs and outputs.
 * Everything is freed by tb_free / tbm_free; the finished bytes belong to the caller.
 * Header-only (static functions) so each test file that includes it stays one unit. */
#ifndef TFLITE_BUILDER_H
#define TFLITE_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TB_MAX_FIELDS 16

enum { TB_TABLE, TB_VEC, TB_VEC_TABLES, TB_STRING };

typedef struct tb_node tb_node;
struct tb_node {
    int kind;
    /* table */
    int nfields;
    struct {
        int id;
        int size;       /* 1, 2, 4 or 8 for scalars; 4 for offsets */
        uint64_t value; /* scalar bits */
        tb_node *ref;   /* offset field: the child */
    } f[TB_MAX_FIELDS];
    /* scalar vector / string */
    uint8_t *data;
    uint32_t len, elem;
    /* vector of tables */
    tb_node **items;
    int nitems, capitems;
    /* after tb_finish: positions in the output */
    size_t pos;                      /* table start, or a vector's/string's length field */
    size_t vtable;                   /* table: its vtable */
    size_t field_pos[TB_MAX_FIELDS]; /* table: each field (by index in f[]) */
    int placed;
};

typedef struct {
    tb_node **all;
    int n, cap;
    uint8_t *buf;
    size_t len, cap_buf;
} tb_builder;

static inline void tb_die(const char *what)
{
    fprintf(stderr, "tflite_builder: %s\n", what);
    abort();
}

static inline tb_node *tb_new(tb_builder *b, int kind)
{
    tb_node *n = calloc(1, sizeof *n);
    if (!n)
        tb_die("out of memory");
    n->kind = kind;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->all = realloc(b->all, sizeof *b->all * (size_t)b->cap);
        if (!b->all)
            tb_die("out of memory");
    }
    b->all[b->n++] = n;
    return n;
}

static inline tb_node *tb_table(tb_builder *b)
{
    return tb_new(b, TB_TABLE);
}

static inline void tb_scalar(tb_node *t, int id, int size, uint64_t bits)
{
    if (t->nfields == TB_MAX_FIELDS)
        tb_die("too many fields");
    t->f[t->nfields].id = id;
    t->f[t->nfields].size = size;
    t->f[t->nfields].value = bits;
    t->f[t->nfields].ref = NULL;
    t->nfields++;
}
static inline void tb_u8(tb_node *t, int id, uint8_t v)
{
    tb_scalar(t, id, 1, v);
}
static inline void tb_i32(tb_node *t, int id, int32_t v)
{
    tb_scalar(t, id, 4, (uint32_t)v);
}
static inline void tb_u64(tb_node *t, int id, uint64_t v)
{
    tb_scalar(t, id, 8, v);
}
static inline void tb_f32(tb_node *t, int id, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    tb_scalar(t, id, 4, u);
}
static inline void tb_ref(tb_node *t, int id, tb_node *child)
{
    tb_scalar(t, id, 4, 0);
    t->f[t->nfields - 1].ref = child;
}

static inline tb_node *tb_vec(tb_builder *b, const void *data, uint32_t len, uint32_t elem)
{
    tb_node *n = tb_new(b, TB_VEC);
    n->len = len;
    n->elem = elem;
    n->data = malloc((size_t)len * elem + 1);
    if (!n->data)
        tb_die("out of memory");
    if (len)
        memcpy(n->data, data, (size_t)len * elem);
    return n;
}
static inline tb_node *tb_vec_i32(tb_builder *b, const int32_t *v, uint32_t n)
{
    return tb_vec(b, v, n, 4); /* the test hosts are little-endian, like the format */
}
static inline tb_node *tb_string(tb_builder *b, const char *s)
{
    tb_node *n = tb_vec(b, s, (uint32_t)strlen(s), 1);
    n->kind = TB_STRING;
    return n;
}
static inline tb_node *tb_vec_tables(tb_builder *b)
{
    return tb_new(b, TB_VEC_TABLES);
}
static inline int tb_push(tb_node *v, tb_node *item)
{
    if (v->nitems == v->capitems) {
        v->capitems = v->capitems ? v->capitems * 2 : 8;
        v->items = realloc(v->items, sizeof *v->items * (size_t)v->capitems);
        if (!v->items)
            tb_die("out of memory");
    }
    v->items[v->nitems] = item;
    return v->nitems++;
}

/* ---- layout ---- */

static inline void tb_reserve(tb_builder *b, size_t more)
{
    if (b->len + more <= b->cap_buf)
        return;
    size_t cap = b->cap_buf ? b->cap_buf : 1024;
    while (cap < b->len + more)
        cap *= 2;
    b->buf = realloc(b->buf, cap);
    if (!b->buf)
        tb_die("out of memory");
    memset(b->buf + b->cap_buf, 0, cap - b->cap_buf);
    b->cap_buf = cap;
}
static inline void tb_pad_to(tb_builder *b, size_t align, size_t extra)
{
    /* pad so that (len + extra) % align == 0 */
    while ((b->len + extra) % align) {
        tb_reserve(b, 1);
        b->buf[b->len++] = 0;
    }
}
static inline void tb_put(tb_builder *b, const void *p, size_t n)
{
    tb_reserve(b, n);
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}
static inline void tb_put32_at(tb_builder *b, size_t at, uint32_t v)
{
    memcpy(b->buf + at, &v, 4);
}

static inline void tb_place(tb_builder *b, tb_node *n);

/* Stores at `at` the offset to `child`, placing the child first if it is new. */
static inline void tb_link(tb_builder *b, size_t at, tb_node *child)
{
    if (!child->placed)
        tb_place(b, child);
    if (child->pos <= at)
        tb_die("shared child placed before its parent (offsets only point forward)");
    tb_put32_at(b, at, (uint32_t)(child->pos - at));
}

static inline void tb_place(tb_builder *b, tb_node *n)
{
    n->placed = 1;
    if (n->kind == TB_VEC || n->kind == TB_STRING) {
        uint32_t align = n->elem == 1 && n->kind == TB_VEC ? 16 : (n->elem > 4 ? n->elem : 4);
        tb_pad_to(b, align, 4);
        n->pos = b->len;
        tb_put(b, &n->len, 4);
        tb_put(b, n->data, (size_t)n->len * n->elem);
        if (n->kind == TB_STRING)
            tb_put(b, "", 1);
        return;
    }
    if (n->kind == TB_VEC_TABLES) {
        tb_pad_to(b, 4, 0);
        n->pos = b->len;
        uint32_t len = (uint32_t)n->nitems;
        tb_put(b, &len, 4);
        size_t first = b->len;
        tb_reserve(b, 4u * len);
        b->len += 4u * len;
        for (int i = 0; i < n->nitems; i++)
            tb_link(b, first + 4u * (size_t)i, n->items[i]);
        return;
    }
    /* table: vtable, then soffset + fields (largest first keeps them aligned) */
    int maxid = -1;
    for (int i = 0; i < n->nfields; i++)
        if (n->f[i].id > maxid)
            maxid = n->f[i].id;
    uint16_t vt_size = (uint16_t)(4 + 2 * (maxid + 1));
    tb_pad_to(b, 2, 0);
    n->vtable = b->len;
    tb_reserve(b, vt_size);
    b->len += vt_size;
    tb_pad_to(b, 8, 0);
    n->pos = b->len;
    int32_t so = (int32_t)(n->pos - n->vtable);
    tb_put(b, &so, 4);
    for (int size = 8; size >= 1; size /= 2) {
        for (int i = 0; i < n->nfields; i++) {
            if (n->f[i].size != size)
                continue;
            tb_pad_to(b, (size_t)size, 0);
            n->field_pos[i] = b->len;
            tb_put(b, &n->f[i].value, (size_t)size); /* little-endian host */
        }
    }
    uint16_t obj = (uint16_t)(b->len - n->pos);
    memcpy(b->buf + n->vtable, &vt_size, 2);
    memcpy(b->buf + n->vtable + 2, &obj, 2);
    for (int i = 0; i < n->nfields; i++) {
        uint16_t off = (uint16_t)(n->field_pos[i] - n->pos);
        memcpy(b->buf + n->vtable + 4 + 2 * n->f[i].id, &off, 2);
    }
    for (int i = 0; i < n->nfields; i++)
        if (n->f[i].ref)
            tb_link(b, n->field_pos[i], n->f[i].ref);
}

/* Lays out the tree under `root`; returns a malloc'd copy of the bytes. */
static inline uint8_t *tb_finish(tb_builder *b, tb_node *root, const char ident[4],
                                 size_t *size)
{
    b->len = 0;
    tb_reserve(b, 8);
    b->len = 8;
    memcpy(b->buf + 4, ident, 4);
    tb_link(b, 0, root);
    uint8_t *out = malloc(b->len);
    if (!out)
        tb_die("out of memory");
    memcpy(out, b->buf, b->len);
    *size = b->len;
    return out;
}

/* Position of field `id` of a placed table (0 when the table has no such field). */
static inline size_t tb_field_pos(const tb_node *t, int id)
{
    for (int i = 0; i < t->nfields; i++)
        if (t->f[i].id == id)
            return t->field_pos[i];
    return 0;
}

static inline void tb_free(tb_builder *b)
{
    for (int i = 0; i < b->n; i++) {
        free(b->all[i]->data);
        free(b->all[i]->items);
        free(b->all[i]);
    }
    free(b->all);
    free(b->buf);
    memset(b, 0, sizeof *b);
}

/* ---- TFLite models ---- */

typedef struct {
    tb_builder b;
    tb_node *model, *subgraph, *opcodes, *buffers, *tensors, *operators;
    tb_node *tensor[256]; /* the tensor tables, by index */
    tb_node *op[256];     /* the operator tables */
    tb_node *buffer[256]; /* the buffer tables */
    int n_tensors, n_ops, n_buffers;
} tbm;

static inline void tbm_init(tbm *m)
{
    memset(m, 0, sizeof *m);
    tb_builder *b = &m->b;
    m->model = tb_table(b);
    tb_i32(m->model, 0, 3); /* version */
    m->opcodes = tb_vec_tables(b);
    m->buffers = tb_vec_tables(b);
    tb_node *sgs = tb_vec_tables(b);
    m->subgraph = tb_table(b);
    tb_push(sgs, m->subgraph);
    m->tensors = tb_vec_tables(b);
    m->operators = tb_vec_tables(b);
    tb_ref(m->model, 1, m->opcodes);
    tb_ref(m->model, 2, sgs);
    tb_ref(m->model, 3, tb_string(b, "edgebench test model"));
    tb_ref(m->model, 4, m->buffers);
    tb_ref(m->subgraph, 0, m->tensors);
    tb_ref(m->subgraph, 3, m->operators);
    tb_ref(m->subgraph, 4, tb_string(b, "main"));
    /* buffer 0: the empty sentinel */
    m->buffer[m->n_buffers++] = tb_table(b);
    tb_push(m->buffers, m->buffer[0]);
}

/* An operator code: both the deprecated byte (saturated at 127) and the int32 field,
 * as the converter writes them. Returns its index. */
static inline int tbm_opcode(tbm *m, int32_t builtin, int32_t version)
{
    tb_node *c = tb_table(&m->b);
    tb_u8(c, 0, (uint8_t)(builtin < 127 ? builtin : 127));
    tb_i32(c, 2, version);
    tb_i32(c, 3, builtin);
    return tb_push(m->opcodes, c);
}

static inline int tbm_custom_opcode(tbm *m, const char *name)
{
    tb_node *c = tb_table(&m->b);
    tb_u8(c, 0, 32); /* CUSTOM */
    tb_ref(c, 1, tb_string(&m->b, name));
    tb_i32(c, 3, 32);
    return tb_push(m->opcodes, c);
}

/* A buffer holding `len` bytes (NULL/0: an empty buffer). Returns its index. */
static inline int tbm_buffer(tbm *m, const void *data, uint32_t len)
{
    tb_node *t = tb_table(&m->b);
    if (data)
        tb_ref(t, 0, tb_vec(&m->b, data, len, 1));
    if (m->n_buffers == 256)
        tb_die("more than 256 buffers");
    m->buffer[m->n_buffers] = t;
    m->n_buffers++;
    return tb_push(m->buffers, t);
}

static inline int tbm_tensor(tbm *m, const char *name, int8_t type, int rank,
                             const int32_t *shape, int buffer)
{
    tb_node *t = tb_table(&m->b);
    tb_ref(t, 0, tb_vec_i32(&m->b, shape, (uint32_t)rank));
    tb_u8(t, 1, (uint8_t)type);
    tb_i32(t, 2, buffer);
    if (name)
        tb_ref(t, 3, tb_string(&m->b, name));
    if (m->n_tensors == 256)
        tb_die("more than 256 tensors");
    m->tensor[m->n_tensors++] = t;
    return tb_push(m->tensors, t);
}

/* A constant tensor with its own buffer of `bytes`. */
static inline int tbm_const(tbm *m, const char *name, int8_t type, int rank,
                            const int32_t *shape, const void *data, uint32_t bytes)
{
    return tbm_tensor(m, name, type, rank, shape, tbm_buffer(m, data, bytes));
}

static inline void tbm_quant(tbm *m, int tensor, int n, const float *scale, const int64_t *zp,
                             int qdim)
{
    tb_node *q = tb_table(&m->b);
    tb_ref(q, 2, tb_vec(&m->b, scale, (uint32_t)n, 4));
    if (zp)
        tb_ref(q, 3, tb_vec(&m->b, zp, (uint32_t)n, 8));
    if (qdim)
        tb_i32(q, 6, qdim);
    tb_ref(m->tensor[tensor], 4, q);
}

/* An operator; `options` may be NULL (no table) with opt_type 0 or not. */
static inline int tbm_op(tbm *m, int opcode, int nin, const int32_t *in, int nout,
                         const int32_t *out, uint8_t opt_type, tb_node *options)
{
    tb_node *o = tb_table(&m->b);
    tb_i32(o, 0, opcode);
    tb_ref(o, 1, tb_vec_i32(&m->b, in, (uint32_t)nin));
    tb_ref(o, 2, tb_vec_i32(&m->b, out, (uint32_t)nout));
    if (opt_type)
        tb_u8(o, 3, opt_type);
    if (options)
        tb_ref(o, 4, options);
    if (m->n_ops == 256)
        tb_die("more than 256 operators");
    m->op[m->n_ops++] = o;
    return tb_push(m->operators, o);
}

static inline void tbm_io(tbm *m, int nin, const int32_t *in, int nout, const int32_t *out)
{
    tb_ref(m->subgraph, 1, tb_vec_i32(&m->b, in, (uint32_t)nin));
    tb_ref(m->subgraph, 2, tb_vec_i32(&m->b, out, (uint32_t)nout));
}

static inline uint8_t *tbm_finish(tbm *m, size_t *size)
{
    return tb_finish(&m->b, m->model, "TFL3", size);
}

static inline void tbm_free(tbm *m)
{
    tb_free(&m->b);
}

#endif
