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
    {"cam", cmd_cam, "a camera with current firmware (OpenMV Protocol V2): info, run, frames..."},
    {"call", cmd_call, "call a remote function; the result's bytes go to stdout"},
    {"stream", cmd_stream, "call, then read the frames that follow (stdout, a file or a folder)"},
    {"snapshot", cmd_snapshot, "save a JPEG snapshot (chunked or cut-through)"},
    {"features", cmd_features, "run the popular detections and print the results"},
#ifdef OMV_RPC_CLI_HAVE_VIEW
    {"view", cmd_view, "show the live JPEG stream in a window"},
#endif
#ifdef OMV_RPC_CLI_HAVE_SIM
    {"sim", cmd_sim, "run the virtual OpenMV Cam as a slave (a new pseudo-terminal by default)"},
    {"demo", cmd_demo, "the virtual camera on a pseudo-terminal, and a tour of it"},
#endif
#ifdef OMV_RPC_CLI_HAVE_BENCH
    {"bench", omv_rpc_bench_main, "measure each link against its raw limit"},
#endif
};
#define SUBCOMMAND_COUNT (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
    fprintf(out, "Usage: omv-rpc [link options] COMMAND [options]\n"
                 "       omv-rpc help COMMAND   (or omv-rpc COMMAND --help)\n"
                 "       omv-rpc --version\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++) {
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    }
    fprintf(out, "\n");
}

static const subcommand *find_subcommand(const char *name)
{
    for (size_t i = 0; i < SUBCOMMAND_COUNT; i++) {
        if (strcmp(name, subcommands[i].name) == 0) {
            return &subcommands[i];
        }
    }
    return NULL;
}

static int no_such_command(const char *name)
{
    fprintf(stderr, "omv-rpc: no command named \"%s\"\n\n", name);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

static int full_help(void)
{
    usage(stdout);
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
    return CLI_EXIT_OK;
}

/* omv-rpc help [COMMAND]: the command's own --help. */
static int help(int argc, char **argv)
{
    if (argc < 3) {
        return full_help();
    }
    const subcommand *cmd = find_subcommand(argv[2]);
    if (cmd == NULL) {
        return no_such_command(argv[2]);
    }
    char *args[] = {argv[2], "--help", NULL};
#ifdef OMV_RPC_CLI_HAVE_BENCH
    static char bench_name[] = "omv-rpc bench";
    if (cmd->run == omv_rpc_bench_main) {
        args[0] = bench_name;
    }
#endif
    return cmd->run(2, args);
}

int main(int argc, char **argv)
{
    /* Results, frames and arguments on stdin/stdout are bytes. */
    cli_binary_stdio();
    /* Link options and -v / -q may come before the command: skip over
     * them to find it, then hand them to the command after its name. */
    int at = 1;
    while (at < argc && argv[at][0] == '-') {
        const char *a = argv[at];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return full_help();
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            /* The library's own version: the one this program runs with. */
            printf("omv-rpc %s\n", omv_rpc_version());
            return CLI_EXIT_OK;
        }
        int arity = cli_link_option_arity(a);
        if (arity < 0) {
            fprintf(stderr, "omv-rpc: unknown option %s before the command (see --help)\n", a);
            return CLI_EXIT_USAGE;
        }
        /* A slave's --net takes no host: `omv-rpc --net sim`. */
        if (arity == 1 && at + 1 < argc && find_subcommand(argv[at + 1]) != NULL &&
            strcmp(a, "--net") == 0) {
            arity = 0;
        }
        if (at + arity >= argc) {
            fprintf(stderr, "omv-rpc: missing the argument of %s (see --help)\n", a);
            return CLI_EXIT_USAGE;
        }
        at += 1 + arity;
    }
    if (at >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[at], "help") == 0) {
        return help(argc - at + 1, argv + at - 1);
    }
    const subcommand *cmd = find_subcommand(argv[at]);
    if (cmd == NULL) {
        return no_such_command(argv[at]);
    }
    /* argv becomes COMMAND, the options given before it, the rest. */
    char *name = argv[at];
    for (int i = at; i > 1; i--) {
        argv[i] = argv[i - 1];
    }
    argv[1] = name;
#ifdef OMV_RPC_CLI_HAVE_BENCH
    /* bench names itself by argv[0] in its messages (it is also a program
     * of its own): here it is a command of omv-rpc's. */
    static char bench_name[] = "omv-rpc bench";
    if (cmd->run == omv_rpc_bench_main) {
        argv[1] = bench_name;
    }
#endif
    return cmd->run(argc - 1, argv + 1);
}
