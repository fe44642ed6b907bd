/* A link around another that, when armed, stalls before sending the next
 * packet that starts with a given magic: a master late by a scheduling
 * stall (issue 17.2), made deterministic. For the tests only. */
#ifndef OMV_RPC_TEST_STALL_LINK_H
#define OMV_RPC_TEST_STALL_LINK_H

#include <stdatomic.h>

#include "omv_rpc/omv_rpc.h"

typedef struct stall_link {
    omv_rpc_link inner; /* owned: closed with the wrapping link */
    uint16_t magic;     /* the packet to hold back (its first two bytes) */
    uint32_t stall_us;
    atomic_int armed;   /* stall the next such packet, then disarm */
    atomic_uint stalls; /* packets held back so far */
} stall_link;

/* `out` sends and receives through `s->inner` (taken over from `inner`),
 * with its pace if it has one; `s` must outlive `out`. Arm with
 * atomic_store(&s->armed, 1). */
void stall_link_wrap(omv_rpc_link *out, stall_link *s, const omv_rpc_link *inner, uint16_t magic,
                     uint32_t stall_us);

#endif
