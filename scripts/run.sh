#!/bin/sh
# The main job, from a fresh clone: installs dependencies, builds, and measures
# MobileNetV1 int8 on this machine:
#   edgebench run --target host --model mobilenet_int8
# It prints the summary and writes the JSON report under reports/out/.
# Extra arguments replace the default run, e.g. scripts/run.sh list kernels
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh build
if [ $# -gt 0 ]; then
    exec build/bench/edgebench "$@"
fi
exec build/bench/edgebench run --target host --model mobilenet_int8
