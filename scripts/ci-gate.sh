#!/bin/sh
# CI regression gate, an example to copy into a pipeline. Two modes:
#
#   scripts/ci-gate.sh compare BASELINE.json [MODEL]
#       runs this build's benchmark into $OUT/current.json and gates it against a stored
#       baseline report with `edgebench compare` (fine on a dedicated, quiet runner).
#   scripts/ci-gate.sh ab BASELINE_EDGEBENCH [MODEL]
#       interleaves rounds of another build (e.g. main's) and this one with `edgebench ab`
#       (the gate that works on shared, noisy runners).
#
# Environment: EDGEBENCH (this build's binary, default build/bench/edgebench), OUT (output
# folder, default ci-out), THRESHOLD (percent, default 5), ROUNDS (ab, default 10),
# EXTRA (more `run` options, e.g. "--kernels ref").
# Writes $OUT/gate.xml (JUnit) and $OUT/gate.md (for a pull-request comment).
# Exit status: 0 no regression, 1 regression, 2 usage or input error.
set -eu
cd "$(dirname "$0")/.."
eb=${EDGEBENCH:-build/bench/edgebench}
out=${OUT:-ci-out}
threshold=${THRESHOLD:-5}
extra=${EXTRA:-}

usage() {
    echo "usage: scripts/ci-gate.sh compare BASELINE.json [MODEL] | ab BASELINE_EDGEBENCH [MODEL]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
mode=$1
ref=$2
model=${3:-ds_cnn_int8}
[ -x "$eb" ] || { echo "ci-gate: $eb is not an executable edgebench (set EDGEBENCH)" >&2; exit 2; }
mkdir -p "$out"

rc=0
case $mode in
compare)
    [ -f "$ref" ] || { echo "ci-gate: baseline report '$ref' not found" >&2; exit 2; }
    # --force: current.json is this gate's own scratch file, replaced on every run
    # shellcheck disable=SC2086 # EXTRA is a list of options
    "$eb" run --target host --model "$model" $extra --out "$out/current.json" --force --quiet || exit 2
    "$eb" compare "$ref" "$out/current.json" --threshold "$threshold" \
        --junit "$out/gate.xml" --markdown "$out/gate.md" || rc=$?
    ;;
ab)
    [ -x "$ref" ] || { echo "ci-gate: baseline binary '$ref' is not executable" >&2; exit 2; }
    "$eb" ab --baseline "$ref" --candidate "$eb" --model "$model" --rounds "${ROUNDS:-10}" \
        --threshold "$threshold" --junit "$out/gate.xml" --markdown "$out/gate.md" || rc=$?
    ;;
*)
    usage
    ;;
esac

case $rc in
0) echo "ci-gate: no regression" ;;
1) echo "ci-gate: REGRESSION (details: $out/gate.md)" ;;
*) echo "ci-gate: the gate could not run (exit $rc)" ;;
esac
exit "$rc"
