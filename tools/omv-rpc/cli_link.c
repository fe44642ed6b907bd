/* omv-rpc: opening a master on the link the command line names. */
#include <stdio.h>

#include <omv_rpc/net.h>
#include <omv_rpc/serial.h>

#include "cli.h"

static void log_to_stderr(void *user_data, omv_rpc_log_level level, const char *message)
{
    const cli_link_opts *opts = user_data;
    /* Errors and warnings (e.g. how to fix a USB-serial latency timer) are
     * always worth reading; the retry chatter only with --verbose. */
    if (level <= OMV_RPC_LOG_WARNING || opts->verbose) {
        fprintf(stderr, "omv-rpc: %s\n", message);
    }
}

omv_rpc_log cli_log(const cli_link_opts *opts)
{
    omv_rpc_log log = {log_to_stderr, (void *)opts};
    return log;
}

int cli_open_master(const cli_link_opts *opts, omv_rpc_master **out)
{
    omv_rpc_log log = cli_log(opts);
    omv_rpc_link link = {0};
    omv_rpc_status st;
    const char *what;
    if (opts->net) {
        what = opts->net_host;
        st = omv_rpc_net_master_open(&link, opts->net_host, opts->bind, opts->net_port, &log);
    } else if (opts->uart != NULL) {
        what = opts->uart;
        st = omv_rpc_serial_open(&link, opts->uart,
                                 opts->baud != 0 ? opts->baud : OMV_RPC_UART_DEFAULT_BAUD, &log);
    } else {
        what = opts->port;
        st = omv_rpc_serial_open(&link, opts->port, 0, &log);
    }
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "omv-rpc: cannot open %s: %s\n", what, omv_rpc_status_message(st));
        return cli_exit_for_open(st);
    }
    omv_rpc_config config = {0};
    config.log = log;
    st = omv_rpc_master_new(out, &link, &config);
    if (st != OMV_RPC_OK) {
        cli_report("cannot create the master", st);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
