# CAN, I2C and SPI link tests. CAN runs over the in-process bus and over a
# stand-in Kvaser CANlib built here and loaded at run time; I2C and SPI run
# against a simulated slave bus that a real slave (the core) answers on.
if(NOT WIN32)
  add_library(canlib_standin SHARED canlib_standin/canlib_standin.c)
  target_link_libraries(canlib_standin PRIVATE Threads::Threads)
  set_target_properties(canlib_standin PROPERTIES C_VISIBILITY_PRESET hidden)

  foreach(t calls faults)
    omv_rpc_add_test(test_can_${t} test_can_${t}.c TIMEOUT 300)
    target_include_directories(test_can_${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/canlib_standin
      ${PROJECT_SOURCE_DIR}/links)
    target_compile_definitions(test_can_${t} PRIVATE
      CANLIB_STANDIN_PATH="$<TARGET_FILE:canlib_standin>")
    target_link_libraries(test_can_${t} PRIVATE ${CMAKE_DL_LIBS})
    add_dependencies(test_can_${t} canlib_standin)
  endforeach()

  foreach(t calls faults)
    omv_rpc_add_test(test_i2c_${t} test_i2c_${t}.c test_i2c_spi_sim.c TIMEOUT 300)
    target_include_directories(test_i2c_${t} PRIVATE ${PROJECT_SOURCE_DIR}/links)
  endforeach()
endif()

# The microcontroller example (an I2C slave link for the core) is compiled,
# not linked (its board functions are the user's), so CI keeps it building.
add_library(omvrpc_example_mcu_i2c_slave OBJECT ${PROJECT_SOURCE_DIR}/examples/mcu_i2c_slave_link.c)
target_include_directories(omvrpc_example_mcu_i2c_slave PRIVATE ${PROJECT_SOURCE_DIR}/include)
