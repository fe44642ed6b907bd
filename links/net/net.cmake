# Network link (UDP and TCP over IPv4, BSD sockets): POSIX only for now.
if(NOT WIN32)
  list(APPEND OMV_RPC_LINK_SOURCES net/net_sock.c net/net_udp.c net/net_tcp.c net/net_link.c)
  # links/openmv.c builds omv_rpc_net_master_new/_slave_new where this is on.
  set(OMV_RPC_HAVE_NET_LINK ON)
else()
  message(STATUS "omvrpc: the network link is not built on Windows yet")
endif()
