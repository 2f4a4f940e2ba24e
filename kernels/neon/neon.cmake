# NEON kernels, included by kernels/CMakeLists.txt for aarch64 and armhf builds.
# ISA flags go on the files that need them only:
#  - aarch64: Advanced SIMD is baseline (ARMv8.0-A); *_neondot.c files are built with
#    -march=armv8.2-a+dotprod and only run when HWCAP_ASIMDDP is set.
#  - armhf: NEON is optional on ARMv7-A, so the NEON files get -mfpu=neon (the rest of
#    the binary stays plain armhf) and run only when HWCAP_NEON is set.
file(GLOB EB_NEON_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)
file(GLOB EB_NEONDOT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_neondot.c)
if(EB_NEONDOT_SOURCES)
  list(REMOVE_ITEM EB_NEON_SOURCES ${EB_NEONDOT_SOURCES})
endif()
target_include_directories(eb_kernels PRIVATE ${CMAKE_CURRENT_LIST_DIR})

if(EB_ARCH STREQUAL "aarch64")
  target_sources(eb_kernels PRIVATE ${EB_NEON_SOURCES} ${EB_NEONDOT_SOURCES})
  set_source_files_properties(${EB_NEONDOT_SOURCES} PROPERTIES
                              COMPILE_OPTIONS "-march=armv8.2-a+dotprod")
  target_compile_definitions(eb_kernels PUBLIC EB_HAVE_NEON=1 EB_HAVE_NEON_DOT=1)
  message(STATUS "edgebench: NEON kernels on (aarch64, SDOT kernels chosen at run time)")
elseif(EB_ARCH STREQUAL "armhf")
  # EB_NEON_FLAGS: how the NEON files are built (other files keep the toolchain's flags).
  set(EB_NEON_FLAGS "-march=armv7-a;-mfpu=neon;-mfloat-abi=hard" CACHE INTERNAL "")
  target_sources(eb_kernels PRIVATE ${EB_NEON_SOURCES})
  set_source_files_properties(${EB_NEON_SOURCES} PROPERTIES COMPILE_OPTIONS "${EB_NEON_FLAGS}")
  target_compile_definitions(eb_kernels PUBLIC EB_HAVE_NEON=1)
  message(STATUS "edgebench: NEON kernels on (ARMv7-A NEON, chosen at run time)")
endif()
