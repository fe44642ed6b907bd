# Benchmark smoke run: the quick benchmark on the in-process pair and a
# pseudo-terminal must finish with no failed measurement and write
# well-formed JSON. No figure is checked: performance is judged by
# bench/run.sh, not by tests.
if(TARGET omv-rpc-bench)
  set(OMV_RPC_BENCH_SMOKE_JSON ${CMAKE_CURRENT_BINARY_DIR}/bench_smoke.json)
  add_test(NAME bench_smoke_run
    COMMAND ${OMV_RPC_TEST_LAUNCHER} $<TARGET_FILE:omv-rpc-bench> --quick --link pair --link pty
            --json ${OMV_RPC_BENCH_SMOKE_JSON})
  # Runs under the valgrind pass too (OMV_RPC_TEST_LAUNCHER, label memcheck).
  set_tests_properties(bench_smoke_run PROPERTIES TIMEOUT 120 FIXTURES_SETUP bench_json
                       LABELS memcheck)

  add_executable(bench_json_check ${PROJECT_SOURCE_DIR}/bench/bench_json_check.c)
  target_link_libraries(bench_json_check PRIVATE PkgConfig::CJSON)
  # --floor: the ideal master's rows (pty) are there, and each row held
  # against one of them has that row's value as its baseline.
  add_test(NAME bench_smoke_json COMMAND bench_json_check --floor ${OMV_RPC_BENCH_SMOKE_JSON})
  set_tests_properties(bench_smoke_json PROPERTIES TIMEOUT 30 FIXTURES_REQUIRED bench_json)

  # The checker itself: a row whose baseline is not the value of the row
  # it names is refused.
  add_test(NAME bench_json_check_baseline_row
    COMMAND bench_json_check ${CMAKE_CURRENT_SOURCE_DIR}/bench_json/wrong_baseline_row.json)
  set_tests_properties(bench_json_check_baseline_row PROPERTIES TIMEOUT 30
                       PASS_REGULAR_EXPRESSION "baseline is not the value of the baseline_row")

  # Several runs merged into one table (--runs).
  set(OMV_RPC_BENCH_RUNS_JSON ${CMAKE_CURRENT_BINARY_DIR}/bench_runs.json)
  add_test(NAME bench_smoke_runs
    COMMAND $<TARGET_FILE:omv-rpc-bench> --quick --runs 2 --link pair
            --json ${OMV_RPC_BENCH_RUNS_JSON})
  set_tests_properties(bench_smoke_runs PROPERTIES TIMEOUT 120 FIXTURES_SETUP bench_runs_json)
  add_test(NAME bench_smoke_runs_json
    COMMAND bench_json_check --merged ${OMV_RPC_BENCH_RUNS_JSON})
  set_tests_properties(bench_smoke_runs_json PROPERTIES TIMEOUT 30
                       FIXTURES_REQUIRED bench_runs_json)
endif()
