/*
 * omvrpc: the whole public API. Include this, or the headers you need.
 *   rpc.h    - the core: master, slave, streams, cut-through, hash, CRC
 *   link.h   - the link table, to write your own link
 *   status.h - status codes and the log hook
 *   version.h - OMV_RPC_VERSION_*, omv_rpc_version()
 *   export.h - OMV_RPC_API, the mark of every exported function
 *   clock.h  - the platform clock for link tables
 *   pair.h   - in-process link pair
 *   serial.h - serial ports (USB VCP, UART), port listing
 *   net.h    - network (UDP + TCP)
 *   can.h    - CAN (SocketCAN, Kvaser CANlib, in-process bus)
 *   bus.h    - what the I2C and SPI links share (the guard pause)
 *   i2c.h    - I2C master (i2c-dev)
 *   spi.h    - SPI master (spidev)
 *   openmv.h - the OpenMV-named constructors (omv_rpc_uart_master_new...)
 * The virtual camera (sim.h) is a library of its own, omvrpc_sim.
 */
#ifndef OMV_RPC_OMV_RPC_H
#define OMV_RPC_OMV_RPC_H

#include "bus.h"
#include "can.h"
#include "clock.h"
#include "i2c.h"
#include "link.h"
#include "net.h"
#include "openmv.h"
#include "pair.h"
#include "rpc.h"
#include "serial.h"
#include "spi.h"
#include "status.h"
#include "version.h"

#endif
