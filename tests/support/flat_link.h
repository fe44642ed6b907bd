/* For the tests' links written around one flat buffer per transfer: the
 * link table's recv/send (link.h) over such functions. Several pieces go
 * through one buffer, in one call, so that a link whose transfers are
 * framing (a simulated I2C slave) sees the same transfer as with one
 * piece. */
#ifndef OMV_RPC_TEST_FLAT_LINK_H
#define OMV_RPC_TEST_FLAT_LINK_H

#include "omv_rpc/link.h"

typedef omv_rpc_status (*ts_flat_get_fn)(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms);
typedef omv_rpc_status (*ts_flat_put_fn)(void *ctx, const uint8_t *buf, size_t len,
                                         uint32_t timeout_ms);

omv_rpc_status ts_flat_recv(ts_flat_get_fn get, void *ctx, const omv_rpc_in_iov *iov, size_t count,
                            uint32_t timeout_ms);
omv_rpc_status ts_flat_send(ts_flat_put_fn put, void *ctx, const omv_rpc_out_iov *iov, size_t count,
                            uint32_t timeout_ms);

/* recv/send functions NAME_recv and NAME_send over flat GET and PUT. */
#define TS_FLAT_OPS(name, get, put)                                                        \
    static omv_rpc_status name##_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,  \
                                      uint32_t timeout_ms, uint32_t xfer)                  \
    {                                                                                      \
        (void)xfer;                                                                        \
        return ts_flat_recv(get, ctx, iov, count, timeout_ms);                             \
    }                                                                                      \
    static omv_rpc_status name##_send(void *ctx, const omv_rpc_out_iov *iov, size_t count, \
                                      uint32_t timeout_ms, uint32_t xfer)                  \
    {                                                                                      \
        (void)xfer;                                                                        \
        return ts_flat_send(put, ctx, iov, count, timeout_ms);                             \
    }

#endif
