# Platform checks. posix_sources: Linux headers and GNU/BSD feature macros
# only in files named for Linux (see platform/check_posix_sources.sh); the
# OMV_RPC_POSIX_ONLY build of ./run test then compiles the rest with only
# POSIX interfaces visible.
find_program(OMV_RPC_BASH bash)
if(OMV_RPC_BASH AND NOT WIN32)
  add_test(NAME posix_sources
    COMMAND ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/platform/check_posix_sources.sh
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(posix_sources PROPERTIES TIMEOUT 60)
  # The Windows stage's wine_run.sh (tests/windows/), with a stand-in for wine.
  add_test(NAME wine_run_retries
    COMMAND ${OMV_RPC_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/windows/test_wine_run.sh
            ${CMAKE_CURRENT_SOURCE_DIR}/windows/wine_run.sh)
  set_tests_properties(wine_run_retries PROPERTIES TIMEOUT 60)
endif()

# The Windows port listing's device-ID parser, and a well-formed listing.
omv_rpc_add_test(test_serial_device_id test_serial_device_id.c TIMEOUT 60)
target_include_directories(test_serial_device_id PRIVATE ${PROJECT_SOURCE_DIR}/links)

# The cmocka stand-in that the Windows cross-build uses (tests/windows/):
# checked here too, under the sanitizers and valgrind like the rest.
add_executable(test_cmocka_standin windows/test_cmocka_standin.c windows/cmocka_standin.c)
target_include_directories(test_cmocka_standin BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/windows)
target_link_libraries(test_cmocka_standin PRIVATE Threads::Threads)
add_test(NAME test_cmocka_standin COMMAND ${OMV_RPC_TEST_LAUNCHER} $<TARGET_FILE:test_cmocka_standin>)
set_tests_properties(test_cmocka_standin PROPERTIES TIMEOUT 60 LABELS memcheck)

# The JSON reader that stands in for cJSON where there is none (the Windows
# cross-build's vector tests): the same trees as cJSON's, bad texts refused.
omv_rpc_add_test(test_json_standin windows/test_json_standin.c windows/json_standin.c TIMEOUT 60)
target_compile_definitions(test_json_standin PRIVATE OMV_RPC_VECTORS_DEFAULT="${OMV_RPC_VECTORS_DIR}")
