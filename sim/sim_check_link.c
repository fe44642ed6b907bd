/* A link that checks what it receives at a camera's CRC speed: before it
 * sends anything, it waits us_per_byte for every byte received since it
 * last sent. That is when a camera answers: after checking the packet it
 * got (omv_rpc_sim_checking_link in sim.h). */
#include <stdlib.h>

#include "omv_rpc/clock.h"
#include "sim_internal.h"

typedef struct checking {
    omv_rpc_link inner;
    omv_rpc_link_ops ops; /* the wrapper's table: the inner link's shape */
    uint32_t us_per_byte;
    uint64_t unchecked; /* bytes received and not yet "checked" */
    uint32_t carry_us;  /* the fraction of a millisecond not yet waited */
} checking;

static void received(checking *c, omv_rpc_status st, size_t len)
{
    if (st == OMV_RPC_OK) {
        c->unchecked += len;
    }
}

/* Wait for the bytes received so far, in whole milliseconds; the rest is
 * carried over to the next wait. */
static void check_received(checking *c)
{
    if (!c->unchecked) {
        return;
    }
    uint64_t us = c->unchecked * c->us_per_byte + c->carry_us;
    c->unchecked = 0;
    c->carry_us = (uint32_t)(us % 1000u);
    if (us >= 1000u) {
        omv_rpc_sleep_ms(us / 1000u > UINT32_MAX ? UINT32_MAX : (uint32_t)(us / 1000u));
    }
}

static size_t in_total(const omv_rpc_in_iov *iov, size_t n)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        t += iov[i].len;
    }
    return t;
}

static omv_rpc_status check_recv(void *ctx, const omv_rpc_in_iov *iov, size_t n,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    checking *c = ctx;
    omv_rpc_status st = c->inner.ops->recv(c->inner.ctx, iov, n, timeout_ms, xfer);
    received(c, st, in_total(iov, n));
    return st;
}

static omv_rpc_status check_send(void *ctx, const omv_rpc_out_iov *iov, size_t n,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    checking *c = ctx;
    check_received(c);
    return c->inner.ops->send(c->inner.ctx, iov, n, timeout_ms, xfer);
}

static void flush(void *ctx)
{
    checking *c = ctx;
    c->inner.ops->flush(c->inner.ctx);
}

static uint32_t now_ms(void *ctx)
{
    checking *c = ctx;
    return c->inner.ops->now_ms(c->inner.ctx);
}

static uint32_t transfer_ms(void *ctx, size_t len)
{
    checking *c = ctx;
    return c->inner.ops->transfer_ms(c->inner.ctx, len);
}

static size_t buffered(void *ctx)
{
    checking *c = ctx;
    return c->inner.ops->buffered(c->inner.ctx);
}

static void watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    checking *c = ctx;
    c->inner.ops->watch(c->inner.ctx, fn, arg);
}

static void close_link(void *ctx)
{
    checking *c = ctx;
    if (c->inner.ops->close) {
        c->inner.ops->close(c->inner.ctx);
    }
    free(c);
}

omv_rpc_status omv_rpc_sim_checking_link(omv_rpc_link *link, uint32_t us_per_byte)
{
    if (!link || !link->ops || link->ops->size < sizeof(omv_rpc_link_ops) || !link->ops->recv ||
        !link->ops->send || !link->ops->flush || !link->ops->now_ms) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (us_per_byte == 0) {
        return OMV_RPC_OK;
    }
    checking *c = calloc(1, sizeof *c);
    if (!c) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    const omv_rpc_link_ops *in = link->ops;
    c->inner = *link;
    c->us_per_byte = us_per_byte;
    /* The same optional functions as the inner link, so that the library
     * treats the wrapped link exactly as it treated the link. */
    c->ops.size = sizeof c->ops;
    c->ops.recv = check_recv;
    c->ops.send = check_send;
    c->ops.flush = flush;
    c->ops.now_ms = now_ms;
    c->ops.close = close_link;
    c->ops.transfer_ms = in->transfer_ms ? transfer_ms : NULL;
    c->ops.buffered = in->buffered ? buffered : NULL;
    c->ops.watch = in->watch ? watch : NULL;
    link->ops = &c->ops;
    link->ctx = c;
    return OMV_RPC_OK;
}
