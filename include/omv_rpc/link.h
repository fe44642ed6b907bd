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

/* One piece of a scattered read (recv) or gathered write (send). */
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

/* recv/send `xfer` bits. */
/* The transfer belongs to a stream (stream setup, frames, acks), not to a
 * call: the network link moves it over TCP whatever its size. Other links
 * may ignore it. */
#define OMV_RPC_XFER_STREAM 0x1u

typedef struct omv_rpc_link_ops {
    /* Required: sizeof(omv_rpc_link_ops) as the link was built, so that
     * operations added later (at the end) are seen as absent in an older
     * link's table instead of breaking it. 0 is refused
     * (OMV_RPC_ERR_INVALID_ARG). */
    size_t size;

    /* Required. One transfer: fill the `count` pieces in order (scatter),
     * or send them in order (gather), exactly as one read or write of
     * their total length, within `timeout_ms`, or fail:
     * OMV_RPC_ERR_TIMEOUT when time ran out, OMV_RPC_ERR_CLOSED /
     * OMV_RPC_ERR_LINK on a broken link. The library passes 1 to 3
     * pieces (a packet's magic, payload straight from or to the caller's
     * memory, CRC) and never more than 16; a total of 0 returns OMV_RPC_OK
     * at once. A byte stream may move the pieces one after another; a link
     * whose framing depends on each transfer's size (UDP datagrams, CAN
     * frames, I2C and SPI transactions) treats them as one transfer.
     * `timeout_ms` bounds the whole transfer, or its silence on a link with
     * `watch` (below). `xfer`: OMV_RPC_XFER_* bits. Bytes read before a
     * failure are lost. */
    omv_rpc_status (*recv)(void *ctx, const omv_rpc_in_iov *iov, size_t count, uint32_t timeout_ms,
                           uint32_t xfer);
    omv_rpc_status (*send)(void *ctx, const omv_rpc_out_iov *iov, size_t count, uint32_t timeout_ms,
                           uint32_t xfer);

    /* Required. Drop every byte received and not yet read. Must not block. */
    void (*flush)(void *ctx);

    /* Required. Milliseconds from any fixed point of a monotonic clock
     * (omv_rpc_clock_ms in clock.h fits). Wraps at 2^32; the library only
     * uses differences. */
    uint32_t (*now_ms)(void *ctx);

    /* Optional (NULL: nothing to release). Release the link. */
    void (*close)(void *ctx);

    /* Optional (NULL: the link is fast, 0 ms). Pacing: how many
     * milliseconds `len` bytes need on the wire, one way, including any
     * fixed latency such as a USB-serial adapter's latency timer. The
     * master and slave add this to their waits so that large packets and
     * slow UARTs never time out while data is still in flight. */
    uint32_t (*transfer_ms)(void *ctx, size_t len);

    /* Optional (NULL: nothing known). How many received bytes the link
     * already holds that the next read can take without waiting or a
     * system call (a read-ahead buffer). Where stream traffic is a byte
     * stream, a stream reader then holds its ack bytes back while the next
     * frame header is already there and sends several in one write. Must
     * not block. */
    size_t (*buffered)(void *ctx);

    /* Optional (NULL: a wait ends only when its timeout runs out). A link
     * with `watch` has quiet timeouts: every transfer's timeout_ms bounds
     * its silence, not its whole length (the transfer fails with
     * OMV_RPC_ERR_TIMEOUT once no byte has moved for timeout_ms; each byte
     * that moves starts the wait again), and the library waits for
     * progress: a peer that goes silent is given up in about the timeout
     * whatever length it announced. The master or slave that owns the link
     * installs its watcher once, when it is created: `fn(arg)` (fn NULL:
     * none). From then on every transfer calls fn(arg) when it starts and
     * at least every OMV_RPC_LINK_WATCH_MS milliseconds while it waits,
     * and fails with the status fn returns when that is not OMV_RPC_OK.
     * This is how omv_rpc_master_abort and omv_rpc_slave_stop end a wait
     * within about 100 ms, and how the owner bounds a whole transfer to
     * about twice its wire time plus its timeout (so that a peer dripping
     * bytes cannot hold it for ever). fn is called on the transferring
     * thread and does not block. */
    void (*watch)(void *ctx, omv_rpc_link_watch_fn fn, void *arg);

    /* Optional (NULL: the library waits only in whole milliseconds, in
     * recv). Wait at most `timeout_us` microseconds (under 1000) for
     * received bytes the next recv can take, consuming nothing: 1 when
     * some are there or came, 0 when the time ran out; 1 also on an error
     * (the next recv reports it). A master polling a busy slave (OpenMV's
     * camera drops a request that comes while it is busy) then asks again
     * after a fraction of a millisecond where the round trip is that
     * short. */
    int (*ready_us)(void *ctx, uint32_t timeout_us);
} omv_rpc_link_ops;

/* omv_rpc_link.flags */
/* A byte stream (serial, pipe, TCP): a transfer may be split into smaller
 * transfers anywhere with the same result on the wire. Leave it unset
 * where each transfer's size shapes the framing (UDP, CAN, I2C, SPI): the
 * library then makes exactly one transfer per packet, as OpenMV's code
 * does, so that both sides cut the bytes the same way. */
#define OMV_RPC_LINK_BYTE_STREAM 0x1u
/* Stream traffic (OMV_RPC_XFER_STREAM) is a byte stream although call
 * traffic is not (the network link: streams over TCP): the library then
 * sends a stream frame's header and bytes as one transfer, and batches
 * acks (see `buffered`). Implied by OMV_RPC_LINK_BYTE_STREAM. */
#define OMV_RPC_LINK_STREAM_BYTES 0x4u
/* transfer_ms is only a floor: the link does not know its real pace (a
 * serial port opened with no baud rate may be a USB virtual COM port, or a
 * USB-serial adapter in front of a UART at 9600 baud). The master then
 * measures the pace on the first exchanges, as it does on a link without
 * transfer_ms, and uses whichever figure is slower. */
#define OMV_RPC_LINK_PACE_FLOOR 0x8u

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
     * 1400 bytes): the library may cut a large packet into several
     * transfers, each longer than split_min, so that checking it overlaps
     * with moving it. 0: never. */
    uint32_t split_min;
} omv_rpc_link;

/* One flat read or write on `link` (a call transfer of one piece), for
 * code that drives a link itself (a protocol of its own, a test): the
 * link's recv / send with the timeout as given. Thread-safety: as the
 * link's. */
OMV_RPC_API omv_rpc_status omv_rpc_link_read(const omv_rpc_link *link, uint8_t *buf, size_t len,
                                             uint32_t timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_link_write(const omv_rpc_link *link, const uint8_t *buf,
                                              size_t len, uint32_t timeout_ms);

/* For a byte-stream link (OMV_RPC_LINK_BYTE_STREAM) built on a flat read
 * and write, each moving exactly `len` bytes within `timeout_ms` or
 * failing: its recv / send, which call `get` / `put` on each piece in
 * turn with the whole timeout_ms (a link with `watch` bounds silence,
 * which each piece starts again) and stop at the first failure. E.g.
 *     static omv_rpc_status my_recv(void *ctx, const omv_rpc_in_iov *iov,
 *                                   size_t count, uint32_t timeout_ms,
 *                                   uint32_t xfer)
 *     { (void)xfer; return omv_rpc_link_recv_each(my_read, ctx, iov, count,
 *                                                 timeout_ms); }
 * Not for a link whose framing depends on each transfer's size: it would
 * see a packet as several transfers. Thread-safety: as get's / put's. */
typedef omv_rpc_status (*omv_rpc_link_get_fn)(void *ctx, uint8_t *buf, size_t len,
                                              uint32_t timeout_ms);
typedef omv_rpc_status (*omv_rpc_link_put_fn)(void *ctx, const uint8_t *buf, size_t len,
                                              uint32_t timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_link_recv_each(omv_rpc_link_get_fn get, void *ctx,
                                                  const omv_rpc_in_iov *iov, size_t count,
                                                  uint32_t timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_link_send_each(omv_rpc_link_put_fn put, void *ctx,
                                                  const omv_rpc_out_iov *iov, size_t count,
                                                  uint32_t timeout_ms);

/* Close a link that was opened but never handed to a master or slave.
 * Calls ops->close once and clears the struct. Safe on a zeroed struct. */
OMV_RPC_API void omv_rpc_link_close(omv_rpc_link *link);

#ifdef __cplusplus
}
#endif

#endif
