/* Opening an I2C or SPI master link: the one path i2c_link.c and
 * spi_link.c share once each has checked its own arguments. Not
 * installed. */
#ifndef OMV_RPC_BUS_OPEN_H
#define OMV_RPC_BUS_OPEN_H

#include "bus_internal.h"

/* When `checked` is OMV_RPC_OK: a link around a copy of `setup` (chunk
 * table, bus table and context, address, chunk size, clock filled in;
 * its log left empty) logging through `log` when given. Otherwise, or without memory, the bus is closed
 * with close_bus(setup->bus_ctx) (close_bus may be NULL) and the failure
 * returned: a link that fails to open never leaks the bus it was given. */
omv_rpc_status omvrpc_bus_link_open(omv_rpc_link *link, omv_rpc_status checked,
                                    const bus_link *setup, void (*close_bus)(void *ctx),
                                    const omv_rpc_log *log);

#endif
