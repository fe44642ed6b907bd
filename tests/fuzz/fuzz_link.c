#include "fuzz_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz: property violated: %s\n", what);
        abort();
    }
}

int fuzz_link_more(const fuzz_link *f)
{
    return f->pos < f->len;
}

/* Too few bytes left: the rest arrives and is lost with the failure. */
static omv_rpc_status run_dry(fuzz_link *f, uint32_t timeout_ms)
{
    f->pos = f->len;
    if (f->mode & FUZZ_LINK_END_CLOSED) {
        return OMV_RPC_ERR_CLOSED;
    }
    f->clock += timeout_ms + 1u;
    return OMV_RPC_ERR_TIMEOUT;
}

static omv_rpc_status fl_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    fuzz_link *f = ctx;
    if (len == 0) {
        return OMV_RPC_OK;
    }
    if (f->len - f->pos < len) {
        return run_dry(f, timeout_ms);
    }
    memcpy(buf, f->data + f->pos, len);
    f->pos += len;
    return OMV_RPC_OK;
}

static omv_rpc_status fl_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    fuzz_link *f = ctx;
    /* Touch every byte: ASan checks that the sender's memory is valid. */
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum ^= buf[i];
    }
    f->sent += len + (sum & 0u);
    return OMV_RPC_OK;
}

static omv_rpc_status fl_get_v(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                               uint32_t timeout_ms)
{
    fuzz_link *f = ctx;
    if (!(f->mode & FUZZ_LINK_VECTORS)) {
        for (size_t i = 0; i < count; i++) {
            omv_rpc_status st = fl_get(ctx, iov[i].base, iov[i].len, timeout_ms);
            if (st != OMV_RPC_OK) {
                return st;
            }
        }
        return OMV_RPC_OK;
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    if (f->len - f->pos < total) {
        return run_dry(f, timeout_ms);
    }
    for (size_t i = 0; i < count; i++) {
        if (iov[i].len) {
            memcpy(iov[i].base, f->data + f->pos, iov[i].len);
            f->pos += iov[i].len;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status fl_put_v(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms)
{
    for (size_t i = 0; i < count; i++) {
        omv_rpc_status st = fl_put(ctx, iov[i].base, iov[i].len, timeout_ms);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status fl_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return fl_get_v(ctx, iov, count, timeout_ms);
}

static omv_rpc_status fl_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return fl_put_v(ctx, iov, count, timeout_ms);
}

static void fl_flush(void *ctx)
{
    (void)ctx; /* every input byte is still to come: nothing has arrived */
}

static uint32_t fl_now(void *ctx)
{
    fuzz_link *f = ctx;
    return f->clock++;
}

static uint32_t fl_transfer_ms(void *ctx, size_t len)
{
    (void)ctx;
    return (uint32_t)(len / 100u + 1u);
}

static size_t fl_buffered(void *ctx)
{
    fuzz_link *f = ctx;
    size_t left = f->len - f->pos;
    return left < 64 ? left : 64;
}

omv_rpc_link fuzz_link_open(fuzz_link *f, const uint8_t *data, size_t len, unsigned mode)
{
    memset(f, 0, sizeof *f);
    f->data = data;
    f->len = len;
    f->mode = mode;
    /* One table per combination of optional operations. */
    static omv_rpc_link_ops tables[1u << 2];
    omv_rpc_link_ops *ops =
        &tables[(mode & FUZZ_LINK_STREAM_OPS ? 1 : 0) | (mode & FUZZ_LINK_PACED ? 2 : 0)];
    ops->size = sizeof *ops;
    ops->recv = fl_recv;
    ops->send = fl_send;
    ops->flush = fl_flush;
    ops->now_ms = fl_now;
    if (mode & FUZZ_LINK_STREAM_OPS) {
        ops->buffered = fl_buffered;
    }
    if (mode & FUZZ_LINK_PACED) {
        ops->transfer_ms = fl_transfer_ms;
    }
    omv_rpc_link link;
    memset(&link, 0, sizeof link);
    link.ops = ops;
    link.ctx = f;
    link.flags = (mode & FUZZ_LINK_BYTE_STREAM ? OMV_RPC_LINK_BYTE_STREAM : 0u) |
                 (mode & FUZZ_LINK_STREAM_OPS ? OMV_RPC_LINK_STREAM_BYTES : 0u);
    link.split_min = (mode & FUZZ_LINK_SPLIT) && (mode & FUZZ_LINK_VECTORS) ? 64u : 0u;
    return link;
}
