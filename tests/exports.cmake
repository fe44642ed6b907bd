# The shared library exports exactly what the headers declare, all named
# omv_rpc_; the static libraries define no global name outside omv_rpc_ and
# omvrpc_. Reads the libraries only (no launcher, no valgrind), ELF only.
find_program(OMV_RPC_NM nm)
if(OMV_RPC_NM AND NOT APPLE AND NOT WIN32)
  file(GLOB OMV_RPC_LIB_HEADERS ${PROJECT_SOURCE_DIR}/include/omv_rpc/*.h)
  list(FILTER OMV_RPC_LIB_HEADERS EXCLUDE REGEX "/sim\\.h$")
  add_test(NAME exported_symbols
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/exports/check_exports.sh
            $<TARGET_FILE:omvrpc_shared> ${OMV_RPC_LIB_HEADERS}
            --static $<TARGET_FILE:omvrpc_static>)
  set_tests_properties(exported_symbols PROPERTIES TIMEOUT 60)
  if(TARGET omvrpc_sim)
    add_test(NAME exported_symbols_sim
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/exports/check_exports.sh
              $<TARGET_FILE:omvrpc_sim_shared> ${PROJECT_SOURCE_DIR}/include/omv_rpc/sim.h
              --static $<TARGET_FILE:omvrpc_sim>)
    set_tests_properties(exported_symbols_sim PROPERTIES TIMEOUT 60)
  endif()
endif()
