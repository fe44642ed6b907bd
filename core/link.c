/* The public helpers of link.h that act on a link by itself. */
#include <string.h>

#include "omv_rpc/link.h"

void omv_rpc_link_close(omv_rpc_link *link)
{
    if (link && link->ops && link->ops->close) {
        link->ops->close(link->ctx);
    }
    if (link) {
        memset(link, 0, sizeof *link);
    }
}

omv_rpc_status omv_rpc_link_read(const omv_rpc_link *link, uint8_t *buf, size_t len,
                                 uint32_t timeout_ms)
{
    if (!link || !link->ops || !link->ops->recv || (!buf && len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_in_iov one = {buf, len};
    return link->ops->recv(link->ctx, &one, 1, timeout_ms, 0);
}

omv_rpc_status omv_rpc_link_write(const omv_rpc_link *link, const uint8_t *buf, size_t len,
                                  uint32_t timeout_ms)
{
    if (!link || !link->ops || !link->ops->send || (!buf && len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_out_iov one = {buf, len};
    return link->ops->send(link->ctx, &one, 1, timeout_ms, 0);
}

omv_rpc_status omv_rpc_link_recv_each(omv_rpc_link_get_fn get, void *ctx, const omv_rpc_in_iov *iov,
                                      size_t count, uint32_t timeout_ms)
{
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t i = 0; i < count && st == OMV_RPC_OK; i++) {
        st = get(ctx, iov[i].base, iov[i].len, timeout_ms);
    }
    return st;
}

omv_rpc_status omv_rpc_link_send_each(omv_rpc_link_put_fn put, void *ctx,
                                      const omv_rpc_out_iov *iov, size_t count, uint32_t timeout_ms)
{
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t i = 0; i < count && st == OMV_RPC_OK; i++) {
        st = put(ctx, iov[i].base, iov[i].len, timeout_ms);
    }
    return st;
}
