/* omv-rpc: what goes to stderr besides errors: the library's log lines
 * (warnings always; every line with -v, each with the time of day) and,
 * with -v, a line per call (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "cli_platform.h"

/* "HH:MM:SS.mmm " of the wall clock, for -v lines. */
static void timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t secs = ts.tv_sec;
    if (cli_localtime(secs, &tm) != 0) {
        snprintf(buf, size, "? ");
        return;
    }
    snprintf(buf, size, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
             ts.tv_nsec / 1000000L);
}

static void log_to_stderr(void *user_data, omv_rpc_log_level level, const char *message)
{
    const cli_link_opts *opts = user_data;
    /* Errors and warnings (e.g. how to fix a USB-serial latency timer) are
     * always worth reading; the retry chatter only with --verbose. */
    if (opts->verbose) {
        char when[32];
        timestamp(when, sizeof(when));
        fprintf(stderr, "omv-rpc: %s%s\n", when, message);
    } else if (level <= OMV_RPC_LOG_WARNING) {
        fprintf(stderr, "omv-rpc: %s\n", message);
    }
}

void cli_verbose(const cli_link_opts *opts, const char *fmt, ...)
{
    if (!opts->verbose) {
        return;
    }
    char when[32], line[512];
    timestamp(when, sizeof(when));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "omv-rpc: %s%s\n", when, line);
}

void cli_call_note(omv_rpc_master *master, const cli_link_opts *opts, const char *name,
                   omv_rpc_status st, const cli_call_start *start, size_t result_len)
{
    uint32_t attempts = omv_rpc_master_retries(master) - start->retries + 1u;
    unsigned long long ms = (unsigned long long)(cli_now_ms() - start->ms);
    if (st == OMV_RPC_OK) {
        cli_verbose(opts,
                    "call %s: OK, %zu-byte result, %lu attempt%s, %llu ms (timeouts %lu ms "
                    "to send, %lu ms to receive)",
                    name, result_len, (unsigned long)attempts, attempts == 1 ? "" : "s", ms,
                    (unsigned long)opts->send_timeout_ms, (unsigned long)opts->recv_timeout_ms);
    } else {
        cli_verbose(opts,
                    "call %s: %s after %lu attempt%s, %llu ms (timeouts %lu ms to send, "
                    "%lu ms to receive)",
                    name, omv_rpc_status_name(st), (unsigned long)attempts,
                    attempts == 1 ? "" : "s", ms, (unsigned long)opts->send_timeout_ms,
                    (unsigned long)opts->recv_timeout_ms);
    }
}

cli_call_start cli_call_begin(omv_rpc_master *master)
{
    cli_call_start start = {omv_rpc_master_retries(master), cli_now_ms()};
    return start;
}

omv_rpc_status cli_call(omv_rpc_master *master, const cli_link_opts *opts, const char *name,
                        const void *arg, size_t arg_len, const uint8_t **result, size_t *result_len)
{
    const uint8_t *r = NULL;
    size_t len = 0;
    cli_call_start start = cli_call_begin(master);
    omv_rpc_status st = omv_rpc_master_call(master, name, arg, arg_len, &r, &len,
                                            opts->send_timeout_ms, opts->recv_timeout_ms);
    cli_call_note(master, opts, name, st, &start, len);
    if (result != NULL) {
        *result = r;
    }
    if (result_len != NULL) {
        *result_len = len;
    }
    return st;
}

omv_rpc_log cli_log(const cli_link_opts *opts)
{
    omv_rpc_log log = {log_to_stderr, (void *)opts};
    return log;
}
