/* omv-rpc: opening the link the command line names, and a master on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omv_rpc/can.h>
#include <omv_rpc/i2c.h>
#include <omv_rpc/net.h>
#include <omv_rpc/serial.h>
#include <omv_rpc/spi.h>
#include <omv_rpc/v2_link.h>

#include "cli.h"

static uint32_t rate_or(const cli_link_opts *opts, uint32_t fallback)
{
    return opts->bus_rate != 0 ? opts->bus_rate : fallback;
}

/* What a network open failed on: the slave's address when it could not be
 * used (a name that does not resolve, 0.0.0.0), else our own address and
 * port (taken, privileged, not an address of this host). */
static const char *net_failed_on(const cli_link_opts *opts, int slave, omv_rpc_status st, char *buf,
                                 size_t size)
{
    int slave_at_fault = !slave && (st == OMV_RPC_ERR_HOST_NOT_FOUND ||
                                    (st == OMV_RPC_ERR_INVALID_ARG && opts->bind == NULL));
    if (slave_at_fault) {
        snprintf(buf, size, "the slave %s", opts->net_host ? opts->net_host : "(none)");
    } else {
        snprintf(buf, size, "local address %s port %u", opts->bind != NULL ? opts->bind : "any",
                 (unsigned)(opts->net_port != 0 ? opts->net_port : OMV_RPC_NET_DEFAULT_PORT));
    }
    return buf;
}

omv_rpc_status cli_open_v2(const char *where, uint32_t baud, const omv_rpc_v2_config *config,
                           omv_rpc_v2 **out)
{
    if (!strncmp(where, "udp:", 4)) {
        char host[256];
        const char *colon = strrchr(where + 4, ':');
        size_t len = colon ? (size_t)(colon - (where + 4)) : strlen(where + 4);
        uint32_t port = OMV_RPC_V2_UDP_DEFAULT_PORT;
        if (!len || len >= sizeof host) {
            return OMV_RPC_ERR_INVALID_ARG;
        }
        memcpy(host, where + 4, len);
        host[len] = '\0';
        if (colon) {
            char *end;
            port = (uint32_t)strtoul(colon + 1, &end, 10);
            if (*end || !port || port > 65535) {
                return OMV_RPC_ERR_INVALID_ARG;
            }
        }
        return omv_rpc_v2_open_udp(out, host, (uint16_t)port, config);
    }
    return omv_rpc_v2_open_serial(out, where, baud, config);
}

/* --cam: a V2 host on the port, connected, and the link over its "rpc"
 * channel (the link owns the host). */
static omv_rpc_status open_cam_link(const cli_link_opts *opts, omv_rpc_link *link)
{
    omv_rpc_v2_config config = {0};
    omv_rpc_v2_link_config link_config = {0};
    omv_rpc_v2 *v2 = NULL;
    config.log = cli_log(opts);
    omv_rpc_status st = cli_open_v2(opts->cam, opts->baud, &config, &v2);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_connect(v2);
        if (st != OMV_RPC_OK) {
            omv_rpc_v2_free(v2);
            return st;
        }
        link_config.flags = OMV_RPC_V2_LINK_OWN_HOST;
        st = omv_rpc_v2_link_open(link, v2, &link_config);
        if (st == OMV_RPC_ERR_NO_DEVICE) {
            fprintf(stderr,
                    "omv-rpc: the camera on %s has no \"%s\" channel: run "
                    "examples/camera/rpc_v2_channel.py on it (omv-rpc cam run FILE, or save "
                    "it as main.py)\n",
                    opts->cam, OMV_RPC_V2_LINK_DEFAULT_CHANNEL);
        }
    }
    return st;
}

int cli_open_link(const cli_link_opts *opts, int slave, omv_rpc_link *link)
{
    omv_rpc_log log = cli_log(opts);
    omv_rpc_status st;
    char what[320];
    const char *name;
    if (opts->net) {
        name = slave ? (opts->bind != NULL ? opts->bind : "the network") : opts->net_host;
        st = slave
                 ? omv_rpc_net_slave_open(link, opts->bind, opts->net_port, opts->allowed_masters,
                                          opts->allowed_master_count, &log)
                 : omv_rpc_net_master_open(link, opts->net_host, opts->bind, opts->net_port, &log);
    } else if (opts->can != NULL) {
        name = opts->can;
        st = omv_rpc_can_open_socketcan(link, opts->can, opts->can_id,
                                        rate_or(opts, OMV_RPC_CAN_DEFAULT_BIT_RATE),
                                        opts->sample_point, &log);
    } else if (opts->kvaser >= 0) {
        snprintf(what, sizeof(what), "Kvaser channel %d", opts->kvaser);
        name = what;
        st = omv_rpc_can_open_kvaser(link, opts->kvaser, opts->can_id,
                                     rate_or(opts, OMV_RPC_CAN_DEFAULT_BIT_RATE),
                                     opts->sample_point, NULL, &log);
    } else if (opts->i2c != NULL) {
        name = opts->i2c;
        st = omv_rpc_i2c_master_open(link, opts->i2c, (uint16_t)opts->i2c_address,
                                     rate_or(opts, OMV_RPC_I2C_DEFAULT_RATE), &log);
    } else if (opts->spi != NULL) {
        name = opts->spi;
        st = omv_rpc_spi_master_open(link, opts->spi, opts->spi_mode,
                                     rate_or(opts, OMV_RPC_SPI_DEFAULT_HZ), &log);
    } else if (opts->cam != NULL && !slave) {
        name = opts->cam;
        st = open_cam_link(opts, link);
    } else if (opts->uart != NULL) {
        name = opts->uart;
        st = omv_rpc_serial_open(link, opts->uart,
                                 opts->baud != 0 ? opts->baud : OMV_RPC_UART_DEFAULT_BAUD, &log);
    } else {
        name = opts->port;
        st = omv_rpc_serial_open(link, opts->port, 0, &log);
    }
    if (st != OMV_RPC_OK) {
        if (opts->net) {
            name = net_failed_on(opts, slave, st, what, sizeof what);
        } else if (name == NULL || *name == '\0') {
            name = "the link: its name is empty";
        }
        fprintf(stderr, "omv-rpc: cannot open %s: %s\n", name, omv_rpc_status_message(st));
        return cli_exit_for_open(st);
    }
    return CLI_EXIT_OK;
}

int cli_open_master(const cli_link_opts *opts, omv_rpc_master **out)
{
    omv_rpc_link link = {0};
    int rc = cli_open_link(opts, 0, &link);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    omv_rpc_config config = {0};
    config.log = cli_log(opts);
    omv_rpc_status st = omv_rpc_master_new(out, &link, &config);
    if (st != OMV_RPC_OK) {
        cli_report("cannot create the master", st);
        return CLI_EXIT_FAILURE;
    }
    cli_set_abortable_master(*out);
    return CLI_EXIT_OK;
}
