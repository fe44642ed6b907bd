/* The V2 virtual camera: a device speaking OpenMV Protocol V2 the way the
 * firmware does (docs/protocol-v2.md), with frames from the virtual
 * camera's scene. For omv-rpc sim --v2 and the tests; internal (not
 * installed), linked from the static omvrpc_sim.
 * Thread-safety: one thread serves; omv_rpc_sim_v2_stop may be called from
 * any thread or a signal handler. */
#ifndef OMV_RPC_SIM_V2_H
#define OMV_RPC_SIM_V2_H

#include "omv_rpc/link.h"
#include "omv_rpc/sim.h"

typedef struct omv_rpc_sim_v2 omv_rpc_sim_v2;

typedef struct omv_rpc_sim_v2_options {
    const char *framesize; /* the JPEG stream's frame size (NULL: "QVGA") */
    int jpeg_quality;      /* 0: 80 */
    /* The firmware's protocol task runs every 50 ms when nothing wakes it:
     * with task_ms N the device takes each command that arrives at the
     * next multiple of N ms (0: at once). */
    uint32_t task_ms;
    /* The default (and largest accepted) max payload, as a camera script's
     * protocol.init(max_payload=...) sets it (0: 4082; the firmware's
     * network transport example uses 1400). */
    uint16_t max_payload;
} omv_rpc_sim_v2_options;

/* `sim` is borrowed (must outlive the device); `options` may be NULL. */
omv_rpc_status omv_rpc_sim_v2_new(omv_rpc_sim_v2 **out, omv_rpc_sim *sim,
                                  const omv_rpc_sim_v2_options *options);
void omv_rpc_sim_v2_free(omv_rpc_sim_v2 *dev);

/* Serve the host on `link` (borrowed) until omv_rpc_sim_v2_stop, or the
 * link fails (its status is returned; OMV_RPC_ERR_STOPPED after stop). */
omv_rpc_status omv_rpc_sim_v2_serve(omv_rpc_sim_v2 *dev, omv_rpc_link *link);
void omv_rpc_sim_v2_stop(omv_rpc_sim_v2 *dev);

/* Test hook: the next `count` data packets the device sends are followed
 * by no reaction to their ACK until they were retransmitted once (the
 * device "misses" the ACK). 0: off. */
void omv_rpc_sim_v2_drop_acks(omv_rpc_sim_v2 *dev, unsigned count);

#endif
