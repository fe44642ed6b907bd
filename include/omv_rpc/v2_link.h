/*
 * omvrpc: an rpc link over a channel of OpenMV Protocol V2.
 *
 * Current OpenMV firmware offers no rpc slave on its USB port: the port
 * speaks Protocol V2 (include/omv_rpc/v2.h). A camera script can register a
 * custom V2 channel and run the camera's own `rpc` slave over it
 * (examples/camera/rpc_v2_channel.py). This link carries the rpc protocol
 * over that channel from the host: hand it to omv_rpc_master_new and call
 * the camera's functions as over any other link.
 *
 * The channel's rules (both ends; docs/protocol-v2.md, "rpc over a V2
 * channel"): each direction is a byte stream with a position that counts
 * its bytes modulo 2^24 (OMV_RPC_V2_LINK_POS_MASK), starting at 0 when the
 * channel is registered.
 *   - Host to camera: CHANNEL_WRITE at offset = the position of the data's
 *     first byte. The camera takes the whole write or none of it (NAK
 *     FAILED: its buffer is full, or the offset is past its end); bytes it
 *     already has (a write sent again) are skipped, so a write is
 *     idempotent.
 *   - Camera to host: CHANNEL_SIZE answers the position just past the
 *     camera's last byte (not a count); CHANNEL_READ at offset = the
 *     host's read position gives the bytes from there, and tells the camera
 *     that everything before it has arrived (it may drop them). A read
 *     sent again gives the same bytes.
 *   - CHANNEL_IOCTL OMV_RPC_V2_LINK_IOCTL_RESET (no arguments) empties both
 *     directions and sets both positions to 0: the host sends it whenever
 *     it (re)starts using the channel, so that it never skips or repeats
 *     bytes of an earlier session.
 * So a lost or repeated V2 command never loses or doubles a byte.
 *
 * Ownership: the link borrows `v2` unless OMV_RPC_V2_LINK_OWN_HOST is
 * given (then closing the link frees the host). Thread-safety: while the
 * link is in use, nothing else may use `v2` (one thread at a time per V2
 * handle); the link itself follows link.h (one thread at a time).
 */
#ifndef OMV_RPC_V2_LINK_H
#define OMV_RPC_V2_LINK_H

#include "link.h"
#include "v2.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The channel name the camera script registers by default. */
#define OMV_RPC_V2_LINK_DEFAULT_CHANNEL "rpc"
/* Positions are counted modulo 2^24 (small integers on the camera). */
#define OMV_RPC_V2_LINK_POS_MASK 0xFFFFFFu

/* The channel's ioctl: both directions emptied, both positions to 0. */
#define OMV_RPC_V2_LINK_IOCTL_RESET 1u

/* omv_rpc_v2_link_config.flags */
#define OMV_RPC_V2_LINK_OWN_HOST 0x1u /* omv_rpc_link_close frees the V2 host */

typedef struct omv_rpc_v2_link_config {
    const char *channel; /* NULL: OMV_RPC_V2_LINK_DEFAULT_CHANNEL; copied */
    uint32_t flags;      /* OMV_RPC_V2_LINK_* */
    /* How long to wait for the camera between two empty CHANNEL_SIZE polls
     * (it also takes the device's events meanwhile). 0: 1 ms. */
    uint32_t poll_ms;
    /* omv_rpc_link.short_timeout_scale of the link: each rpc packet costs
     * V2 round trips and the camera's main loop must run, so the protocol's
     * few-millisecond short timeouts are scaled up. 0: 100. */
    uint32_t short_timeout_scale;
} omv_rpc_v2_link_config;

/* Open an rpc link on `v2` (connected: omv_rpc_v2_connect done). The
 * channel is looked up by name at once (OMV_RPC_ERR_NO_DEVICE when the
 * camera has none: no script registered it), and again after the camera
 * soft-rebooted or the channel went away; each time the link resets the
 * channel (OMV_RPC_V2_LINK_IOCTL_RESET) before using it. `config` may be NULL. On failure nothing is
 * kept, except that with OMV_RPC_V2_LINK_OWN_HOST the host is freed.
 * Errors: OMV_RPC_ERR_INVALID_ARG, OMV_RPC_ERR_NO_MEMORY, those of
 * omv_rpc_v2_channel_find. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_link_open(omv_rpc_link *out, omv_rpc_v2 *v2,
                                                const omv_rpc_v2_link_config *config);

#ifdef __cplusplus
}
#endif

#endif
