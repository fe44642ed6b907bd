# The tests of the Windows cross-build (cmake/toolchain-mingw-w64.cmake),
# run under wine by ctest (CMAKE_CROSSCOMPILING_EMULATOR). Debian has no
# Windows build of cmocka or cJSON: without them for the target the tests
# use the stand-ins beside this file (cmocka.h; json/cjson/cJSON.h, a JSON
# reader for the reference vectors), each checked against the real one in
# the Linux builds. Tests that need POSIX (pseudo-terminals) or the sim are
# not built here.
pkg_check_modules(CMOCKA QUIET IMPORTED_TARGET cmocka)
pkg_check_modules(CJSON QUIET IMPORTED_TARGET libcjson)
set(OMV_RPC_VECTORS_DIR "${CMAKE_CURRENT_SOURCE_DIR}/vectors")

add_library(omvrpc_test_support STATIC support/test_support.c support/rig.c
  support/call_checks.c support/stream_jobs.c support/fake_peer.c support/log_capture.c
  support/vectors.c)
target_include_directories(omvrpc_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/support
  ${PROJECT_SOURCE_DIR}/core)
target_link_libraries(omvrpc_test_support PUBLIC omvrpc_static Threads::Threads)
if(CMOCKA_FOUND)
  target_link_libraries(omvrpc_test_support PUBLIC PkgConfig::CMOCKA)
else()
  message(STATUS "omvrpc: no cmocka for Windows: the tests use the stand-in in tests/windows")
  target_sources(omvrpc_test_support PRIVATE windows/cmocka_standin.c)
  target_include_directories(omvrpc_test_support BEFORE PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/windows)
endif()
if(CJSON_FOUND)
  target_link_libraries(omvrpc_test_support PUBLIC PkgConfig::CJSON)
else()
  message(STATUS "omvrpc: no cJSON for Windows: the vector tests read JSON with tests/windows/json_standin.c")
  target_sources(omvrpc_test_support PRIVATE windows/json_standin.c)
  target_include_directories(omvrpc_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/windows/json
    ${CMAKE_CURRENT_SOURCE_DIR}/windows)
endif()
# wine reads the tree through its Z: drive, where the Linux path is the same.
target_compile_definitions(omvrpc_test_support PRIVATE
  OMV_RPC_VECTORS_DEFAULT="${OMV_RPC_VECTORS_DIR}")

function(omv_rpc_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE omvrpc_test_support)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS windows)
endfunction()

foreach(t calls bad_input streams stream_acks retry_races static crc version)
  omv_rpc_add_test(test_core_${t} test_core_${t}.c TIMEOUT 300)
endforeach()
# The reference vectors recorded from OpenMV's code.
omv_rpc_add_test(test_core_values test_core_values.c TIMEOUT 60)
omv_rpc_add_test(test_core_transcripts test_core_transcripts.c support/script_link.c TIMEOUT 60)
target_compile_definitions(test_core_version PRIVATE OMV_RPC_EXPECTED_VERSION="${PROJECT_VERSION}")
set_tests_properties(test_core_crc PROPERTIES SKIP_RETURN_CODE 77)

# The simulated I2C/SPI camera: timed waits on condition variables, the
# clock winpthreads makes realtime (links/common/clock.h).
# (test_i2c_faults checks the Linux errno mapping: not here.)
omv_rpc_add_test(test_i2c_calls test_i2c_calls.c test_i2c_spi_sim.c TIMEOUT 300)
target_include_directories(test_i2c_calls PRIVATE ${PROJECT_SOURCE_DIR}/links)

# Port listing with SetupAPI (under wine: whatever COM ports it has).
omv_rpc_add_test(test_serial_device_id test_serial_device_id.c TIMEOUT 60)
target_include_directories(test_serial_device_id PRIVATE ${PROJECT_SOURCE_DIR}/links)

# The stand-in itself fails what fails.
if(NOT CMOCKA_FOUND)
  add_executable(test_cmocka_standin windows/test_cmocka_standin.c windows/cmocka_standin.c)
  target_include_directories(test_cmocka_standin BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/windows)
  target_link_libraries(test_cmocka_standin PRIVATE Threads::Threads)
  add_test(NAME test_cmocka_standin COMMAND test_cmocka_standin)
  set_tests_properties(test_cmocka_standin PROPERTIES TIMEOUT 60 LABELS windows)
endif()

# wine makes its prefix (about 10 s) on first use: once, before the tests,
# rather than in several at the same time.
if(CMAKE_CROSSCOMPILING_EMULATOR)
  add_test(NAME wine_prefix COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} cmd /c exit 0)
  set_tests_properties(wine_prefix PROPERTIES FIXTURES_SETUP wine TIMEOUT 300 LABELS windows)
  get_property(OMV_RPC_WINDOWS_TESTS DIRECTORY PROPERTY TESTS)
  list(REMOVE_ITEM OMV_RPC_WINDOWS_TESTS wine_prefix)
  set_tests_properties(${OMV_RPC_WINDOWS_TESTS} PROPERTIES FIXTURES_REQUIRED wine)
endif()
