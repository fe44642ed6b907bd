# The virtual camera: scene, rendering and every callback over the
# in-process pair.
if(TARGET omvrpc_sim)
  foreach(t render calls behaviour)
    omv_rpc_add_test(test_sim_${t} test_sim_${t}.c TIMEOUT 120)
    target_link_libraries(test_sim_${t} PRIVATE omvrpc_sim)
  endforeach()

  # Its frames read by independent decoders (Debian: libzbar-dev; libdmtx
  # and libapriltag come with the sim). Decoding is slow under valgrind,
  # so these run in the other builds only (label "decode", not memcheck).
  pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar)
  add_library(omvrpc_test_sim_decoders STATIC sim_decoders.c)
  target_link_libraries(omvrpc_test_sim_decoders PUBLIC omvrpc_sim PkgConfig::ZBAR)
  omv_rpc_add_test(test_sim_decode test_sim_decode.c TIMEOUT 300)
  target_link_libraries(test_sim_decode PRIVATE omvrpc_test_sim_decoders)
  set_tests_properties(test_sim_decode PROPERTIES LABELS decode)
endif()

# Scene files: the documented example, decoded; bad files refused.
if(TARGET omvrpc_test_sim_decoders)
  omv_rpc_add_test(test_sim_scene test_sim_scene.c TIMEOUT 300)
  target_link_libraries(test_sim_scene PRIVATE omvrpc_test_sim_decoders)
  target_compile_definitions(test_sim_scene PRIVATE
    OMV_RPC_SCENE_EXAMPLE="${PROJECT_SOURCE_DIR}/docs/sim-scene-example.json")
endif()

# The done-when of the decodable codes, as a user types it: omv-rpc sim,
# omv-rpc snapshot, zbarimg (Debian: zbar-tools), dmtxread (dmtx-utils),
# apriltag (apriltag; djpeg from libjpeg-turbo-progs), omv-rpc call.
find_program(OMV_RPC_ZBARIMG zbarimg)
find_program(OMV_RPC_SIM_CLI_BASH bash)
if(TARGET omv-rpc AND OMV_RPC_ZBARIMG AND OMV_RPC_SIM_CLI_BASH)
  add_test(NAME cli_sim_codes
    COMMAND ${OMV_RPC_SIM_CLI_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_sim_cli.sh
      $<TARGET_FILE:omv-rpc> ${PROJECT_SOURCE_DIR}/docs/sim-scene-example.json)
  set_tests_properties(cli_sim_codes PROPERTIES TIMEOUT 180 LABELS cli
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/cli/lsan.supp")
endif()
