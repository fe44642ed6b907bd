# A fresh copy of the repository builds and finds its data on its own
# (issue 12: the tests once read vectors from a folder beside it). Not under valgrind
# (no memcheck label): it runs cmake and a compiler.
if(NOT OMV_RPC_SANITIZE AND NOT OMV_RPC_TEST_LAUNCHER)
  add_test(NAME clone_builds_alone
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/clone/check_clone.sh ${PROJECT_SOURCE_DIR}
            ${CMAKE_C_COMPILER})
  set_tests_properties(clone_builds_alone PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77
    LABELS slow)
endif()
