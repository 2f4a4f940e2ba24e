# Cross build for 32-bit ARM Linux, hard float (Raspberry Pi OS 32-bit on a Pi 2/3/4,
# ARMv7-A, Cortex-A7 and up):
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
# Needs gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross (scripts/bootstrap.sh). The
# baseline is Debian armhf (ARMv7-A + VFPv3-D16); only kernels/neon is built with NEON.
# Programs are linked statically; ctest runs them under qemu-arm (qemu-user).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(EB_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${EB_CROSS_TRIPLE}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${EB_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-arm;-L;/usr/${EB_CROSS_TRIPLE}")
