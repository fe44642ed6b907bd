/* A fault-injecting link for tests: it wraps a real link (which it owns
 * from then on) and, on what its end sends, flips one bit, drops a short
 * transfer (a whole small packet), sends a short transfer twice, repeats
 * the last byte of a transfer, or waits before sending. Each fault is
 * chosen at random with the probability set, so that the protocol must
 * detect or recover from every one: a single flipped bit always fails the
 * CRC, and a repeated byte always shifts the next packet's magic. Faults
 * can be switched off and on from any thread. One end is used by one
 * thread at a time, as any link. */
#ifndef OMV_RPC_FAULT_LINK_H
#define OMV_RPC_FAULT_LINK_H

#include <stdatomic.h>

#include "test_support.h"

typedef struct fault_counts {
    atomic_uint flips, drops, duplicates, repeats, delays;
} fault_counts;

typedef struct fault_link {
    omv_rpc_link inner;
    uint32_t rng;
    unsigned per_mille; /* chance that a transfer is hit (any fault) */
    atomic_int enabled;
    fault_counts *counts;       /* shared by both ends, may be NULL */
    uint8_t copy[1u << 20];     /* a transfer with a bit flipped */
    uint8_t gathered[1u << 20]; /* a gathered write, in one piece */
} fault_link;

/* Wrap `inner` (taken over: closed with the fault link). `seed` starts the
 * random choices. The returned link owns `f`'s resources; `f` must stay
 * allocated until the link is closed (it is freed by close when
 * `free_on_close`). */
omv_rpc_link fault_link_wrap(fault_link *f, const omv_rpc_link *inner, uint32_t seed,
                             unsigned per_mille, fault_counts *counts, int free_on_close);

#endif
