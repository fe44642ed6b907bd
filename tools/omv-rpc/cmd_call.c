/* omv-rpc call NAME: one remote call; the result's raw bytes (and nothing
 * else) go to stdout or --out, messages to stderr. */
#include <stdio.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "progress.h"

typedef struct call_opts {
    cli_argument arg;
    const char *out;
} call_opts;

enum { OPT_OUT = 'o' };

static int call_option(void *ctx, int opt, const char *arg)
{
    call_opts *c = ctx;
    int r = cli_argument_option(&c->arg, opt, arg);
    if (r != 1) {
        return r;
    }
    if (opt == OPT_OUT) {
        c->out = arg;
        return 0;
    }
    return -1;
}

static void call_help(void)
{
    printf("Usage: omv-rpc call NAME [--data TEXT | --hex HEX | --file PATH|-] [--out PATH|-]\n"
           "Call the remote function NAME once; its result's raw bytes go to stdout\n"
           "(or --out). An unknown function gives an empty result (with -v, a note\n"
           "says so: the protocol cannot tell it from \"nothing found\").\n\n" CLI_ARGUMENT_HELP
           "  -o, --out FILE|-    where the result goes (default stdout; a binary result\n"
           "                      is not written to a terminal unless --out - asks)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_call(int argc, char **argv)
{
    static const struct option extra[] = {CLI_ARGUMENT_OPTIONS,
                                          {"out", required_argument, NULL, OPT_OUT},
                                          {NULL, 0, NULL, 0}};
    call_opts c = {{0}, NULL};
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, call_option, &c, 0, &opts, &first);
    if (rc < 0) {
        call_help();
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc - 1) {
        fprintf(stderr, "omv-rpc call: give one function NAME (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0) {
        rc = cli_out_check("call", c.out, 0);
    }
    if (rc != 0) {
        return rc;
    }
    const char *name = argv[first];
    rc = cli_argument_load(&c.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    if (rc == CLI_EXIT_OK) {
        const uint8_t *result = NULL;
        size_t len = 0;
        cli_progress spinner;
        cli_progress_spin_start(&spinner, name, opts.quiet);
        omv_rpc_status st = cli_call(master, &opts, name, c.arg.bytes, c.arg.len, &result, &len);
        cli_progress_spin_stop(&spinner);
        if (st != OMV_RPC_OK) {
            cli_report(name, st);
            rc = cli_exit_for_call(st);
        } else {
            if (len == 0) {
                cli_verbose(&opts,
                            "%s gave an empty result: the camera has no such function, or "
                            "found nothing (the protocol cannot tell them apart)",
                            name);
            }
            rc = cli_out_check_data("call", c.out, result, len);
            if (rc == CLI_EXIT_OK) {
                rc = cli_write_file(c.out != NULL ? c.out : "-", result, len);
            }
        }
    }
    cli_free_master(master);
    cli_argument_free(&c.arg);
    return rc;
}
