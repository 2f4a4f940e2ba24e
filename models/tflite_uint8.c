/* tflite_uint8.c - legacy asymmetric uint8 .tflite models turned into the int8 form the
 * importer reads, exactly or not at all (eb_tflite_uint8_to_int8).
 *
 * A uint8 value q with zero point z means scale * (q - z); the int8 value q - 128 with zero
 * point z - 128 means the same, and TFLite's integer kernels only ever use q - z (the
 * accumulators, the requantization, the output offset and the fused-activation clamps all
 * move by the same 128). So activations and constant activation operands are shifted by
 * 128. Weights are re-centred instead: the int8 kernels take symmetric weights (zero point
 * 0), so w - z_w is stored with zero point 0, exact when every w - z_w lies in [-128, 127]
 * (always when z_w is 128); otherwise the model is refused. Biases (int32) are unchanged.
 *
 * Ops whose uint8 and int8 arithmetic are the same after the shift: CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D (monotonic), ADD and MUL (both use only
 * q - z), RESHAPE, SQUEEZE, SOFTMAX (TFLite's reference adds the output type's minimum, 0
 * or -128). AVERAGE_POOL_2D is not: TFLite rounds a uint8 mean half up, an int8 one half
 * away from zero, so a shifted sum that is negative and a tie differs by one step; a uint8
 * model with it (or any other op) is refused, with the op named. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_model_internal.h"
#include "eb_tflite.h"

static eb_status fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static eb_status fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return EB_ERR_UNSUPPORTED;
}

bool eb_tflite_has_uint8(const eb_tflite_model *m)
{
    for (int32_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].type == EB_TFLITE_UINT8)
            return true;
    return false;
}

static bool exact_op(int32_t b)
{
    return b == EB_TFLITE_OP_CONV_2D || b == EB_TFLITE_OP_DEPTHWISE_CONV_2D ||
           b == EB_TFLITE_OP_FULLY_CONNECTED || b == EB_TFLITE_OP_MAX_POOL_2D ||
           b == EB_TFLITE_OP_ADD || b == EB_TFLITE_OP_MUL || b == EB_TFLITE_OP_RESHAPE ||
           b == EB_TFLITE_OP_SQUEEZE || b == EB_TFLITE_OP_SOFTMAX;
}

eb_status eb_tflite_uint8_to_int8(eb_tflite_model *m, eb_tflite_owned *owned, char *err,
                                  size_t errlen)
{
    memset(owned, 0, sizeof *owned);
    if (!eb_tflite_has_uint8(m))
        return EB_OK;
    /* which tensors are weights (input 1 of a conv, depthwise or fully connected op) */
    bool *is_w = calloc((size_t)m->n_tensors, sizeof *is_w);
    if (!is_w)
        return EB_ERR_NOMEM;
    eb_status st = EB_OK;
    for (int32_t i = 0; i < m->n_operators && st == EB_OK; i++) {
        const eb_tflite_operator *o = &m->operators[i];
        bool u8 = false;
        for (int32_t k = 0; k < o->n_inputs; k++)
            u8 |= o->inputs[k] >= 0 && m->tensors[o->inputs[k]].type == EB_TFLITE_UINT8;
        for (int32_t k = 0; k < o->n_outputs; k++)
            u8 |= m->tensors[o->outputs[k]].type == EB_TFLITE_UINT8;
        if (!u8)
            continue;
        if (!exact_op(o->builtin)) {
            st = fail(err, errlen, "op %d (%s) of this uint8 model has no bit-exact int8 form in "
                      "edgebench%s; uint8 models are converted exactly (zero points shifted by "
                      "128) with CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, ADD, "
                      "MUL, RESHAPE, SQUEEZE and SOFTMAX", (int)i,
                      eb_tflite_builtin_name(o->builtin),
                      o->builtin == EB_TFLITE_OP_AVERAGE_POOL_2D
                          ? " (TFLite rounds a uint8 mean half up, an int8 one half away from "
                            "zero)"
                          : "");
            break;
        }
        if ((o->builtin == EB_TFLITE_OP_CONV_2D || o->builtin == EB_TFLITE_OP_DEPTHWISE_CONV_2D ||
             o->builtin == EB_TFLITE_OP_FULLY_CONNECTED) &&
            o->n_inputs > 1 && o->inputs[1] >= 0)
            is_w[o->inputs[1]] = true;
    }
    for (int32_t i = 0; i < m->n_tensors && st == EB_OK; i++) {
        eb_tflite_tensor *t = &m->tensors[i];
        if (t->type != EB_TFLITE_UINT8)
            continue;
        eb_tflite_quant *q = &t->quant;
        if (q->n < 1) {
            st = fail(err, errlen, "uint8 tensor %d '%s' has no scale and zero point", (int)i,
                      t->name);
            break;
        }
        if (q->n_zero_point == 0 || !q->zero_point) {
            /* zero points absent: 0; a shifted activation needs -128 */
            st = fail(err, errlen, "uint8 tensor %d '%s' has no zero points", (int)i, t->name);
            break;
        }
        for (int32_t k = 0; k < q->n && st == EB_OK; k++)
            if (q->zero_point[k] < 0 || q->zero_point[k] > 255)
                st = fail(err, errlen, "uint8 tensor %d '%s' has zero point %lld, outside 0..255",
                          (int)i, t->name, (long long)q->zero_point[k]);
        if (st != EB_OK)
            break;
        if (t->data && t->data_size) {
            if (owned->n == EB_TFLITE_MAX_OWNED) {
                st = fail(err, errlen, "the uint8 model has more than %d constant tensors",
                          EB_TFLITE_MAX_OWNED);
                break;
            }
            uint8_t *d = malloc(t->data_size);
            if (!d) {
                st = EB_ERR_NOMEM;
                break;
            }
            owned->p[owned->n++] = d;
            /* elements between two channels along the quantized dimension */
            int64_t inner = 1, dim = 1;
            if (q->n > 1) {
                int32_t qd = q->quantized_dimension;
                if (qd < 0 || qd >= t->rank || t->shape[qd] != q->n) {
                    st = fail(err, errlen, "uint8 tensor %d '%s' has %d zero points along axis "
                              "%d", (int)i, t->name, (int)q->n, (int)qd);
                    break;
                }
                for (int32_t r = qd + 1; r < t->rank; r++)
                    inner *= t->shape[r];
                dim = q->n;
            }
            for (uint64_t k = 0; k < t->data_size; k++) {
                int32_t z = (int32_t)q->zero_point[q->n > 1 ? (int64_t)(k / (uint64_t)inner) % dim : 0];
                int32_t v = is_w[i] ? (int32_t)t->data[k] - z : (int32_t)t->data[k] - 128;
                if (v < -128 || v > 127) {
                    st = fail(err, errlen, "weights tensor %d '%s' of this uint8 model has zero "
                              "point %d and a value %d: %d leaves int8, so its weights have no "
                              "exact int8 form", (int)i, t->name, (int)z, (int)t->data[k], (int)v);
                    break;
                }
                d[k] = (uint8_t)(int8_t)v;
            }
            if (st != EB_OK)
                break;
            t->data = d;
        }
        for (int32_t k = 0; k < q->n; k++)
            q->zero_point[k] = is_w[i] ? 0 : q->zero_point[k] - 128;
        t->type = EB_TFLITE_INT8;
    }
    free(is_w);
    if (st != EB_OK)
        eb_tflite_owned_free(owned);
    return st;
}

void eb_tflite_owned_free(eb_tflite_owned *o)
{
    for (int32_t i = 0; i < o->n; i++)
        free(o->p[i]);
    o->n = 0;
}
