/*
 * omvrpc: the link table.
 *
 * A link moves raw bytes between the two peers. The protocol (master,
 * slave, streams) runs unchanged over every link; only this table differs.
 * The library ships serial, network, CAN, I2C, SPI and in-process links
 * (layer 2), and a user can write one for anything else, e.g. a
 * microcontroller's UART driver: fill an omv_rpc_link_ops with your
 * functions and hand an omv_rpc_link to omv_rpc_master_new/_init or
 * omv_rpc_slave_new/_init.
 *
 * Ownership: a master or slave created on a link owns it from then on and
 * calls ops->close(ctx) exactly once when it is freed (or when its creation
 * fails). Thread-safety: the library calls a link's functions from one
 * thread at a time (the thread using the master or slave).
 */
#ifndef OMV_RPC_LINK_H
#define OMV_RPC_LINK_H

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One piece of a scattered read (get_bytes_v) or gathered write
 * (put_bytes_v). */
typedef struct omv_rpc_in_iov {
    uint8_t *base;
    size_t len;
} omv_rpc_in_iov;
typedef struct omv_rpc_out_iov {
    const uint8_t *base;
    size_t len;
} omv_rpc_out_iov;

/* A link's watcher (see omv_rpc_link_ops.watch): OMV_RPC_OK to go on
 * waiting, or the status the transfer in progress must fail with at once
 * (OMV_RPC_ERR_ABORTED after omv_rpc_master_abort, OMV_RPC_ERR_STOPPED
 * after omv_rpc_slave_stop, OMV_RPC_ERR_TIMEOUT when the owner's bound on
 * the whole transfer has passed). */
typedef omv_rpc_status (*omv_rpc_link_watch_fn)(void *arg);

/* How often, at least, a link calls its watcher while a transfer waits. */
#define OMV_RPC_LINK_WATCH_MS 20u

typedef struct omv_rpc_link_ops {
    /* Required. Fill exactly `len` bytes of `buf` within `timeout_ms`
     * milliseconds (of silence, with OMV_RPC_LINK_QUIET_TIMEOUTS), or
     * fail: OMV_RPC_ERR_TIMEOUT when time ran out,
     * OMV_RPC_ERR_CLOSED / OMV_RPC_ERR_LINK on a broken link. `len` may be 0
     * (return OMV_RPC_OK at once). Bytes read before a failure are lost. */
    omv_rpc_status (*get_bytes)(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms);

    /* Required. Send all `len` bytes within `timeout_ms`, or fail. */
    omv_rpc_status (*put_bytes)(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms);

    /* Required. Drop every byte received and not yet read. Must not block. */
    void (*flush)(void *ctx);

    /* Required. Milliseconds from any fixed point of a monotonic clock.
     * Wraps at 2^32; the library only uses differences. */
    uint32_t (*now_ms)(void *ctx);

    /* Optional (NULL: nothing to release). Release the link. */
    void (*close)(void *ctx);

    /* Optional (NULL: use get_bytes / put_bytes). Byte transfers while a
     * stream runs (the network link moves streams over TCP). */
    omv_rpc_status (*stream_get_bytes)(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms);
    omv_rpc_status (*stream_put_bytes)(void *ctx, const uint8_t *buf, size_t len,
                                       uint32_t timeout_ms);

    /* Optional (NULL: on a link flagged OMV_RPC_LINK_BYTE_STREAM the library
     * calls get_bytes / put_bytes once per piece; on any other link it copies
     * the pieces through one buffer and calls get_bytes / put_bytes once). Exactly the same transfer as one
     * get_bytes / put_bytes of the pieces' total length, scattered or
     * gathered: this is how a packet's payload goes straight from and to
     * the caller's memory with no copy. A link whose framing depends on each
     * call's size (UDP datagrams, CAN frames) must treat the pieces as one
     * transfer of their total length. */
    omv_rpc_status (*get_bytes_v)(void *ctx, const omv_rpc_in_iov *iov, size_t iov_count,
                                  uint32_t timeout_ms);
    omv_rpc_status (*put_bytes_v)(void *ctx, const omv_rpc_out_iov *iov, size_t iov_count,
                                  uint32_t timeout_ms);

    /* Optional (NULL: the link is fast, 0 ms). How many milliseconds `len`
     * bytes need on the wire, one way, including any fixed latency such as a
     * USB-serial adapter's latency timer. The master and slave add this to
     * their waits so that large packets and slow UARTs never time out while
     * data is still in flight. */
    uint32_t (*transfer_ms)(void *ctx, size_t len);

    /* Optional. A gathered write while a stream runs, for a link whose
     * stream traffic is a byte stream although its call traffic is not
     * (the network link: TCP). The library then sends a stream frame's
     * header and bytes as one write. NULL: they go as two transfers, or
     * gathered with put_bytes_v on a link flagged OMV_RPC_LINK_BYTE_STREAM
     * that has no stream variants. */
    omv_rpc_status (*stream_put_bytes_v)(void *ctx, const omv_rpc_out_iov *iov, size_t iov_count,
                                         uint32_t timeout_ms);

    /* Optional (NULL: nothing known). How many received bytes the link
     * already holds that the next stream read can take without waiting or
     * a system call (a read-ahead buffer). On a link whose stream traffic
     * is a byte stream, a stream reader then holds its ack bytes back
     * while the next frame header is already there and sends several in
     * one write: fewer writes, and fewer wake-ups of the writer. Must not
     * block. */
    size_t (*stream_buffered)(void *ctx);

    /* Optional (NULL: a wait ends only when its timeout runs out). The
     * master or slave that owns the link installs its watcher once, when it
     * is created: `fn(arg)` (fn NULL: none). From then on every transfer
     * (each get and put variant) calls fn(arg) when it starts and at least
     * every OMV_RPC_LINK_WATCH_MS milliseconds while it waits, and fails
     * with the status fn returns when that is not OMV_RPC_OK. This is how
     * omv_rpc_master_abort and omv_rpc_slave_stop end a wait within about
     * 100 ms, from any thread or a signal handler. fn is called on the
     * transferring thread and does not block. */
    void (*watch)(void *ctx, omv_rpc_link_watch_fn fn, void *arg);
} omv_rpc_link_ops;

/* omv_rpc_link.flags */
/* A byte stream (serial, pipe, TCP): a transfer may be split into smaller
 * get_bytes / put_bytes calls anywhere with the same result on the wire.
 * Leave it unset where each call's size shapes the framing (UDP, CAN, I2C,
 * SPI): the library then makes exactly one call per packet, as OpenMV's
 * code does, so that both sides cut the bytes the same way. */
#define OMV_RPC_LINK_BYTE_STREAM 0x1u
/* Every transfer's timeout_ms bounds its silence, not its whole length:
 * the transfer fails with OMV_RPC_ERR_TIMEOUT once no byte has moved for
 * timeout_ms (each byte that moves starts the wait again). The library
 * then waits for progress: a transfer goes on while bytes keep coming,
 * and a peer that goes silent is given up in about the timeout whatever
 * length it announced. Without it the library passes each transfer its
 * whole allowance (silence plus wire time, see transfer_ms), so a peer
 * that announces a large length and goes silent holds the transfer for
 * that length's wire time. Every link the library ships sets it, and
 * offers `watch` (which, when installed, also bounds the whole transfer
 * to about twice its wire time plus its timeout, so that a peer dripping
 * bytes cannot hold it for ever). */
#define OMV_RPC_LINK_QUIET_TIMEOUTS 0x2u

typedef struct omv_rpc_link {
    const omv_rpc_link_ops *ops; /* the functions; must outlive the link */
    void *ctx;                   /* passed to every function */
    /* Largest stream queue depth this link allows (0 means 255, the
     * protocol's maximum; I2C and SPI use 1). */
    uint32_t stream_queue_depth_max;
    /* Multiplier applied to the protocol's short timeouts (0 means 1).
     * OpenMV scales them by 10 on UDP. */
    uint32_t short_timeout_scale;
    uint32_t flags; /* OMV_RPC_LINK_* */
    /* For a link that is not a byte stream but carries every transfer
     * longer than split_min bytes over one (the network link: TCP above
     * 1400 bytes), and has get_bytes_v / put_bytes_v: the library may cut a
     * large packet into several transfers, each longer than split_min, so
     * that checking it overlaps with moving it. 0: never. */
    uint32_t split_min;
} omv_rpc_link;

/* Close a link that was opened but never handed to a master or slave.
 * Calls ops->close once and clears the struct. Safe on a zeroed struct. */
OMV_RPC_API void omv_rpc_link_close(omv_rpc_link *link);

#ifdef __cplusplus
}
#endif

#endif
