# Core (layer 1) tests.
omv_rpc_add_test(test_core_values test_core_values.c TIMEOUT 60)
omv_rpc_add_test(test_core_transcripts test_core_transcripts.c support/script_link.c TIMEOUT 60)
omv_rpc_add_test(test_core_calls test_core_calls.c TIMEOUT 300)
omv_rpc_add_test(test_core_bad_input test_core_bad_input.c TIMEOUT 120)
omv_rpc_add_test(test_core_streams test_core_streams.c TIMEOUT 300)
omv_rpc_add_test(test_core_stream_acks test_core_stream_acks.c TIMEOUT 60)
omv_rpc_add_test(test_core_retry_races test_core_retry_races.c TIMEOUT 60)
omv_rpc_add_test(test_core_slave_camera test_core_slave_camera.c TIMEOUT 120)
omv_rpc_add_test(test_core_poll_schedule test_core_poll_schedule.c TIMEOUT 60)
omv_rpc_add_test(test_core_static test_core_static.c TIMEOUT 60)
omv_rpc_add_test(test_core_crc test_core_crc.c TIMEOUT 300)
omv_rpc_add_test(test_core_link_table test_core_link_table.c TIMEOUT 60)
omv_rpc_add_test(test_core_version test_core_version.c TIMEOUT 60)
target_compile_definitions(test_core_version PRIVATE OMV_RPC_EXPECTED_VERSION="${PROJECT_VERSION}")
# Exit status 77: no CLMUL path on this machine, nothing compared.
set_tests_properties(test_core_crc PROPERTIES SKIP_RETURN_CODE 77)

# CRC-16 throughput, run by hand (crc_speed [MiB]); not a test.
add_executable(crc_speed crc_speed.c)
target_link_libraries(crc_speed PRIVATE omvrpc_static)
target_include_directories(crc_speed PRIVATE ${PROJECT_SOURCE_DIR}/core)

# The core builds freestanding for a Cortex-M microcontroller, with no
# malloc (only when the ARM cross-compiler is installed; .ci/run installs it).
find_program(OMV_RPC_ARM_GCC arm-none-eabi-gcc)
if(OMV_RPC_ARM_GCC)
  file(GLOB OMV_RPC_CORE_C ${PROJECT_SOURCE_DIR}/core/*.c)
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/cortex_m)
  add_test(NAME core_builds_for_cortex_m
    COMMAND ${OMV_RPC_ARM_GCC} -std=c11 -mcpu=cortex-m4 -mthumb -Os -ffreestanding
            -DOMV_RPC_NO_MALLOC -Wall -Wextra -Wpedantic -Werror
            -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/core -c ${OMV_RPC_CORE_C}
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/cortex_m)
endif()
