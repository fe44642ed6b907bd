/*
 * CAN links: what the can_*.c files share. Not installed.
 *
 * Layout: can_link.c (the link table over any frame backend, bit timing),
 * can_mem.c (in-process bus),
 * can_socketcan.c (Linux SocketCAN), can_kvaser.c (Kvaser CANlib loaded at
 * run time).
 */
#ifndef OMV_RPC_CAN_INTERNAL_H
#define OMV_RPC_CAN_INTERNAL_H

#include "omv_rpc/can.h"
#include "common/clock.h"
#include "common/link_log.h"

/* Bits on the wire for one frame with 8 data bytes: 111 without stuffing,
 * up to 24 stuff bits, 3 bits of interframe space; rounded up so waits
 * never undercount what is in flight. */
#define CAN_BITS_PER_FRAME 140u

/* Checks shared by the backends' open functions. */
omv_rpc_status omvrpc_can_check_params(uint32_t message_id, uint32_t bit_rate,
                                       const omv_rpc_log *log);

#ifdef __linux__
/* SocketCAN: the status for an errno from socket(), ioctl or bind
 * (exposed for the tests). */
omv_rpc_status omvrpc_socketcan_status(int err);
#endif

#endif
