# omv-rpc command-line tests: tests/cli/test_cli.sh drives the real
# omv-rpc binary against `omv-rpc sim` (over a pseudo-terminal and over
# loopback UDP/TCP), the viewer under SDL's offscreen video driver, the
# demo and the examples. test_cli_helper checks the JPEGs and screenshots
# it produces and makes the resources a shell cannot.
pkg_check_modules(OMV_CLI_TEST_SDL2 IMPORTED_TARGET sdl2)
pkg_check_modules(OMV_CLI_TEST_TURBOJPEG IMPORTED_TARGET libturbojpeg)
if(TARGET omv-rpc AND TARGET omvrpc_sim AND TARGET image_transfer_jpg_streaming
   AND OMV_CLI_TEST_SDL2_FOUND AND OMV_CLI_TEST_TURBOJPEG_FOUND)
  find_program(OMV_CLI_TEST_BASH bash)
  add_executable(test_cli_helper test_cli_helper.c)
  target_link_libraries(test_cli_helper PRIVATE PkgConfig::OMV_CLI_TEST_SDL2
    PkgConfig::OMV_CLI_TEST_TURBOJPEG)
  foreach(part usage pty net openmv_timeouts view demo examples signals)
    add_test(NAME cli_${part}
      COMMAND ${OMV_CLI_TEST_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli.sh ${part}
        $<TARGET_FILE:omv-rpc> $<TARGET_FILE:test_cli_helper>
        $<TARGET_FILE_DIR:image_transfer_jpg_streaming>)
    set_tests_properties(cli_${part} PROPERTIES TIMEOUT 180 LABELS cli
      ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/cli/lsan.supp")
  endforeach()
endif()

# omv-rpc ports: the filter, board names and USB release (on a fake sysfs).
if(TARGET omv-rpc AND NOT WIN32)
  omv_rpc_add_test(test_cli_port_info test_cli_port_info.c
    ${PROJECT_SOURCE_DIR}/tools/omv-rpc/port_info.c TIMEOUT 60)
  target_include_directories(test_cli_port_info PRIVATE ${PROJECT_SOURCE_DIR}/tools/omv-rpc)
endif()
