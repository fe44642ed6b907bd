# Soak (tests/test_soak.c): bounded (about 105 s at most: 60 s over a pair, 45 s over the network), gcc builds only:
# not under the sanitizers or valgrind (label soak, not memcheck), where it
# would take many times as long to prove nothing more.
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND NOT OMV_RPC_SANITIZE AND NOT OMV_RPC_TEST_LAUNCHER)
  omv_rpc_add_test(test_soak test_soak.c support/fault_link.c test_net_support.c
    net_fault_link.c TIMEOUT 300)
  target_link_libraries(test_soak PRIVATE omvrpc_net_counted)
  set_tests_properties(test_soak PROPERTIES LABELS soak)
endif()
