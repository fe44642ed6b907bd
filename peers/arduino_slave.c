/* A slave with the timing of the Arduino library's rpc_slave (peers.h):
 * each attempt flushes, then reads with Stream::readBytes semantics (up to
 * the timeout + 1 ms for each byte); short timeouts of 2 ms grow by 1 ms;
 * loop() gives each phase 100 ms (its defaults), and a result not taken
 * by then is given up. Checked against the library's source (rpc_slave's
 * __get_command, __put_result and loop(), its UART transport): the same
 * steps and timeouts. What it models more kindly: the library's per-byte
 * wait counts whole milliseconds of millis(), so it lasts between the
 * timeout and the timeout + 1 ms, here always the latter; and an AVR's
 * 64-byte receive buffer, which no exchange here overruns. */
#include <string.h>

#include "peer_internal.h"

#define ARDUINO_SLAVE_SHORT_MS 2u
#define ARDUINO_LOOP_MS 100u

static uint32_t grow(uint32_t t, uint32_t cap)
{
    return t + 1u < cap ? t + 1u : cap;
}

static long get_command(omvrpc_peer *p, uint32_t *command)
{
    uint32_t short_ms = ARDUINO_SLAVE_SHORT_MS;
    const uint32_t start = peer_now(p);
    uint8_t header[12], ack[4];
    while (peer_elapsed_below(p, start, ARDUINO_LOOP_MS) && !peer_stopped(p)) {
        peer_flush(p);
        if (peer_read_each(p, header, 12, short_ms + 1u) &&
            omvrpc_peer_valid(header, 12, PEER_HEADER)) {
            uint32_t cmd = (uint32_t)header[2] | (uint32_t)header[3] << 8 |
                           (uint32_t)header[4] << 16 | (uint32_t)header[5] << 24;
            size_t len = (size_t)header[6] | (size_t)header[7] << 8 | (size_t)header[8] << 16 |
                         (size_t)header[9] << 24;
            if (len + 4 > p->buf_size) {
                return -1; /* over its buffer: loop() gives up */
            }
            peer_write(p, ack, omvrpc_peer_packet(ack, PEER_HEADER, NULL, 0), short_ms);
            if (peer_read_each(p, p->buf, len + 4, PEER_LONG_MS + 1u) &&
                omvrpc_peer_valid(p->buf, len + 4, PEER_DATA)) {
                peer_write(p, ack, omvrpc_peer_packet(ack, PEER_DATA, NULL, 0), short_ms);
                peer_tracef(p, "arduino slave: command of %u bytes taken (short %u ms)",
                            (unsigned)len, (unsigned)short_ms);
                *command = cmd;
                return (long)len;
            }
            peer_tracef(p, "arduino slave: header of %u bytes acked, no data (short %u ms)",
                        (unsigned)len, (unsigned)short_ms);
        }
        p->stats.failed_attempts++;
        short_ms = grow(short_ms, ARDUINO_LOOP_MS);
    }
    return -1;
}

static int put_result(omvrpc_peer *p, const uint8_t *out, size_t out_len, size_t result_len)
{
    uint32_t short_ms = ARDUINO_SLAVE_SHORT_MS;
    const uint32_t start = peer_now(p);
    uint8_t header[8], request[4];
    uint8_t len_le[4] = {(uint8_t)result_len, (uint8_t)(result_len >> 8),
                         (uint8_t)(result_len >> 16), (uint8_t)(result_len >> 24)};
    omvrpc_peer_packet(header, PEER_RESULT_HEADER, len_le, 4);
    while (peer_elapsed_below(p, start, ARDUINO_LOOP_MS) && !peer_stopped(p)) {
        peer_flush(p);
        const char *failed = "no request";
        if (peer_read_each(p, request, 4, short_ms + 1u) &&
            omvrpc_peer_valid(request, 4, PEER_RESULT_HEADER)) {
            peer_write(p, header, 8, short_ms);
            if (peer_read_each(p, request, 4, short_ms + 1u) &&
                omvrpc_peer_valid(request, 4, PEER_RESULT_DATA)) {
                peer_tracef(p, "arduino slave: result sent at %u ms (short %u ms)",
                            (unsigned)(peer_now(p) - start), (unsigned)short_ms);
                peer_write(p, out, out_len, PEER_LONG_MS);
                return 1;
            }
            failed = "header sent, no data request";
        }
        peer_tracef(p, "arduino slave: result attempt failed at %u ms (short %u ms): %s",
                    (unsigned)(peer_now(p) - start), (unsigned)short_ms, failed);
        p->stats.failed_attempts++;
        short_ms = grow(short_ms, ARDUINO_LOOP_MS);
    }
    peer_tracef(p, "arduino slave: result given up");
    return 0;
}

omv_rpc_status omvrpc_arduino_slave_once(omvrpc_peer *p)
{
    uint32_t command;
    long len = get_command(p, &command);
    if (len < 0) {
        return peer_stopped(p) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_TIMEOUT;
    }
    omvrpc_peer_call call = {command, p->buf + 2, (size_t)len, NULL, 0};
    if (p->fn) {
        p->fn(p->user, &call);
    }
    p->stats.calls++;
    if (call.result_len + 4 > p->buf_size) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    /* The library builds the result packet in its one buffer first. */
    size_t out_len = omvrpc_peer_packet(p->buf, PEER_RESULT_DATA, call.result, call.result_len);
    if (put_result(p, p->buf, out_len, call.result_len)) {
        p->stats.results_sent++;
        return OMV_RPC_OK;
    }
    return peer_stopped(p) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_TIMEOUT;
}

omv_rpc_status omvrpc_arduino_slave_run(omvrpc_peer *p)
{
    for (;;) {
        omv_rpc_status st = omvrpc_arduino_slave_once(p);
        if (st == OMV_RPC_ERR_STOPPED) {
            return st;
        }
    }
}
