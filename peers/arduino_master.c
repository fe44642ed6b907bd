/* A master with the timing of the Arduino library's rpc_master (peers.h):
 * short timeouts of 3 ms growing by 6/4; reads with Stream::readBytes
 * semantics (up to the timeout + 1 ms for each byte), after a failed or
 * all-equal read a pause of the short timeout; a flush before every
 * attempt; no pause after a misframed packet. */
#include <string.h>

#include "peer_internal.h"

#define ARDUINO_MASTER_SHORT_MS 3u

static uint32_t grow(uint32_t t, uint32_t cap)
{
    uint32_t next = t * 6u / 4u;
    return next < cap ? next : cap;
}

static int all_same(const uint8_t *b, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (b[i] != b[0]) {
            return 0;
        }
    }
    return n > 0;
}

/* The master's get_bytes: `pause_ms` is its current short timeout. */
static int master_read(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms,
                       uint32_t pause_ms)
{
    int ok = peer_read_each(p, buf, len, timeout_ms + 1u) && !all_same(buf, len);
    if (!ok) {
        peer_sleep_us(pause_ms * 1000u);
    }
    return ok;
}

static int put_command(omvrpc_peer *p, uint32_t command, const void *arg, size_t len,
                       uint32_t timeout_ms)
{
    if (len + 4 > p->buf_size) {
        return 0;
    }
    uint8_t header[12], ack[4];
    uint8_t fields[8];
    for (int i = 0; i < 4; i++) {
        fields[i] = (uint8_t)(command >> (8 * i));
        fields[4 + i] = (uint8_t)(len >> (8 * i));
    }
    omvrpc_peer_packet(header, PEER_HEADER, fields, 8);
    size_t data_len = omvrpc_peer_packet(p->buf, PEER_DATA, arg, len);
    uint32_t put_ms = ARDUINO_MASTER_SHORT_MS, get_ms = ARDUINO_MASTER_SHORT_MS;
    const uint32_t start = peer_now(p);
    while (peer_elapsed_below(p, start, timeout_ms) && !peer_stopped(p)) {
        peer_flush(p);
        peer_write(p, header, 12, put_ms);
        if (master_read(p, ack, 4, get_ms, get_ms) && omvrpc_peer_valid(ack, 4, PEER_HEADER)) {
            peer_write(p, p->buf, data_len, PEER_LONG_MS);
            if (master_read(p, ack, 4, get_ms, get_ms) && omvrpc_peer_valid(ack, 4, PEER_DATA)) {
                return 1;
            }
        }
        p->stats.failed_attempts++;
        put_ms = grow(put_ms, timeout_ms);
        get_ms = grow(get_ms, timeout_ms);
    }
    return 0;
}

static int get_result(omvrpc_peer *p, size_t *len_out, uint32_t timeout_ms)
{
    uint8_t request[4], data_request[4], header[8];
    omvrpc_peer_packet(request, PEER_RESULT_HEADER, NULL, 0);
    omvrpc_peer_packet(data_request, PEER_RESULT_DATA, NULL, 0);
    uint32_t put_ms = ARDUINO_MASTER_SHORT_MS, get_ms = ARDUINO_MASTER_SHORT_MS;
    const uint32_t start = peer_now(p);
    while (peer_elapsed_below(p, start, timeout_ms) && !peer_stopped(p)) {
        peer_flush(p);
        peer_write(p, request, 4, put_ms);
        if (master_read(p, header, 8, get_ms, get_ms) &&
            omvrpc_peer_valid(header, 8, PEER_RESULT_HEADER)) {
            size_t len = (size_t)header[2] | (size_t)header[3] << 8 | (size_t)header[4] << 16 |
                         (size_t)header[5] << 24;
            if (len + 4 > p->buf_size) {
                return 0;
            }
            peer_write(p, data_request, 4, put_ms);
            if (master_read(p, p->buf, len + 4, PEER_LONG_MS, get_ms) &&
                omvrpc_peer_valid(p->buf, len + 4, PEER_RESULT_DATA)) {
                *len_out = len;
                return 1;
            }
        }
        p->stats.failed_attempts++;
        put_ms = grow(put_ms, timeout_ms);
        get_ms = grow(get_ms, timeout_ms);
    }
    return 0;
}

omv_rpc_status omvrpc_arduino_master_call(omvrpc_peer *p, const char *name, const void *arg,
                                          size_t arg_len, const uint8_t **result,
                                          size_t *result_len, uint32_t send_timeout_ms,
                                          uint32_t recv_timeout_ms)
{
    size_t len = 0;
    if (!put_command(p, omv_rpc_hash_str(name), arg, arg_len, send_timeout_ms)) {
        return OMV_RPC_ERR_SEND_TIMEOUT;
    }
    if (!get_result(p, &len, recv_timeout_ms)) {
        return OMV_RPC_ERR_RECV_TIMEOUT;
    }
    p->stats.calls++;
    *result = p->buf + 2;
    *result_len = len;
    return OMV_RPC_OK;
}
