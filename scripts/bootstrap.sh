#!/bin/sh
# Installs every Debian package edgebench needs. Idempotent: prints nothing when all
# packages are present. Needs root only when something is missing.
set -eu

PKGS="build-essential cmake pkg-config git
libcpuid-dev libpfm4-dev libpapi-dev libcjson-dev libcriterion-dev gnuplot-nox clang
gcc-aarch64-linux-gnu libc6-dev-arm64-cross
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
ser2net openssh-client openssh-server lava-common lavacli curl
python3-pyarmnn libarmnn-cpuref-backend22 python3-numpy python3-flatbuffers
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata python3-onnx"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing packages:$missing; run this script as root (or: sudo apt-get install$missing)" >&2
    exit 2
fi

echo "bootstrap: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "bootstrap: apt-get failed installing$missing (log above)" >&2
    rm -f "$log"
    exit 2
fi
rm -f "$log"
