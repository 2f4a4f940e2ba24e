/* tflite_describe.c - a readable account of a parsed .tflite model: what it computes
 * with (op census, dtypes, fused activations, quantization kinds) and every operator and
 * tensor, for `list models --describe FILE` and for deciding what an importer needs. */
#include <stdlib.h>
#include <string.h>

#include "eb_tflite.h"

#define NAME_MAX_PRINT 72
#define TALLY_MAX 48

/* Counts of distinct short strings, in first-seen order. */
typedef struct {
    int n;
    struct {
        char key[64];
        int count;
    } e[TALLY_MAX];
} tally;

static void tally_add(tally *t, const char *key)
{
    for (int i = 0; i < t->n; i++) {
        if (strcmp(t->e[i].key, key) == 0) {
            t->e[i].count++;
            return;
        }
    }
    if (t->n == TALLY_MAX) {
        key = "(more)";
        for (int i = 0; i < t->n; i++)
            if (strcmp(t->e[i].key, key) == 0) {
                t->e[i].count++;
                return;
            }
        t->n--;
    }
    snprintf(t->e[t->n].key, sizeof t->e[t->n].key, "%s", key);
    t->e[t->n].count = 1;
    t->n++;
}

static void tally_print(const tally *t, FILE *f)
{
    for (int i = 0; i < t->n; i++)
        fprintf(f, "%s%s x%d", i ? ", " : "", t->e[i].key, t->e[i].count);
}

/* A name from the file, printable ASCII only, shortened past NAME_MAX_PRINT. */
static void print_name(FILE *f, const char *s)
{
    size_t n = strlen(s);
    fputc('"', f);
    for (size_t i = 0; i < n && i < NAME_MAX_PRINT; i++) {
        unsigned char c = (unsigned char)s[i];
        fputc(c >= 0x20 && c < 0x7f && c != '"' ? c : '?', f);
    }
    fputs(n > NAME_MAX_PRINT ? "...\"" : "\"", f);
}

static void print_shape(FILE *f, const eb_tflite_tensor *t)
{
    fputc('[', f);
    for (int32_t d = 0; d < t->rank; d++)
        fprintf(f, "%s%d", d ? "," : "", t->shape[d]);
    fputc(']', f);
}

static bool is_const(const eb_tflite_tensor *t)
{
    return t->data != NULL;
}

static bool is_weighted(int32_t builtin)
{
    return builtin == EB_TFLITE_OP_CONV_2D || builtin == EB_TFLITE_OP_DEPTHWISE_CONV_2D ||
           builtin == EB_TFLITE_OP_FULLY_CONNECTED || builtin == 67 /* TRANSPOSE_CONV */;
}

static bool is_int_weight(int32_t type)
{
    return type == EB_TFLITE_INT8 || type == EB_TFLITE_UINT8 || type == EB_TFLITE_INT4;
}

static bool is_float(int32_t type)
{
    return type == EB_TFLITE_FLOAT32 || type == EB_TFLITE_FLOAT16;
}

static const eb_tflite_tensor *op_tensor(const eb_tflite_model *m, const int32_t *idx,
                                         int32_t n, int32_t k)
{
    return k < n && idx[k] >= 0 ? &m->tensors[idx[k]] : NULL;
}

/* The dtype an op computes in: that of its first non-constant input (else its first
 * input), "->out" when the output differs, "(int8 weights)" for hybrid ops. */
static void op_kind(const eb_tflite_model *m, const eb_tflite_operator *o, char *buf,
                    size_t len)
{
    const eb_tflite_tensor *in = NULL, *out = op_tensor(m, o->outputs, o->n_outputs, 0);
    const eb_tflite_tensor *w = NULL;
    for (int32_t k = 0; k < o->n_inputs; k++) {
        const eb_tflite_tensor *t = op_tensor(m, o->inputs, o->n_inputs, k);
        if (t && !in && !is_const(t))
            in = t;
        if (t && !w && is_const(t) && is_int_weight(t->type))
            w = t;
    }
    if (!in)
        in = op_tensor(m, o->inputs, o->n_inputs, 0);
    int n = snprintf(buf, len, "%s", in ? eb_tflite_dtype_name(in->type) : "none");
    if (out && (!in || out->type != in->type) && n < (int)len)
        n += snprintf(buf + n, len - (size_t)n, "->%s", eb_tflite_dtype_name(out->type));
    if (in && is_float(in->type) && w && n < (int)len)
        snprintf(buf + n, len - (size_t)n, " (%s weights)", eb_tflite_dtype_name(w->type));
}

static int op_act(const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    if (!x->decoded)
        return -1;
    switch (x->type) {
    case EB_TFLITE_OPT_CONV2D:
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D: return x->u.conv.act;
    case EB_TFLITE_OPT_POOL2D: return x->u.pool.act;
    case EB_TFLITE_OPT_FULLY_CONNECTED: return x->u.fc.act;
    case EB_TFLITE_OPT_ADD:
    case EB_TFLITE_OPT_SUB:
    case EB_TFLITE_OPT_MUL:
    case EB_TFLITE_OPT_DIV: return x->u.arith.act;
    case EB_TFLITE_OPT_CONCATENATION: return x->u.concat.act;
    default: return -1;
    }
}

static const char *pad_name(int p)
{
    return p == 0 ? "SAME" : p == 1 ? "VALID" : "?";
}

static void print_options(FILE *f, const eb_tflite_operator *o)
{
    const eb_tflite_options *x = &o->options;
    if (!x->decoded) {
        if (x->type)
            fprintf(f, "  (%s, union type %u, not decoded)", eb_tflite_options_name(x->type),
                    x->type);
        return;
    }
    switch (x->type) {
    case EB_TFLITE_OPT_CONV2D:
    case EB_TFLITE_OPT_DEPTHWISE_CONV2D:
        fprintf(f, "  pad %s stride %dx%d dilation %dx%d", pad_name(x->u.conv.padding),
                x->u.conv.stride_w, x->u.conv.stride_h, x->u.conv.dilation_w,
                x->u.conv.dilation_h);
        if (x->type == EB_TFLITE_OPT_DEPTHWISE_CONV2D)
            fprintf(f, " depth_multiplier %d", x->u.conv.depth_multiplier);
        break;
    case EB_TFLITE_OPT_POOL2D:
        fprintf(f, "  pad %s filter %dx%d stride %dx%d", pad_name(x->u.pool.padding),
                x->u.pool.filter_w, x->u.pool.filter_h, x->u.pool.stride_w, x->u.pool.stride_h);
        break;
    case EB_TFLITE_OPT_FULLY_CONNECTED:
        fprintf(f, "  weights_format %u keep_num_dims %d", x->u.fc.weights_format,
                x->u.fc.keep_num_dims);
        if (x->u.fc.asymmetric_quantize_inputs)
            fputs(" asymmetric_quantize_inputs", f);
        break;
    case EB_TFLITE_OPT_SOFTMAX: fprintf(f, "  beta %g", (double)x->u.softmax.beta); break;
    case EB_TFLITE_OPT_CONCATENATION: fprintf(f, "  axis %d", x->u.concat.axis); break;
    case EB_TFLITE_OPT_RESHAPE:
        if (x->u.reshape.has_new_shape) {
            fputs("  new_shape [", f);
            for (int32_t d = 0; d < x->u.reshape.rank; d++)
                fprintf(f, "%s%d", d ? "," : "", x->u.reshape.new_shape[d]);
            fputc(']', f);
        }
        break;
    case EB_TFLITE_OPT_SQUEEZE:
        fputs("  squeeze_dims [", f);
        for (int32_t d = 0; d < x->u.squeeze.n; d++)
            fprintf(f, "%s%d", d ? "," : "", x->u.squeeze.dims[d]);
        fputc(']', f);
        break;
    case EB_TFLITE_OPT_REDUCER: fprintf(f, "  keep_dims %d", x->u.reducer.keep_dims); break;
    case EB_TFLITE_OPT_LEAKY_RELU:
        fprintf(f, "  alpha %g", (double)x->u.leaky_relu.alpha);
        break;
    case EB_TFLITE_OPT_STRIDED_SLICE:
        fprintf(f, "  masks begin %d end %d ellipsis %d new_axis %d shrink %d",
                x->u.strided_slice.begin_mask, x->u.strided_slice.end_mask,
                x->u.strided_slice.ellipsis_mask, x->u.strided_slice.new_axis_mask,
                x->u.strided_slice.shrink_axis_mask);
        break;
    default: break;
    }
    int act = op_act(o);
    if (act > 0)
        fprintf(f, " act %s", eb_tflite_act_name(act));
}

static void quant_kind(const eb_tflite_tensor *t, char *buf, size_t len)
{
    const eb_tflite_quant *q = &t->quant;
    const char *dt = eb_tflite_dtype_name(t->type);
    if (q->n == 0)
        snprintf(buf, len, "%s", dt);
    else if (q->n == 1)
        snprintf(buf, len, "%s per-tensor", dt);
    else
        snprintf(buf, len, "%s per-channel (dim %d)", dt, q->quantized_dimension);
}

static void print_quant(FILE *f, const eb_tflite_tensor *t)
{
    const eb_tflite_quant *q = &t->quant;
    if (q->n == 1)
        fprintf(f, " scale %.9g zero point %lld", (double)q->scale[0],
                (long long)q->zero_point[0]);
    else if (q->n > 1)
        fprintf(f, " per-channel x%d (dim %d, scale %.4g..)", q->n, q->quantized_dimension,
                (double)q->scale[0]);
}

static void print_io(FILE *f, const eb_tflite_model *m, const char *what, int32_t n,
                     const int32_t *idx)
{
    for (int32_t i = 0; i < n; i++) {
        const eb_tflite_tensor *t = &m->tensors[idx[i]];
        fprintf(f, "%s %d: tensor %d ", what, i, idx[i]);
        print_name(f, t->name);
        fprintf(f, " %s ", eb_tflite_dtype_name(t->type));
        print_shape(f, t);
        print_quant(f, t);
        fputc('\n', f);
    }
}

/* Role of each tensor for the quantization summary. */
enum { ROLE_ACT, ROLE_WEIGHT, ROLE_BIAS, ROLE_CONST };

/* Roles of all tensors in one pass over the operators (a constant used as weights or bias
 * by any weighted op takes that role; the first use wins). */
static void tensor_roles(const eb_tflite_model *m, uint8_t *role)
{
    for (int32_t i = 0; i < m->n_tensors; i++)
        role[i] = is_const(&m->tensors[i]) ? ROLE_CONST : ROLE_ACT;
    for (int32_t i = 0; i < m->n_operators; i++) {
        const eb_tflite_operator *o = &m->operators[i];
        if (!is_weighted(o->builtin))
            continue;
        /* TRANSPOSE_CONV: input 0 is the output shape, 1 the weights, 3 the bias. */
        int32_t w = 1, b = o->builtin == 67 ? 3 : 2;
        if (o->n_inputs > w && o->inputs[w] >= 0 && role[o->inputs[w]] == ROLE_CONST)
            role[o->inputs[w]] = ROLE_WEIGHT;
        if (o->n_inputs > b && o->inputs[b] >= 0 && role[o->inputs[b]] == ROLE_CONST)
            role[o->inputs[b]] = ROLE_BIAS;
    }
}

void eb_tflite_describe(const eb_tflite_model *m, FILE *f)
{
    int32_t n_const = 0;
    for (int32_t i = 0; i < m->n_tensors; i++)
        n_const += is_const(&m->tensors[i]);
    fprintf(f, "TFLite schema %u, %zu bytes, %d subgraph%s", m->version, m->file_size,
            m->n_subgraphs, m->n_subgraphs == 1 ? "" : "s (only subgraph 0 is read)");
    if (m->description[0]) {
        fputs(", description ", f);
        print_name(f, m->description);
    }
    fprintf(f,
            "\nsubgraph 0: %d operators, %d tensors (%d constant), %d buffers, %d operator "
            "codes\n",
            m->n_operators, m->n_tensors, n_const, m->n_buffers, m->n_opcodes);
    print_io(f, m, "input", m->n_inputs, m->inputs);
    print_io(f, m, "output", m->n_outputs, m->outputs);

    /* Op census: one line per operator code in use, in first-use order. */
    fputs("ops:\n", f);
    /* Operators bucketed by operator code (counting sort), codes in first-use order, so the
     * census is linear in the model's size. */
    size_t nc = m->n_opcodes > 0 ? (size_t)m->n_opcodes : 1;
    size_t no = m->n_operators > 0 ? (size_t)m->n_operators : 1;
    int32_t *start = calloc(nc + 1, sizeof *start), *order = calloc(no, sizeof *order);
    int32_t *first = calloc(nc, sizeof *first), *codes = calloc(nc, sizeof *codes);
    uint8_t *role = calloc(m->n_tensors > 0 ? (size_t)m->n_tensors : 1, 1);
    if (!start || !order || !first || !codes || !role) {
        fputs("  (out of memory)\n", f);
        free(start), free(order), free(first), free(codes), free(role);
        return;
    }
    int32_t n_used = 0;
    for (int32_t i = 0; i < m->n_operators; i++) {
        uint32_t ci = m->operators[i].opcode_index;
        if (start[ci + 1]++ == 0)
            codes[n_used++] = (int32_t)ci;
    }
    for (size_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    for (size_t c = 0; c < nc; c++)
        first[c] = start[c];
    for (int32_t i = 0; i < m->n_operators; i++)
        order[first[m->operators[i].opcode_index]++] = i;
    tally hybrid = {0};
    for (int32_t u = 0; u < n_used; u++) {
        int32_t ci = codes[u];
        tally kinds = {0}, acts = {0};
        for (int32_t j = start[ci]; j < start[ci + 1]; j++) {
            const eb_tflite_operator *o = &m->operators[order[j]];
            char k[64];
            op_kind(m, o, k, sizeof k);
            tally_add(&kinds, k);
            if (strstr(k, " weights)"))
                tally_add(&hybrid, eb_tflite_builtin_name(o->builtin));
            int act = op_act(o);
            if (act >= 0)
                tally_add(&acts, eb_tflite_act_name(act));
        }
        const eb_tflite_opcode *oc = &m->opcodes[ci];
        fprintf(f, "  %-20s x%-4d v%d  ", eb_tflite_builtin_name(oc->builtin),
                start[ci + 1] - start[ci], oc->version);
        if (oc->custom_code) {
            fputs("custom ", f);
            print_name(f, oc->custom_code);
            fputc(' ', f);
        }
        tally_print(&kinds, f);
        if (acts.n) {
            fputs("; fused ", f);
            tally_print(&acts, f);
        }
        fputc('\n', f);
    }
    bool any = false;
    for (int32_t c = 0; c < m->n_opcodes; c++) {
        if (start[c + 1] > start[c])
            continue;
        fprintf(f, "%s%s", any ? ", " : "operator codes no operator uses: ",
                eb_tflite_builtin_name(m->opcodes[c].builtin));
        any = true;
    }
    if (any)
        fputc('\n', f);

    tensor_roles(m, role);
    tally ranks[2] = {{0}, {0}};
    tally quant[4] = {{0}, {0}, {0}, {0}};
    for (int32_t i = 0; i < m->n_tensors; i++) {
        const eb_tflite_tensor *t = &m->tensors[i];
        char k[64];
        snprintf(k, sizeof k, "%d-D", t->rank);
        tally_add(&ranks[is_const(t)], k);
        quant_kind(t, k, sizeof k);
        tally_add(&quant[role[i]], k);
    }
    fputs("ranks: activations ", f);
    tally_print(&ranks[0], f);
    fputs("; constants ", f);
    tally_print(&ranks[1], f);
    fputs("\nquantization:\n", f);
    static const char *const roles[] = {"activations", "weights", "biases", "other constants"};
    for (int r = 0; r < 4; r++) {
        if (!quant[r].n)
            continue;
        fprintf(f, "  %-16s ", roles[r]);
        tally_print(&quant[r], f);
        fputc('\n', f);
    }
    if (hybrid.n) {
        fputs("  hybrid ops (float activations, integer weights): ", f);
        tally_print(&hybrid, f);
        fputc('\n', f);
    }

    fputs("operators:\n", f);
    for (int32_t i = 0; i < m->n_operators; i++) {
        const eb_tflite_operator *o = &m->operators[i];
        char k[64];
        op_kind(m, o, k, sizeof k);
        fprintf(f, "  %3d %-18s %-8s in", i, eb_tflite_builtin_name(o->builtin), k);
        for (int32_t j = 0; j < o->n_inputs; j++)
            if (o->inputs[j] < 0)
                fputs(" -", f);
            else
                fprintf(f, " %d", o->inputs[j]);
        fputs(" out", f);
        for (int32_t j = 0; j < o->n_outputs; j++)
            fprintf(f, " %d", o->outputs[j]);
        const eb_tflite_tensor *out = op_tensor(m, o->outputs, o->n_outputs, 0);
        if (out) {
            fputs(" -> ", f);
            print_shape(f, out);
        }
        print_options(f, o);
        fputc('\n', f);
    }
    fputs("tensors:\n", f);
    for (int32_t i = 0; i < m->n_tensors; i++) {
        const eb_tflite_tensor *t = &m->tensors[i];
        fprintf(f, "  %3d %-7s ", i, eb_tflite_dtype_name(t->type));
        print_shape(f, t);
        if (is_const(t))
            fprintf(f, " const %llu B", (unsigned long long)t->data_size);
        if (t->is_variable)
            fputs(" variable", f);
        if (t->is_sparse)
            fputs(" sparse", f);
        print_quant(f, t);
        fputc(' ', f);
        print_name(f, t->name);
        fputc('\n', f);
    }
    free(start), free(order), free(first), free(codes), free(role);
}
