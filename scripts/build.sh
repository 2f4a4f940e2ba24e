#!/bin/sh
# Configures and builds one edgebench build tree.
#   scripts/build.sh [DIR] [cmake options...]   (default DIR: build, Release)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; echo "build: cmake configure failed for $dir" >&2; exit 2; }
cmake --build "$dir" -j "$jobs" 2>&1 | grep -E 'error|warning|Error' >&2 || true
cmake --build "$dir" -j "$jobs" >/dev/null 2>&1 ||
    { cmake --build "$dir" -j 1 >&2; echo "build: compile failed in $dir" >&2; exit 2; }
rm -f "$dir.configure.log"
