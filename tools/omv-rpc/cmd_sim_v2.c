/* omv-rpc sim --v2: the V2 virtual camera (OpenMV Protocol V2, as current
 * firmware speaks it on USB) on a new pseudo-terminal, whose path is the
 * first line on stdout. Ends cleanly on SIGINT / SIGTERM.
 * Options: --framesize NAME (the JPEG stream's, default QVGA). Scripts
 * (omv-rpc cam exec/run) follow sim/sim_v2_script.c's rules. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <omv_rpc/serial.h>
#include <omv_rpc/sim.h>

#include "commands.h"
#include "exit_codes.h"
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
    struct termios tio;
    const char *name;
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
    fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || !(name = ptsname(fd)) ||
        strlen(name) >= sizeof path) {
        fprintf(stderr, "omv-rpc sim --v2: no pseudo-terminal: %s\n", strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return CLI_EXIT_LINK_OPEN;
    }
    snprintf(path, sizeof path, "%s", name);
    /* The terminal side stays open (raw) so that the controlling side does
     * not read as hung up between two hosts' sessions. */
    term = open(path, O_RDWR | O_NOCTTY);
    if (term < 0 || tcgetattr(term, &tio) != 0) {
        fprintf(stderr, "omv-rpc sim --v2: cannot open %s: %s\n", path, strerror(errno));
        close(fd);
        return CLI_EXIT_LINK_OPEN;
    }
    cfmakeraw(&tio);
    (void)tcsetattr(term, TCSANOW, &tio);
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
