/* Every link call of the core, bounded: the time each may take (see
 * transfer.h), the owner's cancellation before it, and the link's clock,
 * pace and flush. */
#include "transfer.h"

uint32_t omvrpc_ep_now(omv_rpc_endpoint *ep)
{
    return ep->t.now_ms(ep->t.ctx);
}

uint32_t omvrpc_ep_remaining(omv_rpc_endpoint *ep, uint32_t deadline)
{
    int32_t left = (int32_t)(deadline - omvrpc_ep_now(ep));
    return left > 0 ? (uint32_t)left : 0u;
}

uint32_t omvrpc_ep_transfer_ms(omv_rpc_endpoint *ep, size_t len)
{
    return ep->t.transfer_ms(ep->t.ctx, len);
}

uint32_t omvrpc_ep_short_scale(omv_rpc_endpoint *ep)
{
    return ep->t.short_scale;
}

uint32_t omvrpc_sat_add(uint32_t a, uint32_t b)
{
    return a > 0xFFFFFFFFu - b ? 0xFFFFFFFFu : a + b;
}

void omvrpc_ep_flush(omv_rpc_endpoint *ep)
{
    ep->t.flush(ep->t.ctx);
}

/* Longest wait handed to a link: deadlines are compared as signed
 * differences of a wrapping 32-bit clock. */
#define TIMEOUT_MAX 0x7FFFFFFFu

ep_bound omvrpc_bound_of(omv_rpc_endpoint *ep, size_t wire_len, uint32_t timeout_ms)
{
    const uint32_t now = omvrpc_ep_now(ep);
    uint32_t wire = wire_len > SMALL_PACKET ? omvrpc_ep_transfer_ms(ep, wire_len) : 0u;
    ep_bound b;
    if (timeout_ms > TIMEOUT_MAX) {
        timeout_ms = TIMEOUT_MAX;
    }
    b.quiet_ms = timeout_ms > wire ? timeout_ms - wire : timeout_ms;
    b.has_cap = timeout_ms > wire && wire > 0;
    b.deadline = now + timeout_ms;
    wire = omvrpc_sat_add(timeout_ms, wire);
    b.cap = now + (wire > TIMEOUT_MAX ? TIMEOUT_MAX : wire);
    return b;
}

/* Before one link call of a transfer bounded by `b`: the timeout to hand
 * the link, or (returns 0) the owner's cancellation in *st. */
static int link_begin(omv_rpc_endpoint *ep, const ep_bound *b, uint32_t *timeout,
                      omv_rpc_status *st)
{
    *st = omvrpc_ep_cancelled(ep);
    if (*st != OMV_RPC_OK) {
        return 0;
    }
    if (!ep->t.quiet) {
        *timeout = omvrpc_ep_remaining(ep, b->deadline);
        return 1;
    }
    uint32_t left = omvrpc_ep_remaining(ep, b->cap);
    *timeout = left < b->quiet_ms ? left : b->quiet_ms;
    /* The watcher ends a large transfer that drips past its cap; a small
     * one ends by its silence, which is its whole allowance, as the link
     * reports it. */
    ep->cap = b->cap;
    ep->capped = b->has_cap;
    return 1;
}

static omv_rpc_status link_end(omv_rpc_endpoint *ep, omv_rpc_status st)
{
    ep->capped = 0;
    return st;
}

/* One transfer of the pieces, bounded by `b`. */
omv_rpc_status omvrpc_get_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_in_iov *iov, size_t count, int stream)
{
    uint32_t t;
    omv_rpc_status st;
    if (!link_begin(ep, b, &t, &st)) {
        return st;
    }
    return link_end(ep, ep->t.recv(ep->t.ctx, iov, count, t, stream ? OMV_RPC_XFER_STREAM : 0u));
}

omv_rpc_status omvrpc_put_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_out_iov *iov, size_t count, int stream)
{
    uint32_t t;
    omv_rpc_status st;
    if (!link_begin(ep, b, &t, &st)) {
        return st;
    }
    return link_end(ep, ep->t.send(ep->t.ctx, iov, count, t, stream ? OMV_RPC_XFER_STREAM : 0u));
}

omv_rpc_status omvrpc_get_bounded(omv_rpc_endpoint *ep, const ep_bound *b, uint8_t *buf, size_t len,
                                  int stream)
{
    omv_rpc_in_iov one = {buf, len};
    return omvrpc_get_v_bounded(ep, b, &one, 1, stream);
}

omv_rpc_status omvrpc_put_bounded(omv_rpc_endpoint *ep, const ep_bound *b, const uint8_t *buf,
                                  size_t len, int stream)
{
    omv_rpc_out_iov one = {buf, len};
    return omvrpc_put_v_bounded(ep, b, &one, 1, stream);
}

omv_rpc_status omvrpc_ep_get(omv_rpc_endpoint *ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                             int stream)
{
    ep_bound b = omvrpc_bound_of(ep, len, timeout_ms);
    return omvrpc_get_bounded(ep, &b, buf, len, stream);
}

omv_rpc_status omvrpc_ep_put(omv_rpc_endpoint *ep, const uint8_t *buf, size_t len,
                             uint32_t timeout_ms, int stream)
{
    ep_bound b = omvrpc_bound_of(ep, len, timeout_ms);
    return omvrpc_put_bounded(ep, &b, buf, len, stream);
}

omv_rpc_status omvrpc_ep_put_gathered(omv_rpc_endpoint *ep, const omv_rpc_out_iov *iov,
                                      size_t count, size_t len, uint32_t timeout_ms, int stream)
{
    ep_bound b = omvrpc_bound_of(ep, len, timeout_ms);
    return omvrpc_put_v_bounded(ep, &b, iov, count, stream);
}

/* The bound on one piece of `n` bytes of a transfer bounded by `b`: on a
 * link with quiet timeouts each piece must also be over within the
 * transfer's silence plus twice its own wire time. That is the pace
 * check: a peer that dribbles bytes (a master's repeated 12-byte headers
 * fed into a 64 MiB argument the slave awaits) keeps the silence from
 * running out, but not one piece from running past its time. */
ep_bound omvrpc_piece_bound(omv_rpc_endpoint *ep, const ep_bound *b, size_t n)
{
    ep_bound pb = *b;
    uint32_t wire = omvrpc_ep_transfer_ms(ep, n);
    uint32_t span = omvrpc_sat_add(b->quiet_ms, omvrpc_sat_add(wire, wire));
    uint32_t cap = omvrpc_ep_now(ep) + (span > TIMEOUT_MAX ? TIMEOUT_MAX : span);
    if (wire > 0 && (int32_t)(cap - b->cap) < 0) {
        pb.cap = cap;
        pb.has_cap = 1;
    }
    return pb;
}
