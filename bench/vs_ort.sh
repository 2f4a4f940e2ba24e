#!/bin/sh
# vs_ort.sh - edgebench against ONNX Runtime on MobileNetV1 (fp32 and int8, 1 thread),
# interleaved: every round runs ORT once, then each edgebench kernel set, so both see
# the same moments of a shared, noisy host. Prints every round and, per model, the
# median and the lowest of the per-round medians and their ratio edgebench / ORT, plus
# the median of the per-round ratios (paired, same window).
#
#   bench/vs_ort.sh --peers DIR [--edgebench BIN] [--rounds N] [--time S]
#                   [--kernels LIST]
#
#   --peers DIR      a writable copy of the ONNX Runtime peer folder, set up as its
#                    README says (python3-onnx + python3-numpy; ONNXRUNTIME_NODE_INSTALL=skip
#                    npm ci; /usr/bin/python3 gen_models.py), so DIR/models/ exists
#   --edgebench BIN  default: build/bench/edgebench
#   --rounds N       default 5
#   --time S         seconds of timed runs per config and round (default 2)
#   --kernels LIST   comma list of edgebench kernel sets (default: avx2,auto)
#
# Not part of the test suite (it needs node and onnxruntime-node). Exit 2 on bad usage.
set -eu

peers= eb=build/bench/edgebench rounds=5 secs=2 ksets=avx2,auto
while [ $# -gt 0 ]; do
    case $1 in
    --peers) peers=$2; shift 2 ;;
    --edgebench) eb=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --time) secs=$2; shift 2 ;;
    --kernels) ksets=$2; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vs_ort.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$peers" ] && [ -f "$peers/bench_ort.js" ] && [ -f "$peers/models/manifest.json" ] ||
    { echo "vs_ort.sh: --peers DIR must hold bench_ort.js and generated models/ (see --help)" >&2; exit 2; }
[ -x "$eb" ] || { echo "vs_ort.sh: edgebench binary '$eb' not found; pass --edgebench" >&2; exit 2; }
command -v node >/dev/null || { echo "vs_ort.sh: node is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
log=$tmp/rounds.tsv # round, runner, model, median ms

r=1
while [ "$r" -le "$rounds" ]; do
    node "$peers/bench_ort.js" --models mobilenet_v1,mobilenet_v1.int8 --threads 1 \
        --warmup 10 --min-iters 20 --min-time "$secs" --out "$tmp/ort.json" >/dev/null 2>&1 ||
        { echo "vs_ort.sh: bench_ort.js failed" >&2; exit 1; }
    node -e '
        const d = require(process.argv[1]);
        for (const x of d.results)
            console.log([process.argv[2], "ort", x.key.endsWith(".int8") ? "int8" : "fp32",
                         x.median].join("\t"));' "$tmp/ort.json" "$r" >>"$log"
    for k in $(echo "$ksets" | tr ',' ' '); do
        "$eb" run --model mobilenet_v1_fp32,mobilenet_v1_int8 --kernels "$k" --repetitions 1 \
            --warmup-time 0.3 --min-time "$secs" --json --quiet >"$tmp/eb.json" ||
            { echo "vs_ort.sh: edgebench run --kernels $k failed" >&2; exit 1; }
        node -e '
            const d = require(process.argv[1]);
            for (const x of d.results)
                console.log([process.argv[2], "edgebench-" + process.argv[3],
                             x.name.endsWith("_int8") ? "int8" : "fp32",
                             x.latency_ms.median].join("\t"));' "$tmp/eb.json" "$r" "$k" >>"$log"
    done
    awk -F'\t' -v r="$r" '$1 == r { printf "round %s  %-18s %-4s median %7.3f ms\n", $1, $2, $3, $4 }' "$log"
    r=$((r + 1))
done

echo
echo "per model: median and lowest of the $rounds per-round medians (ms), ratio to ORT;"
echo "paired = median over rounds of (edgebench / ORT in the same round)"
node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")
        .map((l) => l.split("\t"));
    const med = (v) => { const s = [...v].sort((a, b) => a - b), n = s.length;
                         return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
    for (const model of ["fp32", "int8"]) {
        const by = {};
        for (const [r, who, m, ms] of rows)
            if (m === model) (by[who] = by[who] || {})[r] = +ms;
        const ort = by.ort, om = med(Object.values(ort)), omin = Math.min(...Object.values(ort));
        console.log(`mobilenet_v1 ${model}: ort median ${om.toFixed(3)} min ${omin.toFixed(3)}`);
        for (const who of Object.keys(by).filter((w) => w !== "ort")) {
            const v = by[who], em = med(Object.values(v)), emin = Math.min(...Object.values(v));
            const paired = med(Object.keys(v).filter((r) => r in ort).map((r) => v[r] / ort[r]));
            console.log(`  ${who.padEnd(18)} median ${em.toFixed(3)} min ${emin.toFixed(3)}  ` +
                        `ratio median ${(em / om).toFixed(2)}x  min ${(emin / omin).toFixed(2)}x  ` +
                        `paired ${paired.toFixed(2)}x`);
        }
    }' "$log"
