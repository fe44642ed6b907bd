/*
 * Scattered and gathered transfers (omv_rpc_link_ops recv / send) for links
 * that cut or route a transfer by its total length (CAN frames, UDP
 * datagrams): checking a list of pieces and totalling it, and copying
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

/* A byte stream's transfer of several pieces: `get` / `put` on each piece
 * in turn, each with the whole `timeout_ms` (the shipped links' timeouts
 * bound silence, which each piece starts again), the first failure ending
 * it. */
typedef omv_rpc_status (*omvrpc_flat_get_fn)(void *ctx, uint8_t *buf, size_t len,
                                             uint32_t timeout_ms);
typedef omv_rpc_status (*omvrpc_flat_put_fn)(void *ctx, const uint8_t *buf, size_t len,
                                             uint32_t timeout_ms);
omv_rpc_status omvrpc_iov_each_in(omvrpc_flat_get_fn get, void *ctx, const omv_rpc_in_iov *iov,
                                  size_t count, uint32_t timeout_ms);
omv_rpc_status omvrpc_iov_each_out(omvrpc_flat_put_fn put, void *ctx, const omv_rpc_out_iov *iov,
                                   size_t count, uint32_t timeout_ms);

/* A framed link's transfer of several pieces (one datagram): one `get` /
 * `put` of their total through a buffer allocated for the transfer
 * (OMV_RPC_ERR_NO_MEMORY without one); one piece goes straight. */
omv_rpc_status omvrpc_iov_flat_in(omvrpc_flat_get_fn get, void *ctx, const omv_rpc_in_iov *iov,
                                  size_t count, uint32_t timeout_ms);
omv_rpc_status omvrpc_iov_flat_out(omvrpc_flat_put_fn put, void *ctx, const omv_rpc_out_iov *iov,
                                   size_t count, uint32_t timeout_ms);

#endif
