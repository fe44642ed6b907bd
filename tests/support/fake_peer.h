/* A master facing a peer that a test plays by hand: the master on one end
 * of an in-process pair, a thread writing raw bytes on the other (wrong
 * CRCs, absurd lengths, wrong acks: what our own slave never sends). */
#ifndef OMV_RPC_FAKE_PEER_H
#define OMV_RPC_FAKE_PEER_H

#include "test_support.h"

typedef struct ts_fake_peer {
    omv_rpc_master *master;
    omv_rpc_link peer; /* the other end: the thread's, then the test's */
    ts_thread thread;
} ts_fake_peer;

/* Open the pair and the master (mcfg NULL: defaults), and run
 * play(&p->peer) on a new thread. */
void ts_fake_peer_start(ts_fake_peer *p, const omv_rpc_config *mcfg, void *(*play)(void *peer));
/* Wait for the thread to finish playing. */
void ts_fake_peer_join(ts_fake_peer *p);
/* Free the master and close the peer's end (join first). */
void ts_fake_peer_close(ts_fake_peer *p);

/* A packet as the protocol frames it: magic (16 bits, little-endian),
 * payload, and a correct CRC over both, whatever they are. `out` holds
 * len + 4 bytes; returns len + 4. */
size_t ts_packet(uint8_t *out, uint16_t magic, const void *payload, size_t len);
/* Whether the packet at `p` starts with `magic` (little-endian). */
int ts_has_magic(const uint8_t *p, uint16_t magic);

#endif
