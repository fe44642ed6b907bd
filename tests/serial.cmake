# Serial links (layer 2): the termios link over real pseudo-terminal pairs,
# and port selection, latency timer and error mapping.
if(NOT WIN32)
  omv_rpc_add_test(test_serial_pty test_serial_pty.c support/pty_pair.c TIMEOUT 300)
  omv_rpc_add_test(test_serial_setup test_serial_setup.c support/pty_pair.c TIMEOUT 60)
  foreach(t test_serial_pty test_serial_setup)
    target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/links)
  endforeach()
endif()
