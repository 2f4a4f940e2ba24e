#!/bin/sh
# The --emulate end-to-end test: the cross-built agents run under qemu-user on a
# pseudo-terminal and the host edgebench drives them through the serial path, exactly as
# it drives a board. rpi4: aarch64 agent, qemu-aarch64 -cpu cortex-a72 (NEON, no SDOT);
# rpi5: -cpu cortex-a76 (SDOT kernels); rpi3_32: armhf agent, qemu-arm -cpu cortex-a7.
# Each report must validate against the schema (edgebench compare reads it), be complete,
# say "emulated" and warn that timings are not representative. A run of ds_cnn_int8 with
# --threads 4 must say 4 threads and compute what one thread computes (output_crc32).
# Needs build/ (scripts/build.sh) and build-aarch64/, build-armhf/ (scripts/cross-test.sh).
#   scripts/emulate-test.sh [target ...]      (default: rpi4 rpi5 rpi3_32)
set -eu
cd "$(dirname "$0")/.."
targets=${*:-"rpi4 rpi5 rpi3_32"}
eb=build/bench/edgebench
[ -x "$eb" ] || { echo "emulate-test: $eb missing; run scripts/build.sh build" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in $targets; do
    start=$(date +%s)
    rep="$out/$t.json"
    if ! "$eb" run --target "$t" --emulate --model fc_autoencoder_int8,ds_cnn_int8 \
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
    rpi4) check 'eb_conv2d_s8_neon"' ;;
    esac
    if grep -q '"complete":	false' "$rep"; then
        echo "emulate-test: $t: the report is incomplete" >&2
        fail=1
    fi
    "$eb" compare "$rep" "$rep" >/dev/null 2>&1 ||
        { echo "emulate-test: $t: the report does not validate" >&2; fail=1; }
    # one inference over 4 threads (the agent's pool, protocol 2): the report records
    # it and the outputs (the done line's output_crc32) are those of one thread
    for th in 1 4; do
        if ! "$eb" run --target "$t" --emulate --model ds_cnn_int8 --threads $th \
            --warmup 1 --warmup-time 0 --min-time 0.05 --min-iterations 3 --repetitions 1 \
            --quiet --trace --out "$out/$t-t$th.json" 2>"$out/$t-t$th.trace"; then
            echo "emulate-test: $t: the run with --threads $th failed" >&2
            fail=1
        fi
    done
    crc1=$(grep -o 'output_crc32=[0-9a-f]*' "$out/$t-t1.trace" | tail -1)
    crc4=$(grep -o 'output_crc32=[0-9a-f]*' "$out/$t-t4.trace" | tail -1)
    if [ -z "$crc1" ] || [ "$crc1" != "$crc4" ]; then
        echo "emulate-test: $t: 4 threads gave '$crc4', 1 thread '$crc1'" >&2
        fail=1
    fi
    grep -q '"threads":	4' "$out/$t-t4.json" ||
        { echo "emulate-test: $t: the --threads 4 report does not say 4 threads" >&2; fail=1; }
    end=$(date +%s)
    n=$(grep -c '^' "$rep")
    echo "-- emulated $t: ok ($((end - start)) s, report $n lines)"
done
if [ "$fail" -ne 0 ]; then
    echo "emulate-test: FAILED" >&2
    exit 1
fi
echo "emulate-test: $(echo $targets | wc -w) passed, 0 failed"
