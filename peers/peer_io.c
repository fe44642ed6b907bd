/* Buffers, packets, clocks and reads shared by the peers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "omv_rpc/clock.h"
#include "peer_internal.h"

omv_rpc_status omvrpc_peer_init(omvrpc_peer *p, const omv_rpc_link *link, size_t max_payload)
{
    memset(p, 0, sizeof *p);
    if (!link || !link->ops) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    p->link = *link;
    p->buf_size = max_payload + 16;
    p->buf = malloc(p->buf_size);
    if (!p->buf) {
        omv_rpc_link_close(&p->link);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    atomic_init(&p->stop, 0);
    return OMV_RPC_OK;
}

void omvrpc_peer_free(omvrpc_peer *p)
{
    if (p) {
        omv_rpc_link_close(&p->link);
        free(p->buf);
        p->buf = NULL;
    }
}

void omvrpc_peer_stop(omvrpc_peer *p)
{
    atomic_store(&p->stop, 1);
}

int peer_stopped(omvrpc_peer *p)
{
    return atomic_load(&p->stop);
}

uint32_t peer_now(omvrpc_peer *p)
{
    return p->link.ops->now_ms(p->link.ctx);
}

int peer_elapsed_below(omvrpc_peer *p, uint32_t start, uint32_t ms)
{
    return (uint32_t)(peer_now(p) - start) < ms;
}

void peer_sleep_us(uint32_t us)
{
    if (!us) {
        return;
    }
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

size_t omvrpc_peer_packet(uint8_t *out, uint16_t magic, const void *payload, size_t len)
{
    out[0] = (uint8_t)magic;
    out[1] = (uint8_t)(magic >> 8);
    if (len) {
        memmove(out + 2, payload, len);
    }
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, out, len + 2);
    out[len + 2] = (uint8_t)crc;
    out[len + 3] = (uint8_t)(crc >> 8);
    return len + 4;
}

int omvrpc_peer_valid(const uint8_t *pkt, size_t len, uint16_t magic)
{
    if (len < 4 || (uint16_t)(pkt[0] | (pkt[1] << 8)) != magic) {
        return 0;
    }
    uint16_t crc = (uint16_t)(pkt[len - 2] | (pkt[len - 1] << 8));
    return crc == omv_rpc_crc16(OMV_RPC_CRC16_INIT, pkt, len - 2);
}

int peer_read_all(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    memset(buf, 0, len);
    return omv_rpc_link_read(&p->link, buf, len, timeout_ms) == OMV_RPC_OK;
}

int peer_read_each(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    memset(buf, 0, len);
    for (size_t i = 0; i < len; i++) {
        if (omv_rpc_link_read(&p->link, buf + i, 1, timeout_ms) != OMV_RPC_OK) {
            return 0;
        }
    }
    return 1;
}

void peer_write(omvrpc_peer *p, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)omv_rpc_link_write(&p->link, buf, len, timeout_ms);
}

void peer_flush(omvrpc_peer *p)
{
    p->link.ops->flush(p->link.ctx);
}

void peer_tracef(omvrpc_peer *p, const char *fmt, ...)
{
    if (!p->trace) {
        return;
    }
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    p->trace(p->trace_user, line);
}
