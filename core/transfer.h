/* The core's link calls, bounded (transfer.c): what packet.c and the
 * stream code build on. Internal to the core. */
#ifndef OMV_RPC_TRANSFER_H
#define OMV_RPC_TRANSFER_H

#include "endpoint.h"

/* Packets this small go through a stack buffer in one transfer. */
#define SMALL_PACKET 64u

/* How one transfer (one or more link calls: the pieces of a packet) is
 * bounded. Callers give its whole allowance, `timeout_ms`: the silence
 * its phase allows plus the wire time of its bytes. A link without quiet
 * timeouts gets what is left of that allowance in each call. On a link
 * with quiet timeouts (link.h) the wait is for progress: each call may be
 * silent for the phase's part of the allowance (the allowance less the
 * wire time; the whole allowance for a small transfer, where the two are
 * one), and the transfer as a whole may take its allowance plus its wire
 * time once more, so that a peer at half the link's pace still gets
 * through while one that announced a large length and went silent is
 * given up in about the phase's timeout. */
typedef struct ep_bound {
    uint32_t quiet_ms; /* silence allowed in one call (quiet links) */
    uint32_t deadline; /* end of the allowance (other links) */
    uint32_t cap;      /* end of the whole transfer (quiet links) */
    int has_cap;       /* the cap is past the silence: a large transfer */
} ep_bound;

/* The bound on a transfer of `wire_len` bytes with allowance `timeout_ms`. */
ep_bound omvrpc_bound_of(omv_rpc_endpoint *ep, size_t wire_len, uint32_t timeout_ms);
/* The bound on one piece of `n` bytes of a transfer bounded by `b`. */
ep_bound omvrpc_piece_bound(omv_rpc_endpoint *ep, const ep_bound *b, size_t n);

/* One link transfer of the pieces (or one flat buffer), bounded by `b`;
 * `stream`: OMV_RPC_XFER_STREAM. The owner's cancellation ends it first. */
omv_rpc_status omvrpc_get_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_in_iov *iov, size_t count, int stream);
omv_rpc_status omvrpc_put_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_out_iov *iov, size_t count, int stream);
omv_rpc_status omvrpc_get_bounded(omv_rpc_endpoint *ep, const ep_bound *b, uint8_t *buf, size_t len,
                                  int stream);
omv_rpc_status omvrpc_put_bounded(omv_rpc_endpoint *ep, const ep_bound *b, const uint8_t *buf,
                                  size_t len, int stream);

#endif
