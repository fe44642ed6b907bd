/*
 * A simulated I2C / SPI bus for the tests: the master link (the library's
 * I2C or SPI master, through its bus table) on one side, and on the other
 * a slave-side link that a real omv_rpc_slave runs on, behaving as an
 * OpenMV Cam's I2C / SPI slave does: it only moves bytes while it is in
 * get_bytes or put_bytes (its buffer armed), and the master clocks them.
 *
 * When the slave has nothing armed: an I2C write is not acknowledged; an
 * I2C read is not acknowledged (SIM_IDLE_NACK) or reads the idle byte
 * (SIM_IDLE_FF / SIM_IDLE_00); an SPI transfer reads the idle byte and its
 * data is lost. An SPI slave watches chip select and arms within the guard
 * time; the simulation waits a little for it (SIM_SPI_CS_WAIT_MS) so that
 * thread scheduling on a busy test machine does not count as a late slave.
 */
#ifndef TEST_I2C_SPI_SIM_H
#define TEST_I2C_SPI_SIM_H

#include "omv_rpc/i2c.h"
#include "omv_rpc/spi.h"

#define SIM_SPI_CS_WAIT_MS 20u

typedef enum sim_idle { SIM_IDLE_NACK, SIM_IDLE_FF, SIM_IDLE_00 } sim_idle;

typedef struct sim_bus sim_bus;

/* A bus whose slave answers at `address` (I2C). Freed when the creator
 * (sim_bus_free) and every link opened on it are done. */
sim_bus *sim_bus_new(uint16_t address, sim_idle idle);
void sim_bus_free(sim_bus *bus);

/* The library's masters on the simulated bus. */
omv_rpc_status sim_i2c_master_open(sim_bus *bus, omv_rpc_link *link, uint16_t address,
                                   const omv_rpc_log *log);
omv_rpc_status sim_spi_master_open(sim_bus *bus, omv_rpc_link *link, const omv_rpc_log *log);

/* The slave side, for omv_rpc_slave_new. */
void sim_slave_open(sim_bus *bus, omv_rpc_link *link);

/* Master transactions the slave was not ready for (NACK or idle bytes). */
uint32_t sim_not_ready(sim_bus *bus);

#endif
