/* A link for the network tests that wraps a real network link and
 * injects faults on its way out: datagrams lost, duplicated or held back
 * behind the next one, and a TCP connection cut after so many bytes. The
 * network link itself carries no test hooks; this is where they live. */
#ifndef OMV_RPC_TEST_NET_FAULT_LINK_H
#define OMV_RPC_TEST_NET_FAULT_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "net/net_internal.h"
#include "omv_rpc/link.h"

/* What the fault hook tells the link to do with a datagram it is about to
 * send. */
typedef enum net_fault_action {
    NET_FAULT_SEND = 0,      /* send it */
    NET_FAULT_DROP = 1,      /* lose it */
    NET_FAULT_DUPLICATE = 2, /* send it twice */
    NET_FAULT_HOLD = 3       /* send it after the next datagram (reorder) */
} net_fault_action;

typedef struct net_fault {
    /* NULL: no datagram faults. Called on the thread that sends. */
    net_fault_action (*on_datagram)(void *user, const uint8_t *data, size_t len);
    void *user;
    /* Non-zero: TCP sending stops after this many more bytes (counted
     * across transfers) and the connection is closed, as if the peer had
     * dropped it (one shot). */
    size_t tcp_cut_after;
} net_fault;

/* Wrap `*link` (a network link, owned from now on) in place: *link becomes
 * the fault link, which closes the real one when closed. No faults until
 * the returned hooks are set. Aborts the test without memory. */
net_fault *tn_fault_wrap(omv_rpc_link *link);

/* The network link inside a fault link (or `link` itself when it is a
 * network link); NULL for anything else. */
net_link *tn_fault_inner(omv_rpc_link *link);

#endif
