/* CAN link table over any frame backend (docs/protocol.md section 4): each
 * transfer is cut into 8-byte frames on one message ID; scattered and
 * gathered transfers are cut over the concatenation of their pieces, so a
 * packet is one transfer whatever its pieces. */
#include <stdlib.h>
#include <string.h>

#include "can_internal.h"
#include "common/iov_util.h"
#include "common/link_log.h"
#include "omv_rpc/clock.h"
#include "common/watch.h"

typedef struct can_link {
    const omv_rpc_can_bus_ops *ops;
    void *bus;
    uint32_t id;
    uint32_t bit_rate;
    omv_rpc_log log;
    omv_rpc_watcher watcher;
} can_link;

omv_rpc_status omvrpc_can_check_params(uint32_t message_id, uint32_t bit_rate,
                                       const omv_rpc_log *log)
{
    if (message_id > 0x7FFu) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: message ID 0x%X is not an 11-bit standard ID (0..0x7FF)",
                         (unsigned)message_id);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (bit_rate == 0 || bit_rate > 1000000u) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: bit rate %u is not a classic CAN rate (1..1000000)",
                         (unsigned)bit_rate);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_can_bit_timing(uint32_t sample_point_percent, omv_rpc_can_timing *out)
{
    if (!out) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* 8 quanta: sync (1) + tseg1 + tseg2, tseg1 >= 1, tseg2 >= sjw = 1. The
     * sample point is at the end of tseg1: (1 + tseg1) / 8. */
    for (unsigned int tseg1 = 1; tseg1 <= 6; tseg1++) {
        long diff = (long)(100u * (1u + tseg1)) - (long)(8u * sample_point_percent);
        if (diff >= -8 && diff <= 8) { /* within 1 percentage point */
            out->tseg1 = tseg1;
            out->tseg2 = 7u - tseg1;
            out->sjw = 1;
            return OMV_RPC_OK;
        }
    }
    return OMV_RPC_ERR_INVALID_ARG;
}

/* One frame each way, in waits of at most OMV_RPC_LINK_WATCH_MS while the
 * owner watches; a transfer's timeout bounds its silence (each frame of
 * the transfer moved starts it again). A bus backend is asked again after a timeout:
 * a frame is whole or not there. */
static omv_rpc_status frame_io(can_link *c, omv_rpc_can_frame *f, omv_rpc_quiet *q, int send)
{
    for (;;) {
        const uint32_t left = omvrpc_quiet_left(q);
        omv_rpc_status st = omvrpc_watcher_ask(&c->watcher);
        if (st != OMV_RPC_OK) {
            return st;
        }
        uint32_t ms = c->watcher.fn && left > OMV_RPC_LINK_WATCH_MS ? OMV_RPC_LINK_WATCH_MS : left;
        st = send ? c->ops->send(c->bus, f, ms) : c->ops->recv(c->bus, f, ms);
        if (st != OMV_RPC_ERR_TIMEOUT || left == 0) {
            return st; /* with no time left, one try (a frame already queued) */
        }
    }
}

static omv_rpc_status can_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    can_link *c = ctx;
    size_t total;
    omv_rpc_status st = omvrpc_iov_total_in(iov, count, SIZE_MAX, &total);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    st = omvrpc_watcher_ask(&c->watcher);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_iov_cursor at = {0, 0};
    while (total) {
        size_t expected = total < 8 ? total : 8;
        omv_rpc_can_frame f;
        st = frame_io(c, &f, &q, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (f.id != c->id || (f.flags & OMV_RPC_CAN_FRAME_EXT)) {
            if (omvrpc_quiet_left(&q) == 0) {
                return OMV_RPC_ERR_TIMEOUT; /* other traffic is not progress */
            }
            continue; /* another node's traffic: filtered out, never data */
        }
        if ((f.flags & OMV_RPC_CAN_FRAME_RTR) || f.len != expected) {
            omvrpc_link_logf(&c->log, OMV_RPC_LOG_DEBUG,
                             "can: a %u-byte%s frame where a %u-byte frame was due",
                             (unsigned)f.len, (f.flags & OMV_RPC_CAN_FRAME_RTR) ? " remote" : "",
                             (unsigned)expected);
            return OMV_RPC_ERR_BAD_PACKET;
        }
        omvrpc_iov_scatter(iov, &at, f.data, expected);
        omvrpc_quiet_moved(&q);
        total -= expected;
    }
    return OMV_RPC_OK;
}

static omv_rpc_status can_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    can_link *c = ctx;
    size_t total;
    omv_rpc_status st = omvrpc_iov_total_out(iov, count, SIZE_MAX, &total);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    st = omvrpc_watcher_ask(&c->watcher);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_iov_cursor at = {0, 0};
    while (total) {
        omv_rpc_can_frame f = {c->id, (uint8_t)(total < 8 ? total : 8), 0, {0}};
        omvrpc_iov_gather(iov, &at, f.data, f.len);
        st = frame_io(c, &f, &q, 1);
        if (st != OMV_RPC_OK) {
            return st;
        }
        omvrpc_quiet_moved(&q);
        total -= f.len;
    }
    return OMV_RPC_OK;
}

static void can_flush(void *ctx)
{
    can_link *c = ctx;
    c->ops->flush(c->bus);
}

static void can_close(void *ctx)
{
    can_link *c = ctx;
    if (c->ops->close) {
        c->ops->close(c->bus);
    }
    free(c);
}

static uint32_t can_transfer_ms(void *ctx, size_t len)
{
    can_link *c = ctx;
    uint64_t frames = ((uint64_t)len + 7u) / 8u;
    uint64_t ms = (frames * CAN_BITS_PER_FRAME * 1000u + c->bit_rate - 1u) / c->bit_rate + 1u;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static void can_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((can_link *)ctx)->watcher, fn, arg);
}

static const omv_rpc_link_ops can_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = can_recv,
    .send = can_send,
    .flush = can_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = can_close,
    .transfer_ms = can_transfer_ms,
    .watch = can_watch,
};

omv_rpc_status omv_rpc_can_open_bus(omv_rpc_link *link, const omv_rpc_can_bus_ops *ops, void *ctx,
                                    uint32_t message_id, uint32_t bit_rate, const omv_rpc_log *log)
{
    omv_rpc_status st = OMV_RPC_OK;
    if (!link || !ops || !ops->send || !ops->recv || !ops->flush) {
        st = OMV_RPC_ERR_INVALID_ARG;
    } else {
        st = omvrpc_can_check_params(message_id, bit_rate, log);
    }
    can_link *c = NULL;
    if (st == OMV_RPC_OK) {
        c = calloc(1, sizeof *c);
        st = c ? OMV_RPC_OK : OMV_RPC_ERR_NO_MEMORY;
    }
    if (st != OMV_RPC_OK) {
        if (ops && ops->close) {
            ops->close(ctx);
        }
        return st;
    }
    c->ops = ops;
    c->bus = ctx;
    c->id = message_id;
    c->bit_rate = bit_rate;
    if (log) {
        c->log = *log;
    }
    memset(link, 0, sizeof *link);
    link->ops = &can_ops;
    link->ctx = c;
    /* No OMV_RPC_LINK_BYTE_STREAM: each transfer's size shapes its frames. */
    return OMV_RPC_OK;
}
