/* Cut-through (rpc.h): raw transfers with no framing on any link, right
 * after a call completed. `timeout_ms` bounds silence. A link with quiet
 * timeouts (one with a watcher, link.h) does that itself, and its watcher,
 * the master's or slave's, ends the transfer on omv_rpc_master_abort /
 * omv_rpc_slave_stop; any other link gets the silence plus the transfer's
 * wire time. */
#include "endpoint.h"

/* The link resolved, and the timeout to hand it for `len` bytes. */
static omv_rpc_status prepare(omvrpc_transport *t, const omv_rpc_link *link, const void *buf,
                              size_t len, uint32_t *timeout_ms)
{
    if (!buf && len) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st = omvrpc_transport_resolve(t, link);
    if (st == OMV_RPC_OK && !t->quiet) {
        *timeout_ms = omvrpc_sat_add(*timeout_ms, t->transfer_ms(t->ctx, len));
    }
    return st;
}

omv_rpc_status omv_rpc_get_bytes(omv_rpc_link *link, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    omvrpc_transport t;
    omv_rpc_status st = prepare(&t, link, buf, len, &timeout_ms);
    omv_rpc_in_iov one = {buf, len};
    return st != OMV_RPC_OK ? st : t.recv(t.ctx, &one, 1, timeout_ms, 0);
}

omv_rpc_status omv_rpc_put_bytes(omv_rpc_link *link, const uint8_t *buf, size_t len,
                                 uint32_t timeout_ms)
{
    omvrpc_transport t;
    omv_rpc_status st = prepare(&t, link, buf, len, &timeout_ms);
    omv_rpc_out_iov one = {buf, len};
    return st != OMV_RPC_OK ? st : t.send(t.ctx, &one, 1, timeout_ms, 0);
}
