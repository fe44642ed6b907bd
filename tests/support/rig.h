/* A master and a slave of one test, on whatever links the test opened
 * (an in-process pair, a pseudo-terminal, a CAN bus, a simulated I2C
 * bus), with the standard callbacks registered. */
#ifndef OMV_RPC_RIG_H
#define OMV_RPC_RIG_H

#include "test_support.h"

typedef struct ts_rig {
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    ts_slave_thread thread; /* the test starts and stops it */
    size_t cut_through_len; /* the raw bytes the slave's next cut-through sends */
} ts_rig;

/* A master on link `a` and a slave on link `b` (each takes its link over);
 * NULL configs are the defaults. The slave does not serve yet, so a test
 * can register more callbacks first, then start r->thread. */
void ts_rig_open(ts_rig *r, omv_rpc_link *a, const omv_rpc_config *mcfg, omv_rpc_link *b,
                 const omv_rpc_config *scfg);

/* The same over a new in-process pair. */
void ts_rig_open_pair(ts_rig *r, const omv_rpc_config *mcfg, const omv_rpc_config *scfg);

/* Free the master and the slave (stop r->thread first) and their links. */
void ts_rig_close(ts_rig *r);

#endif
