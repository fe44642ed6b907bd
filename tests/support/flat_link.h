/* For the tests' links written around one flat buffer per transfer: the
 * link table's recv/send (link.h) over such functions. Several pieces go
 * through one buffer, in one call (links/common/iov_util.h, as the
 * library's framed links do), so that a link whose transfers are framing
 * (a simulated I2C slave) sees the same transfer as with one piece. */
#ifndef OMV_RPC_TEST_FLAT_LINK_H
#define OMV_RPC_TEST_FLAT_LINK_H

#include "omv_rpc/link.h"
#include "common/iov_util.h"

/* recv/send functions NAME_recv and NAME_send over flat GET and PUT
 * (omv_rpc_link_get_fn, omv_rpc_link_put_fn). */
#define TS_FLAT_OPS(name, get, put)                                                        \
    static omv_rpc_status name##_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,  \
                                      uint32_t timeout_ms, uint32_t xfer)                  \
    {                                                                                      \
        (void)xfer;                                                                        \
        return omvrpc_iov_flat_in(get, ctx, iov, count, timeout_ms, NULL);                 \
    }                                                                                      \
    static omv_rpc_status name##_send(void *ctx, const omv_rpc_out_iov *iov, size_t count, \
                                      uint32_t timeout_ms, uint32_t xfer)                  \
    {                                                                                      \
        (void)xfer;                                                                        \
        return omvrpc_iov_flat_out(put, ctx, iov, count, timeout_ms, NULL);                \
    }

#endif
