/* What the shipped links share to honour quiet timeouts and
 * omv_rpc_link_ops.watch (link.h): a silence timer that each byte moved
 * starts again, and the owner's watcher, asked when a transfer starts and
 * at least every OMV_RPC_LINK_WATCH_MS while it waits. Internal, not
 * installed. */
#ifndef OMV_RPC_LINK_WATCH_H
#define OMV_RPC_LINK_WATCH_H

#include "clock.h"
#include "omv_rpc/link.h"

typedef struct omv_rpc_watcher {
    omv_rpc_link_watch_fn fn; /* NULL: none installed */
    void *arg;
} omv_rpc_watcher;

static inline void omvrpc_watcher_set(omv_rpc_watcher *w, omv_rpc_link_watch_fn fn, void *arg)
{
    w->fn = fn;
    w->arg = fn ? arg : NULL;
}

/* OMV_RPC_OK, or what the transfer must fail with now. */
static inline omv_rpc_status omvrpc_watcher_ask(const omv_rpc_watcher *w)
{
    return w->fn ? w->fn(w->arg) : OMV_RPC_OK;
}

/* A transfer's silence: `timeout_ms` without a byte moving ends it.
 * Kept in microseconds: a millisecond clock would make every wait up to
 * a millisecond longer than asked (a millisecond that has only begun
 * cannot be counted as spent), which doubles a master's 1 ms poll of a
 * busy camera (issue 16). */
typedef struct omv_rpc_quiet {
    uint32_t timeout_ms;
    uint64_t since_us; /* omvrpc_clock_us64 of the start or the last byte moved */
    /* What the watcher said when it said stop: final for the transfer,
     * since asking again may not repeat it (an abort is used up). */
    omv_rpc_status stop;
} omv_rpc_quiet;

static inline void omvrpc_quiet_start(omv_rpc_quiet *q, uint32_t timeout_ms)
{
    q->timeout_ms = timeout_ms;
    q->since_us = omvrpc_clock_us64();
    q->stop = OMV_RPC_OK;
}

/* Bytes moved: the silence starts again. */
static inline void omvrpc_quiet_moved(omv_rpc_quiet *q)
{
    q->since_us = omvrpc_clock_us64();
}

/* Milliseconds of silence left, rounded up (0: the transfer has timed
 * out): a wait is never shorter than asked. */
static inline uint32_t omvrpc_quiet_left(const omv_rpc_quiet *q)
{
    uint64_t spent = omvrpc_clock_us64() - q->since_us;
    uint64_t total = (uint64_t)q->timeout_ms * 1000u;
    return spent >= total ? 0u : (uint32_t)((total - spent + 999u) / 1000u);
}

/* Before a link sleeps: OMV_RPC_ERR_TIMEOUT when the silence is over, the
 * watcher's status when it says stop, else OMV_RPC_OK with *sleep_ms set
 * to how long it may sleep (the silence left, at most
 * OMV_RPC_LINK_WATCH_MS when a watcher is installed). */
static inline omv_rpc_status omvrpc_quiet_wait(omv_rpc_quiet *q, const omv_rpc_watcher *w,
                                               uint32_t *sleep_ms)
{
    if (q->stop != OMV_RPC_OK) {
        return q->stop;
    }
    uint32_t left = omvrpc_quiet_left(q);
    if (left == 0) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    omv_rpc_status st = omvrpc_watcher_ask(w);
    if (st != OMV_RPC_OK) {
        q->stop = st;
        return st;
    }
    *sleep_ms = w->fn && left > OMV_RPC_LINK_WATCH_MS ? OMV_RPC_LINK_WATCH_MS : left;
    return OMV_RPC_OK;
}

#endif
