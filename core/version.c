/* The library's version, from the one place it is written (version.h). */
#include "omv_rpc/version.h"

const char *omv_rpc_version(void)
{
    return OMV_RPC_VERSION_STRING;
}
