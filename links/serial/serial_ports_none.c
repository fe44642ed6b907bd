/* Serial links: no way to list ports in this build (no libserialport, not
 * Windows); a port is named by the user. */
#include <stddef.h>

#include "omv_rpc/serial.h"

omv_rpc_status omv_rpc_serial_list_ports(omv_rpc_port_info **ports, size_t *count)
{
    if (!ports || !count) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *ports = NULL;
    *count = 0;
    return OMV_RPC_ERR_UNSUPPORTED;
}
