/* The V2 virtual camera's rpc channel: what examples/camera/
 * rpc_v2_channel.py does on a camera, here in C. The channel's two byte
 * streams follow include/omv_rpc/v2_link.h's rules (positions modulo 2^24,
 * idempotent writes and reads); the camera's "main loop" is an rpc slave
 * with the virtual camera's callbacks on a thread of its own, reading and
 * writing the streams through a small link, as the camera script's
 * get_bytes / put_bytes do while the protocol task fills and drains them.
 * The slave has its own omv_rpc_sim, so that its callbacks never race
 * with the V2 stream's frames. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "omv_rpc/clock.h"
#include "omv_rpc/v2_link.h"
#include "sim_v2_internal.h"

#define SV2_RPC_BUF 8192u         /* each direction's buffer, as the camera script's */
#define SV2_RPC_WAIT_SLICE_MS 10u /* waits ask the watcher at least this often */
#define SV2_RPC_BEHIND (OMV_RPC_V2_LINK_POS_MASK / 2u)

struct sv2_rpc {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /* host -> camera: rx[0..rx_len) not yet taken by the slave; rx_end is
     * the position just past the last byte received. */
    uint8_t rx[SV2_RPC_BUF];
    size_t rx_len;
    uint32_t rx_end;
    /* camera -> host: tx[0..tx_len) not yet confirmed; tx_pos is tx[0]'s
     * position. */
    uint8_t tx[SV2_RPC_BUF];
    size_t tx_len;
    uint32_t tx_pos;
    omv_rpc_link_watch_fn watch_fn;
    void *watch_arg;
    omv_rpc_sim *sim;
    omv_rpc_slave *slave;
    pthread_t thread;
    uint8_t out[SV2_RPC_BUF]; /* a CHANNEL_READ's bytes, for the V2 thread */
};

static void deadline_in(struct timespec *ts, uint32_t ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Wait (lock held) for a change, a slice at a time. OMV_RPC_OK: look
 * again; else the silence since `since` ran out or the watcher said stop. */
static omv_rpc_status wait_change(sv2_rpc *r, uint32_t since, uint32_t timeout_ms)
{
    struct timespec until;
    uint32_t spent = omv_rpc_clock_ms(NULL) - since, ms;
    omv_rpc_status st = r->watch_fn ? r->watch_fn(r->watch_arg) : OMV_RPC_OK;
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (spent >= timeout_ms) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    ms = timeout_ms - spent < SV2_RPC_WAIT_SLICE_MS ? timeout_ms - spent : SV2_RPC_WAIT_SLICE_MS;
    deadline_in(&until, ms);
    pthread_cond_timedwait(&r->changed, &r->lock, &until);
    return OMV_RPC_OK;
}

/* ---- The slave's side (its thread): get_bytes / put_bytes ---- */

static omv_rpc_status slave_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    sv2_rpc *r = ctx;
    uint32_t since = omv_rpc_clock_ms(NULL);
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&r->lock);
    while (len && st == OMV_RPC_OK) {
        if (r->rx_len) {
            size_t n = r->rx_len < len ? r->rx_len : len;
            memcpy(buf, r->rx, n);
            memmove(r->rx, r->rx + n, r->rx_len - n);
            r->rx_len -= n;
            buf += n;
            len -= n;
            since = omv_rpc_clock_ms(NULL);
        } else {
            st = wait_change(r, since, timeout_ms);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

static omv_rpc_status slave_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    sv2_rpc *r = ctx;
    uint32_t since = omv_rpc_clock_ms(NULL);
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&r->lock);
    while (len && st == OMV_RPC_OK) {
        size_t room = SV2_RPC_BUF - r->tx_len;
        if (room) {
            size_t n = room < len ? room : len;
            memcpy(r->tx + r->tx_len, buf, n);
            r->tx_len += n;
            buf += n;
            len -= n;
            since = omv_rpc_clock_ms(NULL);
        } else {
            st = wait_change(r, since, timeout_ms);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

static void slave_flush(void *ctx)
{
    sv2_rpc *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->rx_len = 0;
    pthread_mutex_unlock(&r->lock);
}

static uint32_t slave_now(void *ctx)
{
    (void)ctx;
    return omv_rpc_clock_ms(NULL);
}

static void slave_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    sv2_rpc *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->watch_fn = fn;
    r->watch_arg = fn ? arg : NULL;
    pthread_mutex_unlock(&r->lock);
}

/* The link table's transfers of several pieces: a byte stream, so each
 * piece in turn. */
static omv_rpc_status slave_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(slave_get, ctx, iov, count, timeout_ms);
}

static omv_rpc_status slave_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_send_each(slave_put, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops slave_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = slave_recv,
    .send = slave_send,
    .flush = slave_flush,
    .now_ms = slave_now,
    .watch = slave_watch,
};

static void *slave_main(void *arg)
{
    sv2_rpc *r = arg;
    /* Timeouts and bad packets do not end the loop; only the stop does. */
    (void)omv_rpc_slave_loop(r->slave, 1000, 1000);
    return NULL;
}

/* ---- The channel's side (the V2 serving thread) ---- */

omv_rpc_status omvrpc_sv2_rpc_start(sv2_rpc **out)
{
    /* Short timeouts scaled as on the camera script's side: each rpc
     * packet costs V2 round trips of the host. */
    omv_rpc_link link = {.ops = &slave_ops,
                         .short_timeout_scale = 100,
                         .flags = OMV_RPC_LINK_BYTE_STREAM};
    sv2_rpc *r = calloc(1, sizeof *r);
    omv_rpc_status st;
    if (!r) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    link.ctx = r;
    st = omv_rpc_sim_new(&r->sim);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_slave_new(&r->slave, &link, NULL);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_sim_attach(r->sim, r->slave);
    }
    if (st == OMV_RPC_OK && pthread_create(&r->thread, NULL, slave_main, r) != 0) {
        st = OMV_RPC_ERR_NO_MEMORY;
    }
    if (st != OMV_RPC_OK) {
        omv_rpc_slave_free(r->slave);
        omv_rpc_sim_free(r->sim);
        pthread_cond_destroy(&r->changed);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return st;
    }
    *out = r;
    return OMV_RPC_OK;
}

void omvrpc_sv2_rpc_stop(sv2_rpc *r)
{
    if (!r) {
        return;
    }
    omv_rpc_slave_stop(r->slave);
    pthread_join(r->thread, NULL);
    omv_rpc_slave_free(r->slave);
    omv_rpc_sim_free(r->sim);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

uint32_t omvrpc_sv2_rpc_size(sv2_rpc *r)
{
    uint32_t end;
    pthread_mutex_lock(&r->lock);
    end = (r->tx_pos + (uint32_t)r->tx_len) & OMV_RPC_V2_LINK_POS_MASK;
    pthread_mutex_unlock(&r->lock);
    return end;
}

int omvrpc_sv2_rpc_poll(sv2_rpc *r)
{
    int any;
    pthread_mutex_lock(&r->lock);
    any = r->tx_len != 0;
    pthread_mutex_unlock(&r->lock);
    return any;
}

size_t omvrpc_sv2_rpc_read(sv2_rpc *r, uint32_t offset, uint8_t *out, size_t max)
{
    size_t n = 0;
    uint32_t skip;
    pthread_mutex_lock(&r->lock);
    skip = (offset - r->tx_pos) & OMV_RPC_V2_LINK_POS_MASK;
    if (skip <= r->tx_len) {
        /* Everything before `offset` has reached the host: drop it. */
        memmove(r->tx, r->tx + skip, r->tx_len - skip);
        r->tx_len -= skip;
        r->tx_pos = offset & OMV_RPC_V2_LINK_POS_MASK;
        n = r->tx_len < max ? r->tx_len : max;
        memcpy(out, r->tx, n);
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return n;
}

int omvrpc_sv2_rpc_write(sv2_rpc *r, uint32_t offset, const uint8_t *data, size_t len)
{
    int ok = 0;
    uint32_t have;
    pthread_mutex_lock(&r->lock);
    have = (r->rx_end - offset) & OMV_RPC_V2_LINK_POS_MASK; /* bytes of it already here */
    if (have > SV2_RPC_BEHIND) {
        ok = 0; /* it starts past our end: a gap */
    } else if (have >= len) {
        ok = 1; /* all of it came before */
    } else if (r->rx_len + (len - have) <= SV2_RPC_BUF) {
        memcpy(r->rx + r->rx_len, data + have, len - have);
        r->rx_len += len - have;
        r->rx_end = (r->rx_end + (uint32_t)(len - have)) & OMV_RPC_V2_LINK_POS_MASK;
        pthread_cond_broadcast(&r->changed);
        ok = 1;
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void omvrpc_sv2_rpc_reset(sv2_rpc *r)
{
    pthread_mutex_lock(&r->lock);
    r->rx_len = r->tx_len = 0;
    r->rx_end = r->tx_pos = 0;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void omvrpc_sv2_rpc_command(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    sv2_rpc *r = dev->rpc;
    switch (h->opcode) {
    case OMV_RPC_V2_CHANNEL_SIZE: {
        uint8_t v[4];
        uint32_t end = omvrpc_sv2_rpc_size(r);
        for (int i = 0; i < 4; i++) {
            v[i] = (uint8_t)(end >> (8 * i));
        }
        omvrpc_sv2_send_data(dev, h, v, sizeof v, 0);
        break;
    }
    case OMV_RPC_V2_CHANNEL_READ: {
        /* Up to the firmware's 512-byte chunks, one fragment each. */
        uint8_t *buf = r->out;
        size_t chunk = dev->max_payload < 512u ? dev->max_payload : 512u, n;
        uint32_t len = h->length >= 8 ? rd32(p->payload + 4) : 0u;
        if (!len) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
            break;
        }
        n = omvrpc_sv2_rpc_read(r, rd32(p->payload), buf, len < SV2_RPC_BUF ? len : SV2_RPC_BUF);
        if (n < len) {
            /* The firmware's read loop: fewer bytes than asked ends in
             * FAILED (after the fragments of what there was). */
            if (n) {
                omvrpc_sv2_send_data(dev, h, buf, n, chunk);
            }
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
            break;
        }
        omvrpc_sv2_send_data(dev, h, buf, n, chunk);
        break;
    }
    case OMV_RPC_V2_CHANNEL_WRITE:
        if (h->length < 8 || rd32(p->payload + 4) != h->length - 8u || h->length == 8) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        } else {
            int ok = omvrpc_sv2_rpc_write(r, rd32(p->payload), p->payload + 8, h->length - 8u);
            omvrpc_sv2_send_status(dev, h, ok ? OMV_RPC_V2_SUCCESS : OMV_RPC_V2_FAILED);
        }
        break;
    case OMV_RPC_V2_CHANNEL_IOCTL:
        if (h->length >= 4 && rd32(p->payload) == OMV_RPC_V2_LINK_IOCTL_RESET) {
            omvrpc_sv2_rpc_reset(r);
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        } else {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
        }
        break;
    default:
        /* No lock, unlock or shape methods on the camera script's channel. */
        omvrpc_sv2_send_status(dev, h,
                               h->opcode == OMV_RPC_V2_CHANNEL_LOCK ||
                                       h->opcode == OMV_RPC_V2_CHANNEL_UNLOCK
                                   ? OMV_RPC_V2_BUSY
                                   : OMV_RPC_V2_INVALID);
    }
}
