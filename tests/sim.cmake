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
