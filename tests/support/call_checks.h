/* Checks of whole calls against the standard callbacks (echo, pattern, an
 * unknown name) and cut-through, the same on every link: each call must
 * succeed and bring back exactly the bytes expected. */
#ifndef OMV_RPC_CALL_CHECKS_H
#define OMV_RPC_CALL_CHECKS_H

#include "rig.h"
#include "test_support.h"

/* "echo" with `len` bytes of `arg`: the result is the same bytes. */
void ts_check_echo(omv_rpc_master *m, const void *arg, size_t len, uint32_t send_timeout_ms,
                   uint32_t recv_timeout_ms);
/* The same with `len` pseudo-random bytes from `seed` (ts_fill_random). */
void ts_check_echo_random(omv_rpc_master *m, size_t len, uint32_t seed, uint32_t timeout_ms);
/* "pattern" for `len` bytes: the result is ts_pattern's bytes. */
void ts_check_pattern(omv_rpc_master *m, size_t len, uint32_t timeout_ms);
/* A function the slave does not have: the call succeeds, empty result. */
void ts_check_unknown_function(omv_rpc_master *m);

/* On a rig whose slave does not serve yet: echo (argument seeded with
 * the size's index) and pattern calls for each of `sizes`, 1000 ms
 * timeouts; the slave's thread runs for the calls, then stops as asked,
 * having served each call. */
void ts_rig_check_call_sizes(ts_rig *r, const size_t *sizes, size_t count);
/* sizes[from..to): spread over every order of magnitude below
 * 2^log2_limit (a power of two 2^k, k < log2_limit, plus less than that
 * again), pseudo-random from `seed`. */
void ts_spread_sizes(size_t *sizes, size_t from, size_t to, uint32_t seed, unsigned log2_limit);

/* Cut-through on a rig whose slave does not serve yet: the slave serves
 * "cut_through" (argument: a size n, 32 bits little-endian; after the
 * result it writes n bytes of ts_pattern raw on its link) and its thread
 * starts; each size is called for, its raw bytes read and checked, then an
 * ordinary call shows the link is clean again. The test stops the
 * thread. */
void ts_rig_check_cut_through(ts_rig *r, const size_t *sizes, size_t count);

#endif
