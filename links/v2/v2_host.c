/* OpenMV Protocol V2 host: one command and its reply, with the device's
 * rules (docs/protocol-v2.md): ACK every ACK_REQ packet (fragments too),
 * learn the device's single sequence counter from every packet it sends,
 * NAK a bad payload CRC so that it retransmits at once, resend a command
 * that got no answer with RTX (500 ms, doubled, 3 times, as the device
 * does), follow NAK SEQUENCE and soft reboots, and never wait past the
 * configured silence. */
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/v2.h"
#include "v2_internal.h"

#define V2_DEFAULT_TIMEOUT_MS 3000u
/* The host sends a command again after 1 s of silence: later than the
 * device's own first retransmission (500 ms), so that a lost reply is
 * recovered by the device's copy and the command does not run twice. */
#define V2_RTX_FIRST_MS 1000u
/* After a NAK SEQUENCE, silence this long means no other answer (to an
 * earlier copy of a command) is still on its way. */
#define V2_SEQ_SETTLE_MS 100u
#define V2_RTX_COUNT 3
#define V2_SEQ_RETRIES 3

static uint32_t now_ms(const omv_rpc_v2 *v2)
{
    return v2->link.ops->now_ms(v2->link.ctx);
}

/* Milliseconds left until `deadline` (0 when passed), wrap-safe. */
static uint32_t left_ms(const omv_rpc_v2 *v2, uint32_t deadline)
{
    int32_t d = (int32_t)(deadline - now_ms(v2));
    return d > 0 ? (uint32_t)d : 0u;
}

static void reset_caps(omv_rpc_v2 *v2)
{
    /* The device's default is its own (4082 on USB, what its script asked
     * on a script's transport, e.g. 1400 on UDP): a configured max payload
     * is the host's bound from the start, so that after a reboot or sync
     * no write is cut larger than the device takes. */
    v2->max_payload = v2->config.max_payload ? v2->config.max_payload : OMV_RPC_V2_MAX_PAYLOAD;
    v2->caps_flags =
        OMV_RPC_V2_CAP_CRC | OMV_RPC_V2_CAP_SEQ | OMV_RPC_V2_CAP_ACK | OMV_RPC_V2_CAP_EVENTS;
}

omv_rpc_status omv_rpc_v2_new(omv_rpc_v2 **out, omv_rpc_link *link, const omv_rpc_v2_config *config)
{
    omv_rpc_v2 *v2;
    if (!out || !link || !link->ops || !link->ops->size || !link->ops->recv || !link->ops->send ||
        !link->ops->now_ms || !link->ops->flush) {
        if (link) {
            omv_rpc_link_close(link);
        }
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (config && config->max_payload &&
        (config->max_payload < OMV_RPC_V2_MIN_PAYLOAD ||
         config->max_payload > OMV_RPC_V2_MAX_PAYLOAD)) {
        omv_rpc_link_close(link);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    v2 = calloc(1, sizeof *v2);
    if (!v2) {
        omv_rpc_link_close(link);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    v2->link = *link;
    memset(link, 0, sizeof *link);
    if (config) {
        v2->config = *config;
    }
    if (!v2->config.timeout_ms) {
        v2->config.timeout_ms = V2_DEFAULT_TIMEOUT_MS;
    }
    reset_caps(v2);
    *out = v2;
    return OMV_RPC_OK;
}

void omv_rpc_v2_free(omv_rpc_v2 *v2)
{
    if (!v2) {
        return;
    }
    omv_rpc_link_close(&v2->link);
    free(v2);
}

omv_rpc_v2_device_status omv_rpc_v2_last_device_status(const omv_rpc_v2 *v2)
{
    return v2 ? v2->last_status : OMV_RPC_V2_UNKNOWN;
}

const char *omv_rpc_v2_device_status_name(omv_rpc_v2_device_status status)
{
    static const char *const names[] = {"SUCCESS",  "FAILED",   "INVALID",  "TIMEOUT",  "BUSY",
                                        "CHECKSUM", "SEQUENCE", "OVERFLOW", "FRAGMENT", "UNKNOWN"};
    return (unsigned)status < sizeof names / sizeof names[0] ? names[status] : "UNKNOWN";
}

void omv_rpc_v2_counters_get(const omv_rpc_v2 *v2, omv_rpc_v2_counters *out)
{
    if (v2 && out) {
        *out = v2->counters;
    }
}

static omv_rpc_status send_packet(omv_rpc_v2 *v2, uint8_t seq, uint8_t channel, uint8_t flags,
                                  uint8_t opcode, const uint8_t *payload, size_t len)
{
    omv_rpc_v2_header h = {seq, channel, flags, opcode, (uint16_t)len};
    size_t n = OMV_RPC_V2_HEADER_SIZE;
    omv_rpc_v2_encode_header(&h, 1, v2->tx);
    if (len) {
        memcpy(v2->tx + n, payload, len);
        n += len;
        omvrpc_v2_put32(v2->tx + n, omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, payload, len));
        n += 4;
    }
    return omv_rpc_link_write(&v2->link, v2->tx, n, v2->config.timeout_ms);
}

static omv_rpc_status send_ack(omv_rpc_v2 *v2, const omv_rpc_v2_header *h)
{
    return send_packet(v2, h->seq, h->channel, OMV_RPC_V2_FLAG_ACK, h->opcode, NULL, 0);
}

static omv_rpc_status send_nak(omv_rpc_v2 *v2, const omv_rpc_v2_header *h, uint16_t status)
{
    uint8_t p[2];
    omvrpc_v2_put16(p, status);
    return send_packet(v2, h->seq, h->channel, OMV_RPC_V2_FLAG_NAK, h->opcode, p, sizeof p);
}

/* Drop bytes up to the next possible sync byte after position 0. */
static void rescan(uint8_t *h, size_t *have)
{
    size_t i;
    for (i = 1; i < *have; i++) {
        if (h[i] == 0xAA) {
            break;
        }
    }
    memmove(h, h + i, *have - i);
    *have -= i;
}

/* One packet within `timeout_ms`; its payload lands in v2->rx, or (a part
 * of the reply being collected, v2->in_dst) in the caller's buffer.
 * OMV_RPC_ERR_BAD_PACKET with *h filled: a good header, a bad payload. */
static omv_rpc_status recv_packet(omv_rpc_v2 *v2, omv_rpc_v2_header *h, uint32_t timeout_ms)
{
    uint8_t raw[OMV_RPC_V2_HEADER_SIZE], trailer[4], *to;
    size_t have = 0;
    uint32_t deadline = now_ms(v2) + timeout_ms;
    omv_rpc_status st;
    for (;;) {
        uint32_t left = left_ms(v2, deadline);
        if (!left) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        st = omv_rpc_link_read(&v2->link, raw + have, sizeof raw - have, left);
        if (st != OMV_RPC_OK) {
            return st;
        }
        have = sizeof raw;
        if (raw[0] != 0xAA || raw[1] != 0xD5) {
            rescan(raw, &have);
            continue;
        }
        /* A bad header is dropped silently, one byte at a time, as the
         * device does: a real header may start inside it. */
        if (omv_rpc_v2_decode_header(raw, 1, h) != OMV_RPC_OK ||
            h->length > OMV_RPC_V2_MAX_PAYLOAD) {
            v2->counters.bad_packets++;
            rescan(raw, &have);
            continue;
        }
        v2->in_dst = 0;
        if (!h->length) {
            return OMV_RPC_OK;
        }
        /* A part of the reply being collected goes straight to the caller's
         * buffer (zero-copy); anything else (events, NAKs, strays) to rx. */
        to = v2->rx;
        if (v2->dst && h->opcode == v2->dst_opcode && h->channel == v2->dst_channel &&
            !(h->flags & (OMV_RPC_V2_FLAG_ACK | OMV_RPC_V2_FLAG_NAK | OMV_RPC_V2_FLAG_EVENT)) &&
            h->length <= v2->dst_cap - v2->dst_used) {
            to = v2->dst + v2->dst_used;
            v2->in_dst = 1;
        }
        st = omv_rpc_link_read(&v2->link, to, h->length,
                               left_ms(v2, deadline) + v2->config.timeout_ms);
        if (st == OMV_RPC_OK) {
            st = omv_rpc_link_read(&v2->link, trailer, 4,
                                   left_ms(v2, deadline) + v2->config.timeout_ms);
        }
        if (st != OMV_RPC_OK) {
            v2->in_dst = 0;
            return st;
        }
        if (omvrpc_v2_get32(trailer) != omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, to, h->length)) {
            v2->in_dst = 0;
            v2->counters.bad_packets++;
            return OMV_RPC_ERR_BAD_PACKET;
        }
        return OMV_RPC_OK;
    }
}

static int is_event(const omv_rpc_v2_header *h)
{
    return (h->flags & OMV_RPC_V2_FLAG_EVENT) || h->opcode == OMV_RPC_V2_SYS_EVENT ||
           h->opcode == OMV_RPC_V2_CHANNEL_EVENT;
}

static void handle_event(omv_rpc_v2 *v2, const omv_rpc_v2_header *h)
{
    uint16_t ev = h->length >= 2 ? omvrpc_v2_get16(v2->rx) : (uint16_t)OMV_RPC_V2_EVENT_NONE;
    v2->counters.events++;
    if (h->flags & OMV_RPC_V2_FLAG_ACK_REQ) {
        (void)send_ack(v2, h);
    }
    if (h->opcode == OMV_RPC_V2_SYS_EVENT && h->channel == 0 &&
        ev == OMV_RPC_V2_EVENT_SOFT_REBOOT) {
        /* The device re-runs its protocol init: sequence 0, default caps. */
        v2->seq = 0;
        v2->have_last_rx = 0;
        reset_caps(v2);
        v2->rebooted = 1;
        v2->counters.soft_reboots++;
        v2->counters.resyncs++;
        omvrpc_link_logf(&v2->config.log, OMV_RPC_LOG_INFO, "v2: soft reboot: sequence back to 0");
    }
    if (v2->config.on_event) {
        v2->config.on_event(v2->config.event_user_data, h->opcode, h->channel, ev);
    }
}

/* A data or status packet outside any command's reply, or a copy of one
 * already taken: ACK what asks for it. Returns 1 for a duplicate. */
static int take_device_packet(omv_rpc_v2 *v2, const omv_rpc_v2_header *h)
{
    if ((h->flags & OMV_RPC_V2_FLAG_RTX) && v2->have_last_rx && h->seq == v2->last_rx_seq) {
        v2->counters.retransmits_seen++;
        if (h->flags & OMV_RPC_V2_FLAG_ACK_REQ) {
            (void)send_ack(v2, h);
        }
        return 1;
    }
    v2->seq = (uint8_t)(h->seq + 1u);
    v2->last_rx_seq = h->seq;
    v2->have_last_rx = 1;
    if (h->flags & OMV_RPC_V2_FLAG_ACK_REQ) {
        (void)send_ack(v2, h);
    }
    return 0;
}

/* Take what the device still sends (answers to earlier copies of a
 * command), learning its counter, until it has been quiet a while. */
static void settle(omv_rpc_v2 *v2)
{
    omv_rpc_v2_header h;
    for (int i = 0; i < 16; i++) {
        omv_rpc_status st = recv_packet(v2, &h, V2_SEQ_SETTLE_MS);
        if (st == OMV_RPC_ERR_BAD_PACKET) {
            continue;
        }
        if (st != OMV_RPC_OK) {
            return;
        }
        if (is_event(&h)) {
            handle_event(v2, &h);
        } else {
            (void)take_device_packet(v2, &h);
        }
    }
}

static omv_rpc_status map_nak(uint16_t status)
{
    switch (status) {
    case OMV_RPC_V2_BUSY:
        return OMV_RPC_ERR_BUSY;
    case OMV_RPC_V2_OVERFLOW:
        return OMV_RPC_ERR_TOO_LARGE;
    case OMV_RPC_V2_TIMEOUT:
        return OMV_RPC_ERR_TIMEOUT;
    default:
        return OMV_RPC_ERR_NAK;
    }
}

static omv_rpc_status command(omv_rpc_v2 *v2, uint8_t opcode, uint8_t channel,
                              const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
                              size_t *got)
{
    omv_rpc_v2_header h;
    omv_rpc_status st;
    size_t total = 0;
    int in_reply = 0, too_small = 0, sends = 1, seq_retries = 0;
    uint32_t rtx_wait = V2_RTX_FIRST_MS, next_rtx, deadline;
    uint8_t sent_seq = v2->seq;

    if (got) {
        *got = 0;
    }
    if (len > v2->max_payload) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    v2->rebooted = 0;
    v2->last_status = OMV_RPC_V2_SUCCESS;
    st = send_packet(v2, sent_seq, channel, 0, opcode, payload, len);
    if (st != OMV_RPC_OK) {
        return st;
    }
    next_rtx = now_ms(v2) + rtx_wait;
    deadline = now_ms(v2) + v2->config.timeout_ms;
    for (;;) {
        uint32_t wait = left_ms(v2, deadline);
        if (!wait) {
            omvrpc_link_logf(&v2->config.log, OMV_RPC_LOG_WARNING, "v2: no reply to opcode 0x%02x",
                             opcode);
            return OMV_RPC_ERR_TIMEOUT;
        }
        if (!in_reply && sends <= V2_RTX_COUNT) {
            uint32_t to_rtx = left_ms(v2, next_rtx);
            wait = to_rtx < wait ? to_rtx : wait;
        }
        st = wait ? recv_packet(v2, &h, wait) : OMV_RPC_ERR_TIMEOUT;
        if (st == OMV_RPC_ERR_TIMEOUT) {
            if (!in_reply && sends <= V2_RTX_COUNT && !left_ms(v2, next_rtx)) {
                /* Lost on the way (the device drops a bad header silently):
                 * the same command again, marked as a retransmission. */
                st = send_packet(v2, sent_seq, channel, OMV_RPC_V2_FLAG_RTX, opcode, payload, len);
                if (st != OMV_RPC_OK) {
                    return st;
                }
                sends++;
                rtx_wait *= 2u;
                next_rtx = now_ms(v2) + rtx_wait;
            }
            continue;
        }
        if (st == OMV_RPC_ERR_BAD_PACKET) {
            /* A good header, a bad payload: ask for it again now rather
             * than after the device's 500 ms. */
            if (h.flags & OMV_RPC_V2_FLAG_ACK_REQ) {
                (void)send_nak(v2, &h, OMV_RPC_V2_CHECKSUM);
            }
            deadline = now_ms(v2) + v2->config.timeout_ms;
            continue;
        }
        if (st != OMV_RPC_OK) {
            return st;
        }
        deadline = now_ms(v2) + v2->config.timeout_ms;
        if (is_event(&h)) {
            handle_event(v2, &h);
            if (v2->rebooted) {
                return OMV_RPC_ERR_RESET;
            }
            continue;
        }
        if (take_device_packet(v2, &h)) {
            continue;
        }
        if (h.opcode != opcode || (h.channel != channel && opcode >= OMV_RPC_V2_CHANNEL_LIST)) {
            continue; /* a late answer to an earlier command */
        }
        if (h.flags & OMV_RPC_V2_FLAG_NAK) {
            uint16_t status =
                h.length >= 2 ? omvrpc_v2_get16(v2->rx) : (uint16_t)OMV_RPC_V2_UNKNOWN;
            if ((status == OMV_RPC_V2_SEQUENCE || status == OMV_RPC_V2_CHECKSUM) &&
                seq_retries < V2_SEQ_RETRIES) {
                /* SEQUENCE: our count was off (a lost packet, a missed
                 * reboot), the NAK carried the device's. CHECKSUM: our
                 * payload arrived damaged. Either way: send it again. */
                seq_retries++;
                if (status == OMV_RPC_V2_SEQUENCE) {
                    v2->counters.resyncs++;
                    settle(v2);
                }
                sent_seq = v2->seq;
                st = send_packet(v2, sent_seq, channel, 0, opcode, payload, len);
                if (st != OMV_RPC_OK) {
                    return st;
                }
                sends = 1;
                rtx_wait = V2_RTX_FIRST_MS;
                next_rtx = now_ms(v2) + rtx_wait;
                continue;
            }
            v2->last_status = (omv_rpc_v2_device_status)status;
            omvrpc_link_logf(&v2->config.log, OMV_RPC_LOG_DEBUG,
                             "v2: opcode 0x%02x on channel %u: NAK %s", opcode, channel,
                             omv_rpc_v2_device_status_name(v2->last_status));
            return map_nak(status);
        }
        if ((h.flags & OMV_RPC_V2_FLAG_ACK) && !h.length) {
            return OMV_RPC_OK;
        }
        in_reply = 1;
        if (total + h.length > cap) {
            too_small = 1;
        } else if (h.length) {
            if (!v2->in_dst) {
                memcpy(out + total, v2->rx, h.length);
            }
            total += h.length;
            v2->dst_used = total;
        }
        if (!(h.flags & OMV_RPC_V2_FLAG_FRAGMENT)) {
            if (got) {
                *got = total;
            }
            return too_small ? OMV_RPC_ERR_BUFFER_TOO_SMALL : OMV_RPC_OK;
        }
    }
}

omv_rpc_status omvrpc_v2_command(omv_rpc_v2 *v2, uint8_t opcode, uint8_t channel,
                                 const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
                                 size_t *got)
{
    omv_rpc_status st;
    v2->dst = cap ? out : NULL;
    v2->dst_cap = cap;
    v2->dst_used = 0;
    v2->dst_opcode = opcode;
    v2->dst_channel = channel;
    st = command(v2, opcode, channel, payload, len, out, cap, got);
    v2->dst = NULL;
    v2->in_dst = 0;
    return st;
}

omv_rpc_status omvrpc_v2_send_only(omv_rpc_v2 *v2, uint8_t opcode, uint8_t channel)
{
    return send_packet(v2, v2->seq, channel, 0, opcode, NULL, 0);
}

omv_rpc_status omv_rpc_v2_poll_events(omv_rpc_v2 *v2, uint32_t timeout_ms)
{
    omv_rpc_v2_header h;
    omv_rpc_status st;
    if (!v2) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = recv_packet(v2, &h, timeout_ms);
    if (st == OMV_RPC_ERR_BAD_PACKET) {
        if (h.flags & OMV_RPC_V2_FLAG_ACK_REQ) {
            (void)send_nak(v2, &h, OMV_RPC_V2_CHECKSUM);
        }
        return OMV_RPC_OK;
    }
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (is_event(&h)) {
        handle_event(v2, &h);
    } else {
        (void)take_device_packet(v2, &h);
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_sync(omv_rpc_v2 *v2)
{
    omv_rpc_status st;
    if (!v2) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* SYNC is taken whatever its sequence number and answered with 0. */
    v2->link.ops->flush(v2->link.ctx);
    v2->seq = 0;
    v2->have_last_rx = 0;
    st = omvrpc_v2_command(v2, OMV_RPC_V2_PROTO_SYNC, 0, NULL, 0, NULL, 0, NULL);
    if (st == OMV_RPC_OK) {
        /* The firmware sets its counter to 0 after sending the SYNC's ACK
         * (seq 0) rather than counting it: the next command is 0 too. */
        v2->seq = 0;
        v2->have_last_rx = 0;
        reset_caps(v2);
    }
    return st;
}
