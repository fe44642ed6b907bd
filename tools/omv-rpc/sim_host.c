/* omv-rpc: the virtual camera on a link (see sim_host.h). */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include "sim_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <termios.h>
#include <unistd.h>
#endif

#include <omv_rpc/net.h>
#include <omv_rpc/serial.h>

#ifdef _WIN32
int cli_open_pty(int *controller_fd, int *terminal_fd, char *path, size_t size)
{
    (void)controller_fd;
    (void)terminal_fd;
    (void)path;
    (void)size;
    fprintf(stderr, "omv-rpc: Windows has no pseudo-terminals: give --port COMn (e.g. one end "
                    "of a virtual COM port pair such as com0com's) or --net\n");
    return CLI_EXIT_LINK_OPEN;
}
#else
int cli_open_pty(int *controller_fd, int *terminal_fd, char *path, size_t size)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "omv-rpc: no pseudo-terminal: %s\n", strerror(errno));
        return CLI_EXIT_LINK_OPEN;
    }
    const char *name = NULL;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || (name = ptsname(fd)) == NULL ||
        strlen(name) >= size) {
        fprintf(stderr, "omv-rpc: cannot set up the pseudo-terminal: %s\n", strerror(errno));
        close(fd);
        return CLI_EXIT_LINK_OPEN;
    }
    snprintf(path, size, "%s", name);
    int term = open(path, O_RDWR | O_NOCTTY);
    if (term < 0) {
        fprintf(stderr, "omv-rpc: cannot open %s: %s\n", path, strerror(errno));
        close(fd);
        return CLI_EXIT_LINK_OPEN;
    }
    /* Raw from the start: no echo, no line editing, whoever opens it. */
    struct termios t;
    if (tcgetattr(term, &t) == 0) {
        /* cfmakeraw's effect in POSIX terms (cfmakeraw is BSD's). */
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_oflag &= ~(tcflag_t)OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        t.c_cflag |= CS8;
        tcsetattr(term, TCSANOW, &t);
    }
    fcntl(term, F_SETFD, FD_CLOEXEC);
    *controller_fd = fd;
    *terminal_fd = term;
    return CLI_EXIT_OK;
}
#endif

/* Load the scene file at `path` into the camera; a CLI_EXIT_* (message on
 * stderr). */
static int load_scene(omv_rpc_sim *sim, const char *path)
{
    /* Scene files are small; a bound keeps a wrong path (a device, a
     * huge file) from eating memory. */
    enum { SCENE_MAX = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "omv-rpc sim: cannot open %s: %s\n", path, strerror(errno));
        return CLI_EXIT_FILE;
    }
    char *text = malloc(SCENE_MAX + 1);
    size_t len = text ? fread(text, 1, SCENE_MAX + 1, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!text || read_error || len > SCENE_MAX) {
        fprintf(stderr, "omv-rpc sim: cannot read %s%s\n", path,
                len > SCENE_MAX ? ": larger than 1 MiB" : "");
        free(text);
        return CLI_EXIT_FILE;
    }
    char error[256];
    omv_rpc_status st = omv_rpc_sim_load_scene(sim, text, len, error, sizeof error);
    free(text);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "omv-rpc sim: %s: %s\n", path,
                st == OMV_RPC_ERR_INVALID_ARG ? error : omv_rpc_status_message(st));
        return st == OMV_RPC_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int cli_sim_host_open(cli_sim_host *host, const cli_link_opts *opts,
                      const cli_sim_settings *settings)
{
    static const cli_sim_settings defaults = {0, 0, NULL, 0};
    if (!settings) {
        settings = &defaults;
    }
    memset(host, 0, sizeof(*host));
    host->pty_terminal_fd = -1;
    omv_rpc_log log = cli_log(opts);
    omv_rpc_link link = {0};
    if (opts->pty) {
        int controller = -1;
        int rc = cli_open_pty(&controller, &host->pty_terminal_fd, host->pty_path,
                              sizeof(host->pty_path));
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
#ifdef _WIN32
        (void)controller; /* cli_open_pty failed above */
        omv_rpc_status st = OMV_RPC_ERR_UNSUPPORTED;
#else
        omv_rpc_status st = omv_rpc_serial_open_fd(&link, controller, host->pty_path, 0, &log);
#endif
        if (st != OMV_RPC_OK) {
            fprintf(stderr, "omv-rpc: cannot open %s: %s\n", host->pty_path,
                    omv_rpc_status_message(st));
            cli_sim_host_close(host);
            return cli_exit_for_open(st);
        }
    } else {
        int rc = cli_open_link(opts, 1, &link);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    omv_rpc_config config = {0};
    config.log = log;
    omv_rpc_status st = omv_rpc_sim_checking_link(&link, settings->check_us_per_byte);
    if (st != OMV_RPC_OK) {
        omv_rpc_link_close(&link);
    } else {
        st = omv_rpc_slave_new(&host->slave, &link, &config);
    }
    if (st == OMV_RPC_OK && settings->openmv_timeouts) {
        st = omv_rpc_slave_set_timing(host->slave, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_sim_new(&host->sim);
    }
    if (st == OMV_RPC_OK && settings->scene_path) {
        int rc = load_scene(host->sim, settings->scene_path);
        if (rc != CLI_EXIT_OK) {
            cli_sim_host_close(host);
            return rc;
        }
    }
    if (st == OMV_RPC_OK) {
        omv_rpc_sim_set_fps(host->sim, settings->fps);
        st = omv_rpc_sim_attach(host->sim, host->slave);
    }
    if (st != OMV_RPC_OK) {
        cli_report("cannot start the virtual camera", st);
        cli_sim_host_close(host);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

void cli_sim_host_close(cli_sim_host *host)
{
    omv_rpc_slave_free(host->slave);
    host->slave = NULL;
    omv_rpc_sim_free(host->sim);
    host->sim = NULL;
#ifndef _WIN32
    if (host->pty_terminal_fd >= 0) {
        close(host->pty_terminal_fd);
        host->pty_terminal_fd = -1;
    }
#endif
}

void cli_sim_host_where(const cli_sim_host *host, const cli_link_opts *opts, char *buf, size_t size)
{
    if (opts->pty) {
        snprintf(buf, size, "%s", host->pty_path);
    } else if (opts->net) {
        snprintf(buf, size, "%s:%u (UDP and TCP)", opts->bind != NULL ? opts->bind : "0.0.0.0",
                 (unsigned)(opts->net_port != 0 ? opts->net_port : OMV_RPC_NET_DEFAULT_PORT));
    } else if (opts->can != NULL || opts->kvaser >= 0) {
        char channel[32];
        snprintf(channel, sizeof(channel), "Kvaser channel %d", opts->kvaser);
        snprintf(buf, size, "%s, CAN ID 0x%03lX", opts->can != NULL ? opts->can : channel,
                 (unsigned long)opts->can_id);
    } else {
        snprintf(buf, size, "%s", opts->uart != NULL ? opts->uart : opts->port);
    }
}
