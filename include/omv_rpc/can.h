/*
 * omvrpc links: CAN (classic CAN, 11-bit standard message ID), docs/protocol.md
 * section 4.
 *
 * Every transfer is cut into 8-byte frames (the last one shorter) on one
 * message ID; a read expects exactly ceil(n/8) frames of those lengths on
 * that ID and fails (OMV_RPC_ERR_BAD_PACKET) on any other frame length.
 * Frames with other IDs, extended IDs or remote frames of other IDs are
 * filtered out and never taken as data. Flush drops received frames.
 *
 * Backends sit behind one small frame interface (omv_rpc_can_bus_ops):
 * Linux SocketCAN ("can0"), Kvaser CANlib loaded at run time (no SDK
 * needed to build), an in-process bus for tests and simulations, or your
 * own (a microcontroller's CAN driver).
 *
 * Thread-safety of every link made here: as link.h (one thread at a time
 * per link). The functions in this header may be called from any thread.
 */
#ifndef OMV_RPC_CAN_H
#define OMV_RPC_CAN_H

#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OpenMV's defaults. */
#define OMV_RPC_CAN_DEFAULT_MESSAGE_ID 0x7FFu
#define OMV_RPC_CAN_DEFAULT_BIT_RATE 250000u
#define OMV_RPC_CAN_DEFAULT_SAMPLE_POINT 75u /* percent */

/* One classic CAN frame. */
#define OMV_RPC_CAN_FRAME_RTR 0x1u /* remote frame */
#define OMV_RPC_CAN_FRAME_EXT 0x2u /* 29-bit extended ID */
typedef struct omv_rpc_can_frame {
    uint32_t id;   /* 11-bit (or 29-bit with OMV_RPC_CAN_FRAME_EXT) */
    uint8_t len;   /* 0..8 */
    uint8_t flags; /* OMV_RPC_CAN_FRAME_* */
    uint8_t data[8];
} omv_rpc_can_frame;

/* A frame backend. The link calls these from one thread at a time. */
typedef struct omv_rpc_can_bus_ops {
    /* Send one frame within `timeout_ms`: OMV_RPC_OK, OMV_RPC_ERR_TIMEOUT,
     * OMV_RPC_ERR_LINK_DOWN (bus off, interface down), OMV_RPC_ERR_LINK. */
    omv_rpc_status (*send)(void *ctx, const omv_rpc_can_frame *frame, uint32_t timeout_ms);
    /* Receive the next frame within `timeout_ms` (0: only one already
     * queued): OMV_RPC_OK, OMV_RPC_ERR_TIMEOUT, or a link error. */
    omv_rpc_status (*recv)(void *ctx, omv_rpc_can_frame *frame, uint32_t timeout_ms);
    /* Drop every received frame not yet read. Must not block. */
    void (*flush)(void *ctx);
    /* Release the backend (NULL: nothing to release). */
    void (*close)(void *ctx);
} omv_rpc_can_bus_ops;

/* Make a CAN link on a frame backend. `ops` must outlive the link; the
 * link owns `ctx` from the call on (ops->close(ctx) runs with the link,
 * or at once when this fails). `message_id` is the 11-bit ID (0..0x7FF);
 * `bit_rate` (bits/s, > 0) paces the link's transfer_ms. `log` may be NULL.
 * Errors: OMV_RPC_ERR_INVALID_ARG. */
OMV_RPC_API omv_rpc_status omv_rpc_can_open_bus(omv_rpc_link *link, const omv_rpc_can_bus_ops *ops,
                                                void *ctx, uint32_t message_id, uint32_t bit_rate,
                                                const omv_rpc_log *log);

/* Bit timing with 8 time quanta per bit (1 sync + tseg1 + tseg2) whose
 * sample point (1 + tseg1) / 8 is within 1 percentage point of
 * `sample_point_percent` (75 gives tseg1 5, tseg2 2; 50 gives 3, 4; 88
 * gives 6, 1), sjw 1. OMV_RPC_ERR_INVALID_ARG when no split fits (e.g. 80
 * or 90). Thread-safe. */
typedef struct omv_rpc_can_timing {
    unsigned int tseg1, tseg2, sjw;
} omv_rpc_can_timing;
OMV_RPC_API omv_rpc_status omv_rpc_can_bit_timing(uint32_t sample_point_percent,
                                                  omv_rpc_can_timing *out);

/* ------------------------------------------------------- Linux SocketCAN */

/* Open the interface `ifname` (e.g. "can0") with a CAN_RAW socket filtered on
 * `message_id`. When the interface is down the link tries to set
 * `bit_rate` and `sample_point` and bring it up (needs CAP_NET_ADMIN and
 * libsocketcan at build time); when it may not, the exact `ip link`
 * commands are logged and OMV_RPC_ERR_LINK_DOWN is returned. An interface
 * that is already up keeps its bit rate (logged at INFO).
 * Errors: OMV_RPC_ERR_NO_SUCH_PORT (no such interface),
 * OMV_RPC_ERR_UNSUPPORTED (the kernel has no CAN support, or not Linux),
 * OMV_RPC_ERR_LINK_DOWN, OMV_RPC_ERR_INVALID_ARG, OMV_RPC_ERR_LINK. */
OMV_RPC_API omv_rpc_status omv_rpc_can_open_socketcan(omv_rpc_link *link, const char *ifname,
                                                      uint32_t message_id, uint32_t bit_rate,
                                                      uint32_t sample_point,
                                                      const omv_rpc_log *log);

/* ---------------------------------------------------------- Kvaser CANlib */

/* Open Kvaser CANlib channel `channel` (0, 1, ...). CANlib is loaded at
 * run time: `library` is its path or file name, NULL for the
 * OMV_RPC_CANLIB environment variable or else the default
 * ("libcanlib.so.1"; "canlib32.dll" on Windows). Bus parameters: `bit_rate`
 * with omv_rpc_can_bit_timing(sample_point); the channel accepts only
 * `message_id`. Each link loads its own reference to the library.
 * Errors: OMV_RPC_ERR_UNSUPPORTED (library missing or lacking a function;
 * the log says which), OMV_RPC_ERR_NO_SUCH_PORT (canOpenChannel failed),
 * OMV_RPC_ERR_INVALID_ARG (bad ID, rate or sample point),
 * OMV_RPC_ERR_LINK_DOWN (bus off), OMV_RPC_ERR_LINK. */
OMV_RPC_API omv_rpc_status omv_rpc_can_open_kvaser(omv_rpc_link *link, int channel,
                                                   uint32_t message_id, uint32_t bit_rate,
                                                   uint32_t sample_point, const char *library,
                                                   const omv_rpc_log *log);

/* --------------------------------------------------- in-process CAN bus */

/* A bus in memory with any number of nodes: a frame sent by one node is
 * received by every other node. For tests and simulations. */
typedef struct omv_rpc_can_mem_bus omv_rpc_can_mem_bus;

/* `queue_frames` is each node's receive queue (0: 1024 frames); a sender
 * waits while some node's queue is full. Free with
 * omv_rpc_can_mem_bus_free; the bus lives on until its last node closes. */
OMV_RPC_API omv_rpc_status omv_rpc_can_mem_bus_new(omv_rpc_can_mem_bus **out, size_t queue_frames);
OMV_RPC_API void omv_rpc_can_mem_bus_free(omv_rpc_can_mem_bus *bus);

/* A node as a CAN link on `message_id`, paced at `bit_rate` (0: 250000). */
OMV_RPC_API omv_rpc_status omv_rpc_can_open_mem(omv_rpc_link *link, omv_rpc_can_mem_bus *bus,
                                                uint32_t message_id, uint32_t bit_rate,
                                                const omv_rpc_log *log);

/* Fault hook: called (under the bus lock: it must not call the bus) for
 * each frame sent by a node; it may change *frame (e.g. shorten it).
 * Return 0 to deliver, non-zero to lose the frame. NULL removes it. */
typedef int (*omv_rpc_can_mem_bus_fault_fn)(void *user, omv_rpc_can_frame *frame);
OMV_RPC_API void omv_rpc_can_mem_bus_set_fault(omv_rpc_can_mem_bus *bus,
                                               omv_rpc_can_mem_bus_fault_fn fn, void *user);

/* Deliver `frame` to every node, as from a node outside the program. */
OMV_RPC_API omv_rpc_status omv_rpc_can_mem_bus_inject(omv_rpc_can_mem_bus *bus,
                                                      const omv_rpc_can_frame *frame);

/* Frames lost by the fault hook so far. */
OMV_RPC_API uint32_t omv_rpc_can_mem_bus_dropped(const omv_rpc_can_mem_bus *bus);

#ifdef __cplusplus
}
#endif

#endif
