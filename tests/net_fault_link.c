/* The fault link of the network tests (net_fault_link.h). It forwards
 * every operation to the network link it wraps, and follows that link's
 * rule for which transfers are datagrams: a call's transfer of at most
 * OMV_RPC_NET_MAX_DATAGRAM bytes; everything larger, and everything in a
 * stream, goes over TCP. */
#include "net_fault_link.h"

#include <stdlib.h>
#include <string.h>

#include "test_support.h"

typedef struct fault_link {
    omv_rpc_link inner;
    net_fault fault;
    uint8_t held[OMV_RPC_NET_MAX_DATAGRAM]; /* a datagram held back */
    size_t held_len;
    int has_held;
} fault_link;

static size_t total_of(const omv_rpc_out_iov *iov, size_t count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    return total;
}

static omv_rpc_status inner_put(fault_link *f, const omv_rpc_out_iov *iov, size_t count,
                                uint32_t timeout_ms, int stream)
{
    return f->inner.ops->send(f->inner.ctx, iov, count, timeout_ms,
                              stream ? OMV_RPC_XFER_STREAM : 0u);
}

static omv_rpc_status send_held(fault_link *f, uint32_t timeout_ms)
{
    omv_rpc_out_iov h = {f->held, f->held_len};
    f->has_held = 0;
    return inner_put(f, &h, 1, timeout_ms, 0);
}

/* Drop, duplicate or hold back the datagram as the hook says. */
static omv_rpc_status put_datagram(fault_link *f, const omv_rpc_out_iov *iov, size_t count,
                                   size_t total, uint32_t timeout_ms)
{
    uint8_t copy[OMV_RPC_NET_MAX_DATAGRAM];
    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(copy + len, iov[i].base, iov[i].len);
        len += iov[i].len;
    }
    (void)total;
    omv_rpc_status st = OMV_RPC_OK;
    switch (f->fault.on_datagram(f->fault.user, copy, len)) {
    case NET_FAULT_DROP:
        return OMV_RPC_OK;
    case NET_FAULT_HOLD:
        if (f->has_held) {
            st = send_held(f, timeout_ms);
        }
        memcpy(f->held, copy, len);
        f->held_len = len;
        f->has_held = 1;
        return st;
    case NET_FAULT_DUPLICATE:
        st = inner_put(f, iov, count, timeout_ms, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        /* fall through */
    case NET_FAULT_SEND:
    default:
        st = inner_put(f, iov, count, timeout_ms, 0);
        break;
    }
    return st == OMV_RPC_OK && f->has_held ? send_held(f, timeout_ms) : st;
}

/* Over TCP: once tcp_cut_after bytes have gone (counted across transfers:
 * a large packet may travel as several, see omv_rpc_link.split_min), the
 * connection is closed mid-transfer. The network link then reports what
 * it reports for a peer that hung up: OMV_RPC_ERR_CLOSED within a stream,
 * OMV_RPC_ERR_TIMEOUT for call traffic (so the protocol retries). */
static omv_rpc_status put_tcp(fault_link *f, const omv_rpc_out_iov *iov, size_t count, size_t total,
                              uint32_t timeout_ms, int stream)
{
    size_t limit = f->fault.tcp_cut_after;
    if (limit == 0 || limit >= total) {
        f->fault.tcp_cut_after -= limit ? total : 0;
        return inner_put(f, iov, count, timeout_ms, stream);
    }
    f->fault.tcp_cut_after = 0;
    omv_rpc_out_iov cut[NET_MAX_IOV];
    size_t n = 0;
    for (size_t i = 0; i < count && limit > 0 && n < NET_MAX_IOV; i++) {
        size_t len = iov[i].len < limit ? iov[i].len : limit;
        cut[n++] = (omv_rpc_out_iov){iov[i].base, len};
        limit -= len;
    }
    /* The stream variant: always over TCP, whatever the length left. */
    omv_rpc_status st = inner_put(f, cut, n, timeout_ms, 1);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omvrpc_net_tcp_drop(f->inner.ctx, 1, "test: cut mid-transfer");
    return stream ? OMV_RPC_ERR_CLOSED : OMV_RPC_ERR_TIMEOUT;
}

static omv_rpc_status put_v(fault_link *f, const omv_rpc_out_iov *iov, size_t count,
                            uint32_t timeout_ms, int stream)
{
    size_t total = total_of(iov, count);
    if (!stream && total <= OMV_RPC_NET_MAX_DATAGRAM) {
        return total && f->fault.on_datagram ? put_datagram(f, iov, count, total, timeout_ms)
                                             : inner_put(f, iov, count, timeout_ms, 0);
    }
    return put_tcp(f, iov, count, total, timeout_ms, stream);
}

static omv_rpc_status f_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    return put_v(ctx, iov, count, timeout_ms, (xfer & OMV_RPC_XFER_STREAM) != 0);
}

/* The rest goes straight through. */
#define INNER(ctx) (&((fault_link *)(ctx))->inner)

static omv_rpc_status f_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    return INNER(ctx)->ops->recv(INNER(ctx)->ctx, iov, count, timeout_ms, xfer);
}

static void f_flush(void *ctx)
{
    INNER(ctx)->ops->flush(INNER(ctx)->ctx);
}

static uint32_t f_now_ms(void *ctx)
{
    return INNER(ctx)->ops->now_ms(INNER(ctx)->ctx);
}

static uint32_t f_transfer_ms(void *ctx, size_t len)
{
    return INNER(ctx)->ops->transfer_ms(INNER(ctx)->ctx, len);
}

static size_t f_buffered(void *ctx)
{
    return INNER(ctx)->ops->buffered(INNER(ctx)->ctx);
}

static void f_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    INNER(ctx)->ops->watch(INNER(ctx)->ctx, fn, arg);
}

static void f_close(void *ctx)
{
    omv_rpc_link_close(INNER(ctx));
    free(ctx);
}

static const omv_rpc_link_ops fault_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = f_recv,
    .send = f_send,
    .flush = f_flush,
    .now_ms = f_now_ms,
    .close = f_close,
    .transfer_ms = f_transfer_ms,
    .buffered = f_buffered,
    .watch = f_watch,
};

net_fault *tn_fault_wrap(omv_rpc_link *link)
{
    assert_non_null(omvrpc_net_internal(link));
    fault_link *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->inner = *link;
    link->ops = &fault_ops;
    link->ctx = f;
    return &f->fault;
}

net_link *tn_fault_inner(omv_rpc_link *link)
{
    if (link && link->ops == &fault_ops) {
        link = INNER(link->ctx);
    }
    return omvrpc_net_internal(link);
}
