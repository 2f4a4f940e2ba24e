#!/usr/bin/python3
"""Small ONNX models for test_onnx_import.c, made with python3-onnx, with numpy reference
outputs (ONNX's semantics: float math, QuantizeLinear rounding half to even).

ops_fp32.onnx / ops_qdq.onnx: x [1,4,3,3] -> Sigmoid, Tanh -> Sub -> Concat(sigmoid, sub)
on the channels -> HardSwish -> (a) Relu of a MatMul + Add of its flatten (the MatMul + Add
is a Gemm), (b) Pad (1 on every side of H, W) -> ReduceMean over H, W; the output is the
Concat of (a) and (b), [1,13]; the QDQ form puts QuantizeLinear/DequantizeLinear pairs (uint8) around every op as
onnxruntime.quantization does, with scales chosen per op. Writes MODEL, MODEL.in.f32 and
MODEL.out.f32 for each. Usage: onnx_gen.py OUT"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def qdq(x, s, z):
    return ((np.clip(np.rint(x / np.float32(s)) + z, 0, 255) - z) * np.float32(s)).astype(np.float32)


def sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(np.float32)


def hardswish(x):
    return (x * np.clip(x / 6 + 0.5, 0, 1)).astype(np.float32)


def build(quant, rng):
    nodes, inits = [], []
    w = (rng.standard_normal((72, 5)) * 0.2).astype(np.float32)
    b = (rng.standard_normal(5) * 0.1).astype(np.float32)
    scales = {"x": (1 / 64, 128), "sig": (1 / 256, 0), "tanh": (1 / 128, 128),
              "sub": (1 / 128, 128), "cat": (1 / 128, 128), "hs": (1 / 64, 100),
              "mm": (1 / 32, 128), "y": (1 / 32, 0), "pad": (1 / 64, 100),
              "mean": (1 / 128, 100), "out": (1 / 32, 64)}

    def q(name):  # QuantizeLinear + DequantizeLinear of value `name`, named name + "_d"
        if not quant:
            return name
        s, z = scales[name]
        inits.append(numpy_helper.from_array(np.array(s, np.float32), name + "_s"))
        inits.append(numpy_helper.from_array(np.array(z, np.uint8), name + "_z"))
        nodes.append(helper.make_node("QuantizeLinear", [name, name + "_s", name + "_z"],
                                      [name + "_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                      [name + "_d"]))
        return name + "_d"

    x = q("x")
    nodes.append(helper.make_node("Sigmoid", [x], ["sig"]))
    nodes.append(helper.make_node("Tanh", [x], ["tanh"]))
    sg, th = q("sig"), q("tanh")
    nodes.append(helper.make_node("Sub", [sg, th], ["sub"]))
    sb = q("sub")
    nodes.append(helper.make_node("Concat", [sg, sb], ["cat"], axis=1))
    ct = q("cat")
    nodes.append(helper.make_node("HardSwish", [ct], ["hs"]))
    hs = q("hs")
    nodes.append(helper.make_node("Flatten", [hs], ["flat"], axis=1))
    fl = "flat"
    if quant:  # the flatten of a quantized tensor stays quantized: DequantizeLinear again
        nodes[-1] = helper.make_node("Flatten", ["hs_q"], ["flat_q"], axis=1)
        nodes.append(helper.make_node("DequantizeLinear", ["flat_q", "hs_s", "hs_z"],
                                      ["flat_d"]))
        fl = "flat_d"
        ws = (np.abs(w).max(axis=0) / 127).astype(np.float32)
        wq = np.clip(np.rint(w / ws), -127, 127).astype(np.int8)
        inits += [numpy_helper.from_array(wq, "w_q"), numpy_helper.from_array(ws, "w_s"),
                  numpy_helper.from_array(np.zeros(5, np.int8), "w_z")]
        nodes.append(helper.make_node("DequantizeLinear", ["w_q", "w_s", "w_z"], ["w"], axis=1))
        w_used = (wq.astype(np.float32) * ws).astype(np.float32)
    else:
        inits.append(numpy_helper.from_array(w, "w"))
        w_used = w
    inits.append(numpy_helper.from_array(b, "b"))
    nodes.append(helper.make_node("MatMul", [fl, "w"], ["mm0"]))
    nodes.append(helper.make_node("Add", ["mm0", "b"], ["mm"]))
    if quant:  # a QDQ Add of a float constant: edgebench folds only float models' biases
        nodes[-2:] = [helper.make_node("MatMul", [fl, "w"], ["mm"])]
    mm = q("mm")
    nodes.append(helper.make_node("Relu", [mm], ["y"]))
    y = q("y")
    inits.append(numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"))
    nodes.append(helper.make_node("Pad", [hs, "pads"], ["pad"], mode="constant"))
    pd = q("pad")
    nodes.append(helper.make_node("ReduceMean", [pd], ["mean"], axes=[2, 3], keepdims=0))
    mn = q("mean")
    nodes.append(helper.make_node("Concat", [y, mn], ["out"], axis=1))
    out = q("out")
    g = helper.make_graph(nodes, "ops", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                       [1, 4, 3, 3])],
                          [helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, 13])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m, w_used, b, scales


def reference(x, w, b, scales, quant):
    f = (lambda v, n: qdq(v, *scales[n])) if quant else (lambda v, n: v)
    x = f(x, "x")
    sg, th = f(sigmoid(x), "sig"), f(np.tanh(x).astype(np.float32), "tanh")
    sb = f((sg - th).astype(np.float32), "sub")
    ct = f(np.concatenate([sg, sb], axis=1), "cat")
    hs = f(hardswish(ct), "hs")
    mm = hs.reshape(1, -1) @ w + (0 if quant else b)
    y = f(np.maximum(f(mm.astype(np.float32), "mm"), 0), "y")
    pd = f(np.pad(hs, ((0, 0), (0, 0), (1, 1), (1, 1))), "pad")
    mn = f(pd.mean(axis=(2, 3)).astype(np.float32), "mean")
    return f(np.concatenate([y, mn], axis=1), "out")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    x = rng.uniform(-1.5, 1.5, (1, 4, 3, 3)).astype(np.float32)
    for quant, name in ((False, "ops_fp32"), (True, "ops_qdq")):
        m, w, b, scales = build(quant, rng)
        p = os.path.join(out, name + ".onnx")
        onnx.save(m, p)
        x.astype("<f4").tofile(p + ".in.f32")
        reference(x, w, b, scales, quant).astype("<f4").tofile(p + ".out.f32")


if __name__ == "__main__":
    main()
