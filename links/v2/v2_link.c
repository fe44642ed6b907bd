/* An rpc link over a custom channel of OpenMV Protocol V2
 * (include/omv_rpc/v2_link.h): the rpc protocol's bytes go out as
 * CHANNEL_WRITEs at the host's write position and come in as CHANNEL_SIZE
 * polls and CHANNEL_READs at its read position, so that repeated or lost
 * V2 commands neither double nor lose a byte. */
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/v2_link.h"
#include "v2_internal.h"

#define V2L_CACHE 8192u /* bytes taken from the camera per CHANNEL_READ, at most */
#define V2L_DEFAULT_POLL_MS 1u
#define V2L_DEFAULT_SCALE 100u
/* A distance between positions above this is a position behind ours: the
 * camera's channel started again (a new script) under our feet. */
#define V2L_BEHIND (OMV_RPC_V2_LINK_POS_MASK / 2u)

typedef struct v2_link {
    omv_rpc_v2 *v2;
    uint32_t flags, poll_ms;
    char name[15];
    uint8_t id;
    int have_id;
    uint32_t wpos, rpos; /* positions, modulo 2^24 */
    int flush_pending;   /* flush asked: skip what the camera holds before the next transfer */
    size_t head, len;    /* bytes in cache[head .. head + len) */
    omv_rpc_link_watch_fn watch_fn;
    void *watch_arg;
    uint8_t cache[V2L_CACHE];
} v2_link;

static uint32_t v2l_now(v2_link *l)
{
    return l->v2->link.ops->now_ms(l->v2->link.ctx);
}

/* Milliseconds of the silence `timeout_ms` left since `since`. */
static uint32_t v2l_left(v2_link *l, uint32_t since, uint32_t timeout_ms)
{
    uint32_t spent = v2l_now(l) - since;
    return spent >= timeout_ms ? 0u : timeout_ms - spent;
}

static omv_rpc_status v2l_watch(const v2_link *l)
{
    return l->watch_fn ? l->watch_fn(l->watch_arg) : OMV_RPC_OK;
}

/* The channel is gone (script ended, soft reboot) or refused us: find it
 * again before the next transfer. */
static omv_rpc_status v2l_lost(v2_link *l, omv_rpc_status st)
{
    if (st == OMV_RPC_ERR_RESET ||
        (st == OMV_RPC_ERR_NAK && omv_rpc_v2_last_device_status(l->v2) == OMV_RPC_V2_INVALID)) {
        l->have_id = 0;
        omvrpc_link_logf(&l->v2->config.log, OMV_RPC_LOG_INFO, "v2 link: channel \"%s\" lost (%s)",
                         l->name, omv_rpc_status_name(st));
    }
    return st;
}

/* Find the channel by name and start both directions at 0. */
static omv_rpc_status v2l_attach(v2_link *l)
{
    omv_rpc_status st;
    if (l->have_id) {
        return OMV_RPC_OK;
    }
    st = omv_rpc_v2_channel_find(l->v2, l->name, &l->id);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_channel_ioctl(l->v2, l->id, OMV_RPC_V2_LINK_IOCTL_RESET, NULL, 0);
    }
    if (st != OMV_RPC_OK) {
        omvrpc_link_logf(&l->v2->config.log, OMV_RPC_LOG_WARNING,
                         "v2 link: no usable channel \"%s\": %s", l->name, omv_rpc_status_name(st));
        return st;
    }
    l->have_id = 1;
    l->wpos = l->rpos = 0;
    l->head = l->len = 0;
    l->flush_pending = 0;
    return OMV_RPC_OK;
}

/* The camera's write position; *avail the bytes past our read position. */
static omv_rpc_status v2l_size(v2_link *l, uint32_t *end, uint32_t *avail)
{
    omv_rpc_status st = omv_rpc_v2_channel_size(l->v2, l->id, end);
    if (st != OMV_RPC_OK) {
        return v2l_lost(l, st);
    }
    *end &= OMV_RPC_V2_LINK_POS_MASK;
    *avail = (*end - l->rpos) & OMV_RPC_V2_LINK_POS_MASK;
    if (*avail > V2L_BEHIND) {
        l->have_id = 0;
        return OMV_RPC_ERR_RESET;
    }
    return OMV_RPC_OK;
}

/* A flush drops what was received and not read: here that includes what
 * the camera holds for us. Done lazily, before the next transfer, so that
 * flush itself never blocks. */
static omv_rpc_status v2l_apply_flush(v2_link *l)
{
    uint32_t end, avail;
    omv_rpc_status st;
    if (!l->flush_pending) {
        return OMV_RPC_OK;
    }
    st = v2l_size(l, &end, &avail);
    if (st != OMV_RPC_OK) {
        return st;
    }
    l->rpos = end;
    l->head = l->len = 0;
    l->flush_pending = 0;
    return OMV_RPC_OK;
}

/* Fill the cache from the camera if it has anything: *got bytes (0: none). */
static omv_rpc_status v2l_fill(v2_link *l, size_t *got)
{
    uint32_t end, avail;
    omv_rpc_status st = v2l_size(l, &end, &avail);
    *got = 0;
    if (st != OMV_RPC_OK || !avail) {
        return st;
    }
    st = omv_rpc_v2_channel_read(l->v2, l->id, l->rpos, l->cache,
                                 avail < V2L_CACHE ? avail : V2L_CACHE, got);
    if (st != OMV_RPC_OK) {
        *got = 0;
        return v2l_lost(l, st);
    }
    l->head = 0;
    l->len = *got;
    l->rpos = (l->rpos + (uint32_t)*got) & OMV_RPC_V2_LINK_POS_MASK;
    return OMV_RPC_OK;
}

/* Wait a poll period for the camera, taking its events meanwhile. */
static omv_rpc_status v2l_pause(v2_link *l, uint32_t left)
{
    omv_rpc_status st = omv_rpc_v2_poll_events(l->v2, left < l->poll_ms ? left : l->poll_ms);
    if (st == OMV_RPC_ERR_TIMEOUT || st == OMV_RPC_OK) {
        if (l->v2->rebooted) {
            l->v2->rebooted = 0;
            l->have_id = 0;
            return OMV_RPC_ERR_RESET;
        }
        return OMV_RPC_OK;
    }
    return st;
}

static omv_rpc_status v2l_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    v2_link *l = ctx;
    size_t done = 0;
    uint32_t since = v2l_now(l);
    while (done < len) {
        omv_rpc_status st = v2l_watch(l);
        size_t got;
        uint32_t left;
        if (st == OMV_RPC_OK) {
            st = v2l_attach(l);
        }
        if (st == OMV_RPC_OK) {
            st = v2l_apply_flush(l);
        }
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (l->len) {
            size_t n = len - done < l->len ? len - done : l->len;
            memcpy(buf + done, l->cache + l->head, n);
            l->head += n;
            l->len -= n;
            done += n;
            since = v2l_now(l);
            continue;
        }
        st = v2l_fill(l, &got);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (got) {
            continue;
        }
        left = v2l_left(l, since, timeout_ms);
        if (!left) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        st = v2l_pause(l, left);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status v2l_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    v2_link *l = ctx;
    size_t done = 0;
    uint32_t since = v2l_now(l);
    while (done < len) {
        omv_rpc_status st = v2l_watch(l);
        size_t chunk = len - done, room;
        uint32_t left;
        if (st == OMV_RPC_OK) {
            st = v2l_attach(l);
        }
        if (st == OMV_RPC_OK) {
            st = v2l_apply_flush(l);
        }
        if (st != OMV_RPC_OK) {
            return st;
        }
        room = (size_t)l->v2->max_payload - 8u;
        chunk = chunk < room ? chunk : room;
        st = omv_rpc_v2_channel_write(l->v2, l->id, l->wpos, buf + done, chunk);
        if (st == OMV_RPC_OK) {
            l->wpos = (l->wpos + (uint32_t)chunk) & OMV_RPC_V2_LINK_POS_MASK;
            done += chunk;
            since = v2l_now(l);
            continue;
        }
        if (st != OMV_RPC_ERR_NAK || omv_rpc_v2_last_device_status(l->v2) != OMV_RPC_V2_FAILED) {
            return v2l_lost(l, st);
        }
        /* FAILED: the camera's buffer is full; its script reads it soon. */
        left = v2l_left(l, since, timeout_ms);
        if (!left) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        st = v2l_pause(l, left);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

static void v2l_flush(void *ctx)
{
    v2_link *l = ctx;
    l->head = l->len = 0;
    l->flush_pending = 1;
}

static uint32_t v2l_now_ms(void *ctx)
{
    return v2l_now(ctx);
}

static void v2l_set_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    v2_link *l = ctx;
    l->watch_fn = fn;
    l->watch_arg = fn ? arg : NULL;
}

static void v2l_close(void *ctx)
{
    v2_link *l = ctx;
    if (l->flags & OMV_RPC_V2_LINK_OWN_HOST) {
        omv_rpc_v2_free(l->v2);
    }
    free(l);
}

/* The link table's transfers of several pieces: a byte stream, so each
 * piece in turn. */
static omv_rpc_status v2l_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(v2l_get, ctx, iov, count, timeout_ms);
}

static omv_rpc_status v2l_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_send_each(v2l_put, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops v2l_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = v2l_recv,
    .send = v2l_send,
    .flush = v2l_flush,
    .now_ms = v2l_now_ms,
    .close = v2l_close,
    .watch = v2l_set_watch,
};

omv_rpc_status omv_rpc_v2_link_open(omv_rpc_link *out, omv_rpc_v2 *v2,
                                    const omv_rpc_v2_link_config *config)
{
    omv_rpc_v2_link_config cfg = {0};
    v2_link *l;
    omv_rpc_status st;
    if (config) {
        cfg = *config;
    }
    if (!out || !v2 || (cfg.channel && (!cfg.channel[0] || strlen(cfg.channel) > 13))) {
        if (v2 && (cfg.flags & OMV_RPC_V2_LINK_OWN_HOST)) {
            omv_rpc_v2_free(v2);
        }
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    l = calloc(1, sizeof *l);
    if (!l) {
        if (cfg.flags & OMV_RPC_V2_LINK_OWN_HOST) {
            omv_rpc_v2_free(v2);
        }
        return OMV_RPC_ERR_NO_MEMORY;
    }
    l->v2 = v2;
    l->flags = cfg.flags;
    l->poll_ms = cfg.poll_ms ? cfg.poll_ms : V2L_DEFAULT_POLL_MS;
    strcpy(l->name, cfg.channel ? cfg.channel : OMV_RPC_V2_LINK_DEFAULT_CHANNEL);
    st = v2l_attach(l);
    if (st != OMV_RPC_OK) {
        v2l_close(l);
        return st;
    }
    out->ops = &v2l_ops;
    out->ctx = l;
    out->short_timeout_scale =
        cfg.short_timeout_scale ? cfg.short_timeout_scale : V2L_DEFAULT_SCALE;
    out->flags = OMV_RPC_LINK_BYTE_STREAM;
    return OMV_RPC_OK;
}
