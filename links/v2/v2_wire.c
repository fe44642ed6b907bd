/* OpenMV Protocol V2 wire format: the two CRCs, headers, frame headers.
 * Bit-serial CRCs: packets are at most 4 KiB and the link (USB at a few
 * MB/s) is the bottleneck, so a table would buy nothing measurable here. */
#include <string.h>

#include "omv_rpc/v2.h"
#include "v2_internal.h"

uint16_t omv_rpc_v2_crc16(uint16_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0xF94Fu) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

uint32_t omv_rpc_v2_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint32_t)data[i] << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0xFA567D89u : crc << 1;
        }
    }
    return crc;
}

void omv_rpc_v2_encode_header(const omv_rpc_v2_header *h, int with_crc,
                              uint8_t out[OMV_RPC_V2_HEADER_SIZE])
{
    out[0] = 0xAA; /* sync word 0xD5AA, little-endian */
    out[1] = 0xD5;
    out[2] = h->seq;
    out[3] = h->channel;
    out[4] = h->flags;
    out[5] = h->opcode;
    omvrpc_v2_put16(out + 6, h->length);
    omvrpc_v2_put16(out + 8, with_crc ? omv_rpc_v2_crc16(OMV_RPC_V2_CRC16_INIT, out, 8) : 0);
}

omv_rpc_status omv_rpc_v2_decode_header(const uint8_t in[OMV_RPC_V2_HEADER_SIZE], int check_crc,
                                        omv_rpc_v2_header *h)
{
    if (!in || !h) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (in[0] != 0xAA || in[1] != 0xD5) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    if (check_crc && omvrpc_v2_get16(in + 8) != omv_rpc_v2_crc16(OMV_RPC_V2_CRC16_INIT, in, 8)) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    h->seq = in[2];
    h->channel = in[3];
    h->flags = in[4];
    h->opcode = in[5];
    h->length = omvrpc_v2_get16(in + 6);
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_v2_frame_decode(const uint8_t *hdr32, omv_rpc_v2_frame *frame)
{
    uint32_t fps_bits;
    if (!hdr32 || !frame) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(frame, 0, sizeof *frame);
    frame->width = omvrpc_v2_get32(hdr32);
    frame->height = omvrpc_v2_get32(hdr32 + 4);
    frame->pixfmt = omvrpc_v2_get32(hdr32 + 8);
    frame->size = omvrpc_v2_get32(hdr32 + 12);
    frame->offset = omvrpc_v2_get32(hdr32 + 16);
    fps_bits = omvrpc_v2_get32(hdr32 + 20);
    memcpy(&frame->fps, &fps_bits, sizeof frame->fps);
    return frame->offset < OMV_RPC_V2_FRAME_HEADER_SIZE ? OMV_RPC_ERR_BAD_PACKET : OMV_RPC_OK;
}
