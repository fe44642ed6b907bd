/* printf-style log lines through the user's hook, for every shipped link.
 * Not installed. */
#ifndef OMV_RPC_LINK_LOG_H
#define OMV_RPC_LINK_LOG_H

#include "omv_rpc/status.h"

/* Format and hand one line to log->fn; nothing without a hook (`log` may
 * be NULL). Lines are cut at 767 bytes, room for a device path and an OS
 * error text. */
void omvrpc_link_logf(const omv_rpc_log *log, omv_rpc_log_level level, const char *fmt, ...)
#if defined(__MINGW32__) /* its C99 printf (__USE_MINGW_ANSI_STDIO), not msvcrt's */
    __attribute__((format(gnu_printf, 3, 4)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
