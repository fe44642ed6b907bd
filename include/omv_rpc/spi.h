/*
 * omvrpc links: SPI master (docs/protocol.md section 4), for Linux boards such
 * as the Raspberry Pi and Jetson talking to an OpenMV Cam or a
 * microcontroller that is the SPI slave.
 *
 * OpenMV's defaults: mode 2 (clock polarity 1, phase 0), 1 MHz, a
 * chip-select line. For each chunk (at most 65535 bytes) the master lowers
 * chip select, waits ~100 us, clocks the bytes and raises chip select.
 * Reads are full-duplex transfers that send zeros. As on I2C (see i2c.h),
 * a read of 2 bytes or more whose bytes are all equal is "nothing
 * received": it is tried again until the timeout and then fails with
 * OMV_RPC_ERR_NOT_READY; stream queue depth is at most 1. Writes cannot
 * tell whether the slave listened: a lost write shows up as a failed read.
 *
 * Linux spidev accepts at most its `bufsiz` (4096 bytes by default) per
 * transfer: larger chunks fail with OMV_RPC_ERR_TOO_LARGE; raise it with
 * spidev.bufsiz=65536 on the kernel command line.
 *
 * Thread-safety: any thread may open; a link is then used by one thread at
 * a time (link.h).
 */
#ifndef OMV_RPC_SPI_H
#define OMV_RPC_SPI_H

#include "bus.h"
#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OMV_RPC_SPI_DEFAULT_MODE 2u
#define OMV_RPC_SPI_DEFAULT_HZ 1000000u
#define OMV_RPC_SPI_MAX_CHUNK 65535u

/* The bus the link drives. transfer: chip select low, wait `guard_us`
 * microseconds, clock `len` bytes (at most OMV_RPC_SPI_MAX_CHUNK) sending
 * `tx` (NULL: zeros) and storing what comes back in `rx` (NULL: discard),
 * chip select high. Returns OMV_RPC_OK, OMV_RPC_ERR_TOO_LARGE or a link
 * error. */
typedef struct omv_rpc_spi_bus_ops {
    omv_rpc_status (*transfer)(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len,
                               uint32_t guard_us);
    void (*close)(void *ctx); /* NULL: nothing to release */
} omv_rpc_spi_bus_ops;

/* An SPI master link on a bus of your own (`ops` must outlive the link;
 * the link owns `ctx` from the call on, closed with the link or at once
 * when this fails). `hz` (0: 1 MHz) paces the link's waits.
 * Errors: OMV_RPC_ERR_INVALID_ARG, OMV_RPC_ERR_NO_MEMORY. */
OMV_RPC_API omv_rpc_status omv_rpc_spi_master_open_bus(omv_rpc_link *link,
                                                       const omv_rpc_spi_bus_ops *ops, void *ctx,
                                                       uint32_t hz, const omv_rpc_log *log);

/* An SPI master link on Linux spidev (`device`, e.g. "/dev/spidev0.0"):
 * `mode` 0..3 (OpenMV: 2), `hz` (0: 1 MHz), 8 bits per word, MSB first.
 * Errors: OMV_RPC_ERR_NO_SUCH_PORT (no such device, or not spidev),
 * OMV_RPC_ERR_PERMISSION (the log names the group to join),
 * OMV_RPC_ERR_UNSUPPORTED (a mode or rate the driver refuses; not Linux),
 * OMV_RPC_ERR_INVALID_ARG. */
OMV_RPC_API omv_rpc_status omv_rpc_spi_master_open(omv_rpc_link *link, const char *device,
                                                   uint32_t mode, uint32_t hz,
                                                   const omv_rpc_log *log);

#ifdef __cplusplus
}
#endif

#endif
