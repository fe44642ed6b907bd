/*
 * omvrpc links: the platform's monotonic clock, for link tables.
 */
#ifndef OMV_RPC_CLOCK_H
#define OMV_RPC_CLOCK_H

#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Milliseconds of a monotonic clock (CLOCK_MONOTONIC on POSIX,
 * GetTickCount64 on Windows), wrapping at 2^32. `ctx` is ignored, so the
 * function fits omv_rpc_link_ops.now_ms directly. Thread-safe. */
OMV_RPC_API uint32_t omv_rpc_clock_ms(void *ctx);

/* Sleep for `ms` milliseconds. Thread-safe. */
OMV_RPC_API void omv_rpc_sleep_ms(uint32_t ms);

#ifdef __cplusplus
}
#endif

#endif
