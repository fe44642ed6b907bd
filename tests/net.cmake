# Network link tests (loopback only: 127.0.0.1 and 127.0.0.2).
if(NOT WIN32)
  foreach(t calls streams faults errors takeover)
    omv_rpc_add_test(test_net_${t} test_net_${t}.c test_net_support.c
      net_fault_link.c TIMEOUT 300)
    target_include_directories(test_net_${t} PRIVATE ${PROJECT_SOURCE_DIR}/links)
  endforeach()
endif()
