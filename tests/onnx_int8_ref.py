#!/usr/bin/python3
"""An exact integer reference for quantized ONNX models (QDQ as onnxruntime.quantization
writes them: uint8 or int8 activations, per-channel int8 weights, int32 biases), in numpy,
for test_onnx_import.c.

ONNX defines the ops between QuantizeLinear and DequantizeLinear in float; ONNX Runtime
requantizes each op's int32 accumulator in float. This reference instead does what an
integer runtime does, TFLite's arithmetic (the fixed-point helpers of
tests/tflite_int8_ref.py, written from TFLite's documented reference kernels): int32
accumulation, the requantization multiplier as a Q31 mantissa and shift with TFLite's two
roundings, ADD's 20-bit left shift, MEAN for GlobalAveragePool, TFLite's integer softmax for
a float Softmax at the output (output scale 1/256, zero point -128). It reads the file
with python3-onnx and computes in NCHW, sharing nothing with edgebench's C importer.

Usage: onnx_int8_ref.py MODEL.onnx INPUT.f32 OUTPUT.f32
INPUT: raw float32 in the model's input shape; OUTPUT: the float output (dequantized).
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_int8_ref as T  # noqa: E402  (fixed-point helpers only)


class QT:
    """A quantized tensor's parameters, as tflite_int8_ref's helpers read them."""

    def __init__(self, scale, zp, shape=()):
        self.scale = np.array([scale], np.float64)
        self.zp = np.array([zp], np.int64)
        self.shape = shape


def qparams(v, sname, zname):
    s = np.float32(v[sname]).item()
    if zname and zname in v:
        z = v[zname]
        return s, int(z) - 128 if z.dtype == np.uint8 else int(z), z.dtype == np.uint8
    return s, -128, True  # no zero point: uint8 0


def requant(acc, in_s, w_s, out_s, out_z):
    oc = acc.shape[1]
    mult = np.zeros(oc, np.int64)
    shift = np.zeros(oc, np.int64)
    for c in range(oc):
        mult[c], shift[c] = T.quantize_multiplier(in_s * float(w_s[c if w_s.size > 1 else 0]) /
                                                  out_s)
    shp = (1, oc) + (1,) * (acc.ndim - 2)
    return np.clip(T.mbqm(acc, mult.reshape(shp), shift.reshape(shp)) + out_z, -128, 127)


def conv(x, xz, w, b, a):
    """int64 accumulator of an NCHW convolution (group 1 or depthwise)."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    xc = np.zeros((n, c, h + pt + pb, wd + pl + pr), np.int64)
    xc[:, :, pt:pt + h, pl:pl + wd] = x - xz  # padding holds the zero point: adds nothing
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    acc = np.zeros((n, m, oh, ow), np.int64)
    group = a.get("group", 1)
    for i in range(kh):
        for j in range(kw):
            win = xc[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
            if group == 1:
                acc += np.einsum("nchw,mc->nmhw", win, w[:, :, i, j].astype(np.int64))
            else:
                acc += win * w[:, 0, i, j].astype(np.int64).reshape(1, -1, 1, 1)
    if b is not None:
        acc += b.astype(np.int64).reshape(1, -1, 1, 1)
    return acc


def run(path, x):
    m = onnx.load(path)
    g = m.graph
    v = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    q = {}  # name -> (int8-domain int64 values, scale, zero point)
    dq = {}  # float view name -> the quantized name it reads
    wq = {}  # dequantized constant name -> (int values, scale array, zero point array)
    nodes = list(g.node)
    consumer = {}
    for nd in nodes:
        for i in nd.input:
            consumer.setdefault(i, []).append(nd)
    inp = [i.name for i in g.input if i.name not in v][0]
    v[inp] = x
    out_name = g.output[0].name

    def qout(name):
        """The QuantizeLinear reading `name`: its output name and parameters."""
        for nd in consumer.get(name, []):
            if nd.op_type == "QuantizeLinear":
                s, z, _ = qparams(v, nd.input[1], nd.input[2] if len(nd.input) > 2 else None)
                return nd.output[0], s, z
        return None, None, None

    def src(name):
        return q[dq[name]]

    for nd in nodes:
        a = {at.name: helper.get_attribute_value(at) for at in nd.attribute}
        op = nd.op_type
        if op == "QuantizeLinear":
            if nd.input[0] in v and nd.input[0] not in wq:  # the float model input
                s, z, u8 = qparams(v, nd.input[1], nd.input[2] if len(nd.input) > 2 else None)
                qq = np.clip(np.rint(v[nd.input[0]] / np.float32(s)) + z, -128, 127)
                q[nd.output[0]] = (qq.astype(np.int64), s, z)
            continue  # outputs of ops are quantized where the op is computed
        if op == "DequantizeLinear":
            xin = nd.input[0]
            if xin in v:  # a constant: weights or bias
                zz = v[nd.input[2]] if len(nd.input) > 2 else np.zeros(1, np.int32)
                wq[nd.output[0]] = (v[xin].astype(np.int64), np.atleast_1d(v[nd.input[1]]),
                                    np.atleast_1d(zz))
            else:
                dq[nd.output[0]] = xin
            continue
        if op in ("Flatten", "Reshape", "Identity") and nd.input[0] in q:
            qq, s, z = q[nd.input[0]]
            q[nd.output[0]] = (qq.reshape(qq.shape[0], -1) if op == "Flatten" else qq, s, z)
            continue
        name, ys, yz = qout(nd.output[0])
        if op in ("Conv", "Gemm"):
            xq, xs, xz = src(nd.input[0])
            w, ws, wz = wq[nd.input[1]]
            assert not np.any(wz), "weights must be symmetric"
            b = wq[nd.input[2]][0] if len(nd.input) > 2 and nd.input[2] else None
            if op == "Conv":
                acc = conv(xq, xz, w, b, a)
            else:
                assert a.get("transB", 0) == 1
                acc = (xq.reshape(1, -1) - xz) @ w.astype(np.int64).T
                if b is not None:
                    acc = acc + b.astype(np.int64)
            r = requant(acc, xs, ws.astype(np.float64), ys, yz)
        elif op == "Add":
            aq, as_, az = src(nd.input[0])
            bq, bs, bz = src(nd.input[1])
            r = T.add(aq, QT(as_, az), bq, QT(bs, bz), QT(ys, yz), None)
        elif op == "GlobalAveragePool":
            xq, xs, xz = src(nd.input[0])
            hw = xq.shape[2] * xq.shape[3]
            mult, shift = T.quantize_multiplier(xs / (ys * hw))
            s = (xq - xz).sum(axis=(2, 3), keepdims=True)
            r = np.clip(T.mbqm(s, mult, shift) + yz, -128, 127)
        elif op == "Softmax":
            xq, xs, xz = src(nd.input[0])
            r = T.softmax(xq, QT(xs, xz, xq.shape), None).reshape(xq.shape)
            if name is None:  # the float output: 1/256, -128 as TFLite's int8 softmax
                name, ys, yz = nd.output[0], 1.0 / 256, -128
        else:
            sys.exit(f"onnx_int8_ref.py: op {op} is not in this reference")
        assert name is not None, f"{op} {nd.output[0]} has no QuantizeLinear after it"
        q[name] = (np.asarray(r, np.int64), ys, yz)
        if name != nd.output[0]:
            q[nd.output[0]] = q[name]
    key = dq.get(out_name, out_name)
    qq, s, z = q[key]
    return (np.float32(s) * (qq - z).astype(np.float32)).astype(np.float32)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    m = onnx.load(sys.argv[1])
    shape = [d.dim_value or 1 for d in m.graph.input[0].type.tensor_type.shape.dim]
    x = np.fromfile(sys.argv[2], "<f4").reshape(shape)
    run(sys.argv[1], x).astype("<f4").tofile(sys.argv[3])


if __name__ == "__main__":
    main()
