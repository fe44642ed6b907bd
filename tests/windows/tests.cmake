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
  ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/links)
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

# Under wine, each test program runs through windows/wine_run.sh, which
# runs it again only when wine failed to start it (its server connection
# broke before the program began).
find_program(OMV_RPC_BASH bash)
set(OMV_RPC_WINE_RUN "")
if(CMAKE_CROSSCOMPILING_EMULATOR AND OMV_RPC_BASH)
  set(OMV_RPC_WINE_RUN ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/windows/wine_run.sh
    ${CMAKE_CROSSCOMPILING_EMULATOR} --)
endif()

# omv_rpc_add_test_program(NAME TARGET): a ctest of one Windows program.
function(omv_rpc_add_test_program name target)
  if(OMV_RPC_WINE_RUN)
    add_test(NAME ${name} COMMAND ${OMV_RPC_WINE_RUN} $<TARGET_FILE:${target}>)
  else()
    add_test(NAME ${name} COMMAND ${target})
  endif()
endfunction()

function(omv_rpc_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE omvrpc_test_support)
  omv_rpc_add_test_program(${name} ${name})
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

# The network link tests of the Linux builds, built here so that they keep
# compiling for Windows, where they would run (on real Windows, whose
# loopback has 127.0.0.1 and 127.0.0.2), but not run under wine: wine gives
# its sockets 127.0.0.1 for any loopback address, so a master and a slave
# in wine cannot share the protocol's port. test_wine_net below runs the
# Winsock link against the Linux build instead.
foreach(t calls streams faults errors takeover)
  add_executable(test_net_${t} test_net_${t}.c test_net_support.c net_fault_link.c)
  target_link_libraries(test_net_${t} PRIVATE omvrpc_net_counted omvrpc_test_support)
endforeach()

# omv-rpc.exe and the Winsock link across processes (windows/test_wine_net.sh):
# alone, and against the Linux build's omv-rpc (its virtual camera as the
# slave of omv-rpc.exe, its master for net_slave_peer.exe), which
# OMV_RPC_HOST_OMV_RPC names (./run test gives its gcc build's).
set(OMV_RPC_HOST_OMV_RPC "" CACHE FILEPATH
  "omv-rpc built for this machine (Linux): the peer of the Windows programs in test_wine_net")
if(CMAKE_CROSSCOMPILING_EMULATOR AND OMV_RPC_BASH AND TARGET omv-rpc)
  add_test(NAME test_wine_cli COMMAND ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/windows/test_wine_net.sh
    smoke $<TARGET_FILE:omv-rpc> -- ${CMAKE_CROSSCOMPILING_EMULATOR})
  set_tests_properties(test_wine_cli PROPERTIES TIMEOUT 300 LABELS windows)
  add_executable(net_slave_peer windows/net_slave_peer.c)
  target_link_libraries(net_slave_peer PRIVATE omvrpc_static)
  if(OMV_RPC_HOST_OMV_RPC)
    add_test(NAME test_wine_net COMMAND ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/windows/test_wine_net.sh
      net $<TARGET_FILE:omv-rpc> $<TARGET_FILE:net_slave_peer> ${OMV_RPC_HOST_OMV_RPC}
      -- ${CMAKE_CROSSCOMPILING_EMULATOR})
    set_tests_properties(test_wine_net PROPERTIES TIMEOUT 300 LABELS windows)
  else()
    message(STATUS "omvrpc: no OMV_RPC_HOST_OMV_RPC (a Linux build's omv-rpc): test_wine_net, "
      "the Winsock link against it, is not run")
  endif()
endif()

# The public headers compile after the whole of <windows.h>.
add_library(headers_after_windows_h OBJECT windows/headers_after_windows_h.c)
target_link_libraries(headers_after_windows_h PRIVATE omvrpc_static)

# Port listing with SetupAPI (under wine: whatever COM ports it has).
omv_rpc_add_test(test_serial_device_id test_serial_device_id.c TIMEOUT 60)
target_include_directories(test_serial_device_id PRIVATE ${PROJECT_SOURCE_DIR}/links)

# The stand-in itself fails what fails.
if(NOT CMOCKA_FOUND)
  add_executable(test_cmocka_standin windows/test_cmocka_standin.c windows/cmocka_standin.c)
  target_include_directories(test_cmocka_standin BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/windows)
  target_link_libraries(test_cmocka_standin PRIVATE Threads::Threads)
  omv_rpc_add_test_program(test_cmocka_standin test_cmocka_standin)
  set_tests_properties(test_cmocka_standin PROPERTIES TIMEOUT 60 LABELS windows)
endif()

# wine makes its prefix (about 10 s) on first use: once, before the tests,
# rather than in several at the same time, and the tests wait until that
# first boot's programs and its wine server have ended.
if(OMV_RPC_WINE_RUN)
  add_test(NAME wine_prefix COMMAND ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/windows/wine_run.sh
    --prefix ${CMAKE_CROSSCOMPILING_EMULATOR})
  set_tests_properties(wine_prefix PROPERTIES FIXTURES_SETUP wine TIMEOUT 300 LABELS windows)
  get_property(OMV_RPC_WINDOWS_TESTS DIRECTORY PROPERTY TESTS)
  list(REMOVE_ITEM OMV_RPC_WINDOWS_TESTS wine_prefix)
  set_tests_properties(${OMV_RPC_WINDOWS_TESTS} PROPERTIES FIXTURES_REQUIRED wine)
endif()
