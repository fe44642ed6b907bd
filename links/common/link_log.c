#include "link_log.h"

#include <stdarg.h>
#include <stdio.h>

void omvrpc_link_logf(const omv_rpc_log *log, omv_rpc_log_level level, const char *fmt, ...)
{
    if (!log || !log->fn) {
        return; /* no hook: do not even format */
    }
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log->fn(log->user_data, level, line);
}
