/* An in-process cable paced at a baud rate (peers.h). Each direction is a
 * queue of bytes, each with the time it has fully arrived; the writer
 * stamps them one byte time apart after the wire is free. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "omv_rpc/clock.h"
#include "peers.h"

#define CABLE_CAPACITY (64u * 1024u) /* bytes in flight or unread per direction */

typedef struct cable_dir {
    uint8_t bytes[CABLE_CAPACITY];
    uint64_t ready_ns[CABLE_CAPACITY]; /* when each byte has arrived */
    size_t head, count;
    uint64_t wire_free_ns; /* when the last byte written is off the wire */
} cable_dir;

typedef struct cable {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cable_dir dir[2]; /* dir[i]: written by side i */
    uint64_t byte_ns;
    int open_ends;
} cable;

typedef struct cable_end {
    cable *c;
    int side;
    size_t tx_buffer;
    int pace; /* OMVRPC_PACE_*: what transfer_ms reports */
} cable_end;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wait on the cable until `until_ns` or a signal. */
static void wait_until(cable *c, uint64_t until_ns)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(until_ns / 1000000000u);
    ts.tv_nsec = (long)(until_ns % 1000000000u);
    pthread_cond_timedwait(&c->cv, &c->mu, &ts);
}

/* Bytes of `d` that have arrived by `t`. */
static size_t arrived(const cable_dir *d, uint64_t t)
{
    size_t n = 0;
    while (n < d->count && d->ready_ns[(d->head + n) % CABLE_CAPACITY] <= t) {
        n++;
    }
    return n;
}

static void take(cable_dir *d, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (out) {
            out[i] = d->bytes[d->head];
        }
        d->head = (d->head + 1) % CABLE_CAPACITY;
    }
    d->count -= n;
}

static omv_rpc_status cable_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    cable_end *e = ctx;
    cable *c = e->c;
    cable_dir *d = &c->dir[1 - e->side];
    const uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        uint64_t t = now_ns();
        size_t have = arrived(d, t);
        if (have >= len) {
            take(d, buf, len);
            break;
        }
        if (c->open_ends < 2 && have == d->count) {
            st = OMV_RPC_ERR_CLOSED;
            break;
        }
        if (t >= deadline) {
            take(d, NULL, have); /* a read that timed out loses what it took */
            st = OMV_RPC_ERR_TIMEOUT;
            break;
        }
        uint64_t until = deadline;
        if (len <= d->count) {
            uint64_t last = d->ready_ns[(d->head + len - 1) % CABLE_CAPACITY];
            until = last < until ? last : until;
        }
        wait_until(c, until);
    }
    pthread_cond_broadcast(&c->cv); /* room for a waiting writer */
    pthread_mutex_unlock(&c->mu);
    return st;
}

static omv_rpc_status cable_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    cable_end *e = ctx;
    cable *c = e->c;
    cable_dir *d = &c->dir[e->side];
    const uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < len && st == OMV_RPC_OK;) {
        if (c->open_ends < 2) {
            st = OMV_RPC_ERR_CLOSED;
        } else if (d->count == CABLE_CAPACITY) {
            if (now_ns() >= deadline) {
                st = OMV_RPC_ERR_TIMEOUT;
            } else {
                wait_until(c, deadline);
            }
        } else {
            uint64_t t = now_ns();
            uint64_t start = d->wire_free_ns > t ? d->wire_free_ns : t;
            d->wire_free_ns = start + c->byte_ns;
            size_t at = (d->head + d->count) % CABLE_CAPACITY;
            d->bytes[at] = buf[i++];
            d->ready_ns[at] = d->wire_free_ns;
            d->count++;
        }
    }
    pthread_cond_broadcast(&c->cv);
    /* A small transmit buffer: the write returns once all but its last
     * tx_buffer bytes are on the wire. */
    if (st == OMV_RPC_OK && e->tx_buffer) {
        uint64_t back = (uint64_t)e->tx_buffer * c->byte_ns;
        while (d->wire_free_ns > back && now_ns() < d->wire_free_ns - back) {
            wait_until(c, d->wire_free_ns - back);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}

static void cable_flush(void *ctx)
{
    cable_end *e = ctx;
    cable *c = e->c;
    pthread_mutex_lock(&c->mu);
    cable_dir *d = &c->dir[1 - e->side];
    take(d, NULL, arrived(d, now_ns()));
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void cable_close(void *ctx)
{
    cable_end *e = ctx;
    cable *c = e->c;
    pthread_mutex_lock(&c->mu);
    int last = --c->open_ends == 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (last) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        free(c);
    }
    free(e);
}

/* The wire time, or (OMVRPC_PACE_USB_FLOOR) what omv_rpc_serial_open
 * reports for a port with no baud rate: USB full speed's 1 MB/s, plus 1
 * ms. */
static uint32_t cable_transfer_ms(void *ctx, size_t len)
{
    cable_end *e = ctx;
    if (e->pace == OMVRPC_PACE_USB_FLOOR) {
        return (uint32_t)((len + 999u) / 1000u + 1u);
    }
    return (uint32_t)(((uint64_t)len * e->c->byte_ns + 999999u) / 1000000u);
}

/* The link table's transfers of several pieces: a byte stream, so each
 * piece in turn. */
static omv_rpc_status cable_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(cable_get, ctx, iov, count, timeout_ms);
}

static omv_rpc_status cable_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_send_each(cable_put, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops paced_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = cable_recv,
    .send = cable_send,
    .flush = cable_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = cable_close,
    .transfer_ms = cable_transfer_ms,
};

/* The same cable seen by a side that does not know the baud rate. */
static const omv_rpc_link_ops unpaced_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = cable_recv,
    .send = cable_send,
    .flush = cable_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = cable_close,
};

static void end_link(omv_rpc_link *out, cable_end *e)
{
    memset(out, 0, sizeof *out);
    out->ops = e->pace == OMVRPC_PACE_NONE ? &unpaced_ops : &paced_ops;
    out->ctx = e;
    out->flags = OMV_RPC_LINK_BYTE_STREAM |
                 (e->pace == OMVRPC_PACE_USB_FLOOR ? OMV_RPC_LINK_PACE_FLOOR : 0u);
}

omv_rpc_status omvrpc_paced_pair_open(omv_rpc_link *a, omv_rpc_link *b,
                                      const omvrpc_paced_opts *opts)
{
    if (!a || !b || !opts || !opts->baud) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    cable *c = calloc(1, sizeof *c);
    cable_end *ea = calloc(1, sizeof *ea), *eb = calloc(1, sizeof *eb);
    if (!c || !ea || !eb) {
        free(c);
        free(ea);
        free(eb);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &attr);
    pthread_condattr_destroy(&attr);
    c->byte_ns = 10000000000ull / opts->baud;
    c->open_ends = 2;
    *ea = (cable_end){c, 0, opts->a_tx_buffer, opts->a_knows_pace};
    *eb = (cable_end){c, 1, opts->b_tx_buffer, opts->b_knows_pace};
    end_link(a, ea);
    end_link(b, eb);
    return OMV_RPC_OK;
}
