/* Users' remote functions on the virtual camera, registered next to the
 * built-in ones. */
#include <string.h>

#include "sim_internal.h"

/* The slave callback behind each user callback: adds the camera. */
static void trampoline(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim_user_callback *cb = ud;
    cb->fn(cb->sim, slave, arg, len, cb->user_data);
}

omv_rpc_status omv_rpc_sim_register_callback(omv_rpc_sim *sim, const char *name,
                                             omv_rpc_sim_callback fn, void *user_data)
{
    if (!sim || !name || !fn || !name[0] || strlen(name) >= sizeof sim->user[0].name) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_sim_user_callback *cb = NULL;
    for (size_t i = 0; i < sim->user_count; i++) {
        if (strcmp(sim->user[i].name, name) == 0) {
            cb = &sim->user[i];
        }
    }
    if (!cb) {
        if (sim->user_count == OMV_RPC_SIM_USER_CALLBACKS_MAX) {
            return OMV_RPC_ERR_FULL;
        }
        cb = &sim->user[sim->user_count];
    }
    omv_rpc_sim_user_callback saved = *cb;
    cb->sim = sim;
    strcpy(cb->name, name);
    cb->fn = fn;
    cb->user_data = user_data;
    if (sim->slave) {
        omv_rpc_status st = omv_rpc_slave_register_callback(sim->slave, name, trampoline, cb);
        if (st != OMV_RPC_OK) {
            *cb = saved;
            return st;
        }
    }
    if (cb == &sim->user[sim->user_count]) {
        sim->user_count++;
    }
    return OMV_RPC_OK;
}

omv_rpc_status omvrpc_sim_attach_user_callbacks(omv_rpc_sim *sim, omv_rpc_slave *slave)
{
    for (size_t i = 0; i < sim->user_count; i++) {
        omv_rpc_status st =
            omv_rpc_slave_register_callback(slave, sim->user[i].name, trampoline, &sim->user[i]);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}
