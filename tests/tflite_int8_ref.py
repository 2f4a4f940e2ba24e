#!/usr/bin/python3
"""TFLite's reference integer arithmetic for int8 models, in numpy: the exact oracle of
test_tflite_import.c (Arm NN's CpuRef, the independent one, computes quantized layers in
float and so differs by rounding steps; see the test).

Written from the TFLite quantization spec and the reference kernels' documented
arithmetic, sharing nothing with edgebench's C code (another language, another reading
of the file: python3-flatbuffers' generic Table accessors). Ops: CONV_2D,
DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE, SQUEEZE,
SOFTMAX, with fused NONE/RELU/RELU6.

Usage: /usr/bin/python3 tests/tflite_int8_ref.py [--float] MODEL INPUT OUTPUT [...]
INPUT and OUTPUT are raw int8 tensors (NHWC).

--float computes instead what Arm NN 20.08's CpuRef does with a quantized layer, to show
where its outputs differ from TFLite's: dequantize the inputs, weights (scale * q) and
biases (in_scale * w_scale * b) to float32, compute in float32 (average pool: the mean;
softmax: exp), and quantize the result by rounding value / scale to nearest, adding the
zero point and clamping to the activation's range.
"""
import math
import sys

import numpy as np
from flatbuffers import encode
from flatbuffers import number_types as N
from flatbuffers.table import Table

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


# ---- flatbuffers reading ------------------------------------------------------------

def field(t, fid):
    return t.Offset(4 + 2 * fid)


def scalar(t, fid, flags, default):
    o = field(t, fid)
    return t.Get(flags, o + t.Pos) if o else default


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


def sub(t, fid):
    o = field(t, fid)
    return Table(t.Bytes, t.Indirect(o + t.Pos)) if o else None


class Tensor:
    def __init__(self, t, buffers):
        self.shape = [int(d) for d in vector(t, 0, "<i4")]
        self.type = scalar(t, 1, N.Int8Flags, 0)
        data = vector(buffers[scalar(t, 2, N.Uint32Flags, 0)], 0, "u1")
        self.data = data if data.size else None
        q = sub(t, 4)
        self.scale = vector(q, 2, "<f4") if q else np.zeros(0, np.float32)
        self.zp = vector(q, 3, "<i8") if q else np.zeros(0, np.int64)
        if self.zp.size == 0:
            self.zp = np.zeros(self.scale.size, np.int64)
        self.axis = scalar(q, 6, N.Int32Flags, 0) if q else 0

    @staticmethod
    def fixed(scale, zp):
        t = Tensor.__new__(Tensor)
        t.scale = np.array([scale], np.float32)
        t.zp = np.array([zp], np.int64)
        return t

    def const(self):
        dt = {9: "i1", 2: "<i4", 0: "<f4"}[self.type]
        return self.data.view(dt).reshape(self.shape).astype(np.int64)


# ---- fixed-point helpers (int32 semantics on int64 numpy arrays) --------------------

def srdhm(a, b):
    """Saturating rounding doubling high multiply."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    q = np.sign(s) * (np.abs(s) >> 31)  # division by 2^31 truncating toward zero
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, q)


def rdivpot(x, e):
    """x / 2^e rounding half away from zero."""
    x = np.asarray(x, np.int64)
    e = np.asarray(e, np.int64)
    mask = (np.int64(1) << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > thr)


def mbqm(acc, mult, shift):
    """MultiplyByQuantizedMultiplier: acc * mult * 2^(shift - 31), TFLite's two roundings."""
    shift = np.asarray(shift, np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    return rdivpot(srdhm(np.asarray(acc, np.int64) * (np.int64(1) << left), mult), right)


def quantize_multiplier(real):
    if real == 0.0:
        return 0, 0
    q, e = math.frexp(real)
    qf = math.floor(q * (1 << 31) + 0.5)  # std::round of a positive number
    if qf == (1 << 31):
        qf //= 2
        e += 1
    if e < -31:
        return 0, 0
    return qf, e


def tround(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def act_range(act, scale, zp):
    lo, hi = -128, 127
    if act in (1, 3):  # RELU, RELU6
        lo = max(lo, zp)
    if act == 3:
        hi = min(hi, zp + tround(float(np.float32(6.0) / np.float32(scale))))
    if act not in (0, 1, 3):
        sys.exit(f"fused activation {act} is not in this reference")
    return lo, hi


def tdiv(a, b):
    """C++ integer division (truncating)."""
    return np.sign(a) * (np.abs(a) // b)


# ---- ops ------------------------------------------------------------------------------

def window(padding, size, k, stride):
    if padding == 0:  # SAME
        out = (size + stride - 1) // stride
        total = max((out - 1) * stride + k - size, 0)
        return out, total // 2
    return (size - k) // stride + 1, 0


def conv(x, xt, w, wt, bias, yt, opt, depthwise):
    padding = scalar(opt, 0, N.Uint8Flags, 0)
    sw, sh = scalar(opt, 1, N.Int32Flags, 0), scalar(opt, 2, N.Int32Flags, 0)
    act = scalar(opt, 4 if depthwise else 3, N.Int8Flags, 0)
    _, ih, iw, ic = xt.shape
    oc, kh, kw = (w.shape[3], w.shape[1], w.shape[2]) if depthwise else w.shape[:3]
    oh, pt = window(padding, ih, kh, sh)
    ow, pl = window(padding, iw, kw, sw)
    xc = x.reshape(ih, iw, ic).astype(np.int64) - int(xt.zp[0])
    pad = np.zeros((ih + kh + oh * sh, iw + kw + ow * sw, ic), np.int64)
    pad[pt:pt + ih, pl:pl + iw] = xc  # out-of-bounds taps add nothing
    if depthwise:
        pad = np.repeat(pad, oc // ic, axis=2)
    acc = np.zeros((oh, ow, oc), np.int64) + (bias if bias is not None else 0)
    for ky in range(kh):
        for kx in range(kw):
            s = pad[ky:ky + oh * sh:sh, kx:kx + ow * sw:sw]
            acc += s * w[0, ky, kx] if depthwise else s @ w[:, ky, kx, :].T
    return requant(acc, xt, wt, yt, act, oc)


def requant(acc, xt, wt, yt, act, oc):
    mult, shift = np.zeros(oc, np.int64), np.zeros(oc, np.int64)
    for c in range(oc):
        s = wt.scale[c] if wt.scale.size > 1 else wt.scale[0]
        mult[c], shift[c] = quantize_multiplier(float(xt.scale[0]) * float(s) /
                                                float(yt.scale[0]))
    lo, hi = act_range(act, yt.scale[0], int(yt.zp[0]))
    return np.clip(mbqm(acc, mult, shift) + int(yt.zp[0]), lo, hi)


def fully_connected(x, xt, w, wt, bias, yt, opt):
    act = scalar(opt, 0, N.Int8Flags, 0) if opt else 0
    acc = (x.reshape(-1).astype(np.int64) - int(xt.zp[0])) @ w.T
    if bias is not None:
        acc = acc + bias
    return requant(acc, xt, wt, yt, act, w.shape[0])


def pool(x, xt, yt, opt, average):
    padding = scalar(opt, 0, N.Uint8Flags, 0)
    sw, sh = scalar(opt, 1, N.Int32Flags, 0), scalar(opt, 2, N.Int32Flags, 0)
    fw, fh = scalar(opt, 3, N.Int32Flags, 0), scalar(opt, 4, N.Int32Flags, 0)
    act = scalar(opt, 5, N.Int8Flags, 0)
    _, ih, iw, c = xt.shape
    oh, pt = window(padding, ih, fh, sh)
    ow, pl = window(padding, iw, fw, sw)
    x = x.reshape(ih, iw, c).astype(np.int64)
    lo, hi = act_range(act, yt.scale[0], int(yt.zp[0]))
    y = np.zeros((oh, ow, c), np.int64)
    for oy in range(oh):
        for ox in range(ow):
            y0, x0 = oy * sh - pt, ox * sw - pl
            win = x[max(y0, 0):min(y0 + fh, ih), max(x0, 0):min(x0 + fw, iw)]
            if average:
                n = win.shape[0] * win.shape[1]
                s = win.sum(axis=(0, 1))
                y[oy, ox] = np.where(s > 0, tdiv(s + n // 2, n), tdiv(s - n // 2, n))
            else:
                y[oy, ox] = win.max(axis=(0, 1))
    return np.clip(y, lo, hi)


pool_int = pool


def add(a, at, b, bt, yt, opt):
    act = scalar(opt, 0, N.Int8Flags, 0) if opt else 0
    left = 20
    twice_max = float(np.float32(2) * max(np.float32(at.scale[0]), np.float32(bt.scale[0])))
    m1, s1 = quantize_multiplier(float(at.scale[0]) / twice_max)
    m2, s2 = quantize_multiplier(float(bt.scale[0]) / twice_max)
    mo, so = quantize_multiplier(twice_max / float(np.float32(1 << left) *
                                                   np.float32(yt.scale[0])))
    va = (a.astype(np.int64) - int(at.zp[0])) * (1 << left)
    vb = (b.astype(np.int64) - int(bt.zp[0])) * (1 << left)
    raw = mbqm(va, m1, s1) + mbqm(vb, m2, s2)
    lo, hi = act_range(act, yt.scale[0], int(yt.zp[0]))
    return np.clip(mbqm(raw, mo, so) + int(yt.zp[0]), lo, hi)


# softmax: gemmlowp fixed point on python ints with int32 semantics

def i_srdhm(a, b):
    return int(srdhm(a, b))


def i_rdivpot(x, e):
    return int(rdivpot(x, e))


def i_sat_shl(x, e):
    lim = (1 << (31 - e)) - 1
    return INT32_MAX if x > lim else INT32_MIN if x < -lim else x << e


def exp_on_interval(a):  # a in [-1/4, 0), Q0.31
    c = 1895147668  # exp(-1/8)
    x = a + (1 << 28)
    x2 = i_srdhm(x, x)
    x3 = i_srdhm(x2, x)
    x4 = i_srdhm(x2, x2)
    poly = i_rdivpot(i_srdhm(i_rdivpot(x4, 2) + x3, 715827883) + x2, 1)
    return c + i_srdhm(c, x + poly)


def exp_on_negative(a):  # a <= 0 with 5 integer bits
    quarter = 1 << 24
    q = ((a & 0xFFFFFFFF) & (quarter - 1)) - quarter
    r = exp_on_interval(i_sat_shl(q, 5))
    rem = q - a
    for k, m in enumerate((1672461947, 1302514674, 790015084, 290630308, 39332535, 720401,
                           242)):
        if rem & (1 << (24 + k)):
            r = i_srdhm(r, m)
    return INT32_MAX if a == 0 else r


def one_over_one_plus_x(a):
    s = a + INT32_MAX
    half = (s + (1 if s >= 0 else -1)) // 2 if s >= 0 else -((-s + 1) // 2)
    x = 1515870810 + i_srdhm(half, -1010580540)
    for _ in range(3):
        x = x + i_sat_shl(i_srdhm(x, (1 << 29) - i_srdhm(half, x)), 2)
    return i_sat_shl(x, 1)


def softmax(x, xt, opt):
    beta = scalar(opt, 0, N.Float32Flags, 1.0) if opt else 1.0
    real = min(float(beta) * float(xt.scale[0]) * (1 << 26), (1 << 31) - 1.0)
    mult, shift = quantize_multiplier(real)
    diff_min = -math.floor(31.0 * (1 << 26) / (1 << shift))
    depth = xt.shape[-1]
    rows = x.reshape(-1, depth).astype(np.int64)
    out = np.zeros_like(rows)
    for r, row in enumerate(rows):
        mx = int(row.max())
        exps = {}
        total = 0
        for c, v in enumerate(row):
            d = int(v) - mx
            if d >= diff_min:
                exps[c] = exp_on_negative(i_srdhm(d * (1 << shift), mult))
                total += i_rdivpot(exps[c], 12)
        hr = 32 - total.bit_length()
        bits = 12 - hr
        recip = one_over_one_plus_x(((total << hr) & 0xFFFFFFFF) - (1 << 31))
        for c in range(depth):
            if c in exps:
                v = i_rdivpot(i_srdhm(recip, exps[c]), bits + 31 - 8) - 128
                out[r, c] = max(-128, min(127, v))
            else:
                out[r, c] = -128
    return out


# ---- --float: the same layers computed in float32 -----------------------------------

F32 = np.float32
bias_t = None  # the bias tensor of the operator being run (its own scale, for --float)


def fdeq(q, t):
    return (F32(t.scale[0]) * (np.asarray(q).astype(F32) - F32(t.zp[0]))).astype(F32)


def fquant(v, t, act=0):
    r = (np.asarray(v, F32) / F32(t.scale[0])).astype(F32)
    q = (np.sign(r) * np.floor(np.abs(r) + F32(0.5))).astype(np.int64) + int(t.zp[0])
    lo, hi = act_range(act, t.scale[0], int(t.zp[0]))
    return np.clip(q, lo, hi)


def fweights(w, wt):
    s = wt.scale.astype(F32)
    if s.size > 1:
        shape = [1] * w.ndim
        shape[wt.axis] = s.size
        s = s.reshape(shape)
    return (w.astype(F32) * s).astype(F32)


def factivate(v, act):
    if act in (1, 3):
        v = np.maximum(v, F32(0))
    if act == 3:
        v = np.minimum(v, F32(6))
    return v


def fbias(bias, bt, xt, wt):
    """The bias dequantized with its own scale (as stored; in_scale * w_scale if none)."""
    s = bt.scale.astype(F32) if bt.scale.size else F32(xt.scale[0]) * wt.scale.astype(F32)
    return (bias.astype(F32) * s).astype(F32)


def conv_float(x, xt, w, wt, bias, yt, opt, depthwise):
    padding = scalar(opt, 0, N.Uint8Flags, 0)
    sw, sh = scalar(opt, 1, N.Int32Flags, 0), scalar(opt, 2, N.Int32Flags, 0)
    act = scalar(opt, 4 if depthwise else 3, N.Int8Flags, 0)
    _, ih, iw, ic = xt.shape
    oc, kh, kw = (w.shape[3], w.shape[1], w.shape[2]) if depthwise else w.shape[:3]
    oh, pt = window(padding, ih, kh, sh)
    ow, pl = window(padding, iw, kw, sw)
    wf = fweights(w, wt)
    pad = np.zeros((ih + kh + oh * sh, iw + kw + ow * sw, ic), F32)
    pad[pt:pt + ih, pl:pl + iw] = fdeq(x.reshape(ih, iw, ic), xt)
    if depthwise:
        pad = np.repeat(pad, oc // ic, axis=2)
    acc = np.zeros((oh, ow, oc), F32)
    # one float32 product and one rounded sum at a time, input channel outermost, then
    # filter rows and columns, the bias last (so the rounding matches a scalar loop)
    for c in range(1 if depthwise else ic):
        for ky in range(kh):
            for kx in range(kw):
                s = pad[ky:ky + oh * sh:sh, kx:kx + ow * sw:sw]
                if depthwise:
                    acc = (acc + (s * wf[0, ky, kx]).astype(F32)).astype(F32)
                else:
                    acc = (acc + (s[:, :, c:c + 1] * wf[:, ky, kx, c]).astype(F32)).astype(F32)
    if bias is not None:
        acc = (acc + fbias(bias, bias_t, xt, wt)).astype(F32)
    return fquant(factivate(acc, act), yt, act)


def fully_connected_float(x, xt, w, wt, bias, yt, opt):
    act = scalar(opt, 0, N.Int8Flags, 0) if opt else 0
    xf, wf = fdeq(x.reshape(-1), xt), fweights(w, wt)
    acc = np.zeros(w.shape[0], F32)
    for i in range(xf.size):  # one rounded sum at a time, in input order
        acc = (acc + (wf[:, i] * xf[i]).astype(F32)).astype(F32)
    if bias is not None:
        acc = (acc + fbias(bias, bias_t, xt, wt)).astype(F32)
    return fquant(factivate(acc, act), yt, act)


def pool_float(x, xt, yt, opt, average):
    if not average:
        return pool_int(x, xt, yt, opt, average)  # a max is exact either way
    fw, fh = scalar(opt, 3, N.Int32Flags, 0), scalar(opt, 4, N.Int32Flags, 0)
    _, ih, iw, c = xt.shape
    if (fh, fw) != (ih, iw):
        sys.exit("--float: only whole-map average pools")
    v = fdeq(x, xt).reshape(ih * iw, c)
    total = np.zeros(c, F32)
    for i in range(ih * iw):  # row by row, then divided by the window size
        total = (total + v[i]).astype(F32)
    return fquant((total / F32(ih * iw)).astype(F32), yt, scalar(opt, 5, N.Int8Flags, 0))


def add_float(a, at, b, bt, yt, opt):
    act = scalar(opt, 0, N.Int8Flags, 0) if opt else 0
    return fquant(factivate(fdeq(a, at) + fdeq(b, bt), act), yt, act)


def softmax_float(x, xt, opt):
    v = fdeq(x, xt).reshape(-1, xt.shape[-1])
    e = np.exp((v - v.max(axis=1, keepdims=True)).astype(F32)).astype(F32)
    total = np.zeros((v.shape[0], 1), F32)
    for i in range(v.shape[1]):
        total = (total + e[:, i:i + 1]).astype(F32)
    out = fquant((e / total).astype(F32), Tensor.fixed(1.0 / 256, -128))
    return out


# ---- the interpreter ---------------------------------------------------------------

def run(path, x):
    buf = bytearray(open(path, "rb").read())
    root = Table(buf, encode.Get(N.UOffsetTFlags.packer_type, buf, 0))
    codes = [max(scalar(c, 0, N.Int8Flags, 0), scalar(c, 3, N.Int32Flags, 0))
             for c in tables(root, 1)]
    buffers = tables(root, 4)
    sg = tables(root, 2)[0]
    tensors = [Tensor(t, buffers) for t in tables(sg, 0)]
    (inp,), (outp,) = vector(sg, 1, "<i4"), vector(sg, 2, "<i4")
    vals = {int(inp): x.astype(np.int64)}
    for op in tables(sg, 3):
        code = codes[scalar(op, 0, N.Uint32Flags, 0)]
        ins = [int(i) for i in vector(op, 1, "<i4")]
        out = int(vector(op, 2, "<i4")[0])
        opt = sub(op, 4)
        t = [tensors[i] if i >= 0 else None for i in ins]
        yt = tensors[out]
        bias = t[2].const() if len(t) > 2 and t[2] is not None else None
        global bias_t
        bias_t = t[2] if len(t) > 2 else None
        if code in (3, 4):
            y = conv(vals[ins[0]], t[0], t[1].const(), t[1], bias, yt, opt, code == 4)
        elif code == 9:
            y = fully_connected(vals[ins[0]], t[0], t[1].const(), t[1], bias, yt, opt)
        elif code in (1, 17):
            y = pool(vals[ins[0]], t[0], yt, opt, code == 1)
        elif code == 0:
            y = add(vals[ins[0]], t[0], vals[ins[1]], t[1], yt, opt)
        elif code in (22, 43):
            y = vals[ins[0]]
        elif code == 25:
            y = softmax(vals[ins[0]], t[0], opt)
        else:
            sys.exit(f"{path}: builtin operator {code} is not in this reference")
        vals[out] = np.asarray(y).reshape(-1)
    return vals[int(outp)]


def main():
    args = sys.argv[1:]
    if args and args[0] == "--float":
        args = args[1:]
        g = globals()
        for name in ("conv", "fully_connected", "pool", "add", "softmax"):
            g[name] = g[name + "_float"]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    for k in range(0, len(args), 3):
        path, inp, outp = args[k:k + 3]
        y = run(path, np.fromfile(inp, dtype=np.int8))
        y.astype(np.int8).tofile(outp)


if __name__ == "__main__":
    main()
