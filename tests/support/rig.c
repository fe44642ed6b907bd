#include "rig.h"

#include <string.h>

void ts_rig_open(ts_rig *r, omv_rpc_link *a, const omv_rpc_config *mcfg, omv_rpc_link *b,
                 const omv_rpc_config *scfg)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(omv_rpc_master_new(&r->master, a, mcfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&r->slave, b, scfg), OMV_RPC_OK);
    ts_register_standard_callbacks(r->slave);
}

void ts_rig_open_pair(ts_rig *r, const omv_rpc_config *mcfg, const omv_rpc_config *scfg)
{
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    ts_rig_open(r, &a, mcfg, &b, scfg);
}

void ts_rig_close(ts_rig *r)
{
    omv_rpc_master_free(r->master);
    omv_rpc_slave_free(r->slave);
    r->master = NULL;
    r->slave = NULL;
}
