/* omv-rpc: hosting the virtual camera (omvrpc_sim) as a slave on a link:
 * an existing serial port, a new pseudo-terminal, or the network. Used by
 * `omv-rpc sim` (in the foreground) and `omv-rpc demo` (on a thread). */
#ifndef OMV_RPC_CLI_SIM_HOST_H
#define OMV_RPC_CLI_SIM_HOST_H

#include <omv_rpc/sim.h>

#include "cli.h"

typedef struct cli_sim_host {
    omv_rpc_sim *sim;
    omv_rpc_slave *slave;
    /* --pty: the terminal side, which we keep open so that the controlling
     * side never reads as hung up (EIO) between two masters' sessions. */
    int pty_terminal_fd;
    char pty_path[128];
} cli_sim_host;

/* What `omv-rpc sim` asks of the camera beyond the defaults. */
typedef struct cli_sim_settings {
    uint32_t fps;               /* --fps: jpeg_image_stream's pace; 0 as fast as it can */
    uint32_t check_us_per_byte; /* --check-us-per-byte: a camera's CRC speed; 0 instant */
    const char *scene_path;     /* --scene: a scene file; NULL the built-in scene */
    int openmv_timeouts;        /* --openmv-timeouts: OpenMV's camera's slave timing */
} cli_sim_settings;

/* Open the link `opts` names (pty, net, uart or port) and attach the
 * virtual camera to a slave on it. Returns a CLI_EXIT_* (message on
 * stderr); on failure everything is released. */
int cli_sim_host_open(cli_sim_host *host, const cli_link_opts *opts,
                      const cli_sim_settings *settings);
void cli_sim_host_close(cli_sim_host *host);

/* A new pseudo-terminal: *controller_fd is its controlling side (for the
 * slave link), *terminal_fd its terminal side opened raw and kept open (see
 * pty_terminal_fd), `path` the terminal side's name for masters to open.
 * Returns a CLI_EXIT_* (message on stderr). */
int cli_open_pty(int *controller_fd, int *terminal_fd, char *path, size_t size);

/* Where masters find the camera, in words: the terminal's path, the
 * address:port it listens on, or the CAN interface and ID. */
void cli_sim_host_where(const cli_sim_host *host, const cli_link_opts *opts, char *buf,
                        size_t size);

#endif
