/*
 * The OpenMV-named constructors: one call that opens a link and creates a
 * master or slave on it, as OpenMV's rpc_uart_master(), rpc_can_slave()...
 * do. They sit above the link families (serial.h, net.h, can.h, i2c.h,
 * spi.h, whose open functions they call) and the core (rpc.h).
 *
 * Every one: `config` may be NULL (defaults); its log, when given, also
 * receives the link's open errors. On success the master or slave owns the
 * link (omv_rpc_master_free / omv_rpc_slave_free close it); on failure *out
 * is NULL and nothing stays open. Errors: those of the link's open
 * function, then those of omv_rpc_master_new / omv_rpc_slave_new.
 * Thread-safety: any thread; each call makes a new, independent object.
 */
#ifndef OMV_RPC_OPENMV_H
#define OMV_RPC_OPENMV_H

#include <stdint.h>

#include "export.h"
#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------- serial (serial.h) */

/* rpc_uart_master(baudrate) / rpc_uart_slave(baudrate) on `port`
 * ("/dev/ttyUSB0", "COM3", "auto"); baudrate 0: OMV_RPC_UART_DEFAULT_BAUD. */
OMV_RPC_API omv_rpc_status omv_rpc_uart_master_new(omv_rpc_master **out, const char *port,
                                                   uint32_t baudrate, const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_uart_slave_new(omv_rpc_slave **out, const char *port,
                                                  uint32_t baudrate, const omv_rpc_config *config);
/* rpc_usb_vcp_master() / rpc_usb_vcp_slave(): the rate is left as is and
 * transfers are paced at USB speed. */
OMV_RPC_API omv_rpc_status omv_rpc_usb_vcp_master_new(omv_rpc_master **out, const char *port,
                                                      const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_usb_vcp_slave_new(omv_rpc_slave **out, const char *port,
                                                     const omv_rpc_config *config);

/* --------------------------------------------------------- network (net.h) */

/* rpc_network_master(slave_ip, my_ip, port) / rpc_network_slave(my_ip,
 * port): omv_rpc_net_master_open / omv_rpc_net_slave_open (no list of
 * allowed masters). */
OMV_RPC_API omv_rpc_status omv_rpc_net_master_new(omv_rpc_master **out, const char *slave_address,
                                                  const char *my_address, uint16_t port,
                                                  const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_net_slave_new(omv_rpc_slave **out, const char *my_address,
                                                 uint16_t port, const omv_rpc_config *config);

/* -------------------------------------------------------------- CAN (can.h) */

/* rpc_can_master(message_id, bit_rate, sample_point) / rpc_can_slave(...)
 * on `channel`: a SocketCAN interface ("can0"), or "kvaser:N" for Kvaser
 * CANlib channel N. Parameters and defaults as in can.h. */
OMV_RPC_API omv_rpc_status omv_rpc_can_master_new(omv_rpc_master **out, const char *channel,
                                                  uint32_t message_id, uint32_t bit_rate,
                                                  uint32_t sample_point,
                                                  const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_can_slave_new(omv_rpc_slave **out, const char *channel,
                                                 uint32_t message_id, uint32_t bit_rate,
                                                 uint32_t sample_point,
                                                 const omv_rpc_config *config);

/* rpc_kvarser_can_master / rpc_kvarser_can_slave: Kvaser CANlib channel
 * `channel` with the default library. */
OMV_RPC_API omv_rpc_status omv_rpc_kvaser_can_master_new(omv_rpc_master **out, int channel,
                                                         uint32_t message_id, uint32_t bit_rate,
                                                         uint32_t sample_point,
                                                         const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_kvaser_can_slave_new(omv_rpc_slave **out, int channel,
                                                        uint32_t message_id, uint32_t bit_rate,
                                                        uint32_t sample_point,
                                                        const omv_rpc_config *config);
/* Aliases under the spelling of OpenMV's desktop library, so that code
 * ported from it keeps its names. Macros: the library exports only the
 * kvaser spelling. */
#define omv_rpc_kvarser_can_master_new omv_rpc_kvaser_can_master_new
#define omv_rpc_kvarser_can_slave_new omv_rpc_kvaser_can_slave_new

/* ----------------------------------------------------- I2C, SPI (i2c.h, spi.h) */

/* rpc_i2c_master(slave_addr, rate) on `device` ("/dev/i2c-1"). */
OMV_RPC_API omv_rpc_status omv_rpc_i2c_master_new(omv_rpc_master **out, const char *device,
                                                  uint16_t address, uint32_t rate,
                                                  const omv_rpc_config *config);
/* rpc_spi_master(freq, clk_polarity, clk_phase) on `device`
 * ("/dev/spidev0.0"); mode = polarity * 2 + phase, each 0 or 1
 * (OMV_RPC_ERR_INVALID_ARG otherwise). */
OMV_RPC_API omv_rpc_status omv_rpc_spi_master_new(omv_rpc_master **out, const char *device,
                                                  uint32_t hz, uint32_t clk_polarity,
                                                  uint32_t clk_phase, const omv_rpc_config *config);

#ifdef __cplusplus
}
#endif

#endif
