#include "log_capture.h"

#include <string.h>

void ts_capture(void *user_data, omv_rpc_log_level level, const char *message)
{
    ts_log_capture *c = user_data;
    size_t used = strlen(c->text);
    if (used + strlen(message) + 2 < sizeof c->text) {
        strcat(c->text, message);
        strcat(c->text, "\n");
    }
    ts_log(NULL, level, message);
}
