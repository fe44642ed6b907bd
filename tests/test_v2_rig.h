/* The V2 test rig: the V2 virtual camera serving on a thread, a V2 host on
 * the other end of an in-process pair, with a fault-injecting link
 * between the host and the pair. */
#ifndef TEST_V2_RIG_H
#define TEST_V2_RIG_H

#include "omv_rpc/v2.h"
#include "sim_v2.h"
#include "test_support.h"

typedef struct v2_faults {
    /* Device-to-host bytes, counted from the rig's start. */
    long corrupt_at; /* flip this byte (-1: none) */
    long drop_at;    /* drop drop_n bytes from here (-1: none) */
    long drop_n;
    long dup_at; /* deliver this byte twice (-1: none) */
    long rx_count;
    /* Host-to-device bytes. */
    long tx_corrupt_at;
    long tx_count;
} v2_faults;

typedef struct v2_rig {
    omv_rpc_sim *sim;
    omv_rpc_sim_v2 *dev;
    omv_rpc_v2 *host;
    omv_rpc_link dev_link;
    ts_thread thread;
    int joined;         /* the device thread was already joined */
    v2_faults *faults;  /* owned by the host's link */
    uint32_t events[3]; /* SOFT_REBOOT, NOTIFY, other */
} v2_rig;

v2_rig *v2_rig_new(const omv_rpc_sim_v2_options *opt);
void v2_rig_free(v2_rig *r);

#endif
