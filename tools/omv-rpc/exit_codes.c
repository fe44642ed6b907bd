/* omv-rpc: mapping library statuses to the exit statuses of exit_codes.h. */
#include "exit_codes.h"

#include <stdio.h>

int cli_exit_for_call(omv_rpc_status status)
{
    switch (status) {
    case OMV_RPC_OK:
        return CLI_EXIT_OK;
    case OMV_RPC_ERR_TIMEOUT:
    case OMV_RPC_ERR_SEND_TIMEOUT:
    case OMV_RPC_ERR_RECV_TIMEOUT:
        return CLI_EXIT_TIMEOUT;
    case OMV_RPC_ERR_LINK:
    case OMV_RPC_ERR_CLOSED:
    case OMV_RPC_ERR_LINK_DOWN:
    case OMV_RPC_ERR_NOT_READY:
    case OMV_RPC_ERR_UNREACHABLE:
    case OMV_RPC_ERR_REFUSED:
        return CLI_EXIT_LINK_BROKEN;
    case OMV_RPC_ERR_TOO_LARGE:
    case OMV_RPC_ERR_BAD_PACKET:
    case OMV_RPC_ERR_STREAM_ENDED:
    case OMV_RPC_ERR_BUFFER_TOO_SMALL:
        return CLI_EXIT_PROTOCOL;
    default:
        return CLI_EXIT_FAILURE;
    }
}

int cli_exit_for_open(omv_rpc_status status)
{
    switch (status) {
    case OMV_RPC_OK:
        return CLI_EXIT_OK;
    case OMV_RPC_ERR_NO_MEMORY:
        return CLI_EXIT_FAILURE;
    default:
        return CLI_EXIT_LINK_OPEN;
    }
}

void cli_print_exit_codes(void)
{
    printf("Exit status:\n"
           "  0  the command completed (an empty result included)\n"
           "  1  any other failure (out of memory, internal error)\n"
           "  2  usage error\n"
           "  3  the link cannot be opened (no such port, busy, permission, address in use)\n"
           "  4  the call or stream timed out (nobody answered)\n"
           "  5  the link broke during the transfer\n"
           "  6  the peer broke the protocol (bad packet, over a limit)\n"
           "  7  the result is not what the command expects\n"
           "  8  a local file cannot be read or written\n");
}
