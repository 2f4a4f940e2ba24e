# Cross build for 64-bit ARM Linux (Raspberry Pi 3/4/5 64-bit OS, Cortex-A53/A72/A76):
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
# Needs gcc-aarch64-linux-gnu and libc6-dev-arm64-cross (scripts/bootstrap.sh). Programs
# are linked statically; ctest runs them under qemu-aarch64 (qemu-user).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EB_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${EB_CROSS_TRIPLE}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${EB_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Static executables need no sysroot at run time; -L covers anything dynamic.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64;-L;/usr/${EB_CROSS_TRIPLE}")
