/*
 * Scattered and gathered transfers (omv_rpc_link_ops recv / send) for links
 * that cut or route a transfer by its total length (CAN frames, UDP
 * datagrams, I2C/SPI transactions): checking a list of pieces and totalling it, and copying
 * between the pieces and a flat buffer. Not installed.
 *
 * omv_rpc_in_iov and omv_rpc_out_iov differ only in const, so one piece
 * of code serves both directions.
 */
#ifndef OMV_RPC_IOV_UTIL_H
#define OMV_RPC_IOV_UTIL_H

#include "omv_rpc/link.h"

/* The total length of `count` pieces in *total. OMV_RPC_ERR_INVALID_ARG
 * for more than max_count pieces (SIZE_MAX: no limit), a NULL list with
 * pieces, a NULL piece with bytes, or a total past SIZE_MAX. */
omv_rpc_status omvrpc_iov_total_in(const omv_rpc_in_iov *iov, size_t count, size_t max_count,
                                   size_t *total);
omv_rpc_status omvrpc_iov_total_out(const omv_rpc_out_iov *iov, size_t count, size_t max_count,
                                    size_t *total);

/* A position in a list of pieces; start at {0, 0}. */
typedef struct omv_rpc_iov_cursor {
    size_t piece, offset;
} omv_rpc_iov_cursor;

/* Copy `len` bytes from `src` into the pieces at the cursor (scatter), or
 * from the pieces at the cursor into `dst` (gather), and move the cursor
 * past them. Empty pieces are skipped; the pieces must hold `len` more
 * bytes (the caller counts against the total). */
void omvrpc_iov_scatter(const omv_rpc_in_iov *iov, omv_rpc_iov_cursor *c, const uint8_t *src,
                        size_t len);
void omvrpc_iov_gather(const omv_rpc_out_iov *iov, omv_rpc_iov_cursor *c, uint8_t *dst, size_t len);

/* A buffer a link keeps for its transfers of several pieces (it grows to
 * the largest; the link frees `base` when it closes). Start at {NULL, 0}. */
typedef struct omvrpc_iov_flat {
    uint8_t *base;
    size_t size;
} omvrpc_iov_flat;

/* A framed link's transfer of several pieces (one datagram, one bus
 * transaction): one `get` / `put` (link.h's flat functions) of their
 * total through one buffer, `keep` (NULL: one allocated for the
 * transfer); OMV_RPC_ERR_NO_MEMORY without it. One piece goes straight. A
 * byte stream's goes piece by piece instead: omv_rpc_link_recv_each /
 * _send_each (link.h). */
omv_rpc_status omvrpc_iov_flat_in(omv_rpc_link_get_fn get, void *ctx, const omv_rpc_in_iov *iov,
                                  size_t count, uint32_t timeout_ms, omvrpc_iov_flat *keep);
omv_rpc_status omvrpc_iov_flat_out(omv_rpc_link_put_fn put, void *ctx, const omv_rpc_out_iov *iov,
                                   size_t count, uint32_t timeout_ms, omvrpc_iov_flat *keep);

#endif
