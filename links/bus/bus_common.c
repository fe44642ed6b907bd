/* The polled link table shared by the I2C and SPI masters: transfers cut
 * into chunks, reads retried while the slave is not ready (no
 * acknowledge, or all-equal bytes), pacing from the bus clock. A
 * transfer's timeout bounds its silence (quiet timeouts, link.h): each
 * chunk moved starts it again; the owner's watcher is asked before each
 * chunk and each pause. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus_open.h"
#include "common/iov_util.h"
#include "bus_internal.h"
#include "common/link_log.h"
#include "omv_rpc/clock.h"

int omvrpc_bus_all_equal(const uint8_t *buf, size_t len)
{
    for (size_t i = 1; i < len; i++) {
        if (buf[i] != buf[0]) {
            return 0;
        }
    }
    return len >= 2;
}

/* After a chunk that found the slave not ready (`st`): wait before
 * trying again (OMV_RPC_OK), or the status to give up with: `st` when the
 * silence is over, the watcher's when it says stop. */
static omv_rpc_status pause_or_give_up(bus_link *b, omv_rpc_quiet *q, omv_rpc_status st)
{
    uint32_t ms;
    omv_rpc_status w = omvrpc_quiet_wait(q, &b->watcher, &ms);
    if (w != OMV_RPC_OK) {
        return w == OMV_RPC_ERR_TIMEOUT ? st : w;
    }
    omv_rpc_sleep_ms(ms < BUS_POLL_MS ? ms : BUS_POLL_MS);
    return OMV_RPC_OK;
}

/* Move `len` bytes, into `in` or out of `out` (the other NULL), in chunks
 * of at most max_chunk: each is its own transaction that the slave arms
 * separately, so each is polled until the slave is ready (a read that
 * brings all-equal bytes is an idle bus, not an answer). */
static omv_rpc_status bus_move(bus_link *b, uint8_t *in, const uint8_t *out, size_t len,
                               uint32_t timeout_ms)
{
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < b->max_chunk ? len - off : b->max_chunk;
        omv_rpc_status st = omvrpc_watcher_ask(&b->watcher);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (in) {
            st = b->chunk->read(b, in + off, n);
            if (st == OMV_RPC_OK && omvrpc_bus_all_equal(in + off, n)) {
                st = OMV_RPC_ERR_NOT_READY;
            }
        } else {
            st = b->chunk->write(b, out + off, n);
        }
        if (st == OMV_RPC_OK) {
            off += n;
            omvrpc_quiet_moved(&q);
        } else if (st != OMV_RPC_ERR_NOT_READY ||
                   (st = pause_or_give_up(b, &q, st)) != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status bus_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return !buf && len ? OMV_RPC_ERR_INVALID_ARG : bus_move(ctx, buf, NULL, len, timeout_ms);
}

static omv_rpc_status bus_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return !buf && len ? OMV_RPC_ERR_INVALID_ARG : bus_move(ctx, NULL, buf, len, timeout_ms);
}

/* Nothing is queued on a master: the slave only sends when asked. */
static void bus_flush(void *ctx)
{
    (void)ctx;
}

static void bus_close(void *ctx)
{
    bus_link *b = ctx;
    if (b->chunk->close) {
        b->chunk->close(b);
    }
    free(b->flat.base);
    free(b);
}

static uint32_t bus_transfer_ms(void *ctx, size_t len)
{
    bus_link *b = ctx;
    uint64_t chunks = ((uint64_t)len + b->max_chunk - 1u) / b->max_chunk;
    /* Bytes at the bus clock, plus per transaction the guard, the
     * address and start/stop bits, and 1 ms of driver latency. */
    uint64_t bits = (uint64_t)len * b->bits_per_byte + chunks * 32u;
    uint64_t ms =
        (bits * 1000u + b->hz - 1u) / b->hz + chunks * (1u + (OMV_RPC_BUS_GUARD_US + 999u) / 1000u);
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static void bus_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((bus_link *)ctx)->watcher, fn, arg);
}

/* A transfer of several pieces is still one transfer (each chunk is a
 * transaction the slave sizes): it goes through one flat buffer, kept for
 * the next one. */
static omv_rpc_status bus_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omvrpc_iov_flat_in(bus_get, ctx, iov, count, timeout_ms, &((bus_link *)ctx)->flat);
}

static omv_rpc_status bus_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omvrpc_iov_flat_out(bus_put, ctx, iov, count, timeout_ms, &((bus_link *)ctx)->flat);
}

static const omv_rpc_link_ops bus_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = bus_recv,
    .send = bus_send,
    .flush = bus_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = bus_close,
    .transfer_ms = bus_transfer_ms,
    .watch = bus_watch,
};

omv_rpc_status omvrpc_bus_link_open(omv_rpc_link *link, omv_rpc_status checked,
                                    const bus_link *setup, void (*close_bus)(void *ctx),
                                    const omv_rpc_log *log)
{
    bus_link *b = NULL;
    if (checked == OMV_RPC_OK) {
        b = malloc(sizeof *b);
        checked = b ? OMV_RPC_OK : OMV_RPC_ERR_NO_MEMORY;
    }
    if (checked != OMV_RPC_OK) {
        if (close_bus) {
            close_bus(setup->bus_ctx);
        }
        return checked;
    }
    *b = *setup;
    if (log) {
        b->log = *log;
    }
    return omvrpc_bus_link_finish(link, b);
}

omv_rpc_status omvrpc_bus_link_finish(omv_rpc_link *link, bus_link *b)
{
    if (!link) {
        bus_close(b);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    omvrpc_watcher_set(&b->watcher, NULL, NULL);
    link->ops = &bus_ops;
    link->ctx = b;
    link->stream_queue_depth_max = 1; /* one frame in flight: docs/protocol.md section 3 */
    /* No OMV_RPC_LINK_BYTE_STREAM: one transaction per packet, as OpenMV. */
    return OMV_RPC_OK;
}
