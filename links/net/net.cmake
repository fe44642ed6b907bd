# Network link (UDP and TCP over IPv4): BSD sockets, or Winsock 2 on
# Windows (net_os.h says how the two meet).
set(OMV_RPC_NET_SOURCES net/net_sock.c net/net_udp.c net/net_tcp.c net/net_link.c)
if(WIN32)
  list(APPEND OMV_RPC_NET_SOURCES net/net_os_win32.c)
  list(APPEND OMV_RPC_LINK_DEPS ws2_32)
endif()
list(APPEND OMV_RPC_LINK_SOURCES ${OMV_RPC_NET_SOURCES})

# The tests' own build of the link: the same sources with the counters of
# what happened inside it (net_internal.h, OMV_RPC_NET_TEST_STATS), which
# the takeover and accept tests check. A test links these objects, whose
# definitions then take the place of the library's copy (never pulled from
# the static library: nothing is left for it to define); the library and
# its install have no counters.
if(OMV_RPC_BUILD_TESTS)
  add_library(omvrpc_net_counted OBJECT EXCLUDE_FROM_ALL ${OMV_RPC_NET_SOURCES})
  target_include_directories(omvrpc_net_counted PUBLIC ${PROJECT_SOURCE_DIR}/include
    ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(omvrpc_net_counted PUBLIC OMV_RPC_NET_TEST_STATS
    PRIVATE OMV_RPC_BUILDING_LIBRARY)
  target_link_libraries(omvrpc_net_counted PRIVATE Threads::Threads)
  set_target_properties(omvrpc_net_counted PROPERTIES C_VISIBILITY_PRESET hidden)
endif()
