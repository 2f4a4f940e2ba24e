#!/usr/bin/env python3
"""mca_neon.py - per-core issue cost of edgebench's own NEON inner loops, per CPU.

Compiles the kernels MobileNet-class models spend their time in (kernels/neon: the fp32
and int8 GEMM cores behind conv2d/fc, the depthwise kernels, the SDOT GEMM) with the
aarch64 and armhf cross compilers at the build's flags, finds each function's hot inner
loop in the assembly (the innermost backward branch whose body holds the most
multiply-accumulate instructions), and asks llvm-mca how many cycles one iteration takes
on each CPU's scheduling model. MACs per iteration are counted from the instructions
(fmla .4s = 4, sdot .4s = 16, smull/smlal .8h = 8, ...). For the depthwise kernels the
per-output-vector epilogue (requantization, activation, store: the enclosing loop's
instructions outside the tap loop) is charged over the 9 taps of a 3x3 window.

Writes targets/issue/neon_issue.json, which `edgebench study` reads (see reports/README.md).
Usage: scripts/mca_neon.py [--out targets/issue/neon_issue.json]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = ["-std=c11", "-O3", "-DNDEBUG", "-Ibase", "-Ikernels/include", "-Ikernels/neon", "-Ikernels"]
ARCHES = {
    "aarch64": {"cc": "aarch64-linux-gnu-gcc", "flags": [], "triple": "aarch64-linux-gnu"},
    "armhf": {"cc": "arm-linux-gnueabihf-gcc",
              "flags": ["-march=armv7-a", "-mfpu=neon", "-mfloat-abi=hard"],
              "triple": "armv7a-linux-gnueabihf"},
}
# kernel class -> (source file, function, extra flags per arch (None: not built there))
KERNELS = {
    "gemm_f32": ("gemm_f32_neon.c", "eb_neon_gemm_f32", {"aarch64": [], "armhf": []}),
    "dwconv_f32": ("dwconv_f32_neon.c", "eb_dwconv_f32_neon", {"aarch64": [], "armhf": []}),
    "gemm_s8": ("gemm_s8_neon.c", "eb_neon_gemm_s8", {"aarch64": [], "armhf": []}),
    "dwconv_s8": ("dwconv_s8_neon.c", "eb_dwconv_s8_neon", {"aarch64": [], "armhf": []}),
    "gemm_s8_dot": ("gemm_s8_neondot.c", "eb_neon_gemm_s8dot",
                    {"aarch64": ["-march=armv8.2-a+dotprod"]}),
}
# llvm-mca CPU names (AArch64 scheduling models). LLVM 14 has an AArch32 model only for
# the Cortex-A57 among these cores, so armhf code is scheduled there, and each core's
# armhf cost is its AArch64 cost times the A57's armhf/aarch64 ratio for that kernel
# (the 32-bit penalty comes from the code: 16 q registers, no by-lane FMA, ...).
CPUS = ["cortex-a53", "cortex-a57", "cortex-a72", "cortex-a76"]
ARMHF_PROXY = "cortex-a57"
# LLVM 14 schedules cortex-a72 and cortex-a76 with its Cortex-A57 model (one Q-form FMLA
# or SDOT per cycle). The A72 matches it; the A76 issues two per cycle on its two 128-bit
# ASIMD pipes (Arm Cortex-A76 Software Optimization Guide), so its SIMD-bound loops take
# half the modelled cycles.
SIMD_SCALE = {"cortex-a76": 0.5}
DW_TAPS = 9

# multiply-accumulates per instruction, from mnemonic and the destination's arrangement
A64_MAC = re.compile(r"^\s*(fmla|fmadd|mla|smlal2?|umlal2?|smull2?|umull2?|sdot|udot)\s+(\S+)")
A32_MAC = re.compile(r"^\s*(vmla|vfma|vmlal|vmull)\.(f32|s8|s16|u8|u16|i16|i32)\s+([qd])")


def macs_of(line, arch):
    if arch == "aarch64":
        m = A64_MAC.match(line)
        if not m:
            return 0
        op, dst = m.group(1), m.group(2).rstrip(",")
        if op in ("sdot", "udot"):
            return 16 if ".4s" in dst else 8
        if op == "fmadd":
            return 1
        lanes = re.search(r"\.(\d+)([bhsd])", dst)
        return int(lanes.group(1)) if lanes else 1
    m = A32_MAC.match(line)
    if not m:
        return 0
    op, ty, reg = m.groups()
    width = 128 if reg == "q" else 64
    if op in ("vmlal", "vmull"):
        width = 128  # the destination is the widened q register
    bits = {"f32": 32, "i32": 32, "s16": 32, "u16": 32, "i16": 16, "s8": 16, "u8": 16}[ty]
    return width // bits


def function_body(asm, fn):
    out, inside = [], False
    for line in asm.splitlines():
        if line.startswith(fn + ":"):
            inside = True
            continue
        if inside:
            if line.strip().startswith(".size") and fn in line:
                break
            out.append(line)
    return out


def is_insn(line):
    s = line.strip()
    return bool(s) and not s.startswith((".", "@", "//", "#")) and not s.endswith(":")


def loops(body):
    """(start, end) index pairs of backward branches: label at start, branch at end."""
    labels = {}
    found = []
    for i, line in enumerate(body):
        s = line.strip()
        if re.match(r"^\.L\w+:$", s):
            labels[s[:-1]] = i
        m = re.match(r"^(b\.\w+|b|bne|blt|bgt|bge|ble|bhi|bcc|bcs|bls|cbnz|cbz|tbnz|tbz)\s+(?:.*,\s*)?(\.L\w+)$", s)
        if m and m.group(2) in labels and labels[m.group(2)] < i:
            found.append((labels[m.group(2)], i))
    return found


def mca_cycles(lines, arch, cpu):
    text = "\n".join(l for l in lines if is_insn(l)) + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        r = subprocess.run(["llvm-mca", "-mtriple=" + ARCHES[arch]["triple"], "-mcpu=" + cpu,
                            "-iterations=200", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if r.returncode != 0:
        raise RuntimeError("llvm-mca %s %s: %s" % (arch, cpu, r.stderr.strip()[:300]))
    total = int(re.search(r"Total Cycles:\s+(\d+)", r.stdout).group(1))
    iters = int(re.search(r"Iterations:\s+(\d+)", r.stdout).group(1))
    return total / iters


def analyse(kernel, arch):
    src, fn, extra = KERNELS[kernel]
    cc = ARCHES[arch]
    cmd = [cc["cc"]] + FLAGS + cc["flags"] + extra[arch] + ["-S", "-o", "-",
                                                             os.path.join("kernels/neon", src)]
    asm = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    body = function_body(asm, fn)
    best = None
    for (a, b) in loops(body):
        inner = [x for x in loops(body) if a < x[0] and x[1] < b]
        if inner:
            continue
        seg = body[a:b + 1]
        macs = sum(macs_of(l, arch) for l in seg)
        density = macs / max(1, sum(is_insn(l) for l in seg))
        # the hand-written loop, not a tail GCC vectorized with lane-by-lane loads
        if macs and (best is None or density > best[3]):
            best = (a, b, macs, density)
    if best is None:
        raise RuntimeError("%s/%s: no multiply-accumulate loop in %s" % (arch, kernel, fn))
    a, b, macs, _ = best
    outer = None
    if kernel.startswith("dwconv"):
        # the smallest loop enclosing the tap loop(s): its instructions outside them
        # are the per-output-vector epilogue
        encl = [x for x in loops(body) if x[0] < a and b < x[1]]
        if encl:
            o = min(encl, key=lambda x: x[1] - x[0])
            rest = [l for i, l in enumerate(body[o[0]:o[1] + 1], o[0])
                    if not any(x[0] <= i <= x[1] for x in loops(body)
                               if o[0] < x[0] and x[1] < o[1])]
            outer = rest
    return body[a:b + 1], macs, outer


def main():
    out = os.path.join(ROOT, "targets", "issue", "neon_issue.json")
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        out = sys.argv[2]
    cc_ver = subprocess.run(["aarch64-linux-gnu-gcc", "-dumpfullversion"], capture_output=True,
                            text=True).stdout.strip()
    mca_ver = re.search(r"LLVM version (\S+)", subprocess.run(
        ["llvm-mca", "--version"], capture_output=True, text=True).stdout).group(1)
    doc = {"generated_by": "scripts/mca_neon.py",
           "method": "llvm-mca %s (-iterations=200) on the hot inner loop of each kernel, "
                     "compiled by GCC %s at -O3; cycles_per_mac = loop cycles / MACs per "
                     "iteration; depthwise kernels add their per-vector epilogue over %d taps"
                     % (mca_ver, cc_ver, DW_TAPS),
           "notes": "LLVM 14 has no AArch32 model for these cores: armhf = aarch64 x the "
                    "Cortex-A57 armhf/aarch64 ratio. LLVM 14 schedules cortex-a72 and "
                    "cortex-a76 with the Cortex-A57 model; the A76 rows are scaled by 0.5 "
                    "(two Q-form FMLA/SDOT per cycle, Arm Cortex-A76 Software Optimization "
                    "Guide)",
           "cpus": {}}
    def measure(cpu, arch):
        row = {}
        for k, (_, _, extra) in KERNELS.items():
            if arch not in extra:
                continue
            loop, macs, epi = analyse(k, arch)
            cyc = mca_cycles(loop, arch, cpu)
            entry = {"loop_cycles": round(cyc, 3), "macs_per_loop": macs}
            per_mac = cyc / macs
            if epi:
                e = mca_cycles(epi, arch, cpu)
                entry["epilogue_cycles"] = round(e, 3)
                per_mac = (cyc * DW_TAPS + e) / (macs * DW_TAPS)
            if cpu in SIMD_SCALE:
                per_mac *= SIMD_SCALE[cpu]
                entry["simd_scale"] = SIMD_SCALE[cpu]
            entry["cycles_per_mac"] = round(per_mac, 4)
            row[k] = entry
        return row

    proxy64 = measure(ARMHF_PROXY, "aarch64")
    proxy32 = measure(ARMHF_PROXY, "armhf")
    for cpu in CPUS:
        a64 = proxy64 if cpu == ARMHF_PROXY else measure(cpu, "aarch64")
        a32 = {}
        for k, e in proxy32.items():
            ratio = e["cycles_per_mac"] / proxy64[k]["cycles_per_mac"]
            a32[k] = {"cycles_per_mac": round(a64[k]["cycles_per_mac"] * ratio, 4),
                      "from": "aarch64 x %s armhf/aarch64 ratio %.3f" % (ARMHF_PROXY, ratio)}
        doc["cpus"][cpu] = {"aarch64": a64, "armhf": a32}
    with open(out + ".tmp", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(out + ".tmp", out)
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
