# Network link tests (loopback only: 127.0.0.1 and 127.0.0.2), on the
# tests' build of the link, with its counters (links/net/net.cmake).
if(NOT WIN32)
  foreach(t calls streams faults errors takeover)
    omv_rpc_add_test(test_net_${t} test_net_${t}.c test_net_support.c
      net_fault_link.c TIMEOUT 300)
    target_link_libraries(test_net_${t} PRIVATE omvrpc_net_counted)
  endforeach()
endif()
