/* The link as the core uses it: resolved once, when a master or slave is
 * created, from the user's table (link.h) into direct calls and a few
 * facts, so that packet, stream and cut-through code never tests which
 * operations a link has. Internal to the core. */
#ifndef OMV_RPC_TRANSPORT_H
#define OMV_RPC_TRANSPORT_H

#include "omv_rpc/link.h"

typedef struct omvrpc_transport {
    void *ctx;
    omv_rpc_status (*recv)(void *ctx, const omv_rpc_in_iov *iov, size_t count, uint32_t timeout_ms,
                           uint32_t xfer);
    omv_rpc_status (*send)(void *ctx, const omv_rpc_out_iov *iov, size_t count, uint32_t timeout_ms,
                           uint32_t xfer);
    void (*flush)(void *ctx);
    uint32_t (*now_ms)(void *ctx);
    uint32_t (*transfer_ms)(void *ctx, size_t len); /* never NULL (0 ms) */
    /* Bytes the next stream read takes without waiting; never NULL (0
     * where unknown, or where stream traffic is not a byte stream). */
    size_t (*buffered)(void *ctx);
    int (*ready_us)(void *ctx, uint32_t timeout_us); /* NULL where the link has none */
    int byte_stream;  /* call traffic may be cut and joined anywhere */
    int stream_bytes; /* stream traffic may be cut and joined anywhere */
    int batch_acks;   /* stream_bytes, and `buffered` says something */
    int quiet;        /* timeouts bound silence (the link has a watcher) */
    int pace_floor;   /* transfer_ms is a lower bound on the real pace */
    /* Large call packets may be cut into transfers longer than this
     * (omv_rpc_link.split_min; 0: never). */
    uint32_t split_min;
    uint32_t short_scale;     /* >= 1 */
    uint32_t queue_depth_max; /* 1..255 */
} omvrpc_transport;

/* Resolve `link` into *t. OMV_RPC_ERR_INVALID_ARG for no link, no table,
 * a table without its size or a required operation. */
omv_rpc_status omvrpc_transport_resolve(omvrpc_transport *t, const omv_rpc_link *link);

/* The link's watch operation, NULL when it has none. */
void (*omvrpc_link_watch_op(const omv_rpc_link *link))(void *, omv_rpc_link_watch_fn, void *);

#endif
