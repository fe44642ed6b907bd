/* A master's or slave's endpoint: where its handle lives, its life, and
 * its buffers (transport.c resolves its link, transfer.c bounds each link
 * call, packet.c frames packets, cancel.c and log.c the rest). */
#include <string.h>

#include "endpoint.h"

#ifndef OMV_RPC_NO_MALLOC
#include <stdlib.h>
static void *std_alloc(void *user_data, size_t size)
{
    (void)user_data;
    return malloc(size);
}
static void std_free(void *user_data, void *ptr)
{
    (void)user_data;
    free(ptr);
}
#endif

omv_rpc_status omvrpc_ep_init(omv_rpc_endpoint *ep, const omv_rpc_link *link,
                              const omv_rpc_config *config)
{
    memset(ep, 0, sizeof *ep);
    ep->link = *link;
    omv_rpc_status st = omvrpc_transport_resolve(&ep->t, link);
    ep->max_payload = OMV_RPC_DEFAULT_MAX_PAYLOAD;
    if (config) {
        if (config->max_payload) {
            ep->max_payload = config->max_payload;
        }
        if (config->allocator) {
            ep->allocator = *config->allocator;
        }
        ep->log = config->log;
        ep->rx.data = config->buffer;
        ep->rx.size = config->buffer ? config->buffer_size : 0;
        ep->tx.data = config->tx_buffer;
        ep->tx.size = config->tx_buffer ? config->tx_buffer_size : 0;
    }
    ep->rx.owned = ep->rx.data == NULL;
    ep->tx.owned = ep->tx.data == NULL;
#ifndef OMV_RPC_NO_MALLOC
    if (!ep->allocator.alloc) {
        ep->allocator.alloc = std_alloc;
        ep->allocator.free = std_free;
    }
#endif
    return st;
}

omv_rpc_status omvrpc_ep_create(void **out, int out_given, void *storage, size_t storage_size,
                                int storage_required, size_t size, const omv_rpc_link *link,
                                const omv_rpc_config *config, omvrpc_ep_setup_fn setup)
{
    omv_rpc_link owned = link ? *link : (omv_rpc_link){0};
    void *handle = NULL;
    omv_rpc_status st = OMV_RPC_ERR_INVALID_ARG;
    omvrpc_transport t;
    *out = NULL;
    if (out_given && (storage || !storage_required) &&
        omvrpc_transport_resolve(&t, &owned) == OMV_RPC_OK) {
        if (storage) {
            handle = storage_size >= size ? storage : NULL;
        } else {
            omv_rpc_endpoint probe; /* to reach the configured allocator */
            omvrpc_ep_init(&probe, &owned, config);
            handle = omvrpc_ep_alloc(&probe, size);
            st = OMV_RPC_ERR_NO_MEMORY;
        }
    }
    if (!handle) {
        omv_rpc_link_close(&owned);
        return st;
    }
    setup(handle, &owned, config)->in_caller_storage = storage != NULL;
    *out = handle;
    return OMV_RPC_OK;
}

void omvrpc_ep_dispose(omv_rpc_endpoint *ep, void *handle)
{
    omv_rpc_endpoint copy;
    omvrpc_ep_release(ep);
    if (!ep->in_caller_storage) {
        copy = *ep; /* the allocator outlives the handle */
        omvrpc_ep_free(&copy, handle);
    }
}

void *omvrpc_ep_alloc(omv_rpc_endpoint *ep, size_t size)
{
    return ep->allocator.alloc ? ep->allocator.alloc(ep->allocator.user_data, size) : NULL;
}

void omvrpc_ep_free(omv_rpc_endpoint *ep, void *ptr)
{
    if (ptr && ep->allocator.free) {
        ep->allocator.free(ep->allocator.user_data, ptr);
    }
}

static void buffer_release(omv_rpc_endpoint *ep, ep_buffer *buf)
{
    if (buf->owned) {
        omvrpc_ep_free(ep, buf->data);
        buf->data = NULL;
        buf->size = 0;
    }
}

void omvrpc_ep_release(omv_rpc_endpoint *ep)
{
    buffer_release(ep, &ep->rx);
    buffer_release(ep, &ep->tx);
    omv_rpc_link_close(&ep->link);
}

omv_rpc_status omvrpc_ep_reserve(omv_rpc_endpoint *ep, ep_buffer *buf, size_t size)
{
    if (size <= buf->size && buf->data) {
        return OMV_RPC_OK;
    }
    if (!buf->owned) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    /* Packets carry 4 framing bytes on top of the payload limit. */
    if (size > (size_t)ep->max_payload + 4u) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    /* Grow geometrically (bounded by the limit) so a series of slowly
     * growing payloads does not reallocate every time. */
    size_t want = buf->size * 2 > size ? buf->size * 2 : size;
    if (want > (size_t)ep->max_payload + 4u) {
        want = (size_t)ep->max_payload + 4u;
    }
    if (want < 64) {
        want = 64;
    }
    /* Nothing in the old buffer is kept (each payload is read afresh), so
     * release it first: the handle never holds more than its largest
     * payload, not the old buffer and the new one at once. */
    omvrpc_ep_free(ep, buf->data);
    buf->data = NULL;
    buf->size = 0;
    uint8_t *p = (uint8_t *)omvrpc_ep_alloc(ep, want);
    if (!p) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    buf->data = p;
    buf->size = want;
    return OMV_RPC_OK;
}
