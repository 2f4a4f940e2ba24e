#!/bin/sh
# The main job, from a fresh clone: installs dependencies, builds, and runs edgebench.
# Extra arguments replace the default run, e.g. scripts/run.sh list kernels
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh build
if [ $# -gt 0 ]; then
    exec build/bench/edgebench "$@"
fi
build/bench/edgebench --version
exec build/bench/edgebench list kernels
