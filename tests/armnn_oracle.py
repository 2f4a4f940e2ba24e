#!/usr/bin/python3
"""Runs .tflite models with Arm NN's CpuRef backend: the independent oracle of
test_tflite_import.c (Debian python3-pyarmnn + libarmnn-cpuref-backend22).

Usage: /usr/bin/python3 tests/armnn_oracle.py MODEL INPUT OUTPUT [MODEL INPUT OUTPUT ...]

INPUT is the model's one input tensor, raw (its dtype, NHWC, little-endian); OUTPUT gets
its one output tensor the same way. One process runs every model given: Arm NN allows one
IRuntime per process (a second one loses the CpuRef backend).

CpuRef refuses hybrid models (float32 activations with int8 weights, such as
kws_ref_model_float32.tflite). For those the script runs a rewritten copy: every int8
constant tensor of a float32 model becomes float32 holding scale * (q - zero_point),
computed in float32 as edgebench dequantizes at load. The rewrite appends each new
buffer to the end of the file and repoints the buffer's data offset at it (FlatBuffers
offsets point forward, so nothing else moves), and sets the tensor's type byte. It
prints one line per model on stderr saying what ran.
"""
import os
import struct
import sys
import tempfile

import numpy as np
from flatbuffers import encode
from flatbuffers import number_types as N
from flatbuffers.table import Table

INT8, FLOAT32 = 9, 0


def field(t, fid):
    return t.Offset(4 + 2 * fid)


def tables(t, fid):
    o = field(t, fid)
    if not o:
        return []
    start = t.Vector(o)
    return [Table(t.Bytes, t.Indirect(start + 4 * i)) for i in range(t.VectorLen(o))]


def vector(t, fid, dtype):
    o = field(t, fid)
    if not o:
        return np.zeros(0, dtype)
    start = t.Vector(o)
    n = t.VectorLen(o)
    return np.frombuffer(bytes(t.Bytes[start:start + n * np.dtype(dtype).itemsize]), dtype)


def scalar(t, fid, flags, default):
    o = field(t, fid)
    return t.Get(flags, o + t.Pos) if o else default


def dequantize_hybrid(path):
    """The rewritten bytes of a float32 model whose int8 constants are dequantized, and how
    many tensors changed (0: the model is not hybrid, bytes unchanged)."""
    buf = bytearray(open(path, "rb").read())
    root = Table(buf, encode.Get(N.UOffsetTFlags.packer_type, buf, 0))
    buffers = tables(root, 4)
    sg = tables(root, 2)[0]
    tensors = tables(sg, 0)
    inputs = vector(sg, 1, "<i4")
    if scalar(tensors[inputs[0]], 1, N.Int8Flags, FLOAT32) != FLOAT32:
        return bytes(buf), 0
    changed = 0
    for t in tensors:
        type_off = field(t, 1)
        if not type_off or buf[t.Pos + type_off] != INT8:
            continue
        b = buffers[scalar(t, 2, N.Uint32Flags, 0)]
        q8 = vector(b, 0, "i1")
        if q8.size == 0:
            continue  # an int8 activation: nothing to dequantize
        shape = vector(t, 0, "<i4")
        qo = field(t, 4)
        qt = Table(buf, t.Indirect(qo + t.Pos))
        scale = vector(qt, 2, "<f4").astype(np.float32)
        zp = vector(qt, 3, "<i8")
        if zp.size == 0:
            zp = np.zeros(scale.size, np.int64)
        axis = scalar(qt, 6, N.Int32Flags, 0)
        q = q8.reshape(shape).astype(np.float32)
        bshape = [1] * len(shape)
        if scale.size > 1:
            bshape[axis] = scale.size
        w = scale.reshape(bshape) * (q - zp.astype(np.float32).reshape(bshape))
        data = w.astype("<f4").tobytes()
        while len(buf) % 16 != 12:  # data (after the 4-byte length) 16-byte aligned
            buf.append(0)
        target = len(buf)
        buf += struct.pack("<I", len(data)) + data
        data_field = b.Pos + field(b, 0)
        struct.pack_into("<I", buf, data_field, target - data_field)
        buf[t.Pos + type_off] = FLOAT32
        changed += 1
    return bytes(buf), changed


def load(ann, runtime, path):
    parser = ann.ITfLiteParser()
    net = parser.CreateNetworkFromBinaryFile(path)
    in_name = parser.GetSubgraphInputTensorNames(0)[0]
    out_name = parser.GetSubgraphOutputTensorNames(0)[0]
    ib = parser.GetNetworkInputBindingInfo(0, in_name)
    ob = parser.GetNetworkOutputBindingInfo(0, out_name)
    opt, _ = ann.Optimize(net, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                          ann.OptimizerOptions())
    net_id, _ = runtime.LoadNetwork(opt)
    return net_id, ib, ob


def run(ann, runtime, loaded, path, inp, outp):
    net_id, ib, ob = loaded
    info = ib[1]
    dtype = {ann.DataType_Float32: np.float32, ann.DataType_QAsymmS8: np.int8,
             ann.DataType_QAsymmU8: np.uint8}[info.GetDataType()]
    shape = [info.GetShape()[i] for i in range(info.GetNumDimensions())]
    x = np.fromfile(inp, dtype=dtype)
    if x.size != int(np.prod(shape)):
        sys.exit(f"{inp}: {x.size} values, {path} takes {shape}")
    x = x.reshape(shape)
    runtime.EnqueueWorkload(net_id, ann.make_input_tensors([ib], [x]),
                            outs := ann.make_output_tensors([ob]))
    y = ann.workload_tensors_to_ndarray(outs)[0]
    y.astype(y.dtype.newbyteorder("<")).tofile(outp)


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    import pyarmnn as ann
    runtime = ann.IRuntime(ann.CreationOptions())
    loaded = {}  # model path -> its network, loaded once however many inputs it gets
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(0, len(args), 3):
            model, inp, outp = args[k:k + 3]
            if model not in loaded:
                data, changed = dequantize_hybrid(model)
                path, how = model, "as is"
                if changed:
                    path = os.path.join(tmp, os.path.basename(model))
                    open(path, "wb").write(data)
                    how = f"with {changed} int8 weight tensors dequantized to float32"
                loaded[model] = load(ann, runtime, path)
                print(f"armnn_oracle: {os.path.basename(model)} on CpuRef {how}",
                      file=sys.stderr)
            run(ann, runtime, loaded[model], model, inp, outp)


if __name__ == "__main__":
    main()
