#include "fault_link.h"

#include <stdlib.h>
#include <string.h>

#include "omv_rpc/clock.h"

/* The link takes gathered writes, so each write is one whole packet. Only
 * small ones (acks, requests, headers) are dropped or sent twice: a lost
 * or repeated large packet is no different to the protocol, and it keeps
 * the soak fast. Any other write (cut-through, or a packet too large to
 * gather) is only ever hit by a flipped bit or a delay, never cut, so that no loss can leave part of a packet
 * to be completed by the bytes of another (which a CRC catches only with
 * odds of 2^-16). */
#define WHOLE_PACKET_MAX 12u

typedef struct fault_ctx {
    fault_link *f;
    int free_on_close;
} fault_ctx;

static omv_rpc_status inner_put(fault_link *f, const uint8_t *buf, size_t len, uint32_t t)
{
    return omv_rpc_link_write(&f->inner, buf, len, t);
}

static omv_rpc_status faulty_put(fault_link *f, const uint8_t *buf, size_t len, uint32_t timeout_ms,
                                 int whole)
{
    if (!atomic_load(&f->enabled) || len == 0 || ts_rand(&f->rng) % 1000u >= f->per_mille) {
        return inner_put(f, buf, len, timeout_ms);
    }
    fault_counts *c = f->counts;
    unsigned kind = ts_rand(&f->rng) % 5u;
    if (((kind == 1 || kind == 2) && (!whole || len > WHOLE_PACKET_MAX)) || (kind == 3 && !whole)) {
        kind = 0; /* large transfers: a flipped bit instead */
    }
    if (kind == 0 && len > sizeof f->copy) {
        kind = 4;
    }
    switch (kind) {
    case 0: { /* one bit flipped */
        memcpy(f->copy, buf, len);
        uint32_t bit = ts_rand(&f->rng) % (uint32_t)(len * 8u);
        f->copy[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
        if (c) {
            atomic_fetch_add(&c->flips, 1);
        }
        return inner_put(f, f->copy, len, timeout_ms);
    }
    case 1: /* a whole small packet lost */
        if (c) {
            atomic_fetch_add(&c->drops, 1);
        }
        return OMV_RPC_OK;
    case 2: { /* a whole small packet twice */
        if (c) {
            atomic_fetch_add(&c->duplicates, 1);
        }
        omv_rpc_status st = inner_put(f, buf, len, timeout_ms);
        return st != OMV_RPC_OK ? st : inner_put(f, buf, len, timeout_ms);
    }
    case 3: { /* the last byte repeated */
        if (c) {
            atomic_fetch_add(&c->repeats, 1);
        }
        omv_rpc_status st = inner_put(f, buf, len, timeout_ms);
        return st != OMV_RPC_OK ? st : inner_put(f, buf + len - 1, 1, timeout_ms);
    }
    default: /* late: 1 to 20 ms */
        if (c) {
            atomic_fetch_add(&c->delays, 1);
        }
        omv_rpc_sleep_ms(1u + ts_rand(&f->rng) % 20u);
        return inner_put(f, buf, len, timeout_ms);
    }
}

static omv_rpc_status fl_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    /* The library sends a packet in one piece only when it is small and
     * encoded whole; larger single pieces are cut-through bytes. */
    return faulty_put(((fault_ctx *)ctx)->f, buf, len, timeout_ms, len <= WHOLE_PACKET_MAX);
}

/* A gathered write is one packet: faults apply to it whole. */
static omv_rpc_status fl_put_v(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    if (total > sizeof f->gathered) {
        for (size_t i = 0; i < count; i++) { /* too large to gather: no faults */
            omv_rpc_status st = inner_put(f, iov[i].base, iov[i].len, timeout_ms);
            if (st != OMV_RPC_OK) {
                return st;
            }
        }
        return OMV_RPC_OK;
    }
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (iov[i].len) {
            memcpy(f->gathered + at, iov[i].base, iov[i].len);
            at += iov[i].len;
        }
    }
    return faulty_put(f, f->gathered, total, timeout_ms, 1);
}

static omv_rpc_status fl_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    return f->inner.ops->recv(f->inner.ctx, iov, count, timeout_ms, xfer);
}

/* One piece: a small packet encoded whole, or cut-through bytes. */
static omv_rpc_status fl_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return count == 1 ? fl_put(ctx, iov[0].base, iov[0].len, timeout_ms)
                      : fl_put_v(ctx, iov, count, timeout_ms);
}

static void fl_flush(void *ctx)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    f->inner.ops->flush(f->inner.ctx);
}

static uint32_t fl_now(void *ctx)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    return f->inner.ops->now_ms(f->inner.ctx);
}

static uint32_t fl_transfer_ms(void *ctx, size_t len)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    return f->inner.ops->transfer_ms ? f->inner.ops->transfer_ms(f->inner.ctx, len) : 0u;
}

/* The owner's watcher (stop, abort) goes to the real link, which calls it
 * while it waits, as it would unwrapped. */
static void fl_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    fault_link *f = ((fault_ctx *)ctx)->f;
    if (f->inner.ops->watch) {
        f->inner.ops->watch(f->inner.ctx, fn, arg);
    }
}

static void fl_close(void *ctx)
{
    fault_ctx *fc = ctx;
    omv_rpc_link_close(&fc->f->inner);
    if (fc->free_on_close) {
        free(fc->f);
    }
    free(fc);
}

static const omv_rpc_link_ops fault_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = fl_recv,
    .send = fl_send,
    .flush = fl_flush,
    .now_ms = fl_now,
    .close = fl_close,
    .transfer_ms = fl_transfer_ms,
    .watch = fl_watch,
};

omv_rpc_link fault_link_wrap(fault_link *f, const omv_rpc_link *inner, uint32_t seed,
                             unsigned per_mille, fault_counts *counts, int free_on_close)
{
    f->inner = *inner;
    f->rng = seed ? seed : 1u;
    f->per_mille = per_mille;
    atomic_store(&f->enabled, 1);
    f->counts = counts;
    fault_ctx *fc = malloc(sizeof *fc);
    assert_non_null(fc);
    fc->f = f;
    fc->free_on_close = free_on_close;
    omv_rpc_link link = *inner;
    link.ops = &fault_ops;
    link.ctx = fc;
    return link;
}
