# The install rules, the pkg-config file and the CMake package work for a
# program built against an installed copy.
if(NOT OMV_RPC_SANITIZE AND NOT OMV_RPC_TEST_LAUNCHER)
  add_test(NAME install_and_consume
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/check_install.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/install ${PROJECT_VERSION}
            $<IF:$<TARGET_EXISTS:omvrpc_sim>,ON,OFF>)
  set_tests_properties(install_and_consume PROPERTIES TIMEOUT 120)
endif()
