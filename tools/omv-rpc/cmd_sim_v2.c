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
#include <omv_rpc/v2.h>

#include "cli.h"
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
    int fd = -1, term = -1;
    uint32_t udp_port = 0;
    omv_rpc_status st;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--v2")) {
            continue;
        }
        if (!strcmp(argv[i], "--framesize") && i + 1 < argc) {
            int w, h;
            opt.framesize = argv[++i];
            if (omv_rpc_sim_parse_framesize(opt.framesize, strlen(opt.framesize), &w, &h) !=
                OMV_RPC_OK) {
                fprintf(stderr, "omv-rpc sim --v2: unknown frame size %s\n", opt.framesize);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        if ((!strcmp(argv[i], "--udp") || !strcmp(argv[i], "--task-ms") ||
             !strcmp(argv[i], "--max-payload")) &&
            i + 1 < argc) {
            const char *name = argv[i];
            uint32_t v;
            int udp = !strcmp(name, "--udp"), task = !strcmp(name, "--task-ms");
            if (cli_parse_u32(argv[++i],
                              udp    ? 1
                              : task ? 0
                                     : OMV_RPC_V2_MIN_PAYLOAD,
                              udp    ? 65535
                              : task ? 1000
                                     : OMV_RPC_V2_MAX_PAYLOAD,
                              name, &v) != 0) {
                return CLI_EXIT_USAGE;
            }
            if (udp) {
                udp_port = v;
            } else if (task) {
                opt.task_ms = v;
            } else {
                opt.max_payload = (uint16_t)v;
            }
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: omv-rpc sim --v2 [--framesize NAME] [--udp PORT] [--task-ms N]\n"
                   "                        [--max-payload N]\n"
                   "  The V2 virtual camera on a new pseudo-terminal (path on stdout), or with\n"
                   "  --udp on UDP port PORT (udp:PORT on stdout; it answers the last sender,\n"
                   "  as the firmware's network transport example; max payload 1400 there).\n"
                   "  --task-ms N: commands wait for the protocol task's next run, every N ms\n"
                   "  (the camera's is 50; default 0: at once). --max-payload N: the default\n"
                   "  max payload a camera script set (50..4082).\n"
                   "  Scripts: print(\"...\") lines go to stdout, time.sleep_ms(N) waits,\n"
                   "  protocol.register(\"name\") adds a loopback channel, while True: repeats.\n");
            return CLI_EXIT_OK;
        }
        fprintf(stderr, "omv-rpc sim --v2: unknown option %s\n", argv[i]);
        return CLI_EXIT_USAGE;
    }
    if (udp_port) {
        if (!opt.max_payload) {
            opt.max_payload = OMV_RPC_V2_UDP_MAX_PAYLOAD;
        }
        snprintf(path, sizeof path, "udp:%u", (unsigned)udp_port);
        st = omv_rpc_v2_udp_link_open(&link, NULL, (uint16_t)udp_port);
        if (st != OMV_RPC_OK) {
            fprintf(stderr, "omv-rpc sim --v2: cannot listen on UDP port %u: %s\n",
                    (unsigned)udp_port, omv_rpc_status_message(st));
            return cli_exit_for_open(st);
        }
    } else {
        int rc = cli_open_pty(&fd, &term, path, sizeof path);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        st = omv_rpc_serial_open_fd(&link, fd, path, 0, NULL);
    }
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
        if (term >= 0) {
            close(term);
        }
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
    if (term >= 0) {
        close(term);
    }
    return st == OMV_RPC_ERR_STOPPED ? CLI_EXIT_OK : CLI_EXIT_LINK_BROKEN;
}
