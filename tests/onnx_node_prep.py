#!/usr/bin/python3
"""Prepares ONNX's own backend node tests (Debian's libonnx-testdata) for test_onnx_import.

For every node test of an op edgebench imports, writes OUT/<test>/model.onnx with every
graph input but the first turned into an initializer (the node tests feed weights as
inputs; an exported model holds them as initializers), in.f32 (input 0, raw float32 in
the model's own layout) and out.f32 (the expected output 0 from the test's .pb), or a
file 'skip' saying why the case cannot be fed to a one-input float32 model.
Usage: onnx_node_prep.py OUT [NODE_DIR]"""
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

OPS = ["conv", "gemm", "matmul", "batchnorm", "relu", "clip", "maxpool", "averagepool",
       "globalaveragepool", "softmax", "add", "mul", "identity", "flatten", "reshape",
       "squeeze", "unsqueeze", "constant", "quantizelinear", "dequantizelinear", "sigmoid",
       "tanh", "hardswish", "sub", "concat", "qlinearconv", "qlinearmatmul", "constant_pad",
       "edge_pad", "reflect_pad", "reduce_mean"]


def wanted(name):
    base = name[len("test_"):]
    for op in OPS:
        if base == op or base.startswith(op + "_"):
            # ops with a longer name that starts the same (constantofshape, convinteger...)
            return not any(base.startswith(x) for x in
                           ("constantofshape", "convinteger", "convtranspose", "matmulinteger"))
    return False


def main():
    out = sys.argv[1]
    node_dir = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/libonnx-testdata/data/node"
    n = 0
    for d in sorted(glob.glob(os.path.join(node_dir, "test_*"))):
        name = os.path.basename(d)
        if not wanted(name) or not os.path.isfile(os.path.join(d, "model.onnx")):
            continue
        o = os.path.join(out, name)
        os.makedirs(o, exist_ok=True)
        n += 1
        m = onnx.load(os.path.join(d, "model.onnx"))
        ds = os.path.join(d, "test_data_set_0")
        try:
            ins = [numpy_helper.to_array(onnx.load_tensor(p))
                   for p in sorted(glob.glob(os.path.join(ds, "input_*.pb")))]
            outs = [numpy_helper.to_array(onnx.load_tensor(p))
                    for p in sorted(glob.glob(os.path.join(ds, "output_*.pb")))]
        except Exception as e:  # sequence/optional test data: not plain tensors
            open(os.path.join(o, "skip"), "w").write("test data is not plain tensors (%s)\n"
                                                     % type(e).__name__)
            continue
        g = m.graph
        inits = {t.name for t in g.initializer}
        real = [i for i in g.input if i.name not in inits]
        why = None
        if len(real) != len(ins) or not ins:
            why = "inputs do not match the test data"
        elif ins[0].dtype != np.float32:
            why = "input 0 is %s, not float32" % ins[0].dtype
        elif len(outs) != 1 or outs[0].dtype != np.float32:
            why = "not one float32 output"
        if why:
            open(os.path.join(o, "skip"), "w").write(why + "\n")
            continue
        for vi, arr in zip(real[1:], ins[1:]):
            g.initializer.append(numpy_helper.from_array(arr, vi.name))
        onnx.save(m, os.path.join(o, "model.onnx"))
        ins[0].astype("<f4").tofile(os.path.join(o, "in.f32"))
        outs[0].astype("<f4").tofile(os.path.join(o, "out.f32"))
    print("prepared %d node tests in %s" % (n, out))


if __name__ == "__main__":
    main()
