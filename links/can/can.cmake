# CAN (in-process bus, Linux SocketCAN, Kvaser CANlib loaded at run time).
list(APPEND OMV_RPC_LINK_SOURCES can/can_link.c can/can_mem.c can/can_socketcan.c
  can/can_kvaser.c)
if(CMAKE_DL_LIBS)
  list(APPEND OMV_RPC_LINK_DEPS ${CMAKE_DL_LIBS})
endif()
# libsocketcan (Debian: libsocketcan-dev) lets the SocketCAN link set the
# bit rate of an interface that is down; without it the link logs the
# `ip link` commands instead.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  pkg_check_modules(LIBSOCKETCAN QUIET libsocketcan)
  if(LIBSOCKETCAN_FOUND)
    # A plain library path (not an imported target) so the exported
    # CMake package needs nothing more to find.
    list(APPEND OMV_RPC_LINK_DEPS ${LIBSOCKETCAN_LINK_LIBRARIES})
    string(APPEND OMV_RPC_PC_REQUIRES " libsocketcan")
    string(STRIP "${OMV_RPC_PC_REQUIRES}" OMV_RPC_PC_REQUIRES)
    set_source_files_properties(can/can_socketcan.c PROPERTIES
      COMPILE_DEFINITIONS OMV_RPC_HAVE_LIBSOCKETCAN=1
      INCLUDE_DIRECTORIES "${LIBSOCKETCAN_INCLUDE_DIRS}")
  else()
    message(STATUS "omvrpc: building without libsocketcan: a CAN interface that is down is not set up")
  endif()
endif()
# After the COMPILE_DEFINITIONS set above, which would replace these.
omvrpc_linux_sources(can/can_socketcan.c)
