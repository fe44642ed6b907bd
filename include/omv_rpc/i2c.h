/*
 * omvrpc links: I2C master (docs/protocol.md section 4), for Linux boards such
 * as the Raspberry Pi and Jetson talking to an OpenMV Cam or a
 * microcontroller that is the I2C slave (address 0x12 by default).
 *
 * Each transfer is cut into chunks of at most 65535 bytes (one I2C
 * transaction each) and every chunk is preceded by a ~100 us pause
 * (OMV_RPC_BUS_GUARD_US, bus.h) that gives the slave time to get ready.
 * The slave cannot start a transfer, so a read polls: a read the slave
 * does not acknowledge, or whose bytes are all equal (an idle bus reads
 * 0xFF or 0x00), counts as nothing received and is tried again (chunk by
 * chunk) until the timeout, then fails with OMV_RPC_ERR_NOT_READY (the
 * protocol then retries its attempt). This rule
 * applies to every read of 2 bytes or more, so raw data whose bytes are
 * all the same (a cut-through buffer or a stream frame) cannot cross an
 * I2C or SPI link, as with OpenMV's own code. Stream queue depth is at
 * most 1.
 *
 * Linux i2c-dev accepts at most 8192 bytes per transaction: larger chunks
 * fail with OMV_RPC_ERR_TOO_LARGE (keep arguments and results under 8188
 * bytes on such a bus). The bus clock is set by the device tree
 * (Raspberry Pi: dtparam=i2c_arm_baudrate=400000 in config.txt); `rate`
 * only paces the link's waits.
 *
 * Thread-safety: any thread may open; a link is then used by one thread at
 * a time (link.h).
 */
#ifndef OMV_RPC_I2C_H
#define OMV_RPC_I2C_H

#include "bus.h"
#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OMV_RPC_I2C_DEFAULT_ADDRESS 0x12u
#define OMV_RPC_I2C_DEFAULT_RATE 100000u
#define OMV_RPC_I2C_MAX_CHUNK 65535u

/* The bus the link drives: one I2C transaction per call, at most
 * OMV_RPC_I2C_MAX_CHUNK bytes. Return OMV_RPC_OK, OMV_RPC_ERR_NOT_READY
 * when the slave did not acknowledge (the link tries again),
 * OMV_RPC_ERR_TOO_LARGE for a transaction the driver cannot make, or a
 * link error (OMV_RPC_ERR_LINK ends the call). */
typedef struct omv_rpc_i2c_bus_ops {
    omv_rpc_status (*read)(void *ctx, uint16_t address, uint8_t *buf, size_t len);
    omv_rpc_status (*write)(void *ctx, uint16_t address, const uint8_t *buf, size_t len);
    void (*close)(void *ctx); /* NULL: nothing to release */
} omv_rpc_i2c_bus_ops;

/* An I2C master link on a bus of your own (`ops` must outlive the link;
 * the link owns `ctx` from the call on and closes it with the link, or at
 * once when this fails). `address` is the 7-bit slave address (0x08..0x77);
 * `rate` in Hz (0: 100 kHz). Errors: OMV_RPC_ERR_INVALID_ARG,
 * OMV_RPC_ERR_NO_MEMORY. */
OMV_RPC_API omv_rpc_status omv_rpc_i2c_master_open_bus(omv_rpc_link *link,
                                                       const omv_rpc_i2c_bus_ops *ops, void *ctx,
                                                       uint16_t address, uint32_t rate,
                                                       const omv_rpc_log *log);

/* An I2C master link on Linux i2c-dev (`device`, e.g. "/dev/i2c-1"), with
 * ioctl I2C_RDWR (or I2C_SLAVE and read/write when the adapter only does
 * SMBus-style plain transfers).
 * Errors: OMV_RPC_ERR_NO_SUCH_PORT (no such device, or not an I2C
 * adapter), OMV_RPC_ERR_PERMISSION (the log names the group to join),
 * OMV_RPC_ERR_BUSY, OMV_RPC_ERR_UNSUPPORTED (not Linux),
 * OMV_RPC_ERR_INVALID_ARG. */
OMV_RPC_API omv_rpc_status omv_rpc_i2c_master_open(omv_rpc_link *link, const char *device,
                                                   uint16_t address, uint32_t rate,
                                                   const omv_rpc_log *log);

#ifdef __cplusplus
}
#endif

#endif
