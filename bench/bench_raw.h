/* Raw baselines on a link pair (bench_raw.c). */
#ifndef OMV_RPC_BENCH_RAW_H
#define OMV_RPC_BENCH_RAW_H

#include "bench_internal.h"

/* `iters` round trips of a 12-byte ping (master to slave) and a 4-byte pong
 * through the links' own get_bytes / put_bytes. */
omv_rpc_status bench_raw_rtt(omv_rpc_link *master, omv_rpc_link *slave, size_t iters,
                             double *median_s, double *p99_s);
/* The same, each round trip's seconds into t[0..iters). */
omv_rpc_status bench_raw_rtt_samples(omv_rpc_link *master, omv_rpc_link *slave, size_t iters,
                                     double *t);

/* `len` bytes from the slave end (`src`) to the master end (`dst`) in one
 * put_bytes / get_bytes each, as the protocol moves a payload; checked.
 * The best of `repeats` runs (after an untimed short one). *cpu_s: process
 * CPU time spent during the best run. */
omv_rpc_status bench_raw_throughput(omv_rpc_link *master, omv_rpc_link *slave, uint8_t *src,
                                    uint8_t *dst, size_t len, int repeats, double *bytes_per_s,
                                    double *cpu_s);

#endif
