# Network link (UDP and TCP over IPv4, BSD sockets): POSIX only for now.
if(NOT WIN32)
  list(APPEND OMV_RPC_LINK_SOURCES net_sock.c net_udp.c net_tcp.c net_link.c)
else()
  message(STATUS "omvrpc: the network link is not built on Windows yet")
endif()
