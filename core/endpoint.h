/* What a master and a slave share: the link, limits, buffers, logging and
 * packet I/O. Internal to the core. */
#ifndef OMV_RPC_ENDPOINT_H
#define OMV_RPC_ENDPOINT_H

#include "omv_rpc/rpc.h"
#include "transport.h"

/* Packet magics (docs/protocol.md section 1). */
#define MAGIC_COMMAND_HEADER 0x1209u
#define MAGIC_COMMAND_DATA 0xABD1u
#define MAGIC_RESULT_HEADER 0x9021u
#define MAGIC_RESULT_DATA 0x1DBAu
#define MAGIC_STREAM_SETUP 0xEDF6u
#define MAGIC_STREAM_FRAME 0x542Eu

/* Local timing policy (docs/protocol.md section 2 leaves it to each peer). */
#define SHORT_TIMEOUT_START_MS 10u /* first wait for a small answer */
#define LONG_TIMEOUT_MS 1000u      /* silence allowed before a data packet */
#define STREAM_TIMEOUT_MS 1000u    /* stream setup, headers and acks */
/* Time a peer may take to check a packet of `len` bytes before it answers:
 * its CRC at a pessimistic 10 MB/s (a small microcontroller, or a PC
 * under load or sanitizers). Only a failed attempt ever waits this long. */
#define CHECK_MS(len) ((uint32_t)((len) / 10000u) + 1u)
/* Silence allowed before the first byte of a data packet the peer sends
 * for its check: OpenMV's slave computes a result's CRC before it sends
 * it, but at most LONG_TIMEOUT_MS, so that a peer that announces a huge
 * length and goes silent is given up in about 2 s whatever the length
 * (CHECK_MS reaches 1 s at 10 MB, more than a camera sends). */
#define FIRST_BYTE_CHECK_MS(len) (CHECK_MS(len) < LONG_TIMEOUT_MS ? CHECK_MS(len) : LONG_TIMEOUT_MS)

/* A request to end what the owner is doing, set from any thread or a
 * signal handler (omv_rpc_master_abort, omv_rpc_slave_stop). */
#if defined(__STDC_NO_ATOMICS__)
typedef volatile int ep_flag;
#define EP_FLAG_LOAD(x) (x)
#define EP_FLAG_STORE(x, v) ((x) = (v))
#define EP_FLAG_TAKE(x) ep_flag_take_plain(&(x))
static inline int ep_flag_take_plain(ep_flag *f)
{
    int v = *f;
    *f = 0;
    return v;
}
#else
#include <stdatomic.h>
typedef atomic_int ep_flag;
#define EP_FLAG_LOAD(x) atomic_load(&(x))
#define EP_FLAG_STORE(x, v) atomic_store(&(x), (v))
#define EP_FLAG_TAKE(x) atomic_exchange(&(x), 0)
#endif

/* A growable buffer: caller's (fixed) or owned (grows, bounded). */
typedef struct ep_buffer {
    uint8_t *data;
    size_t size;
    int owned;
} ep_buffer;

typedef struct omv_rpc_endpoint {
    omv_rpc_link link;  /* the user's, owned: closed with the endpoint */
    omvrpc_transport t; /* the same link, resolved (transport.h) */
    uint32_t max_payload;
    omv_rpc_allocator allocator; /* alloc == NULL: none */
    omv_rpc_log log;
    ep_buffer rx;
    ep_buffer tx;
    uint32_t stray_bytes; /* slid over by omvrpc_ep_recv_packet_skipping's hunt */
    /* Cancellation (omvrpc_ep_cancel): what the transfer in progress, or
     * the next one, fails with. A master's request is used up by that
     * failure (one abort ends one call). A slave's stays until cleared and
     * holds only while the slave is busy (ep.busy: in its loop or a
     * stream), so that the link stays usable between loops. */
    ep_flag cancel;
    omv_rpc_status cancel_status;
    int cancel_once;
    int busy;
    /* While the core's own link call runs on a link with quiet timeouts
     * and a watcher: the end of the whole transfer (see link_begin). */
    int capped;
    uint32_t cap;
    int in_caller_storage; /* the handle holding it: the caller's storage */
} omv_rpc_endpoint;

omv_rpc_status omvrpc_ep_init(omv_rpc_endpoint *ep, const omv_rpc_link *link,
                              const omv_rpc_config *config);

/* Make the endpoint cancellable: omvrpc_ep_cancel makes the transfer in
 * progress (or the next) fail with `status`; `once`: the failure uses the
 * request up. Installs the endpoint as the link's watcher when the link
 * has one (link.h), so that a wait ends within OMV_RPC_LINK_WATCH_MS; on
 * other links the core sees the request before each link call. The
 * endpoint must not move afterwards. */
void omvrpc_ep_watch(omv_rpc_endpoint *ep, omv_rpc_status status, int once);
/* Request cancellation; async-signal-safe, any thread. */
void omvrpc_ep_cancel(omv_rpc_endpoint *ep);
void omvrpc_ep_clear_cancel(omv_rpc_endpoint *ep);
/* Whether a request is pending (does not use it up). */
int omvrpc_ep_cancel_pending(omv_rpc_endpoint *ep);
/* OMV_RPC_OK, or the cancellation status (using a `once` request up). */
omv_rpc_status omvrpc_ep_cancelled(omv_rpc_endpoint *ep);

/* Set up a new master or slave in `handle` (memory of its size, not yet
 * initialised) on `link`; returns its endpoint. */
typedef omv_rpc_endpoint *(*omvrpc_ep_setup_fn)(void *handle, const omv_rpc_link *link,
                                                const omv_rpc_config *config);

/* What omv_rpc_master_new/_init and omv_rpc_slave_new/_init share: a
 * handle of `size` bytes in `storage` when given (it must hold `size`
 * bytes; `storage_required`: the _init variants, which never allocate),
 * else allocated with the config's allocator, then `setup`. Takes
 * ownership of `link`: on failure the link is closed and *out (when
 * `out` is given) is NULL. OMV_RPC_ERR_INVALID_ARG for no `out`, no
 * storage where required, storage too small, or a link the transport
 * refuses (transport.h); OMV_RPC_ERR_NO_MEMORY. */
omv_rpc_status omvrpc_ep_create(void **out, int out_given, void *storage, size_t storage_size,
                                int storage_required, size_t size, const omv_rpc_link *link,
                                const omv_rpc_config *config, omvrpc_ep_setup_fn setup);
/* Release the endpoint, then the handle holding it unless it lives in the
 * caller's storage. */
void omvrpc_ep_dispose(omv_rpc_endpoint *ep, void *handle);
void omvrpc_ep_release(omv_rpc_endpoint *ep);

void *omvrpc_ep_alloc(omv_rpc_endpoint *ep, size_t size);
void omvrpc_ep_free(omv_rpc_endpoint *ep, void *ptr);

/* Make `buf` hold at least `size` bytes. OMV_RPC_ERR_TOO_LARGE over the
 * limit or a fixed buffer's size, OMV_RPC_ERR_NO_MEMORY when allocation
 * fails. The contents are not kept. */
omv_rpc_status omvrpc_ep_reserve(omv_rpc_endpoint *ep, ep_buffer *buf, size_t size);

/* Log a line: `fmt` knows %s, %u (unsigned), %x (unsigned, hex), %d (int). */
void omvrpc_ep_logf(omv_rpc_endpoint *ep, omv_rpc_log_level level, const char *fmt, ...);

uint32_t omvrpc_ep_now(omv_rpc_endpoint *ep);
/* Milliseconds left until `deadline` (0 when past). */
uint32_t omvrpc_ep_remaining(omv_rpc_endpoint *ep, uint32_t deadline);
/* One-way wire time of `len` bytes on this link. */
uint32_t omvrpc_ep_transfer_ms(omv_rpc_endpoint *ep, size_t len);
/* The link's short-timeout multiplier (>= 1). */
uint32_t omvrpc_ep_short_scale(omv_rpc_endpoint *ep);
/* a + b, saturating at 0xFFFFFFFF. */
uint32_t omvrpc_sat_add(uint32_t a, uint32_t b);

void omvrpc_ep_flush(omv_rpc_endpoint *ep);

/* magic | payload | crc into `out` (len + 4 bytes); returns len + 4. */
size_t omvrpc_ep_encode_packet(uint8_t *out, uint16_t magic, const uint8_t *payload, size_t len);

/* Send magic | payload | crc as one transfer. */
omv_rpc_status omvrpc_ep_send_packet(omv_rpc_endpoint *ep, uint16_t magic, const uint8_t *payload,
                                     size_t len, uint32_t timeout_ms, int stream);
/* Receive a packet of exactly `len` payload bytes into `payload`; check
 * length, magic and CRC. OMV_RPC_ERR_BAD_PACKET when they do not match. */
omv_rpc_status omvrpc_ep_recv_packet(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                     size_t len, uint32_t timeout_ms, int stream);

/* A packet that may arrive stale: its magic and payload length (<= 8). */
typedef struct ep_stale {
    uint16_t magic;
    uint8_t len;
} ep_stale;

/* omvrpc_ep_recv_packet for call traffic that may find stale packets ahead of the
 * awaited one: on a byte stream, when a retry crossed an answer, complete
 * and valid packets of the kinds in `stale` come first (a duplicate result
 * header, a duplicate header ack, the master's repeated command header or
 * requests). They are skipped, each reported to `on_stale` with its magic (may be NULL),
 * within the one timeout. Up to `hunt` bytes that start no such packet are
 * slid over one by one (0: none). Any other link: omvrpc_ep_recv_packet,
 * except that a transfer holding a valid stale packet as long as the
 * awaited one is skipped in the same way (there a duplicate is a transfer
 * of its own; the link keeps apart those of other lengths). */
omv_rpc_status
omvrpc_ep_recv_packet_skipping(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload, size_t len,
                               uint32_t timeout_ms, const ep_stale *stale, size_t stale_count,
                               size_t hunt, void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic));

/* omvrpc_ep_recv_packet_skipping where the packet's first bytes must come
 * within `first_ms` (at most timeout_ms): a peer that is not answering at
 * all is given up on early, while one that has started keeps the whole
 * timeout. On a link that is not a byte stream the packet is one transfer
 * and gets first_ms. */
omv_rpc_status
omvrpc_ep_recv_packet_starting(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload, size_t len,
                               uint32_t timeout_ms, uint32_t first_ms, const ep_stale *stale,
                               size_t stale_count, size_t hunt,
                               void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic));

/* omvrpc_ep_recv_packet for an answer that may be preceded, on a byte
 * stream, by a packet that was given up on: the peer's late answer to the
 * previous request (`late_magic`, `late_len` payload bytes into
 * late_payload, with late_timeout_ms once it has started), which then
 * stands for the awaited one (*late = 1). Any other link: exactly
 * omvrpc_ep_recv_packet (there a late packet cannot be told from a new
 * one). */
omv_rpc_status omvrpc_ep_recv_packet_or_late(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                             size_t len, uint32_t timeout_ms, uint16_t late_magic,
                                             uint8_t *late_payload, size_t late_len,
                                             uint32_t late_timeout_ms, int *late);

/* Raw transfers (stream != 0: the link's stream variants). `timeout_ms`
 * is the whole allowance, wire time included: on a link with quiet
 * timeouts (link.h) the wait is for progress instead (see quiet_part). */
omv_rpc_status omvrpc_ep_get(omv_rpc_endpoint *ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                             int stream);
omv_rpc_status omvrpc_ep_put(omv_rpc_endpoint *ep, const uint8_t *buf, size_t len,
                             uint32_t timeout_ms, int stream);

/* A gathered write of the pieces (`len` bytes in all) as one transfer,
 * bounded as omvrpc_ep_put. */
omv_rpc_status omvrpc_ep_put_gathered(omv_rpc_endpoint *ep, const omv_rpc_out_iov *iov,
                                      size_t count, size_t len, uint32_t timeout_ms, int stream);

/* Little-endian helpers. */
static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Status classes. A broken link, or the owner's cancellation: nothing
 * to retry either way. */
static inline int is_link_failure(omv_rpc_status st)
{
    return st == OMV_RPC_ERR_CLOSED || st == OMV_RPC_ERR_LINK || st == OMV_RPC_ERR_LINK_DOWN ||
           st == OMV_RPC_ERR_NO_SUCH_PORT || st == OMV_RPC_ERR_ABORTED || st == OMV_RPC_ERR_STOPPED;
}

/* Streams, shared by master and slave front ends. */
omv_rpc_status omvrpc_ep_stream_reader(omv_rpc_endpoint *ep, omv_rpc_stream_read_fn fn,
                                       void *user_data, uint32_t queue_depth,
                                       uint32_t read_timeout_ms);
omv_rpc_status omvrpc_ep_stream_writer(omv_rpc_endpoint *ep, omv_rpc_stream_write_fn fn,
                                       void *user_data, uint32_t write_timeout_ms);

#endif
