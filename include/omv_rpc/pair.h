/*
 * omvrpc links: an in-process link pair, for tests and for running a
 * master and a slave in two threads of one program.
 *
 * What one end puts, the other gets, through a bounded buffer in each
 * direction (like a pipe: put_bytes blocks while the buffer is full).
 */
#ifndef OMV_RPC_PAIR_H
#define OMV_RPC_PAIR_H

#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Open two connected links. `capacity` is each direction's buffer in
 * bytes (0: 64 KiB). Each end is closed independently (by the master or
 * slave that owns it, or omv_rpc_link_close); the shared state is freed
 * with the second. Once one end is closed, the other's transfers fail with
 * OMV_RPC_ERR_CLOSED. The two ends may be used from two threads; each end
 * from one thread at a time. */
OMV_RPC_API omv_rpc_status omv_rpc_pair_open(omv_rpc_link *a, omv_rpc_link *b, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
