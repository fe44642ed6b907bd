/* Cancellation: omv_rpc_master_abort / omv_rpc_slave_stop reach the
 * transfer in progress through the link's watcher (link.h). */
#include "endpoint.h"

/* The link's watcher (link.h): the owner's cancellation, and the end of
 * the whole transfer while the core's own link call runs. */
static omv_rpc_status ep_watcher(void *arg)
{
    omv_rpc_endpoint *ep = arg;
    omv_rpc_status st = omvrpc_ep_cancelled(ep);
    if (st == OMV_RPC_OK && ep->capped && omvrpc_ep_remaining(ep, ep->cap) == 0) {
        st = OMV_RPC_ERR_TIMEOUT;
    }
    return st;
}

void omvrpc_ep_watch(omv_rpc_endpoint *ep, omv_rpc_status status, int once)
{
    ep->cancel_status = status;
    ep->cancel_once = once;
    EP_FLAG_STORE(ep->cancel, 0);
    void (*watch)(void *, omv_rpc_link_watch_fn, void *) = omvrpc_link_watch_op(&ep->link);
    if (watch) {
        watch(ep->link.ctx, ep_watcher, ep);
    }
}

void omvrpc_ep_cancel(omv_rpc_endpoint *ep)
{
    EP_FLAG_STORE(ep->cancel, 1); /* lock-free: fine in a signal handler */
}

void omvrpc_ep_clear_cancel(omv_rpc_endpoint *ep)
{
    EP_FLAG_STORE(ep->cancel, 0);
}

int omvrpc_ep_cancel_pending(omv_rpc_endpoint *ep)
{
    return EP_FLAG_LOAD(ep->cancel) != 0;
}

omv_rpc_status omvrpc_ep_cancelled(omv_rpc_endpoint *ep)
{
    if (!EP_FLAG_LOAD(ep->cancel) || ep->cancel_status == OMV_RPC_OK ||
        (!ep->cancel_once && !ep->busy)) {
        return OMV_RPC_OK;
    }
    if (ep->cancel_once && !EP_FLAG_TAKE(ep->cancel)) {
        return OMV_RPC_OK; /* used up in the meantime */
    }
    return ep->cancel_status;
}
