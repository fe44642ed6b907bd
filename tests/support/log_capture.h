/* A log hook that keeps every line, so a test can check that a failure
 * was explained (strstr on the text); lines also go to ts_log. */
#ifndef OMV_RPC_LOG_CAPTURE_H
#define OMV_RPC_LOG_CAPTURE_H

#include "test_support.h"

typedef struct ts_log_capture {
    char text[2048]; /* the lines, each ended by '\n'; what does not fit is dropped */
} ts_log_capture;

/* The omv_rpc_log function; user_data is a ts_log_capture. */
void ts_capture(void *user_data, omv_rpc_log_level level, const char *message);

#endif
