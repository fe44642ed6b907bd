/* A program built against the installed virtual camera library: a camera
 * attached to a slave, and one JPEG frame taken. */
#include <omv_rpc/omv_rpc.h>
#include <omv_rpc/sim.h>
#include <stdio.h>

int main(void)
{
    omv_rpc_link a, b;
    omv_rpc_slave *slave;
    omv_rpc_sim *sim;
    if (omv_rpc_pair_open(&a, &b, 0) != OMV_RPC_OK ||
        omv_rpc_slave_new(&slave, &a, NULL) != OMV_RPC_OK) {
        return 1;
    }
    omv_rpc_link_close(&b);
    if (omv_rpc_sim_new(&sim) != OMV_RPC_OK || omv_rpc_sim_attach(sim, slave) != OMV_RPC_OK) {
        return 1;
    }
    uint8_t *jpeg = NULL;
    size_t len = 0;
    omv_rpc_status st = omv_rpc_sim_render_jpeg(sim, "RGB565", "QQVGA", 80, &jpeg, &len);
    /* A JPEG starts with the SOI marker FF D8. */
    printf("%s %s\n", omv_rpc_status_name(st),
           st == OMV_RPC_OK && len > 2 && jpeg[0] == 0xFF && jpeg[1] == 0xD8 ? "jpeg" : "no-jpeg");
    omv_rpc_sim_free_buffer(jpeg);
    omv_rpc_slave_free(slave);
    omv_rpc_sim_free(sim);
    return 0;
}
