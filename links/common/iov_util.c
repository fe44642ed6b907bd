#include "iov_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Piece i of whichever list is given (the other is NULL): its length,
 * and its start in *base. */
static size_t piece_at(const omv_rpc_in_iov *in, const omv_rpc_out_iov *out, size_t i,
                       const void **base)
{
    if (in) {
        *base = in[i].base;
        return in[i].len;
    }
    *base = out[i].base;
    return out[i].len;
}

static omv_rpc_status total_of(const omv_rpc_in_iov *in, const omv_rpc_out_iov *out, size_t count,
                               size_t max_count, size_t *total)
{
    *total = 0;
    if (count > max_count || (!in && !out && count)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < count; i++) {
        const void *base;
        size_t len = piece_at(in, out, i, &base);
        if ((!base && len) || len > SIZE_MAX - *total) {
            return OMV_RPC_ERR_INVALID_ARG;
        }
        *total += len;
    }
    return OMV_RPC_OK;
}

omv_rpc_status omvrpc_iov_total_in(const omv_rpc_in_iov *iov, size_t count, size_t max_count,
                                   size_t *total)
{
    return total_of(iov, NULL, count, max_count, total);
}

omv_rpc_status omvrpc_iov_total_out(const omv_rpc_out_iov *iov, size_t count, size_t max_count,
                                    size_t *total)
{
    return total_of(NULL, iov, count, max_count, total);
}

/* Scatter (in, from) or gather (out, to): the walk over the pieces is the
 * same, only the direction of each memcpy differs. */
static void copy(const omv_rpc_in_iov *in, const omv_rpc_out_iov *out, omv_rpc_iov_cursor *c,
                 const uint8_t *from, uint8_t *to, size_t len)
{
    for (size_t k = 0; k < len;) {
        const void *base;
        size_t left = piece_at(in, out, c->piece, &base) - c->offset;
        if (left == 0) {
            c->piece++;
            c->offset = 0;
            continue;
        }
        size_t n = left < len - k ? left : len - k;
        if (in) {
            memcpy(in[c->piece].base + c->offset, from + k, n);
        } else {
            memcpy(to + k, (const uint8_t *)base + c->offset, n);
        }
        c->offset += n;
        k += n;
    }
}

void omvrpc_iov_scatter(const omv_rpc_in_iov *iov, omv_rpc_iov_cursor *c, const uint8_t *src,
                        size_t len)
{
    copy(iov, NULL, c, src, NULL, len);
}

void omvrpc_iov_gather(const omv_rpc_out_iov *iov, omv_rpc_iov_cursor *c, uint8_t *dst, size_t len)
{
    copy(NULL, iov, c, NULL, dst, len);
}

/* The flat buffer for a transfer of `total` bytes: `keep`'s, grown when
 * short, or (keep NULL) one of its own. NULL when out of memory. */
static uint8_t *flat_take(omvrpc_iov_flat *keep, size_t total)
{
    size_t want = total ? total : 1;
    if (!keep) {
        return malloc(want);
    }
    if (want > keep->size) {
        uint8_t *p = realloc(keep->base, want);
        if (!p) {
            return NULL;
        }
        keep->base = p;
        keep->size = want;
    }
    return keep->base;
}

static void flat_give(omvrpc_iov_flat *keep, uint8_t *flat)
{
    if (!keep) {
        free(flat);
    }
}

omv_rpc_status omvrpc_iov_flat_in(omv_rpc_link_get_fn get, void *ctx, const omv_rpc_in_iov *iov,
                                  size_t count, uint32_t timeout_ms, omvrpc_iov_flat *keep)
{
    size_t total;
    if (count == 1) {
        return get(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    omv_rpc_status st = omvrpc_iov_total_in(iov, count, SIZE_MAX, &total);
    uint8_t *flat = st == OMV_RPC_OK ? flat_take(keep, total) : NULL;
    if (st != OMV_RPC_OK || !flat) {
        return st != OMV_RPC_OK ? st : OMV_RPC_ERR_NO_MEMORY;
    }
    st = get(ctx, flat, total, timeout_ms);
    if (st == OMV_RPC_OK) {
        omv_rpc_iov_cursor at = {0, 0};
        omvrpc_iov_scatter(iov, &at, flat, total);
    }
    flat_give(keep, flat);
    return st;
}

omv_rpc_status omvrpc_iov_flat_out(omv_rpc_link_put_fn put, void *ctx, const omv_rpc_out_iov *iov,
                                   size_t count, uint32_t timeout_ms, omvrpc_iov_flat *keep)
{
    size_t total;
    if (count == 1) {
        return put(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    omv_rpc_status st = omvrpc_iov_total_out(iov, count, SIZE_MAX, &total);
    if (st == OMV_RPC_OK && total == 0) {
        /* Nothing to gather (and GCC 12 at -O3, seeing the 1-byte buffer
         * flat_take would give unwritten, fails the build). */
        static const uint8_t none[1] = {0};
        return put(ctx, none, 0, timeout_ms);
    }
    uint8_t *flat = st == OMV_RPC_OK ? flat_take(keep, total) : NULL;
    if (st != OMV_RPC_OK || !flat) {
        return st != OMV_RPC_OK ? st : OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_iov_cursor at = {0, 0};
    omvrpc_iov_gather(iov, &at, flat, total);
    st = put(ctx, flat, total, timeout_ms);
    flat_give(keep, flat);
    return st;
}
