#!/bin/sh
# The whole test suite, from a fresh clone: installs dependencies, builds Release and
# ASan+UBSan trees, runs every test in both, then cross-builds for aarch64 and armhf and
# runs the kernel tests under qemu-user. Exit status 0 only when everything passed.
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

step() { printf '\n== %s\n' "$*"; }

step "release build"
scripts/build.sh build
# The board tests (ser2net, sshd) run the aarch64 agent under qemu-user, as an rpi4 would.
step "aarch64 agent for the board tests"
scripts/build.sh build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
step "release tests"
(cd build && ctest --output-on-failure -j 2)

step "AddressSanitizer + UBSan build"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEB_SANITIZE=ON
step "sanitizer tests"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j 2)

if [ -x scripts/cross-test.sh ]; then
    step "cross builds and emulated tests"
    scripts/cross-test.sh
fi
if [ -x scripts/emulate-test.sh ]; then
    step "emulated boards: the cross-built agents under qemu on a pseudo-terminal"
    scripts/emulate-test.sh
fi
step "all tests passed"
