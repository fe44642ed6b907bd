#include "flat_link.h"

#include <stdlib.h>
#include <string.h>

static size_t total_in(const omv_rpc_in_iov *iov, size_t count)
{
    size_t t = 0;
    for (size_t i = 0; i < count; i++) {
        t += iov[i].len;
    }
    return t;
}

omv_rpc_status ts_flat_recv(ts_flat_get_fn get, void *ctx, const omv_rpc_in_iov *iov, size_t count,
                            uint32_t timeout_ms)
{
    if (count == 1) {
        return get(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    size_t total = total_in(iov, count);
    uint8_t *flat = malloc(total ? total : 1);
    if (!flat) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_status st = get(ctx, flat, total, timeout_ms);
    for (size_t i = 0, off = 0; st == OMV_RPC_OK && i < count; off += iov[i++].len) {
        if (iov[i].len) {
            memcpy(iov[i].base, flat + off, iov[i].len);
        }
    }
    free(flat);
    return st;
}

omv_rpc_status ts_flat_send(ts_flat_put_fn put, void *ctx, const omv_rpc_out_iov *iov, size_t count,
                            uint32_t timeout_ms)
{
    if (count == 1) {
        return put(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    uint8_t *flat = malloc(total ? total : 1);
    if (!flat) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    for (size_t i = 0, off = 0; i < count; off += iov[i++].len) {
        if (iov[i].len) {
            memcpy(flat + off, iov[i].base, iov[i].len);
        }
    }
    omv_rpc_status st = put(ctx, flat, total, timeout_ms);
    free(flat);
    return st;
}
