#!/bin/sh
# The fuzz targets of fuzz/ built with clang's libFuzzer, ASan and UBSan (float-cast-
# overflow included), in their own build tree (default build-fuzz).
#   scripts/fuzz.sh build                  configure and build the targets and their seeds
#   scripts/fuzz.sh smoke [SECONDS]        build, then run each target SECONDS (3) from its
#                                          seeds: what the test suite does (ctest -R smoke)
#   scripts/fuzz.sh campaign [SECONDS] [TARGET...]
#                                          build, then fuzz each target (default: all) for
#                                          SECONDS (600), one at a time, keeping the corpus
#                                          in build-fuzz/fuzz/corpus/<name>; prints
#                                          executions, coverage and crashes per target
# FUZZ_DIR overrides the build tree; FUZZ_JOBS the build's parallelism (2); FUZZ_RUNS
# ends a campaign's target after that many executions if it gets there before SECONDS
# (the issue's bar: 10 minutes or 1,000,000 executions, whichever comes first).
# Exit status: 0 when no target crashed, leaked or reported undefined behaviour.
set -eu
cd "$(dirname "$0")/.."
dir=${FUZZ_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-2}
cmd=${1:-smoke}
[ $# -gt 0 ] && shift

build() {
    command -v clang >/dev/null 2>&1 ||
        { echo "fuzz: clang not found (apt-get install clang)" >&2; exit 2; }
    CC=clang cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEB_FUZZ=ON \
        -DEB_TESTS=OFF >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log" >&2; echo "fuzz: cmake configure failed" >&2; exit 2; }
    rm -f "$dir.configure.log"
    cmake --build "$dir" -j "$jobs" --target eb_fuzz_all >"$dir.build.log" 2>&1 ||
        { grep -E 'error|warning' "$dir.build.log" >&2; echo "fuzz: build failed" >&2; exit 2; }
    grep -E 'warning:' "$dir.build.log" >&2 || true
    rm -f "$dir.build.log"
}

targets() {
    for f in "$dir"/fuzz/fuzz_*; do
        case $f in *.*) continue ;; esac
        if [ -x "$f" ] && [ -f "$f" ]; then basename "$f"; fi
    done
    return 0
}

case $cmd in
build)
    build
    ;;
smoke)
    build
    secs=${1:-3}
    rc=0
    for t in $(targets); do
        name=${t#fuzz_}
        work="$dir/fuzz/smoke/$name"
        rm -rf "$work" && mkdir -p "$work"
        regress=""
        [ -d "fuzz/regressions/$name" ] && regress="fuzz/regressions/$name"
        dict=""
        [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
        # shellcheck disable=SC2086 # regress and dict are empty or one word
        if "$dir/fuzz/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
            -print_final_stats=1 $dict "$work" "$dir/fuzz/seeds/$name" $regress \
            >"$dir/fuzz/$t.smoke.log" 2>&1; then
            printf '%-16s ok   %s executions, %s\n' "$t" \
                "$(grep -Eo 'number_of_executed_units: *[0-9]+' "$dir/fuzz/$t.smoke.log" |
                    grep -Eo '[0-9]+$')" \
                "$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$dir/fuzz/$t.smoke.log" | tail -1)"
        else
            printf '%-16s FAILED (log: %s)\n' "$t" "$dir/fuzz/$t.smoke.log"
            rc=1
        fi
    done
    exit $rc
    ;;
campaign)
    build
    secs=${1:-600}
    [ $# -gt 0 ] && shift
    list=${*:-$(targets)}
    rc=0
    printf '%-16s %12s %10s %6s %8s %8s %s\n' target executions exec/s secs cov ft crashes
    for t in $list; do
        name=${t#fuzz_}
        t=fuzz_$name
        corpus="$dir/fuzz/corpus/$name"
        art="$dir/fuzz/artifacts/$name/"
        mkdir -p "$corpus" "$art"
        log="$dir/fuzz/$t.campaign.log"
        set +e
        regress=""
        [ -d "fuzz/regressions/$name" ] && regress="fuzz/regressions/$name"
        dict=""
        [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
        runs=""
        [ -n "${FUZZ_RUNS:-}" ] && runs="-runs=$FUZZ_RUNS"
        start=$(date +%s)
        # shellcheck disable=SC2086 # regress, dict and runs are empty or one word
        "$dir/fuzz/$t" -max_total_time="$secs" $runs -timeout=20 -rss_limit_mb=2560 \
            -print_final_stats=1 -artifact_prefix="$art" $dict "$corpus" \
            "$dir/fuzz/seeds/$name" $regress >"$log" 2>&1
        status=$?
        set -e
        execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
        eps=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
        cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
        crashes=$(find "$art" -type f | wc -l)
        printf '%-16s %12s %10s %6s %8s %8s %s\n' "$t" "$execs" "$eps" "$(($(date +%s) - start))" \
            "$(echo "$cov" | awk '{print $2}')" "$(echo "$cov" | awk '{print $4}')" \
            "$crashes$( [ "$status" -ne 0 ] && echo " (exit $status, log $log)")"
        [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ] && rc=1
    done
    exit $rc
    ;;
*)
    echo "usage: scripts/fuzz.sh build | smoke [SECONDS] | campaign [SECONDS] [TARGET...]" >&2
    exit 2
    ;;
esac
