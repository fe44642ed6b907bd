/* omv-rpc: talk to an OpenMV Cam (or the virtual one) over the RPC
 * protocol from the command line. One command, subcommands dispatched from
 * the table below; each lives in its own cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#ifdef OMV_RPC_CLI_HAVE_BENCH
#include "bench.h"
#endif

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand subcommands[] = {
    {"ports", cmd_ports, "list serial ports; OpenMV Cams are marked"},
    {"call", cmd_call, "call a remote function; the result's bytes go to stdout"},
    {"stream", cmd_stream, "call, then read a stream of frames (to files or stdout)"},
    {"snapshot", cmd_snapshot, "save a JPEG snapshot (chunked or cut-through)"},
    {"features", cmd_features, "run the popular detections and print the results"},
#ifdef OMV_RPC_CLI_HAVE_VIEW
    {"view", cmd_view, "show the live JPEG stream in a window"},
#endif
#ifdef OMV_RPC_CLI_HAVE_SIM
    {"sim", cmd_sim, "run the virtual OpenMV Cam as a slave (--pty, --port, --net)"},
    {"demo", cmd_demo, "the virtual camera on a pseudo-terminal, and a tour of it"},
#endif
#ifdef OMV_RPC_CLI_HAVE_BENCH
    {"bench", omv_rpc_bench_main, "measure each link against its raw limit (see bench/)"},
#endif
};
#define SUBCOMMAND_COUNT (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
    fprintf(out, "Usage: omv-rpc COMMAND [options]   (omv-rpc COMMAND --help for details)\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++) {
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    }
    fprintf(out, "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        cli_print_link_help();
        printf("\n");
        cli_print_exit_codes();
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "omv-rpc: no command named \"%s\"\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
