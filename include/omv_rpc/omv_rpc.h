/*
 * omvrpc: the whole public API. Include this, or the headers you need.
 *   rpc.h    - the core: master, slave, streams, cut-through, hash, CRC
 *   link.h   - the link table, to write your own link
 *   status.h - status codes and the log hook
 *   clock.h  - the platform clock for link tables
 *   pair.h   - in-process link pair
 *   serial.h - serial ports (USB VCP, UART), port listing
 *   net.h    - network (UDP + TCP)
 */
#ifndef OMV_RPC_OMV_RPC_H
#define OMV_RPC_OMV_RPC_H

#include "clock.h"
#include "link.h"
#include "net.h"
#include "pair.h"
#include "rpc.h"
#include "serial.h"
#include "status.h"

#endif
