/* The ideal master (bench_ideal.c): the floor of a small call against the
 * OpenMV-timed slave (peers/openmv_slave.c). No master on a real link
 * can know when the camera has finished its gc.collect() pause and its
 * flush; this one is told, through the slave's listening hook, and sends
 * each request at that very moment and once: no master can be answered
 * sooner by that slave. */
#ifndef OMV_RPC_BENCH_IDEAL_H
#define OMV_RPC_BENCH_IDEAL_H

#include <stdatomic.h>

#include "bench_internal.h"

typedef struct bench_ideal {
    omv_rpc_link *link; /* the master's end (borrowed) */
    /* Posted by the slave's thread: (attempts begun << 2) | phase. */
    atomic_uint listening;
    unsigned answered; /* the last value of `listening` a request went to */
    uint32_t resends;  /* requests sent again after a lost or bad answer */
    uint32_t lapsed;   /* attempts of the slave that began and got no request */
} bench_ideal;

/* A master on `link` (the master's end of the slave's link). */
void bench_ideal_init(bench_ideal *im, omv_rpc_link *link);
/* The slave (re)starts: what it posted before is past. Without this, a
 * stale "listening" from a stopped slave would send a request into the
 * new one's first flush. */
void bench_ideal_forget(bench_ideal *im);
/* The slave's listening hook (omvrpc_peer.listening), `user` the master. */
void bench_ideal_listening(void *user, int phase);
/* A call of `command` with `arg` (len bytes): the result into `res` (up
 * to res_size bytes), its length into *res_len. OMV_RPC_OK, or
 * OMV_RPC_ERR_TIMEOUT when the slave did not answer within timeout_ms,
 * OMV_RPC_ERR_TOO_LARGE when the result would not fit. */
omv_rpc_status bench_ideal_call(bench_ideal *im, uint32_t command, const uint8_t *arg, size_t len,
                                uint8_t *res, size_t res_size, size_t *res_len,
                                uint32_t timeout_ms);

#endif
