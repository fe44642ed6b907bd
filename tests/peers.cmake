# Other implementations' timing as peers (issues 16, 17): the Arduino
# library's master and slave on a paced cable, OpenMV's camera slave.
# Slow by nature (wire time at 9600 baud), so not under valgrind: only
# tests labelled memcheck run there.
# Issue 19 part 4: a slave that checks slowly (sleeps, so not under
# valgrind).
add_executable(test_core_slow_check test_core_slow_check.c)
target_link_libraries(test_core_slow_check PRIVATE omvrpc_test_support)
add_test(NAME test_core_slow_check COMMAND test_core_slow_check)
set_tests_properties(test_core_slow_check PROPERTIES TIMEOUT 300 LABELS timing)

if(TARGET omvrpc_peers)
  # The full runs of issue 17 (1000 calls of 0..1024 bytes each way): cmake
  # -DOMV_RPC_LONG_TESTS=ON, then ctest -L long. At 9600 baud the Arduino
  # master's runs take about 45 minutes (it sends a large argument several
  # times while its short timeouts grow), ours about 25; at 115200 3 and 2.
  option(OMV_RPC_LONG_TESTS "Register the long peer runs (ctest -L long)" OFF)

  add_executable(test_peer_arduino test_peer_arduino.c stall_link.c)
  target_link_libraries(test_peer_arduino PRIVATE omvrpc_test_support omvrpc_peers)
  # Our master against the Arduino slave: with the long runs only (below).
  # That slave's loop() gives up a result 100 ms after the callback (at
  # 9600 baud it takes a data request only once its timeouts have outgrown
  # its own header's wire time), and a simulated microcontroller thread
  # starved on a loaded machine misses that, or an ack, now and then.
  # The others in the plain gcc build only (the clang and sanitizer builds
  # run the same code; this keeps the CI time down).
  if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND NOT OMV_RPC_SANITIZE)
    add_test(NAME peer_arduino_master_our_slave_115200
      COMMAND test_peer_arduino baud=115200 calls=100 only=test_arduino_master_our_slave)
    set_tests_properties(peer_arduino_master_our_slave_115200 PROPERTIES TIMEOUT 300 LABELS peers)
  endif()
  # Issue 16: our master against OpenMV's camera timing, stalls included
  # (seconds; every build but valgrind's).
  add_executable(test_peer_openmv test_peer_openmv.c support/pty_pair.c test_net_support.c
    net_fault_link.c)
  target_link_libraries(test_peer_openmv PRIVATE omvrpc_test_support omvrpc_peers
    omvrpc_net_counted)
  add_test(NAME test_peer_openmv COMMAND test_peer_openmv)
  set_tests_properties(test_peer_openmv PROPERTIES TIMEOUT 300 LABELS peers)
  if(OMV_RPC_LONG_TESTS)
    add_test(NAME test_core_slow_check_long COMMAND test_core_slow_check long)
    set_tests_properties(test_core_slow_check_long PROPERTIES TIMEOUT 900 LABELS long)
    # The Arduino master against our slave at 9600 baud, 20 calls (about a
    # minute): long only, for now. With our slave's send timeout as long as
    # that master's (10 s), 5 calls in 300 failed: our slave, waiting for
    # the result request, read the master's repeated command headers 4
    # bytes at a time out of step and refused them all (it slides over
    # stray bytes only while it waits for a command); with 1 s it gave the
    # result up and ran the repeated call's callback again (19 in 1000).
    add_test(NAME peer_arduino_master_our_slave_9600_short
      COMMAND test_peer_arduino baud=9600 calls=20 only=test_arduino_master_our_slave)
    set_tests_properties(peer_arduino_master_our_slave_9600_short
      PROPERTIES TIMEOUT 600 LABELS long)
    # Issue 17.2 against the Arduino slave itself (a stall injected on
    # every fourth call); test_core_retry_races has the deterministic case.
    # Long only: under a full ctest on 2 cores its slave thread starved once
    # long enough for a command to be sent twice (21 callbacks in 20 calls).
    add_test(NAME peer_our_master_late_data_request_long
      COMMAND test_peer_arduino baud=115200 calls=400 only=test_our_master_late_data_request)
    set_tests_properties(peer_our_master_late_data_request_long PROPERTIES TIMEOUT 1800 LABELS long)
    # Issue 17.3: our master with the baud rate unknown (`--port`) learns
    # the pace from its first round trips (1024 bytes come second). Long
    # only, as our master against the Arduino slave is.
    foreach(baud 9600 115200)
      add_test(NAME peer_our_master_unknown_pace_${baud}_long
        COMMAND test_peer_arduino baud=${baud} calls=300
                only=test_our_master_unknown_pace_arduino_slave)
      set_tests_properties(peer_our_master_unknown_pace_${baud}_long
        PROPERTIES TIMEOUT 3600 LABELS long)
    endforeach()
    foreach(baud 9600 115200)
      foreach(t arduino_master_our_slave our_master_arduino_slave)
        add_test(NAME peer_${t}_${baud}_long
          COMMAND test_peer_arduino baud=${baud} calls=1000 only=test_${t})
        set_tests_properties(peer_${t}_${baud}_long PROPERTIES TIMEOUT 7200 LABELS long)
      endforeach()
    endforeach()
  endif()
endif()
