# Network link (UDP and TCP over IPv4): BSD sockets, or Winsock 2 on
# Windows (net_os.h says how the two meet).
list(APPEND OMV_RPC_LINK_SOURCES net/net_sock.c net/net_udp.c net/net_tcp.c net/net_link.c)
if(WIN32)
  list(APPEND OMV_RPC_LINK_SOURCES net/net_os_win32.c)
  list(APPEND OMV_RPC_LINK_DEPS ws2_32)
endif()
