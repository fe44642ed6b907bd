/* Linux spidev backend for the SPI master link: each transaction is one
 * SPI_IOC_MESSAGE of two transfers, an empty one that holds chip select
 * low for the guard time, then the bytes. */
#include "bus_internal.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <linux/spi/spidev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct spi_dev {
    int fd;
    uint32_t hz;
    omv_rpc_log log;
} spi_dev;

static omv_rpc_status dev_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len,
                                   uint32_t guard_us)
{
    spi_dev *d = ctx;
    struct spi_ioc_transfer xfer[2];
    memset(xfer, 0, sizeof xfer);
    xfer[0].delay_usecs = (uint16_t)guard_us; /* chip select low, no clock */
    xfer[0].speed_hz = d->hz;
    xfer[0].bits_per_word = 8;
    xfer[1].tx_buf = (uintptr_t)tx;
    xfer[1].rx_buf = (uintptr_t)rx;
    xfer[1].len = (uint32_t)len;
    xfer[1].speed_hz = d->hz;
    xfer[1].bits_per_word = 8;
    if (ioctl(d->fd, SPI_IOC_MESSAGE(2), xfer) < 0) {
        int err = errno;
        if (err == EMSGSIZE) {
            omvrpc_link_logf(&d->log, OMV_RPC_LOG_ERROR,
                             "spi: a %zu-byte transfer is over spidev's bufsiz (add "
                             "spidev.bufsiz=65536 to the kernel command line)",
                             len);
        }
        return omvrpc_bus_transfer_status(err);
    }
    return OMV_RPC_OK;
}

static void dev_close(void *ctx)
{
    spi_dev *d = ctx;
    close(d->fd);
    free(d);
}

static const omv_rpc_spi_bus_ops dev_ops = {dev_transfer, dev_close};

omv_rpc_status omv_rpc_spi_master_open(omv_rpc_link *link, const char *device, uint32_t mode,
                                       uint32_t hz, const omv_rpc_log *log)
{
    if (!link || !device || !*device || mode > 3) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (hz == 0) {
        hz = OMV_RPC_SPI_DEFAULT_HZ;
    }
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        omv_rpc_status st = omvrpc_bus_open_status(err);
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "spi: cannot open %s: %s%s", device, strerror(err),
                         st == OMV_RPC_ERR_PERMISSION
                             ? " (join the spi group: sudo usermod -aG spi $USER, then log in "
                               "again)"
                         : st == OMV_RPC_ERR_NO_SUCH_PORT
                             ? " (enable SPI, e.g. raspi-config, and modprobe spidev)"
                             : "");
        return st;
    }
    uint8_t m = (uint8_t)mode, bits = 8;
    uint32_t speed = hz;
    const char *what = NULL;
    if (ioctl(fd, SPI_IOC_WR_MODE, &m) < 0) {
        what = "mode";
    } else if (ioctl(fd, SPI_IOC_WR_BITS_PER_WORD, &bits) < 0) {
        what = "8 bits per word";
    } else if (ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, &speed) < 0) {
        what = "clock rate";
    }
    if (what) {
        int err = errno;
        omv_rpc_status st = omvrpc_bus_open_status(err);
        if (st == OMV_RPC_ERR_NO_SUCH_PORT) {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "spi: %s is not an spidev device", device);
        } else {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "spi: %s refuses %s (mode %u, %u Hz): %s",
                             device, what, (unsigned)mode, (unsigned)hz, strerror(err));
        }
        close(fd);
        return st;
    }
    spi_dev *d = calloc(1, sizeof *d);
    if (!d) {
        close(fd);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    d->fd = fd;
    d->hz = hz;
    if (log) {
        d->log = *log;
    }
    return omv_rpc_spi_master_open_bus(link, &dev_ops, d, hz, log);
}

#else /* not Linux */

omv_rpc_status omv_rpc_spi_master_open(omv_rpc_link *link, const char *device, uint32_t mode,
                                       uint32_t hz, const omv_rpc_log *log)
{
    (void)link;
    (void)mode;
    (void)hz;
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "spi: %s: spidev exists on Linux only; use omv_rpc_spi_master_open_bus",
                     device ? device : "?");
    return OMV_RPC_ERR_UNSUPPORTED;
}

#endif
