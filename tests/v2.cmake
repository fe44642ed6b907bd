# OpenMV Protocol V2: the host (include/omv_rpc/v2.h) against the V2
# virtual camera over the in-process pair, faults included.
if(TARGET omvrpc_sim)
  omv_rpc_add_test(test_v2_host test_v2_host.c TIMEOUT 180)
  target_link_libraries(test_v2_host PRIVATE omvrpc_sim)
  target_include_directories(test_v2_host PRIVATE ${PROJECT_SOURCE_DIR}/sim)
  omv_rpc_add_test(test_v2_faults test_v2_faults.c test_v2_rig.c TIMEOUT 180)
  target_link_libraries(test_v2_faults PRIVATE omvrpc_sim)
  target_include_directories(test_v2_faults PRIVATE ${PROJECT_SOURCE_DIR}/sim)
  target_sources(test_v2_host PRIVATE test_v2_rig.c)
endif()

# omv-rpc cam against omv-rpc sim --v2 on a pseudo-terminal.
find_program(OMV_RPC_V2_BASH bash)
if(TARGET omv-rpc AND TARGET omvrpc_sim AND OMV_RPC_V2_BASH)
  add_test(NAME cli_cam_v2
    COMMAND ${OMV_RPC_V2_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cam_v2.sh $<TARGET_FILE:omv-rpc>)
  set_tests_properties(cli_cam_v2 PROPERTIES TIMEOUT 180 LABELS cli
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/cli/lsan.supp")
endif()

# rpc over a V2 channel (include/omv_rpc/v2_link.h) against the V2 sim.
if(TARGET omvrpc_sim)
  omv_rpc_add_test(test_v2_link test_v2_link.c test_v2_rig.c TIMEOUT 180)
  target_link_libraries(test_v2_link PRIVATE omvrpc_sim)
  target_include_directories(test_v2_link PRIVATE ${PROJECT_SOURCE_DIR}/sim)
endif()

# rpc over a V2 channel from the shell: the shipped camera script on
# omv-rpc sim --v2, omv-rpc call --cam against omv-rpc sim's results.
if(TARGET omv-rpc AND TARGET omvrpc_sim AND OMV_RPC_V2_BASH)
  add_test(NAME cli_call_cam_v2
    COMMAND ${OMV_RPC_V2_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_call_cam_v2.sh
      $<TARGET_FILE:omv-rpc> ${PROJECT_SOURCE_DIR}/examples/camera/rpc_v2_channel.py)
  set_tests_properties(cli_call_cam_v2 PROPERTIES TIMEOUT 180 LABELS cli
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/cli/lsan.supp")
endif()

# Protocol V2 over UDP with the camera's 50 ms task period.
if(TARGET omv-rpc AND TARGET omvrpc_sim AND OMV_RPC_V2_BASH AND NOT WIN32)
  add_test(NAME cli_cam_v2_udp
    COMMAND ${OMV_RPC_V2_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cam_v2_udp.sh
      $<TARGET_FILE:omv-rpc> ${PROJECT_SOURCE_DIR}/examples/camera/rpc_v2_channel.py)
  set_tests_properties(cli_cam_v2_udp PROPERTIES TIMEOUT 180 LABELS cli
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/cli/lsan.supp")
endif()

# The camera script's channel backend under CPython with stand-ins for the
# camera's modules (tests/camera/test_rpc_v2_channel.py).
find_program(OMV_RPC_V2_PYTHON3 python3)
if(OMV_RPC_V2_PYTHON3)
  add_test(NAME camera_script_rpc_v2_channel
    COMMAND ${OMV_RPC_V2_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/camera/test_rpc_v2_channel.py
      ${PROJECT_SOURCE_DIR}/examples/camera/rpc_v2_channel.py)
  set_tests_properties(camera_script_rpc_v2_channel PROPERTIES TIMEOUT 60 LABELS cli)
endif()
