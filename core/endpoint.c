/* Buffers, logging and packet I/O shared by master and slave. */
#include <stdarg.h>
#include <string.h>

#include "endpoint.h"

#ifndef OMV_RPC_NO_MALLOC
#include <stdlib.h>
static void *std_alloc(void *user_data, size_t size)
{
    (void)user_data;
    return malloc(size);
}
static void std_free(void *user_data, void *ptr)
{
    (void)user_data;
    free(ptr);
}
#endif

omv_rpc_status omvrpc_ep_init(omv_rpc_endpoint *ep, const omv_rpc_link *link,
                       const omv_rpc_config *config)
{
    memset(ep, 0, sizeof *ep);
    ep->link = *link;
    omv_rpc_status st = omvrpc_transport_resolve(&ep->t, link);
    ep->max_payload = OMV_RPC_DEFAULT_MAX_PAYLOAD;
    if (config) {
        if (config->max_payload) {
            ep->max_payload = config->max_payload;
        }
        if (config->allocator) {
            ep->allocator = *config->allocator;
        }
        ep->log = config->log;
        ep->rx.data = config->buffer;
        ep->rx.size = config->buffer ? config->buffer_size : 0;
        ep->tx.data = config->tx_buffer;
        ep->tx.size = config->tx_buffer ? config->tx_buffer_size : 0;
    }
    ep->rx.owned = ep->rx.data == NULL;
    ep->tx.owned = ep->tx.data == NULL;
#ifndef OMV_RPC_NO_MALLOC
    if (!ep->allocator.alloc) {
        ep->allocator.alloc = std_alloc;
        ep->allocator.free = std_free;
    }
#endif
    return st;
}

void *omvrpc_ep_place(omv_rpc_link *owned, const omv_rpc_link *link, const omv_rpc_config *config,
               void *storage, size_t storage_size, size_t size, int out_given,
               omv_rpc_status *status)
{
    *owned = link ? *link : (omv_rpc_link){0};
    void *handle = NULL;
    *status = OMV_RPC_ERR_INVALID_ARG;
    omvrpc_transport t;
    if (out_given && omvrpc_transport_resolve(&t, owned) == OMV_RPC_OK) {
        if (storage) {
            handle = storage_size >= size ? storage : NULL;
        } else {
            omv_rpc_endpoint probe; /* to reach the configured allocator */
            omvrpc_ep_init(&probe, owned, config);
            handle = omvrpc_ep_alloc(&probe, size);
            *status = OMV_RPC_ERR_NO_MEMORY;
        }
    }
    if (!handle) {
        omv_rpc_link_close(owned);
    }
    return handle;
}

void omvrpc_ep_dispose(omv_rpc_endpoint *ep, void *handle, int in_caller_storage)
{
    omv_rpc_endpoint copy;
    omvrpc_ep_release(ep);
    if (!in_caller_storage) {
        copy = *ep; /* the allocator outlives the handle */
        omvrpc_ep_free(&copy, handle);
    }
}

void *omvrpc_ep_alloc(omv_rpc_endpoint *ep, size_t size)
{
    return ep->allocator.alloc ? ep->allocator.alloc(ep->allocator.user_data, size) : NULL;
}

void omvrpc_ep_free(omv_rpc_endpoint *ep, void *ptr)
{
    if (ptr && ep->allocator.free) {
        ep->allocator.free(ep->allocator.user_data, ptr);
    }
}

static void buffer_release(omv_rpc_endpoint *ep, ep_buffer *buf)
{
    if (buf->owned) {
        omvrpc_ep_free(ep, buf->data);
        buf->data = NULL;
        buf->size = 0;
    }
}

void omvrpc_ep_release(omv_rpc_endpoint *ep)
{
    buffer_release(ep, &ep->rx);
    buffer_release(ep, &ep->tx);
    omv_rpc_link_close(&ep->link);
}

omv_rpc_status omvrpc_ep_reserve(omv_rpc_endpoint *ep, ep_buffer *buf, size_t size)
{
    if (size <= buf->size && buf->data) {
        return OMV_RPC_OK;
    }
    if (!buf->owned) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    /* Packets carry 4 framing bytes on top of the payload limit. */
    if (size > (size_t)ep->max_payload + 4u) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    /* Grow geometrically (bounded by the limit) so a series of slowly
     * growing payloads does not reallocate every time. */
    size_t want = buf->size * 2 > size ? buf->size * 2 : size;
    if (want > (size_t)ep->max_payload + 4u) {
        want = (size_t)ep->max_payload + 4u;
    }
    if (want < 64) {
        want = 64;
    }
    /* Nothing in the old buffer is kept (each payload is read afresh), so
     * release it first: the handle never holds more than its largest
     * payload, not the old buffer and the new one at once. */
    omvrpc_ep_free(ep, buf->data);
    buf->data = NULL;
    buf->size = 0;
    uint8_t *p = (uint8_t *)omvrpc_ep_alloc(ep, want);
    if (!p) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    buf->data = p;
    buf->size = want;
    return OMV_RPC_OK;
}

/* --------------------------------------------------------------- logging */

static size_t append_str(char *out, size_t pos, size_t cap, const char *s)
{
    while (s && *s && pos + 1 < cap) {
        out[pos++] = *s++;
    }
    return pos;
}

static size_t append_num(char *out, size_t pos, size_t cap, unsigned long v, unsigned base)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < sizeof digits);
    while (n && pos + 1 < cap) {
        out[pos++] = digits[--n];
    }
    return pos;
}

void omvrpc_ep_logf(omv_rpc_endpoint *ep, omv_rpc_log_level level, const char *fmt, ...)
{
    if (!ep->log.fn) {
        return;
    }
    /* A tiny formatter: the core must build without a C library's printf. */
    char line[256];
    size_t pos = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && pos + 1 < sizeof line; f++) {
        if (*f != '%' || !f[1]) {
            line[pos++] = *f;
            continue;
        }
        f++;
        switch (*f) {
        case 's':
            pos = append_str(line, pos, sizeof line, va_arg(ap, const char *));
            break;
        case 'u':
            pos = append_num(line, pos, sizeof line, va_arg(ap, unsigned), 10);
            break;
        case 'x':
            pos = append_num(line, pos, sizeof line, va_arg(ap, unsigned), 16);
            break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                pos = append_str(line, pos, sizeof line, "-");
                pos = append_num(line, pos, sizeof line, (unsigned long)(-(long)v), 10);
            } else {
                pos = append_num(line, pos, sizeof line, (unsigned long)v, 10);
            }
            break;
        }
        default:
            line[pos++] = *f;
            break;
        }
    }
    va_end(ap);
    line[pos] = '\0';
    ep->log.fn(ep->log.user_data, level, line);
}

/* ---------------------------------------------------------------- timing */

uint32_t omvrpc_ep_now(omv_rpc_endpoint *ep)
{
    return ep->t.now_ms(ep->t.ctx);
}

uint32_t omvrpc_ep_remaining(omv_rpc_endpoint *ep, uint32_t deadline)
{
    int32_t left = (int32_t)(deadline - omvrpc_ep_now(ep));
    return left > 0 ? (uint32_t)left : 0u;
}

uint32_t omvrpc_ep_transfer_ms(omv_rpc_endpoint *ep, size_t len)
{
    return ep->t.transfer_ms(ep->t.ctx, len);
}

uint32_t omvrpc_ep_short_scale(omv_rpc_endpoint *ep)
{
    return ep->t.short_scale;
}

uint32_t omvrpc_sat_add(uint32_t a, uint32_t b)
{
    return a > 0xFFFFFFFFu - b ? 0xFFFFFFFFu : a + b;
}

/* ------------------------------------------------------------- transfers */

void omvrpc_ep_flush(omv_rpc_endpoint *ep)
{
    ep->t.flush(ep->t.ctx);
}

/* ---------------------------------------------------------- cancellation */

/* The link's watcher (link.h): the owner's cancellation, and the end of
 * the whole transfer while the core's own link call runs. */
static omv_rpc_status ep_watcher(void *arg)
{
    omv_rpc_endpoint *ep = arg;
    omv_rpc_status st = omvrpc_ep_cancelled(ep);
    if (st == OMV_RPC_OK && ep->capped && omvrpc_ep_remaining(ep, ep->cap) == 0) {
        st = OMV_RPC_ERR_TIMEOUT;
    }
    return st;
}

void omvrpc_ep_watch(omv_rpc_endpoint *ep, omv_rpc_status status, int once)
{
    ep->cancel_status = status;
    ep->cancel_once = once;
    EP_FLAG_STORE(ep->cancel, 0);
    void (*watch)(void *, omv_rpc_link_watch_fn, void *) = omvrpc_link_watch_op(&ep->link);
    if (watch) {
        watch(ep->link.ctx, ep_watcher, ep);
    }
}

void omvrpc_ep_cancel(omv_rpc_endpoint *ep)
{
    EP_FLAG_STORE(ep->cancel, 1); /* lock-free: fine in a signal handler */
}

void omvrpc_ep_clear_cancel(omv_rpc_endpoint *ep)
{
    EP_FLAG_STORE(ep->cancel, 0);
}

int omvrpc_ep_cancel_pending(omv_rpc_endpoint *ep)
{
    return EP_FLAG_LOAD(ep->cancel) != 0;
}

omv_rpc_status omvrpc_ep_cancelled(omv_rpc_endpoint *ep)
{
    if (!EP_FLAG_LOAD(ep->cancel) || ep->cancel_status == OMV_RPC_OK ||
        (!ep->cancel_once && !ep->busy)) {
        return OMV_RPC_OK;
    }
    if (ep->cancel_once && !EP_FLAG_TAKE(ep->cancel)) {
        return OMV_RPC_OK; /* used up in the meantime */
    }
    return ep->cancel_status;
}

/* ------------------------------------------------------------- transfers */

/* Packets this small go through a stack buffer in one transfer. */
#define SMALL_PACKET 64u

/* Longest wait handed to a link: deadlines are compared as signed
 * differences of a wrapping 32-bit clock. */
#define TIMEOUT_MAX 0x7FFFFFFFu

/* How one transfer (one or more link calls: the pieces of a packet) is
 * bounded. Callers give its whole allowance, `timeout_ms`: the silence
 * its phase allows plus the wire time of its bytes. A link without quiet
 * timeouts gets what is left of that allowance in each call. On a link
 * with quiet timeouts (link.h) the wait is for progress: each call may be
 * silent for the phase's part of the allowance (the allowance less the
 * wire time; the whole allowance for a small transfer, where the two are
 * one), and the transfer as a whole may take its allowance plus its wire
 * time once more, so that a peer at half the link's pace still gets
 * through while one that announced a large length and went silent is
 * given up in about the phase's timeout. */
typedef struct ep_bound {
    uint32_t quiet_ms; /* silence allowed in one call (quiet links) */
    uint32_t deadline; /* end of the allowance (other links) */
    uint32_t cap;      /* end of the whole transfer (quiet links) */
    int has_cap;       /* the cap is past the silence: a large transfer */
} ep_bound;

static ep_bound bound_of(omv_rpc_endpoint *ep, size_t wire_len, uint32_t timeout_ms)
{
    const uint32_t now = omvrpc_ep_now(ep);
    uint32_t wire = wire_len > SMALL_PACKET ? omvrpc_ep_transfer_ms(ep, wire_len) : 0u;
    ep_bound b;
    if (timeout_ms > TIMEOUT_MAX) {
        timeout_ms = TIMEOUT_MAX;
    }
    b.quiet_ms = timeout_ms > wire ? timeout_ms - wire : timeout_ms;
    b.has_cap = timeout_ms > wire && wire > 0;
    b.deadline = now + timeout_ms;
    wire = omvrpc_sat_add(timeout_ms, wire);
    b.cap = now + (wire > TIMEOUT_MAX ? TIMEOUT_MAX : wire);
    return b;
}

/* Before one link call of a transfer bounded by `b`: the timeout to hand
 * the link, or (returns 0) the owner's cancellation in *st. */
static int link_begin(omv_rpc_endpoint *ep, const ep_bound *b, uint32_t *timeout,
                      omv_rpc_status *st)
{
    *st = omvrpc_ep_cancelled(ep);
    if (*st != OMV_RPC_OK) {
        return 0;
    }
    if (!ep->t.quiet) {
        *timeout = omvrpc_ep_remaining(ep, b->deadline);
        return 1;
    }
    uint32_t left = omvrpc_ep_remaining(ep, b->cap);
    *timeout = left < b->quiet_ms ? left : b->quiet_ms;
    /* The watcher ends a large transfer that drips past its cap; a small
     * one ends by its silence, which is its whole allowance, as the link
     * reports it. */
    ep->cap = b->cap;
    ep->capped = b->has_cap;
    return 1;
}

static omv_rpc_status link_end(omv_rpc_endpoint *ep, omv_rpc_status st)
{
    ep->capped = 0;
    return st;
}

/* One transfer of the pieces, bounded by `b`. */
static omv_rpc_status get_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_in_iov *iov, size_t count, int stream)
{
    uint32_t t;
    omv_rpc_status st;
    if (!link_begin(ep, b, &t, &st)) {
        return st;
    }
    return link_end(ep, ep->t.recv(ep->t.ctx, iov, count, t, stream ? OMV_RPC_XFER_STREAM : 0u));
}

static omv_rpc_status put_v_bounded(omv_rpc_endpoint *ep, const ep_bound *b,
                                    const omv_rpc_out_iov *iov, size_t count, int stream)
{
    uint32_t t;
    omv_rpc_status st;
    if (!link_begin(ep, b, &t, &st)) {
        return st;
    }
    return link_end(ep, ep->t.send(ep->t.ctx, iov, count, t, stream ? OMV_RPC_XFER_STREAM : 0u));
}

static omv_rpc_status get_bounded(omv_rpc_endpoint *ep, const ep_bound *b, uint8_t *buf,
                                  size_t len, int stream)
{
    omv_rpc_in_iov one = {buf, len};
    return get_v_bounded(ep, b, &one, 1, stream);
}

static omv_rpc_status put_bounded(omv_rpc_endpoint *ep, const ep_bound *b, const uint8_t *buf,
                                  size_t len, int stream)
{
    omv_rpc_out_iov one = {buf, len};
    return put_v_bounded(ep, b, &one, 1, stream);
}

omv_rpc_status omvrpc_ep_get(omv_rpc_endpoint *ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                      int stream)
{
    ep_bound b = bound_of(ep, len, timeout_ms);
    return get_bounded(ep, &b, buf, len, stream);
}

omv_rpc_status omvrpc_ep_put(omv_rpc_endpoint *ep, const uint8_t *buf, size_t len, uint32_t timeout_ms,
                      int stream)
{
    ep_bound b = bound_of(ep, len, timeout_ms);
    return put_bounded(ep, &b, buf, len, stream);
}

omv_rpc_status omvrpc_ep_put_gathered(omv_rpc_endpoint *ep, const omv_rpc_out_iov *iov,
                                      size_t count, size_t len, uint32_t timeout_ms, int stream)
{
    ep_bound b = bound_of(ep, len, timeout_ms);
    return put_v_bounded(ep, &b, iov, count, stream);
}

static uint16_t packet_crc(const uint8_t head[2], const uint8_t *payload, size_t len)
{
    return omv_rpc_crc16(omv_rpc_crc16(OMV_RPC_CRC16_INIT, head, 2), payload, len);
}

size_t omvrpc_ep_encode_packet(uint8_t *out, uint16_t magic, const uint8_t *payload, size_t len)
{
    out[0] = (uint8_t)magic;
    out[1] = (uint8_t)(magic >> 8);
    if (len) {
        memcpy(out + 2, payload, len);
    }
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, out, 2 + len);
    out[2 + len] = (uint8_t)crc;
    out[3 + len] = (uint8_t)(crc >> 8);
    return len + 4;
}

/* A large payload moves in pieces with the CRC computed piece by piece:
 * the CRC work overlaps with the link moving the previous piece (the peer,
 * the kernel or a UART), instead of a full pass over the payload before the
 * first byte leaves and another after the last byte arrives. This applies
 * on byte streams, and on links that carry large transfers over a byte
 * stream (omv_rpc_link.split_min: the network link's TCP).
 *
 * A packet goes in about eight pieces (so that the CRC overlaps), each at
 * least PIECE_MIN and at most:
 * - SEND_PIECE_MAX when sending: the CRC pass leaves the piece in the
 *   cache for the link's copy;
 * - RECV_PIECE_MAX when receiving: each piece is one wait on the link, on
 *   TCP one wake-up of the receiving thread (SO_RCVLOWAT), and the sender
 *   pays for waking it. With a wake-up per 64 KiB, 64 MiB over loopback
 *   fell into stretches at a quarter of the raw speed, the sending side
 *   busy waking the receiving one; with pieces of 1 MiB it does not.
 * The two sides cut the payload independently: the link carries bytes. */
#define PIECE_MIN (64u * 1024u)
#define SEND_PIECE_MAX (256u * 1024u)
#define RECV_PIECE_MAX (1024u * 1024u)

static int moves_in_pieces(const omv_rpc_endpoint *ep, size_t len, int stream)
{
    if (len <= PIECE_MIN) {
        return 0;
    }
    if (ep->t.byte_stream) {
        return 1;
    }
    /* Every piece (the last one included, see next_piece) stays longer
     * than split_min, so each travels over the link's byte stream. */
    return !stream && ep->t.split_min && ep->t.split_min < PIECE_MIN / 2;
}

/* The piece size for a payload of `len` bytes: an eighth of it, within
 * PIECE_MIN..max. */
static size_t piece_for(size_t len, size_t max)
{
    size_t n = len / 8;
    return n < PIECE_MIN ? PIECE_MIN : n > max ? max : n;
}

/* The next piece's size, `left` bytes to go: never leave a last piece
 * under half a piece. */
static size_t next_piece(size_t left, size_t piece)
{
    size_t n = left < piece ? left : piece;
    return (left - n > 0 && left - n < piece / 2) ? left : n;
}

/* The bound on one piece of `n` bytes of a transfer bounded by `b`: on a
 * link with quiet timeouts each piece must also be over within the
 * transfer's silence plus twice its own wire time. That is the pace
 * check: a peer that dribbles bytes (a master's repeated 12-byte headers
 * fed into a 64 MiB argument the slave awaits) keeps the silence from
 * running out, but not one piece from running past its time. */
static ep_bound piece_bound(omv_rpc_endpoint *ep, const ep_bound *b, size_t n)
{
    ep_bound pb = *b;
    uint32_t wire = omvrpc_ep_transfer_ms(ep, n);
    uint32_t span = omvrpc_sat_add(b->quiet_ms, omvrpc_sat_add(wire, wire));
    uint32_t cap = omvrpc_ep_now(ep) + (span > TIMEOUT_MAX ? TIMEOUT_MAX : span);
    if (wire > 0 && (int32_t)(cap - b->cap) < 0) {
        pb.cap = cap;
        pb.has_cap = 1;
    }
    return pb;
}

static omv_rpc_status send_in_pieces(omv_rpc_endpoint *ep, const uint8_t head[2],
                                     const uint8_t *payload, size_t len, const ep_bound *b,
                                     int stream)
{
    const size_t piece = piece_for(len, SEND_PIECE_MAX);
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, head, 2);
    uint8_t tail[2];
    for (size_t off = 0; off < len;) {
        size_t n = next_piece(len - off, piece);
        omv_rpc_out_iov iov[3];
        size_t count = 0;
        crc = omv_rpc_crc16(crc, payload + off, n);
        if (off == 0) {
            iov[count++] = (omv_rpc_out_iov){head, 2};
        }
        iov[count++] = (omv_rpc_out_iov){payload + off, n};
        off += n;
        if (off == len) {
            tail[0] = (uint8_t)crc;
            tail[1] = (uint8_t)(crc >> 8);
            iov[count++] = (omv_rpc_out_iov){tail, 2};
        }
        const ep_bound pb = piece_bound(ep, b, n);
        omv_rpc_status st = put_v_bounded(ep, &pb, iov, count, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

/* A packet's payload and CRC in pieces, the CRC computed piece by piece.
 * Its magic `head` travels in the first piece, or (head_read) the caller
 * has read it already: a byte stream's reader that skipped a stale packet
 * before it (omvrpc_ep_recv_packet_skipping). */
static omv_rpc_status recv_in_pieces(omv_rpc_endpoint *ep, uint16_t magic, uint8_t head[2],
                                     int head_read, uint8_t *payload, size_t len,
                                     const ep_bound *b, int stream)
{
    const size_t piece = piece_for(len, RECV_PIECE_MAX);
    uint8_t tail[2];
    uint16_t crc = 0;
    size_t off = 0;
    do {
        size_t n = next_piece(len - off, piece);
        omv_rpc_in_iov iov[3];
        size_t count = 0;
        if (off == 0 && !head_read) {
            iov[count++] = (omv_rpc_in_iov){head, 2};
        }
        if (n) {
            iov[count++] = (omv_rpc_in_iov){payload + off, n};
        }
        if (off + n == len) {
            iov[count++] = (omv_rpc_in_iov){tail, 2};
        }
        const ep_bound pb = piece_bound(ep, b, n);
        omv_rpc_status st = get_v_bounded(ep, &pb, iov, count, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (off == 0) {
            if ((uint16_t)(head[0] | (head[1] << 8)) != magic) {
                return OMV_RPC_ERR_BAD_PACKET; /* no need to wait for the rest */
            }
            crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, head, 2);
        }
        crc = omv_rpc_crc16(crc, payload + off, n);
        off += n;
    } while (off < len);
    return (uint16_t)(tail[0] | (tail[1] << 8)) == crc ? OMV_RPC_OK : OMV_RPC_ERR_BAD_PACKET;
}

omv_rpc_status omvrpc_ep_send_packet(omv_rpc_endpoint *ep, uint16_t magic, const uint8_t *payload,
                              size_t len, uint32_t timeout_ms, int stream)
{
    uint8_t head[2] = {(uint8_t)magic, (uint8_t)(magic >> 8)};
    const ep_bound b = bound_of(ep, len + 4, timeout_ms);
    if (moves_in_pieces(ep, len, stream)) {
        return send_in_pieces(ep, head, payload, len, &b, stream);
    }
    if (len + 4 <= SMALL_PACKET) {
        uint8_t pkt[SMALL_PACKET];
        return put_bounded(ep, &b, pkt, omvrpc_ep_encode_packet(pkt, magic, payload, len), stream);
    }
    uint16_t crc = packet_crc(head, payload, len);
    uint8_t tail[2] = {(uint8_t)crc, (uint8_t)(crc >> 8)};
    omv_rpc_out_iov iov[3] = {{head, 2}, {payload, len}, {tail, 2}};
    return put_v_bounded(ep, &b, iov, 3, stream);
}

omv_rpc_status omvrpc_ep_recv_packet(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload, size_t len,
                              uint32_t timeout_ms, int stream)
{
    uint8_t head[2], tail[2];
    omv_rpc_status st;
    const ep_bound b = bound_of(ep, len + 4, timeout_ms);

    if (moves_in_pieces(ep, len, stream)) {
        return recv_in_pieces(ep, magic, head, 0, payload, len, &b, stream);
    }
    if (len + 4 <= SMALL_PACKET) {
        uint8_t pkt[SMALL_PACKET];
        st = get_bounded(ep, &b, pkt, len + 4, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
        memcpy(head, pkt, 2);
        if (len) {
            memcpy(payload, pkt + 2, len);
        }
        memcpy(tail, pkt + 2 + len, 2);
    } else if (ep->t.byte_stream) {
        /* The magic first: a packet of another kind fails at once, not
         * after waiting for as many bytes as the awaited one has. */
        st = get_bounded(ep, &b, head, 2, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if ((uint16_t)(head[0] | (head[1] << 8)) != magic) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        return recv_in_pieces(ep, magic, head, 1, payload, len, &b, stream);
    } else {
        omv_rpc_in_iov iov[3] = {{head, 2}, {payload, len}, {tail, 2}};
        st = get_v_bounded(ep, &b, iov, 3, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    if ((uint16_t)(head[0] | (head[1] << 8)) != magic) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    if ((uint16_t)(tail[0] | (tail[1] << 8)) != packet_crc(head, payload, len)) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    return OMV_RPC_OK;
}

/* Most stale packets skipped in one wait: a retry leaves one or two; a
 * stream of them means the peer is not answering what we asked. */
#define STALE_SKIP_MAX 16u

static const ep_stale *stale_kind(const ep_stale *stale, size_t count, uint16_t magic)
{
    for (size_t i = 0; i < count; i++) {
        if (stale[i].magic == magic && stale[i].len <= 8) {
            return &stale[i];
        }
    }
    return NULL;
}

omv_rpc_status omvrpc_ep_recv_packet_skipping(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                       size_t len, uint32_t timeout_ms, const ep_stale *stale,
                                       size_t stale_count, size_t hunt,
                                       void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic))
{
    return omvrpc_ep_recv_packet_starting(ep, magic, payload, len, timeout_ms, timeout_ms, stale,
                                          stale_count, hunt, on_stale);
}

omv_rpc_status omvrpc_ep_recv_packet_starting(omv_rpc_endpoint *ep, uint16_t magic,
                                              uint8_t *payload, size_t len, uint32_t timeout_ms,
                                              uint32_t first_ms, const ep_stale *stale,
                                              size_t stale_count, size_t hunt,
                                              void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic))
{
    if (first_ms > timeout_ms) {
        first_ms = timeout_ms;
    }
    if (!ep->t.byte_stream) {
        return omvrpc_ep_recv_packet(ep, magic, payload, len, first_ms, 0);
    }
    const ep_bound b = bound_of(ep, len + 4, timeout_ms);
    /* The first bytes' allowance, as a share of the same packet's. */
    const ep_bound first = first_ms < timeout_ms ? bound_of(ep, len + 4, first_ms) : b;
    size_t slid = 0;
    for (uint32_t skipped = 0;; skipped++) {
        uint8_t packet[2 + 8 + 2];
        omv_rpc_status st = get_bounded(ep, skipped ? &b : &first, packet, 2, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        uint16_t got = (uint16_t)(packet[0] | (packet[1] << 8));
        const ep_stale *kind = stale_kind(stale, stale_count, got);
        /* Hunting: slide over bytes that start no packet (e.g. stream
         * acks the writer left unread) one at a time, instead of failing
         * and flushing in the middle of the packet that follows them. */
        while (got != magic && !kind && slid < hunt) {
            packet[0] = packet[1];
            st = get_bounded(ep, &b, packet + 1, 1, 0);
            if (st != OMV_RPC_OK) {
                return st;
            }
            slid++;
            ep->stray_bytes++;
            got = (uint16_t)(packet[0] | (packet[1] << 8));
            kind = stale_kind(stale, stale_count, got);
        }
        if (got == magic) {
            return recv_in_pieces(ep, magic, packet, 1, payload, len, &b, 0);
        }
        if (!kind || skipped >= STALE_SKIP_MAX) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        st = get_bounded(ep, &b, packet + 2, (size_t)kind->len + 2, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        uint16_t crc = (uint16_t)(packet[2 + kind->len] | (packet[3 + kind->len] << 8));
        if (crc != omv_rpc_crc16(OMV_RPC_CRC16_INIT, packet, 2 + (size_t)kind->len)) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG, "skipped a stale 0x%x packet", (unsigned)got);
        if (on_stale) {
            on_stale(ep, got);
        }
    }
}

omv_rpc_status omvrpc_ep_recv_packet_or_late(omv_rpc_endpoint *ep, uint16_t magic,
                                             uint8_t *payload, size_t len, uint32_t timeout_ms,
                                             uint16_t late_magic, uint8_t *late_payload,
                                             size_t late_len, uint32_t late_timeout_ms,
                                             int *late)
{
    *late = 0;
    if (!ep->t.byte_stream) {
        return omvrpc_ep_recv_packet(ep, magic, payload, len, timeout_ms, 0);
    }
    uint8_t head[2];
    const ep_bound b = bound_of(ep, len + 4, timeout_ms);
    omv_rpc_status st = get_bounded(ep, &b, head, 2, 0);
    if (st != OMV_RPC_OK) {
        return st;
    }
    uint16_t got = (uint16_t)(head[0] | (head[1] << 8));
    if (got == magic) {
        return recv_in_pieces(ep, magic, head, 1, payload, len, &b, 0);
    }
    if (got != late_magic) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    /* The late packet has started: it gets its own allowance. */
    const ep_bound late_b = bound_of(ep, late_len + 4, late_timeout_ms);
    *late = 1;
    return recv_in_pieces(ep, late_magic, head, 1, late_payload, late_len, &late_b, 0);
}
