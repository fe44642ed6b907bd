/* omv-rpc sim --v2: the V2 virtual camera (OpenMV Protocol V2, as current
 * firmware speaks it on USB) on a new pseudo-terminal, whose path is the
 * first line on stdout. Ends cleanly on SIGINT / SIGTERM.
 * Options: --framesize NAME (the JPEG stream's, default QVGA). Scripts
 * (omv-rpc cam exec/run) follow sim/sim_v2_script.c's rules. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omv_rpc/serial.h>
#include <omv_rpc/sim.h>

#include "commands.h"
#include "exit_codes.h"
#include "sim_host.h"
#include "sim_v2.h"

static omv_rpc_sim_v2 *volatile running_dev;

static void on_signal(int sig)
{
    (void)sig;
    omv_rpc_sim_v2_stop(running_dev); /* an atomic store: async-signal-safe */
}

int cmd_sim_v2(int argc, char **argv)
{
    omv_rpc_sim_v2_options opt = {0};
    omv_rpc_sim *sim = NULL;
    omv_rpc_sim_v2 *dev = NULL;
    omv_rpc_link link;
    char path[128];
    int fd, term;
    omv_rpc_status st;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--v2")) {
            continue;
        }
        if (!strcmp(argv[i], "--framesize") && i + 1 < argc) {
            int w, h;
            opt.framesize = argv[++i];
            if (omv_rpc_sim_parse_framesize(opt.framesize, strlen(opt.framesize), &w, &h) != OMV_RPC_OK) {
                fprintf(stderr, "omv-rpc sim --v2: unknown frame size %s\n", opt.framesize);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: omv-rpc sim --v2 [--framesize NAME]\n"
                   "  The V2 virtual camera on a new pseudo-terminal (path on stdout).\n"
                   "  Scripts: print(\"...\") lines go to stdout, time.sleep_ms(N) waits,\n"
                   "  protocol.register(\"name\") adds a loopback channel, while True: repeats.\n");
            return CLI_EXIT_OK;
        }
        fprintf(stderr, "omv-rpc sim --v2: unknown option %s\n", argv[i]);
        return CLI_EXIT_USAGE;
    }
    int rc = cli_open_pty(&fd, &term, path, sizeof path);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    st = omv_rpc_serial_open_fd(&link, fd, path, 0, NULL);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_sim_new(&sim);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_sim_v2_new(&dev, sim, &opt);
    }
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "omv-rpc sim --v2: %s\n", omv_rpc_status_message(st));
        omv_rpc_link_close(&link);
        omv_rpc_sim_free(sim);
        close(term);
        return CLI_EXIT_FAILURE;
    }
    running_dev = dev;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("%s\n", path);
    fflush(stdout);
    fprintf(stderr, "omv-rpc sim --v2: OpenMV Protocol V2 camera on %s (Ctrl-C ends)\n", path);
    st = omv_rpc_sim_v2_serve(dev, &link);
    omv_rpc_link_close(&link);
    omv_rpc_sim_v2_free(dev);
    omv_rpc_sim_free(sim);
    close(term);
    return st == OMV_RPC_ERR_STOPPED ? CLI_EXIT_OK : CLI_EXIT_LINK_BROKEN;
}
