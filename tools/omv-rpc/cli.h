/*
 * omv-rpc: what every subcommand shares: the link options, the option
 * parser, opening a master or slave on the chosen link, and Ctrl-C.
 */
#ifndef OMV_RPC_CLI_H
#define OMV_RPC_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <omv_rpc/omv_rpc.h>

#include "cli_platform.h"
#include "exit_codes.h"

/* The link chosen on the command line. Exactly one of port / uart /
 * net_host applies; port "auto" is the default. */
typedef struct cli_link_opts {
    const char *port;     /* USB VCP device, or "auto" */
    const char *uart;     /* UART device (then baud applies) */
    const char *cam;      /* OpenMV Protocol V2 port or "auto": rpc over its "rpc" channel */
    uint32_t baud;        /* UART rate; 0: OpenMV's default 9600 */
    const char *net_host; /* the peer's address (master) */
    const char *bind;     /* own address to bind ("any" when NULL) */
    uint16_t net_port;    /* 0: 7610 */
    int net;              /* --net given (a slave may give it without a host) */
    /* Network slave: the only masters it may serve (sim --allow-master);
     * none: any. */
    const char *const *allowed_masters;
    size_t allowed_master_count;
    int pty;               /* --pty (sim only) */
    const char *can;       /* SocketCAN interface, e.g. "can0" */
    int kvaser;            /* Kvaser CANlib channel; -1: none */
    uint32_t can_id;       /* CAN message ID (default 0x7FF) */
    uint32_t sample_point; /* CAN sample point, percent (default 75) */
    const char *i2c;       /* i2c-dev device (master only) */
    uint32_t i2c_address;  /* default 0x12 */
    const char *spi;       /* spidev device (master only) */
    uint32_t spi_mode;     /* default 2 */
    uint32_t bus_rate;     /* CAN bit rate, I2C or SPI clock; 0: the link's default */
    uint32_t send_timeout_ms;
    uint32_t recv_timeout_ms;
    int quiet;   /* no progress bar, fewer messages */
    int verbose; /* library log lines on stderr */
} cli_link_opts;

/* A subcommand's handler for its own options: return 0, or non-zero for a
 * usage error (after printing why). */
typedef int (*cli_option_fn)(void *ctx, int opt, const char *arg);

/* Parse argv (argv[0] is the subcommand's name) with the link options and
 * the subcommand's `extra` options (a table ending with a zero entry; NULL
 * for none). `slave` non-zero: --net takes no host (the slave learns its
 * master), --pty is allowed and is the default link. Two link options
 * are a usage error naming both. Fills `opts` (defaults first). On success returns 0 and sets
 * *first_arg to the index of the first positional argument. Returns
 * CLI_EXIT_USAGE on a bad option, or -1 when --help was shown (the caller
 * then prints its own help and exits 0). */
int cli_parse(int argc, char **argv, const struct option *extra, cli_option_fn fn, void *ctx,
              int slave, cli_link_opts *opts, int *first_arg);

/* Text for --help: the link options every master subcommand takes, or
 * (`slave`) those a slave has. */
void cli_print_link_help(int slave);

/* Parse a decimal number in [min, max] (leading zeros are just zeros, not
 * octal); 0 on success, -1 (after a message naming `what`) otherwise. */
int cli_parse_u32(const char *text, uint32_t min, uint32_t max, const char *what, uint32_t *out);
/* The same for IDs and addresses, which also take 0x hex (--can-id 0x7FF). */
int cli_parse_id(const char *text, uint32_t min, uint32_t max, const char *what, uint32_t *out);

/* For options given before the command (omv-rpc -v call ...): -1 when
 * `arg` is not a link option (or -q / -v), else how many following
 * arguments it takes (0 or 1). */
int cli_link_option_arity(const char *arg);

/* Open the chosen link (not --pty) for a master or (`slave`) a slave.
 * Returns a CLI_EXIT_* (a message on stderr on failure). */
int cli_open_link(const cli_link_opts *opts, int slave, omv_rpc_link *link);

/* Open a master on the chosen link. Returns a CLI_EXIT_* (a message on
 * stderr on failure). */
int cli_open_master(const cli_link_opts *opts, omv_rpc_master **out);

/* A V2 host on `where`: "udp:HOST[:PORT]" (a camera script's network
 * transport; port 5555 by default), else a serial port or "auto" (USB:
 * baud 0, or a script's V2 UART transport at `baud`). Not yet connected.
 * Returns the library's status (no message). */
struct omv_rpc_v2;
struct omv_rpc_v2_config;
omv_rpc_status cli_open_v2(const char *where, uint32_t baud, const struct omv_rpc_v2_config *config,
                           struct omv_rpc_v2 **out);

/* The log hook (stderr) the tools give the library: warnings and errors
 * always; with --verbose every line, each with the time of day. */
omv_rpc_log cli_log(const cli_link_opts *opts);

/* With --verbose, a line on stderr like the library's (with the time). */
void cli_verbose(const cli_link_opts *opts, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(CLI_PRINTF_FORMAT, 2, 3)))
#endif
    ;

/* Before a call: what cli_call_note needs to count its attempts. */
typedef struct cli_call_start {
    uint32_t retries;
    uint64_t ms;
} cli_call_start;
cli_call_start cli_call_begin(omv_rpc_master *master);
/* With --verbose, after a call: its status, result length, attempts, time
 * taken and the timeouts it had. */
void cli_call_note(omv_rpc_master *master, const cli_link_opts *opts, const char *name,
                   omv_rpc_status st, const cli_call_start *start, size_t result_len);

/* omv_rpc_master_call with the link's timeouts and the -v note.
 * `result` / `result_len` may be NULL. */
omv_rpc_status cli_call(omv_rpc_master *master, const cli_link_opts *opts, const char *name,
                        const void *arg, size_t arg_len, const uint8_t **result,
                        size_t *result_len);

/* The stream queue depth of `stream`, `view` and `demo` unless
 * --queue-depth says otherwise: the writer keeps up to half of it in
 * flight, so 4 lets two frames cross while the last one is handled. */
#define CLI_DEFAULT_QUEUE_DEPTH 4

/* Ctrl-C / SIGTERM: the handler sets cli_interrupted, stops the slave
 * registered with cli_set_stoppable_slave and aborts what the master of
 * cli_open_master is doing (its call returns OMV_RPC_ERR_ABORTED within
 * about 100 ms). SIGPIPE is ignored so that a closed pipe shows up as
 * EPIPE. Free that master with cli_free_master, which unregisters it. */
extern volatile sig_atomic_t cli_interrupted;
void cli_install_signals(void);
void cli_set_stoppable_slave(omv_rpc_slave *slave);
void cli_set_abortable_master(omv_rpc_master *master);
void cli_free_master(omv_rpc_master *master);

/* Print "omv-rpc: <what>: <status message>" on stderr. */
void cli_report(const char *what, omv_rpc_status status);

/* Read a whole file ("-": stdin) into a malloc'd buffer. 0 or CLI_EXIT_FILE. */
int cli_read_file(const char *path, uint8_t **data, size_t *len);
/* Write `len` bytes to a file ("-": stdout). 0 or CLI_EXIT_FILE. */
int cli_write_file(const char *path, const uint8_t *data, size_t len);
/* Write all bytes to a descriptor; 0, or -1 with errno set. */
int cli_write_all(int fd, const uint8_t *data, size_t len);

/* Monotonic milliseconds (for rates and the progress bar). */
uint64_t cli_now_ms(void);

#endif
