#include "link_log.h"

#include <stdio.h>

void omvrpc_link_vlogf(const omv_rpc_log *log, omv_rpc_log_level level, const char *fmt,
                       va_list ap)
{
    if (!log || !log->fn) {
        return; /* no hook: do not even format */
    }
    char line[768];
    vsnprintf(line, sizeof line, fmt, ap);
    log->fn(log->user_data, level, line);
}
