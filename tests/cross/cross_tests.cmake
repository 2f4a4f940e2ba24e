# kernel_check: every optimized kernel against ref, in plain C (no Criterion), so the
# same program runs natively and under qemu-user. Criterion is not used for these:
# its runner re-executes itself, which qemu-user cannot do without binfmt_misc
# registration, and a cross build has no ARM Criterion library anyway.
add_executable(kernel_check ${CMAKE_CURRENT_LIST_DIR}/kernel_check.c)
target_link_libraries(kernel_check PRIVATE eb_kernels m)
# the NEON requantization check uses the kernels' internal helpers
target_include_directories(kernel_check PRIVATE ${PROJECT_SOURCE_DIR}/kernels/neon)
if(EB_ARCH STREQUAL "armhf" AND EB_ISA_FLAGS_NEON)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/kernel_check.c PROPERTIES
                              COMPILE_OPTIONS "${EB_ISA_FLAGS_NEON}")
endif()

if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME kernel_check COMMAND kernel_check --quiet)
elseif(CMAKE_CROSSCOMPILING_EMULATOR)
  # One run per emulated CPU: ARMv8.0 (no SDOT), ARMv8.x with SDOT, ARMv7-A + NEON.
  set(_eb_emu ${CMAKE_CROSSCOMPILING_EMULATOR})
  if(EB_ARCH STREQUAL "aarch64")
    add_test(NAME kernel_check_cortex_a72
             COMMAND ${_eb_emu} -cpu cortex-a72 $<TARGET_FILE:kernel_check>
                     --expect-dotprod no --quiet)
    add_test(NAME kernel_check_max
             COMMAND ${_eb_emu} -cpu max $<TARGET_FILE:kernel_check> --expect-dotprod yes --quiet)
    add_test(NAME edgebench_list_kernels_neon
             COMMAND ${_eb_emu} -cpu max $<TARGET_FILE:edgebench> list kernels)
    set_tests_properties(edgebench_list_kernels_neon PROPERTIES
                         PASS_REGULAR_EXPRESSION "neon-dot +yes +yes +eb_conv2d_s8_neondot")
  elseif(EB_ARCH STREQUAL "armhf")
    add_test(NAME kernel_check_cortex_a7
             COMMAND ${_eb_emu} -cpu cortex-a7 $<TARGET_FILE:kernel_check>
                     --expect-dotprod no --quiet)
    add_test(NAME edgebench_list_kernels_neon
             COMMAND ${_eb_emu} -cpu cortex-a7 $<TARGET_FILE:edgebench> list kernels)
    set_tests_properties(edgebench_list_kernels_neon PROPERTIES
                         PASS_REGULAR_EXPRESSION "neon +yes +yes +eb_conv2d_s8_neon")
  endif()
endif()

# model_check: the model library (zoo weights, int8 calibration, executor) gives the
# same models on every architecture and the optimized kernels match ref through it.
add_executable(model_check ${CMAKE_CURRENT_LIST_DIR}/model_check.c)
target_link_libraries(model_check PRIVATE eb_models m)
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME model_check COMMAND model_check --quiet)
elseif(CMAKE_CROSSCOMPILING_EMULATOR)
  set(_eb_cpu cortex-a7)
  if(EB_ARCH STREQUAL "aarch64")
    set(_eb_cpu max)
  endif()
  add_test(NAME model_check_${_eb_cpu}
           COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} -cpu ${_eb_cpu}
                   $<TARGET_FILE:model_check> --quiet)
  set_tests_properties(model_check_${_eb_cpu} PROPERTIES TIMEOUT 600)
endif()
