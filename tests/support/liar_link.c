#include "liar_link.h"

#include <stdlib.h>
#include <string.h>

#include "fake_peer.h"

typedef struct liar {
    omv_rpc_link inner;
    liar_opts opts;
    omv_rpc_link_ops ops;
    volatile int lied;
} liar;

/* Send (or swallow) one transfer. The packets it lies in are small: the
 * library sends them whole in one piece (a 64-byte stack copy), or as the
 * first piece (a stream frame's header before its bytes), the rest then
 * swallowed with everything after the lie. */
static omv_rpc_status liar_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                uint32_t timeout_ms, uint32_t xfer)
{
    liar *l = ctx;
    if (l->lied) {
        return OMV_RPC_OK; /* silent from now on */
    }
    const uint8_t *buf = iov[0].base;
    size_t len = iov[0].len;
    uint16_t magic = len >= 2 ? (uint16_t)(buf[0] | (buf[1] << 8)) : 0;
    if (l->opts.magic && magic == l->opts.magic && len >= l->opts.len_offset + 8 && len <= 64) {
        uint8_t payload[64], packet[68];
        size_t n = len - 4;
        memcpy(payload, buf + 2, n);
        uint8_t *p = payload + l->opts.len_offset;
        p[0] = (uint8_t)l->opts.announce;
        p[1] = (uint8_t)(l->opts.announce >> 8);
        p[2] = (uint8_t)(l->opts.announce >> 16);
        p[3] = (uint8_t)(l->opts.announce >> 24);
        omv_rpc_out_iov lie = {packet, ts_packet(packet, magic, payload, n)};
        omv_rpc_status st = l->inner.ops->send(l->inner.ctx, &lie, 1, timeout_ms, xfer);
        l->lied = st == OMV_RPC_OK;
        return st;
    }
    return l->inner.ops->send(l->inner.ctx, iov, count, timeout_ms, xfer);
}

static omv_rpc_status liar_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                uint32_t timeout_ms, uint32_t xfer)
{
    liar *l = ctx;
    return l->inner.ops->recv(l->inner.ctx, iov, count, timeout_ms, xfer);
}

static void liar_flush(void *ctx)
{
    liar *l = ctx;
    l->inner.ops->flush(l->inner.ctx);
}

static uint32_t liar_now(void *ctx)
{
    liar *l = ctx;
    return l->inner.ops->now_ms(l->inner.ctx);
}

static void liar_close(void *ctx)
{
    liar *l = ctx;
    omv_rpc_link_close(&l->inner);
    free(l);
}

static uint32_t liar_transfer_ms(void *ctx, size_t len)
{
    liar *l = ctx;
    if (l->inner.ops->transfer_ms) {
        return l->inner.ops->transfer_ms(l->inner.ctx, len);
    }
    return l->opts.bytes_per_ms ? (uint32_t)(len / l->opts.bytes_per_ms + 1u) : 0u;
}

static void liar_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    liar *l = ctx;
    l->inner.ops->watch(l->inner.ctx, fn, arg);
}

void liar_wrap(omv_rpc_link *out, const omv_rpc_link *inner, const liar_opts *opts)
{
    liar *l = calloc(1, sizeof *l);
    assert_non_null(l);
    l->inner = *inner;
    l->opts = *opts;
    const omv_rpc_link_ops *in = inner->ops;
    l->ops.size = sizeof l->ops;
    l->ops.recv = liar_recv;
    l->ops.send = liar_send;
    l->ops.flush = liar_flush;
    l->ops.now_ms = liar_now;
    l->ops.close = liar_close;
    l->ops.transfer_ms = liar_transfer_ms;
    l->ops.watch = in->watch ? liar_watch : NULL;
    *out = *inner;
    out->ops = &l->ops;
    out->ctx = l;
    out->split_min = 0; /* large packets in one transfer: lies stay simple */
}

int liar_lied(const omv_rpc_link *link)
{
    return ((const liar *)link->ctx)->lied;
}
