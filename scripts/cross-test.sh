#!/bin/sh
# Cross-builds edgebench for aarch64 and armhf (static, cmake/toolchain-*.cmake) and runs
# the emulated suite with qemu-user: kernel_check (every NEON kernel against ref) under
# qemu-aarch64 -cpu cortex-a72 (ARMv8.0, no SDOT), -cpu max (SDOT) and qemu-arm -cpu
# cortex-a7 (ARMv7-A NEON), plus `edgebench list kernels` under qemu. Criterion is not
# used here: its runner re-executes itself, which qemu-user cannot follow without
# binfmt_misc registration. Called by scripts/test.sh; exit status 0 only if all passed.
#   scripts/cross-test.sh [aarch64|armhf ...]     (default: both)
set -eu
cd "$(dirname "$0")/.."
arches=${*:-"aarch64 armhf"}

for a in $arches; do
    case $a in
    aarch64) cc=aarch64-linux-gnu-gcc qemu=qemu-aarch64 cpu=cortex-a72 ;;
    armhf) cc=arm-linux-gnueabihf-gcc qemu=qemu-arm cpu=cortex-a7 ;;
    *) echo "cross-test: unknown architecture '$a' (aarch64 or armhf)" >&2; exit 2 ;;
    esac
    for tool in $cc $qemu; do
        command -v "$tool" >/dev/null 2>&1 ||
            { echo "cross-test: $tool not found; run scripts/bootstrap.sh as root" >&2; exit 2; }
    done
    start=$(date +%s)
    printf '\n-- %s: build (build-%s)\n' "$a" "$a"
    scripts/build.sh "build-$a" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-$a.cmake
    built=$(date +%s)
    printf -- '-- %s: emulated tests\n' "$a"
    (cd "build-$a" && ctest --output-on-failure -j 2)
    printf -- '-- %s: edgebench list kernels under %s -cpu %s\n' "$a" "$qemu" "$cpu"
    out=$($qemu -cpu "$cpu" "build-$a/bench/edgebench" list kernels)
    echo "$out" | grep -E '^(cpu|kernel set)|neon'
    n=$(echo "$out" | grep -c ' neon  *yes  *yes ' || true)
    if [ "$n" -ne 18 ]; then
        echo "cross-test: expected 18 chosen NEON kernels on $a, found $n" >&2
        exit 1
    fi
    end=$(date +%s)
    printf -- '-- %s: build %ss, emulated tests %ss\n' "$a" $((built - start)) $((end - built))
done
