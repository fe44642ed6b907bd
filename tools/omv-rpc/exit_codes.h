/*
 * omv-rpc: the exit statuses, one per kind of failure, so that scripts can
 * tell "the camera is not there" from "the camera did not answer".
 * `omv-rpc --help` lists them (cli_print_exit_codes).
 */
#ifndef OMV_RPC_CLI_EXIT_CODES_H
#define OMV_RPC_CLI_EXIT_CODES_H

#include <omv_rpc/status.h>

enum cli_exit_code {
    CLI_EXIT_OK = 0,          /* the command completed (an empty result included) */
    CLI_EXIT_FAILURE = 1,     /* anything else: out of memory, an internal error */
    CLI_EXIT_USAGE = 2,       /* bad command line */
    CLI_EXIT_LINK_OPEN = 3,   /* the link cannot be opened (no such port, busy, ...) */
    CLI_EXIT_TIMEOUT = 4,     /* the call (or stream) timed out: nobody answered */
    CLI_EXIT_LINK_BROKEN = 5, /* the link broke during the transfer */
    CLI_EXIT_PROTOCOL = 6,    /* the peer broke the protocol or a limit */
    CLI_EXIT_BAD_RESULT = 7,  /* the result is not what the command expects */
    CLI_EXIT_FILE = 8         /* a local file cannot be read or written */
};

/* The exit status for a library status returned by a call or stream. */
int cli_exit_for_call(omv_rpc_status status);
/* The exit status for a library status returned while opening a link. */
int cli_exit_for_open(omv_rpc_status status);
/* Print the table above (for --help). */
void cli_print_exit_codes(void);

#endif
