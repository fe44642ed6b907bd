/* Resolving a link's table once (transport.h). Operations the table does
 * not have (NULL, or past the size it was built with) get the library's
 * default here, and nowhere else. */
#include "transport.h"

#include <stddef.h>
#include <string.h>

/* Whether `ops` has member `m`: within the size the table was built with,
 * and set. */
#define OPS_HAS(ops, m) \
    ((ops)->size >= offsetof(omv_rpc_link_ops, m) + sizeof((ops)->m) && (ops)->m != NULL)

static uint32_t no_wire_time(void *ctx, size_t len)
{
    (void)ctx;
    (void)len;
    return 0;
}

static size_t nothing_buffered(void *ctx)
{
    (void)ctx;
    return 0;
}

void (*omvrpc_link_watch_op(const omv_rpc_link *link))(void *, omv_rpc_link_watch_fn, void *)
{
    return link && link->ops && OPS_HAS(link->ops, watch) ? link->ops->watch : NULL;
}

omv_rpc_status omvrpc_transport_resolve(omvrpc_transport *t, const omv_rpc_link *link)
{
    memset(t, 0, sizeof *t);
    const omv_rpc_link_ops *ops = link ? link->ops : NULL;
    if (!ops || !OPS_HAS(ops, recv) || !OPS_HAS(ops, send) || !OPS_HAS(ops, flush) ||
        !OPS_HAS(ops, now_ms)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    t->ctx = link->ctx;
    t->recv = ops->recv;
    t->send = ops->send;
    t->flush = ops->flush;
    t->now_ms = ops->now_ms;
    t->transfer_ms = OPS_HAS(ops, transfer_ms) ? ops->transfer_ms : no_wire_time;
    t->byte_stream = (link->flags & OMV_RPC_LINK_BYTE_STREAM) != 0;
    t->pace_floor = (link->flags & OMV_RPC_LINK_PACE_FLOOR) != 0;
    t->stream_bytes = t->byte_stream || (link->flags & OMV_RPC_LINK_STREAM_BYTES) != 0;
    t->batch_acks = t->stream_bytes && OPS_HAS(ops, buffered);
    t->buffered = t->batch_acks ? ops->buffered : nothing_buffered;
    t->quiet = OPS_HAS(ops, watch);
    t->ready_us = OPS_HAS(ops, ready_us) ? ops->ready_us : NULL;
    t->split_min = link->split_min;
    t->short_scale = link->short_timeout_scale ? link->short_timeout_scale : 1u;
    t->queue_depth_max = (link->stream_queue_depth_max == 0 || link->stream_queue_depth_max > 255)
                             ? 255u
                             : link->stream_queue_depth_max;
    return OMV_RPC_OK;
}
