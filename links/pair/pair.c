/* The in-process link pair: two bounded byte queues under one mutex.
 * Timeouts bound silence (the link has `watch`, link.h), and waits ask the
 * owner's watcher every OMV_RPC_LINK_WATCH_MS. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "omv_rpc/clock.h"
#include "omv_rpc/pair.h"
#include "common/watch.h"

typedef struct ring {
    uint8_t *data;
    size_t capacity, head, count;
} ring;

typedef struct pair_shared {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    ring dir[2]; /* dir[i]: bytes that end i reads */
    int open_ends;
    int closed[2];
} pair_shared;

typedef struct pair_end {
    pair_shared *shared;
    int side; /* 0 or 1 */
    omv_rpc_watcher watcher;
} pair_end;

/* Wait for a change (lock held). OMV_RPC_OK: look again; otherwise the
 * silence ran out or the watcher said stop. */
static omv_rpc_status wait_changed(pair_end *e, omv_rpc_quiet *q)
{
    uint32_t ms;
    omv_rpc_status st = omvrpc_quiet_wait(q, &e->watcher, &ms);
    if (st == OMV_RPC_OK) {
        struct timespec until;
        omvrpc_deadline_after(&until, ms);
        pthread_cond_timedwait(&e->shared->changed, &e->shared->lock, &until);
    }
    return st;
}

static omv_rpc_status pair_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    pair_end *e = ctx;
    pair_shared *sh = e->shared;
    ring *r = &sh->dir[e->side];
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    omv_rpc_status st = omvrpc_watcher_ask(&e->watcher);

    pthread_mutex_lock(&sh->lock);
    while (len && st == OMV_RPC_OK) {
        if (r->count) {
            size_t n = r->count < len ? r->count : len;
            size_t first = r->capacity - r->head < n ? r->capacity - r->head : n;
            memcpy(buf, r->data + r->head, first);
            memcpy(buf + first, r->data, n - first);
            r->head = (r->head + n) % r->capacity;
            r->count -= n;
            buf += n;
            len -= n;
            omvrpc_quiet_moved(&q);
            pthread_cond_broadcast(&sh->changed);
            continue;
        }
        if (sh->closed[1 - e->side]) {
            st = OMV_RPC_ERR_CLOSED;
            break;
        }
        st = wait_changed(e, &q);
    }
    pthread_mutex_unlock(&sh->lock);
    return st;
}

static omv_rpc_status pair_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    pair_end *e = ctx;
    pair_shared *sh = e->shared;
    ring *r = &sh->dir[1 - e->side];
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    omv_rpc_status st = omvrpc_watcher_ask(&e->watcher);

    pthread_mutex_lock(&sh->lock);
    while (len && st == OMV_RPC_OK) {
        if (sh->closed[1 - e->side]) {
            st = OMV_RPC_ERR_CLOSED;
            break;
        }
        if (r->count < r->capacity) {
            size_t space = r->capacity - r->count;
            size_t n = space < len ? space : len;
            size_t tail = (r->head + r->count) % r->capacity;
            size_t first = r->capacity - tail < n ? r->capacity - tail : n;
            memcpy(r->data + tail, buf, first);
            memcpy(r->data, buf + first, n - first);
            r->count += n;
            buf += n;
            len -= n;
            omvrpc_quiet_moved(&q);
            pthread_cond_broadcast(&sh->changed);
            continue;
        }
        st = wait_changed(e, &q);
    }
    pthread_mutex_unlock(&sh->lock);
    return st;
}

static void pair_flush(void *ctx)
{
    pair_end *e = ctx;
    pthread_mutex_lock(&e->shared->lock);
    e->shared->dir[e->side].count = 0;
    e->shared->dir[e->side].head = 0;
    pthread_cond_broadcast(&e->shared->changed);
    pthread_mutex_unlock(&e->shared->lock);
}

static void pair_close(void *ctx)
{
    pair_end *e = ctx;
    pair_shared *sh = e->shared;
    pthread_mutex_lock(&sh->lock);
    sh->closed[e->side] = 1;
    int last = --sh->open_ends == 0;
    pthread_cond_broadcast(&sh->changed);
    pthread_mutex_unlock(&sh->lock);
    free(e);
    if (last) {
        pthread_cond_destroy(&sh->changed);
        pthread_mutex_destroy(&sh->lock);
        free(sh->dir[0].data);
        free(sh->dir[1].data);
        free(sh);
    }
}

static void pair_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((pair_end *)ctx)->watcher, fn, arg);
}

static omv_rpc_status pair_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(pair_get, ctx, iov, count, timeout_ms);
}

static omv_rpc_status pair_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_send_each(pair_put, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops pair_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = pair_recv,
    .send = pair_send,
    .flush = pair_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = pair_close,
    .watch = pair_watch,
};

omv_rpc_status omv_rpc_pair_open(omv_rpc_link *a, omv_rpc_link *b, size_t capacity)
{
    if (!a || !b) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (capacity == 0) {
        capacity = 64 * 1024;
    }
    pair_shared *sh = calloc(1, sizeof *sh);
    pair_end *ea = calloc(1, sizeof *ea);
    pair_end *eb = calloc(1, sizeof *eb);
    uint8_t *d0 = malloc(capacity), *d1 = malloc(capacity);
    if (!sh || !ea || !eb || !d0 || !d1) {
        free(sh);
        free(ea);
        free(eb);
        free(d0);
        free(d1);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    pthread_mutex_init(&sh->lock, NULL);
    omvrpc_cond_init(&sh->changed);
    sh->dir[0] = (ring){d0, capacity, 0, 0};
    sh->dir[1] = (ring){d1, capacity, 0, 0};
    sh->open_ends = 2;
    ea->shared = eb->shared = sh;
    ea->side = 0;
    eb->side = 1;
    const uint32_t flags = OMV_RPC_LINK_BYTE_STREAM;
    *a = (omv_rpc_link){.ops = &pair_ops, .ctx = ea, .flags = flags};
    *b = (omv_rpc_link){.ops = &pair_ops, .ctx = eb, .flags = flags};
    return OMV_RPC_OK;
}
