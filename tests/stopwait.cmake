# Waits for progress and stopping (issue 19, parts 1 and 2): over an
# in-process pair, a pseudo-terminal and the loopback network.
if(NOT WIN32)
  omv_rpc_add_test(test_stop_wait test_stop_wait.c test_net_support.c net_fault_link.c
    support/pty_pair.c support/liar_link.c TIMEOUT 600)
  target_link_libraries(test_stop_wait PRIVATE omvrpc_net_counted)
endif()
