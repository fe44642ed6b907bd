/*
 * I2C and SPI master links: what i2c_*.c and spi_*.c share. Not installed.
 *
 * Both are "polled" links: the master clocks every byte and the slave can
 * only answer when asked, so reads are tried again until the slave has
 * something to say. bus_common.c holds that link table; i2c_link.c and
 * spi_link.c adapt the I2C and SPI bus tables to it; i2c_linux.c and
 * spi_linux.c are the kernel backends (i2c-dev, spidev).
 */
#ifndef OMV_RPC_BUS_INTERNAL_H
#define OMV_RPC_BUS_INTERNAL_H

#include "omv_rpc/i2c.h"
#include "omv_rpc/spi.h"
#include "common/clock.h"
#include "common/iov_util.h"
#include "common/link_log.h"
#include "common/watch.h"

/* How long a read or write that found the slave not ready waits before
 * trying again (bounded by the transfer's timeout, which bounds silence:
 * each chunk moved starts it again). */
#define BUS_POLL_MS 1u

typedef struct bus_link bus_link;

/* One chunk (at most max_chunk bytes) each, guard included. */
typedef struct bus_chunk_ops {
    omv_rpc_status (*read)(bus_link *b, uint8_t *buf, size_t len);
    omv_rpc_status (*write)(bus_link *b, const uint8_t *buf, size_t len);
    void (*close)(bus_link *b);
} bus_chunk_ops;

struct bus_link {
    const bus_chunk_ops *chunk;
    const void *bus_ops; /* the user's omv_rpc_i2c_bus_ops or omv_rpc_spi_bus_ops */
    void *bus_ctx;
    uint16_t address; /* I2C only */
    size_t max_chunk;
    uint32_t hz;            /* bus clock */
    uint32_t bits_per_byte; /* on the wire, with I2C's ack bit */
    omv_rpc_log log;
    omv_rpc_watcher watcher; /* the owner's (link.h), cleared by omv_rpc_bus_link_finish */
    omvrpc_iov_flat flat;    /* transfers of several pieces, gathered (iov_util.h) */
};

/* Whether the `len` bytes (len >= 2) are all the same: "nothing received". */
int omvrpc_bus_all_equal(const uint8_t *buf, size_t len);

/* Finish a link around `b` (malloc'd, filled in): the polled link table,
 * stream queue depth 1. Frees `b` (closing its bus) on failure. */
omv_rpc_status omvrpc_bus_link_finish(omv_rpc_link *link, bus_link *b);

#ifdef __linux__
/* The status for an errno of an i2c-dev or spidev transfer (tests). */
omv_rpc_status omvrpc_bus_transfer_status(int err);
/* The status for an errno of opening or setting up a bus device. */
omv_rpc_status omvrpc_bus_open_status(int err);
#endif

#endif
