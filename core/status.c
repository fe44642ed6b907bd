/* Names and messages of omv_rpc_status values. */
#include "omv_rpc/status.h"

typedef struct status_text {
    omv_rpc_status status;
    const char *name;
    const char *message;
} status_text;

static const status_text texts[] = {
    {OMV_RPC_OK, "OMV_RPC_OK", "success"},
    {OMV_RPC_ERR_TIMEOUT, "OMV_RPC_ERR_TIMEOUT", "timed out"},
    {OMV_RPC_ERR_SEND_TIMEOUT, "OMV_RPC_ERR_SEND_TIMEOUT",
     "the slave did not take the command in time (call phase 1)"},
    {OMV_RPC_ERR_RECV_TIMEOUT, "OMV_RPC_ERR_RECV_TIMEOUT",
     "no valid result arrived in time (call phase 2)"},
    {OMV_RPC_ERR_TOO_LARGE, "OMV_RPC_ERR_TOO_LARGE",
     "the data is larger than the configured limit"},
    {OMV_RPC_ERR_BAD_PACKET, "OMV_RPC_ERR_BAD_PACKET",
     "a packet had the wrong magic, length or CRC"},
    {OMV_RPC_ERR_STREAM_ENDED, "OMV_RPC_ERR_STREAM_ENDED", "the stream peer ended the stream"},
    {OMV_RPC_ERR_STOPPED, "OMV_RPC_ERR_STOPPED", "stopped on request"},
    {OMV_RPC_ERR_BUFFER_TOO_SMALL, "OMV_RPC_ERR_BUFFER_TOO_SMALL",
     "the buffer is too small for the data"},
    {OMV_RPC_ERR_ABORTED, "OMV_RPC_ERR_ABORTED", "aborted on request"},
    {OMV_RPC_ERR_INVALID_ARG, "OMV_RPC_ERR_INVALID_ARG", "invalid argument"},
    {OMV_RPC_ERR_NO_MEMORY, "OMV_RPC_ERR_NO_MEMORY", "out of memory"},
    {OMV_RPC_ERR_UNSUPPORTED, "OMV_RPC_ERR_UNSUPPORTED", "not supported on this platform or link"},
    {OMV_RPC_ERR_FULL, "OMV_RPC_ERR_FULL", "the table is full"},
    {OMV_RPC_ERR_LINK, "OMV_RPC_ERR_LINK", "input/output error on the link"},
    {OMV_RPC_ERR_CLOSED, "OMV_RPC_ERR_CLOSED", "the link was closed by the other side"},
    {OMV_RPC_ERR_NO_SUCH_PORT, "OMV_RPC_ERR_NO_SUCH_PORT", "no such port or interface"},
    {OMV_RPC_ERR_PERMISSION, "OMV_RPC_ERR_PERMISSION", "permission denied"},
    {OMV_RPC_ERR_BUSY, "OMV_RPC_ERR_BUSY", "the port is in use by another program"},
    {OMV_RPC_ERR_NO_DEVICE, "OMV_RPC_ERR_NO_DEVICE", "no OpenMV Cam is attached"},
    {OMV_RPC_ERR_AMBIGUOUS, "OMV_RPC_ERR_AMBIGUOUS",
     "several OpenMV Cams are attached: name the port"},
    {OMV_RPC_ERR_ADDR_IN_USE, "OMV_RPC_ERR_ADDR_IN_USE", "the address and port are already in use"},
    {OMV_RPC_ERR_HOST_NOT_FOUND, "OMV_RPC_ERR_HOST_NOT_FOUND", "host not found"},
    {OMV_RPC_ERR_UNREACHABLE, "OMV_RPC_ERR_UNREACHABLE", "network or host unreachable"},
    {OMV_RPC_ERR_REFUSED, "OMV_RPC_ERR_REFUSED", "connection refused"},
    {OMV_RPC_ERR_LINK_DOWN, "OMV_RPC_ERR_LINK_DOWN", "the interface is down or the bus is off"},
    {OMV_RPC_ERR_NOT_READY, "OMV_RPC_ERR_NOT_READY", "the slave is not ready"},
    {OMV_RPC_ERR_NAK, "OMV_RPC_ERR_NAK", "the camera refused the command"},
    {OMV_RPC_ERR_RESET, "OMV_RPC_ERR_RESET",
     "the camera restarted its protocol during the command"},
};

static const status_text *find(omv_rpc_status status)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (texts[i].status == status) {
            return &texts[i];
        }
    }
    return NULL;
}

const char *omv_rpc_status_name(omv_rpc_status status)
{
    const status_text *t = find(status);
    return t ? t->name : "OMV_RPC_UNKNOWN";
}

const char *omv_rpc_status_message(omv_rpc_status status)
{
    const status_text *t = find(status);
    return t ? t->message : "unknown status";
}
