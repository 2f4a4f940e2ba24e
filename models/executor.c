/* executor.c - contexts (arena + scratch) and running a model's ops in order. */
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_pool.h"
#include "eb_rng.h"

eb_status eb_context_create_threads(const eb_model *m, int nthreads, eb_context **out)
{
    if (!m || !out || nthreads < 1 || nthreads > EB_POOL_MAX_THREADS)
        return EB_ERR_ARG;
    *out = NULL;
    eb_context *c = calloc(1, sizeof *c);
    if (!c)
        return EB_ERR_NOMEM;
    uint64_t arena = m->info.arena_bytes, scratch = m->info.scratch_bytes;
    /* every thread has its own scratch: a split op's part needs no more than the whole */
    uint64_t total = arena + scratch * (uint64_t)nthreads;
    if (scratch > SIZE_MAX / (uint64_t)nthreads || total > SIZE_MAX - EB_ARENA_ALIGN) {
        free(c);
        return EB_ERR_NOMEM;
    }
    /* One block; zeroed so that a run before fill_input reads defined values. */
    c->mem = aligned_alloc(EB_ARENA_ALIGN, total ? (size_t)total : EB_ARENA_ALIGN);
    if (!c->mem) {
        free(c);
        return EB_ERR_NOMEM;
    }
    memset(c->mem, 0, total ? (size_t)total : EB_ARENA_ALIGN);
    c->m = m;
    c->arena = c->mem;
    c->scratch = scratch ? c->arena + arena : NULL;
    c->scratch_stride = (size_t)scratch;
    c->nthreads = nthreads;
    if (nthreads > 1) {
        eb_status st = eb_pool_create(nthreads, &c->pool);
        if (st != EB_OK) {
            free(c->mem);
            free(c);
            return st;
        }
    }
    *out = c;
    return EB_OK;
}

eb_status eb_context_create(const eb_model *m, eb_context **out)
{
    return eb_context_create_threads(m, 1, out);
}

int eb_context_threads(const eb_context *c)
{
    return c->nthreads;
}

void eb_context_free(eb_context *c)
{
    if (!c)
        return;
    eb_pool_free(c->pool);
    free(c->mem);
    free(c);
}

void *eb_context_input(eb_context *c)
{
    return c->arena + c->m->g->t[c->m->g->input].offset;
}

const void *eb_context_output(const eb_context *c)
{
    return c->arena + c->m->g->t[c->m->g->output].offset;
}

/* One call helper per kernel signature, passing what its row in eb_ops.inc lists. */
#define X_P xp
#define X_RQ (&x->rq)
#define X_CSR (&x->csr)
#define X_W x->w
#define X_B x->b
#define X_PACKED x->packed
#define X_IN0 in0
#define X_IN1 in1
#define X_OUT out
#define X_SCRATCH scratch
#define EB_KPARAMS(...)
#define EB_OP(...)
#define EB_KCLASS(cls, P, member, run_args, call)                                          \
    static inline void call_##cls(eb_##cls##_run_fn *fn, const eb_xop *x, const void *in0, \
                                  const void *in1, void *out, void *scratch)               \
    {                                                                                      \
        const P *xp = &x->p.member;                                                        \
        (void)in1;                                                                         \
        (void)scratch;                                                                     \
        fn call;                                                                           \
    }
#define EB_KCLASS_PACKED(cls, P, member, pack_args, run_args, call)                        \
    EB_KCLASS(cls, P, member, run_args, call)
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)

static inline void run_op(const eb_kernel_set *ks, const eb_xop *x, uint8_t *a, void *scratch)
{
    const void *in0 = a + x->in0;
    const void *in1 = a + x->in1;
    void *out = a + x->out;
    switch (x->kop) {
#define EB_OP(id, op, dtype, cls)                                                          \
    case EB_KOP_##id: call_##cls(ks->id.run, x, in0, in1, out, scratch); break;
#include "eb_ops.inc"
#undef EB_OP
    case EB_KOP_COUNT: break;
    }
}

/* ---- one op split over threads ----------------------------------------------------
 *
 * Each part computes a contiguous range of the op's outputs with the same kernel and the
 * same per-output arithmetic as the whole (a conv's part is a band of output rows with
 * the input rows and padding it needs), so the result does not depend on the number of
 * threads: int8 and fp32 bit for bit. Offsets are in elements of the graph's dtype. */

typedef struct {
    ptrdiff_t in0, in1, out;
} part_off;

/* Below these an op runs on one thread: waking the others costs more than it saves. */
#define SPLIT_MIN_MACS 200000
#define SPLIT_MIN_ELEMS 32768

static inline void range_of(int32_t n, int task, int ntasks, int32_t *lo, int32_t *hi)
{
    *lo = (int32_t)((int64_t)n * task / ntasks);
    *hi = (int32_t)((int64_t)n * (task + 1) / ntasks);
}

/* Rows [r0, r1) of a window op over one image: the input rows they read and the padding
 * left at each end. */
static void rows_part(int32_t in_h, int32_t k_h, int32_t sh, int32_t pt, int32_t r0,
                      int32_t r1, int32_t *in_start, int32_t *in_rows, int32_t *pt2,
                      int32_t *pb2)
{
    int32_t first = r0 * sh - pt, last = (r1 - 1) * sh - pt + k_h; /* [first, last) */
    *pt2 = first < 0 ? -first : 0;
    *in_start = first < 0 ? 0 : first;
    *pb2 = last > in_h ? last - in_h : 0;
    *in_rows = (last > in_h ? in_h : last) - *in_start;
}

/* (ops with multiply-adds are held to SPLIT_MIN_MACS by eb_xop_parts, from x->macs) */
static int parts_conv(const eb_conv_params *p, int n)
{
    int units = p->batch > 1 ? p->batch : p->out_h;
    return units < n ? units : n;
}

/* Part `task` of n of a window op over NHWC images: whole images when there are several,
 * else a band of output rows with the input rows it reads and the padding at its ends. */
typedef struct {
    int32_t *batch, *in_h, *out_h, *pad_top, *pad_bottom;
    int32_t in_w, in_c, out_w, out_c, k_h, stride_h;
} window_geom;

static bool split_window(const window_geom *w, int task, int n, part_off *o)
{
    int32_t lo, hi;
    if (*w->batch > 1) {
        range_of(*w->batch, task, n, &lo, &hi);
        o->in0 = (ptrdiff_t)lo * *w->in_h * w->in_w * w->in_c;
        o->out = (ptrdiff_t)lo * *w->out_h * w->out_w * w->out_c;
        *w->batch = hi - lo;
        return hi > lo;
    }
    range_of(*w->out_h, task, n, &lo, &hi);
    if (hi <= lo)
        return false;
    int32_t start, rows, pt, pb;
    rows_part(*w->in_h, w->k_h, w->stride_h, *w->pad_top, lo, hi, &start, &rows, &pt, &pb);
    o->in0 = (ptrdiff_t)start * w->in_w * w->in_c;
    o->out = (ptrdiff_t)lo * w->out_w * w->out_c;
    *w->in_h = rows;
    *w->out_h = hi - lo;
    *w->pad_top = pt;
    *w->pad_bottom = pb;
    return true;
}

static bool split_conv(eb_conv_params *p, int task, int n, part_off *o)
{
    window_geom w = {&p->batch, &p->in_h, &p->out_h, &p->pad_top, &p->pad_bottom,
                     p->in_w, p->in_c, p->out_w, p->out_c, p->k_h, p->stride_h};
    return split_window(&w, task, n, o);
}

static int parts_pool(const eb_pool_params *p, int n)
{
    uint64_t work = (uint64_t)p->batch * p->out_h * p->out_w * p->c * p->k_h * p->k_w;
    int units = p->batch > 1 ? p->batch : p->out_h;
    return work < SPLIT_MIN_ELEMS ? 1 : (units < n ? units : n);
}

static bool split_pool(eb_pool_params *p, int task, int n, part_off *o)
{
    window_geom w = {&p->batch, &p->in_h, &p->out_h, &p->pad_top, &p->pad_bottom,
                     p->in_w, p->c, p->out_w, p->c, p->k_h, p->stride_h};
    return split_window(&w, task, n, o);
}

/* fully connected (and sparse 1x1 conv, whose batch is the pixels): by batch rows */
static int parts_fc(const eb_fc_params *p, int n)
{
    return p->batch < n ? p->batch : n;
}

static bool split_fc(eb_fc_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi;
    range_of(p->batch, task, n, &lo, &hi);
    o->in0 = (ptrdiff_t)lo * p->in_features;
    o->out = (ptrdiff_t)lo * p->out_features;
    p->batch = hi - lo;
    return hi > lo;
}

static int parts_gap(const eb_gap_params *p, int n)
{
    (void)p, (void)n;
    return 1; /* small: one output per channel */
}

static bool split_gap(eb_gap_params *p, int task, int n, part_off *o)
{
    (void)p, (void)n, (void)o;
    return task == 0;
}

/* elementwise: ranges of 64 elements */
static int parts_add(const eb_add_params *p, int n)
{
    int units = (p->size + 63) / 64;
    return p->size < SPLIT_MIN_ELEMS ? 1 : (units < n ? units : n);
}

static bool split_add(eb_add_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi, units = (p->size + 63) / 64;
    range_of(units, task, n, &lo, &hi);
    lo *= 64;
    hi = hi * 64 < p->size ? hi * 64 : p->size;
    o->in0 = o->in1 = o->out = lo;
    p->size = hi - lo;
    return hi > lo;
}

/* unary: ranges of 64 elements */
static int parts_unary(const eb_unary_params *p, int n)
{
    int units = (p->size + 63) / 64;
    return p->size < SPLIT_MIN_ELEMS ? 1 : (units < n ? units : n);
}

static bool split_unary(eb_unary_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi, units = (p->size + 63) / 64;
    range_of(units, task, n, &lo, &hi);
    lo *= 64;
    hi = hi * 64 < p->size ? hi * 64 : p->size;
    o->in0 = o->out = lo;
    p->size = hi - lo;
    return hi > lo;
}

/* concatenation: by rows */
static int parts_concat(const eb_concat_params *p, int n)
{
    int64_t size = (int64_t)p->outer * (p->a_inner + p->b_inner);
    return size < SPLIT_MIN_ELEMS ? 1 : (p->outer < n ? p->outer : n);
}

static bool split_concat(eb_concat_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi;
    range_of(p->outer, task, n, &lo, &hi);
    o->in0 = (ptrdiff_t)lo * p->a_inner;
    o->in1 = (ptrdiff_t)lo * p->b_inner;
    o->out = (ptrdiff_t)lo * (p->a_inner + p->b_inner);
    p->outer = hi - lo;
    return hi > lo;
}

/* constant padding: by output rows, each part with the input rows inside it */
static int parts_pad(const eb_pad_params *p, int n)
{
    int32_t oh = p->in_h + p->pad_top + p->pad_bottom;
    int64_t size = (int64_t)oh * (p->in_w + p->pad_left + p->pad_right) * p->c;
    return size < SPLIT_MIN_ELEMS ? 1 : (oh < n ? oh : n);
}

static bool split_pad(eb_pad_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi, oh = p->in_h + p->pad_top + p->pad_bottom;
    range_of(oh, task, n, &lo, &hi);
    if (hi <= lo)
        return false;
    int32_t top = p->pad_top > lo ? (p->pad_top < hi ? p->pad_top : hi) - lo : 0;
    int32_t first = lo - p->pad_top > 0 ? lo - p->pad_top : 0;
    int32_t last = hi - p->pad_top < p->in_h ? hi - p->pad_top : p->in_h;
    int32_t rows = last > first ? last - first : 0;
    o->in0 = (ptrdiff_t)first * p->in_w * p->c;
    o->out = (ptrdiff_t)lo * (p->in_w + p->pad_left + p->pad_right) * p->c;
    p->pad_top = top;
    p->in_h = rows;
    p->pad_bottom = (hi - lo) - top - rows;
    return true;
}

/* channel repeat: by pixels */
static int parts_repeat(const eb_repeat_params *p, int n)
{
    int64_t size = (int64_t)p->outer * p->c * p->times;
    return size < SPLIT_MIN_ELEMS ? 1 : (p->outer < n ? p->outer : n);
}

static bool split_repeat(eb_repeat_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi;
    range_of(p->outer, task, n, &lo, &hi);
    o->in0 = (ptrdiff_t)lo * p->c;
    o->out = (ptrdiff_t)lo * p->c * p->times;
    p->outer = hi - lo;
    return hi > lo;
}

/* multiply: b as large as a splits with it; a repeating b splits by its repeats */
static int parts_mul(const eb_mul_params *p, int n)
{
    int units = p->b_size == p->size ? (p->size + 63) / 64 : p->size / p->b_size;
    return p->size < SPLIT_MIN_ELEMS ? 1 : (units < n ? units : n);
}

static bool split_mul(eb_mul_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi;
    if (p->b_size == p->size) {
        int32_t units = (p->size + 63) / 64;
        range_of(units, task, n, &lo, &hi);
        lo *= 64;
        hi = hi * 64 < p->size ? hi * 64 : p->size;
        o->in0 = o->in1 = o->out = lo;
        p->size = p->b_size = hi - lo;
        return hi > lo;
    }
    range_of(p->size / p->b_size, task, n, &lo, &hi);
    o->in0 = o->out = (ptrdiff_t)lo * p->b_size;
    p->size = (hi - lo) * p->b_size;
    return hi > lo;
}

static int parts_sm(const eb_softmax_params *p, int n)
{
    return (int64_t)p->rows * p->depth < SPLIT_MIN_ELEMS ? 1 : (p->rows < n ? p->rows : n);
}

static bool split_sm(eb_softmax_params *p, int task, int n, part_off *o)
{
    int32_t lo, hi;
    range_of(p->rows, task, n, &lo, &hi);
    o->in0 = o->out = (ptrdiff_t)lo * p->depth;
    p->rows = hi - lo;
    return hi > lo;
}

/* How many parts op x takes with n threads, and part `task` of it (per signature). */
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#define EB_OP(...)
#define EB_KCLASS(cls, P, member, run_args, call)                                          \
    static inline int parts_##cls(const eb_xop *x, int n) { return parts_##member(&x->p.member, n); } \
    static inline bool part_##cls(eb_xop *x, int task, int n, part_off *o)                 \
    {                                                                                      \
        return split_##member(&x->p.member, task, n, o);                                   \
    }
#define EB_KCLASS_PACKED(cls, P, member, pack_args, run_args, call)                        \
    EB_KCLASS(cls, P, member, run_args, call)
#include "eb_ops.inc"
#undef EB_OP
#undef EB_KCLASS
#undef EB_KCLASS_PACKED
#define EB_KCLASS(...)
#define EB_KCLASS_PACKED(...)

int eb_xop_parts(const eb_xop *x, int n)
{
    if (n <= 1 || (x->macs > 0 && x->macs < SPLIT_MIN_MACS))
        return 1;
    switch (x->kop) {
#define EB_OP(id, op, dtype, cls) case EB_KOP_##id: return parts_##cls(x, n);
#include "eb_ops.inc"
#undef EB_OP
    case EB_KOP_COUNT: break;
    }
    return 1;
}

typedef struct {
    const eb_context *c;
    const eb_xop *x;
} op_task;

static void run_part(void *arg, int task, int ntasks)
{
    const op_task *t = arg;
    const eb_context *c = t->c;
    eb_xop sub = *t->x; /* a copy of the op with this part's geometry */
    part_off o = {0, 0, 0};
    bool any = false;
    switch (sub.kop) {
#define EB_OP(id, op, dtype, cls) case EB_KOP_##id: any = part_##cls(&sub, task, ntasks, &o); break;
#include "eb_ops.inc"
#undef EB_OP
    case EB_KOP_COUNT: break;
    }
    if (!any)
        return;
    const size_t esz = eb_dtype_size(c->m->g->dtype);
    sub.in0 += (uint64_t)o.in0 * esz;
    sub.in1 += (uint64_t)o.in1 * esz;
    sub.out += (uint64_t)o.out * esz;
    void *scratch = c->scratch ? (uint8_t *)c->scratch + (size_t)task * c->scratch_stride : NULL;
    run_op(&c->m->ks, &sub, c->arena, scratch);
}

static inline void run_op_threads(eb_context *c, const eb_xop *x)
{
    int n = c->nthreads > 1 ? eb_xop_parts(x, c->nthreads) : 1;
    if (n <= 1) {
        run_op(&c->m->ks, x, c->arena, c->scratch);
        return;
    }
    op_task t = {c, x};
    eb_pool_run(c->pool, run_part, &t, n);
}
#undef EB_KPARAMS
#undef EB_KCLASS
#undef EB_KCLASS_PACKED

void eb_context_run(eb_context *c)
{
    const eb_model *m = c->m;
    const int32_t n = m->g->nops;
    for (int32_t i = 0; i < n; i++)
        run_op_threads(c, &m->x[i]);
}

void eb_context_run_hooked(eb_context *c, eb_op_hook hook, void *user)
{
    const eb_model *m = c->m;
    const int32_t n = m->g->nops;
    for (int32_t i = 0; i < n; i++) {
        hook(user, i, 0);
        run_op_threads(c, &m->x[i]);
        hook(user, i, 1);
    }
}

/* ---- deterministic inputs ---------------------------------------------------------- */

/* A smooth random field (a coarse grid per channel, bilinearly interpolated) plus
 * noise, so that different inputs differ in their large-scale structure as images do.
 * Only exact or correctly rounded double arithmetic: the same values everywhere. */
void eb_gen_input(uint32_t index, int32_t h, int32_t w, int32_t c, float *out)
{
    enum { G = 4 };
    eb_rng r;
    eb_rng_seed(&r, UINT64_C(0x6564676562656e63) ^ ((uint64_t)index * UINT64_C(0x9E3779B1)));
    int32_t gh = h < G ? h : G, gw = w < G ? w : G;
    /* image-level statistics differ between inputs too (contrast, texture, offset), as
     * between real images; they are what survives to a network's pooled features */
    double amp = 0.2 + 0.8 * eb_rng_uniform(&r);
    double noise = 0.05 + 0.45 * eb_rng_uniform(&r);
    double offset = 0.6 * eb_rng_uniform(&r) - 0.3;
    /* coarse grid of up to 4 channels at a time, channels innermost */
    double cell[G * G * 4];
    for (int32_t ch0 = 0; ch0 < c; ch0 += 4) {
        int32_t nch = c - ch0 < 4 ? c - ch0 : 4;
        for (int32_t i = 0; i < gh * gw * nch; i++)
            cell[i] = offset + amp * (eb_rng_uniform(&r) * 1.5 - 0.75);
        for (int32_t y = 0; y < h; y++) {
            double fy = gh > 1 && h > 1 ? (double)y * (gh - 1) / (h - 1) : 0.0;
            int32_t y0 = (int32_t)fy;
            if (y0 >= gh - 1)
                y0 = gh > 1 ? gh - 2 : 0;
            double ty = gh > 1 ? fy - y0 : 0.0;
            int32_t y1 = gh > 1 ? y0 + 1 : 0;
            for (int32_t x = 0; x < w; x++) {
                double fx = gw > 1 && w > 1 ? (double)x * (gw - 1) / (w - 1) : 0.0;
                int32_t x0 = (int32_t)fx;
                if (x0 >= gw - 1)
                    x0 = gw > 1 ? gw - 2 : 0;
                double tx = gw > 1 ? fx - x0 : 0.0;
                int32_t x1 = gw > 1 ? x0 + 1 : 0;
                for (int32_t k = 0; k < nch; k++) {
                    double v00 = cell[(y0 * gw + x0) * nch + k];
                    double v01 = cell[(y0 * gw + x1) * nch + k];
                    double v10 = cell[(y1 * gw + x0) * nch + k];
                    double v11 = cell[(y1 * gw + x1) * nch + k];
                    double top = v00 + (v01 - v00) * tx, bot = v10 + (v11 - v10) * tx;
                    double v = top + (bot - top) * ty;
                    v += noise * (eb_rng_uniform(&r) * 2.0 - 1.0);
                    double q = v * 128.0;
                    q = q < 0 ? -(double)(int64_t)(-q + 0.5) : (double)(int64_t)(q + 0.5);
                    if (q < -128)
                        q = -128;
                    if (q > 127)
                        q = 127;
                    out[((size_t)y * w + x) * c + ch0 + k] = (float)(q / 128.0);
                }
            }
        }
    }
}

void eb_context_fill_input(eb_context *c, uint32_t index)
{
    const eb_graph *g = c->m->g;
    const eb_gtensor *t = &g->t[g->input];
    size_t n = (size_t)eb_gtensor_elems(t);
    void *dst = eb_context_input(c);
    if (g->dtype == EB_F32) {
        eb_gen_input(index, t->h, t->w, t->c, dst);
        return;
    }
    /* int8: the same floats, quantized with the input's scale and zero point. Filling
     * is outside any timed region, so a temporary is fine. */
    int8_t *q = dst;
    float *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        memset(q, 0, n); /* out of memory: a defined (zero) input */
        return;
    }
    eb_gen_input(index, t->h, t->w, t->c, tmp);
    for (size_t i = 0; i < n; i++) {
        double v = (double)tmp[i] / t->scale;
        v = v < -1e6 ? -1e6 : (v > 1e6 ? 1e6 : v);
        v = v < 0 ? -(double)(int64_t)(-v + 0.5) : (double)(int64_t)(v + 0.5);
        v += t->zp;
        q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
    free(tmp);
}
