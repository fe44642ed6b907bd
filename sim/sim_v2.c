/* The V2 virtual camera's protocol engine: packet parsing, the single
 * sequence counter, status and data replies (ACK_REQ, fragments, the ACK
 * wait with retransmissions), events, and the protocol commands. The
 * channels and scripts are in sim_v2_script.c. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

#include "sim_v2_internal.h"

#define SV2_RTX_FIRST_MS 500u
#define SV2_RTX_RETRIES 3
#define SV2_IO_TIMEOUT_MS 1500u /* the firmware's transport timeout */
#define SV2_TICK_MS 10u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t omvrpc_sv2_now(omv_rpc_sim_v2 *dev)
{
    return dev->link->ops->now_ms(dev->link->ctx);
}

omv_rpc_status omv_rpc_sim_v2_new(omv_rpc_sim_v2 **out, omv_rpc_sim *sim,
                                  const omv_rpc_sim_v2_options *options)
{
    omv_rpc_sim_v2 *dev;
    if (!out || !sim) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    dev = calloc(1, sizeof *dev);
    if (!dev) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    dev->sim = sim;
    if (options) {
        dev->opt = *options;
    }
    if (!dev->opt.framesize) {
        dev->opt.framesize = "QVGA";
    }
    if (!dev->opt.jpeg_quality) {
        dev->opt.jpeg_quality = 80;
    }
    if (dev->opt.max_payload && (dev->opt.max_payload < OMV_RPC_V2_MIN_PAYLOAD ||
                                 dev->opt.max_payload > OMV_RPC_V2_MAX_PAYLOAD)) {
        free(dev);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    atomic_init(&dev->stop, false);
    atomic_init(&dev->drop_acks, 0u);
    omvrpc_sv2_protocol_init(dev);
    *out = dev;
    return OMV_RPC_OK;
}

void omv_rpc_sim_v2_free(omv_rpc_sim_v2 *dev)
{
    if (dev) {
        free(dev->frame);
        free(dev);
    }
}

void omv_rpc_sim_v2_stop(omv_rpc_sim_v2 *dev)
{
    if (dev) {
        atomic_store(&dev->stop, true);
    }
}

void omv_rpc_sim_v2_drop_acks(omv_rpc_sim_v2 *dev, unsigned count)
{
    if (dev) {
        atomic_store(&dev->drop_acks, count);
    }
}

void omvrpc_sv2_protocol_init(omv_rpc_sim_v2 *dev)
{
    dev->seq = 0;
    dev->crc = dev->seqchk = dev->ack = dev->events = 1;
    dev->max_payload = dev->opt.max_payload ? dev->opt.max_payload : OMV_RPC_V2_MAX_PAYLOAD;
    dev->have_lock = 0;
    dev->pending_count = 0;
}

static omv_rpc_status put_packet(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *h,
                                 const uint8_t *data)
{
    size_t n = OMV_RPC_V2_HEADER_SIZE;
    omv_rpc_v2_encode_header(h, dev->crc, dev->tx);
    if (h->length) {
        memcpy(dev->tx + n, data, h->length);
        n += h->length;
        /* Without CRC the trailer is still sent, its value undefined. */
        put32(dev->tx + n,
              dev->crc ? omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, data, h->length) : 0u);
        n += 4;
    }
    dev->stats.sent_packets++;
    return omv_rpc_link_write(dev->link, dev->tx, n, SV2_IO_TIMEOUT_MS);
}

/* Read one packet within `wait_ms` (for its first byte). 1: a packet in
 * *p; 0: nothing (or garbage dropped); -1: the link failed. */
static int read_packet(omv_rpc_sim_v2 *dev, sv2_packet *p, uint32_t wait_ms)
{
    uint8_t raw[OMV_RPC_V2_HEADER_SIZE];
    size_t have = 0;
    omv_rpc_status st = omv_rpc_link_read(dev->link, raw, 1, wait_ms);
    if (st == OMV_RPC_ERR_TIMEOUT) {
        return 0;
    }
    if (st != OMV_RPC_OK) {
        return -1;
    }
    have = 1;
    for (;;) {
        size_t i;
        if (have < sizeof raw) {
            st = omv_rpc_link_read(dev->link, raw + have, sizeof raw - have, SV2_IO_TIMEOUT_MS);
            if (st == OMV_RPC_ERR_TIMEOUT) {
                return 0;
            }
            if (st != OMV_RPC_OK) {
                return -1;
            }
            have = sizeof raw;
        }
        if (omv_rpc_v2_decode_header(raw, dev->crc, &p->h) == OMV_RPC_OK) {
            break;
        }
        if (raw[0] == 0xAA && raw[1] == 0xD5) {
            dev->stats.checksum_errors++;
        }
        /* Skip one byte and rescan. */
        for (i = 1; i < have && raw[i] != 0xAA; i++) {
        }
        memmove(raw, raw + i, have - i);
        have -= i;
        if (!have) {
            return 0;
        }
    }
    dev->stats.recv_packets++;
    if (p->h.length > dev->max_payload) {
        /* Drain what we can, then refuse. */
        dev->link->ops->flush(dev->link->ctx);
        omvrpc_sv2_send_status(dev, &p->h, OMV_RPC_V2_OVERFLOW);
        return 0;
    }
    if (p->h.length) {
        uint8_t crc[4];
        st = omv_rpc_link_read(dev->link, p->payload, p->h.length, SV2_IO_TIMEOUT_MS);
        if (st == OMV_RPC_OK) {
            st = omv_rpc_link_read(dev->link, crc, 4, SV2_IO_TIMEOUT_MS);
        }
        if (st == OMV_RPC_ERR_TIMEOUT) {
            dev->stats.transport_errors++;
            return 0;
        }
        if (st != OMV_RPC_OK) {
            return -1;
        }
        if (dev->crc &&
            get32(crc) != omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, p->payload, p->h.length)) {
            dev->stats.checksum_errors++;
            if (!(p->h.flags & (OMV_RPC_V2_FLAG_ACK | OMV_RPC_V2_FLAG_NAK))) {
                omvrpc_sv2_send_status(dev, &p->h, OMV_RPC_V2_CHECKSUM);
            }
            return 0;
        }
    }
    return 1;
}

void omvrpc_sv2_send_status(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd, uint16_t status)
{
    omv_rpc_v2_header h = {dev->seq, cmd->channel, 0, cmd->opcode, 0};
    uint8_t p[2];
    if (status == OMV_RPC_V2_SUCCESS) {
        h.flags = OMV_RPC_V2_FLAG_ACK;
    } else {
        h.flags = OMV_RPC_V2_FLAG_NAK;
        h.length = 2;
        put16(p, status);
    }
    (void)put_packet(dev, &h, p);
    dev->seq++;
}

void omvrpc_sv2_send_event(omv_rpc_sim_v2 *dev, uint8_t opcode, uint8_t channel, int event)
{
    omv_rpc_v2_header h = {dev->seq, channel, OMV_RPC_V2_FLAG_EVENT, opcode, 0};
    uint8_t p[2];
    if (!dev->events) {
        return;
    }
    if (event >= 0) {
        h.length = 2;
        put16(p, (uint16_t)event);
    }
    (void)put_packet(dev, &h, p);
    dev->stats.sent_events++;
}

/* Wait for the ACK of the packet in dev->tx (header `h`), retransmitting
 * it with RTX. 1: ACKed; 0: gave up (protocol reset) or a SYNC came. */
static int wait_ack(omv_rpc_sim_v2 *dev, omv_rpc_v2_header h, const uint8_t *data)
{
    uint32_t timeout = SV2_RTX_FIRST_MS;
    int retries = 0;
    int ignore = 0;
    unsigned drop = atomic_load(&dev->drop_acks);
    if (drop) {
        atomic_store(&dev->drop_acks, drop - 1u);
        ignore = 1;
    }
    for (;;) {
        uint32_t deadline = omvrpc_sv2_now(dev) + timeout;
        int resend = 0;
        while (!resend && (int32_t)(deadline - omvrpc_sv2_now(dev)) > 0 &&
               !atomic_load(&dev->stop)) {
            sv2_packet *p = &dev->in;
            int r = read_packet(dev, p, SV2_TICK_MS);
            if (r < 0) {
                return 0;
            }
            if (!r) {
                continue;
            }
            if (p->h.flags & OMV_RPC_V2_FLAG_ACK) {
                if (p->h.seq == h.seq && !ignore) {
                    return 1;
                }
                continue;
            }
            if (p->h.flags & OMV_RPC_V2_FLAG_NAK) {
                resend = 1; /* a NAK counts as a retry */
                continue;
            }
            if (p->h.opcode == OMV_RPC_V2_PROTO_SYNC) {
                dev->pending[0] = *p;
                dev->pending_count = 1;
                return 0;
            }
            if (dev->pending_count < SV2_PENDING) {
                dev->pending[dev->pending_count++] = *p;
            }
        }
        if (atomic_load(&dev->stop)) {
            return 0;
        }
        if (retries++ == SV2_RTX_RETRIES) {
            omvrpc_sv2_protocol_init(dev);
            return 0;
        }
        ignore = 0;
        timeout *= 2u;
        h.flags |= OMV_RPC_V2_FLAG_RTX;
        dev->stats.retransmits++;
        (void)put_packet(dev, &h, data);
    }
}

void omvrpc_sv2_send_data(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd, const uint8_t *data,
                          size_t len, size_t chunk)
{
    size_t done = 0;
    if (!chunk || chunk > dev->max_payload) {
        chunk = dev->max_payload;
    }
    do {
        size_t n = len - done < chunk ? len - done : chunk;
        omv_rpc_v2_header h = {dev->seq, cmd->channel, 0, cmd->opcode, (uint16_t)n};
        if (dev->ack) {
            h.flags |= OMV_RPC_V2_FLAG_ACK_REQ;
        }
        if (done + n < len) {
            h.flags |= OMV_RPC_V2_FLAG_FRAGMENT;
        }
        if (put_packet(dev, &h, data + done) != OMV_RPC_OK) {
            return;
        }
        if (dev->ack && !wait_ack(dev, h, data + done)) {
            return;
        }
        dev->seq++;
        done += n;
    } while (done < len);
}

static void caps_reply(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd)
{
    uint8_t c[16] = {0};
    put32(c, (uint32_t)(dev->crc | dev->seqchk << 1 | dev->ack << 2 | dev->events << 3));
    put16(c + 4, dev->max_payload);
    omvrpc_sv2_send_data(dev, cmd, c, sizeof c, 0);
}

static void set_caps(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    uint32_t f;
    uint16_t mp;
    if (p->h.length != 16) {
        omvrpc_sv2_send_status(dev, &p->h, OMV_RPC_V2_INVALID);
        return;
    }
    f = get32(p->payload);
    mp = (uint16_t)(p->payload[4] | p->payload[5] << 8);
    if (mp < OMV_RPC_V2_MIN_PAYLOAD || mp > OMV_RPC_V2_MAX_PAYLOAD) {
        omvrpc_sv2_send_status(dev, &p->h, OMV_RPC_V2_INVALID);
        return;
    }
    omvrpc_sv2_send_status(dev, &p->h, OMV_RPC_V2_SUCCESS); /* under the old caps */
    dev->crc = !!(f & 1u);
    dev->seqchk = !!(f & 2u);
    dev->ack = !!(f & 4u);
    dev->events = !!(f & 8u);
    dev->max_payload = mp;
}

/* The firmware's omv_protocol_sys_info_t (76 bytes, packed). */
static void sys_info(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd)
{
    uint8_t r[76] = {0};
    put32(r, 0x411FC271u);     /* a Cortex-M7's CPUID */
    put32(r + 4, 0x00390025u); /* dev_id: the UID words at 8, 4, 0 */
    put32(r + 8, 0x4D4F5653u);
    put32(r + 12, 0x20323431u);
    put32(r + 16, 0x37C5u << 16 | 0x9206u); /* usb_id */
    put32(r + 20, 0x5640u);                 /* chip_id[0]: an OV5640 */
    put32(r + 40, 1u << 4 | 1u << 5);       /* hw_caps[0]: JPEG encoder, DRAM */
    put32(r + 56, 4096u);                   /* frame buffer KB */
    put32(r + 60, 512u);                    /* stream buffer KB */
    omvrpc_sv2_send_data(dev, cmd, r, sizeof r, 0);
}

/* PROTO_VERSION: protocol, bootloader, firmware (3 bytes each), 7 reserved. */
static void version_reply(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd)
{
    static const uint8_t r[16] = {1, 0, 0, 2, 1, 0, 4, 7, 0};
    omvrpc_sv2_send_data(dev, cmd, r, sizeof r, 0);
}

/* SYS_MEMORY as the firmware lays it out: the MicroPython heap, then two
 * unified-allocator pools (the frame buffer's and a small one). The
 * numbers follow what the virtual camera holds: the script text, the
 * stream frame. */
static void memory_reply(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd)
{
    enum { ENTRY = 24, POOLS = 3 };
    static const uint32_t total[POOLS] = {256u * 1024u, 4096u * 1024u, 512u * 1024u};
    uint8_t r[4 + POOLS * ENTRY] = {POOLS};
    uint32_t used[POOLS];
    used[0] = 16u * 1024u + (uint32_t)dev->script_len;
    used[1] = dev->frame ? (uint32_t)dev->frame_len : 0u;
    used[2] = 0;
    if (used[1] > dev->mem_peak) {
        dev->mem_peak = used[1];
    }
    for (int i = 0; i < POOLS; i++) {
        uint8_t *e = r + 4 + i * ENTRY;
        e[0] = i == 0 ? OMV_RPC_V2_MEM_GC : OMV_RPC_V2_MEM_UMA;
        put32(e + 4, total[i]);
        put32(e + 8, used[i]);
        put32(e + 12, total[i] - used[i]);
        put32(e + 20, i == 1 ? dev->mem_peak : 0u); /* persist 0; peak 0 for the heap */
    }
    omvrpc_sv2_send_data(dev, cmd, r, sizeof r, 0);
}

static void process(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    if (h->flags & (OMV_RPC_V2_FLAG_ACK | OMV_RPC_V2_FLAG_NAK)) {
        return; /* a late ACK: nothing waits for it */
    }
    if (h->opcode == OMV_RPC_V2_SYS_EVENT || h->opcode == OMV_RPC_V2_CHANNEL_EVENT) {
        return;
    }
    if (h->opcode == OMV_RPC_V2_PROTO_SYNC) {
        omvrpc_sv2_protocol_init(dev);
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        dev->seq = 0; /* the firmware zeroes its counter after the ACK: the next command is 0 */
        return;
    }
    if (dev->seqchk && h->seq != dev->seq) {
        dev->stats.sequence_errors++;
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SEQUENCE);
        return;
    }
    if (h->opcode <= OMV_RPC_V2_SYS_MEMORY && h->channel != 0) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    switch (h->opcode) {
    case OMV_RPC_V2_PROTO_GET_CAPS:
        caps_reply(dev, h);
        break;
    case OMV_RPC_V2_PROTO_SET_CAPS:
        set_caps(dev, p);
        break;
    case OMV_RPC_V2_PROTO_STATS: {
        uint8_t r[32];
        const uint32_t v[8] = {dev->stats.sent_packets,    dev->stats.recv_packets,
                               dev->stats.checksum_errors, dev->stats.sequence_errors,
                               dev->stats.retransmits,     dev->stats.transport_errors,
                               dev->stats.sent_events,     0};
        for (size_t i = 0; i < 8; i++) {
            put32(r + 4 * i, v[i]);
        }
        omvrpc_sv2_send_data(dev, h, r, sizeof r, 0);
        break;
    }
    case OMV_RPC_V2_SYS_INFO:
        sys_info(dev, h);
        break;
    case OMV_RPC_V2_PROTO_VERSION:
        version_reply(dev, h);
        break;
    case OMV_RPC_V2_SYS_MEMORY:
        memory_reply(dev, h);
        break;
    case OMV_RPC_V2_SYS_RESET:
    case OMV_RPC_V2_SYS_BOOT:
        /* No reply: the camera restarts (here: its script and protocol). */
        omvrpc_sv2_script_stop(dev);
        dev->stream_on = 0;
        omvrpc_sv2_protocol_init(dev);
        break;
    default:
        if (h->opcode >= OMV_RPC_V2_CHANNEL_LIST && h->opcode <= OMV_RPC_V2_CHANNEL_IOCTL) {
            omvrpc_sv2_channel_command(dev, p);
        } else {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        }
    }
}

/* Until the protocol task's next run (the next multiple of task_ms since
 * the start, strictly after now: the run that has just answered does not
 * see a command that comes after its answer), as a command waits on the
 * camera. */
static void task_wait(omv_rpc_sim_v2 *dev)
{
    uint32_t into = (omvrpc_sv2_now(dev) - dev->epoch_ms) % dev->opt.task_ms;
    uint32_t ms = dev->opt.task_ms - into;
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !atomic_load(&dev->stop)) {
    }
#endif
}

omv_rpc_status omv_rpc_sim_v2_serve(omv_rpc_sim_v2 *dev, omv_rpc_link *link)
{
    if (!dev || !link || !link->ops) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    dev->link = link;
    dev->last_notify_ms = omvrpc_sv2_now(dev);
    dev->epoch_ms = omvrpc_sv2_now(dev);
    while (!atomic_load(&dev->stop)) {
        sv2_packet *p = &dev->in;
        int r;
        if (dev->pending_count) {
            /* Commands held during an ACK wait, in order. */
            static const size_t one = sizeof dev->pending[0];
            *p = dev->pending[0];
            memmove(&dev->pending[0], &dev->pending[1], (dev->pending_count - 1u) * one);
            dev->pending_count--;
            r = 1;
        } else {
            r = read_packet(dev, p, SV2_TICK_MS);
            if (r > 0 && dev->opt.task_ms) {
                task_wait(dev);
            }
        }
        if (r < 0) {
            return OMV_RPC_ERR_CLOSED;
        }
        if (r) {
            sv2_packet copy = *p; /* replies may read into dev->in */
            process(dev, &copy);
        }
        omvrpc_sv2_tick(dev);
    }
    return OMV_RPC_ERR_STOPPED;
}
