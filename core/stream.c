/* Credit-flow-controlled streams (docs/protocol.md section 3).
 *
 * The reader announces a queue depth; the writer may have that many frames
 * unacknowledged, and waits for an ack byte once half its credits are
 * spent. Ack bytes follow an 8-bit LFSR so a lost or stale ack is caught.
 * Setup and frame headers are checked strictly: magic AND CRC (OpenMV's
 * code accepts either). */
#include "endpoint.h"

/* When the reader ends a stream, the writer still sends the frames its
 * credits allow (up to half the queue depth) before it stops for an ack.
 * Drop them as they come, until the link has been quiet for a moment, so
 * the next call does not have to wade through megabytes of stale frames. */
#define DRAIN_IDLE_MS 50u

static void drain(omv_rpc_endpoint *ep)
{
    const uint32_t deadline = omvrpc_ep_now(ep) + 2u * STREAM_TIMEOUT_MS;
    const uint32_t idle = omvrpc_sat_add(DRAIN_IDLE_MS, omvrpc_ep_transfer_ms(ep, 64));
    uint8_t byte;
    do {
        omvrpc_ep_flush(ep);
    } while (omvrpc_ep_remaining(ep, deadline) > 0 &&
             omvrpc_ep_get(ep, &byte, 1, idle, 1) == OMV_RPC_OK);
    omvrpc_ep_flush(ep);
}

/* Ack batching (reader): most ack bytes held back at once, and how long
 * the first of them may wait. The writer waits up to STREAM_TIMEOUT_MS for
 * an ack; a few milliseconds of holding are far from that. */
#define ACK_BATCH_MAX 32u
#define ACK_HOLD_MS 5u

/* How many acks may go in one write: 1 (each its own transfer) unless
 * stream traffic is a byte stream and the link can tell what it holds. */
static size_t ack_batch(const omv_rpc_endpoint *ep, uint32_t queue_depth)
{
    size_t n = queue_depth / 4;
    if (!ep->t.batch_acks || n < 2) {
        return 1;
    }
    return n > ACK_BATCH_MAX ? ACK_BATCH_MAX : n;
}

/* Whether the next frame's header has already arrived: then the reader
 * goes on at once, and an ack held back now cannot leave the writer
 * waiting on a reader that waits on it. */
static int next_header_here(omv_rpc_endpoint *ep)
{
    return ep->t.buffered(ep->t.ctx) >= 8;
}

omv_rpc_status omvrpc_ep_stream_reader(omv_rpc_endpoint *ep, omv_rpc_stream_read_fn fn,
                                       void *user_data, uint32_t queue_depth,
                                       uint32_t read_timeout_ms)
{
    if (!fn) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    uint32_t max = ep->t.queue_depth_max;
    if (queue_depth < 1) {
        queue_depth = 1;
    }
    if (queue_depth > max) {
        queue_depth = max;
    }
    uint8_t setup[4], header[4];
    put_le32(setup, queue_depth);
    omv_rpc_status st =
        omvrpc_ep_send_packet(ep, MAGIC_STREAM_SETUP, setup, 4,
                              omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, 8)), 1);
    if (st != OMV_RPC_OK) {
        return st;
    }
    uint8_t ack = 0xFF;
    /* Ack bytes held back while the next frame is already arriving (see
     * next_header_here), sent together: at most a quarter of the queue,
     * so the writer, which waits for acks once half its credits are spent,
     * never runs dry because of them. */
    uint8_t acks[ACK_BATCH_MAX];
    size_t held = 0;
    uint32_t held_since = 0;
    const size_t batch = ack_batch(ep, queue_depth);
    for (;;) {
        st = omvrpc_ep_recv_packet(ep, MAGIC_STREAM_FRAME, header, 4,
                                   omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, 8)),
                                   1);
        if (st != OMV_RPC_OK) {
            if (st == OMV_RPC_ERR_BAD_PACKET) {
                omvrpc_ep_logf(ep, OMV_RPC_LOG_WARNING, "stream reader: bad frame header");
            }
            return st;
        }
        uint32_t len = get_le32(header);
        st = len > ep->max_payload ? OMV_RPC_ERR_TOO_LARGE
                                   : omvrpc_ep_reserve(ep, &ep->rx, len ? len : 1);
        if (st != OMV_RPC_OK) {
            omvrpc_ep_logf(ep, OMV_RPC_LOG_WARNING,
                           "stream reader: no room for a %u-byte frame (%s)", len,
                           omv_rpc_status_name(st));
            return st;
        }
        st = omvrpc_ep_get(ep, ep->rx.data, len,
                           omvrpc_sat_add(read_timeout_ms, omvrpc_ep_transfer_ms(ep, len)), 1);
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (fn(user_data, ep->rx.data, len)) {
            /* At depth 1 the writer waits for this frame's ack and has
             * nothing more in flight; on I2C and SPI (depth 1) a read
             * would also only clock out idle bytes. */
            if (queue_depth > 1) {
                drain(ep);
            }
            return OMV_RPC_OK;
        }
        if (held == 0) {
            held_since = omvrpc_ep_now(ep);
        }
        acks[held++] = ack;
        ack = omv_rpc_lfsr_next(ack);
        if (held >= batch || !next_header_here(ep) ||
            (uint32_t)(omvrpc_ep_now(ep) - held_since) >= ACK_HOLD_MS) {
            st = omvrpc_ep_put(ep, acks, held,
                               omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, held)),
                               1);
            if (st != OMV_RPC_OK) {
                return st;
            }
            held = 0;
        }
    }
}

/* Send a frame: its header packet, then its bytes. Where stream traffic
 * is a byte stream the two go as one gathered write (one system call per
 * frame instead of two on a socket or a tty); elsewhere (UDP, CAN, I2C,
 * SPI) as two transfers, since there each transfer's size is framing the
 * reader relies on. */
static omv_rpc_status send_frame(omv_rpc_endpoint *ep, const uint8_t *frame, size_t len,
                                 uint32_t write_timeout_ms)
{
    const uint32_t header_ms = omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, 8));
    const uint32_t frame_ms = omvrpc_sat_add(write_timeout_ms, omvrpc_ep_transfer_ms(ep, len));
    uint8_t size[4];
    put_le32(size, (uint32_t)len);
    if (!ep->t.stream_bytes || len == 0) {
        omv_rpc_status st = omvrpc_ep_send_packet(ep, MAGIC_STREAM_FRAME, size, 4, header_ms, 1);
        if (st == OMV_RPC_OK && len) {
            st = omvrpc_ep_put(ep, frame, len, frame_ms, 1);
        }
        return st;
    }
    uint8_t header[8];
    omv_rpc_out_iov iov[2] = {
        {header, omvrpc_ep_encode_packet(header, MAGIC_STREAM_FRAME, size, 4)},
        {frame, len}};
    return omvrpc_ep_put_gathered(ep, iov, 2, iov[0].len + len, omvrpc_sat_add(header_ms, frame_ms),
                                  1);
}

omv_rpc_status omvrpc_ep_stream_writer(omv_rpc_endpoint *ep, omv_rpc_stream_write_fn fn,
                                       void *user_data, uint32_t write_timeout_ms)
{
    if (!fn) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    uint8_t setup[4];
    omv_rpc_status st =
        omvrpc_ep_recv_packet(ep, MAGIC_STREAM_SETUP, setup, 4,
                              omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, 8)), 1);
    if (st != OMV_RPC_OK) {
        return st;
    }
    uint32_t queue_depth = get_le32(setup);
    uint32_t max = ep->t.queue_depth_max;
    if (queue_depth < 1) {
        queue_depth = 1;
    }
    if (queue_depth > max) {
        queue_depth = max;
    }
    uint32_t credits = queue_depth;
    uint8_t expected = 0xFF;
    for (;;) {
        if (credits <= queue_depth / 2) {
            uint8_t ack;
            /* A frame may still be on the wire before its ack comes back. */
            st = omvrpc_ep_get(ep, &ack, 1,
                               omvrpc_sat_add(STREAM_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, 1)), 1);
            if (st != OMV_RPC_OK) {
                return st;
            }
            if (ack != expected) {
                /* How a reader ends a stream: it stops acking, and the
                 * next bytes (its next call) are not the ack due. */
                omvrpc_ep_logf(
                    ep, OMV_RPC_LOG_DEBUG,
                    "stream writer: the reader ended the stream (0x%x where ack 0x%x was due)", ack,
                    expected);
                return OMV_RPC_ERR_STREAM_ENDED;
            }
            expected = omv_rpc_lfsr_next(expected);
            credits++;
        }
        if (credits > 0) {
            const uint8_t *frame = NULL;
            size_t len = 0;
            if (fn(user_data, &frame, &len)) {
                return OMV_RPC_OK;
            }
            if (len > ep->max_payload) {
                return OMV_RPC_ERR_TOO_LARGE;
            }
            if (!frame && len) {
                return OMV_RPC_ERR_INVALID_ARG;
            }
            st = send_frame(ep, frame, len, write_timeout_ms);
            if (st != OMV_RPC_OK) {
                return st;
            }
            credits--;
        }
    }
}
