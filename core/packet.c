/* Packets (docs/protocol.md section 1): magic, payload, CRC; sent and
 * received whole or in pieces with the CRC computed alongside, and the
 * stale packets a byte stream may hold skipped. */
#include <string.h>

#include "transfer.h"

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
        const ep_bound pb = omvrpc_piece_bound(ep, b, n);
        omv_rpc_status st = omvrpc_put_v_bounded(ep, &pb, iov, count, stream);
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
                                     int head_read, uint8_t *payload, size_t len, const ep_bound *b,
                                     int stream)
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
        const ep_bound pb = omvrpc_piece_bound(ep, b, n);
        omv_rpc_status st = omvrpc_get_v_bounded(ep, &pb, iov, count, stream);
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
    const ep_bound b = omvrpc_bound_of(ep, len + 4, timeout_ms);
    if (moves_in_pieces(ep, len, stream)) {
        return send_in_pieces(ep, head, payload, len, &b, stream);
    }
    if (len + 4 <= SMALL_PACKET) {
        uint8_t pkt[SMALL_PACKET];
        return omvrpc_put_bounded(ep, &b, pkt, omvrpc_ep_encode_packet(pkt, magic, payload, len),
                                  stream);
    }
    uint16_t crc = packet_crc(head, payload, len);
    uint8_t tail[2] = {(uint8_t)crc, (uint8_t)(crc >> 8)};
    omv_rpc_out_iov iov[3] = {{head, 2}, {payload, len}, {tail, 2}};
    return omvrpc_put_v_bounded(ep, &b, iov, 3, stream);
}

omv_rpc_status omvrpc_ep_recv_packet(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                     size_t len, uint32_t timeout_ms, int stream)
{
    uint8_t head[2], tail[2];
    omv_rpc_status st;
    const ep_bound b = omvrpc_bound_of(ep, len + 4, timeout_ms);

    if (moves_in_pieces(ep, len, stream)) {
        return recv_in_pieces(ep, magic, head, 0, payload, len, &b, stream);
    }
    if (len + 4 <= SMALL_PACKET) {
        uint8_t pkt[SMALL_PACKET];
        st = omvrpc_get_bounded(ep, &b, pkt, len + 4, stream);
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
        st = omvrpc_get_bounded(ep, &b, head, 2, stream);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if ((uint16_t)(head[0] | (head[1] << 8)) != magic) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        return recv_in_pieces(ep, magic, head, 1, payload, len, &b, stream);
    } else {
        omv_rpc_in_iov iov[3] = {{head, 2}, {payload, len}, {tail, 2}};
        st = omvrpc_get_v_bounded(ep, &b, iov, 3, stream);
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

/* On a link that is not a byte stream each duplicate is a transfer of its
 * own, and the link keeps apart those of another length than the awaited
 * packet; one of the same length would be taken for it: a repeated header
 * ack where the data's ack is awaited (both 4 bytes), a repeated result
 * header where a 4-byte result is (both 8). A valid packet of a stale kind
 * and of that length is skipped and the wait goes on, as on a byte stream:
 * this is what lets a master's poll that crossed the answer to its last
 * one cost nothing on UDP or CAN. */
static omv_rpc_status recv_framed_skipping(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                           size_t len, uint32_t timeout_ms, const ep_stale *stale,
                                           size_t stale_count,
                                           void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic))
{
    const ep_stale *same_len = NULL;
    for (size_t i = 0; i < stale_count && len + 4 <= SMALL_PACKET; i++) {
        if (stale[i].len == len) {
            same_len = &stale[i];
        }
    }
    if (!same_len) {
        return omvrpc_ep_recv_packet(ep, magic, payload, len, timeout_ms, 0);
    }
    const uint32_t start = omvrpc_ep_now(ep);
    for (uint32_t skipped = 0;; skipped++) {
        const uint32_t spent = omvrpc_ep_now(ep) - start;
        if (skipped && spent >= timeout_ms) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        uint8_t packet[SMALL_PACKET];
        const ep_bound b = omvrpc_bound_of(ep, len + 4, timeout_ms - (skipped ? spent : 0u));
        omv_rpc_status st = omvrpc_get_bounded(ep, &b, packet, len + 4, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        const uint16_t got = (uint16_t)(packet[0] | (packet[1] << 8));
        const uint16_t crc = (uint16_t)(packet[2 + len] | (packet[3 + len] << 8));
        if (crc != omv_rpc_crc16(OMV_RPC_CRC16_INIT, packet, 2 + len)) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        if (got == magic) {
            if (len) {
                memcpy(payload, packet + 2, len);
            }
            return OMV_RPC_OK;
        }
        const ep_stale *kind = stale_kind(stale, stale_count, got);
        if (!kind || kind->len != len || skipped >= STALE_SKIP_MAX) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG, "skipped a stale 0x%x packet", (unsigned)got);
        if (on_stale) {
            on_stale(ep, got);
        }
    }
}

omv_rpc_status
omvrpc_ep_recv_packet_skipping(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload, size_t len,
                               uint32_t timeout_ms, const ep_stale *stale, size_t stale_count,
                               size_t hunt, void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic))
{
    return omvrpc_ep_recv_packet_starting(ep, magic, payload, len, timeout_ms, timeout_ms, stale,
                                          stale_count, hunt, on_stale);
}

omv_rpc_status
omvrpc_ep_recv_packet_starting(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload, size_t len,
                               uint32_t timeout_ms, uint32_t first_ms, const ep_stale *stale,
                               size_t stale_count, size_t hunt,
                               void (*on_stale)(omv_rpc_endpoint *ep, uint16_t magic))
{
    if (first_ms > timeout_ms) {
        first_ms = timeout_ms;
    }
    if (!ep->t.byte_stream) {
        return recv_framed_skipping(ep, magic, payload, len, first_ms, stale, stale_count,
                                    on_stale);
    }
    const ep_bound b = omvrpc_bound_of(ep, len + 4, timeout_ms);
    /* The first bytes' allowance, as a share of the same packet's. */
    const ep_bound first = first_ms < timeout_ms ? omvrpc_bound_of(ep, len + 4, first_ms) : b;
    size_t slid = 0;
    for (uint32_t skipped = 0;; skipped++) {
        uint8_t packet[2 + 8 + 2];
        omv_rpc_status st = omvrpc_get_bounded(ep, skipped ? &b : &first, packet, 2, 0);
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
            st = omvrpc_get_bounded(ep, &b, packet + 1, 1, 0);
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
        st = omvrpc_get_bounded(ep, &b, packet + 2, (size_t)kind->len + 2, 0);
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

omv_rpc_status omvrpc_ep_recv_packet_or_late(omv_rpc_endpoint *ep, uint16_t magic, uint8_t *payload,
                                             size_t len, uint32_t timeout_ms, uint16_t late_magic,
                                             uint8_t *late_payload, size_t late_len,
                                             uint32_t late_timeout_ms, int *late)
{
    *late = 0;
    if (!ep->t.byte_stream) {
        return omvrpc_ep_recv_packet(ep, magic, payload, len, timeout_ms, 0);
    }
    uint8_t head[2];
    const ep_bound b = omvrpc_bound_of(ep, len + 4, timeout_ms);
    omv_rpc_status st = omvrpc_get_bounded(ep, &b, head, 2, 0);
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
    const ep_bound late_b = omvrpc_bound_of(ep, late_len + 4, late_timeout_ms);
    *late = 1;
    return recv_in_pieces(ep, late_magic, head, 1, late_payload, late_len, &late_b, 0);
}
