/* A program built against the installed library. */
#include <omv_rpc/omv_rpc.h>
#include <stdio.h>

int main(void)
{
    omv_rpc_link a, b;
    omv_rpc_master *m;
    if (omv_rpc_pair_open(&a, &b, 0) != OMV_RPC_OK ||
        omv_rpc_master_new(&m, &a, NULL) != OMV_RPC_OK) {
        return 1;
    }
    omv_rpc_link_close(&b);
    printf("%s %08x %s\n",
           omv_rpc_status_name(omv_rpc_master_call(m, "echo", "x", 1, NULL, NULL, 10, 10)),
           (unsigned)omv_rpc_hash_str("echo"), omv_rpc_version());
    omv_rpc_master_free(m);
    return 0;
}
