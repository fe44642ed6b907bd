/* What the peers share: packets, waits and reads (internal to peers/). */
#ifndef OMV_RPC_PEER_INTERNAL_H
#define OMV_RPC_PEER_INTERNAL_H

#include "peers.h"

#define PEER_HEADER 0x1209u
#define PEER_DATA 0xABD1u
#define PEER_RESULT_HEADER 0x9021u
#define PEER_RESULT_DATA 0x1DBAu
#define PEER_LONG_MS 5000u /* both libraries' long timeout */

uint32_t peer_now(omvrpc_peer *p);
int peer_elapsed_below(omvrpc_peer *p, uint32_t start, uint32_t ms);
void peer_sleep_us(uint32_t us);
int peer_stopped(omvrpc_peer *p);

/* The camera's read: all `len` bytes within timeout_ms, or nothing. */
int peer_read_all(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms);
/* Arduino's Stream::readBytes: up to timeout_ms for each byte. */
int peer_read_each(omvrpc_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms);
void peer_write(omvrpc_peer *p, const uint8_t *buf, size_t len, uint32_t timeout_ms);
void peer_flush(omvrpc_peer *p);
/* A line to p->trace, if set (printf format). */
void peer_tracef(omvrpc_peer *p, const char *fmt, ...);

#endif
