# The sources follow .clang-format (cmake/check_format.cmake says how to fix
# them). clang-format's output differs between its major versions: the
# check runs with the one the style was made for, 14 (Debian 12's).
find_program(OMV_RPC_CLANG_FORMAT NAMES clang-format-14 clang-format)
if(OMV_RPC_CLANG_FORMAT)
  execute_process(COMMAND ${OMV_RPC_CLANG_FORMAT} --version OUTPUT_VARIABLE OMV_RPC_CF_VERSION)
endif()
if(OMV_RPC_CF_VERSION MATCHES "version 14\\.")
  add_test(NAME format
    COMMAND ${CMAKE_COMMAND} -DCLANG_FORMAT=${OMV_RPC_CLANG_FORMAT}
            -P ${PROJECT_SOURCE_DIR}/cmake/check_format.cmake)
  set_tests_properties(format PROPERTIES LABELS style TIMEOUT 120)
else()
  message(STATUS "clang-format 14 not found: the format check (ctest -R format) is not run")
endif()
