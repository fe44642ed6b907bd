# Serial links: termios on POSIX (any tty, pseudo-terminals included), the
# Win32 comm API on Windows; ports are listed by libserialport, or by
# SetupAPI on Windows without it.
option(OMV_RPC_WITH_LIBSERIALPORT "List serial ports (and find \"auto\") with libserialport" ON)

list(APPEND OMV_RPC_LINK_SOURCES serial/serial_common.c serial/serial_ports.c
  serial/serial_usb_ids.c)
if(WIN32)
  list(APPEND OMV_RPC_LINK_SOURCES serial/serial_win32.c)
else()
  list(APPEND OMV_RPC_LINK_SOURCES serial/serial_posix.c serial/serial_latency.c
    serial/serial_latency_macos.c)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    list(APPEND OMV_RPC_LINK_SOURCES serial/serial_baud_linux.c)
    omvrpc_linux_sources(serial/serial_baud_linux.c)
  endif()
endif()

if(OMV_RPC_WITH_LIBSERIALPORT AND LIBSERIALPORT_FOUND)
  list(APPEND OMV_RPC_LINK_SOURCES serial/serial_ports_libserialport.c)
  # The libraries are linked at the top level: make the target seen there.
  set_target_properties(PkgConfig::LIBSERIALPORT PROPERTIES IMPORTED_GLOBAL TRUE)
  list(APPEND OMV_RPC_LINK_DEPS PkgConfig::LIBSERIALPORT)
  string(APPEND OMV_RPC_PC_REQUIRES " libserialport")
  string(STRIP "${OMV_RPC_PC_REQUIRES}" OMV_RPC_PC_REQUIRES)
elseif(WIN32)
  # SetupAPI lists the COM ports (serial/serial_ports_win32.c).
  list(APPEND OMV_RPC_LINK_SOURCES serial/serial_ports_win32.c)
  list(APPEND OMV_RPC_LINK_DEPS setupapi advapi32)
else()
  list(APPEND OMV_RPC_LINK_SOURCES serial/serial_ports_none.c)
  message(STATUS "omvrpc: building without libserialport: port listing and \"auto\" unavailable")
endif()
