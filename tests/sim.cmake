# The virtual camera: scene, rendering and every callback over the
# in-process pair.
if(TARGET omvrpc_sim)
  foreach(t render calls)
    omv_rpc_add_test(test_sim_${t} test_sim_${t}.c TIMEOUT 120)
    target_link_libraries(test_sim_${t} PRIVATE omvrpc_sim)
  endforeach()
endif()
