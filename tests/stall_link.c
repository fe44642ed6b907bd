/* stall_link.h: every operation goes to the inner link; send first waits
 * when armed and the packet is the one to hold back. */
#include "stall_link.h"

#include <time.h>

static void sleep_us(uint32_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

static omv_rpc_status stall_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    stall_link *s = ctx;
    return s->inner.ops->recv(s->inner.ctx, iov, count, timeout_ms, xfer);
}

/* The packet's first two bytes, wherever the pieces split them. */
static int starts_with(const omv_rpc_out_iov *iov, size_t count, uint16_t magic)
{
    uint8_t head[2];
    size_t have = 0;
    for (size_t i = 0; i < count && have < 2; i++) {
        const uint8_t *p = iov[i].base;
        for (size_t j = 0; j < iov[i].len && have < 2; j++) {
            head[have++] = p[j];
        }
    }
    return have == 2 && (uint16_t)(head[0] | (head[1] << 8)) == magic;
}

static omv_rpc_status stall_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    stall_link *s = ctx;
    int expected = 1;
    if (starts_with(iov, count, s->magic) &&
        atomic_compare_exchange_strong(&s->armed, &expected, 0)) {
        sleep_us(s->stall_us);
        atomic_fetch_add(&s->stalls, 1);
    }
    return s->inner.ops->send(s->inner.ctx, iov, count, timeout_ms, xfer);
}

static void stall_flush(void *ctx)
{
    stall_link *s = ctx;
    s->inner.ops->flush(s->inner.ctx);
}

static uint32_t stall_now_ms(void *ctx)
{
    stall_link *s = ctx;
    return s->inner.ops->now_ms(s->inner.ctx);
}

static void stall_close(void *ctx)
{
    stall_link *s = ctx;
    omv_rpc_link_close(&s->inner);
}

static uint32_t stall_transfer_ms(void *ctx, size_t len)
{
    stall_link *s = ctx;
    return s->inner.ops->transfer_ms(s->inner.ctx, len);
}

static const omv_rpc_link_ops paced_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = stall_recv,
    .send = stall_send,
    .flush = stall_flush,
    .now_ms = stall_now_ms,
    .close = stall_close,
    .transfer_ms = stall_transfer_ms,
};

static const omv_rpc_link_ops unpaced_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = stall_recv,
    .send = stall_send,
    .flush = stall_flush,
    .now_ms = stall_now_ms,
    .close = stall_close,
};

void stall_link_wrap(omv_rpc_link *out, stall_link *s, const omv_rpc_link *inner, uint16_t magic,
                     uint32_t stall_us)
{
    s->inner = *inner;
    s->magic = magic;
    s->stall_us = stall_us;
    atomic_init(&s->armed, 0);
    atomic_init(&s->stalls, 0);
    *out = *inner;
    out->ops = inner->ops->transfer_ms ? &paced_ops : &unpaced_ops;
    out->ctx = s;
}
