/* printf-style log lines through the user's hook, shared by the links'
 * own logf functions (omvrpc_can_logf, omvrpc_bus_logf, omvrpc_net_logf,
 * omvrpc_serial_logf). Not installed. */
#ifndef OMV_RPC_LINK_LOG_H
#define OMV_RPC_LINK_LOG_H

#include <stdarg.h>

#include "omv_rpc/status.h"

/* Format and hand one line to log->fn; nothing without a hook. Lines are
 * cut at 767 bytes, room for a device path and an OS error text. */
void omvrpc_link_vlogf(const omv_rpc_log *log, omv_rpc_log_level level, const char *fmt,
                       va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

#endif
