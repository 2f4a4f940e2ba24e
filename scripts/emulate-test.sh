#!/bin/sh
# The --emulate end-to-end test: the cross-built agents run under qemu-user on a
# pseudo-terminal and the host edgebench drives them through the serial path, exactly as
# it drives a board. rpi4: aarch64 agent, qemu-aarch64 -cpu cortex-a72 (NEON, no SDOT);
# rpi5: -cpu cortex-a76 (SDOT kernels); rpi3_32: armhf agent, qemu-arm -cpu cortex-a7.
# Each report must validate against the schema (edgebench compare reads it), be complete,
# say "emulated" and warn that timings are not representative. A run of ds_cnn_int8 with
# --threads 1,4 must have a 4-thread result that computed what one thread computes.
# Needs build/ (scripts/build.sh) and build-aarch64/, build-armhf/ (scripts/cross-test.sh).
#   scripts/emulate-test.sh [target ...]      (default: rpi4 rpi5 rpi3_32)
set -eu
cd "$(dirname "$0")/.."
targets=${*:-"rpi4 rpi5 rpi3_32"}
eb=build/bench/edgebench
[ -x "$eb" ] || { echo "emulate-test: $eb missing; run scripts/build.sh build" >&2; exit 2; }
# a user's .tflite, imported on the host and uploaded as .ebm (rpi4 only; skipped where
# ../shared is absent, as in a user's clone)
kws=${EB_SHARED_DIR:-../shared}/models/mlperf_tiny/kws_ref_model.tflite
[ -r "$kws" ] || echo "emulate-test: $kws is absent: no .tflite model under emulation"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in $targets; do
    start=$(date +%s)
    rep="$out/$t.json"
    models=fc_autoencoder_int8,ds_cnn_int8
    [ "$t" = rpi4 ] && [ -r "$kws" ] && models="$models,$kws"
    if ! "$eb" run --target "$t" --emulate --model "$models" \
        --warmup 2 --warmup-time 0 --min-time 0.2 --min-iterations 10 --repetitions 2 \
        --quiet --out "$rep"; then
        echo "emulate-test: $t: the emulated run failed" >&2
        fail=1
        continue
    fi
    check() {
        grep -q "$1" "$rep" || { echo "emulate-test: $t: report lacks $1" >&2; fail=1; }
    }
    check '"transport":	"emulated"'
    check '"emulated":	true'
    check 'timings are not representative'
    check '"name":	"ds_cnn_int8"'
    case $t in
    rpi5) check 'eb_conv2d_s8_neondot' ;;
    rpi4) check 'eb_conv2d_s8_neon"'; [ -r "$kws" ] && check '"name":	"kws_ref_model"' ;;
    esac
    if grep -q '"complete":	false' "$rep"; then
        echo "emulate-test: $t: the report is incomplete" >&2
        fail=1
    fi
    "$eb" compare "$rep" "$rep" >/dev/null 2>&1 ||
        { echo "emulate-test: $t: the report does not validate" >&2; fail=1; }
    # one inference over 4 threads (the agent's pool, protocol 2), measured next to 1
    # thread in one report (--threads 1,4): the report records both counts and every run
    # computed the same outputs (the done lines' output_crc32)
    if ! "$eb" run --target "$t" --emulate --model ds_cnn_int8 --threads 1,4 \
        --warmup 1 --warmup-time 0 --min-time 0.05 --min-iterations 5 --repetitions 1 \
        --quiet --trace --out "$out/$t-threads.json" 2>"$out/$t-threads.trace"; then
        echo "emulate-test: $t: the run with --threads 1,4 failed" >&2
        fail=1
    fi
    crcs=$(grep -o 'output_crc32=[0-9a-f]*' "$out/$t-threads.trace" | sort | uniq -c)
    if [ "$(echo "$crcs" | grep -c output_crc32)" -ne 1 ] ||
        [ "$(grep -c 'threads=4' "$out/$t-threads.trace")" -lt 2 ]; then
        echo "emulate-test: $t: 1 and 4 threads computed different outputs: $crcs" >&2
        fail=1
    fi
    grep -q '"threads":	4' "$out/$t-threads.json" && grep -q '"thread_counts"' "$out/$t-threads.json" ||
        { echo "emulate-test: $t: the --threads 1,4 report lacks the 4-thread result" >&2; fail=1; }
    end=$(date +%s)
    n=$(grep -c '^' "$rep")
    echo "-- emulated $t: ok ($((end - start)) s, report $n lines)"
done
if [ "$fail" -ne 0 ]; then
    echo "emulate-test: FAILED" >&2
    exit 1
fi
echo "emulate-test: $(echo $targets | wc -w) passed, 0 failed"
