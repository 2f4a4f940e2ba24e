#!/usr/bin/python3
"""Independent reading of .tflite files, for the expected values in test_tflite_reader.c.

Two readers that share no code with models/tflite_reader.c:
  * Arm NN 20.08's TfLiteParser (Debian python3-pyarmnn, with libarmnn-cpuref-backend22):
    input/output bindings (shape, dtype, quantization scale and offset), and the op list
    with fused activations from the optimized CpuRef graph, whose layer names are
    "<Layer>:<subgraph>:<operator index>" plus ":RELU" etc. for a fused activation.
  * python3-flatbuffers' generic Table accessors (Google's Python FlatBuffers runtime,
    no generated code), for the counts Arm NN does not expose (tensors, buffers,
    operators, operator codes) and the builtin code of each operator.

Arm NN's CpuRef cannot optimize a hybrid model (float activations, int8 conv weights:
kws_ref_model_float32.tflite); for it the op list and fused activations come from the
flatbuffers reading only (marked "fb" below), its bindings still from Arm NN.

Usage: /usr/bin/python3 tests/tflite_oracle.py ../shared/models/mlperf_tiny/*.tflite
prints one C initializer per model (the rows of `mlperf_models` in the test).
"""
import os
import re
import sys
import tempfile

from flatbuffers import encode
from flatbuffers import number_types as N
from flatbuffers.table import Table

# BuiltinOperator names of the codes the models may use (schema.fbs).
NAMES = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D",
         4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC",
         17: "MAX_POOL_2D", 18: "MUL", 22: "RESHAPE", 25: "SOFTMAX", 34: "PAD", 40: "MEAN",
         41: "SUB", 114: "QUANTIZE"}
# Arm NN layer name prefix -> builtin name.
ARMNN = {"Conv2D": "CONV_2D", "DepthwiseConv2D": "DEPTHWISE_CONV_2D",
         "AveragePool2D": "AVERAGE_POOL_2D", "MaxPool2D": "MAX_POOL_2D",
         "FullyConnected": "FULLY_CONNECTED", "Reshape": "RESHAPE", "Softmax": "SOFTMAX",
         "Add": "ADD", "Sub": "SUB", "Mul": "MUL", "Concatenation": "CONCATENATION",
         "Mean": "MEAN", "Pad": "PAD", "Quantize": "QUANTIZE", "Dequantize": "DEQUANTIZE"}
ARMNN_DTYPE = {1: "EB_TFLITE_FLOAT32", 2: "EB_TFLITE_UINT8", 8: "EB_TFLITE_INT8",
               3: "EB_TFLITE_INT32"}


def field(t, fid):
    return t.Offset(4 + 2 * fid)


def scalar(t, fid, flags, d):
    o = field(t, fid)
    return t.Get(flags, o + t.Pos) if o else d


def tables(t, fid):
    o = field(t, fid)
    if not o:
        return []
    start = t.Vector(o)
    return [Table(t.Bytes, t.Indirect(start + 4 * i)) for i in range(t.VectorLen(o))]


def fb_read(path):
    buf = bytearray(open(path, "rb").read())
    root = Table(buf, encode.Get(N.UOffsetTFlags.packer_type, buf, 0))
    codes = [max(scalar(c, 0, N.Int8Flags, 0), scalar(c, 3, N.Int32Flags, 0))
             for c in tables(root, 1)]
    sg = tables(root, 2)[0]
    ops = []
    for op in tables(sg, 3):
        code = codes[scalar(op, 0, N.Uint32Flags, 0)]
        act = 0
        o = field(op, 4)
        if o:  # fused activation: field 3 of Conv2D, 4 of DW, 5 of Pool2D, 0 of FC/Add
            opt = Table(buf, op.Indirect(o + op.Pos))
            fid = {3: 3, 4: 4, 1: 5, 17: 5, 9: 0, 0: 0}.get(code)
            if fid is not None:
                act = scalar(opt, fid, N.Int8Flags, 0)
        ops.append((NAMES.get(code, str(code)), "RELU" if act == 1 else
                    "RELU6" if act == 3 else "NONE"))
    return dict(tensors=len(tables(sg, 0)), operators=len(ops), buffers=len(tables(root, 4)),
                opcodes=len(codes), ops=ops)


def armnn_read(path, runtime, ann):
    parser = ann.ITfLiteParser()
    net = parser.CreateNetworkFromBinaryFile(path)
    io = []
    for kind, names, get in (("in", parser.GetSubgraphInputTensorNames(0),
                              parser.GetNetworkInputBindingInfo),
                             ("out", parser.GetSubgraphOutputTensorNames(0),
                              parser.GetNetworkOutputBindingInfo)):
        for n in names:
            info = get(0, n)[1]
            shape = [info.GetShape()[i] for i in range(info.GetNumDimensions())]
            io.append((kind, shape, info.GetDataType(), info.GetQuantizationScale(),
                       info.GetQuantizationOffset()))
    try:
        opt, _ = ann.Optimize(net, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                              ann.OptimizerOptions())
    except RuntimeError:
        return io, None
    with tempfile.TemporaryDirectory() as d:
        dot = os.path.join(d, "g.dot")
        opt.SerializeToDot(dot)
        names = re.findall(r"LayerName : ([^\\]*)\\l", open(dot).read())
    ops = {}
    for n in names:
        m = re.fullmatch(r"(\w+):0:(\d+)(?::(\w+))?", n)
        if not m:
            continue  # input / output layers
        i = int(m.group(2))
        name, act = ops.get(i, (ARMNN.get(m.group(1), m.group(1)), "NONE"))
        if m.group(3):
            act = "RELU" if m.group(3) == "RELU" else m.group(3)
        ops[i] = (name, act)
    return io, [ops[i] for i in sorted(ops)]


def c_shape(shape):
    return "{%d, {%s}}" % (len(shape), ", ".join(str(d) for d in shape))


def main():
    import pyarmnn as ann
    runtime = ann.IRuntime(ann.CreationOptions())  # one per process: a second one loses CpuRef
    for path in sys.argv[1:]:
        fb = fb_read(path)
        io, ops = armnn_read(path, runtime, ann)
        source = "armnn"
        if ops is None:
            ops, source = fb["ops"], "fb"
        elif [o[0] for o in ops] != [o[0] for o in fb["ops"]]:
            sys.exit(f"{path}: Arm NN and flatbuffers disagree on the op list")
        (_, ishape, itype, iscale, izp), (_, oshape, otype, oscale, ozp) = io[0], io[-1]
        print(f'    {{"{os.path.basename(path)}", /* ops from {source} */')
        print(f'     {fb["tensors"]}, {fb["operators"]}, {fb["buffers"]}, {fb["opcodes"]},')
        print('     "' + ",".join(o[0] for o in ops) + '",')
        print('     "' + ",".join(o[1] for o in ops) + '",')
        print(f"     {ARMNN_DTYPE[itype]}, {c_shape(ishape)}, {iscale!r}, {izp},")
        print(f"     {ARMNN_DTYPE[otype]}, {c_shape(oshape)}, {oscale!r}, {ozp}}},")


if __name__ == "__main__":
    main()
