/* Internal to the V2 host: little-endian helpers and the handle. */
#ifndef OMV_RPC_V2_INTERNAL_H
#define OMV_RPC_V2_INTERNAL_H

#include <stdint.h>

#include "omv_rpc/v2.h"
#include "common/link_log.h"

#define OMV_RPC_V2_FRAME_HEADER_SIZE 32u

static inline void omvrpc_v2_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void omvrpc_v2_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t omvrpc_v2_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t omvrpc_v2_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

struct omv_rpc_v2 {
    omv_rpc_link link;
    omv_rpc_v2_config config;
    uint8_t seq;          /* the device's counter as far as we know it */
    uint16_t max_payload; /* current caps */
    uint32_t caps_flags;
    int rebooted; /* a SOFT_REBOOT event arrived during the command */
    omv_rpc_v2_device_status last_status;
    omv_rpc_v2_counters counters;
    uint8_t last_rx_seq; /* seq of the last data or status packet received */
    int have_last_rx;
    uint8_t rx[OMV_RPC_V2_MAX_PAYLOAD + 4]; /* one packet's payload and CRC-32 */
    /* The reply being collected goes straight into the caller's buffer:
     * dst[dst_used .. dst_cap) is free; in_dst says the last packet's
     * payload landed there rather than in rx. */
    uint8_t *dst;
    size_t dst_cap, dst_used;
    uint8_t dst_opcode, dst_channel;
    int in_dst;
    uint8_t tx[OMV_RPC_V2_HEADER_SIZE + OMV_RPC_V2_MAX_PAYLOAD + 4];
    uint8_t wbuf[OMV_RPC_V2_MAX_PAYLOAD]; /* a CHANNEL_WRITE's payload being built */
};

/* One exchange: send a command, collect its reply into `out` (reply data
 * packets reassembled, up to `cap` bytes, *got the count). A status reply
 * (ACK) gives *got 0. Handles events, ACK_REQ, retransmits, resync. */
omv_rpc_status omvrpc_v2_command(omv_rpc_v2 *v2, uint8_t opcode, uint8_t channel,
                                 const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
                                 size_t *got);
/* Send a command that gets no reply (reset, boot). */
omv_rpc_status omvrpc_v2_send_only(omv_rpc_v2 *v2, uint8_t opcode, uint8_t channel);

#endif
