/* OpenMV Protocol V2 host: the commands, their payloads and replies. */
#include <string.h>

#include "omv_rpc/serial.h"
#include "omv_rpc/v2.h"
#include "v2_internal.h"

#define V2_CAPS_SIZE 16u
#define V2_STATS_SIZE 32u
#define V2_SYS_INFO_MIN 76u
#define V2_VERSION_SIZE 16u
#define V2_CHANNEL_ENTRY 16u
#define V2_MAX_CHANNELS 32u

omv_rpc_status omv_rpc_v2_open_serial(omv_rpc_v2 **out, const char *port, uint32_t baudrate,
                                      const omv_rpc_v2_config *config)
{
    omv_rpc_link link;
    omv_rpc_status st;
    if (!out) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omv_rpc_serial_open(&link, port, baudrate ? baudrate : OMV_RPC_V2_USB_BAUD,
                             config ? &config->log : NULL);
    if (st != OMV_RPC_OK) {
        return st;
    }
    return omv_rpc_v2_new(out, &link, config);
}

omv_rpc_status omv_rpc_v2_get_caps(omv_rpc_v2 *v2, omv_rpc_v2_caps *caps)
{
    uint8_t r[V2_CAPS_SIZE];
    size_t got;
    omv_rpc_status st;
    if (!v2 || !caps) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_PROTO_GET_CAPS, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (got < 6) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    caps->flags = omvrpc_v2_get32(r);
    caps->max_payload = omvrpc_v2_get16(r + 4);
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_set_caps(omv_rpc_v2 *v2, const omv_rpc_v2_caps *caps)
{
    uint8_t p[V2_CAPS_SIZE] = {0}, r[V2_CAPS_SIZE];
    size_t got;
    omv_rpc_status st;
    if (!v2 || !caps || caps->max_payload < OMV_RPC_V2_MIN_PAYLOAD ||
        caps->max_payload > OMV_RPC_V2_MAX_PAYLOAD || !(caps->flags & OMV_RPC_V2_CAP_CRC)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omvrpc_v2_put32(p, caps->flags & 0xFu);
    omvrpc_v2_put16(p + 4, caps->max_payload);
    /* Answered under the old caps, applied after. */
    st = omvrpc_v2_command(v2, OMV_RPC_V2_PROTO_SET_CAPS, 0, p, sizeof p, r, sizeof r, &got);
    if (st == OMV_RPC_OK) {
        v2->caps_flags = caps->flags & 0xFu;
        v2->max_payload = caps->max_payload;
    }
    return st;
}

/* SYNC (the host's, v2_host.c), then the configured payload size: here,
 * beside SET_CAPS, so that the host's machinery calls no command. */
omv_rpc_status omv_rpc_v2_connect(omv_rpc_v2 *v2)
{
    omv_rpc_status st = omv_rpc_v2_sync(v2);
    if (st == OMV_RPC_OK && v2->config.max_payload) {
        omv_rpc_v2_caps caps = {v2->caps_flags, v2->config.max_payload};
        st = omv_rpc_v2_set_caps(v2, &caps);
    }
    return st;
}

omv_rpc_status omv_rpc_v2_get_stats(omv_rpc_v2 *v2, omv_rpc_v2_stats *s)
{
    uint8_t r[V2_STATS_SIZE];
    size_t got;
    omv_rpc_status st;
    uint32_t *f[8];
    if (!v2 || !s) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_PROTO_STATS, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (got < V2_STATS_SIZE) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    f[0] = &s->sent_packets;
    f[1] = &s->recv_packets;
    f[2] = &s->checksum_errors;
    f[3] = &s->sequence_errors;
    f[4] = &s->retransmits;
    f[5] = &s->transport_errors;
    f[6] = &s->sent_events;
    f[7] = &s->reserved;
    for (size_t i = 0; i < 8; i++) {
        *f[i] = omvrpc_v2_get32(r + 4 * i);
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_get_version(omv_rpc_v2 *v2, uint8_t firmware[3], uint8_t protocol[3],
                                      uint8_t bootloader[3])
{
    uint8_t r[V2_VERSION_SIZE];
    size_t got;
    omv_rpc_status st;
    if (!v2) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_PROTO_VERSION, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (got < 9) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    /* protocol[3], bootloader[3], firmware[3], 7 reserved */
    if (protocol) {
        memcpy(protocol, r, 3);
    }
    if (bootloader) {
        memcpy(bootloader, r + 3, 3);
    }
    if (firmware) {
        memcpy(firmware, r + 6, 3);
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_get_sys_info(omv_rpc_v2 *v2, omv_rpc_v2_sys_info *info)
{
    uint8_t r[128];
    size_t got;
    omv_rpc_status st;
    if (!v2 || !info) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_SYS_INFO, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (got < V2_SYS_INFO_MIN) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    /* The firmware's omv_protocol_sys_info_t, packed. */
    memset(info, 0, sizeof *info);
    info->cpu_id = omvrpc_v2_get32(r);
    for (size_t i = 0; i < 3; i++) {
        info->dev_id[i] = omvrpc_v2_get32(r + 4 + 4 * i);
        info->chip_id[i] = omvrpc_v2_get32(r + 20 + 4 * i);
    }
    info->usb_id = omvrpc_v2_get32(r + 16);
    info->hw_caps[0] = omvrpc_v2_get32(r + 40);
    info->hw_caps[1] = omvrpc_v2_get32(r + 44);
    info->flash_kb = omvrpc_v2_get32(r + 48);
    info->ram_kb = omvrpc_v2_get32(r + 52);
    info->framebuffer_kb = omvrpc_v2_get32(r + 56);
    info->stream_buffer_kb = omvrpc_v2_get32(r + 60);
    /* The versions have their own command. A camera that refuses it
     * still gives its information. */
    st = omv_rpc_v2_get_version(v2, info->firmware_version, info->protocol_version,
                                info->bootloader_version);
    return st == OMV_RPC_ERR_NAK ? OMV_RPC_OK : st;
}

omv_rpc_status omv_rpc_v2_reset(omv_rpc_v2 *v2)
{
    return v2 ? omvrpc_v2_send_only(v2, OMV_RPC_V2_SYS_RESET, 0) : OMV_RPC_ERR_INVALID_ARG;
}

omv_rpc_status omv_rpc_v2_boot(omv_rpc_v2 *v2)
{
    return v2 ? omvrpc_v2_send_only(v2, OMV_RPC_V2_SYS_BOOT, 0) : OMV_RPC_ERR_INVALID_ARG;
}

omv_rpc_status omv_rpc_v2_channel_list(omv_rpc_v2 *v2, omv_rpc_v2_channel *out, size_t max,
                                       size_t *count)
{
    uint8_t r[V2_MAX_CHANNELS * V2_CHANNEL_ENTRY];
    size_t got, n;
    omv_rpc_status st;
    if (!v2 || !count || (max && !out)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_LIST, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    n = got / V2_CHANNEL_ENTRY;
    *count = n;
    for (size_t i = 0; i < n && i < max; i++) {
        const uint8_t *e = r + i * V2_CHANNEL_ENTRY;
        out[i].id = e[0];
        out[i].flags = e[1];
        memcpy(out[i].name, e + 2, 14);
        out[i].name[14] = '\0';
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_channel_find(omv_rpc_v2 *v2, const char *name, uint8_t *id)
{
    omv_rpc_v2_channel list[V2_MAX_CHANNELS];
    size_t n;
    omv_rpc_status st;
    if (!v2 || !name || !id) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omv_rpc_v2_channel_list(v2, list, V2_MAX_CHANNELS, &n);
    if (st != OMV_RPC_OK) {
        return st;
    }
    for (size_t i = 0; i < n && i < V2_MAX_CHANNELS; i++) {
        if (strcmp(list[i].name, name) == 0) {
            *id = list[i].id;
            return OMV_RPC_OK;
        }
    }
    return OMV_RPC_ERR_NO_DEVICE;
}

static omv_rpc_status u32_reply(omv_rpc_v2 *v2, uint8_t opcode, uint8_t id, uint32_t *value)
{
    uint8_t r[4];
    size_t got;
    omv_rpc_status st;
    if (!v2 || !value) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, opcode, id, NULL, 0, r, sizeof r, &got);
    if (st == OMV_RPC_OK) {
        if (got < 4) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        *value = omvrpc_v2_get32(r);
    }
    return st;
}

omv_rpc_status omv_rpc_v2_channel_poll(omv_rpc_v2 *v2, uint32_t *bitmap)
{
    return u32_reply(v2, OMV_RPC_V2_CHANNEL_POLL, 0, bitmap);
}

omv_rpc_status omv_rpc_v2_channel_size(omv_rpc_v2 *v2, uint8_t id, uint32_t *size)
{
    return u32_reply(v2, OMV_RPC_V2_CHANNEL_SIZE, id, size);
}

omv_rpc_status omv_rpc_v2_channel_lock(omv_rpc_v2 *v2, uint8_t id)
{
    if (!v2) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_LOCK, id, NULL, 0, NULL, 0, NULL);
}

omv_rpc_status omv_rpc_v2_channel_unlock(omv_rpc_v2 *v2, uint8_t id)
{
    if (!v2) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_UNLOCK, id, NULL, 0, NULL, 0, NULL);
}

omv_rpc_status omv_rpc_v2_channel_shape(omv_rpc_v2 *v2, uint8_t id, uint32_t dims[4], size_t *count)
{
    uint8_t r[16];
    size_t got;
    omv_rpc_status st;
    if (!v2 || !dims || !count) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_SHAPE, id, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    *count = got / 4;
    for (size_t i = 0; i < *count; i++) {
        dims[i] = omvrpc_v2_get32(r + 4 * i);
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_channel_read(omv_rpc_v2 *v2, uint8_t id, uint32_t offset, uint8_t *buf,
                                       size_t len, size_t *got)
{
    uint8_t p[8];
    if (!v2 || !buf || !len || len > UINT32_MAX) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omvrpc_v2_put32(p, offset);
    omvrpc_v2_put32(p + 4, (uint32_t)len);
    return omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_READ, id, p, sizeof p, buf, len, got);
}

omv_rpc_status omv_rpc_v2_channel_write(omv_rpc_v2 *v2, uint8_t id, uint32_t offset,
                                        const uint8_t *data, size_t len)
{
    size_t done = 0;
    if (!v2 || (len && !data) || len > UINT32_MAX) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* The device never reassembles host packets: one write per packet. */
    do {
        size_t chunk = len - done;
        size_t room = (size_t)v2->max_payload - 8u;
        omv_rpc_status st;
        if (chunk > room) {
            chunk = room;
        }
        omvrpc_v2_put32(v2->wbuf, offset + (uint32_t)done);
        omvrpc_v2_put32(v2->wbuf + 4, (uint32_t)chunk);
        if (chunk) {
            memcpy(v2->wbuf + 8, data + done, chunk);
        }
        st = omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_WRITE, id, v2->wbuf, chunk + 8u, NULL, 0,
                               NULL);
        if (st != OMV_RPC_OK) {
            return st;
        }
        done += chunk;
    } while (done < len);
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_channel_ioctl(omv_rpc_v2 *v2, uint8_t id, uint32_t request,
                                        const uint8_t *arg, size_t arg_len)
{
    uint8_t p[64];
    if (!v2 || (arg_len && !arg) || arg_len > sizeof p - 4) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omvrpc_v2_put32(p, request);
    if (arg_len) {
        memcpy(p + 4, arg, arg_len);
    }
    return omvrpc_v2_command(v2, OMV_RPC_V2_CHANNEL_IOCTL, id, p, 4 + arg_len, NULL, 0, NULL);
}

omv_rpc_status omv_rpc_v2_stdin_reset(omv_rpc_v2 *v2)
{
    return omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STDIN, OMV_RPC_V2_IOCTL_STDIN_RESET, NULL,
                                    0);
}

omv_rpc_status omv_rpc_v2_script_exec(omv_rpc_v2 *v2, const char *script, size_t len)
{
    omv_rpc_status st;
    if (!v2 || !script || !len) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* A write at offset 0 restarts the script buffer. */
    st = omv_rpc_v2_channel_write(v2, OMV_RPC_V2_CHAN_STDIN, 0, (const uint8_t *)script, len);
    if (st != OMV_RPC_OK) {
        return st;
    }
    return omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STDIN, OMV_RPC_V2_IOCTL_STDIN_EXEC, NULL,
                                    0);
}

omv_rpc_status omv_rpc_v2_script_stop(omv_rpc_v2 *v2)
{
    return omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STDIN, OMV_RPC_V2_IOCTL_STDIN_STOP, NULL,
                                    0);
}

omv_rpc_status omv_rpc_v2_stdout_read(omv_rpc_v2 *v2, uint8_t *buf, size_t cap, size_t *got)
{
    uint32_t size;
    omv_rpc_status st;
    if (!v2 || !buf || !cap || !got) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *got = 0;
    st = omv_rpc_v2_channel_size(v2, OMV_RPC_V2_CHAN_STDOUT, &size);
    if (st != OMV_RPC_OK || !size) {
        return st;
    }
    return omv_rpc_v2_channel_read(v2, OMV_RPC_V2_CHAN_STDOUT, 0, buf, size < cap ? size : cap,
                                   got);
}

omv_rpc_status omv_rpc_v2_stream_enable(omv_rpc_v2 *v2, int enable)
{
    uint8_t a[4];
    omvrpc_v2_put32(a, enable ? 1u : 0u);
    return omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STREAM, OMV_RPC_V2_IOCTL_STREAM_CTRL, a, 4);
}

omv_rpc_status omv_rpc_v2_stream_raw(omv_rpc_v2 *v2, int enable, uint32_t width, uint32_t height)
{
    uint8_t a[8];
    omv_rpc_status st;
    if (enable) {
        omvrpc_v2_put32(a, width);
        omvrpc_v2_put32(a + 4, height);
        st = omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STREAM, OMV_RPC_V2_IOCTL_STREAM_RAW_CFG,
                                      a, 8);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    omvrpc_v2_put32(a, enable ? 1u : 0u);
    return omv_rpc_v2_channel_ioctl(v2, OMV_RPC_V2_CHAN_STREAM, OMV_RPC_V2_IOCTL_STREAM_RAW_CTRL, a,
                                    4);
}

omv_rpc_status omv_rpc_v2_stream_read(omv_rpc_v2 *v2, omv_rpc_v2_frame *frame, uint8_t *buf,
                                      size_t cap)
{
    uint8_t hdr[OMV_RPC_V2_FRAME_HEADER_SIZE];
    uint32_t size;
    size_t got;
    omv_rpc_status st, st2;
    if (!v2 || !frame || !buf) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omv_rpc_v2_channel_size(v2, OMV_RPC_V2_CHAN_STREAM, &size);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (size <= OMV_RPC_V2_FRAME_HEADER_SIZE) {
        return OMV_RPC_ERR_NOT_READY;
    }
    st = omv_rpc_v2_channel_lock(v2, OMV_RPC_V2_CHAN_STREAM);
    if (st == OMV_RPC_ERR_BUSY || st == OMV_RPC_ERR_NAK) {
        return OMV_RPC_ERR_NOT_READY;
    }
    if (st != OMV_RPC_OK) {
        return st;
    }
    /* Locked: the size cannot change now; read it again for this frame. */
    st = omv_rpc_v2_channel_size(v2, OMV_RPC_V2_CHAN_STREAM, &size);
    if (st == OMV_RPC_OK && size <= OMV_RPC_V2_FRAME_HEADER_SIZE) {
        st = OMV_RPC_ERR_NOT_READY;
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_channel_read(v2, OMV_RPC_V2_CHAN_STREAM, 0, hdr, sizeof hdr, &got);
        if (st == OMV_RPC_OK && got != sizeof hdr) {
            st = OMV_RPC_ERR_BAD_PACKET;
        }
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_frame_decode(hdr, frame);
    }
    if (st == OMV_RPC_OK && frame->offset >= size) {
        st = OMV_RPC_ERR_BAD_PACKET;
    }
    if (st == OMV_RPC_OK) {
        size_t n = size - frame->offset;
        if (n > cap) {
            st = OMV_RPC_ERR_BUFFER_TOO_SMALL;
            frame->data_len = n;
        } else {
            st = omv_rpc_v2_channel_read(v2, OMV_RPC_V2_CHAN_STREAM, frame->offset, buf, n, &got);
            frame->data_len = got;
            if (st == OMV_RPC_OK && got != n) {
                st = OMV_RPC_ERR_BAD_PACKET;
            }
        }
    }
    if (st == OMV_RPC_ERR_RESET) {
        return st; /* the device unlocked everything itself */
    }
    st2 = omv_rpc_v2_channel_unlock(v2, OMV_RPC_V2_CHAN_STREAM);
    return st != OMV_RPC_OK ? st : st2;
}
