/* The OpenMV-named constructors (omv_rpc/openmv.h): open a link of one
 * family and create a master or slave on it. They sit above the families
 * so that no family calls up into this layer: each family only opens
 * links, the core only runs them. */
#include "omv_rpc/openmv.h"

#include <stdlib.h>
#include <string.h>

#include "common/link_log.h"
#include "omv_rpc/can.h"
#include "omv_rpc/i2c.h"
#include "omv_rpc/net.h"
#include "omv_rpc/serial.h"
#include "omv_rpc/spi.h"

/* A link that opened (`st` OMV_RPC_OK), handed to a new master (*master)
 * or slave (*slave), whichever is given; *out is NULL on any failure. A
 * master or slave that fails to be created closes the link itself. */
static omv_rpc_status endpoint_new(omv_rpc_master **master, omv_rpc_slave **slave,
                                   omv_rpc_status st, const omv_rpc_link *link,
                                   const omv_rpc_config *config)
{
    if (st != OMV_RPC_OK) {
        return st;
    }
    return master ? omv_rpc_master_new(master, link, config)
                  : omv_rpc_slave_new(slave, link, config);
}

/* Clears *out (when given) before a constructor starts, so that it is
 * NULL on every failure; OMV_RPC_ERR_INVALID_ARG without one. */
#define START(out)                          \
    do {                                    \
        if (!(out)) {                       \
            return OMV_RPC_ERR_INVALID_ARG; \
        }                                   \
        *(out) = NULL;                      \
    } while (0)

static const omv_rpc_log *log_of(const omv_rpc_config *config)
{
    return config ? &config->log : NULL;
}

/* -------------------------------------------------------------- serial */

omv_rpc_status omv_rpc_uart_master_new(omv_rpc_master **out, const char *port, uint32_t baudrate,
                                       const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(
        &link, port, baudrate ? baudrate : OMV_RPC_UART_DEFAULT_BAUD, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_uart_slave_new(omv_rpc_slave **out, const char *port, uint32_t baudrate,
                                      const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(
        &link, port, baudrate ? baudrate : OMV_RPC_UART_DEFAULT_BAUD, log_of(config));
    return endpoint_new(NULL, out, st, &link, config);
}

/* Baud rate 0: a USB virtual COM port, paced at USB speed. */
omv_rpc_status omv_rpc_usb_vcp_master_new(omv_rpc_master **out, const char *port,
                                          const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(&link, port, 0, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_usb_vcp_slave_new(omv_rpc_slave **out, const char *port,
                                         const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(&link, port, 0, log_of(config));
    return endpoint_new(NULL, out, st, &link, config);
}

/* ------------------------------------------------------------- network */

omv_rpc_status omv_rpc_net_master_new(omv_rpc_master **out, const char *slave_address,
                                      const char *my_address, uint16_t port,
                                      const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st =
        omv_rpc_net_master_open(&link, slave_address, my_address, port, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_net_slave_new(omv_rpc_slave **out, const char *my_address, uint16_t port,
                                     const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_net_slave_open(&link, my_address, port, NULL, 0, log_of(config));
    return endpoint_new(NULL, out, st, &link, config);
}

/* ----------------------------------------------------------------- CAN */

/* "kvaser:N" or a SocketCAN interface name. */
static omv_rpc_status can_open_channel(omv_rpc_link *link, const char *channel, uint32_t message_id,
                                       uint32_t bit_rate, uint32_t sample_point,
                                       const omv_rpc_log *log)
{
    if (!channel) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (strncmp(channel, "kvaser:", 7) == 0) {
        char *end = NULL;
        long n = strtol(channel + 7, &end, 10);
        if (end == channel + 7 || *end || n < 0 || n > 255) {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "can: \"%s\" is not kvaser:<channel number>",
                             channel);
            return OMV_RPC_ERR_INVALID_ARG;
        }
        return omv_rpc_can_open_kvaser(link, (int)n, message_id, bit_rate, sample_point, NULL, log);
    }
    return omv_rpc_can_open_socketcan(link, channel, message_id, bit_rate, sample_point, log);
}

omv_rpc_status omv_rpc_can_master_new(omv_rpc_master **out, const char *channel,
                                      uint32_t message_id, uint32_t bit_rate, uint32_t sample_point,
                                      const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st =
        can_open_channel(&link, channel, message_id, bit_rate, sample_point, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_can_slave_new(omv_rpc_slave **out, const char *channel, uint32_t message_id,
                                     uint32_t bit_rate, uint32_t sample_point,
                                     const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st =
        can_open_channel(&link, channel, message_id, bit_rate, sample_point, log_of(config));
    return endpoint_new(NULL, out, st, &link, config);
}

omv_rpc_status omv_rpc_kvaser_can_master_new(omv_rpc_master **out, int channel, uint32_t message_id,
                                             uint32_t bit_rate, uint32_t sample_point,
                                             const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_can_open_kvaser(&link, channel, message_id, bit_rate, sample_point,
                                                NULL, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_kvaser_can_slave_new(omv_rpc_slave **out, int channel, uint32_t message_id,
                                            uint32_t bit_rate, uint32_t sample_point,
                                            const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_can_open_kvaser(&link, channel, message_id, bit_rate, sample_point,
                                                NULL, log_of(config));
    return endpoint_new(NULL, out, st, &link, config);
}

/* ------------------------------------------------------------ I2C, SPI */

omv_rpc_status omv_rpc_i2c_master_new(omv_rpc_master **out, const char *device, uint16_t address,
                                      uint32_t rate, const omv_rpc_config *config)
{
    START(out);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_i2c_master_open(&link, device, address, rate, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}

omv_rpc_status omv_rpc_spi_master_new(omv_rpc_master **out, const char *device, uint32_t hz,
                                      uint32_t clk_polarity, uint32_t clk_phase,
                                      const omv_rpc_config *config)
{
    START(out);
    if (clk_polarity > 1 || clk_phase > 1) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_link link;
    omv_rpc_status st =
        omv_rpc_spi_master_open(&link, device, clk_polarity * 2u + clk_phase, hz, log_of(config));
    return endpoint_new(out, NULL, st, &link, config);
}
