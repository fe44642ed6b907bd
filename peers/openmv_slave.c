/* A slave with the timing of OpenMV's camera-side rpc.py (peers.h): each
 * attempt of either phase starts with a gc.collect() pause and a flush,
 * waits 2 ms for its first packet (1 ms more per failed attempt), and a
 * request that came while the camera was busy (its callback, a pause) is
 * dropped by that flush. */
#include <stdlib.h>
#include <string.h>

#include "peer_internal.h"

#define CAMERA_SHORT_MS 2u

static uint32_t grow(uint32_t t, uint32_t cap)
{
    return t + 1u < cap ? t + 1u : cap;
}

/* The camera scales its short timeouts by 10 on the network. */
static uint32_t scaled(const omvrpc_peer *p, uint32_t ms)
{
    return ms * (p->link.short_timeout_scale ? p->link.short_timeout_scale : 1u);
}

/* A packet of `len` bytes with `magic` within `ms`; a read that got bytes
 * but not that packet counts as a bad packet (the sequence broke). */
static int take(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t ms, uint16_t magic)
{
    if (!peer_read_all(p, buf, len, ms)) {
        return 0;
    }
    if (!omvrpc_peer_valid(buf, len, magic)) {
        p->stats.bad_packets++;
        return 0;
    }
    return 1;
}

/* The attempt of `phase` listens from now on (the listening hook). */
static void listening(omvrpc_peer *p, int phase)
{
    if (p->listening) {
        p->listening(p->listen_user, phase);
    }
}

/* How long attempt `attempt` of this call's phase `phase` (the results
 * sent count the finished calls) stalls. */
static uint32_t stall_us(const omvrpc_peer *p, int phase, int attempt)
{
    int now = p->stall_every && (p->stats.results_sent + 1u) % p->stall_every == 0 &&
              (attempt == 0 || !p->stall_once) && (phase == 2 || !p->stall_result_only);
    return now ? p->stall_us : 0u;
}

/* Phase 1: the argument lands in p->buf + 2; returns its length or -1. */
static long get_command(omvrpc_peer *p, uint32_t timeout_ms, uint32_t *command)
{
    uint32_t short_ms = CAMERA_SHORT_MS;
    const uint32_t start = peer_now(p);
    uint8_t header[12], ack[4];
    for (int attempt = 0; peer_elapsed_below(p, start, timeout_ms) && !peer_stopped(p); attempt++) {
        peer_sleep_us(p->gc_us);
        peer_flush(p);
        listening(p, 1);
        if (take(p, header, 12, scaled(p, short_ms), PEER_HEADER)) {
            uint32_t cmd = (uint32_t)header[2] | (uint32_t)header[3] << 8 |
                           (uint32_t)header[4] << 16 | (uint32_t)header[5] << 24;
            size_t len = (size_t)header[6] | (size_t)header[7] << 8 | (size_t)header[8] << 16 |
                         (size_t)header[9] << 24;
            if (len + 4 <= p->buf_size) {
                peer_sleep_us(stall_us(p, 1, attempt));
                peer_write(p, ack, omvrpc_peer_packet(ack, PEER_HEADER, NULL, 0),
                           scaled(p, short_ms));
                if (take(p, p->buf, len + 4, PEER_LONG_MS, PEER_DATA)) {
                    peer_write(p, ack, omvrpc_peer_packet(ack, PEER_DATA, NULL, 0),
                               scaled(p, short_ms));
                    *command = cmd;
                    return (long)len;
                }
            }
        }
        p->stats.failed_attempts++;
        short_ms = grow(short_ms, timeout_ms);
    }
    return -1;
}

/* Phase 2: the packet `out` (out_len bytes) is the result data. */
static int put_result(omvrpc_peer *p, const uint8_t *out, size_t out_len, size_t result_len,
                      uint32_t timeout_ms)
{
    uint32_t short_ms = CAMERA_SHORT_MS;
    const uint32_t start = peer_now(p);
    uint8_t header[8], request[4];
    uint8_t len_le[4] = {(uint8_t)result_len, (uint8_t)(result_len >> 8),
                         (uint8_t)(result_len >> 16), (uint8_t)(result_len >> 24)};
    omvrpc_peer_packet(header, PEER_RESULT_HEADER, len_le, 4);
    for (int attempt = 0; peer_elapsed_below(p, start, timeout_ms) && !peer_stopped(p); attempt++) {
        peer_sleep_us(p->gc_us);
        peer_flush(p);
        listening(p, 2);
        if (take(p, request, 4, scaled(p, short_ms), PEER_RESULT_HEADER)) {
            peer_write(p, header, 8, scaled(p, short_ms));
            if (take(p, request, 4, scaled(p, short_ms), PEER_RESULT_DATA)) {
                peer_sleep_us(stall_us(p, 2, attempt));
                peer_write(p, out, out_len, PEER_LONG_MS);
                return 1;
            }
        }
        p->stats.failed_attempts++;
        short_ms = grow(short_ms, timeout_ms);
    }
    return 0;
}

omv_rpc_status omvrpc_openmv_slave_once(omvrpc_peer *p, uint32_t recv_timeout_ms,
                                        uint32_t send_timeout_ms)
{
    uint32_t command;
    long len = get_command(p, recv_timeout_ms, &command);
    if (len < 0) {
        return peer_stopped(p) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_TIMEOUT;
    }
    omvrpc_peer_call call = {command, p->buf + 2, (size_t)len, NULL, 0};
    peer_sleep_us(p->callback_us);
    if (p->fn) {
        p->fn(p->user, &call);
    }
    p->stats.calls++;
    /* The camera builds the result packet before its first attempt. */
    uint8_t *out = malloc(call.result_len + 4);
    if (!out) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    size_t out_len = omvrpc_peer_packet(out, PEER_RESULT_DATA, call.result, call.result_len);
    int sent = put_result(p, out, out_len, call.result_len, send_timeout_ms);
    free(out);
    if (sent) {
        p->stats.results_sent++;
        return OMV_RPC_OK;
    }
    return peer_stopped(p) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_TIMEOUT;
}

omv_rpc_status omvrpc_openmv_slave_run(omvrpc_peer *p)
{
    for (;;) {
        omv_rpc_status st = omvrpc_openmv_slave_once(p, 1000, 1000);
        if (st == OMV_RPC_ERR_STOPPED || st == OMV_RPC_ERR_NO_MEMORY) {
            return st;
        }
    }
}
