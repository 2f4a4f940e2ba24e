#!/bin/sh
# vs_ort.sh - edgebench against ONNX Runtime on MobileNetV1 and V2 (fp32 and int8) at 1
# and 2 threads (ORT's intraOpNumThreads against edgebench --threads), interleaved, file
# for file: edgebench runs the same .onnx files ORT runs (--source files, the default), or
# the zoo models of the same architectures (zoo), or both (both: also shows what the
# imported file costs against the zoo model):
# every round runs ORT once per thread count, then each edgebench kernel set, so both
# see the same moments of a shared, noisy host. Prints every round and, per model,
# dtype and thread count, the median and the lowest of the per-round medians and their
# ratio edgebench / ORT, the median of the per-round ratios (paired, same window), and
# edgebench's own speed-up from 1 thread to the others.
#
#   bench/vs_ort.sh --peers DIR [--edgebench BIN] [--rounds N] [--time S]
#                   [--kernels LIST] [--models LIST] [--threads LIST]
#                   [--source files|zoo|both]
#
#   --peers DIR      a writable copy of the ONNX Runtime peer folder, set up as its
#                    README says (python3-onnx + python3-numpy; ONNXRUNTIME_NODE_INSTALL=skip
#                    npm ci; /usr/bin/python3 gen_models.py), so DIR/models/ exists
#   --edgebench BIN  default: build/bench/edgebench
#   --rounds N       default 5
#   --time S         seconds of timed runs per config and round (default 2)
#   --kernels LIST   comma list of edgebench kernel sets (default: auto)
#   --models LIST    default: mobilenet_v1,mobilenet_v2
#   --threads LIST   default: 1,2
#   --source S       files (default): DIR/models/<model>.{fp32,int8}.onnx; zoo:
#                    <model>_{fp32,int8}; both: each round runs both
#
# Not part of the test suite (it needs node and onnxruntime-node). Exit 2 on bad usage.
set -eu

peers= eb=build/bench/edgebench rounds=5 secs=2 ksets=auto models=mobilenet_v1,mobilenet_v2
threads=1,2 source=files
while [ $# -gt 0 ]; do
    case $1 in
    --peers) peers=$2; shift 2 ;;
    --edgebench) eb=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --time) secs=$2; shift 2 ;;
    --kernels) ksets=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vs_ort.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$peers" ] && [ -f "$peers/bench_ort.js" ] && [ -f "$peers/models/manifest.json" ] ||
    { echo "vs_ort.sh: --peers DIR must hold bench_ort.js and generated models/ (see --help)" >&2; exit 2; }
[ -x "$eb" ] || { echo "vs_ort.sh: edgebench binary '$eb' not found; pass --edgebench" >&2; exit 2; }
command -v node >/dev/null || { echo "vs_ort.sh: node is not installed" >&2; exit 2; }
ort_models=$(echo "$models" | tr ',' '\n' | awk '{printf "%s%s,%s.int8", (NR > 1 ? "," : ""), $0, $0}')
zoo_models=$(echo "$models" | tr ',' '\n' | awk '{printf "%s%s_fp32,%s_int8", (NR > 1 ? "," : ""), $0, $0}')
file_models=$(echo "$models" | tr ',' '\n' |
    awk -v d="$peers/models" '{printf "%s%s/%s.fp32.onnx,%s/%s.int8.onnx", (NR > 1 ? "," : ""), d, $0, d, $0}')
case $source in
files) sources=files ;;
zoo) sources=zoo ;;
both) sources="files zoo" ;;
*) echo "vs_ort.sh: --source is files, zoo or both" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
log=$tmp/rounds.tsv # round, runner, model, dtype, threads, median ms

r=1
while [ "$r" -le "$rounds" ]; do
    for t in $(echo "$threads" | tr ',' ' '); do
        node "$peers/bench_ort.js" --models "$ort_models" --threads "$t" \
            --warmup 10 --min-iters 20 --min-time "$secs" --out "$tmp/ort.json" >/dev/null 2>&1 ||
            { echo "vs_ort.sh: bench_ort.js failed" >&2; exit 1; }
        node -e '
            const d = require(process.argv[1]);
            for (const x of d.results)
                console.log([process.argv[2], "ort", x.model, x.key.endsWith(".int8") ? "int8" : "fp32",
                             x.threads, x.median].join("\t"));' "$tmp/ort.json" "$r" >>"$log"
        for k in $(echo "$ksets" | tr ',' ' '); do
            for src in $sources; do
                if [ "$src" = files ]; then list=$file_models tag=$k; else list=$zoo_models tag=$k-zoo; fi
                "$eb" run --model "$list" --kernels "$k" --threads "$t" --repetitions 1 \
                    --warmup-time 0.3 --min-time "$secs" --json --quiet >"$tmp/eb.json" ||
                    { echo "vs_ort.sh: edgebench run --kernels $k --threads $t ($src) failed" >&2; exit 1; }
                node -e '
                    const d = require(process.argv[1]);
                    for (const x of d.results) { /* an .onnx file is named <model>.<dtype> */
                        const m = x.model === "onnx" ? x.name.replace(/\.(fp32|int8)$/, "") : x.model;
                        console.log([process.argv[2], "edgebench-" + process.argv[3], m,
                                     /int8$/.test(x.name) ? "int8" : "fp32", x.threads,
                                     x.latency_ms.median].join("\t"));
                    }' "$tmp/eb.json" "$r" "$tag" >>"$log"
            done
        done
    done
    awk -F'\t' -v r="$r" '$1 == r { printf "round %s  %-18s %-13s %-4s t%s median %8.3f ms\n", $1, $2, $3, $4, $5, $6 }' "$log"
    r=$((r + 1))
done

echo
echo "per model, dtype and threads: median and lowest of the $rounds per-round medians (ms),"
echo "ratio to ORT; paired = median over rounds of (edgebench / ORT in the same round);"
echo "x1t = edgebench's own 1-thread median / this one (speed-up from threads)"
node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")
        .map((l) => l.split("\t"));
    const med = (v) => { const s = [...v].sort((a, b) => a - b), n = s.length;
                         return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
    const by = {}; /* "model dtype t" -> who -> round -> ms */
    for (const [r, who, model, dt, t, ms] of rows) {
        const k = `${model} ${dt} t${t}`;
        ((by[k] = by[k] || {})[who] = by[k][who] || {})[r] = +ms;
    }
    for (const k of Object.keys(by).sort()) {
        const ort = by[k].ort || {}, om = med(Object.values(ort)), omin = Math.min(...Object.values(ort));
        console.log(`${k}: ort median ${om.toFixed(3)} min ${omin.toFixed(3)}`);
        for (const who of Object.keys(by[k]).filter((w) => w !== "ort")) {
            const v = by[k][who], em = med(Object.values(v)), emin = Math.min(...Object.values(v));
            const paired = med(Object.keys(v).filter((r) => r in ort).map((r) => v[r] / ort[r]));
            const one = (by[k.replace(/t\d+$/, "t1")] || {})[who];
            const x1 = one ? med(Object.values(one)) / em : NaN;
            console.log(`  ${who.padEnd(18)} median ${em.toFixed(3)} min ${emin.toFixed(3)}  ` +
                        `ratio median ${(em / om).toFixed(2)}x  min ${(emin / omin).toFixed(2)}x  ` +
                        `paired ${paired.toFixed(2)}x  x1t ${x1.toFixed(2)}`);
        }
    }' "$log"
